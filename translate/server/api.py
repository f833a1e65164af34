"""tarjama's own API (``/v1``): aligned pairs as the CLI's JSONL writes them, documents, alternatives, corrections.

- ``POST /v1/translate`` ``{"text": …}``: ``{"model", "pairs": [...]}``, each pair the JSON of one line of
  ``tarjama translate -f jsonl --alignments`` (``translation``, ``alignment``, ``score``, ``terms``,
  ``checks``…); with ``"stream": true`` (or ``Accept: application/x-ndjson``) one pair per line as each
  is translated, for long texts.
- ``POST /v1/documents`` (multipart ``file``, ``bilingual``): the document back as itself, in English.
- ``POST /v1/alternatives`` ``{"source", "target", "word", "count"}``: the model's other choices at a word.
- ``POST /v1/corrections`` ``{"source", "target", "api_key"}``: a person's translation; served to everyone from
  a curator's key, else kept as a suggestion (``--suggestions``) or refused (:mod:`translate.server.corrections`).
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from translate.server.corrections import correction
from translate.server.libretranslate import DOCUMENTS, BadRequest, endpoint, parse_json, translated_document
from translate.server.scheduler import CURRENT
from translate.writers import jsonl_record

WARNINGS_HEADER = "X-Tarjama-Warnings"
"""/v1/documents' answer header: a JSON list of what the CLI would warn about the file (its checks, what was
not kept); `[]` when nothing."""

if TYPE_CHECKING:
    from translate.server.server import Server


async def _json(request: Request) -> dict[str, Any]:
    return parse_json(await request.body(), not_an_object="Invalid request: send a JSON object")


def _string(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value.strip():
        raise BadRequest(f"Invalid request: missing {name} parameter (a non-empty string)")
    return value


def routes(server: Server) -> list[Route]:
    """The ``/v1`` routes, bound to ``server``."""

    async def translate(request: Request) -> Response:
        data = await _json(request)
        text = _string(data, "text")
        server.access(request, str(data.get("api_key") or ""), cost=1, characters=len(text))
        stream = data.get("stream") is True or "application/x-ndjson" in request.headers.get("accept", "")
        if not stream:
            pairs = await server.run(request, [text], lambda service: list(service.pairs(text)))
            model = server.ready().model
            return JSONResponse({"model": model, "pairs": [jsonl_record(pair) for pair in pairs]})
        return _streamed(server, text)

    async def documents(request: Request) -> Response:
        form = await request.form(max_files=1, max_fields=8)
        upload = form.get("file")
        if upload is None or isinstance(upload, str) or not upload.filename:
            raise BadRequest("Invalid request: missing file parameter (a document to translate)")
        name = Path(upload.filename).name
        suffix = Path(name).suffix.lower()
        if suffix not in DOCUMENTS or suffix == ".txt":
            raise BadRequest(f"Invalid request: {name}: send a {', '.join(d for d in DOCUMENTS if d != '.txt')} file")
        bilingual = str(form.get("bilingual") or "").lower() in ("1", "true", "yes", "on")
        key = form.get("api_key")
        server.access(request, key if isinstance(key, str) else "", cost=1, characters=0)
        written, warnings, ending = await translated_document(
            server, request, name, await upload.read(), bilingual=bilingual
        )
        english = f"{Path(name).stem}.{'ar-en' if bilingual else 'en'}{ending}"
        headers = {
            "Content-Disposition": f"attachment; filename*=UTF-8''{_quoted(english)}",
            # What the CLI would warn about the file, as a JSON list of lines (Arabic escaped: headers are ASCII).
            WARNINGS_HEADER: json.dumps(list(warnings)),
        }
        return Response(written, media_type="application/octet-stream", headers=headers)

    async def alternatives(request: Request) -> Response:
        data = await _json(request)
        source, target = _string(data, "source"), _string(data, "target")
        word, count = data.get("word", 0), data.get("count", 5)
        if not isinstance(word, int) or not isinstance(count, int) or word < 0 or not 1 <= count <= 20:
            raise BadRequest("Invalid request: word must be a whole number from 0, count one from 1 to 20")
        server.access(request, str(data.get("api_key") or ""), cost=1, characters=len(source))
        found = await server.run(request, [], lambda s: s.aligned.alternatives(source, target, word, count))
        return JSONResponse([{"text": a.text, "start": a.start, "word": a.word} for a in found])

    async def corrections(request: Request) -> Response:
        data = await _json(request)
        source, target = _string(data, "source"), _string(data, "target")
        key = server.access(request, str(data.get("api_key") or ""), cost=1, characters=len(source) + len(target))
        kept = correction(server, request, key, source, target)
        if kept.stored:
            return JSONResponse({"stored": True})
        # Accepted for the operator's review: nobody is served it until then.
        return JSONResponse({"stored": False, "suggestion": kept.suggestion}, status_code=202)

    return [
        Route("/v1/translate", endpoint(server, translate), methods=["POST"]),
        Route("/v1/documents", endpoint(server, documents), methods=["POST"]),
        Route("/v1/alternatives", endpoint(server, alternatives), methods=["POST"]),
        Route("/v1/corrections", endpoint(server, corrections), methods=["POST"]),
    ]


def _streamed(server: Server, text: str) -> Response:
    """One JSON line per pair as it is translated; the queue is held for the text's sentences until the end."""
    service = server.ready()
    ticket = server.admit(service, [text])
    CURRENT.set(ticket)  # the response's worker threads inherit it, as a request's do

    def end() -> None:  # its queued sentences dropped, its place given back (a second call changes nothing)
        ticket.cancel("the response ended")
        service.scheduler.release(ticket)

    def lines() -> Iterator[str]:
        try:
            for pair in service.pairs(text):
                yield json.dumps(jsonl_record(pair), ensure_ascii=False) + "\n"
        finally:  # also when the client goes away mid-stream
            end()

    stream = lines()
    # A client gone before the first line leaves the generator unstarted, and its finally never runs: the place
    # in the queue is given back when the generator is collected.
    weakref.finalize(stream, end)
    return StreamingResponse(stream, media_type="application/x-ndjson")


def _quoted(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")
