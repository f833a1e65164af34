"""What ``strace -f -e trace=connect`` saw: the connections a process tried beyond this machine.

Inside the tests' network namespace such an attempt fails at once and silently; strace still sees it, so a
test asserts that none was made rather than that none succeeded.
"""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
from pathlib import Path

import pytest

STRACE = shutil.which("strace")
needs_strace = pytest.mark.skipif(
    STRACE is None and not os.environ.get("CI"), reason="strace is not installed (apt-get install strace)"
)
"""Skip where strace is missing, but not in CI, which installs it: there such a test fails."""
_INET = re.compile(
    r"connect\(\d+, \{sa_family=AF_INET6?, (?:sin6?_port=htons\((\d+)\), )?[^}]*?"
    r'(?:inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6, "([^"]+)")'
)


def strace_prefix(path: str) -> tuple[str, ...]:
    """The command words that trace every connect() of a command and its children into ``path``."""
    assert STRACE is not None, "strace is not installed (apt-get install strace)"
    return (STRACE, "-f", "-qq", "-e", "trace=connect", "-o", path)


def traced_child(pid: int) -> int:
    """The process strace (``pid``) runs: what a signal meant for the traced command goes to."""
    return int(Path(f"/proc/{pid}/task/{pid}/children").read_text().split()[0])


def beyond_loopback(trace: str) -> list[str]:
    """The ``address:port`` of every connect() to neither 127.0.0.0/8 nor ::1 (AF_UNIX is local)."""
    found = []
    for match in _INET.finditer(trace):
        port, v4, v6 = match.groups()
        address = ipaddress.ip_address(v4 or v6)
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if not address.is_loopback:
            found.append(f"{address}:{port}")
    return found
