"""The ``tarjama`` command line, run in-process through ``main(argv)`` on the fixture model."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from closeness import assert_close_translations
from fixture_model import exact_model_args, seed_sentences

import translate.writers as writers
from translate import read_tsv
from translate.cli import main
from translate.writers import write_tsv

ROOT = Path(__file__).parent.parent


@pytest.fixture
def run(model_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    """Run ``tarjama ARGS --model <fixture>`` in the repo root; return (exit code, stdout, stderr).

    At float32, where the fixture model gives its English exactly; ``exact=False``
    keeps the default precision (int8).
    """
    monkeypatch.chdir(ROOT)

    def _run(*args: str, model: bool = True, exact: bool = True) -> tuple[int, str, str]:
        argv = list(args)
        if model and argv and argv[0] == "translate":
            argv += exact_model_args(model_dir) if exact else ["--model", str(model_dir)]
        code = main(argv)
        out, err = capsys.readouterr()
        return code, out, err

    return _run


def _rows(tsv: str) -> list[tuple[str, str]]:
    return [(p.source, p.target) for p in read_tsv(io.StringIO(tsv))]


def test_translate_seed_to_tsv_on_stdout(run, seed_pairs) -> None:
    code, out, err = run("translate", "seeds/khan-tuman.ar.txt")
    assert code == 0, err
    assert out.startswith("index\tparagraph\tsource\ttarget\n")
    assert _rows(out) == seed_pairs
    assert "12 sentences from 1 file" in err


def test_the_default_int8_path_keeps_every_sentence(run, seed_pairs) -> None:
    code, out, err = run("translate", "seeds/khan-tuman.ar.txt", exact=False)
    assert code == 0, err
    assert "ctranslate2 on cpu" in err
    rows = _rows(out)
    assert [source for source, _ in rows] == [ar for ar, _ in seed_pairs]  # one row per sentence, in order
    assert_close_translations([en for _, en in rows], [en for _, en in seed_pairs])


def test_every_format(run, tmp_path: Path, seed_pairs) -> None:
    english = [en for _, en in seed_pairs]
    for fmt in ("tsv", "jsonl", "tmx", "txt"):
        out_file = tmp_path / f"out.{fmt}"
        code, out, err = run("translate", "seeds/khan-tuman.ar.txt", "-o", str(out_file), "-q")
        assert (code, out, err) == (0, "", "")
        text = out_file.read_text(encoding="utf-8")
        if fmt == "tsv":
            assert _rows(text) == seed_pairs
        elif fmt == "jsonl":
            records = [json.loads(line) for line in text.splitlines()]
            assert [(r["translation"]["ar"], r["translation"]["en"]) for r in records] == seed_pairs
            assert [r["index"] for r in records] == list(range(12))
        elif fmt == "tmx":
            root = ET.fromstring(text.encode("utf-8"))
            assert root.find("header").get("srclang") == "ar"
            assert [tu.findall("tuv")[1].findtext("seg") for tu in root.iter("tu")] == english
        else:
            assert text == " ".join(english) + "\n"


def test_explicit_format_wins_over_the_file_name(run, tmp_path: Path) -> None:
    out_file = tmp_path / "result.tsv"
    assert run("translate", "seeds/khan-tuman.ar.txt", "-o", str(out_file), "--format", "jsonl", "-q")[0] == 0
    assert json.loads(out_file.read_text(encoding="utf-8").splitlines()[0])["index"] == 0


def test_stdin(run, monkeypatch: pytest.MonkeyPatch) -> None:
    stdin = io.TextIOWrapper(io.BytesIO("مرحبا بكم.\nكيف حالك؟\n".encode()), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", stdin)
    code, out, _ = run("translate", "-", "-q")
    assert code == 0
    assert _rows(out) == [("مرحبا بكم.", "Welcome."), ("كيف حالك؟", "How are you?")]
    assert [p.paragraph for p in read_tsv(io.StringIO(out))] == [0, 1]


def test_folder_to_out_dir_with_progress(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, model_dir, seed_text) -> None:
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    (src / "khan-tuman.ar.txt").write_text(seed_text, encoding="utf-8")
    (src / "sub" / "short.txt").write_text("مرحبا بكم. هذا نص قصير.", encoding="utf-8")
    (src / "notes.odt").write_bytes(b"PK")  # not a document tarjama reads: left alone
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    code = main(["translate", str(src), "--out-dir", str(tmp_path / "out"), *exact_model_args(model_dir)])
    assert code == 0
    assert sorted(str(p.relative_to(tmp_path / "out")) for p in (tmp_path / "out").rglob("*")) == [
        "khan-tuman.tsv",
        "sub",
        "sub/short.tsv",
    ]
    short = (tmp_path / "out" / "sub" / "short.tsv").read_text(encoding="utf-8")
    assert _rows(short) == [("مرحبا بكم.", "Welcome."), ("هذا نص قصير.", "This is a short text.")]
    bars = terminal.getvalue()
    # One bar over every sentence of every file (they share batches), counting the files done.
    assert "all files" in bars and "14/14" in bars  # 12 + 2 sentences
    assert "files 0/2" in bars and "files 2/2" in bars


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_no_progress_bar_when_quiet_or_not_a_terminal(run, monkeypatch: pytest.MonkeyPatch, model_dir: Path) -> None:
    code, _, err = run("translate", "seeds/khan-tuman.ar.txt")
    assert code == 0 and "sent/s" not in err and "12/12" not in err
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["translate", "seeds/khan-tuman.ar.txt", *exact_model_args(model_dir), "-q"]) == 0
    assert terminal.getvalue() == ""


def test_bad_files_are_reported_and_the_rest_translated(run, tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a-good.txt").write_text("مرحبا بكم.", encoding="utf-8")
    (src / "b-latin1.txt").write_bytes("café".encode("latin-1"))
    (src / "c-binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (src / "d-good.txt").write_text("كيف حالك؟", encoding="utf-8")
    out = tmp_path / "out"
    code, _, err = run("translate", str(src), str(tmp_path / "missing.txt"), "--out-dir", str(out))
    assert code == 1
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 3, err
    assert any("b-latin1.txt: not valid UTF-8 (byte 0xe9 at offset 3)" in e for e in errors)
    assert any("c-binary.txt: looks like a binary file (NUL byte at offset 8)" in e for e in errors)
    assert any("missing.txt: no such file" in e for e in errors)
    assert "Traceback" not in err
    assert sorted(p.name for p in out.iterdir()) == ["a-good.tsv", "d-good.tsv"]
    assert _rows((out / "d-good.tsv").read_text(encoding="utf-8")) == [("كيف حالك؟", "How are you?")]


def test_non_arabic_input_is_translated_with_a_warning(run, tmp_path: Path) -> None:
    path = tmp_path / "in.txt"
    path.write_bytes(b"Hello world.")
    code, out, err = run("translate", str(path))
    assert code == 0
    assert f"warning: {path}: no Arabic text found" in err
    assert _rows(out) == [("Hello world.", "Hello world.")]


def test_bom_utf16_and_crlf(run, tmp_path: Path) -> None:
    text = "مرحبا بكم.\r\nكيف حالك؟\r\n"
    for name, data in [("bom.txt", b"\xef\xbb\xbf" + text.encode()), ("utf16.txt", text.encode("utf-16"))]:
        path = tmp_path / name
        path.write_bytes(data)
        code, out, _ = run("translate", str(path), "-q")
        assert code == 0
        assert _rows(out) == [("مرحبا بكم.", "Welcome."), ("كيف حالك؟", "How are you?")]


def test_output_is_atomic(run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out_file = tmp_path / "out.tsv"
    out_file.write_text("previous result\n", encoding="utf-8")

    def failing_writer(pairs, stream):
        write_tsv(list(pairs)[:3], stream)
        raise OSError(28, "No space left on device")

    monkeypatch.setitem(writers.WRITERS, "tsv", failing_writer)
    code, _, err = run("translate", "seeds/khan-tuman.ar.txt", "-o", str(out_file))
    assert code == 1
    assert "error: cannot write output for seeds/khan-tuman.ar.txt: No space left on device" in err
    assert out_file.read_text(encoding="utf-8") == "previous result\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.tsv"]  # no temporary file left behind


def test_refuses_to_overwrite_its_input(run, tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("مرحبا بكم.", encoding="utf-8")
    code, _, err = run("translate", str(path), "--out-dir", str(tmp_path), "--format", "txt")
    assert code == 0  # a.txt -> a.en.txt, not a.txt
    assert (tmp_path / "a.en.txt").read_text(encoding="utf-8") == "Welcome.\n"
    code, _, err = run("translate", str(path), "-o", str(path))
    assert code == 1 and "would overwrite the input" in err
    assert path.read_text(encoding="utf-8") == "مرحبا بكم."


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["translate", "seeds/khan-tuman.ar.txt", "--model", "no-such-model"], 2, "unknown model 'no-such-model'"),
        (
            ["translate", "seeds/khan-tuman.ar.txt", "--model", "opus-mt-ar-en"],
            1,
            "tarjama download Helsinki-NLP/opus-mt-ar-en",
        ),
        (
            ["translate", "seeds/khan-tuman.ar.txt", "--model", "./no/such/dir"],
            1,
            "no model directory at ./no/such/dir",
        ),
        (["translate", "seeds/khan-tuman.ar.txt", "tests/data/extra_pairs.tsv"], 2, "need --out-dir"),
        (["translate", "seeds"], 2, "need --out-dir"),
        (["translate", "seeds/khan-tuman.ar.txt", "--beam", "0"], 2, "--beam: must be at least 1"),
        (["translate", "seeds/khan-tuman.ar.txt", "--format", "pdf"], 2, "-f pdf writes a .pdf input as a .pdf in"),
        (["translate", "seeds/khan-tuman.ar.txt", "--format", "odt"], 2, "invalid choice: 'odt'"),
        (["translate", "seeds/khan-tuman.ar.txt", "--device", "cuda"], 1, "sees no CUDA GPU; use --device cpu"),
        (
            ["translate", "seeds/khan-tuman.ar.txt", "--device", "tpu"],
            2,
            "--device: expected auto, cpu, cuda or cuda:N",
        ),
        (["frobnicate"], 2, "invalid choice: 'frobnicate'"),
        (["download", "opus-mt-ar-en"], 1, "downloading it failed"),
        (["download", "nonsense"], 2, "unknown model 'nonsense'"),
    ],
)
def test_errors_are_one_clear_line(run, args: list[str], code: int, message: str, model_dir: Path) -> None:
    if "--model" not in args and args[0] == "translate":
        args = [*args, *exact_model_args(model_dir)]
    got, out, err = run(*args, model=False)
    assert got == code, err
    assert message in err
    assert "Traceback" not in err
    assert out == ""
    if code == 2:  # a usage error: its one line, not argparse's usage block before it
        assert "usage:" not in err and err.strip().splitlines()[-1].startswith("tarjama"), err


def test_folder_without_txt_files(run, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "a.txt").write_text("مرحبا بكم.", encoding="utf-8")
    code, _, err = run(
        "translate", str(tmp_path / "empty"), str(tmp_path / "other"), "--out-dir", str(tmp_path / "out")
    )
    assert code == 1
    assert (
        f"error: {tmp_path / 'empty'}: folder has no .txt, .html, .htm, .docx, .md, .srt, .vtt, .pdf or .epub files"
        in err
    )
    assert (tmp_path / "out" / "a.tsv").is_file()


def test_broken_model_dir(run, tmp_path: Path, model_dir: Path) -> None:
    broken = tmp_path / "model"
    broken.mkdir()
    (broken / "config.json").write_text((model_dir / "config.json").read_text())
    code, _, err = run("translate", "seeds/khan-tuman.ar.txt", "--model", str(broken), model=False)
    assert code == 1
    assert "not a complete MarianMT model directory: missing source.spm, target.spm, vocab.json" in err


def test_models_lists_the_registry(run) -> None:
    code, out, _ = run("models")
    assert code == 0
    lines = out.splitlines()
    assert lines[1].startswith("opus-mt-ar-en (default) ") and " no " in lines[1]
    assert lines[2].startswith("opus-mt-tc-big-ar-en ") and "Helsinki-NLP/opus-mt-tc-big-ar-en" in lines[2]


def test_help_does_not_import_torch() -> None:
    code = (
        "import sys; from translate.cli import main\n"
        "try:\n    main(['translate', '--help'])\nexcept SystemExit:\n    pass\n"
        "import translate, translate.writers, translate.segment\n"
        "assert 'torch' not in sys.modules and 'transformers' not in sys.modules, 'heavy import'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "--out-dir" in result.stdout


def test_python_dash_m_and_console_script(model_dir: Path) -> None:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    args = ["translate", "seeds/khan-tuman.ar.txt", *exact_model_args(model_dir), "--format", "txt", "-q"]
    by_module = subprocess.run(
        [sys.executable, "-m", "translate", *args], capture_output=True, text=True, cwd=ROOT, env=env
    )
    assert by_module.returncode == 0, by_module.stderr
    assert by_module.stdout.startswith("Khan Tuman is a small village")
    script = Path(sys.executable).with_name("tarjama")
    by_script = subprocess.run([str(script), *args], capture_output=True, text=True, cwd=ROOT, env=env)
    assert by_script.returncode == 0, by_script.stderr
    assert by_script.stdout == by_module.stdout
    assert by_script.stderr == ""  # no stray third-party warnings or bars


def test_translations_still_bad_after_the_retry_are_reported(run, tmp_path: Path) -> None:
    path = tmp_path / "in.txt"
    path.write_text("مرحبا بكم. قال د. أحمد إن الاجتماع كان مثمرا.", encoding="utf-8")
    code, out, err = run("translate", str(path), "--max-length", "12", "--format", "jsonl")
    assert code == 0  # the translation is kept, flagged, not dropped
    records = [json.loads(line) for line in out.splitlines()]
    assert [(r["truncated"], r["repetitive"]) for r in records] == [(False, False), (True, False)]
    assert f"warning: {path}: 1 sentence(s) still cut off or repeating after a retry (index 1)" in err


def test_the_memory_counts_each_sentence_once(model_dir: Path, tmp_path: Path, capsys) -> None:
    """'N answered from the translation memory' is of the run's sentences: none on a first run, all on a second."""
    source = tmp_path / "article.txt"
    source.write_text("\n\n".join(arabic for arabic, _ in seed_sentences()), encoding="utf-8")
    # Cut off at 8 tokens, every sentence is retried: a second model pass the memory answers too.
    args = ["translate", str(source), "-o", str(tmp_path / "article.tsv"), "--cache", str(tmp_path / "memory.db")]
    args += ["--max-length", "8"]
    counts = []
    for _ in range(2):
        assert main([*args, *exact_model_args(model_dir)]) == 0
        summary = re.search(
            r"tarjama: (\d+) sentences? from 1 file .*; (\d+) answered from the translation memory",
            capsys.readouterr().err,
        )
        assert summary is not None
        counts.append((int(summary[1]), int(summary[2])))
    (sentences, first), (again, second) = counts
    assert sentences == again and first <= sentences
    assert second == sentences
