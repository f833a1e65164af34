"""``tarjama serve``: the translation server (LibreTranslate's API and tarjama's own), and its API keys.

The server needs the ``serve`` extra (uvicorn, FastAPI, prometheus-client);
with the ``reader`` extra installed it also serves the reader at ``/``.
``tarjama serve keys add|list|remove`` manages the keys of ``--api-keys FILE``.
"""

from __future__ import annotations

import argparse
import logging
import os
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from translate.commands.common import (
    UsageError,
    add_cache_arguments,
    add_engine_arguments,
    add_glossary_arguments,
    add_model_arguments,
    open_glossary,
    open_memory,
    parse_size,
    positive,
    remembers_corrections,
)
from translate.errors import TranslateError
from translate.local import on_loopback

logger = logging.getLogger("tarjama")

DEFAULT_PORT = 5000


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``serve`` (and ``serve keys``) to the ``tarjama`` parser."""
    from translate.server.limits import Limits

    defaults = Limits()
    serve = commands.add_parser(
        "serve",
        help="run the translation server (LibreTranslate's API, tarjama's /v1 API, the reader)",
        description="Serve translations over HTTP: LibreTranslate's API (/translate, /languages, /detect, "
        "/translate_file…) for the software that speaks it, tarjama's own aligned API (/v1), Prometheus "
        "metrics (/metrics), and the reader at / when it is installed. Sentences of concurrent requests share "
        "the model's batches.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine)")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    add_model_arguments(serve)
    serve.add_argument("--beam", type=positive, metavar="N", help="beam size (default: the model's, 4 for opus-mt)")
    add_engine_arguments(serve)
    add_cache_arguments(serve)
    add_glossary_arguments(serve)
    serve.add_argument("--api-keys", type=Path, metavar="FILE", help="require API keys from this SQLite file")
    serve.add_argument(
        "--req-limit",
        type=int,
        default=defaults.req_limit,
        metavar="N",
        help="requests per minute per client (a key, else an address; default: no limit)",
    )
    serve.add_argument(
        "--char-limit",
        type=positive,
        default=defaults.char_limit,
        metavar="N",
        help=f"characters per request, all its texts together (default {defaults.char_limit:,})",
    )
    serve.add_argument(
        "--batch-limit",
        type=positive,
        default=defaults.batch_limit,
        metavar="N",
        help=f"texts in one request's list (default {defaults.batch_limit})",
    )
    serve.add_argument(
        "--alternatives-limit",
        type=int,
        default=defaults.alternatives_limit,
        metavar="N",
        help=f"alternatives one text may ask for (default {defaults.alternatives_limit})",
    )
    serve.add_argument(
        "--body-limit",
        default=f"{defaults.body_bytes // 1_000_000}mb",
        metavar="SIZE",
        help="largest request body (default 1mb; a document: --file-limit)",
    )
    serve.add_argument(
        "--file-limit",
        default=f"{defaults.file_bytes // 1_000_000}mb",
        metavar="SIZE",
        help="largest document (default 20mb)",
    )
    serve.add_argument(
        "--files-limit",
        default=f"{defaults.files_bytes // 1_000_000_000}gb",
        metavar="SIZE",
        help="translated files kept for download (/translate_file), all together; the oldest go first (default 1gb)",
    )
    serve.add_argument(
        "--public-url",
        default="",
        metavar="URL",
        help="the URL clients reach this server at (https://translate.example.org), for the links it answers "
        "(default: a listed proxy's X-Forwarded-Host, else the address a request reached; never its Host header)",
    )
    serve.add_argument(
        "--forwarded-allow-ips",
        action="append",
        default=[],
        metavar="ADDRESSES",
        help="believe X-Forwarded-For, -Proto and -Host from these proxies (addresses or networks, comma-separated "
        "or repeated; * for any; default: from none)",
    )
    serve.add_argument(
        "--max-queue",
        type=positive,
        default=defaults.max_queued,
        metavar="N",
        help=f"sentences waiting for the model at most; more gets 429 with Retry-After (default {defaults.max_queued})",
    )
    serve.add_argument(
        "--deadline",
        type=float,
        default=defaults.deadline,
        metavar="SECONDS",
        help=f"a request taking longer is given up, 503 (default {defaults.deadline:g})",
    )
    serve.add_argument(
        "--max-connections",
        type=positive,
        default=defaults.max_connections,
        metavar="N",
        help=f"connections held at once; more are refused at once with 503 (default {defaults.max_connections:,}, "
        "fewer if the open-file limit is lower)",
    )
    serve.add_argument(
        "--header-timeout",
        type=float,
        default=defaults.header_timeout,
        metavar="SECONDS",
        help=f"a connection whose request headers take longer is closed (default {defaults.header_timeout:g})",
    )
    serve.add_argument(
        "--metrics-token",
        default=os.environ.get("TARJAMA_METRICS_TOKEN", ""),
        metavar="TOKEN",
        help="/metrics answers only requests with 'Authorization: Bearer TOKEN' (or set TARJAMA_METRICS_TOKEN); "
        "without it, /metrics needs an API key when keys are required, and is open otherwise",
    )
    serve.add_argument(
        "--cors",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="let web pages from ORIGIN call the API (repeatable; * for any)",
    )
    serve.add_argument(
        "--remember-corrections",
        choices=["auto", "yes", "no"],
        default="auto",
        help="the reader's corrections: kept in the translation memory for everyone (yes), never (no), or only "
        "those made on this machine, through no proxy (default auto; auto is no when --host is beyond loopback). "
        "Over HTTP (/v1/corrections) only a --curate API key's are served to everyone, unless this is no",
    )
    serve.add_argument(
        "--suggestions",
        action="store_true",
        help="keep corrections that may not be served (/suggest, /v1/corrections without a curator's key) as "
        "suggestions, for `tarjama cache suggestions` and `tarjama cache accept ID` (default: refused, 403)",
    )
    serve.add_argument("--no-reader", action="store_true", help="do not serve the reader at /")
    serve.add_argument(
        "--no-shared-batches",
        dest="shared_batches",
        action="store_false",
        help="batch each request's sentences alone, as LibreTranslate does (slower: for comparison)",
    )
    serve.add_argument("--log-text", action="store_true", help="also log the text of each request (off by default)")
    serve.set_defaults(func=run)
    actions = serve.add_subparsers(dest="serve_action", metavar="keys", required=False)
    keys = actions.add_parser("keys", help="add, list or remove API keys")
    keys.add_argument("action", choices=["add", "list", "remove"])
    keys.add_argument("key", nargs="?", help="with remove: the key's id (from list), or the key itself")
    keys.add_argument("--api-keys", type=Path, metavar="FILE", required=True, help="the keys' SQLite file")
    keys.add_argument("--req-limit", type=int, default=0, metavar="N", help="with add: its requests per minute")
    keys.add_argument("--char-limit", type=int, default=0, metavar="N", help="with add: its characters per request")
    keys.add_argument("--name", default="", help="with add: who the key is for")
    keys.add_argument(
        "--curate",
        action="store_true",
        help="with add: what this key sends to /v1/corrections is served to everyone (default: a suggestion)",
    )
    keys.set_defaults(func=run_keys)


def run_keys(args: argparse.Namespace) -> int:
    """``tarjama serve keys add|list|remove``: a key is printed once, when it is added; the file keeps its hash."""
    from translate.server.keys import KeyStore

    try:
        store = KeyStore(args.api_keys)
        if args.action == "add":
            made = store.add(req_limit=args.req_limit, char_limit=args.char_limit, name=args.name, curate=args.curate)
            print(made.key)
            print(f"key id {made.entry.id}: the key is shown this once; the file keeps its hash", file=sys.stderr)
        elif args.action == "list":
            print("id\treq_limit\tchar_limit\tcurate\tname")
            for key in store.all():
                print(f"{key.id}\t{key.req_limit}\t{key.char_limit}\t{'yes' if key.curate else 'no'}\t{key.name}")
        else:
            if not args.key:
                raise UsageError("serve keys remove needs the key's id (see `tarjama serve keys list --api-keys FILE`)")
            if not store.remove(args.key):
                raise TranslateError(
                    f"no key with that id in {args.api_keys}; `tarjama serve keys list --api-keys FILE` shows the ids"
                )
    except (OSError, sqlite3.Error) as exc:
        raise TranslateError(f"cannot use the key file {args.api_keys}: {exc}") from None
    return 0


def run(args: argparse.Namespace) -> int:
    """Serve until SIGTERM or Ctrl-C: then stop accepting, answer every accepted request, and exit."""
    if args.serve_action is not None:  # `serve keys` has its own func; argparse keeps the parent's otherwise
        return int(args.func(args))
    try:
        import uvicorn

        from translate.server.app import build_app, guarded
        from translate.server.connections import connection_cap, guarded_protocol, raise_file_limit
        from translate.server.keys import KeyStore
        from translate.server.limits import Limits
        from translate.server.server import Server
        from translate.server.service import Service
    except ImportError as exc:
        raise TranslateError(
            f"the server needs its extra dependencies ({exc.name} is missing): pip install 'tarjama[serve]'"
        ) from None
    from translate import TranslationOptions
    from translate.backend import load_backend
    from translate.glossary import glossary_beside
    from translate.registry import default_model, resolve_model
    from translate.server.downloads import new_folder
    from translate.server.links import Forwarded, parse_proxies, parse_public_url

    try:
        proxies = parse_proxies(args.forwarded_allow_ips)
    except ValueError as exc:
        raise UsageError(f"--forwarded-allow-ips: {exc}") from None
    try:
        public_url = parse_public_url(args.public_url) if args.public_url else ""
    except ValueError as exc:
        raise UsageError(f"--public-url {exc}") from None
    limits = Limits(
        body_bytes=parse_size("--body-limit", args.body_limit),
        file_bytes=parse_size("--file-limit", args.file_limit),
        files_bytes=parse_size("--files-limit", args.files_limit),
        char_limit=args.char_limit,
        batch_limit=args.batch_limit,
        req_limit=args.req_limit,
        alternatives_limit=args.alternatives_limit,
        max_queued=args.max_queue,
        deadline=args.deadline,
        max_connections=args.max_connections,
        header_timeout=args.header_timeout,
    )
    if args.deadline <= 0 or args.header_timeout <= 0:
        raise UsageError("--deadline and --header-timeout must be more than 0 seconds")
    try:
        keys = KeyStore(args.api_keys) if args.api_keys else None
    except (OSError, sqlite3.Error) as exc:
        raise TranslateError(f"cannot use the key file {args.api_keys}: {exc}") from None
    if keys is not None and not keys.all():
        logger.warning(
            "%s holds no key yet: add one with `tarjama serve keys add --api-keys %s`", args.api_keys, args.api_keys
        )
    options = TranslationOptions(
        beam=args.beam, device=args.device, backend=args.backend, compute_type=args.compute_type, threads=args.threads
    )
    memory = open_memory(args)
    glossary = open_glossary(args, memory)
    remember = remembers_corrections(args.remember_corrections, shared=not on_loopback(args.host))
    if args.suggestions and memory is None:
        raise UsageError("--suggestions keeps them in the translation memory: drop --no-cache")
    model = args.model or default_model()

    def load() -> Service:
        resolved = resolve_model(model, revision=args.revision, local_files_only=args.offline)
        return Service(
            load_backend(resolved, options),
            options,
            memory=memory,
            glossary=glossary,
            max_queued=limits.max_queued,
            shared_batches=args.shared_batches,
        )

    server = Server(
        load,
        limits=limits,
        keys=keys,
        files=new_folder(),
        public_url=public_url,
        remember_corrections=args.remember_corrections != "no",
        suggestions=args.suggestions,
        log_text=args.log_text,
        metrics_token=args.metrics_token,
    )
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # before Gradio is imported: no visit counts sent
    mount = None if args.no_reader or keys is not None else _reader()
    if keys is not None and not args.no_reader:
        logger.warning("the reader is not served when API keys are required (it has no keys of its own)")
    app = build_app(server, cors=args.cors)
    if mount is not None:
        glossary_path = args.glossary or (glossary_beside(memory.path) if memory is not None else None)
        try:
            app = mount(
                app,
                translator=lambda: server.wait().aligned,
                model=model,
                memory=memory,
                glossary_path=None if args.no_glossary else glossary_path,
                remember_corrections=remember != "never",
                local_only=remember == "local",
            )
        except ImportError as exc:  # the reader's package is there, Gradio is not (no reader extra)
            logger.warning("the reader is not served (%s is missing: pip install 'tarjama[reader]')", exc.name)
            mount = None
    print(
        f"tarjama serve: http://{args.host}:{args.port}/ (LibreTranslate API; /v1; /metrics"
        f"{'; the reader at /' if mount is not None else ''})",
        file=sys.stderr,
    )
    connections = connection_cap(limits.max_connections, raise_file_limit())
    served: Any = guarded(app, server, cors=args.cors)
    if args.forwarded_allow_ips:  # outside the guard: it logs and limits the client the proxy names
        served = Forwarded(served, proxies)
    try:
        uvicorn.run(
            served,
            host=args.host,
            port=args.port,
            http=guarded_protocol(connections, limits.header_timeout),
            log_level="warning",
            log_config=None,  # its warnings go through tarjama's handler (one line each, repeats held back)
            access_log=False,  # the guard logs each request once
            server_header=False,
            timeout_graceful_shutdown=int(args.deadline) + 5,
            # uvicorn's default believes X-Forwarded-For from 127.0.0.1 (or $FORWARDED_ALLOW_IPS): any local
            # program could then pass for any client. Only the proxies the operator lists are believed (Forwarded).
            proxy_headers=False,
        )
    finally:
        server.files.remove()  # also when the server never started (its port taken), where no lifespan ran
    return 0


def _reader() -> Callable[..., Any] | None:
    """The reader's mount function, when the reader extra is installed (found by entry point, never imported)."""
    from importlib.metadata import entry_points

    for entry_point in entry_points(group="tarjama.reader"):
        try:
            return entry_point.load()
        except ImportError as exc:
            logger.info("the reader is not served: %s", exc)
    return None
