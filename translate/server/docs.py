"""The API's description: its OpenAPI schema (``/openapi.json``, and ``/spec`` as before) and a page for people
(``/docs``).

The page is the schema rendered on the server into plain, escaped HTML: no
script, no font, no stylesheet from anywhere (its Content-Security-Policy
lets it load nothing at all), so reading the docs tells no one else.
"""

from __future__ import annotations

import html
import json
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from translate.server.libretranslate import endpoint

if TYPE_CHECKING:
    from translate.server.server import Server

POLICY = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
"""What the page may load: its own inline style, nothing else."""
STYLE = """
body { font: 15px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
h2 { margin-top: 2.2rem; font-size: 1.1rem; border-bottom: 1px solid #ddd; }
code, pre { font-family: ui-monospace, monospace; font-size: 0.9em; }
pre { background: #f5f5f5; padding: 0.6rem; overflow-x: auto; }
.method { background: #333; color: #fff; padding: 0 0.4rem; border-radius: 3px; }
table { border-collapse: collapse; margin: 0.4rem 0; }
th, td { text-align: left; vertical-align: top; padding: 0.2rem 0.8rem 0.2rem 0; border-bottom: 1px solid #eee; }
"""


def routes(server: Server) -> list[Route]:
    """``/openapi.json``, ``/spec`` (the same schema) and ``/docs``."""

    async def spec(request: Request) -> Response:
        from translate.server.openapi import openapi

        return JSONResponse(openapi(server))

    async def docs(request: Request) -> Response:
        from translate.server.openapi import openapi

        return HTMLResponse(page(openapi(server)), headers={"Content-Security-Policy": POLICY})

    return [
        Route("/openapi.json", endpoint(server, spec), methods=["GET"]),
        Route("/spec", endpoint(server, spec), methods=["GET"]),
        Route("/docs", endpoint(server, docs), methods=["GET"]),
    ]


def page(spec: dict[str, Any]) -> str:
    """The schema as one HTML page: each route, its fields and its answers; every string from it escaped."""
    info = spec["info"]
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(info['title'])} API</title><style>{STYLE}</style></head><body>",
        f"<h1>{_e(info['title'])} API <small>{_e(info['version'])}</small></h1>",
        f"<p>{_e(info.get('description', ''))}</p>",
        '<p>The machine-readable schema: <a href="openapi.json">openapi.json</a> (OpenAPI 3.1).</p>',
        "<pre>curl -s HOST/translate -H 'Content-Type: application/json' \\\n"
        '     -d \'{"q": "خان طومان قرية صغيرة.", "source": "ar", "target": "en"}\'</pre>',
        "<ul>",
    ]
    operations = [(path, method, op) for path, item in spec["paths"].items() for method, op in item.items()]
    for path, method, op in operations:
        parts.append(f'<li><a href="#{_anchor(method, path)}">{_e(method.upper())} {_e(path)}</a>: {_e(op["summary"])}')
    parts.append("</ul>")
    for path, method, op in operations:
        parts.append(_operation(path, method, op))
    parts.append("</body></html>")
    return "\n".join(parts)


def _operation(path: str, method: str, op: dict[str, Any]) -> str:
    title = f'<span class="method">{_e(method.upper())}</span> <code>{_e(path)}</code>'
    out = [
        f'<h2 id="{_anchor(method, path)}">{title}</h2>',
        f"<p>{_e(op['summary'])}</p>",
    ]
    if op.get("description"):
        out.append(f"<p>{_e(op['description'])}</p>")
    parameters = op.get("parameters", [])
    if parameters:
        out.append("<table><tr><th>parameter</th><th>in</th><th>type</th><th></th></tr>")
        for p in parameters:
            out.append(
                f"<tr><td><code>{_e(p['name'])}</code></td><td>{_e(p['in'])}</td>"
                f"<td>{_e(_type(p.get('schema', {})))}</td><td>{_e(p.get('description', ''))}</td></tr>"
            )
        out.append("</table>")
    body = op.get("requestBody")
    if body:
        kinds = list(body["content"])
        out.append(f"<p>Body: {', '.join(f'<code>{_e(kind)}</code>' for kind in kinds)}</p>")
        schema = body["content"][kinds[0]].get("schema", {})
        out.append(_fields(schema))
    out.append("<table><tr><th>status</th><th>answer</th></tr>")
    for status, response in op.get("responses", {}).items():
        content = response.get("content", {})
        shapes = "; ".join(
            f"{_e(kind)}: <code>{_e(_type(c.get('schema', {})))}</code>" if c.get("schema") else _e(kind)
            for kind, c in content.items()
        )
        out.append(f"<tr><td>{_e(status)}</td><td>{_e(response.get('description', ''))}<br>{shapes}</td></tr>")
    out.append("</table>")
    return "\n".join(out)


def _fields(schema: dict[str, Any]) -> str:
    properties = schema.get("properties", {})
    if not properties:
        return ""
    required = set(schema.get("required", []))
    rows = ["<table><tr><th>field</th><th>type</th><th></th></tr>"]
    for name, field in properties.items():
        notes = [field.get("description", "")]
        if "default" in field:
            notes.append(f"default {json.dumps(field['default'])}")
        rows.append(
            f"<tr><td><code>{_e(name)}</code>{' (required)' if name in required else ''}</td>"
            f"<td>{_e(_type(field))}</td><td>{_e('; '.join(n for n in notes if n))}</td></tr>"
        )
    rows.append("</table>")
    return "\n".join(rows)


def _type(schema: dict[str, Any]) -> str:
    """A schema in a few words: ``string``, ``list of string``, ``"ar" | "en"``, ``{translatedText, …}``."""
    if "enum" in schema:
        return " | ".join(json.dumps(value, ensure_ascii=False) for value in schema["enum"])
    if "oneOf" in schema:
        return " or ".join(_type(choice) for choice in schema["oneOf"])
    kind = schema.get("type")
    if isinstance(kind, list):
        return " or ".join(kind)
    if kind == "array":
        return f"list of {_type(schema.get('items', {}))}" if schema.get("items") else "list"
    if kind == "object" and schema.get("properties"):
        return "{" + ", ".join(schema["properties"]) + "}"
    if kind == "string" and schema.get("format") == "binary":
        return "file"
    return str(kind or "any")


def _anchor(method: str, path: str) -> str:
    return html.escape(f"{method}-{path.strip('/').replace('/', '-').replace('{', '').replace('}', '')}")


def _e(text: object) -> str:
    return html.escape(str(text))


__all__ = ["page", "routes"]
