"""Text clean-up for the model: what the source column keeps, the model need not see."""

from __future__ import annotations

import re

# Characters that change how text looks or flows but carry no words: the byte
# order mark, zero-width joiners and spaces, soft hyphen, bidi marks,
# embeddings, overrides and isolates, and tatweel (kashida), which only
# stretches a letter.
INVISIBLE = (
    "\ufeff\u200b\u200c\u200d\u2060\u00ad\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u0640"
)
_DROP = str.maketrans("", "", INVISIBLE)
_SPACES = re.compile(r"\s+")


def normalize_for_model(text: str) -> str:
    """Return ``text`` as the model should see it.

    Drops invisible formatting characters and tatweel and folds every run of
    whitespace to one space. The original text is never replaced: callers keep
    it for the aligned output.
    """
    return _SPACES.sub(" ", text.translate(_DROP)).strip()


def is_arabic_letter(ch: str) -> bool:
    """True for a letter of the Arabic script (base block, supplement, presentation forms)."""
    return ch.isalpha() and (
        "\u0600" <= ch <= "\u06ff"
        or "\u0750" <= ch <= "\u077f"
        or "\u08a0" <= ch <= "\u08ff"
        or "\ufb50" <= ch <= "\ufdff"
        or "\ufe70" <= ch <= "\ufeff"
    )


def contains_arabic(text: str) -> bool:
    """Whether ``text`` has at least one Arabic letter."""
    return any(is_arabic_letter(ch) for ch in text)
