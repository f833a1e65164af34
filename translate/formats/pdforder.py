"""One line of a PDF in reading order, from where its words stand on the page (pure: no PDFium here).

A visual-order PDF lays a line out left to right as it looks; a line of a
right-to-left document (or one with more Arabic words than Latin ones) is read
from the right, its runs of English words and numbers in their own order, its
brackets mirrored back; any other line from the left, its runs of Arabic read
from the right. A full stop set at the left of an English run ends it; a
bracket beside an English run that PDFium mirrored is turned back.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Word:
    """A word of a line as PDFium gives its letters, and where it stands on the page (its left and right, pt)."""

    text: str
    left: float
    right: float


def touching(words: list[Word], touch: float) -> list[Word]:
    """Words with a bracket or stop that touches a Latin word or number on the page (closer than ``touch``)
    joined to it, as drawn."""
    visual = sorted(words, key=lambda w: w.left)
    out: list[Word] = []
    for word in visual:
        if out and word.left - out[-1].right <= touch and _glues(out[-1], word):
            out[-1] = Word(out[-1].text + word.text, out[-1].left, max(out[-1].right, word.right))
        else:
            out.append(word)
    return out


def _glues(left: Word, right: Word) -> bool:
    """Whether two words that touch are one: a lone bracket or stop and a word of Latin letters or digits."""

    def latin(word: Word) -> bool:
        return not is_arabic(word.text) and any(ch.isalnum() for ch in word.text)

    def lone(word: Word) -> bool:
        return not any(ch.isalnum() for ch in word.text) and not is_arabic(word.text)

    return (lone(left) and latin(right)) or (latin(left) and lone(right))


_PAIRS = "()[]{}<>«»‹›⁅⁆⁽⁾₍₎〈〉《》「」『』【】〔〕"
_MIRRORED = {**dict(zip(_PAIRS[::2], _PAIRS[1::2], strict=True)), **dict(zip(_PAIRS[1::2], _PAIRS[::2], strict=True))}
"""Bidi_Mirrored characters and the glyph each shows in right-to-left text (the common pairs of BidiMirroring.txt)."""


def mirrored(text: str) -> str:
    """Text read from the right, its brackets and quotes as written: a visual-order PDF stores ``(`` as ``)``."""
    return "".join(_MIRRORED.get(ch, ch) if unicodedata.mirrored(ch) else ch for ch in text)


def mostly_arabic(words: list[Word]) -> bool:
    """Whether a line has more Arabic words than Latin ones: it reads from the right in any document."""
    return sum(1 for w in words if is_arabic(w.text)) > sum(1 for w in words if is_latin(w.text))


_ARABIC = re.compile("[\u0620-\u064a\u0660-\u0669\u066e\u066f\u0671-\u06d3\u06d5\u06ee-\u06ff\u0750-\u077f]")


def is_arabic(text: str) -> bool:
    """Whether ``text`` has an Arabic letter or digit (an Arabic comma alone is a sign, as a full stop is)."""
    return _ARABIC.search(text) is not None


def is_latin(text: str) -> bool:
    return any(ch.isascii() and ch.isalpha() for ch in text)


def logical(words: list[Word], rtl: bool | None = None) -> str:
    """One line's words in reading order, from where they stand on the page: from the right if ``rtl`` (a line of
    a right-to-left document) or if it has more Arabic words than Latin ones, else from the left."""
    visual = sorted(words, key=lambda w: w.left)
    if rtl or mostly_arabic(visual):
        return " ".join(_balanced(_from_the_right(visual)))
    # From the left; a run of Arabic words reads from the right.
    ordered: list[str] = []
    run: list[str] = []
    for word in visual:
        if is_arabic(word.text):
            run.append(mirrored(word.text))
        else:
            ordered.extend(reversed(run))
            run = []
            ordered.append(word.text)
    ordered.extend(reversed(run))
    return " ".join(ordered)


def _from_the_right(visual: list[Word]) -> list[str]:
    """A line's words read from the right, brackets mirrored; a run of words that are not Arabic (English,
    numbers, and a lone dash or bracket between two English words) keeps its left-to-right order."""
    ordered: list[str] = []
    run: list[str] = []
    for k in range(len(visual) - 1, -1, -1):
        text = visual[k].text
        inside = 0 < k < len(visual) - 1 and is_latin(visual[k - 1].text) and is_latin(visual[k + 1].text)
        if is_arabic(text) or not (any(ch.isalnum() for ch in text) or inside):
            ordered.extend(_run(run))  # brackets and quotes on their own read from the right too
            run = []
            ordered.append(mirrored(text))
        else:
            run.append(text)
    ordered.extend(_run(run))
    return ordered


def _run(run: list[str]) -> list[str]:
    """A run of words that are not Arabic (gathered from the right) in its own order.

    The stops, brackets and signs at either end of the run belong to the right-to-left line around it: the
    ones set at its left come after it, those at its right before it, each read from the right and mirrored
    (".2016" is "2016.", ".This is it" is "This is it.", "%3.5" is "3.5%", "(H. Rackham)" stays so).
    """
    if not run:
        return []
    words = run[::-1]
    kept = len(words[0]) - len(words[0].lstrip(_SIGNS))
    after, words[0] = mirrored(words[0][:kept][::-1]), words[0][kept:]
    kept = len(words[-1].rstrip(_SIGNS))
    before, words[-1] = mirrored(words[-1][kept:][::-1]), words[-1][:kept]
    words[0] = before + words[0]
    words[-1] += after
    return words


def _edge_signs() -> str:
    return "".join(chr(c) for c in range(0x21, 0x7F) if not chr(c).isalnum()) + "،؛؟…«»“”‘’"


_SIGNS = _edge_signs()


def _balanced(words: list[str]) -> list[str]:
    """Brackets of a line read from the right put the right way round where a word says which they are: a
    closing bracket before a word's letters opens them, an opening one after them closes them (PDFium mirrors a
    bracket it takes for right to left, and the producer may have too: "H. )Rackham )" is "H. (Rackham )").
    Brackets standing alone among words that are not Arabic then pair up, or stay as they are."""
    out = [_turned(word) for word in words]
    k = 0
    while k < len(out):
        end = k
        while end < len(out) and not is_arabic(out[end]):
            end += 1
        for opening, closing in ("()", "[]", "{}"):
            _pair_lone(out, k, end, opening, closing)
        k = end + 1
    return out


def _turned(word: str) -> str:
    """A word's brackets the way round its letters say: ")كما" is "(كما", "أرسطو(،" is "أرسطو)،"."""
    chars = list(word)
    for k, ch in enumerate(chars):
        before = k > 0 and chars[k - 1].isalnum()
        after = k + 1 < len(chars) and chars[k + 1].isalnum()
        if ch in _CLOSING and after and not before:
            chars[k] = _MIRRORED[ch]
        elif ch in _OPENING and before and not after:
            chars[k] = _MIRRORED[ch]
    return "".join(chars)


_OPENING, _CLOSING = "([{«", ")]}»"


def _pair_lone(words: list[str], start: int, end: int, opening: str, closing: str) -> None:
    """Brackets standing alone in ``words[start:end]`` turned so that all its brackets pair up, if any do not and
    some way does (the first ones opening); otherwise left as they are."""
    found = [(at, ch) for at in range(start, end) for ch in words[at] if ch in (opening, closing)]
    if _pairs_up(ch for _, ch in found):
        return
    free = [at for at in range(start, end) if words[at] in (opening, closing)]
    opens = len(found) // 2 - sum(1 for at, ch in found if ch == opening and at not in free)
    if len(found) % 2 or not 0 <= opens <= len(free):
        return
    turned = {at: opening if n < opens else closing for n, at in enumerate(free)}
    if _pairs_up(turned.get(at, ch) for at, ch in found):
        for at, ch in turned.items():
            words[at] = ch


def _pairs_up(brackets: Iterable[str]) -> bool:
    depth = 0
    for ch in brackets:
        depth += 1 if ch in "([{" else -1
        if depth < 0:
            return False
    return depth == 0
