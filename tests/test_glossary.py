"""The glossary without a model: matching rules, reports, splice points, the file."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from translate.errors import InputError
from translate.glossary import (
    Glossary,
    english_spans,
    load_glossary,
    match_form,
    parse_glossary,
    save_glossary,
    signature,
    stems,
)
from translate.steer import splice_word
from translate.types import GlossaryTerm, WordAlignment

KHAN_TUMAN = GlossaryTerm("خان طومان", "Khan Touman")
JAISH = GlossaryTerm("جيش الفتح", "Jaish al-Fatah")


def found(glossary: Glossary, text: str) -> list[str]:
    return [text[m.start : m.end] for m in glossary.find(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("فلماذا كل هذا التهويل حول خان طومان..", ["خان طومان.."]),  # punctuation at the edge is part of the span
        ("وخان طومان قرية", ["وخان طومان"]),  # conjunction و
        ("فخان طومان", ["فخان طومان"]),  # conjunction ف
        ("بخان طومان", ["بخان طومان"]),  # preposition ب
        ("لخان طومان", ["لخان طومان"]),  # preposition ل
        ("وبخان طومان", ["وبخان طومان"]),  # conjunction then preposition
        ("الخان طومان", ["الخان طومان"]),  # article on a term written without it
        ("خانِ طُومان", ["خانِ طُومان"]),  # short vowels are ignored
        ("خـان طومـان", ["خـان طومـان"]),  # tatweel is ignored
        ("خان  \u200cطومان", ["خان  \u200cطومان"]),  # spacing and invisible characters
        ("طومان خان", []),  # word order matters
        ("خانات طومان", []),  # whole words only: endings are not removed
        ("مخان طومان", []),  # م is not one of the prefixes
        ("خان", []),  # a part of a term is not the term
    ],
)
def test_matching_rules(text: str, expected: list[str]) -> None:
    assert found(Glossary([KHAN_TUMAN]), text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("وقعت في قبضة جيش الفتح.", ["جيش الفتح."]),
        ("لجيش الفتح", ["لجيش الفتح"]),
        ("انضم للجيش الفتح", ["للجيش الفتح"]),  # ل + ال written لل
        ("الجيش الحر", []),
    ],
)
def test_prefixes_with_the_article(text: str, expected: list[str]) -> None:
    assert found(Glossary([JAISH]), text) == expected


def test_a_term_written_with_the_article_matches_its_prefixed_forms() -> None:
    glossary = Glossary([GlossaryTerm("الفتح", "al-Fatah")])
    assert found(glossary, "بالفتح وللفتح والفتح فتح") == ["بالفتح", "وللفتح", "والفتح"]


def test_alef_forms_and_final_letters_fold() -> None:
    glossary = Glossary([GlossaryTerm("إدلب", "Idlib"), GlossaryTerm("سورية", "Syria")])
    assert found(glossary, "ادلب وأدلب في سوريه") == ["ادلب", "وأدلب", "سوريه"]
    assert match_form("«إيرانُ»") == "ايران"


def test_a_short_stem_is_not_cut_from_a_prefix() -> None:
    # "ول" would leave one letter: not read as و + ل.
    assert "ل" not in stems("ول")
    assert stems("لل") == {"لل"}
    assert stems("وبالفتح") >= {"وبالفتح", "بالفتح", "الفتح", "فتح"}


def test_longest_term_wins_and_every_occurrence_counts() -> None:
    glossary = Glossary([GlossaryTerm("جيش", "army"), JAISH])
    text = "جيش الفتح وجيش الفتح ثم جيش"
    assert [m.term.english for m in glossary.find(text)] == ["Jaish al-Fatah", "Jaish al-Fatah", "army"]


def test_later_term_replaces_earlier_one_for_the_same_arabic() -> None:
    glossary = Glossary([KHAN_TUMAN, GlossaryTerm("خانَ طومان", "Khan Tuman")])
    assert [(t.arabic, t.english) for t in glossary.terms] == [("خانَ طومان", "Khan Tuman")]


def test_version_follows_the_terms() -> None:
    one, same = Glossary([KHAN_TUMAN, JAISH]), Glossary([JAISH, KHAN_TUMAN])
    assert one.version == same.version  # order does not matter
    assert Glossary([KHAN_TUMAN]).version != one.version
    assert Glossary([GlossaryTerm("خان طومان", "Khan Tuman"), JAISH]).version != one.version
    assert signature([KHAN_TUMAN]) == Glossary([KHAN_TUMAN]).version


def test_report_pairs_occurrences_in_order() -> None:
    glossary = Glossary([KHAN_TUMAN])
    source = "معركة في خان طومان ثم خان طومان"
    uses = glossary.report(source, "A battle at Khan Touman, then Khan Tuman.")
    assert [u.applied for u in uses] == [True, False]
    assert uses[0].target == (12, 23)
    assert source[slice(*uses[1].source)] == "خان طومان"
    # Case and spacing do not matter; a longer word does.
    assert english_spans("KHAN   touman", "Khan Touman") == [(0, 13)]
    assert english_spans("Khan Toumans", "Khan Touman") == []


def test_splice_point_from_the_alignment() -> None:
    # source: w0 w1 [w2 w3 = term] w4 ; target words 0..5
    alignment = WordAlignment(
        source_words=tuple((i, i + 1) for i in range(5)),
        target_words=tuple((i, i + 1) for i in range(6)),
        links=((0, 0), (1, 1), (3, 2), (2, 3), (4, 4), (4, 5)),
        word_scores=(),
        score=None,
    )
    match = Glossary([GlossaryTerm("ج د", "x")]).find("ا ب ج د ه")[0]
    assert (match.first, match.last) == (2, 4)
    assert splice_word(match, alignment, 0) == 2  # the first English word linked to the term
    assert splice_word(match, alignment, 3) == 3
    assert splice_word(match, alignment, 4) == 4  # past the term's words: before what follows it
    assert splice_word(match, alignment, 6) == 6  # the end
    assert splice_word(match, alignment, 7) is None
    # A stray link before the term's English does not win over the run of words that translate it.
    stray = dataclasses.replace(alignment, links=((2, 0), (1, 1), (3, 2), (2, 3), (4, 4), (4, 5)))
    assert splice_word(match, stray, 0) == 2


def test_file_round_trip_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "glossary.tsv"
    path.write_text("\ufeffarabic\tenglish\n# names\n\nخان طومان\tKhan Touman\nجيش الفتح\t Jaish al-Fatah \n", "utf-8")
    glossary = load_glossary(path)
    assert [t.english for t in glossary.terms] == ["Khan Touman", "Jaish al-Fatah"]
    save_glossary(Glossary([*glossary.terms, GlossaryTerm("حميميم", "Hmeimim")]), path)
    assert len(load_glossary(path)) == 3
    assert not list(tmp_path.glob(".glossary.tsv.*"))  # no temporary file left

    bad = tmp_path / "bad.tsv"
    for content, message in [
        ("خان طومان Khan Touman\n", "line 1: expected 'arabic<TAB>english'"),
        ("a\tb\tc\n", "line 1: expected"),
        ("Khan\tKhan Tuman\n", "line 1: the first column has no Arabic letters"),
        ("خان\t\n", "line 1: the English is empty"),
        ("\tKhan\n", "line 1: the Arabic is empty"),
        ("جيش الفتح\tJaish al-Fatah\nخان\tKhan\nجيش الفتح\tArmy of Conquest\n", "lines 1 and 3: two Englishes for"),
    ]:
        bad.write_text(content, "utf-8")
        with pytest.raises(InputError, match=message):
            load_glossary(bad)
    bad.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(InputError, match="not UTF-8"):
        load_glossary(bad)
    with pytest.raises(InputError, match="glossary not found"):
        load_glossary(tmp_path / "none.tsv")
    with pytest.raises(InputError, match="is a folder"):
        load_glossary(tmp_path)
    assert parse_glossary("# only a comment\n") == []


def test_with_and_without_a_term() -> None:
    glossary = Glossary([KHAN_TUMAN]).with_term(JAISH).with_term(GlossaryTerm("خانُ طومان", "Khan Tuman"))
    assert [t.english for t in glossary.terms] == ["Jaish al-Fatah", "Khan Tuman"]
    assert [t.english for t in glossary.without("وخان طومان").terms] == ["Jaish al-Fatah", "Khan Tuman"]
    assert [t.english for t in glossary.without("خان طومان").terms] == ["Jaish al-Fatah"]


def _aligned(source: str, target: str, links: list[tuple[int, int]]) -> WordAlignment:
    from translate.align import alignment_from_links

    return alignment_from_links(source, target, links)


@pytest.mark.parametrize(
    ("target", "links", "expected"),
    [
        # "Khan Tuman" aligned to خان طومان: that run renders it.
        (
            "Why all this fuss about Khan Tuman?",
            [(0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (6, 6)],
            "Khan Tuman?",
        ),
        # Only "Khan" aligned: the capitalised word after it that nothing else claims belongs to the name.
        ("Why all this fuss about Khan Tuman?", [(0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (5, 5)], "Khan Tuman?"),
        # "about" also pointed at the name: a capitalised term's rendering does not start lower-case.
        (
            "Why all this fuss about Khan Tuman?",
            [(0, 0), (1, 1), (2, 2), (3, 3), (5, 4), (5, 5), (6, 6)],
            "Khan Tuman?",
        ),
        # Nothing aligned to the name: no rendering.
        ("Why all this fuss?", [(0, 0), (1, 1), (2, 2), (3, 3), (4, 3)], None),
    ],
)
def test_the_rendering_of_a_term_is_found_through_the_alignment(target, links, expected) -> None:
    from translate.steer import rendering

    source = "فلماذا كل هذا التهويل حول خان طومان"
    (match,) = Glossary([KHAN_TUMAN]).find(source)
    alignment = _aligned(source, target, links)
    words = rendering(match, alignment, target, 0)
    found = (
        None if words is None else target[alignment.target_words[words[0]][0] : alignment.target_words[words[1] - 1][1]]
    )
    assert found == expected


def test_replacing_a_rendering_keeps_every_other_word_and_its_punctuation() -> None:
    from translate.steer import replace_words

    target = 'He said "Khan Tuman?" twice'
    alignment = _aligned("قال خان طومان", target, [(0, 0), (0, 1), (1, 2), (2, 3)])
    assert replace_words(target, alignment, (2, 4), "Khan Touman") == 'He said "Khan Touman?" twice'
    target = "Khan Tuman's people"
    alignment = _aligned("أهل خان طومان", target, [(1, 0), (2, 1), (0, 2)])
    assert replace_words(target, alignment, (0, 2), "Khan Touman") == "Khan Touman's people"


@pytest.mark.parametrize(
    ("before", "after", "replaced", "kept", "sound"),
    [
        # The damaged sentences, from a model that was never taught the spelling: all refused.
        (
            "Khan Tuman is a small village on the Aleppo highway.",
            "Khan Touman Tuman ke van Tuman on the Aleppo Kighway.",
            "Khan",
            0,
            False,
        ),
        ("Why all this fuss about Khan Tuman?", "Why all this fuss about Khan Touman Tuman?", "Khan", 5, False),
        ("A real battle of death is coming in Khan Tuman.", "Khan Touman Khan Touman Tuman.", "", 0, False),
        ("It was a real battle.", "Khan Toumance Khan Toumanion. Khan Toumanes.", "", 0, False),
        # Sound ones: the name replaced, or decoded in with the rest kept.
        ("Why all this fuss about Khan Tuman?", "Why all this fuss about Khan Touman?", "Khan Tuman?", 5, True),
        ("The battle is coming.", "The battle is coming in Khan Touman.", "", 4, True),
        ("The battle is coming.", "The battle is coming in Khan Touman, the village of the south.", "", 4, False),
        ("The battle is coming.", "The battle Khan Touman.", "", 2, False),
    ],
)
def test_a_splice_is_verified_before_it_is_used(before, after, replaced, kept, sound) -> None:
    from translate.steer import verify

    reason = verify(before, after, "Khan Touman", replaced, kept_words=kept)
    assert (reason is None) is sound, reason


@pytest.mark.parametrize(
    ("spelling", "other", "same"),
    [
        ("Khan Tuman", "Khan Touman", True),
        ("Hmeimim", "Humaymim", True),  # the same consonants, in order
        ("Hmeimim", "Ḥmeimīm", True),  # letters folded to their base
        ("al-Fatah", "el-Fateh", True),
        ("Jaish al Fatah", "Jaish el-Fateh", True),  # the article written apart
        ("Idlib", "Edlib", True),
        ("Khan Shaykhun", "Khan Touman", False),  # another place with the same first word
        ("human", "Touman", False),
        ("Aleppo", "Halab", False),  # a name and its exonym: not a spelling (the model's own rendering finds it)
        ("the", "Tha", False),  # too few consonants to go by, and too unlike
    ],
)
def test_transliterations_of_one_name_are_alike(spelling: str, other: str, same: bool) -> None:
    from translate.renderings import alike

    assert alike(spelling, other) is same


@pytest.mark.parametrize(
    ("target", "english", "after", "expected"),
    [
        ("So why all this fuss about Khan Tuman...", "Khan Touman", 0, "Khan Tuman..."),
        ("Khan Tuman fell, then Khan Tuman was retaken.", "Khan Touman", 1, "Khan Tuman"),  # from ``after`` on
        ("the Jaish al Fatah operations room", "Jaish al-Fatah", 0, "Jaish al Fatah"),  # one word more
        ("the Russian base at Humaymim.", "Hmeimim", 0, "Humaymim."),
        ("a human touch", "Touman", 0, None),  # a name starts with a capital
        ("The army took Khan Shaykhun.", "Khan Touman", 0, None),
    ],
)
def test_a_rendering_is_found_by_its_spelling(target: str, english: str, after: int, expected: str | None) -> None:
    from translate.renderings import spelled_like

    words = target.split()
    found = spelled_like(english, words, after)
    assert (" ".join(words[found[0] : found[1]]) if found else None) == expected


def test_a_character_span_covers_whole_words() -> None:
    from translate.align import word_spans
    from translate.renderings import words_of_span

    text = "So why all this fuss about Khan Tuman..."
    spans = word_spans(text)
    start = text.index("Khan Tuman")
    assert words_of_span(spans, (start, start + len("Khan Tuman"))) == (6, 8)
    assert words_of_span(spans, (start + 1, start + 3)) == (6, 7)  # part of a word is that word
    assert words_of_span(spans, (len(text), len(text))) is None


def test_a_splice_that_leaves_the_models_rendering_behind_is_refused() -> None:
    """An alignment that learned nothing pointed at "planes": the name went in, and "Khan Tuman" stayed too."""
    from translate.align import alignment_from_links
    from translate.steer import Plan, Steering

    source, before = "قصفت الطائرات خان طومان ليلا.", "The planes shelled Khan Tuman at night."
    glossary = Glossary([KHAN_TUMAN])
    (match,) = glossary.find(source)
    steering = Steering(None, glossary, lambda *_: [])  # type: ignore[arg-type]  # _verify asks no model
    alignment = alignment_from_links(source, before, [])
    wrong = Plan(match, "Khan Touman", alignment, (1, 2), "planes", [])
    reason = steering._verify(source, before, "The Khan Touman shelled Khan Tuman at night.", wrong)
    assert reason == "the model's own rendering of 'Khan Touman' is still in the sentence"
    right = Plan(match, "Khan Touman", alignment, (3, 5), "Khan Tuman", [])
    assert steering._verify(source, before, "The planes shelled Khan Touman at night.", right) is None
