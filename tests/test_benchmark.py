"""The benchmarks run end to end and write the JSON they promise (speed itself is not asserted here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from chromium import CHROMIUM

ROOT = Path(__file__).parent.parent
FIELDS = {"name", "backend", "beam", "sent_per_s", "ratio_to_baseline", "load_s", "first_sentence_s", "peak_rss_mb"}


def test_quick_benchmark_writes_json(tmp_path: Path) -> None:
    out = tmp_path / "speed.json"
    command = [sys.executable, "benchmarks/speed.py", "--quick", "--sentences", "4", "--new-tokens", "8"]
    done = subprocess.run([*command, "--json", str(out)], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stderr
    systems = json.loads(out.read_text())
    assert [s["backend"] for s in systems] == ["naive", "torch", "ctranslate2", "ctranslate2"]
    assert systems[3]["name"].endswith("--alignments")
    for system in systems:
        assert FIELDS <= set(system)
        assert system["beam"] == 4 and system["sent_per_s"] > 0 and system["peak_rss_mb"] > 0
    assert systems[0]["ratio_to_baseline"] == 1.0
    extras = json.loads(out.with_suffix(".extras.json").read_text())
    assert extras["memory"]["second_s"] < extras["memory"]["first_s"]
    assert extras["reader"]["first_row_s"] > 0
    assert "× naive" in done.stdout and "translation memory" in done.stdout
    assert "word alignment and scores (--alignments)" in done.stdout and 4 in {int(b) for b in extras["alignment_cost"]}


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed")
def test_reader_benchmark_runs_and_reports(model_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "reader.json"
    command = [sys.executable, "benchmarks/reader.py", "--model", str(model_dir), "--size-mb", "0.05"]
    command += ["--attempt-mb", "6", "--json", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(out.read_text())
    assert results["reader"]["rows_done"] == results["sentences"] > 100
    assert results["reader"]["patches_lost"] == 0 and results["reader"]["patches"] >= 1
    assert results["oversize"]["refused"] is True  # 6 MB is over the reader's default 5 MB limit
    assert "× the CLI" in done.stdout and "× the final HTML" in done.stdout and "CPU:" in done.stdout
