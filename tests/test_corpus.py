"""JSONL corpora: one document per line in, JSONL with each pair's document id out (issue 13)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fixture_model import exact_model_args, seed_sentences

from translate import corpus
from translate.cli import main
from translate.corpus import read_corpus
from translate.errors import InputError

SEED = seed_sentences()


def _read(path: Path, **fields: str) -> tuple[list[tuple[int, object, str]], list[str]]:
    errors: list[InputError] = []
    documents = [(d.line, d.id, d.text) for d in read_corpus(path, on_error=errors.append, **fields)]
    return documents, [str(e) for e in errors]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (b"{not json}", "not JSON"),
        (b'["a list"]', "expected a JSON object per line, got list"),
        (
            b'{"body": "\xd9\x86\xd8\xb5"}',
            "no string field 'text' (fields: body); name the text's field with --text-field",
        ),
        (b'{"text": 7}', "the field 'text' is a JSON number, not a string"),
        (b'{"text": "\xd9\x86\xd8\xb5", "id": [1]}', "the id field 'id' must be a string or an integer"),
        (b'{"text": "\xd9\x86\xd8\xb5", "id": true}', "the id field 'id' must be a string or an integer"),
        (b'{"text": "  \\n ", "id": "x"}', "document 'x' has no text to translate"),
        (b'{"text": "\xff\xfe"}', "not UTF-8"),
    ],
)
def test_a_bad_line_is_reported_with_its_number_and_the_rest_is_read(tmp_path: Path, line: bytes, message: str) -> None:
    path = tmp_path / "c.jsonl"
    path.write_bytes(
        b'{"id": "a", "text": "\xd9\x86\xd8\xb5"}\n' + line + b'\n\n{"text": "\xd8\xab\xd8\xa7\xd9\x86"}\n'
    )
    documents, errors = _read(path)
    assert documents == [(1, "a", "نص"), (4, 4, "ثان")]  # a line without an id is known by its number
    assert len(errors) == 1 and errors[0].startswith("c.jsonl, line 2: ") and message in errors[0]


def test_a_byte_order_mark_does_not_cost_the_first_document(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"id": "a", "text": "نص"}).encode() + b"\n")
    assert _read(path) == ([(1, "a", "نص")], [])


def test_custom_fields(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({"doc": 17, "body": "نص", "text": "غير هذا"}) + "\n", encoding="utf-8")
    assert _read(path, text_field="body", id_field="doc") == ([(1, 17, "نص")], [])


def test_an_overlong_line_is_skipped_without_holding_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(corpus, "MAX_LINE_BYTES", 1000)
    monkeypatch.setattr(corpus, "_CHUNK", 64)
    path = tmp_path / "c.jsonl"
    long = json.dumps({"text": "نص " * 5000})
    path.write_text(f"{long}\n{json.dumps({'text': 'نص'})}\n{long}", encoding="utf-8")  # the last has no newline
    documents, errors = _read(path)
    assert documents == [(2, 2, "نص")]
    assert errors == ["c.jsonl, line 1: longer than 0 MB; skipped", "c.jsonl, line 3: longer than 0 MB; skipped"]


def test_a_missing_corpus_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.jsonl: no such file"):
        list(read_corpus(tmp_path / "nope.jsonl", on_error=lambda e: None))


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_the_cli_translates_a_corpus_with_the_id_on_every_pair(
    tmp_path: Path, model_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    documents = [
        {"id": "story-1", "text": f"{SEED[0][0]}\n\n{SEED[1][0]}"},
        {"id": 2, "text": SEED[2][0]},
        {"text": "  "},  # nothing to translate: reported, the rest written
        {"id": "story-4", "text": f"{SEED[3][0]} {SEED[4][0]}"},
    ]
    source = tmp_path / "news.jsonl"
    source.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in documents), encoding="utf-8")
    out = tmp_path / "out"
    code = main(["translate", str(source), "--out-dir", str(out), *exact_model_args(model_dir), "-q"])
    assert code == 1  # one document failed
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert errors == ["error: news.jsonl, line 3: document 3 has no text to translate"]
    records = _records(out / "news.jsonl")
    assert [r["id"] for r in records] == ["story-1", "story-1", 2, "story-4", "story-4"]
    # Each document is numbered on its own, as if translated alone, and every pair is there once.
    assert [(r["index"], r["paragraph"]) for r in records] == [(0, 0), (1, 1), (0, 0), (0, 0), (1, 0)]
    expected = [SEED[0], SEED[1], SEED[2], SEED[3], SEED[4]]
    assert [(r["translation"]["ar"], r["translation"]["en"]) for r in records] == expected
    assert all(next(iter(r)) == "id" for r in records)  # the id leads every record


def test_a_corpus_matches_its_documents_translated_alone(tmp_path: Path, model_dir: Path) -> None:
    texts = [SEED[5][0], f"{SEED[6][0]} {SEED[7][0]}\n\n{SEED[8][0]}"]
    source = tmp_path / "c.jsonl"
    source.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(texts)), "utf-8")
    assert (
        main(["translate", str(source), "-o", str(tmp_path / "c.out.jsonl"), *exact_model_args(model_dir), "-q"]) == 0
    )
    alone = []
    for i, text in enumerate(texts):
        (tmp_path / f"{i}.txt").write_text(text, encoding="utf-8")
        target = tmp_path / f"{i}.jsonl"
        assert (
            main(["translate", str(tmp_path / f"{i}.txt"), "-o", str(target), *exact_model_args(model_dir), "-q"]) == 0
        )
        alone += [{"id": i, **record} for record in _records(target)]
    assert _records(tmp_path / "c.out.jsonl") == alone


def test_a_corpus_is_written_as_jsonl_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "c.jsonl"
    source.write_text('{"text": "نص"}\n', encoding="utf-8")
    assert main(["translate", str(source), "-f", "tsv"]) == 2
    assert "c.jsonl is a JSONL corpus: its output is JSONL, with each pair's document id; drop -f tsv" in (
        capsys.readouterr().err
    )
    assert main(["translate", str(source), "-o", str(tmp_path / "out.tsv")]) == 2  # the ending chose TSV, not -f
    assert "document id; name the output out.jsonl" in capsys.readouterr().err


def test_resume_skips_a_finished_corpus(tmp_path: Path, model_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "c.jsonl"
    source.write_text(json.dumps({"text": SEED[0][0]}) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    args = ["translate", str(source), "--out-dir", str(out), "--resume", *exact_model_args(model_dir)]
    assert main([*args, "-q"]) == 0
    assert [r["id"] for r in _records(out / "c.jsonl")] == [1]
    capsys.readouterr()
    assert main(args) == 0
    assert "nothing to do; all 1 outputs exist" in capsys.readouterr().err
