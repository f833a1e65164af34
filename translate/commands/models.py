"""``tarjama models`` and ``tarjama download``: what models there are, and fetching one for offline use."""

from __future__ import annotations

import argparse
import os
import sys

from translate.errors import ModelUnavailableError


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``models`` and ``download`` to the ``tarjama`` parser."""
    models = commands.add_parser("models", help="list known models and whether they are downloaded")
    models.set_defaults(func=list_models)

    dl = commands.add_parser("download", help="download a model for offline use")
    dl.add_argument(
        "name", nargs="?", help="short name from `tarjama models` or a Hugging Face id (default: the default model)"
    )
    dl.add_argument("--revision", help="a hub branch, tag or commit")
    dl.set_defaults(func=download)


def list_models(args: argparse.Namespace) -> int:
    from translate.registry import is_cached, load_registry

    entries = load_registry()
    names = [e.name + (" (default)" if i == 0 else "") for i, e in enumerate(entries)]
    width = max(len(n) for n in names)
    hub_width = max(len(e.hub_id) for e in entries)
    print(f"{'name':<{width}}  {'cached':<6}  {'hugging face id':<{hub_width}}  description")
    for name, entry in zip(names, entries, strict=True):
        cached = "yes" if is_cached(entry) else "no"
        print(f"{name:<{width}}  {cached:<6}  {entry.hub_id:<{hub_width}}  {entry.description}")
    return 0


def download(args: argparse.Namespace) -> int:
    from translate.registry import default_model, download_model

    name = args.name or default_model()
    print(f"downloading {name} ...", file=sys.stderr)
    try:
        resolved = download_model(name, revision=args.revision)
    except ModelUnavailableError as exc:
        # The general message says to run `tarjama download`: this is that command.
        cause = type(exc.__cause__).__name__ if exc.__cause__ is not None else "no connection"
        offline = os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes", "on")
        fix = "unset HF_HUB_OFFLINE, then run this again" if offline else "check the connection and run this again"
        raise ModelUnavailableError(
            f"{name}: downloading it failed ({cause}); {fix}, or pass --model DIR with a saved copy"
        ) from exc
    print(f"{resolved.model_id} is ready for offline use", file=sys.stderr)
    print(resolved.path)
    return 0
