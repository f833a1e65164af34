"""Hostile text through the reader's API and downloads, in the source and in corrections.

The page itself is checked in a real browser (test_browser.py) and the HTML
by test_render.py; here the data paths: what the API returns and what the
TSV, JSONL and TMX downloads hold must be the text exactly, never rewritten.
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import gradio as gr
from gradio_client import Client
from payloads import PAYLOADS

from translate import read_tsv
from ui.handlers import Reader

TEXT = "\n".join(f"قال {payload} ثم سكت." for payload in PAYLOADS)


def test_api_returns_hostile_source_as_plain_data(reader) -> None:
    pairs = Client(reader.url, verbose=False, download_files=False).predict(TEXT, reader.model, api_name="/translate")
    assert [p["source"] for p in pairs] == [f"قال {payload} ثم سكت." for payload in PAYLOADS]
    assert all(TEXT[p["start"] : p["end"]] == p["source"] for p in pairs)


def test_hostile_corrections_reach_every_download_unchanged(reader, tmp_path: Path) -> None:
    handler = Reader(reader.pool, downloads=tmp_path)
    *_, last = handler.translate_text(TEXT, reader.model)
    reading = last[4]
    assert len(reading.pairs) == len(PAYLOADS)
    for index, payload in enumerate(PAYLOADS):
        event = gr.EventData(None, {"index": index, "text": payload})
        reading, _, _, tsv, jsonl, tmx, *_ = handler.edit(reading, event)
    corrected = [" ".join(p.split()) for p in PAYLOADS]  # corrections are folded to single spaces
    sources = [f"قال {payload} ثم سكت." for payload in PAYLOADS]
    expected = list(zip(sources, corrected, strict=True))

    rows = list(read_tsv(io.StringIO(Path(tsv.value["path"]).read_text(encoding="utf-8"))))
    assert [(r.source, r.target, r.edited) for r in rows] == [(s, c, True) for s, c in expected]
    records = [json.loads(line) for line in Path(jsonl.value["path"]).read_text(encoding="utf-8").splitlines()]
    assert [(r["translation"]["ar"], r["translation"]["en"]) for r in records] == expected
    units = ET.parse(tmx.value["path"]).getroot().findall("body/tu")
    assert [[seg.text for seg in unit.iter("seg")] for unit in units] == [list(pair) for pair in expected]
