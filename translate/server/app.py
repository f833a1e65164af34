"""The ASGI app of ``tarjama serve``: LibreTranslate's API, tarjama's own (``/v1``) and metrics, over a
:class:`~translate.server.server.Server`; the reader mounts onto it (``ui.serve``), and :func:`guarded` puts the
:class:`~translate.server.guard.Guard` around the whole."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from translate.server.server import Server

if TYPE_CHECKING:
    from fastapi import FastAPI
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response

    from translate.server.guard import Guard


def build_app(server: Server, *, cors: Sequence[str] = ()) -> FastAPI:
    """The server's app: its routes, and CORS for ``cors`` origins (``*``: any). Serve it :func:`guarded`.

    FastAPI, not bare Starlette, only because the reader (Gradio) mounts onto it; the routes are Starlette's
    own and the schema is tarjama's (``/openapi.json``, ``/docs``), so FastAPI's generated pages are off.
    """
    from fastapi import FastAPI
    from starlette.middleware.cors import CORSMiddleware
    from starlette.responses import Response
    from starlette.routing import Route

    from translate.server import api, docs, libretranslate

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        server.start_loading()
        yield
        if server.service is not None:
            server.service.close()
        server.files.remove()  # translated files are not left behind in /tmp

    async def metrics(request: Request) -> Response:
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        server.check_metrics(request)
        return Response(generate_latest(server.registry), media_type=CONTENT_TYPE_LATEST)

    app = FastAPI(lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    served = [
        *libretranslate.routes(server),
        *api.routes(server),
        *docs.routes(server),
        Route("/metrics", libretranslate.endpoint(server, metrics), methods=["GET"]),
    ]
    app.router.routes.extend(served)
    if cors:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(cors),
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type", "Authorization"],
            # A page that sends a document reads its name and what tarjama warns about it.
            expose_headers=["Content-Disposition", api.WARNINGS_HEADER],
        )
    return app


def guarded(app: FastAPI, server: Server, *, cors: Sequence[str] = ()) -> Guard:
    """``app`` (the reader mounted on it or not) behind the :class:`~translate.server.guard.Guard`: what the
    process serves, every route of it."""
    from translate.server.guard import Guard

    return Guard(app, server, routes=app.router.routes, cors=cors)
