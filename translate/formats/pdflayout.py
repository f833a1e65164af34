"""A PDF's lines, read in logical order, joined into paragraphs and headings (pure: no PDFium here).

A PDF has no paragraphs, only lines where its producer set them; a person
sees paragraphs and headings from the layout, and so does this module:

- a line that ends a sentence ends its paragraph, and so does a gap wider
  than the page's usual line spacing;
- a line set larger than the body text is a heading (its own block, its level
  by its size among the headings'); a change of size ends a paragraph;
- a line with no Arabic letter (an English heading, a table of contents' line)
  is never joined to an Arabic one, so it stays a block of its own that is
  copied as written, never sent to the model; a line with a leader (``.....``)
  is a table of contents' entry, a block by itself;
- a page break ends a paragraph unless its sentence visibly goes on: the last
  line ends no sentence, its page is full (as low as the body text goes on any
  page), and the next page's first line is set the same and, in Latin script,
  starts with a lower-case letter. So a title page, an imprint and a table of
  contents are blocks of their own, not one paragraph.

Each block keeps the lines it was read from, with their pages and boxes: the
PDF writer (:mod:`~translate.formats.pdfwrite`) sets its English where they
stood.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass

from translate.normalize import contains_arabic
from translate.types import Doubt

HEADING = 1.12
"""A line set this much larger than the body text (or more) is a heading."""
SAME_SIZE = 0.1
"""Lines whose sizes differ by more than this share are not one paragraph."""
_ENDS_SENTENCE = re.compile(r"[.!?؟:…»\"')\]]\s*$")
_INITIAL = re.compile(r"(?:^|[\s(\[])\w\u0640?\.\s*$")
"""A line ending with an initial ("H.", "هـ.") ends no sentence."""
_LEADER = re.compile(r"(?:\.\s?){4,}|…{2,}|[_·]{4,}")


Box = tuple[float, float, float, float]
"""A box on a page: (left, bottom, right, top), in points."""


@dataclass(frozen=True)
class Line:
    """One line of a page in reading order, where it stands (its letters' middle bottom) and its font size; its
    page (from 0) and its letters' box, where the PDF writer sets its English. A line read by OCR has its size
    estimated from its words' height, ``doubts``: where OCR was unsure of its text (offsets into it), and is
    ``scanned``."""

    text: str
    bottom: float
    size: float = 0.0
    page: int = 0
    box: Box = (0.0, 0.0, 0.0, 0.0)
    doubts: tuple[Doubt, ...] = ()
    scanned: bool = False


@dataclass(frozen=True)
class Paragraph:
    """A block read from a PDF: its text, its heading level (1 the largest; 0: not a heading) and the lines it
    was read from, in reading order."""

    text: str
    heading: int = 0
    lines: tuple[Line, ...] = ()


def paragraphs(pages: list[list[Line]]) -> list[Paragraph]:
    """The pages' lines joined into paragraphs and headings, in order (see the module's rules)."""
    body = _body_size(pages)
    levels = _heading_levels(pages, body)
    lowest = _lowest(pages, body)
    found: list[tuple[list[Line], int]] = []
    previous: Line | None = None
    for lines in pages:
        spacing = _spacing(lines)
        for k, line in enumerate(lines):
            if previous is None:
                joined = False
            elif k == 0:
                joined = _goes_on_over_the_page(previous, line, lowest, spacing)
            else:
                wide = spacing > 0 and previous.bottom - line.bottom > 1.6 * spacing
                joined = not wide and _joins(previous, line)
            if joined:
                found[-1][0].append(line)
            else:
                found.append(([line], levels.get(_size_key(line.size), 0)))
            previous = line
    return [Paragraph(" ".join(line.text for line in lines), level, tuple(lines)) for lines, level in found]


def _joins(previous: Line, line: Line) -> bool:
    """Whether ``line`` goes on with the paragraph ``previous`` is in (the page's gaps aside)."""
    if _ends_sentence(previous.text) or _LEADER.search(previous.text) or _LEADER.search(line.text):
        return False
    if {_script(previous.text), _script(line.text)} == {"arabic", "latin"}:
        return False  # a line with no Arabic is copied as it is, so it must not ride along with Arabic text
    return _same_size(previous.size, line.size)


def _ends_sentence(text: str) -> bool:
    return bool(_ENDS_SENTENCE.search(text)) and not _INITIAL.search(text)


def _goes_on_over_the_page(previous: Line, line: Line, lowest: float, spacing: float) -> bool:
    """Whether a paragraph ended by a page break goes on with the next page's first ``line``."""
    if not _joins(previous, line):
        return False
    if spacing > 0 and previous.bottom > lowest + 2 * spacing:
        return False  # its page ends well above where the body text ends: a title page, a chapter's end
    first = next((ch for ch in line.text if ch.isalpha()), "")
    return not first.isupper()  # "the war" goes on; "Imprint Page" starts afresh (Arabic has no case)


def _script(text: str) -> str:
    """ "arabic" for a line with an Arabic letter, "latin" for one with a Latin letter and none, else ""
    (numbers and stops go with either)."""
    if contains_arabic(text):
        return "arabic"
    return "latin" if any(ch.isalpha() for ch in text) else ""


def _lowest(pages: list[list[Line]], body: float) -> float:
    """How low the body text goes on any page: its lowest line set in the body's size (a footnote or a footer
    set smaller, lower down, does not count)."""
    found = [line.bottom for lines in pages for line in lines if _same_size(line.size, body)]
    return min(found, default=min((line.bottom for lines in pages for line in lines), default=0.0))


def _spacing(lines: list[Line]) -> float:
    steps = sorted(a.bottom - b.bottom for a, b in itertools.pairwise(lines) if a.bottom > b.bottom)
    return steps[len(steps) // 2] if steps else 0.0


def _same_size(a: float, b: float) -> bool:
    return a <= 0 or b <= 0 or abs(a - b) <= SAME_SIZE * max(a, b)


def _size_key(size: float) -> float:
    return round(size * 2) / 2


def _body_size(pages: list[list[Line]]) -> float:
    """The size most of the text is set in (counted in letters, not lines)."""
    sizes: Counter[float] = Counter()
    for lines in pages:
        for line in lines:
            if line.size > 0:
                sizes[_size_key(line.size)] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 0.0


def _heading_levels(pages: list[list[Line]], body: float) -> dict[float, int]:
    """Each size larger than the body's by :data:`HEADING` or more, and its level: 1 for the largest."""
    if body <= 0:
        return {}
    larger = sorted(
        {_size_key(line.size) for lines in pages for line in lines if line.size >= HEADING * body}, reverse=True
    )
    return {size: min(level, 6) for level, size in enumerate(larger, start=1)}
