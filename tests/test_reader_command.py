"""`tarjama reader` as a user starts it: argument checks in-process, the real server in a subprocess."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from fixture_model import EXACT_COMPUTE_TYPE
from tracing import beyond_loopback, needs_strace, strace_prefix, traced_child

from translate.cli import main


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--auth", "nopassword"], "--auth must look like USER:PASSWORD"),
        (["--max-file-size", "lots"], "--max-file-size 'lots': use a size such as 5mb"),
        (["--max-text-size", "5 megs"], "--max-text-size '5 megs': use a size such as 5mb"),
        (["--model", "/no/such/model"], "--model /no/such/model: no such directory or model name"),
        (["--model", "no-such-model"], "see `tarjama models` for the names"),
    ],
)
def test_bad_reader_arguments(args: list[str], message: str, capsys) -> None:
    assert main(["reader", *args]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "shared"),
    [
        ([], False),
        (["--host", "localhost"], False),
        (["--host", "::1"], False),
        (["--host", "0.0.0.0"], True),
        (["--host", "192.168.1.5"], True),
        (["--auth", "a:b"], True),
        (["--share"], True),
    ],
)
def test_corrections_are_remembered_only_when_the_reader_is_not_shared(args: list[str], shared: bool) -> None:
    from translate.cli import build_parser
    from ui.command import is_shared

    assert is_shared(build_parser().parse_args(["reader", *args])) is shared


@pytest.mark.parametrize(("text", "size"), [("5mb", 5_000_000), ("500kb", 500_000), ("1.5 GB", 1_500_000_000)])
def test_sizes(text: str, size: int) -> None:
    from translate.commands.common import parse_size

    assert parse_size("--max-text-size", text) == size


def _wait_until_up(url: str, process: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read()
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return  # it answers (e.g. 401 behind --auth)
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"reader did not start on {url}")


def _listening_addresses(port: int) -> set[str]:
    """Local addresses (hex, as the kernel lists them) of sockets listening on ``port``."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


def test_tarjama_reader_serves_on_loopback_with_a_login(model_dir: Path, free_port: int) -> None:
    from gradio_client import Client
    from gradio_client.exceptions import AuthenticationError

    port = free_port
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    command = [str(Path(sys.executable).with_name("tarjama")), "reader", "--model", str(model_dir), "--port", str(port)]
    command += ["--compute-type", EXACT_COMPUTE_TYPE]
    process = subprocess.Popen(
        [*command, "--auth", "reader:s3cret"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        _wait_until_up(url, process)
        with pytest.raises(AuthenticationError, match="credentials were not provided"):
            Client(url, verbose=False)
        client = Client(url, auth=("reader", "s3cret"), verbose=False)
        assert client.predict("مرحبا بكم.", str(model_dir), api_name="/translate")[0]["target"] == "Welcome."
        # Behind a login, visitors are told their corrections stay in their own session.
        (scope,) = [c for c in client.config["components"] if c.get("props", {}).get("elem_id") == "tj-scope"]
        assert "stay in this browser session" in scope["props"]["value"]
        assert _listening_addresses(port) == {"0100007F"}  # 127.0.0.1 only, not 0.0.0.0 or ::
    finally:
        process.terminate()
        process.wait(timeout=30)


@needs_strace
def test_tarjama_reader_connects_to_nothing_beyond_loopback(model_dir: Path, free_port: int, tmp_path: Path) -> None:
    """Gradio checks for updates and counts visits on its own unless told not to: strace sees every attempt."""
    from gradio_client import Client

    # Proxy variables would send an attempt to loopback and hide it: the reader runs without them.
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()} | {"HF_HUB_OFFLINE": "1"}
    env.pop("GRADIO_ANALYTICS_ENABLED", None)  # the product must turn it off itself
    trace = tmp_path / "connects.trace"
    command = [str(Path(sys.executable).with_name("tarjama")), "reader", "--model", str(model_dir)]
    command += ["--port", str(free_port), "--compute-type", EXACT_COMPUTE_TYPE]
    process = subprocess.Popen(
        [*strace_prefix(str(trace)), *command], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        url = f"http://127.0.0.1:{free_port}/"
        _wait_until_up(url, process)
        client = Client(url, verbose=False)
        assert client.predict("مرحبا بكم.", str(model_dir), api_name="/translate")[0]["target"] == "Welcome."
        time.sleep(2)  # what a library does on its own a moment after start
    finally:
        os.kill(traced_child(process.pid), signal.SIGTERM)  # the reader, not strace
        process.wait(timeout=30)
    text = trace.read_text()
    assert "+++ killed by SIGTERM +++" in text or "+++ exited with" in text  # strace followed the reader
    assert beyond_loopback(text) == []
