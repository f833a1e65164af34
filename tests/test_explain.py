"""Backend.explain: pieces, log-probs and alignment-head attention from a forced pass, on the fixture model."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from fixture_model import EXACT_COMPUTE_TYPE

from translate import TranslationOptions, Translator
from translate.align import sentence_score
from translate.memory import TranslationMemory
from translate.normalize import normalize_for_model


@pytest.fixture(scope="module")
def backends(model_dir):
    """The torch backend and the CTranslate2 one at float32: the two that must agree."""
    torch = Translator(model_dir, TranslationOptions(backend="torch")).backend
    ct2 = Translator(model_dir, TranslationOptions(backend="ctranslate2", compute_type=EXACT_COMPUTE_TYPE)).backend
    return torch, ct2


@pytest.fixture(scope="module")
def batch(seed_pairs):
    """Seed sentences of different lengths, and a person's correction the model never produced."""
    sources = [normalize_for_model(ar) for ar, _ in seed_pairs[:4]] + ["مرحبا بكم."]
    targets = [en for _, en in seed_pairs[:4]] + ["Hello there, friends."]
    return sources, targets


def test_torch_and_ctranslate2_see_the_same_pieces_probabilities_and_attention(backends, batch) -> None:
    sources, targets = batch
    torch_details, ct2_details = (backend.explain(sources, targets) for backend in backends)
    assert len(torch_details) == len(ct2_details) == len(sources)
    for a, b in zip(torch_details, ct2_details, strict=True):
        assert a.source == b.source and a.target == b.target
        np.testing.assert_allclose(a.log_probs, b.log_probs, atol=1e-3)
        np.testing.assert_allclose(a.attention, b.attention, atol=1e-4)


def test_shapes_follow_the_pieces(backends, batch) -> None:
    sources, targets = batch
    for backend in backends:
        for detail, target in zip(backend.explain(sources, targets), targets, strict=True):
            assert detail.source[-1] == "</s>" and "</s>" not in detail.target
            assert "".join(detail.target).replace("▁", " ").strip() == target  # the pieces spell the text
            assert len(detail.log_probs) == len(detail.attention) == len(detail.target)
            assert all(len(row) == len(detail.source) for row in detail.attention)
            assert all(math.isclose(sum(row), 1.0, abs_tol=1e-4) for row in detail.attention)  # a distribution
            assert all(p <= 0.0 for p in detail.log_probs)


@pytest.mark.parametrize("which", [0, 1], ids=["torch", "ctranslate2"])
def test_a_sentence_gets_the_same_answer_alone_or_in_a_batch(backends, batch, which: int) -> None:
    """Batching pads sentences to each other's length; padding must change nothing."""
    sources, targets = batch
    together = backends[which].explain(sources, targets)
    for i in (2, 4):  # the shortest seed sentence, and the correction
        (alone,) = backends[which].explain([sources[i]], [targets[i]])
        assert alone.target == together[i].target
        np.testing.assert_allclose(alone.log_probs, together[i].log_probs, atol=1e-4)
        np.testing.assert_allclose(alone.attention, together[i].attention, atol=1e-4)


def test_torch_explains_in_parts_that_bound_its_logits(backends, batch, monkeypatch) -> None:
    """On a CPU the forced pass runs in parts of what :func:`scoring_sentences` allows; the answer is the same."""
    import translate.backend

    torch_backend = backends[0]
    sources, targets = batch
    seen: list[int] = []
    forced_pass = torch_backend._forced_pass

    def counted(part_sources, rows):
        seen.append(len(part_sources))
        return forced_pass(part_sources, rows)

    monkeypatch.setattr(torch_backend, "_forced_pass", counted)
    monkeypatch.setattr(translate.backend, "scoring_sentences", lambda tokens, vocabulary: len(sources))
    whole = torch_backend.explain(sources, targets)
    assert seen == [len(sources)]
    monkeypatch.setattr(translate.backend, "scoring_sentences", lambda tokens, vocabulary: 2)
    seen.clear()
    parts = torch_backend.explain(sources, targets)
    assert seen == [2, 2, 1]
    for a, b in zip(whole, parts, strict=True):
        assert a.source == b.source and a.target == b.target
        np.testing.assert_allclose(a.log_probs, b.log_probs, atol=1e-4)
        np.testing.assert_allclose(a.attention, b.attention, atol=1e-4)


def test_a_memorised_translation_scores_far_above_a_wrong_one(backends, seed_pairs) -> None:
    source = normalize_for_model(seed_pairs[2][0])
    right, wrong = backends[1].explain([source, source], [seed_pairs[2][1], seed_pairs[5][1]])
    assert sentence_score(right.log_probs) > math.log(0.9)  # the fixture learned it by heart
    assert sentence_score(wrong.log_probs) < sentence_score(right.log_probs) - 1.0


def test_the_translation_memory_passes_explain_through(model_dir, tmp_path, batch) -> None:
    options = TranslationOptions(backend="ctranslate2", compute_type=EXACT_COMPUTE_TYPE)
    cached = Translator(model_dir, options, memory=TranslationMemory(tmp_path / "memory.sqlite3")).backend
    sources, targets = batch
    (detail,) = cached.explain(sources[:1], targets[:1])
    assert detail.target and len(detail.attention) == len(detail.target)
    assert cached.explain([], []) == []


def test_the_fixture_pairs_align_word_by_word(backends, seed_pairs) -> None:
    """Through the real model: every English word of a seed sentence gets one link, inside both sentences."""
    from translate.align import align_pair

    arabic, english = seed_pairs[2]
    (detail,) = backends[1].explain([normalize_for_model(arabic)], [english])
    alignment = align_pair(arabic, english, detail)
    assert alignment is not None
    assert [english[a:b] for a, b in alignment.target_words] == english.split()
    assert [arabic[a:b] for a, b in alignment.source_words] == arabic.split()
    assert [t for _, t in alignment.links] == list(range(len(english.split())))
    assert all(0 <= s < len(alignment.source_words) for s, _ in alignment.links)
    assert len(alignment.word_scores) == len(english.split()) and alignment.score > math.log(0.9)


@pytest.mark.parametrize("backend", ["torch", "ctranslate2"])
def test_the_translator_aligns_its_pairs_and_corrections(model_dir, seed_text, backend: str) -> None:
    import dataclasses

    translator = Translator(model_dir, TranslationOptions(backend=backend, compute_type=EXACT_COMPUTE_TYPE))
    pairs = translator.translate_text(seed_text + "\nمرحبا بكم.")
    # A person's correction is aligned as it stands; a pair with no English is left unaligned.
    pairs[12] = dataclasses.replace(pairs[12], target="Hello, and welcome to you all.", edited=True)
    pairs.append(dataclasses.replace(pairs[0], index=13, target=""))
    alignments = translator.align(pairs)
    assert len(alignments) == len(pairs) and alignments[13] is None
    for pair, alignment in zip(pairs[:13], alignments, strict=False):
        assert alignment is not None, pair.target
        assert [pair.target[a:b] for a, b in alignment.target_words] == pair.target.split()
        assert sorted(t for _, t in alignment.links) == list(range(len(pair.target.split())))
    # The model is sure of what it learned by heart, and far less of the correction.
    assert min(a.score for a in alignments[:12]) > math.log(0.9) > alignments[12].score


def test_what_cannot_be_aligned_in_one_pass_is_left_unaligned(model_dir, seed_pairs) -> None:
    """A correction longer than the model's positions, or a source taken in parts: None, not a crash."""
    import dataclasses

    from translate import AlignedPair

    translator = Translator(model_dir, TranslationOptions(backend="ctranslate2", compute_type=EXACT_COMPUTE_TYPE))
    arabic, english = seed_pairs[2]
    pair = AlignedPair(0, 0, arabic, english)
    long_english = dataclasses.replace(pair, target="and " * 600, edited=True)
    in_parts = dataclasses.replace(pair, pieces=2)
    assert translator.align([long_english, in_parts, pair])[:2] == [None, None]
    assert translator.align([pair])[0] is not None
    # A correction the translation memory supplied has no model pieces (0), and is aligned all the same.
    remembered = dataclasses.replace(pair, target="Why all this fuss, then?", edited=True, pieces=0)
    assert translator.align([remembered])[0] is not None


def test_ctranslate2_details_from_a_batched_beam_search_match_a_forced_pass(model_dir, seed_pairs) -> None:
    """With alignments on, CTranslate2 takes the attention from its beam search and fixes its first row.

    CTranslate2 4.8 gets that row wrong for each hypothesis of a batched beam
    search; a batch of sentences of different lengths at beam 4 is where it
    shows. The details must equal those of a forced pass over the same pieces.
    """
    options = TranslationOptions(backend="ctranslate2", compute_type="float32", beam=4, alignments=True)
    backend = Translator(model_dir, options).backend
    sources = [normalize_for_model(arabic) for arabic, _ in [seed_pairs[2], seed_pairs[0], seed_pairs[3]]]
    hypotheses = backend.translate_batch(sources)
    forced = backend.explain(sources, [h.text for h in hypotheses], [h.pieces for h in hypotheses])
    for hypothesis, expected in zip(hypotheses, forced, strict=True):
        detail = hypothesis.detail
        assert detail is not None and detail.target == expected.target == hypothesis.pieces
        assert detail.source == expected.source
        assert detail.log_probs == pytest.approx(expected.log_probs, abs=1e-4)
        for row, want in zip(detail.attention, expected.attention, strict=True):
            assert row == pytest.approx(want, abs=1e-4)
    # Without alignments the backend does no extra work.
    plain = Translator(model_dir, dataclasses.replace(options, alignments=False)).backend
    assert all(h.detail is None for h in plain.translate_batch(sources))
