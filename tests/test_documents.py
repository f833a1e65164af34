"""Documents that share batches come out as if each had been translated alone (issue 13)."""

from __future__ import annotations

from pathlib import Path

import pytest

from translate import TranslationOptions, Translator
from translate.documents import translate_documents

DOCUMENTS = [
    "مرحبا بكم. كيف حالك؟",
    "",
    "\n\nقال د. أحمد إن الاجتماع كان مثمرا.\r\nوأضاف أن النتائج ستعلن غدا.\n",
    "   ",
    "ارتفع السعر إلى 85.5 دولار.\n\n\nهذا نص قصير.",
]


@pytest.mark.parametrize("window", [2, 1000])
def test_each_document_is_translated_as_if_alone(translator, seed_text: str, window: int) -> None:
    documents = [*DOCUMENTS, seed_text, *DOCUMENTS]
    done = list(translate_documents(translator, enumerate(documents), window=window))
    assert [d.key for d in done] == list(range(len(documents)))  # every document, once, in order
    for document in done:
        pairs, info = translator.translate(documents[document.key])
        assert document.pairs == list(pairs)  # sources, English, offsets, indices, paragraphs, flags
        assert document.info == info
        text = documents[document.key]
        assert all(text[p.start : p.end] == p.source for p in document.pairs)


def test_sentences_of_consecutive_documents_share_batches(model_dir: Path) -> None:
    from recording import CountingBackend

    options = TranslationOptions(backend="ctranslate2", compute_type="float32", batch_size=32)
    recording = CountingBackend(Translator(model_dir, options).backend)
    translator = Translator(backend=recording, options=options)
    documents = ["مرحبا بكم. كيف حالك؟"] * 20  # 40 sentences, 2 a document
    list(translate_documents(translator, enumerate(documents), window=1000))
    assert max(recording.batches) == 32  # one document alone makes batches of 2


def test_documents_are_read_only_as_far_as_the_window(translator) -> None:
    read: list[int] = []

    def documents():
        for i in range(50):
            read.append(i)
            yield i, "مرحبا بكم. كيف حالك؟"

    stream = translate_documents(translator, documents(), window=6)
    first = next(stream)
    assert first.key == 0 and len(read) == 3  # 3 documents make the first window of 6 sentences
    assert [d.key for d in stream] == list(range(1, 50))
