"""Writers: TSV round trip, JSONL, TMX well-formedness, plain text."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET

import pytest

from translate.align import alignment_from_links
from translate.types import AlignedPair
from translate.writers import (
    read_jsonl,
    read_tsv,
    tsv_escape,
    tsv_unescape,
    write_jsonl,
    write_pairs,
    write_text,
    write_tmx,
    write_tsv,
)

NASTY = [
    "tab\there",
    "new\nline",
    "carriage\rreturn",
    "back\\slash and \\t literal",
    "quotes \"double\" and 'single'",
    "<b>markup</b> & entities &amp;",
    "\u202eبالعكس\u202c و\u200fعلامة",
    "control\x01char\x1f",
    "trailing backslash\\",
    "",
]


def _pairs(sources: list[str], targets: list[str]) -> list[AlignedPair]:
    return [AlignedPair(i, i // 3, s, t) for i, (s, t) in enumerate(zip(sources, targets, strict=True))]


def test_tsv_round_trips_nasty_text() -> None:
    pairs = _pairs(NASTY, list(reversed(NASTY)))
    out = io.StringIO()
    assert write_tsv(pairs, out) == len(pairs)
    lines = out.getvalue().split("\n")
    assert lines[0] == "index\tparagraph\tsource\ttarget"
    assert lines[-1] == ""
    assert all(len(line.split("\t")) == 4 for line in lines[:-1])
    assert list(read_tsv(io.StringIO(out.getvalue()))) == pairs


@pytest.mark.parametrize("text", NASTY)
def test_tsv_escape_is_reversible(text: str) -> None:
    escaped = tsv_escape(text)
    assert "\t" not in escaped and "\n" not in escaped and "\r" not in escaped
    assert tsv_unescape(escaped) == text


def test_tsv_can_mark_edited_targets() -> None:
    pairs = [AlignedPair(0, 0, "أ", "machine"), AlignedPair(1, 0, "ب", "fixed by a person", edited=True)]
    out = io.StringIO()
    write_tsv(pairs, out, mark_edits=True)
    assert out.getvalue().splitlines() == [
        "index\tparagraph\tsource\ttarget\tedited",
        "0\t0\tأ\tmachine\t0",
        "1\t0\tب\tfixed by a person\t1",
    ]
    assert list(read_tsv(io.StringIO(out.getvalue()))) == pairs
    plain = io.StringIO()
    write_tsv(pairs, plain)
    assert plain.getvalue().splitlines()[0] == "index\tparagraph\tsource\ttarget"


def test_read_tsv_rejects_other_files() -> None:
    with pytest.raises(ValueError, match="header"):
        list(read_tsv(["a\tb\n"]))
    with pytest.raises(ValueError, match="line 2"):
        list(read_tsv(["index\tparagraph\tsource\ttarget\n", "0\t0\tonly three\n"]))


def test_jsonl_uses_the_translation_convention() -> None:
    pairs = [
        AlignedPair(0, 0, "مرحبا.", "Hello.", start=0, end=6),
        AlignedPair(1, 1, NASTY[0], NASTY[1], 8, 16, 2, True, repetitive=True),
    ]
    out = io.StringIO()
    write_jsonl(pairs, out)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert records[0] == {
        "index": 0,
        "paragraph": 0,
        "translation": {"ar": "مرحبا.", "en": "Hello."},
        "start": 0,
        "end": 6,
        "pieces": 1,
        "truncated": False,
        "repetitive": False,
        "edited": False,
        "alignment": None,
        "score": None,
        "word_scores": None,
        "terms": [],
        "checks": [],
        "copied": False,
    }
    assert records[1]["translation"] == {"ar": NASTY[0], "en": NASTY[1]}
    assert records[1]["truncated"] is True and records[1]["repetitive"] is True
    assert "مرحبا" in out.getvalue()  # UTF-8, not \u escapes


def test_a_copied_pair_says_so_in_jsonl_and_tmx() -> None:
    from translate import read_jsonl

    pair = AlignedPair(0, 0, "Hello  world.", "Hello  world.", 0, 13, pieces=0, copied=True)
    out = io.StringIO()
    write_jsonl([pair], out)
    assert json.loads(out.getvalue())["copied"] is True
    assert list(read_jsonl(io.StringIO(out.getvalue()))) == [pair]
    tmx = io.StringIO()
    write_tmx([pair, AlignedPair(1, 0, "مرحبا.", "Hello.")], tmx)
    assert [line.strip() for line in tmx.getvalue().splitlines() if "x-origin" in line] == [
        '<prop type="x-origin">copied</prop>',
        '<prop type="x-origin">machine</prop>',
    ]


def test_jsonl_terms_round_trip() -> None:
    from translate import TermUse, read_jsonl

    uses = (
        TermUse("خان طومان", "Khan Touman", (4, 13), (11, 22), True),
        TermUse("حميميم", "Hmeimim", (20, 26), None, False),
    )
    pair = AlignedPair(0, 0, "في خان طومان ثم حميميم", "Fighting in Khan Touman.", terms=uses)
    out = io.StringIO()
    write_jsonl([pair], out)
    record = json.loads(out.getvalue())
    assert record["terms"][1] == {
        "arabic": "حميميم",
        "english": "Hmeimim",
        "source": [20, 26],
        "target": None,
        "applied": False,
    }
    (back,) = read_jsonl(out.getvalue().splitlines())
    assert back == pair and back.flagged and back.missing_terms == uses[1:]


def test_checks_reach_jsonl_and_tmx_and_come_back() -> None:
    from xml.etree import ElementTree

    from translate import read_jsonl
    from translate.types import Check

    checks = (
        Check("number", "230 is missing", (13, 16), None),
        Check("untranslated", "Arabic left in the English: <خان>", (4, 7), (9, 12)),
    )
    pair = AlignedPair(0, 0, "معترفة بمقتل 230 مقاتلا", "admitting <خان> deaths", checks=checks)
    out = io.StringIO()
    write_jsonl([pair], out)
    record = json.loads(out.getvalue())
    assert record["checks"][0] == {"kind": "number", "detail": "230 is missing", "source": [13, 16], "target": None}
    (back,) = read_jsonl(out.getvalue().splitlines())
    assert back.checks == checks and back.flagged
    tmx = io.StringIO()
    write_tmx([pair, AlignedPair(1, 0, "نعم.", "Yes.")], tmx)
    units = ElementTree.fromstring(tmx.getvalue()).iter("tu")
    found = [[p.text for p in unit.iter("prop") if p.get("type") == "x-check"] for unit in units]
    assert found == [["number: 230 is missing", "untranslated: Arabic left in the English: <خان>"], []]


def test_tmx_is_well_formed_tmx_14() -> None:
    pairs = _pairs(NASTY, NASTY)
    out = io.StringIO()
    write_tmx(pairs, out)
    root = ET.fromstring(out.getvalue().encode("utf-8"))
    assert [p.text for p in root.iter("prop") if p.get("type") == "x-origin"] == ["machine"] * len(pairs)
    assert not [p for p in root.iter("prop") if p.get("type") == "x-flags"]
    assert root.tag == "tmx" and root.get("version") == "1.4"
    header = root.find("header")
    assert header is not None and header.get("srclang") == "ar" and header.get("segtype") == "sentence"
    units = root.findall("body/tu")
    assert len(units) == len(pairs)
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    for unit, pair in zip(units, pairs, strict=True):
        ar, en = unit.findall("tuv")
        assert (ar.get(lang), en.get(lang)) == ("ar", "en")
        expected = pair.source.replace("\x01", "\ufffd").replace("\x1f", "\ufffd")
        assert (ar.findtext("seg") or "") == expected


def test_tmx_flags_suspect_translations() -> None:
    pairs = [AlignedPair(0, 0, "a", "A."), AlignedPair(1, 0, "b", "B b b b", truncated=True, repetitive=True)]
    out = io.StringIO()
    write_tmx(pairs, out)
    units = ET.fromstring(out.getvalue().encode("utf-8")).findall("body/tu")
    flags = [[p.text for p in unit.iter("prop") if p.get("type") == "x-flags"] for unit in units]
    assert flags == [[], ["truncated repetitive"]]


def test_text_keeps_paragraphs() -> None:
    pairs = [AlignedPair(0, 0, "a", "One."), AlignedPair(1, 0, "b", "Two."), AlignedPair(2, 1, "c", "Three.")]
    out = io.StringIO()
    write_text(pairs, out)
    assert out.getvalue() == "One. Two.\nThree.\n"


def test_write_pairs_dispatches_and_rejects_unknown_formats() -> None:
    out = io.StringIO()
    assert write_pairs([AlignedPair(0, 0, "a", "b")], out, "txt") == 1
    with pytest.raises(ValueError, match="unknown format"):
        write_pairs([], io.StringIO(), "docx")


def _aligned() -> list[AlignedPair]:
    """Pairs with word alignments, one with hostile text; one without."""
    pairs = []
    for i, (source, target, links) in enumerate(
        [
            ("قرأ الولد الكتاب", "the boy read the book", ((1, 0), (1, 1), (0, 2), (2, 3), (2, 4))),
            (f"قال {NASTY[0]}", f"he said {NASTY[0]}", ((0, 0), (0, 1), (1, 2))),
        ]
    ):
        alignment = alignment_from_links(
            source, target, links, word_scores=[-0.01 * (k + 1) for k in range(len(target.split()))], score=-0.25
        )
        pairs.append(AlignedPair(i, 0, source, target, alignment=alignment))
    pairs.append(AlignedPair(2, 1, "مرحبا", "Hello"))
    return pairs


def test_alignments_round_trip_through_jsonl_and_tsv() -> None:
    pairs = _aligned()
    out = io.StringIO()
    write_jsonl(pairs, out)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert records[0]["alignment"] == "1-0 1-1 0-2 2-3 2-4"  # Pharaoh, source-target, in English order
    assert records[0]["score"] == -0.25 and records[0]["word_scores"] == [-0.01, -0.02, -0.03, -0.04, -0.05]
    assert records[2]["alignment"] is None and records[2]["score"] is None
    back = list(read_jsonl(io.StringIO(out.getvalue())))
    assert [set(p.alignment.links) if p.alignment else None for p in back] == [
        set(p.alignment.links) if p.alignment else None for p in pairs
    ]
    assert [p.score for p in back] == [p.score for p in pairs]
    assert back[0].alignment.word_scores == pairs[0].alignment.word_scores
    assert back[1].alignment.source_words == pairs[1].alignment.source_words

    tsv = io.StringIO()
    write_pairs(pairs, tsv, "tsv", alignments=True)
    lines = tsv.getvalue().splitlines()
    assert lines[0] == "index\tparagraph\tsource\ttarget\talignment"
    assert lines[1].split("\t")[4] == "1-0 1-1 0-2 2-3 2-4" and lines[3].split("\t")[4] == ""
    again = list(read_tsv(io.StringIO(tsv.getvalue())))
    assert [p.alignment.links if p.alignment else None for p in again] == [
        tuple(sorted(p.alignment.links, key=lambda link: (link[1], link[0]))) if p.alignment else None for p in pairs
    ]
    assert again[0].alignment.score is None  # TSV keeps the links, not the scores
    # Both optional columns, in the order the writer puts them.
    both = io.StringIO()
    write_tsv(pairs, both, alignments=True, mark_edits=True)
    assert both.getvalue().splitlines()[0].endswith("\talignment\tedited")
    assert [p.alignment is not None for p in read_tsv(io.StringIO(both.getvalue()))] == [True, True, False]
    # Without alignments asked for, TSV stays four columns.
    plain = io.StringIO()
    write_pairs(pairs, plain, "tsv")
    assert all(len(line.split("\t")) == 4 for line in plain.getvalue().splitlines())


def test_tmx_carries_alignment_and_score() -> None:
    out = io.StringIO()
    write_tmx(_aligned(), out)
    units = ET.fromstring(out.getvalue().encode("utf-8")).findall("body/tu")
    props = [{p.get("type"): p.text for p in unit.iter("prop")} for unit in units]
    assert props[0]["x-alignment"] == "1-0 1-1 0-2 2-3 2-4" and props[0]["x-score"] == "-0.25"
    assert "x-alignment" not in props[2]


@pytest.mark.parametrize(
    "line, problem",
    [
        ('{"index": 0, "paragraph": 0, "translation": {"ar": "أ ب", "en": "a b"}, "alignment": "0-5"}', "past the"),
        ('{"index": 0, "paragraph": 0, "translation": {"ar": "أ ب", "en": "a b"}, "alignment": "x"}', "Pharaoh"),
        ('{"index": 0, "translation": {"ar": "أ", "en": "a"}}', "not a tarjama JSONL"),
        ("not json", "not a tarjama JSONL"),
    ],
)
def test_read_jsonl_names_the_bad_line(line: str, problem: str) -> None:
    with pytest.raises(ValueError, match=f"line 2: .*{problem}"):
        list(read_jsonl(['{"index": 0, "paragraph": 0, "translation": {"ar": "أ", "en": "a"}}\n', line]))
