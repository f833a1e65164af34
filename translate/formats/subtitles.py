"""Subtitles in and out (``.srt`` with ``srt``, ``.vtt`` with ``webvtt-py``): sentences across cues, English cut back.

A sentence often runs over two or three cues. The cues are joined into
blocks (a block ends with a cue that ends a sentence, a pause of
:data:`PAUSE` seconds or more, or :data:`MAX_CUES` cues), each sentence is
translated whole, and its English is cut back over the cues it came from at
word boundaries, each English word with the cue of the Arabic words it is
aligned to (:func:`~translate.formats.marks.split_over`). A cue without
Arabic (an English line, a sound label, a number) is a block of its own and
comes back exactly as it was, markup and line breaks included. The number of cues,
their numbers, identifiers, timings and settings do not change; everything
of the file that is not a cue's text is written back as it was, in its own
line endings (CRLF stays CRLF).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from translate.errors import InputError
from translate.files import decode_text
from translate.formats.marks import split_over
from translate.formats.model import Block, Span
from translate.types import AlignedPair
from translate.verbatim import needs_translation

PAUSE = 2.0
"""Seconds of silence between two cues after which a sentence is taken to have ended."""
MAX_CUES = 8
"""The most cues joined into one block: a file without punctuation is still cut into sentences of a size."""
LINE = 42
"""Characters per subtitle line, the usual broadcast limit: longer English is wrapped, never cut."""
_ENDS_SENTENCE = re.compile(r"[.!?؟…]['\"»”’)\]]*\s*$")
_VOICE = re.compile(r"^<v(?:\.[^ >]*)?\s+([^>]*)>")


@dataclass(frozen=True)
class _Cue:
    text: str
    start: float
    end: float


class Subtitles:
    """An ``.srt`` or ``.vtt`` file read for translation: :attr:`blocks` of joined cues, and how to write them back."""

    approximate = 0  # subtitles carry no formatting
    unkept: Sequence[str] = ()  # nor ids or links
    unfitted = 0  # nothing is set in a box
    unread: Sequence[int] = ()  # nothing is read by OCR

    def __init__(self, name: str, data: bytes) -> None:
        self.name = name
        self.kind = "vtt" if name.lower().endswith(".vtt") else "srt"
        self._text = decode_text(data, name)  # Windows-1256 subtitles are common: read like a .txt
        self._cues = self._read_vtt() if self.kind == "vtt" else self._read_srt()
        self._groups = _groups(self._cues)
        self._kept = {g[0] for g in self._groups if not needs_translation(self._cues[g[0]].text)}
        self.blocks = [_block([self._cues[c].text for c in group]) for group in self._groups]

    def _read_srt(self) -> list[_Cue]:
        import srt

        try:
            self._srt = list(srt.parse(self._text))
        except srt.SRTParseError as exc:
            problem = f"{self.name}: not a readable .srt file ({exc}); check its cue numbers and timings"
            raise InputError(problem) from None
        return [_Cue(_plain(s.content), s.start.total_seconds(), s.end.total_seconds()) for s in self._srt]

    def _read_vtt(self) -> list[_Cue]:
        import webvtt
        from webvtt.errors import MalformedFileError

        try:
            self._vtt = webvtt.from_string(self._text)
        except MalformedFileError as exc:
            raise InputError(f"{self.name}: not a readable .vtt file ({exc}); it must start with WEBVTT") from None
        return [_Cue(_plain(c.text), c.start_in_seconds, c.end_in_seconds) for c in self._vtt.captions]

    def render(self, sentences: Sequence[Sequence[AlignedPair]], *, bilingual: bool = False) -> bytes:
        """The file with each cue's text in English: ``sentences[k]`` are block ``k``'s pairs.

        With ``bilingual``, each cue shows its Arabic line above its English.
        """
        english: list[list[str]] = [[] for _ in self._cues]
        for group, block, pairs in zip(self._groups, self.blocks, sentences, strict=True):
            starts = [span.start for span in block.spans]
            for pair in pairs:
                first = pair.start or 0
                last = first + len(pair.source)
                inside = [k for k, span in enumerate(block.spans) if span.start < last and first < span.end]
                borders = [starts[k] - first for k in inside[1:]]
                for k, piece in zip(inside, split_over(pair, borders), strict=True):
                    if piece:
                        english[group[k]].append(piece)
        # A cue whose Arabic the English says in its neighbours shows an ellipsis, never nothing (an empty cue
        # ends a subtitle file early for some players).
        lines: list[str | None] = ["\n".join(textwrap.wrap(" ".join(words), LINE)) or "…" for words in english]
        if bilingual:  # the Arabic wrapped as the English is: one line of 104 characters is no subtitle
            lines = [
                "\n".join([*textwrap.wrap(cue.text, LINE), line]) if cue.text and line else line
                for cue, line in zip(self._cues, lines, strict=True)
            ]
        for k in self._kept:  # a cue without Arabic is left exactly as the file has it
            lines[k] = None
        text = self._write_vtt(lines) if self.kind == "vtt" else self._write_srt(lines)
        if "\r\n" in self._text:  # srt.compose and the cues put back write "\n": the file's own endings return
            text = text.replace("\r\n", "\n").replace("\n", "\r\n")
        return text.encode("utf-8")

    def _write_srt(self, lines: list[str | None]) -> str:
        import srt

        for subtitle, text in zip(self._srt, lines, strict=True):
            if text is not None and subtitle.content.strip():
                subtitle.content = text
        return srt.compose(self._srt, reindex=False)

    def _write_vtt(self, lines: list[str | None]) -> str:
        # The cues' text is put back in place in the file as written: its header, styles, regions and
        # notes, and each cue's identifier, timing and settings, stay exactly as they were.
        blocks = re.split(r"(\r?\n(?:[ \t]*\r?\n)+)", self._text)
        cue = 0
        for k in range(0, len(blocks), 2):
            block_lines = blocks[k].splitlines()
            timing = next((i for i, line in enumerate(block_lines) if "-->" in line), None)
            if timing is None or cue >= len(lines):
                continue
            payload = block_lines[timing + 1 :]
            english = lines[cue]
            if english is not None and any(line.strip() for line in payload):
                voice = _VOICE.match(payload[0].strip())  # who speaks (<v Name>) stays with the English
                text = english.splitlines()
                if voice:
                    text[0] = f"<v {voice.group(1)}>{text[0]}"
                block_lines[timing + 1 :] = text
                blocks[k] = "\n".join(block_lines)
            cue += 1
        return "".join(blocks)


def _plain(text: str) -> str:
    """A cue's text as one line without markup (``<i>``, ``{\\an8}``, ``<v Name>``)."""
    text = re.sub(r"<[^>]*>|\{\\[^}]*\}", "", text)
    return " ".join(text.split())


def _groups(cues: Sequence[_Cue]) -> list[list[int]]:
    groups: list[list[int]] = []
    current: list[int] = []
    for k, cue in enumerate(cues):
        if not cue.text:
            continue
        if not needs_translation(cue.text):  # copied as it is: it neither joins nor ends a sentence
            if current:
                groups.append(current)
                current = []
            groups.append([k])
            continue
        if current and (cue.start - cues[current[-1]].end >= PAUSE or len(current) >= MAX_CUES):
            groups.append(current)
            current = []
        current.append(k)
        if _ENDS_SENTENCE.search(cue.text):
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    return groups


def _block(texts: Sequence[str]) -> Block:
    spans, at = [], 0
    for k, text in enumerate(texts):
        spans.append(Span(at, at + len(text), k))
        at += len(text) + 1
    return Block(" ".join(texts), tuple(spans))
