"""Batch runs survive being killed: no partial outputs, and --resume finishes only what is missing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fixture_model import exact_model_args

from translate import read_tsv
from translate.cli import main

ROOT = Path(__file__).parent.parent


@pytest.fixture
def corpus(tmp_path: Path, seed_text: str) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for number in range(24):
        # Different texts, so that no file is answered from another's translations.
        (folder / f"article-{number:02d}.txt").write_text(f"{seed_text}\nمرحبا بكم. {'كيف حالك؟ ' * number}")
    return folder


def _complete(path: Path) -> bool:
    rows = list(read_tsv(path.open(encoding="utf-8")))
    return len(rows) >= 13 and rows[0].index == 0


def test_sigkill_leaves_no_partial_output_and_resume_finishes(corpus, model_dir, tmp_path, capsys) -> None:
    out = tmp_path / "out"
    command = [
        str(Path(sys.executable).with_name("tarjama")), "translate", str(corpus), "--out-dir", str(out),
        "--model", str(model_dir), "--backend", "torch", "--no-cache", "--batch-size", "4", "-q",
    ]  # fmt: skip
    process = subprocess.Popen(command, env={**os.environ, "HF_HUB_OFFLINE": "1"}, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and len(list(out.glob("*.tsv"))) < 3:
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    finished = sorted(out.glob("*.tsv"))
    assert 3 <= len(finished) < 24, "the run should have been killed part-way"
    assert all(_complete(path) for path in finished)  # every visible output is whole

    code = main(["translate", str(corpus), "--out-dir", str(out), *exact_model_args(model_dir), "--resume"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert f"from {24 - len(finished)} files" in err and f"skipped {len(finished)} already translated" in err
    assert sorted(p.name for p in out.iterdir()) == sorted(f"article-{n:02d}.tsv" for n in range(24))  # no leftovers

    fresh = tmp_path / "fresh"
    assert main(["translate", str(corpus), "--out-dir", str(fresh), *exact_model_args(model_dir), "-q"]) == 0
    for path in fresh.iterdir():
        assert (out / path.name).read_bytes() == path.read_bytes()

    code = main(["translate", str(corpus), "--out-dir", str(out), *exact_model_args(model_dir), "--resume"])
    assert code == 0 and "nothing to do; all 24 outputs exist" in capsys.readouterr().err


def test_resume_needs_out_dir(capsys) -> None:
    assert main(["translate", str(ROOT / "seeds" / "khan-tuman.ar.txt"), "--resume"]) == 2
    assert "--resume needs --out-dir" in capsys.readouterr().err


def test_unwritable_out_dir_is_a_clear_error(corpus, model_dir, tmp_path, capsys) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    code = main(
        ["translate", str(corpus / "article-00.txt"), "--out-dir", str(blocker / "out"), *exact_model_args(model_dir)]
    )
    err = capsys.readouterr().err
    assert code == 1 and "error: cannot write output for" in err and "Traceback" not in err
