"""translate/align.py: pieces to words, attention to word links, log-probs to confidence (no model)."""

from __future__ import annotations

import math

import pytest

from translate.align import (
    LOW_SENTENCE_SCORE,
    LOW_WORD_LOGPROB,
    align_pair,
    join_alignments,
    link_words,
    parse_pharaoh,
    pharaoh,
    piece_words,
    sentence_score,
    word_scores,
    word_spans,
)
from translate.types import TokenDetail


@pytest.mark.parametrize(
    ("pieces", "words"),
    [
        (["▁in", "▁the", "▁house", "</s>"], (0, 1, 2, -1)),
        (["▁Kh", "an", "▁Tum", "an", "."], (0, 0, 1, 1, 1)),
        (["▁وقال", "▁إن", "ه"], (0, 1, 1)),
        (["▁", "(", "Aleppo", "▁–", "▁Damascus", ")"], (0, 0, 0, 1, 2, 2)),  # a lone ▁ starts the word
        (["an", "▁apple"], (0, 1)),  # no leading ▁ on the first piece: still word 0
        (["▁in", "▁the", "▁", "</s>"], (0, 1, -1, -1)),  # a lone ▁ at the end starts no word (the text has 2)
        (["▁", "</s>"], (-1, -1)),
        (["▁said", "▁", "▁", "▁"], (0, -1, -1, -1)),
        (["</s>"], (-1,)),
        ([], ()),
    ],
)
def test_pieces_group_into_words(pieces: list[str], words: tuple[int, ...]) -> None:
    assert piece_words(pieces) == words


@pytest.mark.parametrize(
    ("text", "spans"),
    [
        ("في البيت", ((0, 2), (3, 8))),
        ("  وقال  إنه\n", ((2, 6), (8, 11))),
        ("حلب، دمشق", ((0, 4), (5, 9))),  # punctuation stays with its word
        ("قال ـ ثم", ((0, 3), (6, 8))),  # a lone tatweel is no word: the model never sees it
        ("كـتـب\u200bالرسالة", ((0, 13),)),  # invisible characters inside a word keep it one word
        ("", ()),
    ],
)
def test_words_as_written_with_offsets(text: str, spans: tuple[tuple[int, int], ...]) -> None:
    assert word_spans(text) == spans


def test_each_target_word_links_to_its_most_attended_source_word() -> None:
    # Source: "▁في ▁البيت </s>" = words 0, 1; target: "▁in ▁the ▁house </s>".
    source_words = piece_words(["▁في", "▁البي", "ت", "</s>"])
    target_words = piece_words(["▁in", "▁the", "▁house", "</s>"])
    attention = [
        [0.9, 0.05, 0.0, 0.05],  # in -> في
        [0.2, 0.3, 0.3, 0.2],  # the -> البيت (0.6 over its two pieces, against 0.2)
        [0.1, 0.4, 0.45, 0.05],  # house -> البيت
        [0.0, 0.0, 0.0, 1.0],  # </s>: no word
    ]
    links = link_words(attention, source_words, target_words)
    assert links == ((0, 0), (1, 1), (1, 2))
    assert pharaoh(links) == "0-0 1-1 1-2"


def test_a_word_of_several_pieces_averages_its_rows_and_end_of_sentence_is_ignored() -> None:
    source_words = (0, 1, -1)  # two words and </s>
    target_words = (0, 0, -1)  # one word in two pieces, then </s>
    # Piece 1 prefers source word 0 strongly, piece 2 source word 1 weakly: the mean picks 0,
    # although </s> has the largest single weight.
    attention = [[0.7, 0.0, 0.3], [0.1, 0.3, 0.6], [0.0, 0.0, 1.0]]
    assert link_words(attention, source_words, target_words) == ((0, 0),)


def test_ties_go_to_the_earlier_source_word_and_empty_attention_links_nothing() -> None:
    assert link_words([[0.5, 0.5]], (0, 1), (0,)) == ((0, 0),)
    assert link_words([[0.0, 1.0]], (0, -1), (0,)) == ()  # all weight on </s>: no link rather than a guess


def test_mismatched_shapes_are_refused() -> None:
    with pytest.raises(ValueError, match="2 attention rows for 1 target pieces"):
        link_words([[1.0], [1.0]], (0,), (0,))
    with pytest.raises(ValueError, match="attention row of 1 weights for 2 source pieces"):
        link_words([[1.0]], (0, 1), (0,))
    with pytest.raises(ValueError, match="1 log-probs for 2 target pieces"):
        word_scores([-0.1], (0, 0))


def test_confidence_is_the_weakest_piece_of_a_word_and_the_mean_of_a_sentence() -> None:
    log_probs = [-0.1, -2.5, -0.3, -0.05]
    words = piece_words(["▁Kh", "an", "▁said", "</s>"])
    assert word_scores(log_probs, words) == (-2.5, -0.3)
    assert sentence_score(log_probs) == pytest.approx(-0.7375)
    assert sentence_score([]) == 0.0
    # The thresholds are probabilities people can read: 20% for a word, 50% on average for a sentence.
    assert math.exp(LOW_WORD_LOGPROB) == pytest.approx(0.2)
    assert math.exp(LOW_SENTENCE_SCORE) == pytest.approx(0.5)
    assert word_scores(log_probs, words)[0] < LOW_WORD_LOGPROB < word_scores(log_probs, words)[1]


@pytest.mark.parametrize("text", ["", "0-0", "0-0 1-2 3-1", " 2-0  0-1 "])
def test_pharaoh_text_round_trips(text: str) -> None:
    links = parse_pharaoh(text)
    assert parse_pharaoh(pharaoh(links)) == tuple(sorted(links, key=lambda link: (link[1], link[0])))


@pytest.mark.parametrize("bad", ["0", "0-", "a-1", "1:2", "-1-2"])
def test_bad_pharaoh_text_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="not a Pharaoh link"):
        parse_pharaoh(bad)


def test_a_pair_is_aligned_word_by_word_with_offsets() -> None:
    detail = TokenDetail(
        source=("▁في", "▁البي", "ت", "</s>"),
        target=("▁in", "▁the", "▁house"),
        log_probs=(-0.1, -0.2, -2.0),
        attention=((0.9, 0.05, 0.0, 0.05), (0.2, 0.3, 0.3, 0.2), (0.1, 0.4, 0.45, 0.05)),
    )
    alignment = align_pair("في  البيت", "in the house", detail)  # two spaces in the source as written
    assert alignment is not None
    assert alignment.source_words == ((0, 2), (4, 9)) and alignment.target_words == ((0, 2), (3, 6), (7, 12))
    assert alignment.links == ((0, 0), (1, 1), (1, 2))
    assert alignment.word_scores == (-0.1, -0.2, -2.0)
    assert alignment.score == pytest.approx(-2.3 / 3)
    # Pieces that do not spell the texts' words give no alignment, never a shifted one.
    assert align_pair("في البيت الكبير", "in the house", detail) is None
    assert align_pair("في البيت", "in the big house", detail) is None


def test_a_sentence_translated_in_parts_joins_its_alignments() -> None:
    first = TokenDetail(("▁قال", "▁إن", "ه", "</s>"), ("▁he", "▁said"), (-0.1, -0.3), ((0.2, 0.4, 0.3, 0.1),) * 2)
    second = TokenDetail(("▁في", "▁البيت", "</s>"), ("▁at", "▁home"), (-0.5, -0.9), ((0.7, 0.2, 0.1), (0.1, 0.8, 0.1)))
    parts = [align_pair("قال إنه", "he said", first), align_pair("في البيت", "at home", second)]
    joined = join_alignments("قال  إنه،\u200f في البيت", "he said at home", parts)
    assert joined is not None
    assert joined.links == ((1, 0), (1, 1), (2, 2), (3, 3))  # the second part's words come after the first's
    assert joined.source_words == ((0, 3), (5, 10), (11, 13), (14, 19))  # spans of the sentence as written
    assert joined.word_scores == (-0.1, -0.3, -0.5, -0.9)
    assert joined.score == pytest.approx(-0.45) and joined.pieces == 4
    assert join_alignments("قال إنه في البيت", "he said at home", [parts[0], None]) is None  # a part unaligned
    assert join_alignments("قال إنه في", "he said at home", parts) is None  # words do not add up
    assert join_alignments("", "", []) is None
