"""Property-based tests (hypothesis): nothing lost in segmentation, nothing mangled by the writers."""

from __future__ import annotations

import io
import itertools
import json
import xml.etree.ElementTree as ET

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from translate.segment import segment_text, split_to_fit
from translate.types import AlignedPair
from translate.writers import read_tsv, write_jsonl, write_tmx, write_tsv

ARABIC = "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإةى"
LATIN = "abcdefXYZ"
DIGITS = "0123456789٠١٢٣٤٥٦٧٨٩"
PUNCTUATION = ".!?؟…۔،؛:«»\"'()-/@٫,"
SPACE = " \t\n\r\u2029\u00a0"
INVISIBLE = "\u200b\u200c\u200f\u202e\u0640\ufeff"

words = st.text(alphabet=ARABIC + LATIN + DIGITS, min_size=1, max_size=8)
glue = st.text(alphabet=PUNCTUATION + SPACE + INVISIBLE, min_size=1, max_size=3)
texts = st.lists(st.tuples(words, glue), max_size=40).map(lambda parts: "".join(w + g for w, g in parts))
anything = st.text(alphabet=ARABIC + LATIN + DIGITS + PUNCTUATION + SPACE + INVISIBLE, max_size=300)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(texts, anything))
def test_segments_cover_the_text_exactly_once_in_order(text: str) -> None:
    segments = segment_text(text)
    position = 0
    for number, segment in enumerate(segments):
        assert segment.index == number
        assert segment.start >= position  # in order, never overlapping
        assert text[position : segment.start].strip() == ""  # only whitespace between segments
        assert text[segment.start : segment.end] == segment.text and segment.text.strip() == segment.text
        position = segment.end
    assert text[position:].strip() == ""
    # So every non-space character lands in exactly one segment.
    assert "".join("".join(s.text.split()) for s in segments) == "".join(text.split())


@settings(max_examples=300, deadline=None)
@given(st.one_of(texts, anything))
def test_segmenting_is_stable(text: str) -> None:
    segments = segment_text(text)
    again = segment_text("\n".join(s.text for s in segments))
    assert [s.text for s in again] == [s.text for s in segments]


@settings(max_examples=200, deadline=None)
@given(st.one_of(texts, anything), st.integers(min_value=1, max_value=40))
def test_split_to_fit_keeps_every_character(text: str, limit: int) -> None:
    spans = split_to_fit(text, lambda piece: len(piece) <= limit)
    assert "".join("".join(text[a:b].split()) for a, b in spans) == "".join(text.split())
    assert all(0 < b - a <= limit for a, b in spans)
    assert all(b1 <= a2 for (_, b1), (a2, _) in itertools.pairwise(spans))


pairs = st.lists(
    st.builds(
        AlignedPair,
        index=st.integers(0, 10_000),
        paragraph=st.integers(0, 1000),
        source=st.text(max_size=80),
        target=st.text(max_size=80),
        edited=st.booleans(),
    ),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(pairs, st.booleans())
def test_tsv_round_trips_any_text(generated: list[AlignedPair], mark_edits: bool) -> None:
    out = io.StringIO()
    write_tsv(generated, out, mark_edits=mark_edits)
    assert all(line.count("\t") == (4 if mark_edits else 3) for line in out.getvalue().split("\n")[:-1])
    back = list(read_tsv(io.StringIO(out.getvalue(), newline="")))
    expected = generated if mark_edits else [AlignedPair(p.index, p.paragraph, p.source, p.target) for p in generated]
    assert back == [AlignedPair(p.index, p.paragraph, p.source, p.target, edited=p.edited) for p in expected]


@settings(max_examples=300, deadline=None)
@given(pairs)
def test_jsonl_round_trips_and_tmx_is_well_formed(generated: list[AlignedPair]) -> None:
    out = io.StringIO()
    write_jsonl(generated, out)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(r["translation"]["ar"], r["translation"]["en"]) for r in records] == [
        (p.source, p.target) for p in generated
    ]
    tmx = io.StringIO()
    write_tmx(generated, tmx)
    root = ET.fromstring(tmx.getvalue().encode("utf-8"))
    assert len(root.findall("body/tu")) == len(generated)
