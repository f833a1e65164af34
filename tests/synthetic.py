"""Arabic→English sentences whose word alignment is known by construction.

The fixture model learns to align on these (a guided-alignment loss on the
first head of its last decoder layer, as Marian trains opus-mt), and the word
alignment tests measure its alignment error rate against the same gold links.

Sentences come from a small lexicon and a few templates with the reorderings
and many-to-one cases real Arabic→English alignment has:

- verb–subject order: ``قرأ الولد الكتاب`` → "the boy read the book";
- noun–adjective order: ``الكتاب الجديد`` → "the new book";
- one Arabic word, several English words: the article (``الولد`` → "the
  boy"), an attached conjunction (``وقال`` → "and … said", not adjacent), an
  attached preposition (``بالقلم`` → "with the pen"), a possessive suffix
  (``كتابها`` → "her book");
- an English word with no Arabic word ("is" in ``البيت كبير`` → "the house
  is big"): a *possible* link only, as in the AER's sure/possible convention.

Links are (Arabic word, English word) indices over whitespace tokens.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# (Arabic, English, feminine)
PEOPLE = [
    ("الولد", "boy", False),
    ("البنت", "girl", True),
    ("الرجل", "man", False),
    ("المرأة", "woman", True),
    ("المعلم", "teacher", False),
    ("الطبيبة", "doctor", True),
]
THINGS = [
    ("الكتاب", "book", False),
    ("الرسالة", "letter", True),
    ("الباب", "door", False),
    ("النافذة", "window", True),
    ("الصندوق", "box", False),
    ("السيارة", "car", True),
]
PLACES = [
    ("البيت", "house", False),
    ("المدرسة", "school", True),
    ("السوق", "market", False),
    ("المدينة", "city", True),
    ("المكتب", "office", False),
    ("الحديقة", "garden", True),
]
ADJECTIVES = [
    ("الكبير", "الكبيرة", "كبير", "big"),
    ("الصغير", "الصغيرة", "صغير", "small"),
    ("الجديد", "الجديدة", "جديد", "new"),
    ("القديم", "القديمة", "قديم", "old"),
    ("الجميل", "الجميلة", "جميل", "beautiful"),
]
# (masculine past, feminine past, English)
TRANSITIVE = [
    ("قرأ", "قرأت", "read"),
    ("كتب", "كتبت", "wrote"),
    ("رأى", "رأت", "saw"),
    ("فتح", "فتحت", "opened"),
    ("وجد", "وجدت", "found"),
]
# Stems that take a possessive suffix: ـه "his", ـها "her".
POSSESSED = [("كتاب", "book"), ("رسالت", "letter"), ("صندوق", "box")]


@dataclass(frozen=True)
class GoldPair:
    """A sentence pair and its word alignment: ``sure`` links, and ``possible`` ones (a superset)."""

    arabic: str
    english: str
    sure: frozenset[tuple[int, int]]
    possible: frozenset[tuple[int, int]]


class _Builder:
    """Appends Arabic and English words and records which English words each Arabic word gave."""

    def __init__(self) -> None:
        self.arabic: list[str] = []
        self.english: list[str] = []
        self.sure: set[tuple[int, int]] = set()
        self.possible: set[tuple[int, int]] = set()

    def ar(self, word: str) -> int:
        self.arabic.append(word)
        return len(self.arabic) - 1

    def en(self, words: str, source: int, *, sure: bool = True) -> None:
        for word in words.split():
            self.english.append(word)
            link = (source, len(self.english) - 1)
            self.possible.add(link)
            if sure:
                self.sure.add(link)

    def pair(self) -> GoldPair:
        return GoldPair(
            " ".join(self.arabic),
            " ".join(self.english),
            frozenset(self.sure),
            frozenset(self.possible | self.sure),
        )


def _noun_phrase(b: _Builder, noun: tuple[str, str, bool], adjective: tuple[str, str, str, str] | None) -> None:
    """ "the [adjective] noun" from ``noun [adjective]``: English puts the adjective first."""
    arabic, english, feminine = noun
    n = b.ar(arabic)
    if adjective is None:
        b.en(f"the {english}", n)
        return
    a = b.ar(adjective[1] if feminine else adjective[0])
    b.en("the", n)
    b.en(adjective[3], a)
    b.en(english, n)


def _verb(person: tuple[str, str, bool], verb: tuple[str, str, str]) -> str:
    return verb[1] if person[2] else verb[0]


def _transitive(rng: random.Random, b: _Builder, *, conjunction: bool) -> None:
    """(و)VERB SUBJECT OBJECT [ADJ] [PP]: "(and) the subject verbed the [adj] object [in the place]"."""
    person, verb = rng.choice(PEOPLE), rng.choice(TRANSITIVE)
    thing = rng.choice(THINGS[:2] if verb[2] == "wrote" else THINGS)  # one writes a book or a letter
    v = b.ar(("و" if conjunction else "") + _verb(person, verb))
    if conjunction:
        b.en("and", v)
    _noun_phrase(b, person, None)
    b.en(verb[2], v)
    if rng.random() < 0.3:
        stem, english = rng.choice(POSSESSED)
        o = b.ar(stem + ("ها" if person[2] else "ه"))
        b.en("her" if person[2] else "his", o)
        b.en(english, o)
    else:
        _noun_phrase(b, thing, rng.choice(ADJECTIVES) if rng.random() < 0.5 else None)
    extra = rng.random()
    if extra < 0.3:
        b.en("in", b.ar("في"))
        _noun_phrase(b, rng.choice(PLACES), None)
    elif extra < 0.6 and verb[2] == "wrote":
        w = b.ar("بالقلم")
        b.en("with the pen", w)


def _motion(rng: random.Random, b: _Builder, *, conjunction: bool) -> None:
    """(و)ذهب SUBJECT إلى PLACE [ADJ]: "(and) the subject went to the [adj] place"."""
    person, place = rng.choice(PEOPLE), rng.choice(PLACES)
    v = b.ar(("و" if conjunction else "") + _verb(person, ("ذهب", "ذهبت", "went")))
    if conjunction:
        b.en("and", v)
    _noun_phrase(b, person, None)
    b.en("went", v)
    b.en("to", b.ar("إلى"))
    _noun_phrase(b, place, rng.choice(ADJECTIVES) if rng.random() < 0.5 else None)


def _nominal(rng: random.Random, b: _Builder) -> None:
    """وقال SUBJECT إن NOUN ADJ: "and the subject said that the noun is adj" ("is" has no Arabic word)."""
    person, place, adjective = rng.choice(PEOPLE), rng.choice(PLACES), rng.choice(ADJECTIVES)
    v = b.ar("وقالت" if person[2] else "وقال")
    b.en("and", v)
    _noun_phrase(b, person, None)
    b.en("said", v)
    b.en("that", b.ar("إن"))
    _noun_phrase(b, place, None)
    predicate = adjective[2] + ("ة" if place[2] else "")
    a = b.ar(predicate)
    b.en("is", a, sure=False)
    b.en(adjective[3], a)


def gold_pairs(count: int, *, seed: int) -> list[GoldPair]:
    """``count`` distinct sentence pairs, the same ones for the same seed."""
    rng = random.Random(seed)
    pairs: dict[str, GoldPair] = {}
    while len(pairs) < count:
        b = _Builder()
        kind = rng.random()
        if kind < 0.5:
            _transitive(rng, b, conjunction=rng.random() < 0.3)
        elif kind < 0.8:
            _motion(rng, b, conjunction=rng.random() < 0.3)
        else:
            _nominal(rng, b)
        pair = b.pair()
        pairs.setdefault(pair.arabic, pair)
    return list(pairs.values())


def training_pairs() -> list[GoldPair]:
    """The pairs the fixture model is trained on (and memorises)."""
    return gold_pairs(40, seed=7)


def held_out_pairs() -> list[GoldPair]:
    """Pairs from the same lexicon that the fixture model never saw."""
    seen = {p.arabic for p in training_pairs()}
    return [p for p in gold_pairs(80, seed=8) if p.arabic not in seen][:20]


def alignment_error_rate(
    predicted: list[frozenset[tuple[int, int]]] | list[set[tuple[int, int]]], gold: list[GoldPair]
) -> float:
    """AER (Och and Ney 2003) over a corpus: 1 - (|A∩S| + |A∩P|) / (|A| + |S|)."""
    a_s = a_p = a = s = 0
    for links, pair in zip(predicted, gold, strict=True):
        links = set(links)
        a_s += len(links & pair.sure)
        a_p += len(links & pair.possible)
        a += len(links)
        s += len(pair.sure)
    return 1.0 - (a_s + a_p) / (a + s)
