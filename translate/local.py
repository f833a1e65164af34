"""Whether a request comes from the person at this machine: from a loopback address, and through no proxy.

A proxy on the same machine (nginx in front of ``tarjama serve`` or the
reader) connects from loopback for every visitor on the internet, so
loopback alone says nothing; a proxy says it is one by the headers it adds.
"""

from __future__ import annotations

from collections.abc import Iterable

FORWARDING = ("forwarded", "x-real-ip", "via")
"""Headers a proxy adds (with every ``X-Forwarded-…``); a browser sends none of them."""


def on_loopback(host: str) -> bool:
    """Whether ``host`` (an address to listen on, or a client's) is this machine alone."""
    host = host.lower().removeprefix("::ffff:")  # an IPv4 address as IPv6 says
    return host in ("localhost", "::1") or host.startswith("127.")


def forwarded(header_names: Iterable[str]) -> bool:
    """Whether a request with these headers came through a proxy (it says so)."""
    for name in header_names:
        name = name.lower()
        if name in FORWARDING or name.startswith("x-forwarded-"):
            return True
    return False


def from_this_machine(client: str | None, header_names: Iterable[str]) -> bool:
    """Whether a request from the address ``client`` with these headers is the machine's own user's:
    from loopback, through no proxy. An unknown address is not."""
    return client is not None and on_loopback(client) and not forwarded(header_names)
