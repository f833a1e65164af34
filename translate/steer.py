"""Glossary enforcement: the term's English put where the model rendered the term, or decoded in, and verified.

A term's English goes in one of two ways:

1. **Replace**: when the translation already renders the term ("Khan Tuman"
   for خان طومان), that run is replaced by the term's English and every other
   word is kept. No decoding. The rendering is, in this order: a run of
   words spelled like the term's English, the model's own translation of the
   term's Arabic found in the sentence (:mod:`translate.renderings`: both
   work on a model whose alignment head learned nothing), or the run of
   English words the word alignment links to the term's Arabic words.
2. **Decode**: when the translation has no rendering (the model left the term
   out, or the replacement fails the check below), the translation is forced
   up to where the term belongs plus the term's English
   (``Backend.continue_batch``) and the model carries on from there.

Either way the result is **verified** before it is used: no word of the
replaced rendering may follow the term ("Khan Touman Tuman"), and after a
decoding every word the model wrote after that point must still be there,
with little added ("Khan Touman Khan Touman Tuman" loses the rest of the
sentence). A result that fails is not used: the sentence keeps the model's
English and the term stays missing, with the reason (:attr:`Steering.reasons`;
the pair is flagged). Tags and placeholders are not used: models not
trained with them lose them.

A sentence with several missing terms is steered once per term, earliest
first; a splice never goes back before the end of an earlier one.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections import Counter
from collections.abc import Callable, Sequence
from difflib import SequenceMatcher

from translate.align import align_pair, piece_words
from translate.backend import Backend
from translate.glossary import Glossary, TermMatch, english_spans, signature, uses_of
from translate.memory import CachedBackend
from translate.normalize import normalize_for_model
from translate.quality import is_repetitive
from translate.renderings import renderings, spelled_like, words_of_span
from translate.types import GlossaryTerm, Hypothesis, TokenDetail, WordAlignment

logger = logging.getLogger("tarjama")

MAX_SPLICES = 8
"""At most this many terms are spliced into one sentence; the rest are reported missing."""
MAX_ADDED_WORDS = 2
"""After a decoding, at most this many words beyond the term's may be new: more is the model losing its way."""
SIMILAR_SPELLING = 0.75
"""Two words this alike (difflib's ratio) are one word spelled two ways: "Tuman" and "Touman" are 0.91."""
_FUNCTION_WORDS = frozenset("a an the of in on at to from by for with and or about into over".split())
_EDGES = re.compile(r"^\W+|\W+$")

Explain = Callable[[Sequence[str], Sequence[str], Sequence[Sequence[str]]], list[TokenDetail | None]]


def splice_word(match: TermMatch, alignment: WordAlignment, after: int) -> int | None:
    """The target word where ``match``'s English should begin, at ``after`` or later; ``None``: nowhere.

    The start of the longest run of consecutive target words aligned to the
    term's words (the earliest such run; a term's English is one run of
    words, and a stray link elsewhere is a lone word); if no word is aligned
    to the term (the model left it out), the first one aligned to a source
    word after the term; failing that, the end of the translation.
    """
    run = _aligned_run(match, alignment, after)
    if run:
        return run[0]
    following = [t for s, t in alignment.links if s >= match.last and t >= after]
    if following:
        return min(following)
    end = len(alignment.target_words)
    return end if end >= after else None


def _aligned_run(match: TermMatch, alignment: WordAlignment, after: int) -> list[int]:
    """The longest run of consecutive target words (``after`` or later) aligned to the term's words; the earliest
    on a tie; empty when none is."""
    inside = sorted({t for s, t in alignment.links if match.first <= s < match.last and t >= after})
    runs: list[list[int]] = []
    for t in inside:
        if runs and t == runs[-1][-1] + 1:
            runs[-1].append(t)
        else:
            runs.append([t])
    return max(runs, key=len) if runs else []


def rendering(match: TermMatch, alignment: WordAlignment, target: str, after: int) -> tuple[int, int] | None:
    """The target words (``[first, last)``) that render ``match``'s Arabic, at ``after`` or later; ``None``: none.

    The longest run of consecutive English words aligned to the term's words
    (the earliest, on a tie), widened over capitalised words next to it that
    no other Arabic word claims ("Khan" aligned, "Tuman" not), and, for a
    term whose English is capitalised, narrowed past an article or
    preposition at its edges that the head also pointed at the name.
    """
    run = _aligned_run(match, alignment, after)
    if not run:
        return None
    first, last = run[0], run[-1] + 1
    words = [_EDGES.sub("", target[a:b]) for a, b in alignment.target_words]
    claimed = {t for s, t in alignment.links if not match.first <= s < match.last}
    while last < len(words) and words[last][:1].isupper() and last not in claimed:
        last += 1
    while first > after and words[first - 1][:1].isupper() and first - 1 not in claimed and first - 1 > 0:
        first -= 1
    if all(w[:1].isupper() for w in match.term.english.split()):
        while first < last and words[first].lower() in _FUNCTION_WORDS:
            first += 1
        while last > first and words[last - 1].lower() in _FUNCTION_WORDS:
            last -= 1
    return (first, last) if first < last else None


def replace_words(target: str, alignment: WordAlignment, words: tuple[int, int], english: str) -> str:
    """``target`` with its words ``[first, last)`` replaced by ``english``; punctuation at the run's edges is kept."""
    start, end = alignment.target_words[words[0]][0], alignment.target_words[words[1] - 1][1]
    run = target[start:end]
    lead = len(run) - len(run.lstrip("\"'«“‘([ "))
    trail = len(run) - len(re.sub(r"(?:'s|’s)?\W*$", "", run))
    return target[: start + lead] + english + target[end - trail :]


def _alike(word: str, other: str) -> bool:
    """Two spellings of one word ("tuman", "touman"): what a model forced onto a new spelling writes after it."""
    return len(word) > 2 and SequenceMatcher(None, word, other).ratio() >= SIMILAR_SPELLING


def words_of(text: str) -> list[str]:
    return [w for w in (_EDGES.sub("", word).lower() for word in text.split()) if w]


def verify(before: str, after: str, english: str, replaced: str = "", *, kept_words: int = 0) -> str | None:
    """Why ``after`` (``before`` with ``english`` put in) must not be used; ``None``: it is sound.

    ``replaced`` is the rendering the term took the place of (empty when the
    term was decoded in); ``kept_words`` how many words of ``before`` were
    kept as they were before the term. No word of ``replaced``, nor another
    spelling of a word of the term, may follow the term, and every word of
    ``before`` after the kept ones (the rendering's aside) must be in the rest
    of ``after``, with at most :data:`MAX_ADDED_WORDS` words more.
    """
    old, new, term = words_of(before), words_of(after), words_of(english)
    position = next((k for k in range(kept_words, len(new)) if new[k : k + len(term)] == term), None)
    if position is None:
        return f"the English came back without {english!r}"
    rest = new[position + len(term) :]
    dropped = {w for w in words_of(replaced) if w not in term}
    if rest and (rest[0] in dropped or any(_alike(rest[0], w) for w in term)):
        return f"the model wrote {rest[0]!r} again after {english!r}"
    rendered = words_of(replaced)
    aside = set(rendered)
    tail = [w for w in old[kept_words:] if w not in aside]
    lost = Counter(tail) - Counter(new[kept_words:position] + rest)
    if lost:
        return f"putting in {english!r} lost {', '.join(sorted(lost))!r} from the rest of the sentence"
    if len(new) - len(term) > len(old) - len(rendered) + MAX_ADDED_WORDS:
        return f"putting in {english!r} added words the model had not written"
    return None


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
        """Sentence pieces decoded again to put a term in."""
        self.replaced = 0
        """Renderings replaced by a term's English without decoding."""
        self.remember_failures = False
        """Keep in the memory what could not be changed too, so that a memory hit never tries again (numbers:
        the check says what is wrong; a glossary term's reason comes only from trying)."""
        self.reasons: dict[str, dict[str, str]] = {}
        """Why a term could not be put in: model input -> {the term's Arabic: reason}."""
        self.own: dict[str, str] = {}
        """The model's translation of each term's Arabic on its own (asked once, when first needed)."""

    def steer(self, texts: Sequence[str], hypotheses: Sequence[Hypothesis]) -> list[Hypothesis]:
        """``hypotheses`` (translations of ``texts``) with the glossary's English spliced in where it is missing."""
        out = list(hypotheses)
        need = [i for i, text in enumerate(texts) if self.missing(text, out[i].text)]
        if not need:
            return out
        tags = {i: self.tag(texts[i]) for i in need}
        cache = self.backend if isinstance(self.backend, CachedBackend) else None
        if cache is not None:
            hits = cache.recall([(texts[i], tags[i]) for i in need])
            for k, found in hits.items():
                out[need[k]] = dataclasses.replace(found, repetitive=is_repetitive(found.text, texts[need[k]]))
            need = [i for k, i in enumerate(need) if k not in hits]
        changed = self._splice(texts, out, need)
        kept = need if self.remember_failures else changed
        if cache is not None and kept:
            cache.remember([(texts[i], tags[i], out[i]) for i in kept])
        return out

    def _splice(self, texts: Sequence[str], out: list[Hypothesis], need: list[int]) -> list[int]:
        after = dict.fromkeys(need, 0)
        failed: dict[int, set[int]] = {i: set() for i in need}  # terms (by source offset) given up on
        changed: set[int] = set()
        active = list(need)
        for _ in range(MAX_SPLICES):
            if not active:
                break
            details = self.explain(
                [texts[i] for i in active], [out[i].text for i in active], [out[i].pieces for i in active]
            )
            decodes: list[tuple[int, Plan]] = []
            progressed = []
            for i, detail in zip(active, details, strict=True):
                plan = self._plan(texts[i], out[i], detail, after[i], failed[i])
                if plan is None:
                    continue
                if plan.replaced:
                    text = self._replace(out[i].text, plan)
                    reason = self._verify(texts[i], out[i].text, text, plan)
                    if reason is None:
                        pieces = self.backend.target_pieces(text)
                        out[i] = dataclasses.replace(
                            out[i], text=text, pieces=pieces, tokens=len(pieces), detail=None,
                            repetitive=is_repetitive(text, texts[i]),
                        )  # fmt: skip
                        after[i] = plan.words[0] + len(plan.english.split())
                        changed.add(i)
                        progressed.append(i)
                        self.replaced += 1
                        continue
                    logger.debug("glossary: replacing %r in %r failed: %s", plan.replaced, out[i].text[:60], reason)
                decodes.append((i, plan))
            continued = self.backend.continue_batch([texts[i] for i, _ in decodes], [p.prefix for _, p in decodes])
            self.spliced += len(decodes)
            for (i, plan), hypothesis in zip(decodes, continued, strict=True):
                reason = self._verify(texts[i], out[i].text, hypothesis.text, plan)
                if reason is not None:
                    failed[i].add(plan.match.start)
                    self.reasons.setdefault(texts[i], {})[plan.match.term.arabic] = reason
                    progressed.append(i)  # other terms of the sentence may still go in
                    continue
                out[i] = dataclasses.replace(hypothesis, repetitive=is_repetitive(hypothesis.text, texts[i]))
                after[i] = plan.words[0] + len(plan.english.split())
                changed.add(i)
                progressed.append(i)
            active = [i for i in progressed if self.missing(texts[i], out[i].text)]
        return sorted(changed)

    def missing(self, text: str, target: str) -> list[TermMatch]:
        """What ``target`` (a translation of ``text``) lacks: the glossary's terms whose English is not there."""
        return missing_matches(self.glossary, text, target)

    def tag(self, text: str) -> str:
        """What the memory keys a steered translation of ``text`` by, besides the text and the model."""
        return "glossary " + signature([m.term for m in self.glossary.find(text)])

    def _aligned_missing(
        self, text: str, hypothesis: Hypothesis, detail: TokenDetail | None, failed: set[int]
    ) -> tuple[list[TermMatch], WordAlignment] | None:
        """What ``hypothesis`` still lacks (not given up on) and its alignment; ``None``: nothing, or no alignment."""
        missing = [m for m in self.missing(text, hypothesis.text) if m.start not in failed]
        if not missing or detail is None:
            return None
        alignment = align_pair(text, hypothesis.text, detail)
        return (missing, alignment) if alignment is not None else None

    def _found(self, match: TermMatch, alignment: WordAlignment, target: str, after: int) -> tuple[int, int] | None:
        """The words (from ``after``) that render ``match`` found from the text: spelled like its English, or the
        model's own translation of its Arabic; ``None``: neither is in ``target``."""
        words = [target[a:b] for a, b in alignment.target_words]
        spelled = spelled_like(match.term.english, words, after)
        if spelled is not None:
            return spelled
        own = self._own_translation(match.term)
        if not own:
            return None
        for span in english_spans(target, own):
            found = words_of_span(alignment.target_words, span)
            if found is not None and found[0] >= after:
                return found
        return None

    def _own_translation(self, term: GlossaryTerm) -> str:
        """How the model translates ``term``'s Arabic on its own, edge punctuation trimmed; empty if that is no
        rendering to look for (nothing but small words, or far longer than the term's English)."""
        if term.arabic not in self.own:
            (hypothesis,) = self.backend.translate_batch([normalize_for_model(term.arabic)])
            own = " ".join(w for w in (_EDGES.sub("", word) for word in hypothesis.text.split()) if w)
            words = own.lower().split()
            useful = any(w not in _FUNCTION_WORDS for w in words) and len(words) <= 2 * len(term.english.split()) + 1
            self.own[term.arabic] = own if useful else ""
        return self.own[term.arabic]

    def _replace(self, target: str, plan: Plan) -> str:
        return replace_words(target, plan.alignment, plan.words, plan.english)

    def _verify(self, text: str, before: str, after: str, plan: Plan) -> str | None:
        reason = verify(before, after, plan.english, plan.replaced, kept_words=plan.words[0])
        if reason is not None:
            return reason
        # The wrong words replaced ("The Khan Touman shelled Khan Tuman", where an untrained alignment pointed
        # at "planes") leave the model's own rendering of the name behind: more renderings than the source has.
        occurrences = sum(1 for m in self.glossary.find(text) if m.term == plan.match.term)
        if renderings(plan.english, after.split()) > occurrences:
            return f"the model's own rendering of {plan.english!r} is still in the sentence"
        return None

    def _plan(
        self, text: str, hypothesis: Hypothesis, detail: TokenDetail | None, after: int, failed: set[int]
    ) -> Plan | None:
        """How to put in the earliest missing term not given up on; ``None`` if nothing can be done."""
        found = self._aligned_missing(text, hypothesis, detail, failed)
        if found is None or detail is None:
            return None
        missing, alignment = found
        plans = []
        for match in missing:
            words = self._found(match, alignment, hypothesis.text, after) or rendering(
                match, alignment, hypothesis.text, after
            )
            if words is not None:
                a, b = alignment.target_words[words[0]][0], alignment.target_words[words[1] - 1][1]
                plans.append((words[0], match, words, hypothesis.text[a:b]))
            elif (word := splice_word(match, alignment, after)) is not None:
                plans.append((word, match, (word, word), ""))
        if not plans:
            return None
        word, match, words, replaced = min(plans, key=lambda plan: plan[0])
        kept = [piece for piece, w in zip(detail.target, piece_words(detail.target), strict=True) if 0 <= w < word]
        english = match.term.english
        logger.debug("glossary: %r into sentence %r at word %d", english, text[:40], word)
        return Plan(match, english, alignment, words, replaced, [*kept, *self.backend.target_pieces(english)])


@dataclasses.dataclass(frozen=True)
class Plan:
    """One term to put into one translation: replace ``words`` (its rendering, ``replaced``) or decode ``prefix``."""

    match: TermMatch
    english: str
    alignment: WordAlignment
    words: tuple[int, int]
    replaced: str
    prefix: list[str]
    chars: tuple[int, int] | None = None
    """Where ``replaced`` stands in the translation, when less than whole words are replaced (a number)."""
