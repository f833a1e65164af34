"""What a user installs: the wheel carries models.txt and the console script."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_wheel_contains_models_txt_and_entry_point(tmp_path: Path) -> None:
    build = subprocess.run(
        # No build isolation: that would download setuptools, and the tests run with no network.
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--quiet",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stderr
    (wheel,) = tmp_path.glob("tarjama-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        assert archive.read("translate/models.txt") == (ROOT / "models.txt").read_bytes()
        seed = "ui/seeds/khan-tuman.ar.txt"
        assert archive.read(seed) == (ROOT / "seeds" / "khan-tuman.ar.txt").read_bytes()
        assert {"ui/static/reader.css", "ui/static/reader.js", "ui/app.py"} <= set(archive.namelist())
        # Every module, subpackages included (a package missing from pyproject's list is not built in).
        modules = {
            p.relative_to(ROOT).as_posix() for package in ("translate", "ui") for p in (ROOT / package).rglob("*.py")
        }
        assert modules - set(archive.namelist()) == set()
        (entry_points,) = [n for n in archive.namelist() if n.endswith("entry_points.txt")]
        declared = archive.read(entry_points).decode()
        assert "tarjama = translate.cli:main" in declared
        assert "reader = ui.command:register" in declared
