"""Fitting a paragraph's English into a box on a page: the lines it wraps into, at the largest size that fits.

Pure: the font comes in as a function that measures a string's width at a
size, so the fitting is tested with a made-up font and no PDF.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Measure = Callable[[str, float], float]
"""A string's width in points at a font size, in points."""

LEADING = 1.2
"""A line's height, as a share of the font size."""
ASCENT = 0.8
"""How far above its baseline a line's letters reach, as a share of the size (the first line's baseline is this far
below the box's top); the descenders take the rest of the size below the last baseline."""
FLOOR = 0.6
"""A paragraph's English may shrink to this share of its Arabic's size; below that it would be hard to read."""
SMALLEST = 5.0
"""...and never below this size, in points."""
STEP = 0.25
"""Sizes tried, this far apart (points)."""


@dataclass(frozen=True)
class Fitted:
    """Lines of English at ``size``, ``height`` points tall from the top of the box; ``fits``: inside the height
    it was given (otherwise: at the floor, running past it by ``height`` less that)."""

    lines: tuple[str, ...]
    size: float
    height: float
    fits: bool


def floor_size(size: float) -> float:
    """The smallest size a paragraph set at ``size`` may shrink to."""
    return min(size, max(SMALLEST, FLOOR * size))


def fit(text: str, width: float, height: float, size: float, measure: Measure, *, floor: float = 0.0) -> Fitted:
    """``text`` wrapped into ``width`` at the largest size from ``size`` down to ``floor`` (default:
    :func:`floor_size`) whose lines fit ``height``; if none does, at the floor, ``fits`` False (nothing is cut)."""
    smallest = floor or floor_size(size)
    current = size
    while True:
        lines = wrap(text, width, current, measure)
        needed = lines_height(len(lines), current)
        if needed <= height:
            return Fitted(lines, current, needed, True)
        if current <= smallest:
            return Fitted(lines, current, needed, False)
        current = max(smallest, current - STEP)


def lines_height(count: int, size: float) -> float:
    """How tall ``count`` lines at ``size`` stand: from the first's ascent to the last's descent."""
    return size + max(0, count - 1) * LEADING * size if count else 0.0


def wrap(text: str, width: float, size: float, measure: Measure) -> tuple[str, ...]:
    """``text``'s words in lines no wider than ``width`` at ``size``; a word wider than a line is broken between
    its letters (never dropped)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        joined = f"{current} {word}" if current else word
        if measure(joined, size) <= width:
            current = joined
            continue
        if current:
            lines.append(current)
        current = ""
        for piece in _pieces(word, width, size, measure):
            if current:
                lines.append(current)
            current = piece
    if current:
        lines.append(current)
    return tuple(lines)


def _pieces(word: str, width: float, size: float, measure: Measure) -> list[str]:
    """``word`` cut into pieces no wider than ``width`` (a piece holds one letter at least)."""
    pieces: list[str] = []
    piece = ""
    for ch in word:
        if piece and measure(piece + ch, size) > width:
            pieces.append(piece)
            piece = ""
        piece += ch
    return [*pieces, piece] if piece else pieces
