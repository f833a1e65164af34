"""A Ray of tarjama's own (``--engine ray`` without an address) connects to nothing beyond this machine.

Ray 2.60 probes cloud metadata servers (169.254.169.254, metadata.google.internal) from the
dashboard process it starts even with ``include_dashboard=False`` and usage stats off; tarjama
starts its Ray without that process (``translate.engines.ray_data._no_usage_stats_process``).
Inside tests/offline.sh such an attempt fails at once; strace still sees the connect().
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from tracing import beyond_loopback, needs_strace, strace_prefix

pytestmark = [
    pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="ray is not installed"),
    needs_strace,
]

ROOT = Path(__file__).resolve().parents[1]
# Ray is imported only after _start_ray has set its environment, as `tarjama translate --engine ray` does.
START = """
from translate.engines.ray_data import _start_ray

assert _start_ray(None, num_cpus=1)
import ray

assert ray.get(ray.remote(lambda: 42).remote()) == 42  # a worker process too
ray.shutdown()
"""
# Ray's own switches are left to _start_ray; a proxy would send a probe to loopback and hide it.
UNSET = (
    "RAY_ADDRESS",
    "RAY_USAGE_STATS_ENABLED",
    "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
)


def test_a_private_ray_connects_only_to_loopback(tmp_path: Path) -> None:
    env = {name: value for name, value in os.environ.items() if name not in UNSET}
    folder = tempfile.mkdtemp(prefix="tjray", dir="/tmp")  # Ray's Unix socket paths must stay short
    env["RAY_TMPDIR"] = folder
    env["RAY_AUTH_MODE"] = "disabled"  # no token written to the home folder
    trace = tmp_path / "connects.trace"
    try:
        done = subprocess.run(
            [*strace_prefix(str(trace)), sys.executable, "-c", START],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    assert done.returncode == 0, done.stderr[-4000:]
    text = trace.read_text()
    assert 'inet_addr("127.0.0.1")' in text  # the trace saw Ray's processes connect to one another
    beyond = beyond_loopback(text)
    lines = [line for line in text.splitlines() if any(f'"{a.rsplit(":", 1)[0]}"' in line for a in beyond)]
    assert beyond == [], "\n".join(lines)
