"""``tarjama serve`` run as a person runs it (its own process, on loopback), for the server's tests and benchmark."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from tracing import traced_child


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Running:
    url: str
    process: subprocess.Popen
    log: Path

    traced: bool = False

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 120) -> int:
        """Signal the server (not strace, when it runs under one) and wait for it to exit; its exit status."""
        if self.process.poll() is None:
            pid = self.process.pid
            if self.traced:  # strace's child is the server
                pid = traced_child(pid)
            os.kill(pid, sig)
        return self.process.wait(timeout)


@contextlib.contextmanager
def serving(
    model_dir: Path,
    *options: str,
    log: Path,
    prefix: tuple[str, ...] = (),
    ready: bool = True,
    command: tuple[str, ...] = ("-m", "translate", "serve"),
) -> Iterator[Running]:
    """A server on a free loopback port with the fixture model (float32: its English exactly), until the end.

    ``command``: what Python runs, before the options (the benchmark's runs ``tarjama serve`` its own way).
    """
    port = free_port()
    command = (
        *prefix,
        sys.executable,
        *command,
        "--model",
        str(model_dir),
        "--compute-type",
        "float32",
        "--port",
        str(port),
        *options,
    )
    # As a person starts it: no proxy (which would take a connection beyond loopback and hide it from strace),
    # and nothing the product should set itself (GRADIO_ANALYTICS_ENABLED).
    environment = {k: v for k, v in os.environ.items() if "proxy" not in k.lower() and k != "GRADIO_ANALYTICS_ENABLED"}
    with log.open("w") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=environment)
    running = Running(f"http://127.0.0.1:{port}", process, log, traced=bool(prefix))
    try:
        if ready:
            wait_ready(running)
        yield running
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(30)


def wait_ready(running: Running, timeout: float = 180) -> None:
    """Until ``/health`` says the model is loaded; AssertionError with the server's log if it never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if running.process.poll() is not None:
            raise AssertionError(f"the server exited ({running.process.returncode}):\n{running.log.read_text()}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{running.url}/health", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise AssertionError(f"the server was not ready in {timeout} s:\n{running.log.read_text()}")
