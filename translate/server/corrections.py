"""Corrections sent over HTTP (``/v1/corrections``, LibreTranslate's ``/suggest``): who may change what
everyone is served.

A correction becomes everyone's translation only when it comes with an API key the operator marked
``--curate`` (and the operator has not said ``--remember-corrections no``). Any other is a *suggestion*
when the server keeps them (``--suggestions``): stored apart, never served, until the operator accepts it
(``tarjama cache suggestions``, ``tarjama cache accept ID``); else it is refused (403).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from translate.local import forwarded
from translate.normalize import normalize_for_model
from translate.server.limits import LimitError

if TYPE_CHECKING:
    from starlette.requests import Request

    from translate.memory import TranslationMemory
    from translate.server.keys import ApiKey
    from translate.server.server import Server

MAX_SUGGESTIONS = 10_000
"""Suggestions kept waiting at most: past that, new ones are refused until the operator reviews them."""
SUGGESTIONS_OFF = "Suggestions are disabled on this server."
"""LibreTranslate's answer (403) to ``/suggest`` when it keeps no suggestions."""


@dataclass(frozen=True)
class Kept:
    """What became of a correction: served to everyone (``stored``), or kept as suggestion ``suggestion``."""

    stored: bool
    suggestion: int | None = None


def correction(server: Server, request: Request, key: ApiKey | None, source: str, target: str) -> Kept:
    """Keep a correction as its key allows: served (a curator's), a suggestion, or :class:`LimitError` 403."""
    memory = _memory(server)
    if key is not None and key.curate and server.remember_corrections:
        memory.store_human(normalize_for_model(source), target.strip())
        return Kept(stored=True)
    if server.suggestions:
        return Kept(stored=False, suggestion=suggestion(server, request, key, source, target))
    why = (
        "its operator said --remember-corrections no"
        if key is not None and key.curate
        else "only an API key its operator marked as a curator's (tarjama serve keys add --curate) may change "
        "what everyone is served, and this server keeps no suggestions (--suggestions)"
    )
    raise LimitError(403, f"this server does not take corrections: {why}")


def suggestion(server: Server, request: Request, key: ApiKey | None, source: str, target: str) -> int:
    """Keep a suggestion apart, for the operator to accept or reject; its id. :class:`LimitError` when off."""
    if not server.suggestions:
        raise LimitError(403, SUGGESTIONS_OFF)
    memory = _memory(server)
    if memory.suggestion_count() >= MAX_SUGGESTIONS:
        raise LimitError(
            503, f"{MAX_SUGGESTIONS:,} suggestions are waiting for this server's operator; try again later"
        )
    return memory.suggest(normalize_for_model(source), target.strip(), _who(request, key))


def _memory(server: Server) -> TranslationMemory:
    memory = server.ready().aligned.memory
    if memory is None:
        raise LimitError(403, "this server keeps no translation memory (--no-cache), so no corrections either")
    return memory


def _who(request: Request, key: ApiKey | None) -> str:
    """Who sent a suggestion, as far as the server knows: a key's id, else the address (and what a proxy said)."""
    if key is not None:
        return f"key:{key.id}"
    who = request.client.host if request.client else "unknown"
    if forwarded(request.headers.keys()):
        said = request.headers.get("forwarded") or request.headers.get("x-forwarded-for") or ""
        who += f" (via a proxy: {said[:100]})" if said else " (via a proxy)"
    return who
