"""Numbers put back: a number the English lost or changed is repaired the way a glossary term is put in.

The number check (:func:`translate.checks.check_numbers`) finds each digit
number of the Arabic that the English does not give the same value. A changed
number ("320" where the Arabic has 230: linked by the word alignment, or
paired in order where as many numbers are missing as are spare) is replaced
where it stands, and a missing one is decoded in from where it belongs (the
translation forced up to there plus the number, the model carrying on), as
:mod:`translate.steer` does for terms. Either result is verified: the number
must now be there, no other number lost, and every other word kept. What
fails stays as the model wrote it and keeps its ``number`` check; nothing is
changed silently.
"""

from __future__ import annotations

from collections import Counter

from translate.align import piece_words, word_spans
from translate.backend import Backend
from translate.checks import check_numbers
from translate.glossary import Glossary, TermMatch
from translate.steer import MAX_ADDED_WORDS, Explain, Plan, Steering, splice_word, words_of
from translate.types import GlossaryTerm, Hypothesis, TokenDetail

_WESTERN = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٬٫", "0123456789" * 2 + ",.")


def western(number: str) -> str:
    """A number as the English writes it: Western digits, ``,`` between thousands and ``.`` before decimals."""
    return number.translate(_WESTERN)


class NumberRepair(Steering):
    """Puts back the numbers a translation lost or changed, through ``backend`` (and its memory, if any)."""

    def __init__(self, backend: Backend, explain: Explain) -> None:
        super().__init__(backend, Glossary(), explain)
        self.remember_failures = True

    def missing(self, text: str, target: str) -> list[TermMatch]:
        """The numbers of ``text`` that ``target`` lacks, as terms whose English is the number."""
        spans = word_spans(text)
        found = []
        for check in check_numbers(text, target):
            if check.source is None:
                continue
            a, b = check.source
            words = [w for w, (x, y) in enumerate(spans) if x < b and a < y]
            number = text[a:b]
            found.append(TermMatch(GlossaryTerm(number, western(number)), words[0], words[-1] + 1, a, b))
        return found

    def tag(self, text: str) -> str:
        return "numbers"

    def _plan(
        self, text: str, hypothesis: Hypothesis, detail: TokenDetail | None, after: int, failed: set[int]
    ) -> Plan | None:
        found = self._aligned_missing(text, hypothesis, detail, failed)
        if found is None or detail is None:
            return None
        missing, alignment = found
        match = missing[0]
        target = hypothesis.text
        # Where the number went: the alignment's word, or else the spare numbers paired in order.
        for check in [*check_numbers(text, target, alignment), *check_numbers(text, target)]:
            if check.source == (match.start, match.end) and check.target is not None:
                a, b = check.target
                word = next(w for w, (x, y) in enumerate(alignment.target_words) if x <= a < y)
                return Plan(match, match.term.english, alignment, (word, word + 1), target[a:b], [], chars=(a, b))
        point = splice_word(match, alignment, after)
        if point is None:
            return None
        word = point
        kept = [piece for piece, w in zip(detail.target, piece_words(detail.target), strict=True) if 0 <= w < word]
        prefix = [*kept, *self.backend.target_pieces(match.term.english)]
        return Plan(match, match.term.english, alignment, (word, word), "", prefix)

    def _replace(self, target: str, plan: Plan) -> str:
        if plan.chars is None:
            return super()._replace(target, plan)
        a, b = plan.chars
        return target[:a] + plan.english + target[b:]

    def _verify(self, text: str, before: str, after: str, plan: Plan) -> str | None:
        """Why ``after`` must not replace ``before``: the number still wrong, another one lost, other words changed."""
        still = check_numbers(text, after)
        if any(c.source == (plan.match.start, plan.match.end) for c in still):
            return f"the English still does not have {plan.english}"
        if len(still) >= len(check_numbers(text, before)):
            return f"putting in {plan.english} cost another number"
        plain = [w for w in words_of(before) if not any(ch.isdigit() for ch in w)]
        new = [w for w in words_of(after) if not any(ch.isdigit() for ch in w)]
        lost = Counter(plain) - Counter(new)
        if lost:
            return f"putting in {plan.english} lost {', '.join(sorted(lost))!r} from the rest of the sentence"
        if len(new) > len(plain) + MAX_ADDED_WORDS:
            return f"putting in {plan.english} added words the model had not written"
        return None
