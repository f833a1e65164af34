"""``tarjama cache``: the translation memory's contents, the corrections in it, and the suggestions a server
kept for review (``suggestions``, ``accept``, ``reject``)."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from datetime import datetime
from pathlib import Path

from translate.commands.common import UsageError, positive, utf8
from translate.errors import TranslateError
from translate.memory import TranslationMemory
from translate.writers import tsv_escape


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``cache`` and its actions to the ``tarjama`` parser."""
    cache = commands.add_parser("cache", help="show or clear the translation memory and its corrections")
    where_help = "the memory database (default: user cache dir)"
    cache.add_argument("--cache", type=Path, metavar="PATH", help=where_help)
    cache.set_defaults(func=run)
    # --cache is accepted after the action too; SUPPRESS keeps an action's default from hiding one given before it.
    database = argparse.ArgumentParser(add_help=False)
    database.add_argument("--cache", type=Path, metavar="PATH", default=argparse.SUPPRESS, help=where_help)
    actions = cache.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("stats", parents=[database], help="what is stored")
    actions.add_parser("clear", parents=[database], help="forget everything, machine and human translations")
    actions.add_parser("corrections", parents=[database], help="list human translations as TSV (id, updated, ...)")
    forget = actions.add_parser(
        "forget", parents=[database], help="remove corrections by id, or --all of them; machine ones stay"
    )
    which = forget.add_mutually_exclusive_group()
    which.add_argument("ids", nargs="*", type=positive, default=[], metavar="ID", help="ids from `cache corrections`")
    which.add_argument("--all", action="store_true", help="remove every correction")
    actions.add_parser(
        "suggestions",
        parents=[database],
        help="list suggestions sent to `tarjama serve --suggestions` as TSV (id, created, who, source, target)",
    )
    for action, what in (("accept", "make suggestions corrections, served from now on"), ("reject", "drop them")):
        chosen = actions.add_parser(action, parents=[database], help=f"{what}, by id")
        chosen.add_argument("ids", nargs="+", type=positive, metavar="ID", help="ids from `cache suggestions`")


def run(args: argparse.Namespace) -> int:
    if args.action == "forget" and not (args.ids or args.all):
        raise UsageError(
            "cache forget needs ids or --all (usage: tarjama cache forget ID [ID ...] | --all);"
            " `tarjama cache corrections` lists the ids"
        )
    try:
        return _act(args, TranslationMemory(args.cache))
    except (OSError, sqlite3.Error) as exc:
        where = args.cache or "in the user cache folder"
        raise TranslateError(f"cannot use the translation memory {where}: {exc}; give --cache a memory file") from exc


def _act(args: argparse.Namespace, memory: TranslationMemory) -> int:
    if args.action == "clear":
        memory.clear()
        print(f"cleared the translation memory {memory.path}", file=sys.stderr)
    elif args.action == "corrections":
        out = utf8(sys.stdout)
        out.write("id\tupdated\tsource\ttarget\n")
        for item in memory.human_translations():
            updated = datetime.fromtimestamp(item.updated).isoformat(timespec="seconds")
            out.write(f"{item.id}\t{updated}\t{tsv_escape(item.source)}\t{tsv_escape(item.target)}\n")
    elif args.action == "forget":
        _forget(memory, args.ids, everything=args.all)
    elif args.action == "suggestions":
        out = utf8(sys.stdout)
        out.write("id\tcreated\twho\tsource\ttarget\n")
        for found in memory.suggestions():
            created = datetime.fromtimestamp(found.created).isoformat(timespec="seconds")
            row = (str(found.id), created, found.who, found.source, found.target)
            out.write("\t".join(tsv_escape(field) for field in row) + "\n")
    elif args.action in ("accept", "reject"):
        _review(memory, args.ids, accept=args.action == "accept")
    else:
        stats = memory.stats()
        print(f"path\t{stats.path}\nmachine translations\t{stats.machine}\nhuman translations\t{stats.human}")
        print(f"size\t{stats.bytes / 1_000_000:.1f} MB")
    return 0


def _review(memory: TranslationMemory, ids: list[int], *, accept: bool) -> None:
    """Accept (into the corrections everyone is served) or reject the suggestions ``ids``."""
    ids = list(dict.fromkeys(ids))
    known = [i for i in ids if i < 2**63]  # SQLite's ids are 64-bit; larger ones are unknown
    if accept:
        done = [i for i in known if memory.accept_suggestion(i) is not None]
    else:
        waiting = {found.id for found in memory.suggestions()}
        done = [i for i in known if i in waiting]
        memory.reject_suggestions(done)
    print(f"{'accepted' if accept else 'rejected'} {len(done)} suggestions", file=sys.stderr)
    if unknown := [i for i in ids if i not in done]:
        listed = ", ".join(map(str, unknown))
        raise TranslateError(f"no suggestion with id {listed}; run `tarjama cache suggestions` to see ids")


def _forget(memory: TranslationMemory, ids: list[int], *, everything: bool) -> None:
    if everything:
        removed = memory.clear_human()
        print(f"removed {removed} corrections; machine translations are kept", file=sys.stderr)
        return
    unknown = sorted(set(ids) - {item.id for item in memory.human_translations()})
    removed = memory.forget_human_ids([i for i in ids if i < 2**63])  # SQLite's ids are 64-bit; larger ones are unknown
    print(f"removed {removed} corrections", file=sys.stderr)
    if unknown:
        listed = ", ".join(map(str, unknown))
        raise TranslateError(f"no correction with id {listed}; run `tarjama cache corrections` to see ids")
