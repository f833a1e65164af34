"""Formatting carried onto the English through the alignment (translate/formats/marks.py), table-driven."""

from __future__ import annotations

import pytest

from translate.align import alignment_from_links
from translate.formats.marks import carry
from translate.formats.model import Block, Span
from translate.types import AlignedPair

PLAIN, BOLD, LINK, NOTE = 0, 1, 2, 9


def _pair(source: str, target: str, links, start: int = 0) -> AlignedPair:
    alignment = alignment_from_links(source, target, links) if links is not None else None
    return AlignedPair(0, 0, source, target, start=start, end=start + len(source), alignment=alignment)


def _styled(carried) -> list[tuple[str, int]]:
    return [(carried.text[s.start : s.end], s.style) for s in carried.spans]


@pytest.mark.parametrize(
    ("spans", "target", "links", "expected", "approximate"),
    [
        # قرأ الولد الكتاب, "the boy" bold: the English words aligned to الولد, wherever the English puts them.
        (
            [Span(0, 4, PLAIN), Span(4, 9, BOLD), Span(9, 16, PLAIN)],
            "the boy read the book",
            [(1, 0), (1, 1), (0, 2), (2, 3), (2, 4)],
            [("the boy", BOLD), (" read the book", PLAIN)],
            0,
        ),
        # Bold over the whole sentence stays whole.
        (
            [Span(0, 16, BOLD)],
            "the boy read the book",
            [(1, 1), (0, 2), (2, 4)],
            [("the boy read the book", BOLD)],
            0,
        ),
        # A bold stretch goes to the aligned words that lie together and what is between them, not to a stray
        # link far off: "boy ... read" (one word apart) is one stretch, the "book" linked to الولد too is not.
        (
            [Span(0, 4, PLAIN), Span(4, 9, BOLD), Span(9, 25, PLAIN)],
            "the boy and the girl read the book",
            [(1, 1), (1, 3), (1, 7), (0, 5), (2, 6)],
            [("the ", PLAIN), ("boy and the", BOLD), (" girl read the book", PLAIN)],
            0,
        ),
        # A link whose word the alignment takes nowhere is kept, on the nearest English word, and counted.
        (
            [Span(0, 4, PLAIN), Span(4, 9, LINK), Span(9, 16, PLAIN)],
            "the boy read the book",
            [(0, 2), (2, 4)],
            [("the boy ", PLAIN), ("read", LINK), (" the book", PLAIN)],
            1,
        ),
        # No alignment at all: the mark still lands, at the same relative place.
        (
            [Span(0, 4, PLAIN), Span(4, 9, PLAIN), Span(9, 16, LINK)],
            "the boy read the book",
            None,
            [("the boy read the ", PLAIN), ("book", LINK)],
            1,
        ),
    ],
)
def test_marks_land_on_the_aligned_words(spans, target, links, expected, approximate) -> None:
    source = "قرأ الولد الكتاب"
    carried = carry(Block(source, tuple(spans)), [_pair(source, target, links)])
    assert carried.text == target
    assert _styled(carried) == expected
    assert carried.approximate == approximate


def test_objects_follow_the_word_before_them_and_sentences_keep_their_order() -> None:
    # Two sentences; an object after قرأ (inside the first), a footnote reference ending it, another ending the block.
    first, second = "قرأ الولد.", "ثم نام."
    text = f"{first} {second}"
    spans = (
        Span(0, 3, PLAIN),
        Span(3, 3, NOTE - 1),
        Span(3, 10, PLAIN),
        Span(10, 10, NOTE),
        Span(10, len(text), PLAIN),
        Span(len(text), len(text), NOTE + 1),
    )
    pairs = [
        _pair(first, "The boy read.", [(1, 0), (1, 1), (0, 2)]),
        _pair(second, "Then he slept.", [(0, 0), (1, 1), (1, 2)], start=len(first) + 1),
    ]
    carried = carry(Block(text, spans), pairs)
    assert carried.text == "The boy read. Then he slept."
    objects = [(s.start, s.style) for s in carried.spans if s.start == s.end]
    # After "read" (aligned to قرأ), after the first English sentence, after the last.
    assert objects == [(len("The boy read."), NOTE - 1), (len("The boy read."), NOTE), (len(carried.text), NOTE + 1)]
    # Every character of the English is in exactly one span.
    covered = [i for s in carried.spans for i in range(s.start, s.end)]
    assert covered == list(range(len(carried.text)))


SENTENCE = "قرأ الولد الكتاب ثم نام"  # "the boy read the book, then he slept"; a cue begins at ثم (17)
ENGLISH = "The boy read the book then he slept"
LINKS = [(1, 0), (1, 1), (0, 2), (2, 3), (2, 4), (3, 5), (4, 6), (4, 7)]


@pytest.mark.parametrize(
    ("target", "links", "borders", "expected"),
    [
        # The alignment says where each English word belongs.
        (ENGLISH, LINKS, [17], ["The boy read the book", "then he slept"]),
        # No alignment: each piece as many words as its stretch of Arabic, in share (3 of 5).
        (ENGLISH, None, [17], ["The boy read the book", "then he slept"]),
        # A noisy link (the boy linked to نام) does not move a cut the other links agree on.
        (ENGLISH, [*LINKS, (4, 1)], [17], ["The boy read the book", "then he slept"]),
        # Fewer English words than cues: some cue has none (the caller shows an ellipsis there).
        ("Yes", None, [4], ["", "Yes"]),
        # One stretch: the whole English.
        (ENGLISH, LINKS, [], [ENGLISH]),
    ],
)
def test_english_is_cut_back_over_cues_at_word_boundaries(target, links, borders, expected) -> None:
    from translate.formats.marks import split_over

    pieces = split_over(_pair(SENTENCE, target, links), borders)
    assert pieces == expected
    assert " ".join(p for p in pieces if p).split() == target.split()  # every word once, in order


@pytest.mark.parametrize(
    ("spans", "target", "expected", "approximate"),
    [
        # A footnote link on the "[1]" glued to a word is not lost to the word's majority: its word carries it.
        (
            [Span(0, 12, PLAIN), Span(12, 15, LINK), Span(15, 16, PLAIN)],
            "how cancer works.",
            [("how ", PLAIN), ("cancer", LINK), (" works.", PLAIN)],
            1,
        ),
        # A bold label with its colon plain stays one bold stretch: the colon's plain is the sentence's own style.
        ([Span(0, 11, BOLD), Span(11, 12, PLAIN)], "Important note:", [("Important note:", BOLD)], 0),
    ],
)
def test_formatting_smaller_than_a_word(spans, target, expected, approximate) -> None:
    source = "ملاحظة مهمة:" if spans[0].style == BOLD else "يعمل السرطان[1]."
    links = [(0, 1), (1, 0)] if spans[0].style == BOLD else [(1, 1), (0, 2)]
    carried = carry(Block(source, tuple(spans)), [_pair(source, target, links)])
    assert _styled(carried) == expected and carried.approximate == approximate


MENTION = 20


@pytest.mark.parametrize(
    ("text", "at", "target", "links", "expected"),
    [
        # Apart from its words in the Arabic (a Mastodon mention): apart in the English.
        ("قرأ  الولد", 4, "read the boy", [(0, 0), (1, 1), (1, 2)], "read @ the boy"),
        # Against the word after it: before that word's English, the blank before it kept.
        ("قرأ الولد", 4, "read the boy", [(0, 0), (1, 1), (1, 2)], "read @the boy"),
        # Against the word before it (a footnote's [1]): against that word's English, as before.
        ("قرأ الولد", 3, "read the boy", [(0, 0), (1, 1), (1, 2)], "read@ the boy"),
        # First and last in the block: the blank on its inner side kept.
        (" قرأ الولد", 0, "read the boy", [(0, 0), (1, 1), (1, 2)], "@ read the boy"),
        ("قرأ الولد ", 10, "read the boy", [(0, 0), (1, 1), (1, 2)], "read the boy @"),
    ],
)
def test_an_object_keeps_the_blanks_around_it(text, at, target, links, expected) -> None:
    source = text.strip()
    around = (Span(0, at, PLAIN), Span(at, at, MENTION), Span(at, len(text), PLAIN))
    spans = tuple(s for s in around if s.style == MENTION or s.start < s.end)  # no empty text span at an edge
    start = text.index(source)
    carried = carry(Block(text, spans), [_pair(source, target, links, start=start)])
    (obj,) = [s for s in carried.spans if s.start == s.end]
    assert carried.text[: obj.start] + "@" + carried.text[obj.start :] == expected


def test_two_objects_apart_stay_apart_and_side_by_side_stay_together() -> None:
    # "قرأ <a>#وسم</a> <mention/><img/> الولد": the link and the mention apart, the mention and the image not.
    text = "قرأ   الولد"
    spans = (Span(0, 4, PLAIN), Span(4, 4, LINK), Span(5, 5, MENTION), Span(5, 5, NOTE), Span(5, 11, PLAIN))
    carried = carry(Block(text, spans), [_pair("قرأ الولد", "read the boy", [(0, 0), (1, 1), (1, 2)])])
    shown = ""
    for span in carried.spans:
        shown += {LINK: "<#>", MENTION: "<@>", NOTE: "<img>"}.get(span.style, "") if span.start == span.end else ""
        shown += carried.text[span.start : span.end]
    assert shown == "read <#> <@><img> the boy"


def test_a_sentence_given_back_as_it_came_keeps_its_formatting_character_for_character() -> None:
    # An Arabic sentence, then "#tag" (a Mastodon hashtag: "#" in the link, "tag" in a span inside it), copied.
    arabic, tag = "قرأ الولد.", "#tag"
    text = f"{arabic} {tag}"
    start = len(arabic) + 1
    spans = (Span(0, start, PLAIN), Span(start, start + 1, LINK), Span(start + 1, len(text), BOLD))
    pairs = [
        _pair(arabic, "The boy read.", [(1, 0), (1, 1), (0, 2)]),
        AlignedPair(1, 0, tag, tag, start=start, end=len(text), pieces=0, copied=True),
    ]
    carried = carry(Block(text, spans), pairs)
    assert _styled(carried) == [("The boy read. ", PLAIN), ("#", LINK), ("tag", BOLD)]
