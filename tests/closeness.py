"""What an int8 translation of the fixture model promises, as one assertion.

The fixture model reproduces its English exactly in torch and in CTranslate2
float32 (its build checks both). int8 rounds differently on different CPUs, and
a model this small can then drop or change a piece of a sentence ("The price
rose to 5.5 dollars."). So int8 output is held to what int8 guarantees: the
caller checks rows and sources exactly; the English must be the fixture's for
nearly every sentence and close to it (chrF) for the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

MIN_IDENTICAL_SHARE = Fraction(10, 12)
"""At least this share of sentences identical to the fixture English (10 of the seed article's 12)."""
MIN_CHRF = 80.0
"""Every other sentence at least this close to its fixture English (sentence chrF, 0-100)."""


def int8_mismatches(targets: Sequence[str], expected: Sequence[str]) -> list[tuple[str, str, float]]:
    """The (got, expected, chrF) of every target that differs from its expected English."""
    from sacrebleu import sentence_chrf

    assert len(targets) == len(expected), f"{len(targets)} translations for {len(expected)} sentences"
    return [
        (got, want, sentence_chrf(got, [want]).score)
        for got, want in zip(targets, expected, strict=True)
        if got != want
    ]


def assert_close_translations(targets: Sequence[str], expected: Sequence[str]) -> None:
    """Assert the int8 promise: one translation per sentence, nearly all identical, the rest close."""
    wrong = int8_mismatches(targets, expected)
    identical = len(targets) - len(wrong)
    assert identical >= MIN_IDENTICAL_SHARE * len(targets), f"only {identical}/{len(targets)} identical: {wrong}"
    assert all(score >= MIN_CHRF for _, _, score in wrong), wrong
