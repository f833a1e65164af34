"""The translator end to end, on the real fixture MarianMT model."""

from __future__ import annotations

import dataclasses
import io
import itertools
import json
import random
import tracemalloc
from pathlib import Path

import pytest
from fixture_model import EXACT_COMPUTE_TYPE
from recording import CountingBackend

from translate import AlignedPair, TranslationOptions, Translator, write_jsonl
from translate.normalize import normalize_for_model
from translate.quality import is_repetitive
from translate.translator import RETRY_CONTROLS
from translate.types import Hypothesis


def test_seed_article_gives_the_twelve_expected_pairs(translator: Translator, seed_text, seed_pairs) -> None:
    pairs, info = translator.translate(seed_text)
    assert info.sentences == 12 and info.paragraphs == 1 and info.has_arabic
    assert info.backend == translator.options.backend and info.device == "cpu"
    pairs = list(pairs)
    assert [(p.source, p.target) for p in pairs] == seed_pairs
    assert [p.index for p in pairs] == list(range(12))
    assert all(seed_text[p.start : p.end] == p.source for p in pairs)
    assert not any(p.truncated for p in pairs)


def test_a_translation_is_not_kept_once_its_sentence_is_out(translator: Translator, seed_text: str) -> None:
    """A long article must not hold every translation until its end: memory stays bounded."""

    class Heavy(CountingBackend):
        def translate_batch(self, texts, controls=None):  # the real model's English, each with 100 kB more
            return [
                dataclasses.replace(h, pieces=(*h.pieces, "x" * 100_000))
                for h in self.inner.translate_batch(texts, controls)
            ]

    # Batches of 4, so windows of 16 sentences: the article is translated a window at a time.
    streaming = Translator(options=TranslationOptions(batch_size=4, retry=False), backend=Heavy(translator.backend))
    pairs, info = streaming.translate("\n".join([seed_text] * 10))
    assert info.sentences == 120
    tracemalloc.start()
    try:
        for _ in range(20):
            next(pairs)
        early = tracemalloc.get_traced_memory()[0]
        rest = sum(1 for _ in itertools.islice(pairs, 90))
        late = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert rest == 90
    assert late - early < 3_000_000  # 90 more sentences out; kept, their translations would take 9 MB


def test_setup_is_eager_and_translation_lazy(translator: Translator, seed_text: str) -> None:
    counting = CountingBackend(translator.backend)
    lazy = Translator(options=TranslationOptions(batch_size=4), backend=counting)
    pairs, info = lazy.translate(seed_text)
    assert info.sentences == 12
    assert counting.batches == []  # nothing translated until iterated
    first = next(pairs)
    assert first.index == 0
    assert 0 < len(counting.batches) < 3  # the first pair came before the whole article was done
    assert len([first, *pairs]) == 12
    assert sum(counting.batches) == 12 and max(counting.batches) <= 4


@pytest.mark.parametrize(
    "options",
    [
        TranslationOptions(batch_size=1),
        TranslationOptions(batch_size=3),
        TranslationOptions(batch_size=64, batch_tokens=100_000),
        TranslationOptions(batch_size=64, batch_tokens=300),
        TranslationOptions(beam=1),
    ],
    ids=["batch-1", "batch-3", "batch-64", "token-budget-300", "greedy"],
)
def test_batching_and_beam_do_not_change_output(
    translator: Translator, model_dir: Path, seed_text, seed_pairs, options
) -> None:
    options = dataclasses.replace(
        options, backend=translator.options.backend, compute_type=translator.options.compute_type
    )
    other = Translator(model_dir, options)
    assert other.backend.beam == (options.beam or 4)
    assert [p.target for p in other.translate_text(seed_text)] == [en for _, en in seed_pairs]


@pytest.mark.parametrize("backend", ["torch", "ctranslate2"])
def test_translation_stopped_at_the_length_limit_is_retried_then_flagged(model_dir: Path, backend: str) -> None:
    options = TranslationOptions(max_length=12, backend=backend, compute_type=EXACT_COMPUTE_TYPE)
    counting = CountingBackend(Translator(model_dir, options).backend)
    short = Translator(options=TranslationOptions(max_length=12), backend=counting)
    pairs = short.translate_text("مرحبا بكم. قال د. أحمد إن الاجتماع كان مثمرا.")
    assert len(pairs) == 2
    assert pairs[0].target == "Welcome." and not pairs[0].flagged
    assert pairs[1].truncated and pairs[1].flagged and pairs[1].target and "fruitful" not in pairs[1].target
    retries = [(texts, controls) for texts, controls, _ in counting.calls if controls is not None]
    assert retries == [(["قال د. أحمد إن الاجتماع كان مثمرا."], RETRY_CONTROLS)]  # once, the cut-off one only

    counting.calls.clear()
    no_retry = Translator(options=TranslationOptions(max_length=12, retry=False), backend=counting)
    assert [p.truncated for p in no_retry.translate_text("مرحبا بكم. قال د. أحمد إن الاجتماع كان مثمرا.")] == [
        False,
        True,
    ]
    assert all(controls is None for _, controls, _ in counting.calls)


def _word_soup(count: int = 30) -> str:
    """Sentences of seed-article words in random order: text the fixture model never learned."""
    words = (Path(__file__).parent.parent / "seeds" / "khan-tuman.ar.txt").read_text(encoding="utf-8").split()
    rng = random.Random(3)
    return "\n".join(" ".join(rng.choice(words) for _ in range(15 + 15 * (i % 2))) for i in range(count))


@pytest.mark.parametrize("backend", ["torch", "ctranslate2"])
def test_repetition_loops_are_retried_once_with_repetition_controls(model_dir: Path, backend: str) -> None:
    options = TranslationOptions(beam=1, backend=backend, compute_type=EXACT_COMPUTE_TYPE)
    counting = CountingBackend(Translator(model_dir, options).backend)
    # Loops alone: word soup has numbers and Arabic the checks would flag and repair too (tests/test_fidelity.py).
    translator = Translator(options=TranslationOptions(beam=1, checks=False), backend=counting)
    pairs, info = translator.translate(_word_soup())
    pairs = list(pairs)
    assert info.pieces == len(pairs)  # every sentence is one piece here
    first = {t: h for texts, controls, hyps in counting.calls if controls is None for t, h in _zip(texts, hyps)}
    retried = {t: h for texts, controls, hyps in counting.calls if controls is not None for t, h in _zip(texts, hyps)}
    assert all(controls in (None, RETRY_CONTROLS) for _, controls, _ in counting.calls)
    # The fixture model loops on word soup, as opus-mt does on odd input.
    looped = {t for t, h in first.items() if is_repetitive(h.text, t)}
    assert looped, "the fixture model no longer loops on word soup; pick other input"
    assert set(retried) == looped | {t for t, h in first.items() if h.truncated}
    assert sum(len(texts) for texts, controls, _ in counting.calls if controls) == len(retried)  # once each
    fixed = 0
    for pair in pairs:
        text = normalize_for_model(pair.source)
        assert pair.target  # a flagged translation is kept, never dropped
        if text in retried and not (retried[text].truncated or is_repetitive(retried[text].text, text)):
            assert pair.target == retried[text].text and not pair.flagged
            fixed += 1
        else:
            assert pair.flagged == (text in retried)
    assert fixed >= 1  # the controls broke at least one loop
    record = json.loads(_jsonl(pairs).splitlines()[0])
    assert {"truncated", "repetitive"} <= record.keys()


def _zip(texts: list[str], hypotheses: list[Hypothesis]):
    return zip(texts, hypotheses, strict=True)


def _jsonl(pairs: list[AlignedPair]) -> str:
    out = io.StringIO()
    write_jsonl(pairs, out)
    return out.getvalue()


def test_long_sentences_are_split_into_pieces_not_truncated(model_dir: Path, seed_text: str, seed_pairs) -> None:
    small = Translator(model_dir, TranslationOptions(max_piece_tokens=60, max_length=64))
    pairs, info = small.translate(seed_text)
    pairs = list(pairs)
    assert info.pieces > info.sentences == 12
    assert [p.source for p in pairs] == [ar for ar, _ in seed_pairs]  # still one row per sentence
    split = [p for p in pairs if p.pieces > 1]
    assert split and all(p.target for p in split)
    counts = small.backend.count_tokens([p.source for p in pairs])
    assert all(p.pieces == 1 for p, n in zip(pairs, counts, strict=True) if n <= 60)


def test_joined_sentences_and_abbreviations(translator: Translator) -> None:
    pairs = translator.translate_text("قال د. أحمد إن الاجتماع كان مثمرا.وأضاف أن النتائج ستعلن غدا.")
    assert [p.target for p in pairs] == [
        "Dr. Ahmed said the meeting was fruitful.",
        "He added that the results will be announced tomorrow.",
    ]


def test_invisible_characters_are_normalized_for_the_model_only(translator: Translator) -> None:
    noisy = "\u200fارتفع السعـــر إلى 85.5\u200b دولار.\r\nكيف  حالك؟"
    pairs = translator.translate_text(noisy)
    assert [p.target for p in pairs] == ["The price rose to 85.5 dollars.", "How are you?"]
    assert pairs[0].source == "\u200fارتفع السعـــر إلى 85.5\u200b دولار."
    assert [p.paragraph for p in pairs] == [0, 1]


def test_text_without_arabic_comes_back_as_it_came_and_is_reported(translator: Translator) -> None:
    pairs, info = translator.translate("Hello world.")
    assert not info.has_arabic
    assert [(p.target, p.copied) for p in pairs] == [("Hello world.", True)]


@pytest.mark.parametrize("text", ["", "   \n\t\n", "\u200b\n"])
def test_nothing_to_translate(translator: Translator, text: str) -> None:
    pairs, info = translator.translate(text)
    got = list(pairs)
    assert len(got) == info.sentences
    # Nothing the model could read (a zero-width space): given back as it came, never translated.
    assert all(isinstance(p, AlignedPair) and p.copied and p.target == p.source for p in got)


def test_every_sentence_gets_exactly_one_pair(translator: Translator, seed_text: str) -> None:
    text = "\n\n".join([seed_text, "مرحبا بكم.", "", "كيف حالك؟ هذا نص قصير."])
    pairs = translator.translate_text(text)
    assert [p.index for p in pairs] == list(range(len(pairs)))
    non_space = "".join(text.split())
    assert "".join("".join(p.source.split()) for p in pairs) == non_space


def test_known_pairs_come_back_as_they_are_unasked(translator, seed_text) -> None:
    """Finishing a stopped translation: the pairs already translated are passed in and never sent again."""
    pairs = translator.translate_text(seed_text)
    known = {p.index: dataclasses.replace(p, target=p.target + " (kept)") for p in pairs[:7]}
    inner = translator.backend
    translator.backend = counting = CountingBackend(inner)
    try:
        again, info = translator.translate(seed_text, known=known)
        again = list(again)
    finally:
        translator.backend = inner
    assert info.sentences == len(pairs) == len(again)
    assert again[:7] == list(known.values()) and again[7:] == pairs[7:]
    asked = {text for texts, _, _ in counting.calls for text in texts}
    assert asked and asked <= {normalize_for_model(p.source) for p in pairs[7:]}
