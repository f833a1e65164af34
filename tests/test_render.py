"""ui/render.py: pairs to HTML, and nothing the user or the model writes becomes markup."""

from __future__ import annotations

import dataclasses
import json
import re
from html.parser import HTMLParser

import pytest
from payloads import PAYLOADS

from translate import AlignedPair, segment_text
from ui.render import EMPTY_VIEW, render_document, render_error, render_patch, render_status


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)

    def handle_data(self, data):
        self.text.append(data)


def _parse(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    return collector


def _doc(text: str, targets: dict[int, str], *, editable: bool = False, **flags) -> str:
    segments = segment_text(text)
    pairs = {i: AlignedPair(i, segments[i].paragraph, segments[i].text, t, **flags) for i, t in targets.items()}
    return render_document(segments, pairs, editable=editable)


def test_rows_pair_english_left_with_arabic_right() -> None:
    html = _doc("مرحبا بكم. كيف حالك؟\nفقرة ثانية.", {0: "Welcome.", 1: "How are you?", 2: "Second paragraph."})
    parsed = _parse(html)
    assert parsed.tags.count("section") == 2  # one per paragraph
    assert html.count('class="tj-row"') == 3
    assert html.index('data-pair="0"') < html.index('class="tj-en"') < html.index('dir="rtl"')
    assert '<div class="tj-doc" lang="en" dir="ltr"' in html  # the English cells inherit both
    assert '<div class="tj-ar" dir="rtl" lang="ar">كيف حالك؟</div>' in html
    assert "contenteditable" not in html
    # Rows are numbered and labelled for screen readers; the number pins the row from the keyboard.
    assert 'role="group" aria-label="Sentence 2"' in html
    assert '<button type="button" class="tj-num" aria-pressed="false">3</button>' in html
    assert 'aria-busy="false"' in html and 'role="toolbar"' in html


def test_a_source_sentence_without_arabic_keeps_its_own_direction() -> None:
    html = _doc("BBC نقلت الخبر. Hello, this is English.", {0: "The BBC reported it.", 1: "Hello, this is English."})
    assert '<div class="tj-ar" dir="rtl" lang="ar">BBC نقلت الخبر.</div>' in html  # Arabic, whatever its first letter
    assert '<div class="tj-ar tj-not-ar" dir="ltr">Hello, this is English.</div>' in html


def test_pending_rows_show_the_arabic_and_a_placeholder() -> None:
    html = _doc("مرحبا بكم. كيف حالك؟", {0: "Welcome."})
    assert html.count("tj-pending") == 1
    assert 'data-pair="1" role="group" aria-label="Sentence 2"><button' in html
    assert '<div class="tj-en"><span class="tj-placeholder">…</span></div><div class="tj-ar"' in html
    assert "كيف حالك؟" in html
    assert 'aria-busy="true"' in html  # rows still to come


def test_a_patch_carries_the_changed_rows_without_their_arabic() -> None:
    segments = segment_text("مرحبا بكم. كيف حالك؟ هذا نص قصير.")
    pairs = [AlignedPair(i, 0, segments[i].text, t) for i, t in ((0, "Welcome."), (2, "This is a short text."))]
    patch = render_patch("d1", pairs, seq=3)
    assert patch.startswith('<div class="tj-patch" data-doc="d1" data-seq="3" hidden>')
    assert re.findall(r'data-pair="(\d+)"', patch) == ["0", "2"]
    assert "Welcome." in patch and "This is a short text." in patch
    assert "tj-ar" not in patch and "مرحبا" not in patch
    full = render_document(segments, {0: pairs[0], 2: pairs[1]}, doc="d1")
    assert len(patch) < len(full) / 2


def test_editable_and_flags() -> None:
    html = _doc("مرحبا بكم.", {0: "Welcome."}, editable=True, edited=True, truncated=True)
    assert 'contenteditable="plaintext-only"' in html and 'aria-label="English, sentence 1"' in html
    assert "tj-edited" in html and "tj-flagged" in html and "length limit" in html
    # The warning is focusable and carries its reason as text, not only as a mouse tooltip.
    assert 'class="tj-flag" id="tj-why-0" tabindex="0" role="img" aria-label="Warning: The model stopped' in html
    # ... and describes the English, which comes after the marks: Tab goes number, ⚠, ↺, English.
    assert 'aria-describedby="tj-why-0"' in html
    assert html.index('class="tj-num"') < html.index('class="tj-flag"') < html.index('class="tj-revert"')
    assert html.index('class="tj-revert"') < html.index('class="tj-en"')
    assert 'class="tj-revert"' in html  # an edited row can go back to the machine translation
    assert 'class="tj-revert"' not in _doc("مرحبا بكم.", {0: "Welcome."}, editable=True)
    looping = _doc("مرحبا بكم.", {0: "Welcome welcome welcome welcome."}, repetitive=True)
    assert "tj-flagged" in looping and "repeated itself" in looping
    assert "tj-flagged" not in _doc("مرحبا بكم.", {0: "Welcome."})


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_are_text_not_markup(payload: str) -> None:
    html = _doc(f"قال {payload} ثم سكت.", {0: f"He said {payload} then fell silent."}, editable=True)
    parsed = _parse(html)
    assert set(parsed.tags) <= {"div", "section", "span", "button"}
    assert all(not name.startswith("on") and name != "href" for name, _ in parsed.attrs)
    text = "".join(parsed.text)
    assert payload in text  # shown to the reader exactly as written
    for render in (render_error(payload), render_status(1, 2, note=payload)):
        assert payload in "".join(_parse(render).text)
        assert set(_parse(render).tags) <= {"div", "progress", "span", "bdi"}


def test_status_and_empty_view() -> None:
    status = render_status(5, 12, seconds=1.5)
    assert 'value="5" max="12"' in status
    assert "".join(_parse(status).text).strip() == "5 / 12 sentences · 1.5 s"
    assert render_document([], {}) == EMPTY_VIEW


@pytest.mark.parametrize("payload", PAYLOADS)
def test_saved_corrections_round_trip_through_the_status(payload: str) -> None:
    saved = {0: payload, 3: 'He said "no" & left.'}
    status = render_status(12, 12, note="Correction saved.", saved=saved)
    parsed = _parse(status)
    (data,) = [value for name, value in parsed.attrs if name == "data-saved"]
    assert json.loads(data) == {str(k): v for k, v in saved.items()}  # what the page's script reads
    assert set(parsed.tags) <= {"div", "progress", "span"}
    assert "data-saved" not in render_status(12, 12)


def _aligned_pair(source: str, target: str, scores: list[float], links) -> AlignedPair:
    from translate.align import alignment_from_links

    alignment = alignment_from_links(source, target, links, word_scores=scores, score=sum(scores) / len(scores))
    return AlignedPair(0, 0, source, target, alignment=alignment)


def test_aligned_rows_carry_word_spans_links_and_confidence() -> None:
    import math

    from translate.align import LOW_WORD_LOGPROB

    pair = _aligned_pair(
        "قرأ الولد الكتاب",
        "the boy read  the book",
        [-0.01, -0.02, -3.0, -0.01, -0.5],
        [(1, 0), (1, 1), (0, 2), (2, 3), (2, 4)],
    )
    html = render_patch("d", [pair], editable=True)
    assert 'data-links="1-0 1-1 0-2 2-3 2-4"' in html
    assert 'data-sw="0:3 4:9 10:16"' in html  # Arabic words by code point, for the page to wrap
    words = re.findall(r'<span class="tj-w( tj-low)?" data-w="(\d)"[^>]*>([^<]*)</span>', html)
    assert [w for _, _, w in words] == ["the", "boy", "read", "the", "book"]
    assert [int(i) for low, i, _ in words if low] == [2]  # only the word under the threshold
    assert math.exp(LOW_WORD_LOGPROB) > math.exp(-3.0)
    assert 'title="Low confidence: the model gave this word a 5% chance"' in html
    assert "".join(_parse(html).text) == "149%the boy read  the book"  # number, score, English as written
    assert 'class="tj-score tj-score-low"' in html  # mean log-prob -0.708: 49%, under LOW_SENTENCE_SCORE
    # A person's correction keeps its word links, but the model's confidence is not shown against it.
    edited = render_patch("d", [dataclasses.replace(pair, edited=True)], editable=True)
    assert 'data-links="1-0 1-1 0-2 2-3 2-4"' in edited and edited.count('class="tj-w"') == 5
    assert "tj-low" not in edited and "tj-score" not in edited


@pytest.mark.parametrize("payload", PAYLOADS)
def test_aligned_words_stay_text(payload: str) -> None:
    words = len(f"he said {payload} x".split())
    pair = _aligned_pair(f"قال {payload}", f"he said {payload} x", [-2.0] * words, [(0, t) for t in range(words)])
    parsed = _parse(render_patch("d", [pair], editable=True))
    assert set(parsed.tags) <= {"div", "span", "button"}
    assert all(not name.startswith("on") and name != "href" for name, _ in parsed.attrs)
    assert "".join(parsed.text).startswith(f"114%he said {payload} x")  # number, score, English


def test_glossary_words_are_marked_as_the_glossarys_and_missing_terms_flagged() -> None:
    from translate.types import TermUse

    pair = _aligned_pair(
        "قصفت الطائرات خان طومان ليلا.",
        "The planes shelled Khan Touman at night.",
        [-0.01, -0.01, -0.01, -3.0, -4.0, -0.01, -0.01],
        [(1, 0), (1, 1), (0, 2), (2, 3), (3, 4), (4, 5), (4, 6)],
    )
    applied = TermUse("خان طومان", "Khan Touman", (14, 23), (19, 30), True)
    html = render_patch("d", [dataclasses.replace(pair, terms=(applied,))], editable=True)
    marked = re.findall(r'<span class="tj-w tj-term" data-w="(\d)" title="([^"]*)">', html)
    assert [(int(i), t) for i, t in marked] == [
        (3, "Glossary: \u2068خان طومان\u2069 → Khan Touman"),
        (4, "Glossary: \u2068خان طومان\u2069 → Khan Touman"),
    ]
    assert "tj-low" not in html and "tj-flag" not in html  # the glossary chose these words, not the model
    missing = dataclasses.replace(applied, english="Ḥmeimīm", target=None, applied=False)
    flagged = render_patch("d", [dataclasses.replace(pair, terms=(missing,))], editable=True)
    assert "tj-flagged" in flagged and "tj-term" not in flagged
    assert "The glossary&#x27;s English is not in this translation (\u2068خان طومان\u2069 → Ḥmeimīm)" in flagged


def test_every_check_is_a_reason_on_the_flag_and_the_status_counts_them() -> None:
    from translate.types import Check

    checks = (Check("number", "230 is missing", (13, 16)), Check("untranslated", "Arabic left in the English: <حلب>"))
    pair = AlignedPair(0, 0, "بمقتل 230 مقاتلا في حلب.", "the deaths of fighters in <حلب>.", checks=checks)
    html = render_patch("doc", [pair], seq=1)
    (reason,) = re.findall(r'data-reason="([^"]*)"', html)
    assert "Number: 230 is missing." in reason
    assert "Untranslated: Arabic left in the English: &lt;\u2068حلب\u2069&gt;." in reason  # escaped, as all text is
    assert "tj-flagged" in html
    assert "Checks: 3 ⚠" in render_status(5, 9, checks=3)
    assert "Checks" not in render_status(5, 9)
    clean = render_patch("doc", [dataclasses.replace(pair, checks=())], seq=2)
    assert "data-reason" not in clean and "tj-flagged" not in clean


def test_the_status_counts_every_row_that_shows_a_warning() -> None:
    """One count: the status's "Checks: N ⚠" is the number of rows marked ⚠, which F8 walks (issue 34 §5)."""
    from translate.types import Check, TermUse
    from ui.handlers import _checked

    segments = segment_text("مرحبا بكم. خان طومان قرية. كيف حالك؟ خان طومان هنا. شكرا.")
    missing = TermUse("خان طومان", "Khan Touman", (0, 9), None, False)
    number = Check("number", "73 is not in the English", (0, 2), None)
    pairs = {
        0: AlignedPair(0, 0, segments[0].text, "Welcome."),
        1: AlignedPair(1, 0, segments[1].text, "Khan Tuman is a village.", terms=(missing,)),  # a term not put in
        2: AlignedPair(2, 0, segments[2].text, "How are you?", checks=(number,)),
        3: AlignedPair(3, 0, segments[3].text, "Khan Tuman is here.", terms=(missing,), edited=True),
        4: AlignedPair(4, 0, segments[4].text, "Thanks.", truncated=True),
    }
    shown = render_document(segments, pairs, editable=True).count('class="tj-flag"')
    assert shown == 4
    assert _checked(pairs.values()) == shown
    assert f"Checks: {shown} ⚠" in render_status(5, 5, checks=_checked(pairs.values()))


@pytest.mark.parametrize(
    ("message", "html"),
    [
        (
            "Removed ذات; 21 sentence(s) of this article translated again.",
            'Removed <bdi dir="rtl" lang="ar">ذات</bdi>; 21 sentence(s) of this article translated again.',
        ),
        (  # a phrase with its spaces and dash is one run; what follows it is not
            "Added حلب – دمشق → Aleppo–Damascus, ومعرة 2 times",
            'Added <bdi dir="rtl" lang="ar">حلب – دمشق</bdi> → Aleppo–Damascus, <bdi dir="rtl" lang="ar">ومعرة</bdi> '
            "2 times",
        ),
        ("<b>خان</b>", '&lt;b&gt;<bdi dir="rtl" lang="ar">خان</bdi>&lt;/b&gt;'),  # still escaped
        ("No Arabic here: 3 < 4", "No Arabic here: 3 &lt; 4"),
    ],
)
def test_every_arabic_run_of_a_message_is_isolated(message: str, html: str) -> None:
    from ui.render import message_html, message_text

    assert message_html(message) == html
    isolated = message_text(message)
    assert isolated.replace("\u2068", "").replace("\u2069", "") == message
    assert isolated.count("\u2068") == html.count("<bdi")


def test_a_word_ocr_was_unsure_of_flags_its_sentence_in_the_reader() -> None:
    from translate.types import Check

    check = Check("ocr", "OCR read the number ٣٠ at 12% confidence", (6, 8))
    pair = AlignedPair(0, 0, "بمقتل ٣٠ مقاتلا.", "the deaths of 30 fighters.", checks=(check,))
    html = render_patch("doc", [pair], seq=1)
    (reason,) = re.findall(r'data-reason="([^"]*)"', html)
    # The number is Arabic script, set apart from the English around it (ui.render.message_text).
    assert reason == "Scan read unsure (check it on the scan): OCR read the number \u2068٣٠\u2069 at 12% confidence."
    assert "tj-flagged" in html
