"""``--consistency``: one Arabic name spelled one way across a document (the CLI's side of the name check)."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from translate.checks import NameTally
from translate.glossary import Glossary
from translate.types import AlignedPair, GlossaryTerm, NameSpelling

if TYPE_CHECKING:
    from translate.translator import Translator

logger = logging.getLogger("tarjama")


def add_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--consistency",
        choices=("report", "fix"),
        help="an Arabic name the English spells two ways in one document: report it (the default with "
        "--alignments), or fix it, taking the spelling used most as a glossary term for this run; "
        "either turns on --alignments, which the check reads",
    )


def report(name: str, spellings: Sequence[NameSpelling]) -> list[str]:
    """One warning per name spelled more than one way."""
    lines = []
    for spelling in spellings:
        shown = ", ".join(map(str, spelling.sentences[:10])) + (", ..." if len(spelling.sentences) > 10 else "")
        lines.append(f"{name}: {spelling.summary()} (index {shown}); --consistency fix would use {spelling.majority!r}")
    return lines


def make_consistent(translator: Translator, name: str, pairs: list[AlignedPair]) -> list[AlignedPair]:
    """``pairs`` with every name the document spells two ways given its most used spelling, and what was done logged.

    The spelling goes in as a glossary term for this document only (on top of
    the glossary in use), through :meth:`Translator.revise`: the sentences that
    lack it are steered and checked like any term, the rest are untouched.
    """
    tally = NameTally()
    for pair in pairs:
        tally.note(pair)
    spellings = tally.spellings()
    if not spellings:
        return pairs
    glossary = translator.glossary or Glossary()
    for spelling in spellings:
        glossary = glossary.with_term(GlossaryTerm(spelling.arabic, spelling.majority))
    revised = translator.revise(pairs, glossary)
    changed = sum(1 for old, new in zip(pairs, revised, strict=True) if old.target != new.target)
    for spelling in spellings:
        logger.warning("%s: %s; using %r (--consistency fix)", name, spelling.summary(), spelling.majority)
    logger.warning("%s: %d sentence(s) changed to make names consistent", name, changed)
    return revised
