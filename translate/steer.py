"""Glossary enforcement by prefix splicing: one more decode, only for the sentences that need it.

A term's English is put in by decoding again: find, through the word
alignment, where the English for the Arabic term starts in the model's
translation; force the translation up to that point plus the term's English
(``Backend.continue_batch``); let the model carry on from there. The rest of
the sentence stays the model's own, and nothing is substituted into text the
model did not write around it. Tags and placeholders are not used: models not
trained with them lose them.

A sentence with several missing terms is spliced once per term, earliest
first; a splice never goes back before the end of an earlier one. A term
whose English is still not there afterwards stays missing (its pair is
flagged, see :attr:`~translate.types.AlignedPair.missing_terms`).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Sequence

from translate.align import align_pair, piece_words
from translate.backend import Backend
from translate.glossary import Glossary, TermMatch, signature, uses_of
from translate.memory import CachedBackend
from translate.quality import is_repetitive
from translate.types import Hypothesis, TokenDetail, WordAlignment

logger = logging.getLogger("tarjama")

MAX_SPLICES = 8
"""At most this many terms are spliced into one sentence; the rest are reported missing."""

Explain = Callable[[Sequence[str], Sequence[str], Sequence[Sequence[str]]], list[TokenDetail | None]]


def splice_word(match: TermMatch, alignment: WordAlignment, after: int) -> int | None:
    """The target word where ``match``'s English should begin, at ``after`` or later; ``None``: nowhere.

    The start of the longest run of consecutive target words aligned to the
    term's words (the earliest such run; a term's English is one run of
    words, and a stray link elsewhere is a lone word); if no word is aligned
    to the term (the model left it out), the first one aligned to a source
    word after the term; failing that, the end of the translation.
    """
    inside = sorted({t for s, t in alignment.links if match.first <= s < match.last and t >= after})
    if inside:
        runs: list[list[int]] = []
        for t in inside:
            if runs and t == runs[-1][-1] + 1:
                runs[-1].append(t)
            else:
                runs.append([t])
        return max(runs, key=len)[0]
    following = [t for s, t in alignment.links if s >= match.last and t >= after]
    if following:
        return min(following)
    end = len(alignment.target_words)
    return end if end >= after else None


def missing_matches(glossary: Glossary, source: str, target: str) -> list[TermMatch]:
    """The terms of ``source`` whose English ``target`` lacks (k-th occurrence against k-th, as in ``report``)."""
    matches = glossary.find(source)
    return [m for m, use in zip(matches, uses_of(matches, target), strict=True) if not use.applied]


class Steering:
    """Puts a glossary's English into translations, through ``backend`` (and its memory, if it has one).

    ``explain`` gives the (source, translation) pairs' token detail, as
    :meth:`Translator._details` does. Steered translations are kept in the
    translation memory under a key that includes the signature of the terms
    applied to the sentence, so that a changed term is a miss, never stale
    output, while sentences it does not touch keep their entries.
    """

    def __init__(self, backend: Backend, glossary: Glossary, explain: Explain) -> None:
        self.backend = backend
        self.glossary = glossary
        self.explain = explain
        self.spliced = 0

    def steer(self, texts: Sequence[str], hypotheses: Sequence[Hypothesis]) -> list[Hypothesis]:
        """``hypotheses`` (translations of ``texts``) with the glossary's English spliced in where it is missing."""
        out = list(hypotheses)
        need = [i for i, text in enumerate(texts) if missing_matches(self.glossary, text, out[i].text)]
        if not need:
            return out
        tags = {i: "glossary " + signature([m.term for m in self.glossary.find(texts[i])]) for i in need}
        cache = self.backend if isinstance(self.backend, CachedBackend) else None
        if cache is not None:
            hits = cache.recall([(texts[i], tags[i]) for i in need])
            for k, found in hits.items():
                out[need[k]] = dataclasses.replace(found, repetitive=is_repetitive(found.text, texts[need[k]]))
            need = [i for k, i in enumerate(need) if k not in hits]
        changed = self._splice(texts, out, need)
        if cache is not None and changed:
            cache.remember([(texts[i], tags[i], out[i]) for i in changed])
        return out

    def _splice(self, texts: Sequence[str], out: list[Hypothesis], need: list[int]) -> list[int]:
        after = dict.fromkeys(need, 0)
        changed: set[int] = set()
        active = list(need)
        for _ in range(MAX_SPLICES):
            if not active:
                break
            details = self.explain(
                [texts[i] for i in active], [out[i].text for i in active], [out[i].pieces for i in active]
            )
            jobs, prefixes = [], []
            for i, detail in zip(active, details, strict=True):
                prefix = self._prefix(texts[i], out[i], detail, after, i)
                if prefix is not None:
                    jobs.append(i)
                    prefixes.append(prefix)
            if not jobs:
                break
            continued = self.backend.continue_batch([texts[i] for i in jobs], prefixes)
            for i, hypothesis in zip(jobs, continued, strict=True):
                out[i] = dataclasses.replace(hypothesis, repetitive=is_repetitive(hypothesis.text, texts[i]))
                changed.add(i)
            self.spliced += len(jobs)
            active = [i for i in jobs if missing_matches(self.glossary, texts[i], out[i].text)]
        return sorted(changed)

    def _prefix(
        self, text: str, hypothesis: Hypothesis, detail: TokenDetail | None, after: dict[int, int], i: int
    ) -> list[str] | None:
        """The forced prefix that puts the earliest missing term in ``hypothesis``; ``None`` if none can be made."""
        missing = missing_matches(self.glossary, text, hypothesis.text)
        if not missing or detail is None:
            return None
        alignment = align_pair(text, hypothesis.text, detail)
        if alignment is None:
            return None
        points = [(word, m) for m in missing if (word := splice_word(m, alignment, after[i])) is not None]
        if not points:
            return None
        word, match = min(points, key=lambda point: point[0])
        kept = [piece for piece, w in zip(detail.target, piece_words(detail.target), strict=True) if 0 <= w < word]
        after[i] = word + len(match.term.english.split())
        logger.debug("glossary: %r into sentence %r at word %d", match.term.english, text[:40], word)
        return [*kept, *self.backend.target_pieces(match.term.english)]
