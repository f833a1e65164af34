"""Split Arabic (and mixed) text into paragraphs and sentences, keeping offsets.

Pure text processing: no model, no I/O. Every non-space character of the input
lands in exactly one :class:`Segment`, and the input is exactly recoverable from
the segments plus the whitespace between them.

Paragraphs are lines: every line break ends a paragraph, and blank lines are
skipped. Within a paragraph a sentence ends at ``.``, ``!``, ``?``, ``؟``,
``…``, ``۔`` or a run of them (``..``), together with any closing quote or
bracket that follows (``.»``), except where the mark belongs to a number
(``85.5``), an abbreviation (``د.``, ``ج.م.ع``, ``U.S.``, ``Inc.``), a list
marker at the start of a paragraph (``2.``), a URL, an e-mail address or a handle
(``@user@mastodon.social``: :func:`translate.verbatim.verbatim_spans`).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable, Iterator

from translate.normalize import INVISIBLE, is_arabic_letter
from translate.types import Segment
from translate.verbatim import verbatim_spans

_LINE_BREAK = re.compile(r"\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
_CANDIDATE = re.compile(r"[.!?؟…۔]+[»\"”’'\)\]\}›]*")
_OPENERS = "«\"“‘'([{‹"
_LONGEST_TOKEN = 64
"""Longer than this, what stands before a dot is no number, abbreviation or list marker (nor looked through)."""
_LATIN_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof st jr sr inc ltd co corp llc plc vs etc e.g i.e cf al no nos vol
    fig figs p pp ed eds jan feb mar apr jun jul aug sep sept oct nov dec gen col lt sgt
    capt gov sen rep ave est approx dept univ mt ft op ca""".split()
)
# Single Arabic letters used as era markers after a number: "عام 2016 م."
# ends a sentence, whereas "د." (doctor) or "ص." (page) does not.
_ERA_MARKERS = frozenset("مه")
_LEADER = re.compile(r"(?:\.\s?){4,}\s*(?:[0-9٠-٩۰-۹]+|[ivxlcdm]+)\s*$", re.IGNORECASE)
_LETTER_DOTS = re.compile(r"^(?:\w\.)+\w$")
_CLAUSE_MARK = re.compile(r"[،؛:;,](?=\s)")
_SPACE_RUN = re.compile(r"\s+")


def segment_text(text: str) -> list[Segment]:
    """Split ``text`` into sentence segments, numbered in order from 0."""
    segments: list[Segment] = []
    paragraph = 0
    for line_start, line_end in _lines(text):
        line = text[line_start:line_end]
        spans = list(_sentence_spans(line))
        if not spans:
            continue
        for start, end in spans:
            segments.append(
                Segment(
                    index=len(segments),
                    paragraph=paragraph,
                    start=line_start + start,
                    end=line_start + end,
                    text=line[start:end],
                )
            )
        paragraph += 1
    return segments


def count_sentences(text: str) -> int:
    """How many segments :func:`segment_text` would return (for progress totals)."""
    return len(segment_text(text))


def _lines(text: str) -> Iterator[tuple[int, int]]:
    start = 0
    for brk in _LINE_BREAK.finditer(text):
        yield start, brk.start()
        start = brk.end()
    yield start, len(text)


def _sentence_spans(line: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each sentence in one line, stripped of outer whitespace."""
    protected = _protected_spans(line)
    start = 0
    for match in _CANDIDATE.finditer(line):
        if any(a <= match.start() < b for a, b in protected):
            continue
        if not _ends_sentence(line, match, start):
            continue
        span = _strip(line, start, match.end())
        if span:
            yield span
        start = match.end()
    span = _strip(line, start, len(line))
    if span:
        yield span


def _protected_spans(line: str) -> list[tuple[int, int]]:
    """URLs, e-mail addresses and handles: their dots and question marks are never sentence ends."""
    return [(span.start, span.end) for span in verbatim_spans(line)]


def _strip(line: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and line[start].isspace():
        start += 1
    while end > start and line[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def _ends_sentence(line: str, match: re.Match[str], sentence_start: int) -> bool:
    marks = match.group().rstrip("»\"”’')]}›")
    before = line[sentence_start : match.start()]
    if not any(ch.isalnum() for ch in before):
        # Only punctuation so far ("... and then"): not a sentence of its own.
        return False
    if _is_leader(line, match.start()):
        return False  # a table of contents' "Chapter One ........ 12": the dots lead to a page number
    after = match.end()
    while after < len(line) and line[after] in INVISIBLE:
        after += 1  # a zero-width space or bidi mark does not join two sentences
    nxt = line[after] if after < len(line) else None
    if marks == "." and _dot_is_not_an_end(line, match.start(), sentence_start, nxt):
        return False
    if nxt is None or nxt.isspace():
        return True
    # No space after the mark: a new sentence only if Arabic text or an
    # opening quote follows ("مثمرا.وأضاف"); "example.com" or "U.S" are not.
    return is_arabic_letter(nxt) or nxt in _OPENERS


def _is_leader(line: str, dot: int) -> bool:
    """Whether the dot at ``dot`` is one of a leader's ("...." or ". . . .") that runs to a page number."""
    start = dot
    while start > 0 and (line[start - 1] == "." or (line[start - 1] == " " and line[start - 2 : start - 1] == ".")):
        start -= 1
    return bool(_LEADER.match(line, start))


def _dot_is_not_an_end(line: str, dot: int, sentence_start: int, nxt: str | None) -> bool:
    prev = line[dot - 1] if dot > 0 else ""
    if prev.isdigit() and nxt is not None and nxt.isdigit():
        return True  # 85.5, 12.03.2016, 10.30
    token_start = dot
    while token_start > 0 and not line[token_start - 1].isspace():
        token_start -= 1
        if dot - token_start > _LONGEST_TOKEN:  # a word of thousands of letters, dotted: walked back once per dot
            return False
    token = line[token_start:dot].lstrip(_OPENERS)
    core = _letters_only(token)
    if token.isdigit() and not line[sentence_start:token_start].strip():
        return True  # "2." list marker opening a paragraph
    if len(core) == 1 and core.isalpha():
        if core in _ERA_MARKERS and _previous_token(line, token_start).isdigit():
            return False  # "عام 2016 م." ends a sentence
        return True  # د. ص. أ. and initials like J.
    if _LETTER_DOTS.match(token):
        return True  # ج.م.ع and U.S
    return token.lower() in _LATIN_ABBREVIATIONS


def _previous_token(line: str, token_start: int) -> str:
    return line[:token_start].split()[-1] if line[:token_start].split() else ""


def _letters_only(token: str) -> str:
    # Diacritics (harakat) and tatweel do not make a letter into a word.
    return "".join(ch for ch in token if ch != "\u0640" and not unicodedata.combining(ch))


def split_to_fit(text: str, fits: Callable[[str], bool]) -> list[tuple[int, int]]:
    """Split one sentence into pieces that each satisfy ``fits``.

    Tries clause marks (``،`` ``؛`` ``:`` ``,`` ``;`` followed by a space) first,
    then spaces, then, for a single over-long word, characters. Returns the
    (start, end) of each piece in ``text``, stripped of outer whitespace; the
    pieces cover every non-space character of ``text`` once, in order.
    """
    span = _strip(text, 0, len(text))
    if span is None:
        return []
    return _pack(text, span[0], span[1], fits, level=0)


def _units(text: str, start: int, end: int, level: int) -> list[tuple[int, int]]:
    if level == 0:
        cuts = [m.end() for m in _CLAUSE_MARK.finditer(text, start, end)]
    else:
        cuts = [m.start() for m in _SPACE_RUN.finditer(text, start, end)]
    bounds = [start, *cuts, end]
    return [s for a, b in itertools.pairwise(bounds) if (s := _strip(text, a, b))]


def _pack(text: str, start: int, end: int, fits: Callable[[str], bool], level: int) -> list[tuple[int, int]]:
    if fits(text[start:end]):
        return [(start, end)]
    if level == 2:
        return _split_chars(text, start, end, fits)
    pieces: list[tuple[int, int]] = []
    current: tuple[int, int] | None = None
    for unit in _units(text, start, end, level):
        if current and fits(text[current[0] : unit[1]]):
            current = (current[0], unit[1])
            continue
        if current:
            pieces.append(current)
            current = None
        if fits(text[unit[0] : unit[1]]):
            current = unit
        else:
            pieces.extend(_pack(text, unit[0], unit[1], fits, level + 1))
    if current:
        pieces.append(current)
    return pieces


def _split_chars(text: str, start: int, end: int, fits: Callable[[str], bool]) -> list[tuple[int, int]]:
    pieces = []
    while start < end:
        lo, hi = start + 1, end  # the longest prefix that fits; at least one character
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if fits(text[start:mid]):
                lo = mid
            else:
                hi = mid - 1
        pieces.append((start, lo))
        start = lo
    return pieces
