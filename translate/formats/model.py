"""The one document model every format is read into: blocks of plain text, their formatting as spans.

A block is a paragraph, a heading, a table cell's paragraph, a footnote's: the
unit the translator translates whole, sentence by sentence. Its ``spans``
say which formatting each stretch of its text has (a format's own key: a
Word run's properties, an HTML element); a span of no length is an inline
object at that place (a footnote reference, an image, a bookmark). The
translator never sees the formatting: spans cross to the English through the
word alignment (:mod:`translate.formats.marks`).
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
    """One paragraph of a document: its text, and the spans that cover it in order (objects between them).

    ``doubts``: where OCR was unsure of the text (offsets into this block's text); none for a text layer.
    """

    text: str
    spans: tuple[Span, ...]
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
