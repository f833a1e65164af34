"""The fidelity checks (translate/checks.py): table-driven cases for each rule, no model."""

from __future__ import annotations

from decimal import Decimal

import pytest

from translate.align import alignment_from_links
from translate.checks import (
    LengthRatios,
    arabic_numbers,
    check_ending,
    check_numbers,
    check_pair,
    check_unaligned,
    check_untranslated,
    english_numbers,
    name_spellings,
)
from translate.types import AlignedPair


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("بمقتل 230 مقاتلا بينهم 13 خبيرا", [{230}, {13}]),
        ("قتل ١٬٠٠٠ شخص", [{1000}]),  # Arabic-Indic digits, Arabic thousands separator
        ("قتل ۱۲۳ شخصا", [{123}]),  # Persian digits
        ("نسبة ٨٥٫٥٪", [{Decimal("85.5")}]),  # Arabic decimal separator, percent sign
        ("بين 10-20 شخصا", [{10}, {20}]),  # a range is two numbers
        ("بلغت 1.5 مليون", [{Decimal("1.5"), 1_500_000}]),  # a scale word: either reading
        ("عام 1437هـ", [{1437}]),  # a letter straight after the digits
        ("الساعة 10:30", [{10}, {30}]),
        ("في 2016/5/3", [{2016}, {5}, {3}]),
        ("لا أرقام هنا", []),
    ],
)
def test_arabic_numbers_and_their_values(text: str, values: list[set]) -> None:
    assert [set(n.values) for n in arabic_numbers(text)] == [{Decimal(v) for v in vs} for vs in values]


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("1,000 people", [{1000}]),
        ("reached 1.5 million", [{Decimal("1.5"), 1_500_000}]),
        ("a $5bn deal", [{5, 5_000_000_000}]),
        ("three people", [{3}]),
        ("twenty-five villages", [{25}]),
        ("on May 3, 2016", [{5}, {3}, {2016}]),
        ("two hundred fighters", [{200}]),
    ],
)
def test_english_numbers_and_their_values(text: str, values: list[set]) -> None:
    assert [set(n.values) for n in english_numbers(text)] == [{Decimal(v) for v in vs} for vs in values]


@pytest.mark.parametrize(
    ("source", "target", "details"),
    [
        ("معترفة بمقتل 230 مقاتلا بينهم 13 خبيرا", "admitting the deaths of 230 fighters including 13 experts", []),
        (
            "معترفة بمقتل 230 مقاتلا بينهم 13 خبيرا",
            "admitting the deaths of fighters including 13 experts",
            ["230 is missing"],
        ),
        (
            "معترفة بمقتل 230 مقاتلا بينهم 13 خبيرا",
            "admitting the deaths of 320 fighters including 13 experts",
            ["230 became 320"],
        ),
        ("قتل ١٬٠٠٠ شخص", "1,000 people were killed", []),
        ("قتل ١٬٠٠٠ شخص", "1000 people were killed", []),
        ("قتل ١٠٠٠ شخص", "a thousand people were killed", []),
        ("بلغت 1.5 مليون", "reached 1,500,000", []),
        ("بلغت 1500000", "reached 1.5 million", []),
        ("عام 45 قبل الميلاد", "in 45 BC", []),
        ("في 2016/5/3", "on May 3, 2016", []),
        ("قتل 3 أشخاص", "three people were killed", []),
        ("نسبة ٨٥٫٥٪", "85.5%", []),
        ("نسبة ٨٥٫٥٪", "85%", ["٨٥٫٥ became 85"]),
        ("هدنة الـ73 ساعة والـ48 ساعة", "the 73-hour and the 48-hour truces", []),
        ("هدنة الـ73 ساعة والـ48 ساعة", "the 73-hour truce", ["48 is missing"]),
        ("بين 10-20 شخصا", "between 10 and 20 people", []),
        # A number the Arabic writes as a word is not checked, on either side.
        ("قتل ثلاثة أشخاص", "three people were killed", []),
        ("قتل ثلاثة أشخاص", "3 people were killed", []),
        # Two numbers the same: each needs its own.
        ("13 خبيرا و13 مقاتلا", "13 experts and 13 fighters", []),
        ("13 خبيرا و13 مقاتلا", "13 experts and fighters", ["13 is missing"]),
        # Arabic-Indic digits copied into the English still carry the value.
        ("قتل ٢٣٠ مقاتلا", "٢٣٠ fighters were killed", []),
    ],
)
def test_numbers_must_keep_their_value(source: str, target: str, details: list[str]) -> None:
    assert [c.detail for c in check_numbers(source, target)] == details


def test_a_changed_number_is_found_through_the_alignment() -> None:
    source = "قتل 230 مقاتلا و13 خبيرا"
    target = "killed 320 fighters and 31 experts"
    # 230 -> "320" (source word 1 to target word 1), 13 -> "31" (word 3 to word 4).
    alignment = alignment_from_links(source, target, [(0, 0), (1, 1), (2, 2), (3, 4), (4, 5)])
    checks = check_numbers(source, target, alignment)
    assert [c.detail for c in checks] == ["230 became 320", "13 became 31"]
    assert [target[c.target[0] : c.target[1]] for c in checks if c.target] == ["320", "31"]
    assert [source[c.source[0] : c.source[1]] for c in checks if c.source] == ["230", "13"]
    # Without the alignment: two missing and two spare, paired in order.
    assert [c.detail for c in check_numbers(source, target)] == ["230 became 320", "13 became 31"]
    # Three missing and two spare: nothing says which became which.
    assert [c.detail for c in check_numbers(source + " و5 قادة", target)] == [
        "230 is missing",
        "13 is missing",
        "5 is missing",
    ]


@pytest.mark.parametrize(
    ("target", "allowed", "found"),
    [
        ("He said Khan Tuman is small.", [], []),
        ("He said خان طومان is small.", [], ["خان طومان"]),
        ("He said خان طومان is small, and حلب too.", [], ["خان طومان", "حلب"]),
        ("The title «خان طومان» stays.", ["«خان طومان»"], []),  # the glossary keeps it in Arabic
        ("Numbers ٢٣٠ are not letters.", [], []),
    ],
)
def test_arabic_left_in_the_english(target: str, allowed: list[str], found: list[str]) -> None:
    source = "قال إن خان طومان صغيرة وحلب كذلك"
    checks = check_untranslated(source, target, allowed)
    assert [target[c.target[0] : c.target[1]] for c in checks if c.target] == found
    for check in checks:
        if check.source is not None:
            assert source[check.source[0] : check.source[1]] == target[check.target[0] : check.target[1]]


@pytest.mark.parametrize(
    ("source", "target", "cut"),
    [
        ("وإلى أين ستنتهي المعركة؟", "And where will the battle end?", False),
        ("وإلى أين ستنتهي المعركة؟", "And where will the battle between Iran and the Fre", True),
        ("فلماذا كل هذا التهويل حول خان طومان..", "So why all this fuss about Khan Tuman...", False),
        ("قال «إنها معركة».", 'He said "it is a battle."', False),
        ("قال «إنها معركة».", 'He said "it is a battle"', True),
        ("عنوان بلا نقطة", "A heading without a full stop", False),  # the source does not end a sentence
        ("وإلى أين؟", "", False),  # nothing to judge
    ],
)
def test_an_english_that_stops_short(source: str, target: str, cut: bool) -> None:
    assert bool(check_ending(source, target)) is cut


def test_a_long_stretch_of_arabic_with_no_english_is_reported() -> None:
    source = "قال الجيش إن القوات دخلت القرية صباح اليوم بعد معارك عنيفة مع الفصائل"
    target = "The army said the forces entered the village"
    # The last six words (صباح ... الفصائل) have nothing aligned to them.
    links = [(0, 1), (1, 1), (2, 2), (3, 4), (4, 5), (5, 7)]
    checks = check_unaligned(source, alignment_from_links(source, target, links))
    assert len(checks) == 1
    a, b = checks[0].source
    assert source[a:b] == "صباح اليوم بعد معارك عنيفة مع الفصائل"
    # Every word aligned: nothing to say; and no alignment, no judgement.
    full = [(s, min(s, 7)) for s in range(13)]
    assert check_unaligned(source, alignment_from_links(source, target, full)) == []
    assert check_unaligned(source, None) == []


def test_length_ratios_are_learnt_and_judge_only_outliers() -> None:
    lengths = LengthRatios()
    source = "قال الجيش إن القوات دخلت القرية صباح اليوم"
    normal = "The army said that the forces entered the village this morning."
    short = "The army said."
    assert lengths.check(source, short) == []  # nothing learnt yet: no judgement
    for _ in range(30):
        lengths.observe(source, normal)
    assert lengths.check(source, normal) == []
    (check,) = lengths.check(source, short)
    assert check.kind == "dropped"
    assert lengths.check("نعم", "") == []  # too short a source to judge by length


def test_a_clean_pair_has_no_checks_and_an_empty_one_is_not_judged() -> None:
    source = "معترفة بمقتل 230 مقاتلا."
    assert check_pair(source, "admitting the deaths of 230 fighters.") == ()
    assert check_pair(source, "") == ()
    kinds = [c.kind for c in check_pair(source, "admitting the deaths of مقاتلا")]
    assert kinds == ["number", "untranslated", "cut-short"]


def _named(index: int, source: str, target: str, links: list[tuple[int, int]]) -> AlignedPair:
    return AlignedPair(index, 0, source, target, alignment=alignment_from_links(source, target, links))


def test_a_name_spelled_two_ways_in_one_document_is_reported() -> None:
    pairs = [
        _named(0, "وصلوا إلى خان طومان", "They reached Khan Tuman", [(0, 0), (0, 1), (2, 2), (3, 3)]),
        _named(1, "القتال في خان طومان", "Fighting in Khan Touman", [(0, 0), (1, 1), (2, 2), (3, 3)]),
        _named(2, "وفي خان طومان قتلى", "In Khan Tuman there are dead", [(0, 0), (1, 1), (2, 2), (3, 5)]),
        _named(3, "ولخان طومان أهمية", "Khan Tuman matters", [(0, 0), (1, 1), (2, 2)]),
        # Another word linked to the name (an alignment gone astray) is not another spelling of it.
        _named(6, "رأوا خان طومان", "They saw Assad", [(0, 0), (0, 1), (1, 2), (2, 2)]),
        # One spelling only, however often: nothing to report.
        _named(4, "قالت إيران", "Iran said", [(1, 0), (0, 1)]),
        _named(5, "ردت إيران", "And Iran replied", [(1, 1), (0, 2)]),
    ]
    (found,) = name_spellings(pairs)
    assert found.spellings == (("Khan Tuman", 3), ("Khan Touman", 1))
    assert found.majority == "Khan Tuman"
    assert found.sentences == (0, 1, 2, 3)
    assert found.summary().endswith(": Khan Tuman ×3, Khan Touman ×1")
    # A person's correction is theirs to spell; without alignments nothing can be said.
    edited = [p if p.index != 1 else AlignedPair(1, 0, p.source, p.target, edited=True) for p in pairs]
    assert name_spellings(edited) == []
    assert name_spellings([AlignedPair(p.index, 0, p.source, p.target) for p in pairs]) == []
