"""Absolute links the server hands out (``translatedFileUrl``), and which proxies it believes.

A link is built from ``--public-url`` when the operator gave one; else from
``X-Forwarded-Host``/``X-Forwarded-Proto`` when the connection came from a
proxy listed in ``--forwarded-allow-ips``; else from the address the
connection actually reached. Never from the ``Host`` header, which any
client sets to anything (``Host: evil.example``).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from typing import Any, cast
from urllib.parse import urlsplit

from translate.server.limits import ASGIApp, Receive, Scope, Send

FORWARDED_HOST = "tarjama.forwarded_host"
"""The scope key where :class:`Forwarded` leaves a trusted proxy's ``X-Forwarded-Host``."""
HOST = re.compile(r"(?:[A-Za-z0-9][A-Za-z0-9.-]{0,252}|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?")
"""A host and port as a link may carry them: nothing that would end the authority (``/``, ``@``, ``#``…)."""

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_proxies(values: Sequence[str]) -> tuple[Network, ...] | None:
    """``--forwarded-allow-ips`` (addresses or networks, comma-separated or repeated; ``*``: any) as networks;
    ``None`` for any. ValueError naming a value that is neither."""
    networks: list[Network] = []
    for value in (item.strip() for entry in values for item in entry.split(",")):
        if value == "*":
            return None
        if value:
            try:
                networks.append(ipaddress.ip_network(value, strict=False))
            except ValueError:
                raise ValueError(f"{value!r} is not an address or a network (such as 127.0.0.1, 10.0.0.0/8)") from None
    return tuple(networks)


def parse_public_url(value: str) -> str:
    """``--public-url`` without its trailing ``/``; ValueError unless it is an http(s) URL with nothing after its
    path."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ValueError(f"{value!r}: give the URL clients reach this server at, such as https://translate.example.org")
    return value.strip().rstrip("/")


class Forwarded:
    """ASGI middleware: proxy headers believed from ``proxies`` only (``None``: from any).

    From a listed proxy, ``X-Forwarded-For`` and ``X-Forwarded-Proto`` become the request's client and scheme
    (uvicorn's own middleware, which does that, is run inside this one) and ``X-Forwarded-Host`` is kept for
    links; from anyone else all three are ignored.
    """

    def __init__(self, app: ASGIApp, proxies: tuple[Network, ...] | None) -> None:
        from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

        trusted = "*" if proxies is None else [str(network) for network in proxies]
        self.app = cast(ASGIApp, ProxyHeadersMiddleware(app, trusted_hosts=trusted))  # type: ignore[arg-type]
        self.plain = app
        self.proxies = proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or not self._trusted(scope.get("client")):
            await self.plain(scope, receive, send)
            return
        for name, value in scope.get("headers") or []:
            if name == b"x-forwarded-host":
                host = value.decode("latin-1").split(",")[0].strip()
                if HOST.fullmatch(host):
                    scope[FORWARDED_HOST] = host
                break
        await self.app(scope, receive, send)

    def _trusted(self, client: Any) -> bool:
        if self.proxies is None:
            return True
        try:
            address = ipaddress.ip_address(client[0])
        except (TypeError, ValueError, IndexError):
            return False
        return any(address in network for network in self.proxies)


def base_url(scope: Scope, public_url: str = "") -> str:
    """Where clients reach this server (no trailing ``/``): ``public_url``, a trusted proxy's host, or the address
    the connection reached (``scope["server"]``)."""
    if public_url:
        return public_url
    scheme = scope.get("scheme", "http")
    root = scope.get("root_path", "")
    forwarded = scope.get(FORWARDED_HOST)
    if forwarded:
        return f"{scheme}://{forwarded}{root}"
    server = scope.get("server")
    if not server:  # a Unix socket: only a proxy knows the address, so the link stays relative to this server
        return root
    host, port = server[0], server[1]
    if ":" in host:
        host = f"[{host}]"
    default = {"http": 80, "https": 443}.get(scheme)
    return f"{scheme}://{host}{'' if port in (None, default) else f':{port}'}{root}"


__all__ = ["Forwarded", "base_url", "parse_proxies", "parse_public_url"]
