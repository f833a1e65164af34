"""A glossary: Arabic terms and the English they must have, found in text the way a reader would find them.

A glossary is a TSV file of ``arabic<TAB>english`` lines (``#`` starts a
comment; an ``arabic<TAB>english`` header is allowed). Terms are found in a
source sentence by these rules:

1. Both sides are compared after the model's own normalization (invisible
   characters, tatweel and runs of whitespace go) and, for matching only,
   Arabic search normalization: short vowels, shadda, sukun and dagger alef
   are dropped, أ إ آ ٱ are read as ا, ى as ي and ة as ه.
2. Whole words only: a term is a run of whole words of the sentence;
   punctuation at a word's edges (``طومان،``) does not count.
3. The first word of a term may carry attached prefixes: a conjunction و or
   ف, then a preposition ب or ل, then the article ال (ل with ال is written
   لل), so خان طومان also matches وبخان طومان and جيش الفتح matches لجيش الفتح.
   A prefix is split off only when at least two letters remain.
4. Where terms overlap, the longest wins; a term matches every time it
   appears.
5. Endings are not removed (pronoun suffixes, dual and plural endings): add an
   inflected form as a term of its own.

Pure functions and one small value class; reading and writing the file is at
the bottom.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from translate.align import word_spans
from translate.errors import InputError
from translate.normalize import contains_arabic, normalize_for_model
from translate.types import AlignedPair, GlossaryTerm, TermUse

MAX_GLOSSARY_BYTES = 20_000_000
"""A glossary file larger than this is refused rather than read."""

_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed]")
_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})
_EDGES = re.compile(r"^\W+|\W+$")
_CONJUNCTIONS = ("", "و", "ف")
_PREPOSITIONS = ("", "ب", "ل")
_ARTICLE = "ال"
_MIN_STEM = 2


def match_form(word: str) -> str:
    """One word as the glossary compares it: normalized, vowel marks dropped, letter variants folded, edges trimmed."""
    text = _MARKS.sub("", normalize_for_model(word)).translate(_LETTERS)
    return _EDGES.sub("", text)


def stems(form: str) -> set[str]:
    """Every reading of a word (in :func:`match_form`) with the prefixes of rule 3 taken off, itself included."""
    found = {form}
    for conjunction in _CONJUNCTIONS:
        for preposition in _PREPOSITIONS:
            prefix = conjunction + preposition
            if prefix and form.startswith(prefix) and len(form) - len(prefix) >= _MIN_STEM:
                found.add(form[len(prefix) :])
        # ل before the article is written لل: لل + rest reads as ل + ال + rest.
        if form.startswith(conjunction + "لل") and len(form) - len(conjunction) - 2 >= _MIN_STEM:
            found.add(_ARTICLE + form[len(conjunction) + 2 :])
    for stem in list(found):
        if stem.startswith(_ARTICLE) and len(stem) - 2 >= _MIN_STEM:
            found.add(stem[2:])
    return found


@dataclass(frozen=True)
class TermMatch:
    """A glossary term found in a text: the term, and the words (``[first, last)``) and characters it covers."""

    term: GlossaryTerm
    first: int
    last: int
    start: int
    end: int


class Glossary:
    """A set of terms; a later term for the same Arabic (once normalized) replaces an earlier one."""

    def __init__(self, terms: Iterable[GlossaryTerm] = ()) -> None:
        by_key: dict[tuple[str, ...], GlossaryTerm] = {}
        for term in terms:
            key = _key(term.arabic)
            if key and term.english.strip():
                by_key.pop(key, None)  # a replaced term moves to the end, where it was last written
                by_key[key] = GlossaryTerm(normalize_for_model(term.arabic), " ".join(term.english.split()))
        self.terms: tuple[GlossaryTerm, ...] = tuple(by_key.values())
        self._index: dict[str, list[tuple[tuple[str, ...], GlossaryTerm]]] = {}
        for key, term in by_key.items():
            self._index.setdefault(key[0], []).append((key, term))
        for entries in self._index.values():
            entries.sort(key=lambda entry: -len(entry[0]))  # longest first (rule 4)

    def __len__(self) -> int:
        return len(self.terms)

    def with_term(self, term: GlossaryTerm) -> Glossary:
        """This glossary with ``term`` added, replacing any term for the same Arabic."""
        return Glossary([*self.terms, term])

    def without(self, arabic: str) -> Glossary:
        """This glossary without the term for ``arabic`` (compared the way terms are matched)."""
        key = _key(arabic)
        return Glossary([t for t in self.terms if _key(t.arabic) != key])

    @property
    def version(self) -> str:
        """A short hash of the terms: changes whenever a term is added, removed or given other English."""
        return signature(self.terms)

    def find(self, text: str) -> list[TermMatch]:
        """The terms in ``text``, in order, none overlapping (longest first where they would)."""
        if not self._index:
            return []
        spans = word_spans(text)
        forms = [match_form(text[a:b]) for a, b in spans]
        found: list[TermMatch] = []
        i = 0
        while i < len(forms):
            match = self._match_at(forms, i)
            if match is None:
                i += 1
                continue
            key, term = match
            last = i + len(key)
            found.append(TermMatch(term, i, last, spans[i][0], spans[last - 1][1]))
            i = last
        return found

    def _match_at(self, forms: list[str], i: int) -> tuple[tuple[str, ...], GlossaryTerm] | None:
        best: tuple[tuple[str, ...], GlossaryTerm] | None = None
        for stem in stems(forms[i]):
            for key, term in self._index.get(stem, ()):
                if tuple(forms[i + 1 : i + len(key)]) == key[1:] and (best is None or len(key) > len(best[0])):
                    best = (key, term)
                    break  # the index lists longer terms first
        return best

    def report(self, source: str, target: str) -> tuple[TermUse, ...]:
        """Each term in ``source``, with where its English is in ``target`` (``None``: it is not there).

        The k-th occurrence of a term in the source is paired with the k-th
        occurrence of its English in the translation; English is found whole
        words at a time, ignoring case and spacing.
        """
        return uses_of(self.find(source), target)


def uses_of(matches: Sequence[TermMatch], target: str) -> tuple[TermUse, ...]:
    """:meth:`Glossary.report` for matches already found."""
    uses: list[TermUse] = []
    seen: dict[str, int] = {}
    for match in matches:
        english = match.term.english
        places = english_spans(target, english)
        k = seen.get(english, 0)
        seen[english] = k + 1
        place = places[k] if k < len(places) else None
        uses.append(TermUse(match.term.arabic, english, (match.start, match.end), place, place is not None))
    return tuple(uses)


def signature(terms: Sequence[GlossaryTerm]) -> str:
    """A short hash of these terms (order does not matter): the translation memory keys steered output by it."""
    digest = hashlib.sha256()
    for arabic, english in sorted((" ".join(_key(t.arabic)), t.english) for t in terms):
        digest.update(f"{arabic}\t{english}\n".encode())
    return digest.hexdigest()[:16]


def english_spans(text: str, english: str) -> list[tuple[int, int]]:
    """Where ``english`` stands in ``text`` as whole words, ignoring case and spacing."""
    words = english.split()
    if not words:
        return []
    pattern = r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words) + r"(?!\w)"
    return [m.span() for m in re.finditer(pattern, text, flags=re.IGNORECASE)]


def _key(arabic: str) -> tuple[str, ...]:
    return tuple(form for a, b in word_spans(arabic) if (form := match_form(arabic[a:b])))


# ---- the file ----


def load_glossary(path: Path | str) -> Glossary:
    """Read a glossary TSV. Raises :class:`InputError` naming the line of anything that is not a term."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_GLOSSARY_BYTES:
            raise InputError(f"{path}: glossary of {size:,} bytes is over the {MAX_GLOSSARY_BYTES:,} limit; split it")
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"glossary not found: {path} (a TSV of arabic<TAB>english lines)") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a folder; --glossary takes a TSV file of arabic<TAB>english lines") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: the glossary is not UTF-8 text; save it as UTF-8") from None
    except OSError as exc:
        raise InputError(f"cannot read the glossary {path}: {exc.strerror or exc}") from None
    return Glossary(parse_glossary(text, name=str(path)))


def parse_glossary(text: str, *, name: str = "glossary") -> list[GlossaryTerm]:
    """The terms of a glossary TSV's text; :class:`InputError` names the first bad line.

    A term given twice with the same English is kept once later on (:class:`Glossary`); with two Englishes it
    is an error, since only one of them could be applied.
    """
    terms = []
    seen: dict[tuple[str, ...], tuple[int, str]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        fields = [f.strip() for f in line.split("\t")]
        if number == 1 and [f.lower() for f in fields] == ["arabic", "english"]:
            continue
        if len(fields) != 2:
            raise InputError(
                f"{name}, line {number}: expected 'arabic<TAB>english', got {len(fields)} field(s); "
                "separate the Arabic and the English with one tab"
            )
        if not all(fields):
            empty = "Arabic" if not fields[0] else "English"
            raise InputError(f"{name}, line {number}: the {empty} is empty; give both, separated by one tab")
        if not contains_arabic(fields[0]):
            raise InputError(f"{name}, line {number}: the first column has no Arabic letters: {fields[0][:40]!r}")
        # Keyed as the glossary matches terms (normalized Arabic), so that spellings it treats as one meet here.
        first = seen.setdefault(_key(fields[0]), (number, fields[1]))
        if " ".join(first[1].split()) != " ".join(fields[1].split()):
            raise InputError(
                f"{name}, lines {first[0]} and {number}: two Englishes for {fields[0]} "
                f"({first[1]!r} and {fields[1]!r}); keep one"
            )
        terms.append(GlossaryTerm(fields[0], fields[1]))
    return terms


def save_glossary(glossary: Glossary, path: Path | str) -> None:
    """Write ``glossary`` to ``path`` atomically (a reader of the file never sees half of it)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["arabic\tenglish", *(f"{t.arabic}\t{t.english}" for t in glossary.terms)]
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write("\n".join(lines) + "\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def glossary_beside(memory_path: Path) -> Path:
    """Where the glossary the reader edits lives: ``glossary.tsv`` beside the translation memory."""
    return memory_path.parent / "glossary.tsv"


@dataclass
class TermTally:
    """What a glossary did over many pairs: occurrences applied, sentences with terms, occurrences missing."""

    applied: int = 0
    sentences: int = 0
    missing: int = 0

    def note(self, pair: AlignedPair) -> None:
        if pair.terms:
            self.sentences += 1
            self.applied += sum(1 for t in pair.terms if t.applied)
            self.missing += len(pair.missing_terms)

    def add(self, other: TermTally) -> None:
        self.applied += other.applied
        self.sentences += other.sentences
        self.missing += other.missing

    def summary(self) -> str:
        found = f"{self.applied} term occurrence(s) applied in {self.sentences} sentence(s)"
        return found + (f", {self.missing} could not be applied (flagged)" if self.missing else "")
