"""Segmentation: table-driven Arabic cases, offsets, and splitting long sentences."""

from __future__ import annotations

import time

import pytest

from translate.segment import segment_text, split_to_fit

CASES = [
    # (why, text, expected sentences)
    ("basic terminators", "مرحبا. كيف حالك؟ أنا بخير!", ["مرحبا.", "كيف حالك؟", "أنا بخير!"]),
    (
        "no space after period",
        "قال إن الاجتماع كان مثمرا.وأضاف أن النتائج جيدة.",
        ["قال إن الاجتماع كان مثمرا.", "وأضاف أن النتائج جيدة."],
    ),
    ("no space after question mark", "ماذا حدث؟قال لا شيء.", ["ماذا حدث؟", "قال لا شيء."]),
    ("decimal", "ارتفع السعر إلى 85.5 دولار. ثم انخفض.", ["ارتفع السعر إلى 85.5 دولار.", "ثم انخفض."]),
    ("arabic decimal separator", "بلغت النسبة ١٢٫٥ بالمئة. وهذا كثير.", ["بلغت النسبة ١٢٫٥ بالمئة.", "وهذا كثير."]),
    (
        "arabic-indic digits with a dot",
        "بلغت النسبة ١٢.٥ بالمئة. وهذا كثير.",
        ["بلغت النسبة ١٢.٥ بالمئة.", "وهذا كثير."],
    ),
    ("version number", "الإصدار 3.14.1 متاح الآن.", ["الإصدار 3.14.1 متاح الآن."]),
    ("time", "بدأ الاجتماع الساعة 10:30 صباحا. وانتهى ظهرا.", ["بدأ الاجتماع الساعة 10:30 صباحا.", "وانتهى ظهرا."]),
    (
        "url",
        "زوروا موقعنا https://example.com/a.b?x=1. ثم اتصلوا بنا.",
        ["زوروا موقعنا https://example.com/a.b?x=1.", "ثم اتصلوا بنا."],
    ),
    ("www url", "التفاصيل على www.example.org. شكرا لكم.", ["التفاصيل على www.example.org.", "شكرا لكم."]),
    ("email", "راسلونا على info@example.org. شكرا.", ["راسلونا على info@example.org.", "شكرا."]),
    (
        "latin abbreviation",
        "استحوذت Apple Inc. على الشركة. وارتفع السهم.",
        ["استحوذت Apple Inc. على الشركة.", "وارتفع السهم."],
    ),
    ("initialism", "زار وفد من U.S. المنطقة. ثم غادر.", ["زار وفد من U.S. المنطقة.", "ثم غادر."]),
    ("doctor", "قال د. أحمد إن الوضع مستقر. وأكد ذلك.", ["قال د. أحمد إن الوضع مستقر.", "وأكد ذلك."]),
    ("page", "انظر ص. 15 من التقرير.", ["انظر ص. 15 من التقرير."]),
    ("professor", "ألقى أ. محمد كلمته. ثم جلس.", ["ألقى أ. محمد كلمته.", "ثم جلس."]),
    ("professor doctor", "حاضر أ.د. محمد علي في الجامعة.", ["حاضر أ.د. محمد علي في الجامعة."]),
    (
        "letter-dot abbreviation",
        "تقع ج.م.ع في أفريقيا. وعاصمتها القاهرة.",
        ["تقع ج.م.ع في أفريقيا.", "وعاصمتها القاهرة."],
    ),
    ("era marker ends a sentence", "ولد عام 1950 م. وتوفي عام 2010 م.", ["ولد عام 1950 م.", "وتوفي عام 2010 م."]),
    ("numbered list with dot", "1. المقدمة\n2. الخاتمة", ["1. المقدمة", "2. الخاتمة"]),
    ("numbered list with dash", "1- المقدمة\n2- الخاتمة", ["1- المقدمة", "2- الخاتمة"]),
    ("closing guillemet stays", "قال «هذا جيد.» ثم غادر.", ["قال «هذا جيد.»", "ثم غادر."]),
    ("closing double quote stays", 'قال "انتهى الأمر." ثم مضى.', ['قال "انتهى الأمر."', "ثم مضى."]),
    ("closing parenthesis stays", "(انتهى الأمر.) وبعدها بدأنا.", ["(انتهى الأمر.)", "وبعدها بدأنا."]),
    ("comma and semicolon do not end", "الشرق، والغرب؛ والشمال.", ["الشرق، والغرب؛ والشمال."]),
    ("double period ends", "فلماذا كل هذا.. وإلى أين؟", ["فلماذا كل هذا..", "وإلى أين؟"]),
    ("ellipsis character", "انتظر… ثم تكلم.", ["انتظر…", "ثم تكلم."]),
    ("three dots", "انتظر... ثم تكلم.", ["انتظر...", "ثم تكلم."]),
    ("urdu full stop", "هذا سطر۔ وهذا آخر۔", ["هذا سطر۔", "وهذا آخر۔"]),
    ("leading ellipsis is not a sentence", "...وبدأ الحديث", ["...وبدأ الحديث"]),
    ("mixed marks", "حقا؟! نعم.", ["حقا؟!", "نعم."]),
    (
        "a contents' leader",
        "الفصل الأول ........ ١٢\nChapter Two . . . . . 19",
        ["الفصل الأول ........ ١٢", "Chapter Two . . . . . 19"],
    ),
    ("dots before more words end", "قال.... ثم ذهب ١٢", ["قال....", "ثم ذهب ١٢"]),
    ("english", "Hello world. This is English.", ["Hello world.", "This is English."]),
    ("no terminator at all", "جملة بلا نهاية", ["جملة بلا نهاية"]),
    ("whitespace only", "  \n\t \n", []),
    ("empty", "", []),
]


@pytest.mark.parametrize(("why", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_sentences(why: str, text: str, expected: list[str]) -> None:
    assert [s.text for s in segment_text(text)] == expected


@pytest.mark.parametrize(("why", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_offsets_recover_the_source(why: str, text: str, expected: list[str]) -> None:
    _assert_recoverable(text)


def _assert_recoverable(text: str) -> None:
    segments = segment_text(text)
    position = 0
    for number, segment in enumerate(segments):
        assert segment.index == number
        assert text[segment.start : segment.end] == segment.text
        assert segment.start >= position
        assert text[position : segment.start].strip() == ""
        position = segment.end
    assert text[position:].strip() == ""


def test_seed_article_gives_the_twelve_sentences(seed_text: str, seed_pairs: list[tuple[str, str]]) -> None:
    segments = segment_text(seed_text)
    assert [s.text for s in segments] == [ar for ar, _ in seed_pairs]
    assert {s.paragraph for s in segments} == {0}
    _assert_recoverable(seed_text)


def test_paragraphs_follow_lines() -> None:
    text = "\ufeffفقرة أولى.\n\nفقرة ثانية. جملة أخرى.\r\nفقرة ثالثة\u2029فقرة رابعة."
    segments = segment_text(text)
    assert [(s.paragraph, s.text) for s in segments] == [
        (0, "\ufeffفقرة أولى."),
        (1, "فقرة ثانية."),
        (1, "جملة أخرى."),
        (2, "فقرة ثالثة"),
        (3, "فقرة رابعة."),
    ]
    _assert_recoverable(text)


def test_invisible_characters_stay_in_the_source() -> None:
    text = "قال\u200f إن الحـــرب انتهت.\u200b وأضاف."
    assert [s.text for s in segment_text(text)] == ["قال\u200f إن الحـــرب انتهت.", "\u200b وأضاف."]


def _by_chars(limit: int):
    return lambda piece: len(piece) <= limit


def _covered(text: str, spans: list[tuple[int, int]]) -> str:
    return "".join(text[a:b] for a, b in spans).replace(" ", "")


SPLIT_CASES = [
    ("fits already", "جملة قصيرة", 50, ["جملة قصيرة"]),
    ("clause marks first", "الأول، الثاني؛ الثالث: الرابع", 16, ["الأول، الثاني؛", "الثالث: الرابع"]),
    ("then spaces", "كلمة كلمة كلمة كلمة", 10, ["كلمة كلمة", "كلمة كلمة"]),
    ("a clause too long is split at spaces", "قصير، كلمة طويلة جدا هنا", 10, ["قصير،", "كلمة طويلة", "جدا هنا"]),
    ("then characters", "abcdefghij", 4, ["abcd", "efgh", "ij"]),
    ("colon in a time is not a clause mark", "الساعة 10:30 الآن", 12, ["الساعة 10:30", "الآن"]),
]


@pytest.mark.parametrize(("why", "text", "limit", "expected"), SPLIT_CASES, ids=[c[0] for c in SPLIT_CASES])
def test_split_to_fit(why: str, text: str, limit: int, expected: list[str]) -> None:
    spans = split_to_fit(text, _by_chars(limit))
    assert [text[a:b] for a, b in spans] == expected
    assert _covered(text, spans) == text.replace(" ", "")
    assert all(len(text[a:b]) <= limit for a, b in spans)


def test_split_to_fit_keeps_every_word_of_a_huge_sentence() -> None:
    words = [f"كلمة{i}" for i in range(2000)]
    text = " ".join(words)
    spans = split_to_fit(text, _by_chars(200))
    assert len(spans) > 50
    assert " ".join(text[a:b] for a, b in spans).split() == words
    assert all(0 < b - a <= 200 for a, b in spans)


@pytest.mark.parametrize(
    ("why", "unit"),
    [("letters only", "خانطومانقريةصغيرة"), ("dotted, no space", "خانطومان.قرية.صغيرة")],
)
def test_a_20000_character_word_is_segmented_at_once(why: str, unit: str) -> None:
    text = (unit * (20_000 // len(unit) + 1))[:20_000]
    started = time.perf_counter()
    segments = segment_text(text)
    seconds = time.perf_counter() - started
    assert "".join(s.text for s in segments) == text
    # The server segments on its event loop: 1.6 s before (an address searched for from every letter), 2 ms now.
    assert seconds < 0.25


def test_an_address_is_kept_whole_where_its_run_of_characters_starts() -> None:
    text = "راسلنا على info.desk+ar@example.com. وأضاف"
    assert [s.text for s in segment_text(text)] == ["راسلنا على info.desk+ar@example.com.", "وأضاف"]
