"""The one document model every format is read into: blocks of plain text, their formatting as spans.

A block is a paragraph, a heading, a table cell's paragraph, a footnote's: the
unit the translator translates whole, sentence by sentence. Its ``spans``
say which formatting each stretch of its text has (a format's own key: a
Word run's properties, an HTML element); a span of no length is an inline
object at that place (a footnote reference, an image, a bookmark). The
translator never sees the formatting: spans cross to the English through the
word alignment (:mod:`translate.formats.marks`).

A block's ``cuts`` are places where a sentence must end whatever the
punctuation says: the edges of a verse marker ``﴿١﴾``, an empty anchor (``<a
id>``, a verse's start), the separator between two links of a menu (``A |
B``). Text the source kept apart by its structure is translated apart, so
that each link, anchor and marker comes back once, where its own words went.
"""

from __future__ import annotations

from dataclasses import dataclass

from translate.types import Doubt


@dataclass(frozen=True)
class Span:
    """``block.text[start:end]`` has formatting ``style`` (the format's key); ``start == end``: an inline object."""

    start: int
    end: int
    style: int


@dataclass(frozen=True)
class Block:
    """One paragraph of a document: its text, the spans that cover it in order (objects between them), and the
    offsets where a sentence must end (``cuts``, in order, each inside the text).

    ``doubts``: where OCR was unsure of the text (offsets into this block's text); none for a text layer.
    """

    text: str
    spans: tuple[Span, ...]
    cuts: tuple[int, ...] = ()
    doubts: tuple[Doubt, ...] = ()


@dataclass(frozen=True)
class Carried:
    """A block in English: its text, its spans carried over, and how many marks only came near their words.

    ``approximate`` counts the formatted stretches of the Arabic whose words
    the alignment links to no English word: each is kept, on the English word
    nearest to where it stood, never dropped.
    """

    text: str
    spans: tuple[Span, ...]
    approximate: int = 0
