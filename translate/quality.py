"""Spotting degenerate translations: the repetition loops opus-mt models fall into.

A Marian model that loses track of a long or odd input often repeats itself
("the army said that the army said that ...") until the length limit. These
checks are pure and compare the translation with its source, so a source that
really does repeat itself ("لا، لا، لا، لا") does not make its faithful
translation suspect.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from translate.types import AlignedPair

_WORD = re.compile(r"\w+")

MAX_UNIT = 8
"""The longest repeated phrase, in words, looked for back to back."""
NGRAM = 4
"""Phrases of this many words that come back anywhere in a text count as repeats."""
MIN_WORDS = 24
"""Shorter texts are judged on back-to-back runs only: too few words for a repeat share."""
REPEAT_SHARE = 0.4
"""Above this share of repeated phrases a long translation is a loop..."""
SOURCE_REPEAT_SHARE = 0.2
"""...unless its source repeats itself more than this."""


def words(text: str) -> list[str]:
    """Lower-cased words of any script, punctuation dropped."""
    return _WORD.findall(text.lower())


def longest_run(tokens: list[str], max_unit: int = MAX_UNIT) -> tuple[int, int]:
    """The most back-to-back repeats of any phrase of 1..``max_unit`` words, as ``(repeats, unit)``.

    ``"a b a b a b c"`` gives ``(3, 2)``; text with no phrase repeated back to back gives ``(1, 1)``.
    """
    best = (1, 1)
    for unit in range(1, max_unit + 1):
        for start in range(len(tokens) - 2 * unit + 1):
            if tokens[start : start + unit] != tokens[start + unit : start + 2 * unit]:
                continue
            repeats = 2
            while tokens[start : start + unit] == tokens[start + repeats * unit : start + (repeats + 1) * unit]:
                repeats += 1
            best = max(best, (repeats, unit))
    return best


def repeat_share(tokens: list[str], n: int = NGRAM) -> float:
    """Share of the ``n``-word phrases of ``tokens`` that already appeared earlier in it."""
    grams = [tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
    if not grams:
        return 0.0
    return sum(count - 1 for count in Counter(grams).values()) / len(grams)


def _looping_run(tokens: list[str]) -> bool:
    repeats, unit = longest_run(tokens)
    # One word four times in a row, or a longer phrase three times in a row.
    return repeats >= (4 if unit == 1 else 3)


def is_repetitive(target: str, source: str) -> bool:
    """Whether ``target`` repeats itself in a way its ``source`` does not: the hallucination loop."""
    out = words(target)
    if _looping_run(out) and not _looping_run(words(source)):
        return True
    if len(out) < MIN_WORDS:
        return False
    return repeat_share(out) > REPEAT_SHARE and repeat_share(words(source)) <= SOURCE_REPEAT_SHARE


REVIEW_HINT = "--review FILE lists each one with its place"
"""Where the CLI's person finds the flagged sentences a summary line counts."""


def flag_warnings(name: str, flagged: Sequence[AlignedPair], *, hint: str = REVIEW_HINT) -> list[str]:
    """What to tell a person about a document's flagged pairs: loops and cut-offs, glossary terms not applied.

    ``hint`` ends each line: where to find the sentences counted (the CLI's ``--review``); "": nowhere.
    """
    end = f"; {hint}" if hint else ""
    warnings = []
    looping = [p.index for p in flagged if p.truncated or p.repetitive]
    if looping:
        # Named by the outputs' own index (from 0), so that they can be found there.
        shown = ", ".join(str(i) for i in looping[:10]) + (", ..." if len(looping) > 10 else "")
        warnings.append(
            f"{name}: {len(looping)} sentence(s) still cut off or repeating after a retry (index {shown}){end}"
        )
    warnings += check_warnings(name, flagged, hint=hint)
    missing = [(p.index, t) for p in flagged for t in p.missing_terms]
    if missing:
        shown = "; ".join(f"index {i}: {t.arabic} → {t.english}" for i, t in missing[:5])
        warnings.append(
            f"{name}: the glossary's English is missing {len(missing)} time(s) ({shown}"
            f"{'; ...' if len(missing) > 5 else ''}){end}"
        )
    return warnings


_CHECK_WORDS = {
    "number": "a number missing or changed",
    "verbatim": "a link, e-mail address or handle not as written",
    "untranslated": "Arabic left in the English",
    "dropped": "content that may have been dropped",
    "cut-short": "an English that stops before its sentence ends",
    "ocr": "words or numbers of the scan that OCR read unsure (check them on the scan)",
}
"""How the summary names each kind of check (glossary terms have their own line)."""


def check_warnings(name: str, pairs: Sequence[AlignedPair], *, hint: str = REVIEW_HINT) -> list[str]:
    """One line per kind of check that some of a document's pairs failed: how many, and which (then ``hint``)."""
    end = f"; {hint}" if hint else ""
    lines = []
    for kind, words in _CHECK_WORDS.items():
        found = [p.index for p in pairs if any(c.kind == kind for c in p.checks)]
        if found:
            shown = ", ".join(str(i) for i in found[:10]) + (", ..." if len(found) > 10 else "")
            lines.append(f"{name}: {len(found)} sentence(s) with {words} (index {shown}){end}")
    return lines
