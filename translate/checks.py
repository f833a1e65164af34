"""Fidelity checks: what a reader of Arabic news cannot afford to lose in the English. Pure functions, no model.

Each rule looks at one (Arabic, English) pair, with its word alignment where
there is one, and returns :class:`~translate.types.Check` values (none: the
pair is clean):

- ``number``: every number written in digits in the Arabic (Western,
  Arabic-Indic ٠-٩ or Persian ۰-۹ digits, ``,`` ``٬`` between thousands, ``.``
  ``٫`` before decimals) must have a number of the same value in the English:
  ``١٬٠٠٠`` = ``1,000`` = ``1000``; a scale word counts (``1.5 مليون`` =
  ``1.5 million`` = ``1,500,000``), and so does a number the English writes
  as a word (``3`` = ``three``) or a month's name (``5`` in ``2016/5/3`` =
  ``May``). A missing number whose place the English fills with another
  (through the alignment, or the only spare number) is reported as changed.
  Numbers the Arabic writes in words are not checked.
- ``verbatim``: every URL, e-mail address and handle of the Arabic must be in
  the English as written (:mod:`translate.verbatim`, which also puts them back).
- ``untranslated``: Arabic letters left in the English, unless the glossary
  asked for them.
- ``dropped``: an English far shorter than its source (against the length
  ratios of the model's own translations, :class:`LengthRatios`), or a long
  stretch of Arabic words with no English word aligned to any of them.
- ``cut-short``: a source that ends a sentence with an English that does not.
- ``ocr``: a word of a scan that OCR was unsure of, and any number it did not read with high confidence
  (given by the translator from the doubts of the text read, :class:`~translate.types.ReadText`).

:func:`name_spellings` is the document-level rule: one Arabic name given two
English spellings in one document.
"""

from __future__ import annotations

import math
import re
from collections import Counter, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from difflib import SequenceMatcher

from translate.align import word_spans
from translate.normalize import contains_arabic, normalize_for_model
from translate.types import AlignedPair, Check, NameSpelling, WordAlignment
from translate.verbatim import VERBATIM, check_verbatim, verbatim_spans

NUMBER = "number"
UNTRANSLATED = "untranslated"
DROPPED = "dropped"
CUT_SHORT = "cut-short"
TERM = "term"
NAME = "name"
OCR = "ocr"
"""Not a rule over the English: a word or number of the source that OCR read without confidence
(:mod:`translate.formats.ocr`), to be checked against the scan."""
KINDS = (NUMBER, VERBATIM, UNTRANSLATED, DROPPED, CUT_SHORT, TERM, NAME, OCR)
"""Every kind of check, in the order summaries list them."""

_D = "0-9\u0660-\u0669\u06f0-\u06f9"
_TO_WESTERN = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "0123456789" * 2)
# Thousands groups of exactly three digits; a decimal part after "." or the Arabic decimal separator.
_NUMBER = re.compile(rf"(?<![{_D}])[{_D}]+(?:[,٬'’][{_D}]{{3}}(?![{_D}]))*(?:[.٫][{_D}]+)?")
_ARABIC_SCALE = re.compile(r"\s*(?:[وب]?(ألف|الف|آلاف|ألفا|مليون|ملايين|مليونا|مليار|مليارات|بليون|تريليون))(?!\w)")
_ARABIC_SCALES = {
    "ألف": 3, "الف": 3, "آلاف": 3, "ألفا": 3, "مليون": 6, "ملايين": 6, "مليونا": 6,
    "مليار": 9, "مليارات": 9, "بليون": 9, "تريليون": 12,
}  # fmt: skip
_ENGLISH_SCALE = re.compile(r"(?:\s*-?\s*(thousands?|millions?|billions?|trillions?)\b|(bn|m|k)\b)", re.IGNORECASE)
_ENGLISH_SCALES = {"thousand": 3, "million": 6, "billion": 9, "trillion": 12, "bn": 9, "m": 6, "k": 3}
_UNITS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen"
).split()
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_MONTHS = (
    "january february march april may june july august september october november december".split(),
    "jan feb mar apr may jun jul aug sep oct nov dec".split(),
)
_WORD_NUMBER = re.compile(
    r"\b(?:(?P<tens>" + "|".join(_TENS) + r")(?:[- ](?P<unit>" + "|".join(_UNITS[1:10]) + r"))?"
    r"|(?P<small>" + "|".join(_UNITS) + r"))(?:\s+(?P<hundred>hundred))?\b"
    r"|\b(?:a\s+)?(?P<bare>hundred|thousand|dozen)\b"
    r"|\b(?P<month>" + "|".join(_MONTHS[0] + _MONTHS[1]) + r")\b\.?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Number:
    """A number found in a text: where it is, as written, and every value it can stand for."""

    start: int
    end: int
    text: str
    values: frozenset[Decimal]
    word: bool = False
    """Written in words (or a month's name): it can stand for a digit number, never be a changed one."""


def _value(digits: str) -> Decimal | None:
    plain = digits.translate(_TO_WESTERN).replace("٫", ".")
    plain = re.sub(r"[,٬'’]", "", plain)
    try:
        return Decimal(plain).normalize()
    except InvalidOperation:
        return None


def _with_scale(value: Decimal, power: int | None) -> frozenset[Decimal]:
    if power is None:
        return frozenset({value})
    return frozenset({value, (value * Decimal(10) ** power).normalize()})


def arabic_numbers(text: str) -> list[Number]:
    """The numbers written in digits in ``text`` (any of the three digit sets), with a scale word after them."""
    return _digit_numbers(text, _arabic_power)


def english_numbers(text: str) -> list[Number]:
    """The numbers of an English text: in digits (any digit set), scaled (``1.5 million``), or in words."""
    found = _digit_numbers(text, _english_power)
    for match in _WORD_NUMBER.finditer(text):
        value = _word_value(match)
        if value is not None:
            values = _with_scale(value, _english_power(text, match.end()))
            found.append(Number(match.start(), match.end(), match.group(), values, word=True))
    return sorted(found, key=lambda n: n.start)


def _digit_numbers(text: str, power_after: Callable[[str, int], int | None]) -> list[Number]:
    """The digit numbers of ``text``, each scaled by the power of ten of the scale word after it, if any."""
    found = []
    for match in _NUMBER.finditer(text):
        value = _value(match.group())
        if value is not None:
            values = _with_scale(value, power_after(text, match.end()))
            found.append(Number(match.start(), match.end(), match.group(), values))
    return found


def _arabic_power(text: str, at: int) -> int | None:
    scale = _ARABIC_SCALE.match(text, at)
    return _ARABIC_SCALES[scale.group(1)] if scale else None


def _english_power(text: str, at: int) -> int | None:
    scale = _ENGLISH_SCALE.match(text, at)
    return _ENGLISH_SCALES[(scale.group(1) or scale.group(2)).lower().rstrip("s")] if scale else None


def _word_value(match: re.Match[str]) -> Decimal | None:
    groups = {k: (v or "").lower() for k, v in match.groupdict().items()}
    if groups["month"]:
        name = groups["month"]
        return Decimal((_MONTHS[0].index(name) if name in _MONTHS[0] else _MONTHS[1].index(name)) + 1)
    if groups["bare"]:
        return Decimal({"hundred": 100, "thousand": 1000, "dozen": 12}[groups["bare"]])
    if groups["tens"]:
        value = _TENS[groups["tens"]] + (_UNITS.index(groups["unit"]) if groups["unit"] else 0)
    else:
        value = _UNITS.index(groups["small"])
    return Decimal(value * (100 if groups["hundred"] else 1))


def check_numbers(source: str, target: str, alignment: WordAlignment | None = None) -> list[Check]:
    """A :data:`NUMBER` check for each digit number of ``source`` that ``target`` does not give the same value.

    Numbers are paired in order, each English number used once. A missing
    number is reported as changed into an English number that nothing else
    claims when the alignment links the two words, or, for those the
    alignment does not place, when as many numbers are missing as are spare
    (paired in order).
    """
    # A number inside a URL, an address or a handle is checked with it, as written (check_verbatim).
    wanted = _outside_verbatim(arabic_numbers(source), source)
    found = _outside_verbatim(english_numbers(target), target)
    used: set[int] = set()
    missing = []
    for number in wanted:
        match = next((k for k, n in enumerate(found) if k not in used and number.values & n.values), None)
        if match is None:
            missing.append(number)
        else:
            used.add(match)
    spare = [k for k, n in enumerate(found) if k not in used and not n.word]
    changed: dict[int, int] = {}
    for m, number in enumerate(missing):
        k = _counterpart(number, spare, found, alignment)
        if k is not None:
            spare.remove(k)
            changed[m] = k
    unplaced = [m for m in range(len(missing)) if m not in changed]
    if len(unplaced) == len(spare):  # as many left on each side: numbers keep their order in a translation
        changed.update(zip(unplaced, spare, strict=True))
    checks = []
    for m, number in enumerate(missing):
        if m not in changed:
            checks.append(Check(NUMBER, f"{number.text} is missing", (number.start, number.end)))
            continue
        other = found[changed[m]]
        checks.append(
            Check(NUMBER, f"{number.text} became {other.text}", (number.start, number.end), (other.start, other.end))
        )
    return checks


def _outside_verbatim(numbers: list[Number], text: str) -> list[Number]:
    spans = verbatim_spans(text)
    return [n for n in numbers if not any(v.start <= n.start and n.end <= v.end for v in spans)]


def _counterpart(number: Number, spare: list[int], found: list[Number], alignment: WordAlignment | None) -> int | None:
    """The spare English number the alignment links to ``number``'s word, if any."""
    if alignment is None:
        return None
    words = [w for w, (a, b) in enumerate(alignment.source_words) if a < number.end and number.start < b]
    linked = [alignment.target_words[t] for s, t in alignment.links if s in words]
    for k in spare:
        if any(a <= found[k].start and found[k].end <= b for a, b in linked):
            return k
    return None


def check_untranslated(source: str, target: str, allowed: Iterable[str] = ()) -> list[Check]:
    """An :data:`UNTRANSLATED` check for each run of Arabic words left in ``target``.

    ``allowed`` are English renderings that are Arabic on purpose (a glossary
    term that keeps a name in Arabic script); a run inside one is not reported.
    """
    keep = [
        (m.start(), m.end()) for text in allowed if contains_arabic(text) for m in re.finditer(re.escape(text), target)
    ]
    keep += [(v.start, v.end) for v in verbatim_spans(target)]  # a link's Arabic path is the link's, as written
    runs: list[list[tuple[int, int]]] = []
    for a, b in word_spans(target):
        if not contains_arabic(target[a:b]) or any(x <= a and b <= y for x, y in keep):
            continue
        if runs and target[runs[-1][-1][1] : a].isspace():
            runs[-1].append((a, b))
        else:
            runs.append([(a, b)])
    checks = []
    for run in runs:
        start, end = run[0][0], run[-1][1]
        text = target[start:end]
        place = source.find(text)
        checks.append(
            Check(
                UNTRANSLATED,
                f"Arabic left in the English: {text}",
                (place, place + len(text)) if place >= 0 else None,
                (start, end),
            )
        )
    return checks


MIN_UNALIGNED_WORDS = 6
"""A stretch of at least this many Arabic words with no English aligned to any of them may have been dropped..."""
MIN_UNALIGNED_SHARE = 0.25
"""...when it is also at least this share of the sentence's words."""


def check_unaligned(source: str, alignment: WordAlignment | None) -> list[Check]:
    """A :data:`DROPPED` check for the longest stretch of source words that no English word is aligned to."""
    if alignment is None or not alignment.target_words:
        return []
    linked = {s for s, _ in alignment.links}
    words = alignment.source_words
    best: tuple[int, int] = (0, 0)
    first = None
    for w in range(len(words) + 1):
        free = w < len(words) and w not in linked
        if free and first is None:
            first = w
        elif not free and first is not None:
            best = max(best, (first, w), key=lambda run: _letters(source, words, run))
            first = None
    count = _letters(source, words, best)
    if count < MIN_UNALIGNED_WORDS or count < MIN_UNALIGNED_SHARE * len(words):
        return []
    span = (words[best[0]][0], words[best[1] - 1][1])
    return [Check(DROPPED, f"{count} Arabic words in a row have no English", span)]


def _letters(source: str, words: Sequence[tuple[int, int]], run: tuple[int, int]) -> int:
    """How many words of ``run`` have letters (a lone dash or bracket is no content to lose)."""
    return sum(1 for a, b in words[run[0] : run[1]] if any(ch.isalpha() for ch in source[a:b]))


MIN_OBSERVED = 20
"""Translations the length model must have seen before it judges one."""
MIN_SOURCE_WORDS = 5
"""Shorter sources are not judged by length: their ratios vary too much."""


class LengthRatios:
    """How long the model's own English runs against its Arabic, learnt from its translations as they come.

    Keeps the log ratio of English to Arabic characters of the last
    ``window`` translations it is shown. A translation is *far shorter* when
    its log ratio lies below the median by more than three robust standard
    deviations (1.4826 × the median absolute deviation) and by at least
    log 2: half the usual length at the very least.
    """

    def __init__(self, window: int = 2000) -> None:
        self._ratios: deque[float] = deque(maxlen=window)

    def __len__(self) -> int:
        return len(self._ratios)

    def observe(self, source: str, target: str) -> None:
        ratio = _log_ratio(source, target)
        if ratio is not None and len(word_spans(source)) >= MIN_SOURCE_WORDS:
            self._ratios.append(ratio)

    def floor(self) -> float | None:
        """The log ratio under which a translation is far shorter than usual; ``None`` until enough are seen."""
        found = self._median_and_floor()
        return found[1] if found is not None else None

    def _median_and_floor(self) -> tuple[float, float] | None:
        if len(self._ratios) < MIN_OBSERVED:
            return None
        ordered = sorted(self._ratios)
        median = ordered[len(ordered) // 2]
        spread = sorted(abs(r - median) for r in ordered)[len(ordered) // 2] * 1.4826
        return median, median - max(3 * spread, math.log(2))

    def check(self, source: str, target: str) -> list[Check]:
        """A :data:`DROPPED` check when ``target`` is far shorter than the model's English usually is."""
        ratio = _log_ratio(source, target)
        if ratio is None or len(word_spans(source)) < MIN_SOURCE_WORDS:
            return []
        found = self._median_and_floor()
        if found is None or ratio >= found[1]:
            return []
        share = math.exp(ratio - found[0])
        return [Check(DROPPED, f"the English is {share:.0%} of the usual length for this much Arabic")]


def _log_ratio(source: str, target: str) -> float | None:
    arabic = sum(1 for ch in normalize_for_model(source) if not ch.isspace())
    english = sum(1 for ch in target if not ch.isspace())
    if not arabic:
        return None
    return math.log(max(english, 1) / arabic)


_SOURCE_END = re.compile(r"[.!?؟…۔]+[\"'»”’)\]]*\s*$")
_TARGET_END = re.compile(r"[.!?…]+[\"'»”’)\]]*\s*$")


def ends_abruptly(source: str, target: str) -> bool:
    """Whether ``source`` ends a sentence and ``target``, not empty, ends without a sentence's end."""
    return bool(target.strip()) and bool(_SOURCE_END.search(source)) and not _TARGET_END.search(target)


def check_ending(source: str, target: str) -> list[Check]:
    """A :data:`CUT_SHORT` check when the English stops where its source does not (see :func:`ends_abruptly`)."""
    if not ends_abruptly(source, target):
        return []
    tail = target.rstrip()
    return [
        Check(
            CUT_SHORT,
            "the English stops before the end of the sentence",
            None,
            (len(tail) - len(tail.split()[-1]), len(tail)),
        )
    ]


def check_pair(
    source: str,
    target: str,
    alignment: WordAlignment | None = None,
    *,
    lengths: LengthRatios | None = None,
    allowed: Iterable[str] = (),
) -> tuple[Check, ...]:
    """Every per-pair rule over one machine translation, in :data:`KINDS` order."""
    if not target.strip():
        return ()
    checks = [*check_numbers(source, target, alignment), *check_verbatim(source, target)]
    checks += check_untranslated(source, target, allowed)
    checks += lengths.check(source, target) if lengths is not None else []
    checks += check_unaligned(source, alignment)
    checks += check_ending(source, target)
    return tuple(checks)


# ---- one document: a name spelled two ways ----

ALIKE_SPELLINGS = 0.6
"""Two renderings of one Arabic name this alike (difflib's ratio, ignoring case) are two spellings of it:
"khan tuman"/"khan touman" 0.95, "jaish al-fatah"/"jaysh al-fath" 0.89; "aleppo"/"assad" 0.18."""
_CONNECTORS = frozenset({"of", "al", "el", "the", "de", "bin", "ibn", "bint", "abu", "and"})
_SENTENCE_OPENERS = frozenset(
    "a an and as at but by for from hence in it its meanwhile on or since so the then there these this those "
    "thus to when where which while who why yet".split()
)
_EDGE = re.compile(r"^[^\w]+|(?:'s|’s)?[^\w]*$")


def _capitalised(word: str) -> bool:
    return any(ch.isupper() for ch in word) and not contains_arabic(word)


def name_renderings(pair: AlignedPair) -> list[tuple[str, str, str]]:
    """The names in one aligned pair: (Arabic key, Arabic as written, English rendering) for each.

    A name is a run of capitalised English words (lower-case connectors such
    as *of* or *al* inside it) linked to Arabic words; a sentence's first word
    alone is not one (it is capitalised anyway). The key compares the
    Arabic the way the glossary does (prefixes such as و ب ال taken off).
    """
    from translate.glossary import match_form, stems

    alignment = pair.alignment
    if alignment is None:
        return []
    target, words = pair.target, alignment.target_words
    runs: list[list[int]] = []
    for t, (a, b) in enumerate(words):
        word = _EDGE.sub("", target[a:b])
        if _capitalised(word):
            if runs and (runs[-1][-1] + 1 == t or _joined_by_connectors(target, words, runs[-1][-1], t)):
                runs[-1].append(t)
            else:
                runs.append([t])
    found = []
    linked = {t for _, t in alignment.links}
    for run in runs:
        if run[0] == 0 and target[words[0][0] : words[0][1]].lower() in _SENTENCE_OPENERS:
            run = run[1:]  # "And Iran replied": the capital is the sentence's
        while run and run[0] not in linked:
            run = run[1:]
        while run and run[-1] not in linked:
            run = run[:-1]
        if not run or run == [0]:
            continue
        sources = sorted({s for s, t in alignment.links if t in run})
        if not sources or sources[-1] - sources[0] >= len(run) + 2:  # linked all over: not one name
            continue
        a, b = alignment.source_words[sources[0]][0], alignment.source_words[sources[-1]][1]
        arabic = _EDGE.sub("", pair.source[a:b]) if contains_arabic(pair.source[a:b]) else ""
        if not arabic:
            continue
        forms = [match_form(w) for w in arabic.split()]
        key = " ".join([min(stems(forms[0]), key=len), *forms[1:]])
        english = _EDGE.sub("", target[words[run[0]][0] : words[run[-1]][1]])
        found.append((key, arabic, english))
    return found


def _joined_by_connectors(target: str, words: Sequence[tuple[int, int]], last: int, t: int) -> bool:
    between = [target[a:b].lower().strip(",") for a, b in words[last + 1 : t]]
    return 0 < len(between) <= 2 and all(w in _CONNECTORS for w in between)


class NameTally:
    """The names of a document's pairs as they come, and their English spellings (:func:`name_spellings`).

    Holds a count per name and spelling, not the pairs, so a long document costs little.
    """

    def __init__(self) -> None:
        self._seen: dict[str, Counter[str]] = {}
        self._written: dict[str, Counter[str]] = {}
        self._where: dict[str, dict[str, set[int]]] = {}

    def note(self, pair: AlignedPair) -> None:
        """Count the names of one pair (a person's correction is theirs to spell: not counted)."""
        if pair.edited:
            return
        for key, arabic, english in name_renderings(pair):
            self._seen.setdefault(key, Counter())[english] += 1
            self._written.setdefault(key, Counter())[arabic] += 1
            self._where.setdefault(key, {}).setdefault(english.lower(), set()).add(pair.index)

    def spellings(self) -> list[NameSpelling]:
        """The names spelled in more than one way (ignoring case), in two sentences or more; most used first.

        Only spellings alike to the most used one count (difflib's ratio at least
        :data:`ALIKE_SPELLINGS`): "Khan Touman" is another spelling of "Khan Tuman", while
        "Assad" linked to حلب beside "Aleppo" is an alignment gone astray, not a name spelled twice.
        """
        found = []
        for key, spellings in self._seen.items():
            folded = Counter[str]()
            for english, n in spellings.items():
                folded[english.lower()] += n
            ranked = folded.most_common()
            alike = [(e, n) for e, n in ranked if SequenceMatcher(None, e, ranked[0][0]).ratio() >= ALIKE_SPELLINGS]
            where = set().union(*(self._where[key][e] for e, _ in alike))
            if len(alike) < 2 or len(where) < 2:
                continue
            shown = {english.lower(): english for english, _ in spellings.most_common()[::-1]}
            counts = tuple((shown[e], n) for e, n in alike)
            written = self._written[key]
            # The name as the source writes it with the fewest letters before it: the one without a prefix (و ب ال).
            arabic = min(written, key=lambda form: (len(form.split()[0]), -written[form]))
            found.append(NameSpelling(arabic, counts, tuple(sorted(where))))
        return found


def name_spellings(pairs: Iterable[AlignedPair]) -> list[NameSpelling]:
    """Arabic names that a document's English spells in more than one way, the most used spelling first.

    Only machine translations with an alignment count (a person's correction
    is theirs to spell). Spellings are compared ignoring case; a name seen in
    one sentence only is not reported.
    """
    tally = NameTally()
    for pair in pairs:
        tally.note(pair)
    return tally.spellings()
