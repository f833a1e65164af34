"""What comes back as it was written: URLs, e-mail addresses and handles, and text with no Arabic to translate.

Pure functions, no model. A URL (``https://…``, ``www.…``), an e-mail address
or a handle (``@user``, ``@user@mastodon.social``) is no word to translate:
the English must carry it character for character. :func:`verbatim_spans`
finds them (the sentence splitter keeps each whole, :mod:`translate.segment`);
:func:`restore` puts back what a translation lost or mangled, at the place the
word alignment gives; :func:`check_verbatim` flags what is still not there as
written. So each one is verbatim in the English, or the pair says it is not.

Placeholders (a token sent in the span's place, the span put back after) are
not used: measured on the test fixture, a Marian model never trained with
them, every placeholder tried was dropped as the span itself is (see the
README's "Links, addresses and handles").
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher

from translate.normalize import contains_arabic
from translate.types import Check, WordAlignment

VERBATIM = "verbatim"
"""The check's kind: a URL, an e-mail address or a handle of the Arabic is not in the English as written."""

URL, EMAIL, HANDLE, NAME = "URL", "e-mail address", "handle", "Latin-script name"
_FINDER = re.compile(
    r"(?P<url>(?:https?|ftp)://[^\s«»\"<>]+|www\.[^\s«»\"<>]+)"
    r"|(?P<email>(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)"
    # A Mastodon handle: @user, or @user@server; never the "@" inside a word or an address.
    r"|(?P<handle>(?<![A-Za-z0-9_@./])@[A-Za-z0-9_]+(?:@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)?)",
    re.IGNORECASE,
)
_LATIN = re.compile(
    # A run of Latin-script words inside Arabic (a name, a title, code): "H. Rackham", "iPhone 7", "dict.get()".
    r"(?<![\w@./-])[A-Za-z](?:[A-Za-z0-9_&'’.()/+-]*[A-Za-z0-9)])?\.?"
    r"(?:[ \u00a0]+(?:[A-Za-z](?:[A-Za-z0-9_&'’.()/+-]*[A-Za-z0-9)])?\.?|[0-9]+(?![\w.,]*[0-9])))*"
)
_TRAILING = ".,;:!?؟،؛…)]}»\"'”’"
"""Punctuation after a span that belongs to the sentence (a URL ending a sentence), not to the span."""
SIMILAR = 0.8
"""A run of English words this alike to a span (difflib's ratio, spaces and case aside) is the span mangled."""
_MAX_RUN = 8
"""The most English words a mangled span is looked for across ("https : / / example . com" is 7)."""
_LEAD = re.compile(r"^[\"'«“‘(\[]+")
_TAIL = re.compile(r"[\"'»”’)\].,;:!?…]+$")
_END = re.compile(r"[.!?…\"'»”’)\]]*\s*$")


@dataclass(frozen=True)
class Verbatim:
    """A stretch of a text that must come back as written: ``text == source[start:end]``, of ``kind``."""

    start: int
    end: int
    text: str
    kind: str


def verbatim_spans(text: str) -> list[Verbatim]:
    """The URLs, e-mail addresses and handles of ``text``, in order (punctuation that ends a sentence left out)."""
    found = []
    for match in _FINDER.finditer(text):
        start, end = match.start(), match.end()
        while end > start and text[end - 1] in _TRAILING and not _closes_its_own(text[start:end]):
            end -= 1
        if end - start < 2:
            continue
        kind = URL if match.group("url") else EMAIL if match.group("email") else HANDLE
        found.append(Verbatim(start, end, text[start:end], kind))
    return found


def name_spans(text: str) -> list[Verbatim]:
    """The runs of Latin-script words of an Arabic ``text`` (a name, a title, code), outside its URLs, addresses
    and handles; none in text without Arabic. They are not kept whole by the sentence splitter (an English
    sentence may stand inside Arabic text), only checked and put back like links."""
    if not contains_arabic(text):
        return []
    links = verbatim_spans(text)
    found = []
    for match in _LATIN.finditer(text):
        start, end = match.start(), match.end()
        while end > start and text[end - 1] in _TRAILING and not _closes_its_own(text[start:end]):
            end -= 1
        if end - start < 2 or any(v.start < end and start < v.end for v in links):
            continue
        found.append(Verbatim(start, end, text[start:end], NAME))
    return found


def _closes_its_own(span: str) -> bool:
    """Whether the bracket ending ``span`` closes one opened inside it (``…/wiki/Foo_(bar)``), not the sentence's."""
    pairs = {")": "(", "]": "[", "}": "{"}
    last = span[-1]
    return last in pairs and span.count(pairs[last]) >= span.count(last)


def needs_translation(text: str) -> bool:
    """Whether ``text`` has an Arabic letter outside its URLs, addresses and handles: what the model is for.

    Text without one (English, a number, a bare link) is given back as it came.
    """
    if not contains_arabic(text):
        return False
    at, rest = 0, []
    for span in verbatim_spans(text):
        rest.append(text[at : span.start])
        at = span.end
    rest.append(text[at:])
    return contains_arabic(" ".join(rest))


def missing_verbatim(source: str, target: str) -> list[Verbatim]:
    """The spans of ``source`` (links and Latin-script names) that ``target`` does not carry as written (its k-th
    copy for the k-th occurrence)."""
    wanted = sorted([*verbatim_spans(source), *name_spans(source)], key=lambda span: span.start)
    seen: Counter[str] = Counter()
    missing = []
    for span in wanted:
        seen[span.text] += 1
        if target.count(span.text) < seen[span.text]:
            missing.append(span)
    return missing


def check_verbatim(source: str, target: str) -> list[Check]:
    """A :data:`VERBATIM` check for each URL, address, handle or Latin-script name of ``source`` that ``target``
    lacks as written."""
    return [
        Check(VERBATIM, f"the {span.kind} {span.text} is not in the English as written", (span.start, span.end))
        for span in missing_verbatim(source, target)
    ]


def restore(source: str, target: str, alignment: WordAlignment | None) -> str:
    """``target`` with every span of ``source`` it lacks put back; what cannot be placed is left out (and flagged).

    A span the English mangled (a run of words alike to it: spaces put in,
    letters changed case, a piece lost) is replaced where it stands, keeping
    the punctuation around it. A span the English dropped goes in after the
    English of the Arabic word before it, else before the English of the word
    after it, else at the end of the sentence, before its closing
    punctuation; ``alignment`` (of ``source`` and ``target``) says where
    those are, and without it nothing is inserted. No other word changes.
    """
    edits: list[tuple[int, int, str]] = []  # (start, end, text) in ``target`` as it came, none overlapping
    for span in missing_verbatim(source, target):
        taken = [(a, b) for a, b, _ in edits]
        mangled = _mangled(span.text, target, taken)
        if mangled is not None:
            edits.append((*mangled, span.text))
            continue
        at = _insertion_point(span, target, alignment) if alignment is not None else None
        if at is None or any(a < at < b for a, b in taken):
            continue
        before, after = target[:at], target[at:]
        lead = "" if not before or before[-1].isspace() else " "
        tail = " " if after and not after[0].isspace() and after[0].isalnum() else ""
        edits.append((at, at, lead + span.text + tail))
    for a, b, text in sorted(edits, reverse=True):  # from the end: earlier offsets stay valid
        target = target[:a] + text + target[b:]
    return target


def _mangled(text: str, target: str, taken: list[tuple[int, int]]) -> tuple[int, int] | None:
    """Where in ``target`` a run of words alike to ``text`` stands (its punctuation at the edges left out), not
    overlapping ``taken`` and not ``text`` itself (a copy already there belongs to another occurrence)."""
    wanted = _squeezed(text)
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", target)]
    best: tuple[float, int, int] | None = None
    for first in range(len(words)):
        for last in range(first, min(len(words), first + _MAX_RUN)):
            a, b = words[first][0], words[last][1]
            run = target[a:b]
            core = _LEAD.sub("", run)
            a += len(run) - len(core)
            b = a + len(_TAIL.sub("", core))
            if a >= b or target[a:b] == text or any(x < b and a < y for x, y in taken):
                continue
            ratio = SequenceMatcher(None, _squeezed(target[a:b]), wanted).ratio()
            if ratio >= SIMILAR and (best is None or ratio > best[0]):
                best = (ratio, a, b)
    return (best[1], best[2]) if best is not None else None


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


def _insertion_point(span: Verbatim, target: str, alignment: WordAlignment) -> int | None:
    """The character of ``target`` where a dropped ``span`` goes back, through the alignment; ``None``: nowhere."""
    words = alignment.source_words
    inside = [w for w, (a, b) in enumerate(words) if a < span.end and span.start < b]
    if not inside or not alignment.target_words:
        return None
    linked: dict[int, list[int]] = {}
    for s, t in alignment.links:
        if s not in inside:
            linked.setdefault(s, []).append(t)
    previous, following = inside[0] - 1, inside[-1] + 1
    if previous >= 0 and linked.get(previous):
        return alignment.target_words[max(linked[previous])][1]
    if following < len(words) and linked.get(following):
        return alignment.target_words[min(linked[following])][0]
    end = _END.search(target)
    return end.start() if end is not None else len(target)
