"""The translator end to end, on the real fixture MarianMT model."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

import pytest

from translate import AlignedPair, TranslationOptions, Translator
from translate.types import Hypothesis


class CountingBackend:
    """The real backend, with a count of the batches it was asked to translate."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.name, self.device, self.model = inner.name, inner.device, inner.model
        self.max_source_tokens = inner.max_source_tokens
        self.settings, self.beam, self.batch_tokens = inner.settings, inner.beam, inner.batch_tokens
        self.batches: list[int] = []

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return self.inner.count_tokens(texts)

    def translate_batch(self, texts: Sequence[str]) -> list[Hypothesis]:
        self.batches.append(len(texts))
        return self.inner.translate_batch(texts)


def test_seed_article_gives_the_twelve_expected_pairs(translator: Translator, seed_text, seed_pairs) -> None:
    pairs, info = translator.translate(seed_text)
    assert info.sentences == 12 and info.paragraphs == 1 and info.has_arabic
    assert info.backend == translator.options.backend and info.device == "cpu"
    pairs = list(pairs)
    assert [(p.source, p.target) for p in pairs] == seed_pairs
    assert [p.index for p in pairs] == list(range(12))
    assert all(seed_text[p.start : p.end] == p.source for p in pairs)
    assert not any(p.truncated for p in pairs)


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
    options = dataclasses.replace(options, backend=translator.options.backend)
    other = Translator(model_dir, options)
    assert other.backend.beam == (options.beam or 4)
    assert [p.target for p in other.translate_text(seed_text)] == [en for _, en in seed_pairs]


@pytest.mark.parametrize("backend", ["torch", "ctranslate2"])
def test_translation_stopped_at_the_length_limit_is_flagged(model_dir: Path, backend: str) -> None:
    short = Translator(model_dir, TranslationOptions(max_length=12, backend=backend))
    pairs = short.translate_text("مرحبا بكم. قال د. أحمد إن الاجتماع كان مثمرا.")
    assert len(pairs) == 2
    assert pairs[0].target == "Welcome." and not pairs[0].truncated
    assert pairs[1].truncated and pairs[1].target and "fruitful" not in pairs[1].target


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


def test_text_without_arabic_is_translated_and_reported(translator: Translator) -> None:
    pairs, info = translator.translate("Hello world.")
    assert not info.has_arabic
    assert [p.target for p in pairs] == ["Hello world."]


@pytest.mark.parametrize("text", ["", "   \n\t\n", "\u200b\n"])
def test_nothing_to_translate(translator: Translator, text: str) -> None:
    pairs, info = translator.translate(text)
    got = list(pairs)
    assert len(got) == info.sentences
    assert all(isinstance(p, AlignedPair) and p.target == "" for p in got)


def test_every_sentence_gets_exactly_one_pair(translator: Translator, seed_text: str) -> None:
    text = "\n\n".join([seed_text, "مرحبا بكم.", "", "كيف حالك؟ هذا نص قصير."])
    pairs = translator.translate_text(text)
    assert [p.index for p in pairs] == list(range(len(pairs)))
    non_space = "".join(text.split())
    assert "".join("".join(p.source.split()) for p in pairs) == non_space
