"""What the formats that keep inline markup share: a block built from its leaves, and the English put back.

A format's reader walks a paragraph's content as leaves (stretches of text
with their formatting, objects) and feeds them to :class:`BlockBuilder`; its
writer gives :func:`rebuild` the English spans and says how to make its
elements. Both know a leaf's *wrappers*: the container elements between the
paragraph and it (a link, a tracked insertion), rebuilt around the English
words they now hold.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Hashable, Sequence
from typing import Any, Protocol

from translate.formats.model import Block, Carried, Span

VERSE_MARKER = re.compile(r"﴿\s*[0-9٠-٩۰-۹]+\s*﴾")
"""A Quran verse's number in ornate parentheses (Arabic-Indic digits mostly): it ends the verse before it."""
IN_SENTENCE = frozenset(",،;؛:.!?؟…()[]\"'«»“”‘’")
"""Punctuation that stands inside or at the end of a sentence: between two links (``A، B``), no separator."""


def separates(gap: str) -> bool:
    """Whether ``gap``, the text between two links, is a separator (a menu's ``|``, a bullet, a dash, a verse
    number), not words or punctuation of a sentence that runs through both links."""
    stripped = gap.strip()
    if not stripped or any(ch.isalpha() for ch in stripped):
        return False
    return any(not ch.isspace() and ch not in IN_SENTENCE for ch in stripped)


class Styled(Protocol):
    """A stretch's formatting as a format keeps it: at least the containers around it, and an object or none."""

    @property
    def wrappers(self) -> tuple[Any, ...]: ...

    @property
    def obj(self) -> Any: ...


class BlockBuilder:
    """A block's text and spans as its leaves come, and the formatting (``styles``) its spans point to."""

    def __init__(self) -> None:
        self.styles: list[Any] = []
        self._text: list[str] = []
        self._spans: list[Span] = []
        self._keys: dict[Hashable, int] = {}
        self._at = 0
        self._cuts: set[int] = set()
        self._links: list[tuple[int, int]] = []

    def text(self, value: str, key: Hashable, style: Callable[[], Styled]) -> None:
        """A stretch of text with formatting ``key`` (``style()`` makes its formatting the first time)."""
        if not value:
            return
        if key not in self._keys:
            self._keys[key] = len(self.styles)
            self.styles.append(style())
        index, at = self._keys[key], self._at
        last = self._spans[-1] if self._spans else None
        if last is not None and last.style == index and last.end == at and last.start < at:
            self._spans[-1] = Span(last.start, at + len(value), index)
        else:
            self._spans.append(Span(at, at + len(value), index))
        self._text.append(value)
        self._at += len(value)

    def object(self, style: Styled) -> None:
        """An object here (a span of no length, with a formatting of its own)."""
        self.styles.append(style)
        self._spans.append(Span(self._at, self._at, len(self.styles) - 1))

    def cut(self) -> None:
        """A sentence must end here (an empty anchor: a verse, a section starts)."""
        self._cuts.add(self._at)

    def link(self, start: int, end: int) -> None:
        """A link's text runs from offset ``start`` to ``end``: cut at its edges where a separator stands between
        it and the link next to it (:func:`separates`)."""
        self._links.append((start, end))

    @property
    def at(self) -> int:
        """The offset the next text starts at."""
        return self._at

    def block(self) -> Block:
        text = "".join(self._text)
        cuts = set(self._cuts)
        for marker in VERSE_MARKER.finditer(text):
            cuts.update(marker.span())
        links = sorted(self._links)
        for (_, end), (start, _) in itertools.pairwise(links):
            if end <= start and separates(text[end:start]):
                cuts.update((end, start))
        return Block(text, tuple(self._spans), tuple(sorted(c for c in cuts if 0 < c < len(text))))


def rebuild(
    container: Any,
    carried: Carried,
    styles: Sequence[Styled],
    *,
    shell: Callable[[Any], Any],
    text: Callable[[Any, str, Any], None],
    obj: Callable[[Any, Any], None],
) -> None:
    """Put ``carried``'s English into ``container`` (emptied by the caller), span by span.

    Consecutive spans inside the same containers share one copy of them
    (``shell(original)`` makes it, appended to its parent here); ``text(parent,
    piece, style)`` and ``obj(parent, style)`` put a stretch or an object in.
    """
    open_: list[tuple[Any, Any]] = []  # (original container, its copy here), outermost first
    for span in carried.spans:
        style = styles[span.style]
        depth = 0
        while depth < len(open_) and depth < len(style.wrappers) and open_[depth][0] is style.wrappers[depth]:
            depth += 1
        del open_[depth:]
        for original in style.wrappers[depth:]:
            copy = shell(original)
            (open_[-1][1] if open_ else container).append(copy)
            open_.append((original, copy))
        parent = open_[-1][1] if open_ else container
        if style.obj is not None:
            obj(parent, style)
        elif span.end > span.start:
            text(parent, carried.text[span.start : span.end], style)
