"""Many documents through one translator, their sentences sharing batches.

An archive is mostly short documents (a news item is 5-15 sentences, a post
1-3): translated one at a time, each fills a batch or two and batches stay
small. Here consecutive documents are translated together, a window of them
at a time, and come back one by one, each with its own pairs and
:class:`~translate.types.TranslationInfo`, exactly as if it had been
translated alone.

How: a window of documents is joined with blank lines into one text (a
blank line ends a paragraph, and a sentence never crosses a paragraph, so
each document segments as it does alone), translated, and its pairs are
given back to their documents with their offsets, indices and paragraph
numbers made local again.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from translate.normalize import contains_arabic
from translate.segment import count_sentences
from translate.types import AlignedPair, Segment, TranslationInfo

if TYPE_CHECKING:
    from translate.translator import Translator

K = TypeVar("K")
logger = logging.getLogger("tarjama")

WINDOW_SENTENCES = 512
"""Sentences read ahead, at most (plus one document): enough for many full batches, bounded memory."""
SEPARATOR = "\n\n"


@dataclass(frozen=True)
class TranslatedDocument(Generic[K]):
    """One document's pairs, complete, with what ``Translator.translate`` would have said about it alone."""

    key: K
    pairs: list[AlignedPair]
    info: TranslationInfo


def check_arabic(name: str, info: TranslationInfo) -> None:
    """Warn (and go on) when a document holds no Arabic: likely the wrong file, or text in another language.

    Nothing of it reaches the model: text without Arabic comes back as it was.
    """
    if not info.has_arabic:
        logger.warning("%s: no Arabic text found; it is copied as it was", name)


def translate_documents(
    translator: Translator, documents: Iterable[tuple[K, str]], *, window: int = WINDOW_SENTENCES
) -> Iterator[TranslatedDocument[K]]:
    """Translate ``(key, text)`` documents in order, consecutive ones sharing batches.

    Documents are read from ``documents`` only while the window has fewer
    than ``window`` sentences, so any number of them runs in bounded memory;
    each comes out as soon as its last sentence is translated. The pairs are
    the ones ``translator.translate(text)`` gives for that text alone.
    """
    source = iter(documents)
    while True:
        chosen: list[tuple[K, str]] = []
        sentences = 0
        for key, text in source:
            chosen.append((key, text))
            sentences += count_sentences(text)
            if sentences >= window:
                break
        if not chosen:
            return
        yield from _window(translator, chosen)


def _window(translator: Translator, chosen: list[tuple[K, str]]) -> Iterator[TranslatedDocument[K]]:
    starts, at = [], 0
    for _, text in chosen:
        starts.append(at)
        at += len(text) + len(SEPARATOR)
    # A document comes out whole, so nobody sees its first rows early: every batch full size.
    pairs, info = translator.translate(SEPARATOR.join(text for _, text in chosen), first_rows_early=False)
    by_document: list[list[Segment]] = [[] for _ in chosen]
    owner: list[int] = []
    d = 0
    for segment in info.segments:
        while d + 1 < len(chosen) and segment.start >= starts[d + 1]:
            d += 1
        by_document[d].append(segment)
        owner.append(d)
    collected: list[AlignedPair] = []
    current = 0
    for pair in pairs:
        d = owner[pair.index]
        while current < d:  # every pair of the documents before this one is in
            yield _finished(chosen, starts, by_document, current, collected, info)
            collected, current = [], current + 1
        collected.append(pair)
    while current < len(chosen):
        yield _finished(chosen, starts, by_document, current, collected, info)
        collected, current = [], current + 1


def _finished(
    chosen: list[tuple[K, str]],
    starts: list[int],
    by_document: list[list[Segment]],
    d: int,
    pairs: list[AlignedPair],
    info: TranslationInfo,
) -> TranslatedDocument[K]:
    key, text = chosen[d]
    segments = by_document[d]
    first_index = segments[0].index if segments else 0
    first_paragraph = segments[0].paragraph if segments else 0
    offset = starts[d]

    def local_segment(segment: Segment) -> Segment:
        return dataclasses.replace(
            segment,
            index=segment.index - first_index,
            paragraph=segment.paragraph - first_paragraph,
            start=segment.start - offset,
            end=segment.end - offset,
        )

    def local_pair(pair: AlignedPair) -> AlignedPair:
        return dataclasses.replace(
            pair,
            index=pair.index - first_index,
            paragraph=pair.paragraph - first_paragraph,
            start=None if pair.start is None else pair.start - offset,
            end=None if pair.end is None else pair.end - offset,
        )

    local = tuple(local_segment(s) for s in segments)
    document_info = dataclasses.replace(
        info,
        sentences=len(local),
        paragraphs=len({s.paragraph for s in local}),
        pieces=sum(p.pieces for p in pairs),
        characters=len(text),
        has_arabic=contains_arabic(text),
        segments=local,
    )
    return TranslatedDocument(key, [local_pair(p) for p in pairs], document_info)
