"""LibreTranslate's API, as its clients call it (Mastodon, Discourse, Weblate, libretranslatepy, deep-translator).

Fields come from a JSON body, or else from a form body merged with the
query string (LibreTranslate reads them so; deep-translator sends all of
them in the query string). Answers and errors have LibreTranslate's shapes
and status codes: ``{"translatedText": …}``, a list for a list ``q``;
``{"error": "…"}`` with 400 (bad request), 403 (key), 429 (slow down), and
500; plus 413 for a body over the limit and 503 when the model is not ready
or a request ran past its deadline. The routes parse, validate and answer;
:class:`~translate.server.service.Service` translates.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

import anyio
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from translate.errors import InputError, TranslateError
from translate.formats import SCANNED, Document
from translate.server.corrections import SUGGESTIONS_OFF, suggestion
from translate.server.downloads import content_disposition, download_name, link_path
from translate.server.limits import LimitError
from translate.server.links import base_url
from translate.server.server import printable
from translate.server.service import Detected, detect
from translate.verbatim import needs_translation

if TYPE_CHECKING:
    from translate.server.server import Server
    from translate.server.service import Service

logger = logging.getLogger("tarjama")

LANGUAGES = [
    {"code": "ar", "name": "Arabic", "targets": ["en"]},
    {"code": "en", "name": "English", "targets": []},
]
FORMATS = ("text", "html")
DOCUMENTS = (".txt", ".docx", ".html", ".htm", ".md", ".epub", ".srt", ".vtt", ".pdf", *SCANNED)
"""What ``/translate_file`` takes: what tarjama reads and writes back (a ``.txt`` as text; a PDF or a scanned
image, read by OCR, as ``.docx``)."""


class BadRequest(LimitError):
    """400, with LibreTranslate's message."""

    def __init__(self, message: str) -> None:
        super().__init__(400, message)


@dataclass(frozen=True)
class TranslateRequest:
    """A ``/translate`` request, validated: the texts (a list if ``q`` was one), languages, format, alternatives."""

    texts: tuple[str, ...]
    is_list: bool
    source: str
    target: str
    format: str
    alternatives: int
    api_key: str


async def read_fields(request: Request) -> dict[str, Any]:
    """The request's fields: its JSON object, or its form merged with the query string (the query first)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if content_type == "application/json" or (
        content_type.startswith("application/") and content_type.endswith("+json")
    ):
        return parse_json(body, not_an_object="Invalid JSON format")
    fields: dict[str, Any] = dict(request.query_params)
    if content_type == "multipart/form-data":
        form = await request.form(max_files=1)
        for name, value in form.multi_items():
            fields.setdefault(name, value)
    elif body:
        try:
            pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, encoding="utf-8", errors="strict")
        except UnicodeDecodeError:
            raise BadRequest("Invalid request: the form body is not UTF-8") from None
        for name, value in pairs:
            fields.setdefault(name, value)
    return fields


def parse_json(body: bytes, *, not_an_object: str) -> dict[str, Any]:
    """A JSON body's object; :class:`BadRequest` (``not_an_object`` for JSON that is not one) otherwise."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:  # bad JSON, bad UTF-8, nesting past Python's stack
        raise BadRequest(f"Invalid request: the body is not valid JSON ({type(exc).__name__})") from None
    if not isinstance(data, dict):
        raise BadRequest(not_an_object)
    if not _encodable(data):
        raise BadRequest("Invalid request: the JSON holds a lone surrogate (\\ud800–\\udfff), which is not text")
    return data


def _encodable(data: Any) -> bool:
    """Whether every string in ``data`` (keys too) is text that UTF-8 can hold: JSON's ``\\ud800`` escapes can
    make a lone surrogate, which no later step could encode. Walked without recursion (any depth)."""
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if not value.isascii():
                try:
                    value.encode("utf-8")
                except UnicodeEncodeError:
                    return False
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return True


def _texts(fields: dict[str, Any]) -> tuple[list[str], bool]:
    """``q`` as a list of texts, and whether it was a list; :class:`BadRequest` if it is missing or not text."""
    q = fields.get("q")
    if not q:
        raise BadRequest("Invalid request: missing q parameter")
    texts = q if isinstance(q, list) else [q]
    if not all(isinstance(t, str) for t in texts):
        raise BadRequest("Invalid request: q must be a string or a list of strings")
    return texts, isinstance(q, list)


def _count(value: Any, name: str) -> int:
    """A whole number of 0 or more, from JSON (a number) or a form (its digits); absent or empty is 0."""
    if value is None or value == "":
        return 0
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise BadRequest(f"Invalid request: {name} parameter must be a whole number from 0")
    return value


def parse_translate(fields: dict[str, Any], server: Server) -> TranslateRequest:
    """A validated :class:`TranslateRequest`, or :class:`BadRequest` with LibreTranslate's message."""
    limits = server.limits
    texts, is_list = _texts(fields)
    for name in ("source", "target"):
        if not fields.get(name):
            raise BadRequest(f"Invalid request: missing {name} parameter")
        if not isinstance(fields[name], str):
            raise BadRequest(f"Invalid request: {name} must be a string")
    alternatives = _count(fields.get("alternatives"), "alternatives")
    if alternatives > limits.alternatives_limit:
        raise BadRequest(f"Invalid request: alternatives parameter must be <= {limits.alternatives_limit}")
    if is_list and len(texts) > limits.batch_limit:
        raise BadRequest(f"Invalid request: request ({len(texts)}) exceeds text limit ({limits.batch_limit})")
    source, target = fields["source"].lower(), fields["target"].lower()
    if source not in ("ar", "auto", "en"):
        raise BadRequest(f"{source} is not supported")
    if target not in ("en", "ar"):
        raise BadRequest(f"{target} is not supported")
    if source == "en" and target == "ar":
        raise BadRequest("Arabic (ar) is not available as a target language from English (en)")
    fmt = fields.get("format") or "text"
    if fmt not in FORMATS:
        raise BadRequest(f"{fmt} format is not supported")
    key = fields.get("api_key") or ""
    return TranslateRequest(
        tuple(texts), is_list, source, target, fmt, alternatives, key if isinstance(key, str) else ""
    )


def endpoint(
    server: Server, handler: Callable[[Request], Awaitable[Response]]
) -> Callable[[Request], Awaitable[Response]]:
    """``handler`` answering errors as ``{"error": …}`` with their status (the guard counts and logs them)."""

    async def answer(request: Request) -> Response:
        try:
            return await handler(request)
        except LimitError as exc:
            headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
            return JSONResponse({"error": str(exc)}, status_code=exc.status, headers=headers)
        except HTTPException as exc:  # Starlette's own refusals (a form with too many fields), an upload too large
            return JSONResponse({"error": f"Invalid request: {exc.detail}"}, status_code=exc.status_code)
        except ClientDisconnect:  # gone while its body arrived: no one reads this answer, the guard counts a 499
            return JSONResponse({"error": "the client went away"}, status_code=499)
        except TranslateError as exc:  # the model could not do it (it says why)
            return JSONResponse({"error": f"Cannot translate text: {exc}"}, status_code=500)
        except Exception as exc:  # a fault of the server's: logged whole once (with -v), answered in one line
            logger.exception("%s %s failed", request.method, printable(request.url.path))
            return JSONResponse(
                {"error": f"The server failed on this request ({type(exc).__name__}); its log has the details"},
                status_code=500,
            )

    return answer


def routes(server: Server) -> list[Route]:
    """The LibreTranslate routes, bound to ``server``."""

    async def translate(request: Request) -> Response:
        fields = await read_fields(request)
        asked = parse_translate(fields, server)
        server.access(request, asked.api_key, cost=len(asked.texts), characters=sum(map(len, asked.texts)))
        server.log_text(asked.texts)
        detected = [detect(t) if asked.source == "auto" else Detected(asked.source, 100.0) for t in asked.texts]
        # What this server translates: Arabic into English; anything else (English, "12345", a bare link, even
        # with source "ar") comes back as it came, never seen by the model.
        chosen = [
            k
            for k, found in enumerate(detected)
            if found.language == "ar" and asked.target == "en" and needs_translation(asked.texts[k])
        ]
        answers = list(asked.texts)
        alternatives: list[list[str]] = [[] for _ in asked.texts]
        if chosen:
            texts = [asked.texts[k] for k in chosen]
            done = await server.run(request, texts, lambda service: _translated(service, texts, asked))
            for k, (english, others) in zip(chosen, done, strict=True):
                answers[k], alternatives[k] = english, others
        body: dict[str, Any] = {"translatedText": answers if asked.is_list else answers[0]}
        if asked.alternatives:
            body["alternatives"] = alternatives if asked.is_list else alternatives[0]
        if asked.source == "auto":
            shown = [{"confidence": d.confidence, "language": d.language} for d in detected]
            body["detectedLanguage"] = shown if asked.is_list else shown[0]
        return JSONResponse(body)

    async def languages(request: Request) -> Response:
        return JSONResponse(LANGUAGES)

    async def detect_language(request: Request) -> Response:
        fields = await read_fields(request)
        texts, is_list = _texts(fields)
        most = server.limits.batch_limit
        if is_list and len(texts) > most:
            raise BadRequest(f"Invalid request: request ({len(texts)}) exceeds text limit ({most})")
        key = fields.get("api_key") or ""
        server.access(request, key if isinstance(key, str) else "", cost=1, characters=0)
        # LibreTranslate's shape: a list of candidates for a text, one such list per text of a list.
        found = [[{"confidence": d.confidence, "language": d.language}] for d in map(detect, texts)]
        return JSONResponse(found if is_list else found[0])

    async def health(request: Request) -> Response:
        if server.service is None:
            return JSONResponse({"status": "loading"}, status_code=503)
        return JSONResponse({"status": "ok"})

    async def settings(request: Request) -> Response:
        limits = server.limits
        return JSONResponse(
            {
                "charLimit": limits.char_limit,
                "frontendTimeout": 500,
                "apiKeys": server.keys is not None,
                "keyRequired": server.keys is not None,
                "suggestions": server.suggestions,
                "filesTranslation": True,
                "supportedFilesFormat": list(DOCUMENTS),
                "language": {"source": {"code": "ar", "name": "Arabic"}, "target": {"code": "en", "name": "English"}},
            }
        )

    async def suggest(request: Request) -> Response:
        fields = await read_fields(request)
        key = fields.get("api_key") or ""
        texts = [fields.get(name) for name in ("q", "s")]
        characters = sum(len(t) for t in texts if isinstance(t, str))
        found = server.access(request, key if isinstance(key, str) else "", cost=1, characters=characters)
        if not server.suggestions:
            raise LimitError(403, SUGGESTIONS_OFF)
        for name in ("q", "s", "source", "target"):
            if not isinstance(fields.get(name), str) or not fields[name].strip():
                raise BadRequest(f"Invalid request: missing {name} parameter")
        if fields["source"].lower() not in ("ar", "auto") or fields["target"].lower() != "en":
            raise BadRequest("Invalid request: this server takes suggestions from Arabic (ar) to English (en) only")
        suggestion(server, request, found, fields["q"], fields["s"])
        return JSONResponse({"success": True})

    async def translate_file(request: Request) -> Response:
        form = await request.form(max_files=1, max_fields=16)
        upload = form.get("file")
        fields = {name: value for name, value in form.multi_items() if isinstance(value, str)}
        if upload is None or isinstance(upload, str):
            raise BadRequest("Invalid request: missing file parameter")
        for name in ("source", "target"):
            if not fields.get(name):
                raise BadRequest(f"Invalid request: missing {name} parameter")
        if not upload.filename:
            raise BadRequest("Invalid request: empty file")
        name = Path(upload.filename).name
        if Path(name).suffix.lower() not in DOCUMENTS:
            raise BadRequest("Invalid request: file format not supported")
        if fields["source"].lower() not in ("ar", "auto") or fields["target"].lower() != "en":
            raise BadRequest(
                f"{fields['source']} is not supported"
                if fields["source"].lower() not in ("ar", "auto")
                else f"{fields['target']} is not supported"
            )
        data = await upload.read()
        key = fields.get("api_key") or request.query_params.get("api_key", "")
        server.access(request, key, cost=1, characters=0)
        written, warnings, ending = await translated_document(server, request, name, data)
        stored = server.files.put(f"{Path(name).stem}_en{ending}", written)
        link = base_url(request.scope, server.public_url) + link_path(stored)
        # LibreTranslate answers the link alone; its clients read that field and pass over tarjama's warnings.
        return JSONResponse({"translatedFileUrl": link, "warnings": list(warnings)})

    async def download_file(request: Request) -> Response:
        filename = request.path_params["filename"]
        path = server.files.find(filename)
        if path is None:
            raise LimitError(
                404, "no such file: it may have expired (translated files are kept for 30 minutes); translate it again"
            )
        return FileResponse(path, headers={"Content-Disposition": content_disposition(download_name(filename))})

    return [
        Route("/translate", endpoint(server, translate), methods=["POST"]),
        Route("/languages", endpoint(server, languages), methods=["GET"]),
        Route("/detect", endpoint(server, detect_language), methods=["POST"]),
        Route("/health", endpoint(server, health), methods=["GET"]),
        Route("/frontend/settings", endpoint(server, settings), methods=["GET"]),
        Route("/suggest", endpoint(server, suggest), methods=["POST"]),
        Route("/translate_file", endpoint(server, translate_file), methods=["POST"]),
        Route("/download_file/{filename}", endpoint(server, download_file), methods=["GET"], name="download_file"),
    ]


async def translated_document(
    server: Server, request: Request, name: str, data: bytes, *, bilingual: bool = False
) -> tuple[bytes, tuple[str, ...], str]:
    """An uploaded file in English: a document back as itself (with ``bilingual``, its Arabic kept before its
    English; a PDF's pages beside their originals), a scan as a Word file, a .txt as text; the warnings the CLI
    would print for it (:attr:`~translate.server.service.WrittenDocument.warnings`, at most
    :data:`WARNINGS_SENT`); and the written file's ending."""
    from translate.files import decode_text

    try:
        if Path(name).suffix.lower() == ".txt":
            text = decode_text(data, name)
            done = await server.run(request, [text], lambda service: service.translate_texts([text]))
            return done[0][0].encode("utf-8"), (), ".txt"
        # A scan is read by OCR, seconds a page: off the event loop, which must go on answering everyone else.
        document, ending = await anyio.to_thread.run_sync(_read_upload, name, data)
    except (InputError, ValueError) as exc:
        raise BadRequest(f"Invalid request: {exc}") from None
    text = "\n".join(block.text for block in document.blocks)
    written = await server.run(
        request, [text], lambda service: service.translate_document(document, bilingual=bilingual)
    )
    return written.data, written.warnings[:WARNINGS_SENT], ending


def _read_upload(name: str, data: bytes) -> tuple[Document, str]:
    """An upload read to be written back, and the ending it is written with: its own (a scanned PDF's English set
    over its pages' images), but an image's a Word file's."""
    from translate.formats import read_document

    suffix = Path(name).suffix.lower()
    if suffix in SCANNED:
        return read_document(name, data, "docx"), ".docx"
    return read_document(name, data, suffix.lstrip(".")), suffix


WARNINGS_SENT = 20
"""The most warning lines sent with a file (one per kind of check, so a document has a handful): a bound on the
header they travel in."""


def _translated(service: Service, texts: list[str], asked: TranslateRequest) -> list[tuple[str, list[str]]]:
    """A request's texts, in a worker thread: HTML keeps its tags; text may bring alternatives."""
    if asked.format == "html":
        return [(english, []) for english in service.translate_html(texts)]
    return service.translate_texts(texts, asked.alternatives)


__all__ = ["endpoint", "parse_json", "parse_translate", "read_fields", "routes", "translated_document"]
