"""The server's OpenAPI 3.1 schema (``GET /openapi.json``, ``GET /spec``; a page of it at ``/docs``): LibreTranslate's
routes as tarjama serves them, ``/v1``, and the rest (metrics, the schema and the page themselves)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from translate.version import __version__

if TYPE_CHECKING:
    from translate.server.server import Server

ERROR = {"type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]}
TEXTS = {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
DETECTED = {
    "type": "object",
    "properties": {"confidence": {"type": "number"}, "language": {"type": "string"}},
    "required": ["confidence", "language"],
}
PAIR = {
    "type": "object",
    "description": "One sentence, as a line of `tarjama translate -f jsonl --alignments`.",
    "properties": {
        "index": {"type": "integer"},
        "paragraph": {"type": "integer"},
        "translation": {
            "type": "object",
            "properties": {"ar": {"type": "string"}, "en": {"type": "string"}},
            "required": ["ar", "en"],
        },
        "start": {"type": ["integer", "null"]},
        "end": {"type": ["integer", "null"]},
        "alignment": {"type": ["string", "null"], "description": "Pharaoh format: Arabic word-English word"},
        "score": {"type": ["number", "null"]},
        "word_scores": {"type": ["array", "null"], "items": {"type": "number"}},
        "terms": {"type": "array", "items": {"type": "object"}},
        "checks": {"type": "array", "items": {"type": "object"}},
        "copied": {"type": "boolean", "description": "No Arabic to translate: never sent to the model, as written"},
    },
    "required": ["index", "translation"],
}


def _errors(*codes: int) -> dict[str, Any]:
    words = {
        400: "Bad request (the message says what is wrong)",
        403: "No valid API key",
        404: "No such file: expired (30 minutes) or evicted to make room (--files-limit)",
        413: "Body over the limit",
        429: "Too many requests, or the queue is full (see Retry-After)",
        503: "The model is not loaded yet, or the request ran past its deadline",
        507: "The translated file is larger than the server keeps for download (--files-limit)",
    }
    return {
        str(code): {"description": words[code], "content": {"application/json": {"schema": ERROR}}} for code in codes
    }


def _body(schema: dict[str, Any], *, form: bool = True) -> dict[str, Any]:
    content: dict[str, Any] = {"application/json": {"schema": schema}}
    if form:
        flat = {
            "type": "object",
            "properties": {k: ({"type": "string"} if k == "q" else v) for k, v in schema["properties"].items()},
            "required": schema.get("required", []),
        }
        content["application/x-www-form-urlencoded"] = {"schema": flat}
    return {"required": True, "content": content}


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"200": {"description": description, "content": {"application/json": {"schema": schema}}}}


def _get(summary: str, kind: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    content = {kind: {"schema": schema} if schema else {}}
    return {"get": {"summary": summary, "responses": {"200": {"description": "OK", "content": content}}}}


def openapi(server: Server) -> dict[str, Any]:
    """The schema, with the server's limits in it."""
    limits = server.limits
    translate_request = {
        "type": "object",
        "properties": {
            "q": {**TEXTS, "description": f"a text, or a list of at most {limits.batch_limit}"},
            "source": {"type": "string", "enum": ["ar", "auto", "en"]},
            "target": {"type": "string", "enum": ["en", "ar"]},
            "format": {"type": "string", "enum": ["text", "html"], "default": "text"},
            "alternatives": {"type": "integer", "minimum": 0, "maximum": limits.alternatives_limit, "default": 0},
            "api_key": {"type": ["string", "null"]},
        },
        "required": ["q", "source", "target"],
    }
    translated = {
        "type": "object",
        "properties": {
            "translatedText": TEXTS,
            "alternatives": {"type": "array", "items": {}},
            "detectedLanguage": {"oneOf": [DETECTED, {"type": "array", "items": DETECTED}]},
        },
        "required": ["translatedText"],
    }
    upload = {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "source": {"type": "string"},
                        "target": {"type": "string"},
                        "bilingual": {"type": "string"},
                        "api_key": {"type": "string"},
                    },
                    "required": ["file"],
                }
            }
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "tarjama",
            "version": __version__,
            "description": "Arabic to English translation: LibreTranslate's API, and tarjama's own aligned API (/v1).",
            "license": {"name": "MIT"},
        },
        "paths": {
            "/translate": {
                "post": {
                    "summary": "Translate text or HTML (LibreTranslate)",
                    "requestBody": _body(translate_request),
                    "responses": {**_json(translated), **_errors(400, 403, 413, 429, 503)},
                }
            },
            "/detect": {
                "post": {
                    "summary": "Arabic or not, with a confidence (LibreTranslate)",
                    "requestBody": _body(
                        {
                            "type": "object",
                            "properties": {"q": TEXTS, "api_key": {"type": ["string", "null"]}},
                            "required": ["q"],
                        }
                    ),
                    "responses": {
                        **_json(
                            {
                                "oneOf": [
                                    {"type": "array", "items": DETECTED},
                                    {"type": "array", "items": {"type": "array", "items": DETECTED}},
                                ]
                            },
                            "The candidates for a text; a list of them, one per text, for a list q",
                        ),
                        **_errors(400, 403, 413, 429),
                    },
                }
            },
            "/languages": {"get": {"summary": "Languages served", "responses": _json({"type": "array"})}},
            "/health": {
                "get": {
                    "summary": "Ready once the model is loaded",
                    "responses": {**_json({"type": "object"}), **_errors(503)},
                }
            },
            "/frontend/settings": {
                "get": {"summary": "Settings (LibreTranslate)", "responses": _json({"type": "object"})}
            },
            "/suggest": {
                "post": {
                    "summary": "Suggest a translation (LibreTranslate): kept for the operator, never served; "
                    "403 unless the server runs with --suggestions",
                    "requestBody": _body(
                        {
                            "type": "object",
                            "properties": {
                                "q": {"type": "string"},
                                "s": {"type": "string"},
                                "source": {"type": "string"},
                                "target": {"type": "string"},
                                "api_key": {"type": "string"},
                            },
                            "required": ["q", "s", "source", "target"],
                        }
                    ),
                    "responses": {
                        **_json({"type": "object", "properties": {"success": {"type": "boolean"}}}),
                        **_errors(400, 403, 413, 429, 503),
                    },
                }
            },
            "/translate_file": {
                "post": {
                    "summary": "Translate a document (LibreTranslate): a link to download it",
                    "requestBody": upload,
                    "responses": {
                        **_json(
                            {
                                "type": "object",
                                "properties": {"translatedFileUrl": {"type": "string", "format": "uri"}},
                                "required": ["translatedFileUrl"],
                            },
                            "Where to download it, for 30 minutes (built from --public-url, a trusted proxy's "
                            "X-Forwarded-Host, or the address the request reached; never from Host)",
                        ),
                        **_errors(400, 403, 413, 429, 503, 507),
                    },
                }
            },
            "/download_file/{filename}": {
                "get": {
                    "summary": "A translated file (LibreTranslate): the link /translate_file answered",
                    "parameters": [
                        {
                            "name": "filename",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                            "description": "as in translatedFileUrl",
                        }
                    ],
                    "responses": {
                        "200": {"description": "The file", "content": {"application/octet-stream": {}}},
                        **_errors(404),
                    },
                }
            },
            "/v1/translate": {
                "post": {
                    "summary": "Aligned pairs; NDJSON with stream: true",
                    "requestBody": _body(
                        {
                            "type": "object",
                            "properties": {
                                "text": {"type": "string"},
                                "stream": {"type": "boolean"},
                                "api_key": {"type": "string"},
                            },
                            "required": ["text"],
                        },
                        form=False,
                    ),
                    "responses": {
                        "200": {
                            "description": "The pairs, or one per line when streamed",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "model": {"type": "string"},
                                            "pairs": {"type": "array", "items": PAIR},
                                        },
                                    }
                                },
                                "application/x-ndjson": {"schema": PAIR},
                            },
                        },
                        **_errors(400, 403, 413, 429, 503),
                    },
                }
            },
            "/v1/documents": {
                "post": {
                    "summary": "A document back as itself, in English (bilingual: Arabic and English)",
                    "requestBody": upload,
                    "responses": {
                        "200": {"description": "The document", "content": {"application/octet-stream": {}}},
                        **_errors(400, 403, 413, 429, 503),
                    },
                }
            },
            "/v1/alternatives": {
                "post": {
                    "summary": "The model's other choices at a word of a translation",
                    "requestBody": _body(
                        {
                            "type": "object",
                            "properties": {
                                "source": {"type": "string"},
                                "target": {"type": "string"},
                                "word": {"type": "integer", "minimum": 0},
                                "count": {"type": "integer", "minimum": 1, "maximum": 20},
                            },
                            "required": ["source", "target"],
                        },
                        form=False,
                    ),
                    "responses": {**_json({"type": "array"}), **_errors(400, 403, 413, 429, 503)},
                }
            },
            "/v1/corrections": {
                "post": {
                    "summary": "A person's translation of a sentence: served to everyone from a curator's key "
                    "(200), else kept as a suggestion with --suggestions (202), else refused (403)",
                    "requestBody": _body(
                        {
                            "type": "object",
                            "properties": {
                                "source": {"type": "string"},
                                "target": {"type": "string"},
                                "api_key": {"type": "string"},
                            },
                            "required": ["source", "target"],
                        },
                        form=False,
                    ),
                    "responses": {
                        **_json({"type": "object"}),
                        "202": {"description": "Kept as a suggestion for the operator: not served"},
                        **_errors(400, 403, 413, 429, 503),
                    },
                }
            },
            "/metrics": _get("Prometheus metrics: requests, latency, sentences, batches, the queue", "text/plain"),
            "/openapi.json": _get("This schema", "application/json", {"type": "object"}),
            "/spec": _get("This schema (its first address, kept for the clients that use it)", "application/json"),
            "/docs": _get("This schema as a page for people (nothing loaded from elsewhere)", "text/html"),
        },
    }
