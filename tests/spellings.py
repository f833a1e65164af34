"""A translation memory that holds one name spelled another way: how a document comes to spell a name two ways.

The fixture never spells خان طومان "Khan Touman" itself; a memory filled by
another model (or an earlier version) can, and its answers are machine
translations like any other.
"""

from __future__ import annotations

import dataclasses

from fixture_model import name_pairs

from translate.memory import CachedBackend
from translate.normalize import normalize_for_model

ODD = "Khan Touman"


def named_sentences() -> list[tuple[str, str]]:
    """(Arabic, English) of the fixture's news sentences that name Khan Tuman: three or more."""
    named = [(p.arabic, p.english) for p in name_pairs() if "Khan Tuman" in p.english]
    assert len(named) >= 3
    return named


def remember(backend: CachedBackend, arabic: str, english: str) -> None:
    """Store ``english`` in ``backend``'s memory as the model's translation of ``arabic``."""
    source = normalize_for_model(arabic)
    (hypothesis,) = backend.backend.translate_batch([source])
    pieces = backend.target_pieces(english)
    found = dataclasses.replace(hypothesis, text=english, pieces=pieces, tokens=len(pieces))
    backend.memory.store_machine(backend.model.model_id, [(backend.key(source), source, found)])


def spell_one_oddly(backend: CachedBackend) -> str:
    """The named sentences as an article, the first of which ``backend``'s memory now spells "Khan Touman"."""
    named = named_sentences()
    arabic, english = named[0]
    remember(backend, arabic, english.replace("Khan Tuman", ODD))
    return "\n\n".join(a for a, _ in named)


def spell_as_the_model_does(backend: CachedBackend) -> None:
    """Undo :func:`spell_one_oddly`: the memory holds the model's own spelling again."""
    arabic, english = named_sentences()[0]
    remember(backend, arabic, english)
