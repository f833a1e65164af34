"""Word alignment against gold links: the fixture model was trained to align (guided alignment), so it can be measured.

The fixture's synthetic sentences (``tests/synthetic.py``) have word links
known by construction: verb–subject and noun–adjective reordering, one Arabic
word giving two or three English words. Their alignment error rate (AER) is
measured through both backends, at beam 1 and 4, a sentence per batch and all
in one, through the CLI's JSONL, and on sentences the model never saw (forced
through the gold English, as a person's correction is).
"""

from __future__ import annotations

import json
import math

import pytest
import synthetic
from fixture_model import EXACT_COMPUTE_TYPE

from translate import AlignedPair, TranslationOptions, Translator, read_jsonl
from translate.cli import main

MAX_AER = 0.15
"""The issue's bar for the guided fixture; it measures 0.00 on the training sentences and ~0.08 held out."""


def _links(pairs: list[AlignedPair]) -> list[set[tuple[int, int]]]:
    return [set(p.alignment.links) if p.alignment is not None else set() for p in pairs]


def _shifted(predicted: list[set[tuple[int, int]]], gold: list[synthetic.GoldPair]) -> int:
    """Links that are wrong but would be right one English word to the left or right: the off-by-one signature."""
    return sum(
        1
        for links, pair in zip(predicted, gold, strict=True)
        for s, t in links
        if (s, t) not in pair.possible and ((s, t - 1) in pair.sure or (s, t + 1) in pair.sure)
    )


@pytest.fixture(scope="module")
def gold() -> list[synthetic.GoldPair]:
    return synthetic.training_pairs()


@pytest.fixture(scope="module")
def gold_text(gold) -> str:
    """The training sentences as one article, a paragraph each."""
    return "\n\n".join(pair.arabic for pair in gold)


@pytest.mark.parametrize("beam", [1, 4])
@pytest.mark.parametrize("backend", ["torch", "ctranslate2"])
def test_the_model_aligns_its_translations_like_the_gold_links(model_dir, gold, gold_text, backend, beam) -> None:
    results = {}
    for batch_size in (1, 32):  # one sentence per batch, and all in one
        options = TranslationOptions(
            backend=backend, compute_type=EXACT_COMPUTE_TYPE, beam=beam, batch_size=batch_size, alignments=True
        )
        pairs = Translator(model_dir, options).translate_text(gold_text)
        assert [p.target for p in pairs] == [g.english for g in gold]
        assert all(p.alignment is not None for p in pairs)
        predicted = _links(pairs)
        aer = synthetic.alignment_error_rate(predicted, gold)
        print(f"{backend} beam {beam} batch {batch_size}: AER {aer:.3f}")
        assert aer <= MAX_AER
        assert _shifted(predicted, gold) <= 0.02 * sum(len(p) for p in predicted)
        # Every English word is linked once, to a word of its own sentence.
        for pair, links in zip(pairs, predicted, strict=True):
            assert sorted(t for _, t in links) == list(range(len(pair.target.split())))
            assert all(0 <= s < len(pair.source.split()) for s, _ in links)
        results[batch_size] = predicted
    # Batching changes nothing: CTranslate2's first-row attention bug in batched beam search does not reach us.
    assert results[1] == results[32]


def test_both_backends_give_the_same_links(model_dir, gold_text) -> None:
    links = []
    for backend in ("torch", "ctranslate2"):
        options = TranslationOptions(backend=backend, compute_type=EXACT_COMPUTE_TYPE, alignments=True)
        links.append(_links(Translator(model_dir, options).translate_text(gold_text)))
    assert links[0] == links[1]


def test_sentences_the_model_never_saw_align_through_their_english(model_dir) -> None:
    """As a person's correction is aligned: the model is forced through English it did not produce."""
    held_out = synthetic.held_out_pairs()
    translator = Translator(model_dir, TranslationOptions(compute_type=EXACT_COMPUTE_TYPE))
    alignments = translator.align([AlignedPair(i, i, p.arabic, p.english, edited=True) for i, p in enumerate(held_out)])
    assert all(a is not None for a in alignments)
    aer = synthetic.alignment_error_rate([set(a.links) for a in alignments if a is not None], held_out)
    print(f"held out: AER {aer:.3f}")
    assert aer <= MAX_AER


def test_the_cli_writes_alignments_and_scores_in_jsonl(model_dir, gold, gold_text, tmp_path, capsys) -> None:
    source = tmp_path / "gold.ar.txt"
    source.write_text(gold_text, encoding="utf-8")
    out = tmp_path / "gold.jsonl"
    argv = ["translate", str(source), "-o", str(out), "--model", str(model_dir), "--compute-type", "float32"]
    assert main([*argv, "--alignments", "--no-cache", "-q"]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    predicted = [set(tuple(map(int, link.split("-"))) for link in r["alignment"].split()) for r in records]
    aer = synthetic.alignment_error_rate(predicted, gold)
    print(f"CLI JSONL: AER {aer:.3f}")
    assert aer <= MAX_AER
    assert all(r["score"] is not None and r["score"] <= 0 for r in records)
    assert all(len(r["word_scores"]) == len(r["translation"]["en"].split()) for r in records)
    # The JSONL reader gives back the same pairs, alignments included.
    back = list(read_jsonl(lines))
    assert _links(back) == predicted
    assert [p.score for p in back] == [r["score"] for r in records]
    # Without --alignments the fields are there, empty: the same schema either way.
    assert main([*argv, "--no-cache", "-q"]) == 0
    plain = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert all(r["alignment"] is None and r["score"] is None for r in plain)


def test_a_memorised_sentence_scores_higher_than_gibberish(model_dir, gold) -> None:
    translator = Translator(model_dir, TranslationOptions(compute_type=EXACT_COMPUTE_TYPE, alignments=True))
    memorised = translator.translate_text(gold[0].arabic)
    gibberish = translator.translate_text("ظظظ غغغ ثثث ضضض ذذذ")
    assert memorised[0].score is not None and gibberish[0].score is not None
    assert memorised[0].score > math.log(0.9) > gibberish[0].score


def test_sentences_in_parts_and_remembered_corrections_are_aligned_too(model_dir, seed_text, tmp_path) -> None:
    """A sentence too long for one pass is aligned part by part and joined; a correction from the memory is aligned."""
    from translate.memory import TranslationMemory
    from translate.normalize import normalize_for_model

    memory = TranslationMemory(tmp_path / "memory.sqlite3")
    first = Translator(model_dir, TranslationOptions(compute_type=EXACT_COMPUTE_TYPE)).translate_text(seed_text)
    memory.store_human(normalize_for_model(first[2].source), "So why such a fuss over Khan Tuman?")
    options = TranslationOptions(compute_type=EXACT_COMPUTE_TYPE, max_piece_tokens=40, alignments=True)
    pairs = Translator(model_dir, options, memory=memory).translate_text(seed_text)
    parted = [p for p in pairs if p.pieces > 1]
    assert parted, "the 40-token cap should split the long seed sentences"
    for pair in pairs:
        alignment = pair.alignment
        assert alignment is not None, pair.index
        assert [pair.target[a:b] for a, b in alignment.target_words] == pair.target.split()
        assert [pair.source[a:b] for a, b in alignment.source_words] == pair.source.split()
        assert sorted(t for _, t in alignment.links) == list(range(len(pair.target.split())))
        assert len(alignment.word_scores) == len(alignment.target_words)
    assert pairs[2].edited and pairs[2].target == "So why such a fuss over Khan Tuman?"
    # Parts are joined with their words shifted: the last English word, from the last part (at most
    # 40 tokens, so at most 40 words), links to one of the sentence's last 40 Arabic words.
    assert max(len(p.source.split()) for p in parted) > 80  # where a shift would show
    for pair in parted:
        alignment = pair.alignment
        assert alignment is not None
        (source,) = [s for s, t in alignment.links if t == len(alignment.target_words) - 1]
        assert source >= len(alignment.source_words) - 40
    memory.close()
