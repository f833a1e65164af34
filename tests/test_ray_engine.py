"""``tarjama translate --engine ray``: Ray Data on this machine, and against a cluster started with ``ray start``.

Ray must never send traffic off the machine: besides the private network
namespace the suite runs in (tests/offline.sh), every test here points the
proxy variables at a closed loopback port (Ray's cloud-metadata probe honours
them), turns usage stats off and keeps Ray's files in a short folder of its
own (its Unix socket paths must stay under ~107 bytes), removed afterwards.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from fixture_model import exact_model_args, seed_sentences

from translate.cli import main
from translate.engines.ray_workers import Ledger

# Not imported here: Ray reads its settings from the environment when first imported, in a test.
pytestmark = pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="ray is not installed")

SEED = seed_sentences()
RAY = str(Path(sys.executable).with_name("ray"))


@pytest.fixture
def ray_guarded(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Network guards and a short, private temporary folder for every Ray process the test starts."""
    folder = Path(tempfile.mkdtemp(prefix="tjray", dir="/tmp"))
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.setenv(name, "127.0.0.1,localhost")
    monkeypatch.setenv("RAY_USAGE_STATS_ENABLED", "0")
    monkeypatch.setenv("RAY_AUTH_MODE", "disabled")
    # Single-node Ray: it takes 127.0.0.1 as this node's address instead of asking the network.
    monkeypatch.setenv("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    monkeypatch.setenv("RAY_TMPDIR", str(folder))
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def documents(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    (folder / "web").mkdir(parents=True)
    for number in range(6):
        first, second = SEED[(2 * number) % 12][0], SEED[(2 * number + 1) % 12][0]
        (folder / f"{number:02d}.txt").write_text(f"{first} {second}\n", encoding="utf-8")
    (folder / "web" / "page.html").write_text(
        f"<html><body><nav><a href='/'>الرئيسية</a></nav><article><p>{SEED[2][0]}</p>"
        f"<p>{SEED[3][0]}</p></article></body></html>",
        encoding="utf-8",
    )
    document = docx.Document()
    document.add_paragraph(SEED[4][0])
    document.save(folder / "report.docx")
    return folder


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _errors(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("error:")]


def test_the_ray_engine_writes_what_the_local_engine_writes(
    documents: Path, tmp_path: Path, model_dir: Path, ray_guarded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (documents / "broken.docx").write_bytes(b"PK\x03\x04 not really a docx")  # fails alone, as an error row
    (documents / "empty.txt").write_text("  \n", encoding="utf-8")
    (documents / "web" / "link.txt").symlink_to(documents / "00.txt")  # an input of its own, named as the link
    local, distributed = tmp_path / "local", tmp_path / "ray"
    common = ["-f", "jsonl", *exact_model_args(model_dir), "-q"]
    assert main(["translate", str(documents), "--out-dir", str(local), "--no-cache", *common]) == 1
    local_errors = _errors(capsys.readouterr().err)
    memory = tmp_path / "memory.sqlite3"
    ray = ["--engine", "ray", "--cache", str(memory)]
    code = main(["translate", str(documents), "--out-dir", str(distributed), *ray, *common[:-1]])
    err = capsys.readouterr().err
    errors = _errors(err)
    assert code == 1
    assert re.search(r"tarjama: \d+ sentences from 11 files, 2 failed in ", err), err
    assert sorted(errors) == sorted(local_errors) and len(errors) == 2
    assert any("broken.docx: not a readable .docx file" in e for e in errors)
    assert any("empty.txt: no text to translate" in e for e in errors)
    written = _tree(distributed)
    assert len(written) == 9 and written == _tree(local)
    assert "web/link.jsonl" in written  # byte for byte; and the run's folder is gone
    # What the workers translated reached the driver's memory.
    with sqlite3.connect(memory) as db:
        assert db.execute("SELECT COUNT(*) FROM machine").fetchone()[0] >= 12


def test_resume_translates_only_what_is_missing(
    documents: Path, tmp_path: Path, model_dir: Path, ray_guarded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    args = ["translate", str(documents), "--out-dir", str(out), "--engine", "ray", "--no-cache"]
    args += exact_model_args(model_dir)
    assert main([*args, "-q"]) == 0
    first = _tree(out)
    (out / "03.tsv").unlink()
    (out / "web" / "page.html.tsv").unlink()
    capsys.readouterr()
    assert main([*args, "--resume"]) == 0
    err = capsys.readouterr().err
    assert "from 2 files" in err and "skipped 6 already translated" in err
    assert _tree(out) == first


SITE = '''
"""Loaded by every Ray worker of the test (PYTHONPATH): kill the worker on chosen documents."""
import os
from pathlib import Path

from translate.engines import ray_workers

_translate = ray_workers.TranslateFiles._translate


def _killing(self, documents):
    for source, _ in documents:
        name = Path(source).name
        marker = Path(source).with_suffix(".killed")
        if name == "kill-once.txt" and not marker.exists():
            marker.write_text("")
            os._exit(1)
        if name == "kill-always.txt":
            os._exit(1)
    return _translate(self, documents)


ray_workers.TranslateFiles._translate = _killing
'''


def test_a_worker_killed_mid_run_loses_nothing(
    documents: Path,
    tmp_path: Path,
    model_dir: Path,
    ray_guarded: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A worker that dies has its batch redone; a document during which it dies twice fails alone."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(textwrap.dedent(SITE), encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")]))
    (documents / "kill-once.txt").write_text(SEED[5][0], encoding="utf-8")
    (documents / "kill-always.txt").write_text(SEED[6][0], encoding="utf-8")
    out, local = tmp_path / "out", tmp_path / "local"
    args = [str(documents), "--no-cache", *exact_model_args(model_dir), "-q"]
    code = main(["translate", *args, "--out-dir", str(out), "--engine", "ray", "--ray-batch", "4"])
    errors = _errors(capsys.readouterr().err)
    assert code == 1
    assert errors == [f"error: {documents / 'kill-always.txt'}: a worker died twice while translating it; not retried"]
    assert (documents / "kill-once.killed").exists()  # it did kill its worker once
    (documents / "kill-always.txt").unlink()
    (documents / "kill-once.killed").unlink()
    assert main(["translate", *args, "--out-dir", str(local)]) == 0
    assert _tree(out) == _tree(local) and "kill-once.tsv" in _tree(out)


def test_against_a_cluster_started_with_ray_start(
    documents: Path, tmp_path: Path, model_dir: Path, ray_guarded: Path, free_port: int
) -> None:
    env = {**os.environ}
    start = [RAY, "start", "--head", "--port", str(free_port), "--node-ip-address", "127.0.0.1", "--num-cpus", "2"]
    start += ["--include-dashboard=false", "--disable-usage-stats", "--temp-dir", str(ray_guarded)]
    subprocess.run(start, env=env, check=True, capture_output=True, timeout=120)
    try:
        out, local = tmp_path / "out", tmp_path / "local"
        command = [
            str(Path(sys.executable).with_name("tarjama")), "translate", str(documents), "--out-dir", str(out),
            "--engine", "ray", "--address", f"127.0.0.1:{free_port}", "--no-cache", *exact_model_args(model_dir),
        ]  # fmt: skip
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
        assert "sentences from 8 files" in done.stderr
    finally:
        subprocess.run([RAY, "stop", "--force"], env=env, capture_output=True, timeout=120)
    local_args = ["translate", str(documents), "--out-dir", str(local), "--no-cache", *exact_model_args(model_dir)]
    assert main([*local_args, "-q"]) == 0
    assert _tree(out) == _tree(local)


def test_the_ledger_bounds_retries() -> None:
    ledger = Ledger()
    assert ledger.begin_batch("b") == 0  # first try: the batch together
    assert ledger.begin_batch("b") == 1  # its worker died: a document at a time now
    for _ in range(2):  # "innocent" finishes each time; the worker dies during "killer" alone
        assert ledger.begin_document("innocent") and ledger.begin_document("killer")
        ledger.end_document("innocent")
    assert ledger.begin_document("innocent") is True  # redone: the batch's output died with the worker
    assert ledger.begin_document("killer") is False  # twice is enough
    ledger.end_batch("b")
    assert ledger.begin_batch("b") == 0


def test_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "a.txt"
    source.write_text("نص", encoding="utf-8")
    assert main(["translate", str(source), "--engine", "ray"]) == 2
    assert "--engine ray writes one output per input: give --out-dir DIR" in capsys.readouterr().err
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"text": "نص"}\n', encoding="utf-8")
    assert main(["translate", str(corpus), "--engine", "ray", "--out-dir", str(tmp_path / "o")]) == 2
    assert "c.jsonl); use --engine local" in capsys.readouterr().err
    missing = ["--model", str(tmp_path / "no-model"), "--out-dir", str(tmp_path / "o")]
    assert main(["translate", str(source), "--engine", "ray", *missing]) == 1  # told before Ray starts
    assert "no-model" in capsys.readouterr().err


def test_the_cli_does_not_import_ray_unless_asked() -> None:
    script = textwrap.dedent(
        """
        import contextlib, sys
        from translate.cli import main
        with contextlib.suppress(SystemExit):
            main(["translate", "--help"])
        print("ray imported:", "ray" in sys.modules)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "--engine {local,ray}" in done.stdout and done.stdout.strip().endswith("ray imported: False")
