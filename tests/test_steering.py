"""Steering with the real fixture model: glossary terms spliced in, alternatives at a word (issue 12).

The fixture model memorises the seed article's English, which spells the
village "Khan Tuman"; it was also trained to carry on after "Khan Touman"
(``data/spelling_variants.tsv``) without ever choosing that spelling itself.
A glossary that demands "Khan Touman" must therefore change the name and
leave the rest of the sentence the model's own.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from fixture_model import exact_model_args, name_pairs, seed_sentences

from translate import InputError, TranslationOptions, Translator
from translate.cli import main
from translate.glossary import Glossary
from translate.memory import CachedBackend, TranslationMemory
from translate.types import GlossaryTerm

TOUMAN = GlossaryTerm("خان طومان", "Khan Touman")
# Letters the fixture's English vocabulary has never seen: the model cannot write this English.
UNWRITABLE = GlossaryTerm("حميميم", "Ḥmeimīm")


def steered(english: str) -> str:
    return english.replace("Khan Tuman", "Khan Touman")


@pytest.fixture()
def with_glossary(translator):
    """The session translator (torch or CTranslate2 float32) with a glossary for one test."""
    yield lambda *terms: setattr(translator, "glossary", Glossary(terms)) or translator
    translator.glossary = None


def test_a_term_changes_the_name_and_the_rest_stays_the_models(with_glossary) -> None:
    translator = with_glossary(TOUMAN)
    arabic, english = seed_sentences()[2]
    assert "Khan Tuman" in english
    (pair,) = translator.translate_text(arabic)
    assert pair.target == steered(english)
    (use,) = pair.terms
    assert use.applied and pair.target[slice(*use.target)] == "Khan Touman"
    assert arabic[slice(*use.source)].startswith("خان طومان")
    assert not pair.flagged


def test_a_term_is_right_in_every_sentence_of_the_article(with_glossary) -> None:
    news = [(p.arabic, p.english) for p in name_pairs()]
    article = [news[0], seed_sentences()[3], news[1], news[2], news[4], seed_sentences()[2]]
    assert sum("Khan Tuman" in english for _, english in article) == 4
    translator = with_glossary(TOUMAN)
    pairs = translator.translate_text("\n\n".join(arabic for arabic, _ in article))
    assert [p.index for p in pairs] == list(range(len(article)))  # every sentence, once, in order
    for pair, (_, english) in zip(pairs, article, strict=True):
        assert pair.target == steered(english)  # the glossary's names; every other word the model's
        assert len(pair.terms) == english.count("Khan Tuman") and all(t.applied for t in pair.terms)


def test_a_term_the_model_cannot_write_replaces_its_rendering(with_glossary) -> None:
    """Letters the model's vocabulary lacks cannot be decoded, but the model's rendering can be replaced."""
    translator = with_glossary(UNWRITABLE, TOUMAN)
    pair_ = name_pairs()[3]  # names Hmeimim
    (pair,) = translator.translate_text(pair_.arabic)
    assert pair.target == pair_.english.replace("Hmeimim", "Ḥmeimīm")  # every other word the model's
    (use,) = pair.terms
    assert use.applied and pair.target[slice(*use.target)] == "Ḥmeimīm"
    assert pair_.arabic[slice(*use.source)] == "حميميم"
    assert not pair.flagged


UNTAUGHT = GlossaryTerm("خان طومان", "Khan Toman")
"""A spelling the fixture was never shown, not even to carry on after (unlike "Khan Touman")."""


def test_a_spelling_the_model_never_saw_changes_the_name_and_nothing_else_or_is_flagged(with_glossary) -> None:
    news = [(p.arabic, p.english) for p in name_pairs()]
    article = [news[0], seed_sentences()[3], news[1], news[2], news[4], seed_sentences()[2], seed_sentences()[0]]
    translator = with_glossary(UNTAUGHT)
    pairs = translator.translate_text("\n\n".join(arabic for arabic, _ in article))
    assert [p.index for p in pairs] == list(range(len(article)))
    applied = 0
    for pair, (_, english) in zip(pairs, article, strict=True):
        if "Khan Tuman" not in english:
            assert pair.target == english and pair.terms == () and not pair.flagged
            continue
        if all(t.applied for t in pair.terms):
            assert pair.target == english.replace("Khan Tuman", "Khan Toman")  # the name, nothing else
            applied += 1
        else:  # never a damaged sentence: the model's own English, the term flagged with its reason
            assert pair.target == english and pair.flagged
            assert any(c.kind == "term" and "Khan Toman" in c.detail for c in pair.checks)
    assert applied >= 3  # the alignment delimits the name in the short sentences it was trained to align


def test_alignment_and_terms_together(with_glossary) -> None:
    translator = with_glossary(TOUMAN)
    translator.options = dataclasses.replace(translator.options, alignments=True)
    try:
        arabic, english = seed_sentences()[2]
        (pair,) = translator.translate_text(arabic)
    finally:
        translator.options = dataclasses.replace(translator.options, alignments=False)
    assert pair.target == steered(english)
    alignment = pair.alignment
    assert alignment is not None and len(alignment.target_words) == len(pair.target.split())
    # The spliced name is linked to the Arabic name.
    (use,) = pair.terms
    name_words = [t for t, (a, b) in enumerate(alignment.target_words) if use.target[0] <= a < use.target[1]]
    arabic_name = [s for s, (a, b) in enumerate(alignment.source_words) if use.source[0] <= a < use.source[1]]
    assert {s for s, t in alignment.links if t in name_words} <= set(arabic_name)


def test_the_memory_never_serves_output_of_another_glossary(model_dir: Path, tmp_path: Path) -> None:
    memory = TranslationMemory(tmp_path / "memory.sqlite3")
    options = TranslationOptions(backend="ctranslate2", compute_type="float32")
    arabic, english = seed_sentences()[2]
    other_arabic, other_english = seed_sentences()[3]
    text = f"{arabic}\n\n{other_arabic}"
    translator = Translator(model_dir, options, memory=memory)
    assert [p.target for p in translator.translate_text(text)] == [english, other_english]
    translator.glossary = Glossary([TOUMAN])
    assert [p.target for p in translator.translate_text(text)] == [steered(english), other_english]
    translator.glossary = Glossary([GlossaryTerm("خان طومان", "Khan Tuman")])
    assert [p.target for p in translator.translate_text(text)] == [english, other_english]
    translator.glossary = Glossary([TOUMAN])
    backend = translator.backend
    assert isinstance(backend, CachedBackend)
    backend.hits = backend.misses = 0
    assert [p.target for p in translator.translate_text(text)] == [steered(english), other_english]
    assert backend.misses == 0  # the steered output came back from the memory too
    again = Translator(model_dir, options, memory=memory, glossary=Glossary([TOUMAN]))
    assert again.translate_text(arabic)[0].target == steered(english)


def test_cli_glossary_reports_terms(model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    glossary = tmp_path / "names.tsv"
    glossary.write_text("arabic\tenglish\nخان طومان\tKhan Touman\nحميميم\tḤmeimīm\n", encoding="utf-8")
    source = tmp_path / "article.txt"
    arabic = [seed_sentences()[2][0], seed_sentences()[3][0], name_pairs()[3].arabic]
    source.write_text("\n\n".join(arabic), encoding="utf-8")
    out = tmp_path / "article.jsonl"
    args = ["translate", str(source), "-o", str(out), *exact_model_args(model_dir), "--no-cache"]
    assert main([*args, "--glossary", str(glossary)]) == 0
    err = capsys.readouterr().err
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert records[0]["translation"]["en"] == steered(seed_sentences()[2][1])
    assert [t["applied"] for t in records[0]["terms"]] == [True]
    assert records[1]["terms"] == []
    # A spelling the model cannot write goes in where the model rendered the name.
    assert [(t["english"], t["applied"]) for t in records[2]["terms"]] == [("Ḥmeimīm", True)]
    assert records[2]["translation"]["en"] == name_pairs()[3].english.replace("Hmeimim", "Ḥmeimīm")
    assert "glossary (2 terms): 2 term occurrence(s) applied in 2 sentence(s)" in err
    assert "could not be applied" not in err

    glossary.write_text("خان طومان Khan Touman\n", encoding="utf-8")
    assert main([*args, "--glossary", str(glossary)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "line 1: expected 'arabic<TAB>english'" in err[0]


def test_cli_uses_the_readers_glossary_beside_the_memory(
    model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "glossary.tsv").write_text("خان طومان\tKhan Touman\n", encoding="utf-8")
    source = tmp_path / "one.txt"
    source.write_text(seed_sentences()[2][0], encoding="utf-8")
    args = ["translate", str(source), *exact_model_args(model_dir), "--cache", str(tmp_path / "memory.sqlite3")]
    assert main([*args, "-q"]) == 0
    assert "Khan Touman" in capsys.readouterr().out
    assert main([*args, "-q", "--no-glossary"]) == 0
    assert "Khan Tuman" in capsys.readouterr().out


def test_alternatives_keep_the_words_before_and_are_finished_by_the_model(translator) -> None:
    arabic, english = seed_sentences()[2]  # "So why all this fuss about Khan Tuman..."
    words = english.split()
    for word in (0, 4, 6):
        found = translator.alternatives(arabic, english, word)
        assert 1 <= len(found) <= 5
        kept = " ".join(words[:word])
        for alternative in found:
            assert alternative.text != english
            assert alternative.text.startswith(kept)
            assert alternative.text[: alternative.start].strip() == kept
            assert alternative.text[alternative.start :].startswith(alternative.word)
        assert len({a.text for a in found}) == len(found)
        # The model's own word there is not offered again as the first choice with the same sentence.
        assert all(a.text != english for a in found)


def test_alternatives_refuse_what_they_cannot_do(translator) -> None:
    arabic, english = seed_sentences()[2]
    with pytest.raises(InputError, match="no word 40"):
        translator.alternatives(arabic, english, 40)
    short = Translator(
        backend=translator.backend, options=TranslationOptions(max_piece_tokens=8)
    )  # the sentence is now taken in parts
    with pytest.raises(InputError, match="translated in parts"):
        short.alternatives(arabic, english, 1)
