"""URLs, e-mail addresses and handles found, checked and put back (translate/verbatim.py): pure, no model."""

from __future__ import annotations

import pytest

from translate.align import alignment_from_links
from translate.checks import check_numbers, check_pair, check_untranslated
from translate.segment import segment_text
from translate.verbatim import (
    EMAIL,
    HANDLE,
    NAME,
    URL,
    VERBATIM,
    check_verbatim,
    name_spans,
    needs_translation,
    restore,
    verbatim_spans,
)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("زوروا https://example.com/news/1?id=5 للمزيد", [("https://example.com/news/1?id=5", URL)]),
        ("الموقع www.aljazeera.net.", [("www.aljazeera.net", URL)]),  # the sentence's full stop is not the URL's
        ("(انظر http://x.org/a)، ثم", [("http://x.org/a", URL)]),  # the closing bracket is the sentence's
        ("(انظر http://x.org/a_(b))، ثم", [("http://x.org/a_(b)", URL)]),  # the first one closes the URL's own
        ("https://ar.wikipedia.org/wiki/حلب", [("https://ar.wikipedia.org/wiki/حلب", URL)]),
        ("راسلونا على info@example.org اليوم", [("info@example.org", EMAIL)]),
        ("كتبه @user@mastodon.social أمس", [("@user@mastodon.social", HANDLE)]),
        ("شكرا @user_1!", [("@user_1", HANDLE)]),
        ("الرابط https://m.s/@u هنا", [("https://m.s/@u", URL)]),  # a handle inside a URL is the URL's
        ("a@b", []),  # no host with a dot: not an address
        ("بريد @ فارغ", []),  # a lone @
        ("السعر 5 @ 10", []),
        ("لا شيء هنا.", []),
    ],
)
def test_verbatim_spans(text: str, found: list[tuple[str, str]]) -> None:
    spans = verbatim_spans(text)
    assert [(s.text, s.kind) for s in spans] == found
    assert all(text[s.start : s.end] == s.text for s in spans)


@pytest.mark.parametrize(
    ("text", "needed"),
    [
        ("Hello world, this is English.", False),
        ("12345", False),
        ("https://example.com", False),
        ("@user@mastodon.social", False),
        ("https://ar.wikipedia.org/wiki/حلب", False),  # the Arabic is the link's: nothing to translate
        ("١٢٣", False),  # Arabic-Indic digits are no letters
        ("مرحبا", True),
        ("See https://x.com — مرحبا", True),
    ],
)
def test_needs_translation(text: str, needed: bool) -> None:
    assert needs_translation(text) is needed


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("زوروا https://example.com/a.b?c=1. ثم قال", ["زوروا https://example.com/a.b?c=1.", "ثم قال"]),
        ("راسلوا info@news.example.org. وشكرا", ["راسلوا info@news.example.org.", "وشكرا"]),
        ("كتب @user@mastodon.social. ثم", ["كتب @user@mastodon.social.", "ثم"]),
        ("هل رأيت www.example.com/?q=1!؟ نعم", ["هل رأيت www.example.com/?q=1!؟", "نعم"]),
    ],
)
def test_the_splitter_never_cuts_a_link_address_or_handle(text: str, sentences: list[str]) -> None:
    assert [s.text for s in segment_text(text)] == sentences


SOURCE = "زوروا موقعنا https://example.com/a للمزيد"


@pytest.mark.parametrize(
    ("target", "links", "expected"),
    [
        # Dropped: after the English of the word before it.
        (
            "Visit our site for more.",
            [(0, 0), (1, 1), (1, 2), (3, 3), (3, 4)],
            "Visit our site https://example.com/a for more.",
        ),
        # Dropped, the word before it unaligned: before the English of the word after it.
        ("Visit our site for more.", [(0, 0), (3, 3), (3, 4)], "Visit our site https://example.com/a for more."),
        # Dropped, nothing aligned around it: at the end, before the full stop.
        ("Visit our site for more.", [], "Visit our site for more https://example.com/a."),
        # Mangled: replaced where it stands, whatever the alignment, its punctuation kept.
        (
            "Visit our site (https: / / example. com / a) for more.",
            [],
            "Visit our site (https://example.com/a) for more.",
        ),
        ("Visit our site HTTPS://EXAMPLE.COM/A for more.", [], "Visit our site https://example.com/a for more."),
        # Already there: nothing changes.
        ("Visit https://example.com/a for more.", [], "Visit https://example.com/a for more."),
    ],
)
def test_restore_puts_a_link_back(target: str, links: list[tuple[int, int]], expected: str) -> None:
    alignment = alignment_from_links(SOURCE, target, links)
    assert restore(SOURCE, target, alignment) == expected
    assert check_verbatim(SOURCE, expected) == []


def test_restore_puts_back_several_and_keeps_every_other_word() -> None:
    source = "كتب @user@mastodon.social إلى info@example.org أمس"
    target = "user @ mastodon. social wrote to yesterday."
    alignment = alignment_from_links(source, target, [(0, 4), (2, 5), (4, 6)])
    assert restore(source, target, alignment) == "@user@mastodon.social wrote to info@example.org yesterday."


def test_a_link_that_cannot_be_placed_is_left_out_and_flagged() -> None:
    target = "Visit our site for more."
    assert restore(SOURCE, target, None) == target  # no alignment: no place to put it
    (check,) = check_verbatim(SOURCE, target)
    assert check.kind == VERBATIM
    assert check.source == (SOURCE.index("https"), SOURCE.index(" للمزيد"))
    assert "https://example.com/a" in check.detail
    assert [c.kind for c in check_pair(SOURCE, target)] == [VERBATIM]


def test_each_occurrence_counts() -> None:
    source = "@a قال ل @a"
    assert [c.source for c in check_verbatim(source, "@a told him")] == [(9, 11)]
    assert check_verbatim(source, "@a told @a") == []


def test_a_number_inside_a_link_is_the_links_not_a_number_to_check() -> None:
    source = "قتل 230 حسب https://example.com/news/2016"
    assert check_numbers(source, "230 were killed, according to https://example.com/news/2016") == []
    # The English's own 2016 inside the link is no spare number for a missing 230 to have become.
    (check,) = check_numbers(source, "were killed, according to https://example.com/news/2016")
    assert check.detail == "230 is missing"


def test_arabic_inside_a_link_is_not_arabic_left_untranslated() -> None:
    source = "انظر https://ar.wikipedia.org/wiki/حلب"
    assert check_untranslated(source, "See https://ar.wikipedia.org/wiki/حلب") == []
    assert check_untranslated(source, "See حلب") != []


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("ترجمة H. Rackham للكتاب", ["H. Rackham"]),  # an initial's full stop is the name's
        ("قال John Smith.", ["John Smith"]),  # the sentence's is not
        ("هاتف iPhone 7 جديد", ["iPhone 7"]),
        ("استخدم الدالة dict.get() هنا", ["dict.get()"]),
        ("كتاب (Lorem Ipsum) هنا", ["Lorem Ipsum"]),
        ("لقاح COVID-19 الجديد", ["COVID-19"]),
        ("زار www.bbc.com و BBC News اليوم", ["BBC News"]),  # the URL is a link, not a name
        ("راسلونا على info@example.org", []),
        ("في عام 2016 قال", []),
        ("a b", []),  # no Arabic: the whole text is copied, there is no name inside it
    ],
)
def test_latin_script_names_inside_arabic(text: str, found: list[str]) -> None:
    assert [(span.text, span.kind) for span in name_spans(text)] == [(name, NAME) for name in found]
    assert all(text[span.start : span.end] == span.text for span in name_spans(text))


def test_a_latin_name_the_english_lost_or_changed_is_put_back_or_flagged() -> None:
    source = "ترجمة H. Rackham للكتاب"
    assert restore(source, "Translation of Rackham for the book", None) == "Translation of H. Rackham for the book"
    assert check_verbatim(source, "Translation of H. Rackham for the book") == []
    (check,) = check_verbatim(source, "Translation of the book")
    assert check.kind == VERBATIM and "Latin-script name H. Rackham" in check.detail
    assert check.source == (6, 16)
    # Dropped: back after the English of the Arabic word before it.
    alignment = alignment_from_links(source, "Translation of the book", [(0, 0), (3, 3)])
    assert restore(source, "Translation of the book", alignment) == "Translation H. Rackham of the book"
