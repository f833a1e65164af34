"""The reader's alternatives and glossary, through its handlers and its API (issue 12)."""

from __future__ import annotations

import io
import re
from html import unescape
from pathlib import Path

import gradio as gr
import pytest
from fixture_model import EXACT_COMPUTE_TYPE, seed_sentences
from gradio_client import Client
from gradio_client.exceptions import AppError
from spellings import named_sentences, spell_one_oddly

from translate import TranslationOptions, read_tsv
from translate.glossary import load_glossary
from translate.memory import TranslationMemory
from ui.handlers import Reader
from ui.models import ModelPool
from ui.steering import SteeringHandlers

KHAN = seed_sentences()[2]  # "So why all this fuss about Khan Tuman..."
OTHER = seed_sentences()[3]


@pytest.fixture()
def own(reader, tmp_path: Path):
    """Handlers of one person's reader: a memory, a glossary beside it, corrections remembered."""
    memory = TranslationMemory(tmp_path / "memory.sqlite3")
    pool = ModelPool(
        TranslationOptions(compute_type=EXACT_COMPUTE_TYPE),
        local_dirs=[Path(reader.model)],
        memory=memory,
        glossary_path=tmp_path / "glossary.tsv",
    )
    yield SteeringHandlers(Reader(pool, downloads=tmp_path / "out")), reader.model
    memory.close()


def _read(handler: SteeringHandlers, model: str, text: str):
    *_, last = handler.reader.translate_text(text, model)
    return last[4]


def _tsv(update) -> list:
    return list(read_tsv(io.StringIO(Path(update.value["path"]).read_text(encoding="utf-8"))))


def test_alternatives_menu_from_the_handler(own) -> None:
    handler, model = own
    reading = _read(handler, model, KHAN[0])
    menu = handler.alternatives(reading, gr.EventData(None, {"index": 0, "word": 4}))
    assert f'data-doc="{reading.doc}" data-pair="0" data-w="4"' in menu
    texts = [unescape(t) for t in re.findall(r'data-text="([^"]*)"', menu)]
    assert 1 <= len(texts) <= 5 and KHAN[1] not in texts
    assert all(t.startswith("So why all this ") for t in texts)
    # Nothing to offer for a word that is not there, and no menu at all without a document.
    bad = handler.alternatives(reading, gr.EventData(None, {"index": 0, "word": 99}))
    assert "data-error=" in bad and "no word 99" in bad
    assert handler.alternatives(None, gr.EventData(None, {"index": 0, "word": 1})) == gr.skip()


def test_adding_a_term_rewrites_its_sentences_and_the_downloads(own) -> None:
    handler, model = own
    reading = _read(handler, model, f"{KHAN[0]}\n\n{OTHER[0]}\n\n{KHAN[0]}")
    assert [p.target for p in reading.pairs] == [KHAN[1], OTHER[1], KHAN[1]]
    table, arabic, english, note, new, patch, tsv, *_ = handler.add_term("  خان  طومان ", "Khan Touman", reading)
    assert [(t.arabic, t.english) for t in load_glossary(handler.reader.pool.glossary_path).terms] == [
        ("خان طومان", "Khan Touman")
    ]
    steered = KHAN[1].replace("Khan Tuman", "Khan Touman")
    assert [p.target for p in new.pairs] == [steered, OTHER[1], steered]
    assert all(t.applied for t in new.pairs[0].terms)
    assert re.findall(r'data-pair="(\d+)"', patch) == ["0", "2"]
    assert "2 sentence(s) of this article translated again" in note
    assert (arabic, english) == ("", "")
    assert "خان طومان" in table and "Khan Touman" in table and "tj-term-remove" in table
    assert [r.target for r in _tsv(tsv)] == [steered, OTHER[1], steered]
    # A new translation uses it too, and so would the CLI (same file).
    assert _read(handler, model, KHAN[0]).pairs[0].target == steered

    # Removing it puts the model's own English back.
    back = handler.remove_term(new, gr.EventData(None, {"remove": "خان طومان"}))
    assert [p.target for p in back[4].pairs] == [KHAN[1], OTHER[1], KHAN[1]]
    assert len(load_glossary(handler.reader.pool.glossary_path)) == 0


def test_a_correction_keeps_its_words_when_a_term_arrives(own) -> None:
    handler, model = own
    reading = _read(handler, model, KHAN[0])
    new, *_ = handler.reader.edit(reading, gr.EventData(None, {"index": 0, "text": "Why the fuss over Khan Tuman?"}))
    *_, after = handler.add_term("خان طومان", "Khan Touman", new)[:5]
    pair = after.pairs[0]
    assert pair.target == "Why the fuss over Khan Tuman?" and pair.edited
    assert pair.flagged and [t.english for t in pair.missing_terms] == ["Khan Touman"]  # flagged, never rewritten


@pytest.mark.parametrize(
    ("selected", "term"),
    [("خان طومان.", "خان طومان"), ("«جيش الفتح»،", "جيش الفتح"), ("(حلب – دمشق)", "حلب – دمشق"), ("..ذات؟ ", "ذات")],
)
def test_punctuation_at_the_edges_of_a_selection_is_not_part_of_the_term(own, selected: str, term: str) -> None:
    """A name selected at the end of a sentence comes with its full stop; the term is the name (issue 34 §5)."""
    handler, _ = own
    note = handler.add_term(selected, "Khan Touman", None)[3]
    assert [t.arabic for t in load_glossary(handler.reader.pool.glossary_path).terms] == [term]
    # The note names it isolated from the English around it ("Added ذات → …" would otherwise reorder).
    assert f'Added <bdi dir="rtl" lang="ar">{term}</bdi> → Khan Touman' in note


@pytest.mark.parametrize(
    ("arabic", "english", "message"),
    [
        ("", "Khan Touman", "Give both"),
        ("خان طومان", " ", "Give both"),
        ("Khan", "Khan Touman", "no Arabic letters"),
        ("خان " * 80, "x", "at most 200 characters"),
    ],
)
def test_bad_terms_are_refused_with_a_note(own, arabic: str, english: str, message: str) -> None:
    handler, _ = own
    outputs = handler.add_term(arabic, english, None)
    assert message in outputs[3] and "⚠" in outputs[3]
    assert outputs[0] == gr.skip() and not handler.reader.pool.glossary_path.exists()


def test_a_shared_reader_keeps_its_glossary_read_only(reader, tmp_path: Path) -> None:
    handler = SteeringHandlers(Reader(reader.pool, downloads=tmp_path))  # no memory: corrections are not remembered
    assert not handler.glossary_editable
    assert "read-only" in handler.add_term("خان طومان", "Khan Touman", None)[3]
    assert "tj-term-remove" not in handler.glossary_view()


def test_a_name_made_consistent_where_the_glossary_is_read_only(own, tmp_path: Path) -> None:
    """A visitor of a shared reader makes the article consistent for themself; the glossary file is not touched."""
    pool = own[0].reader.pool
    handler = SteeringHandlers(Reader(pool, downloads=tmp_path / "shared", remember_corrections=False))
    assert not handler.glossary_editable
    reading = _read(handler, own[1], spell_one_oddly(pool.get(own[1]).backend))
    table, label = handler.names_view(reading)
    assert "Khan Touman ×1" in table and "everywhere in this article" in table
    assert "1 name(s) spelled two ways" in label.label
    # Only a spelling the article uses is taken (the page's buttons say which; nothing else is trusted).
    forged = handler.glossary_action(reading, gr.EventData(None, {"use": "خان طومان", "english": "<b>Evil</b>"}))
    assert "no longer spells" in forged[3] and forged[4] == gr.skip()
    _, _, _, note, new, patch, tsv, *_ = handler.glossary_action(
        reading, gr.EventData(None, {"use": "خان طومان", "english": "Khan Tuman"})
    )
    named = [en for _, en in named_sentences()]
    assert [p.target for p in new.pairs] == named
    assert "1 sentence(s) changed" in note and "this article only" in note
    assert re.findall(r'data-pair="(\d+)"', patch)[0] == "0"
    assert [r.target for r in _tsv(tsv)] == named
    assert not pool.glossary_path.exists() and len(pool.glossary) == 0
    assert "tj-names" not in handler.names_view(new)[0]


def test_api_alternatives(reader) -> None:
    client = Client(reader.url, verbose=False, download_files=False)
    found = client.predict(KHAN[0], KHAN[1], 4, reader.model, api_name="/alternatives")
    assert 1 <= len(found) <= 5
    assert all(set(a) == {"text", "start", "word"} for a in found)
    assert all(a["text"][: a["start"]] == "So why all this " for a in found)
    with pytest.raises(AppError, match="no word 99"):
        client.predict(KHAN[0], KHAN[1], 99, reader.model, api_name="/alternatives")
