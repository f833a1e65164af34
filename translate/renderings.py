"""Where a glossary term is rendered in a translation, found from the words alone: no word alignment needed.

Steering finds the English words that render a term through the model's
word alignment (:func:`translate.steer.rendering`). A checkpoint whose
alignment head was never trained points anywhere, and the term is then never
put in, although the rendering is right there: "Khan Tuman" for a term whose
English is "Khan Touman". Two ways find it without the alignment:

1. **Spelled alike** (:func:`spelled_like`): a run of words spelled like the
   term's English, as transliterations of one name are ("Tuman"/"Touman",
   "Hmeimim"/"Humaymim", "al-Fatah"/"el-Fateh"). Two spellings are alike when
   they have the same consonants in the same order (letters folded to ASCII,
   doubled letters written once, vowels dropped), or when difflib finds them
   :data:`ALIKE` similar.
2. **The model's own rendering** (:func:`words_of_span`): the model's
   translation of the term's Arabic alone, found in the sentence (the caller
   translates it; this module has no model).

What is found is only a candidate: steering verifies the sentence with the
term put in exactly as it verifies a rendering the alignment found.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from difflib import SequenceMatcher

ALIKE = 0.8
"""Two spellings this alike (difflib's ratio, letters only) render one name: "khantuman"/"khantouman" is 0.95."""
_VOWELS = re.compile("[aeiouy]+")
_REPEATS = re.compile(r"(.)\1+")


def letters(text: str) -> str:
    """The letters of ``text``, lower case, folded to ASCII where they have a base letter ("Ḥmeimīm": "hmeimim")."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if ch.isalpha())


def skeleton(text: str) -> str:
    """What every transliteration of a name keeps: its consonants, in order, a doubled letter once ("Touman":
    "tmn", "Hmeimim": "hmmm")."""
    return _VOWELS.sub("", _REPEATS.sub(r"\1", letters(text)))


def alike(spelling: str, other: str) -> bool:
    """Whether two spellings write one name: the same consonants (three or more), or letters :data:`ALIKE` similar."""
    a, b = letters(spelling), letters(other)
    if not a or not b:
        return False
    consonants = skeleton(a)
    if len(consonants) >= 3 and consonants == skeleton(b):
        return True
    return SequenceMatcher(None, a, b).ratio() >= ALIKE


def spelled_like(english: str, words: Sequence[str], after: int = 0) -> tuple[int, int] | None:
    """The first run of ``words`` (``[first, last)``, from ``after``) spelled like ``english``; ``None``: none.

    A run may have one word more or fewer than ``english`` ("al Fatah" for
    "al-Fatah"). For a name (every word of ``english`` capitalised) the run
    must start with a capital letter, so that a common word spelled close to
    a name is not taken for it. Of runs starting at one word, the one of
    ``english``'s length is preferred, then the shorter.
    """
    size = len(english.split())
    if not size or not letters(english):
        return None
    name = all(w[:1].isupper() for w in english.split())
    for first in range(after, len(words)):
        lead = words[first].lstrip("\"'«“‘([")
        if not letters(lead) or (name and not lead[:1].isupper()):
            continue
        for length in (size, size - 1, size + 1):
            last = first + length
            if length < 1 or last > len(words):
                continue
            if alike(" ".join(words[first:last]), english):
                return first, last
    return None


def words_of_span(spans: Sequence[tuple[int, int]], span: tuple[int, int]) -> tuple[int, int] | None:
    """The words (``[first, last)``, by their character ``spans``) that the character ``span`` covers."""
    covered = [i for i, (a, b) in enumerate(spans) if a < span[1] and span[0] < b]
    return (covered[0], covered[-1] + 1) if covered else None


def renderings(english: str, words: Sequence[str]) -> int:
    """How many runs of ``words`` (none overlapping) render ``english``: itself, or spelled like it."""
    count, at = 0, 0
    while (found := spelled_like(english, words, at)) is not None:
        count, at = count + 1, found[1]
    return count
