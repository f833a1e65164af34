"""Spotting repetition loops: table-driven cases for the pure checks."""

from __future__ import annotations

import pytest

from translate.quality import is_repetitive, longest_run, repeat_share, words

LOOP = "The army said that " * 12
LONG_FINE = (
    "The factions prepared for the battle together with Jaish al-Fatah and managed to stop the Iranian advance, "
    "and since Khan Tuman is the key to the logistical supply of the southern countryside, the regime tried again."
)


@pytest.mark.parametrize(
    ("tokens", "expected"),
    [
        ([], (1, 1)),
        (["a", "b", "c"], (1, 1)),
        (["a", "a"], (2, 1)),
        (["a", "b", "a", "b", "a", "b", "c"], (3, 2)),
        (["x", *["one", "two", "three"] * 4], (4, 3)),
        (["w"] * 7, (7, 1)),
    ],
)
def test_longest_back_to_back_run(tokens: list[str], expected: tuple[int, int]) -> None:
    assert longest_run(tokens) == expected


def test_repeat_share_counts_phrases_seen_before() -> None:
    assert repeat_share(words(LONG_FINE)) == 0.0
    assert repeat_share(words(LOOP)) > 0.8
    assert repeat_share(["a", "b"]) == 0.0  # too short for one phrase


@pytest.mark.parametrize(
    ("target", "source", "expected"),
    [
        ("Welcome.", "مرحبا بكم.", False),
        (LONG_FINE, "استعدت الفصائل للمعركة", False),
        ("He said he said he said he said.", "قال", True),  # a phrase three times back to back
        ("No, no, no, no!", "لا، لا، لا، لا!", False),  # the source repeats itself too
        ("No, no, no, no!", "كلا!", True),
        ("very very very good", "جيد جدا جدا جدا", False),  # one word three times is still language
        ("the the the the plan", "الخطة", True),
        ("step by step, the plan moved on", "خطوة بخطوة", False),
        (LOOP, "قال الجيش إن", True),
        # Repeats far apart, not back to back: a long translation made mostly of one recycled sentence.
        (("The regime shelled the village again. Then " * 4) + LONG_FINE, "قصف النظام القرية", True),
        (("The regime shelled the village again. Then " * 4) + LONG_FINE, "قصف النظام القرية مرة " * 8, False),
    ],
)
def test_is_repetitive(target: str, source: str, expected: bool) -> None:
    assert is_repetitive(target, source) is expected
