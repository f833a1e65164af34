"""The suite runs where nothing can leave the machine: a private network namespace with only loopback."""

from __future__ import annotations

import os
import socket

import pytest


def test_the_tests_run_in_a_private_network_namespace() -> None:
    if os.environ.get("TARJAMA_NETWORK_NAMESPACE") != "private":
        if os.environ.get("CI"):
            pytest.fail("CI must run the tests through tests/offline.sh, in a private network namespace")
        pytest.skip("not run through tests/offline.sh (no private network namespace)")
    assert [name for _, name in socket.if_nameindex()] == ["lo"]  # no interface that leads anywhere else
    with socket.create_server(("127.0.0.1", 0)) as server:  # and loopback works
        with socket.create_connection(server.getsockname(), timeout=5) as client:
            peer, _ = server.accept()
            with peer:
                client.sendall(b"ping")
                assert peer.recv(4) == b"ping"
