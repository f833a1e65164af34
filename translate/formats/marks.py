"""Formatting carried from an Arabic block onto its English, through the model's word alignment.

As Firefox Translations (bergamot) carries HTML tags across a whole-sentence
translation: each English word takes the formatting of the Arabic words it is
aligned to, so that the bold name, the link, the italic phrase land on the
English words that translate them, whatever order the English puts them in.

- A formatted stretch of Arabic (a bold name) goes onto the English words
  aligned to its words that lie together, and the words between them: one
  stretch of English (a stray link ten words away is the alignment's noise).
  Every other English word has the sentence's own formatting (the one most
  of its Arabic has).
- A formatted stretch whose words the alignment links to nothing is kept on
  the English word at the nearest place (counted as approximate), never dropped.
- An inline object (a footnote reference, an image, a mention marked
  ``translate="no"``) goes after the English word aligned to the Arabic word
  before it, with the blanks it had: one that stood apart from its words
  (``word @user word``) stands apart in the English, one written against the
  word after it goes before that word's English, one against the word
  before it (a footnote's ``[1]``) stays against it.

Pure: blocks and pairs in, an English block out.
"""

from __future__ import annotations

import bisect
import itertools
from collections import Counter
from collections.abc import Iterable, Sequence

from translate.align import word_spans
from translate.formats.model import Block, Carried, Span
from translate.types import AlignedPair

SENTENCE_GAP = " "
"""What goes between two English sentences of one block."""
LENGTH_WEIGHT = 1.0
"""In cutting English over cues: how much a piece's share of the English words away from its stretch's share of
the Arabic words weighs against the share of words put away from their aligned stretch. Where the alignment is
clear it decides (its cut also keeps the shares); where it is noisy, the cues stay balanced."""


def carry(block: Block, pairs: Sequence[AlignedPair]) -> Carried:
    """``block`` in English: ``pairs`` (its sentences, offsets within ``block.text``, in order) with its spans carried.

    Text the sentences leave out (the blanks between them) is not carried; the
    objects that stood there come between the same English sentences.
    """
    styles = _char_styles(block)
    base = _majority(s for s in styles if s is not None) if styles else -1
    objects = sorted((s for s in block.spans if s.start == s.end), key=lambda s: s.start)
    words: list[tuple[str, int]] = []  # (text, style) for each English word, sentence gaps as words of base style
    placed: list[tuple[int, Span]] = []  # (after how many English words, object)
    approximate = 0
    at = 0
    end = 0
    for k, pair in enumerate(pairs):
        start = pair.start or 0
        while at < len(objects) and objects[at].start <= start:  # objects before this sentence
            placed.append((len(words), objects[at]))
            at += 1
        if k and start > end:
            # The formatting of the blank between the two Arabic sentences: a link's own blank inside the link, a
            # menu's between its links outside them (never one link's copy around another's separator). Two
            # sentences the source wrote together (a link against its separator) stay together.
            between = [s for s in styles[end:start] if s is not None]
            words.append((SENTENCE_GAP, _majority(between) if between else base))
        end = start + len(pair.source)
        inside = []
        while at < len(objects) and objects[at].start < end:
            inside.append(objects[at])
            at += 1
        sentence, offsets, missed = _sentence(pair, styles[start:end], base, [o.start - start for o in inside])
        approximate += missed
        first = len(words)
        words.extend(sentence)
        placed.extend((first + after, obj) for after, obj in zip(offsets, inside, strict=True))
    placed.extend((len(words), obj) for obj in objects[at:])
    # Objects keep their order whatever order the English words take: a field's begin, code and end marks
    # (Word's fldChar) must stay in sequence.
    for k in range(1, len(placed)):
        if placed[k][0] < placed[k - 1][0]:
            placed[k] = (placed[k - 1][0], placed[k][1])
    return _assemble(words, placed, approximate, _blanks(block.text, objects), base)


def _blanks(text: str, objects: Sequence[Span]) -> dict[Span, tuple[bool, bool]]:
    """Whether each object had a blank before it and after it in the Arabic (objects side by side: none
    between them)."""
    found = {}
    for k, obj in enumerate(objects):
        alone_before = k == 0 or objects[k - 1].start != obj.start
        alone_after = k == len(objects) - 1 or objects[k + 1].start != obj.start
        before = alone_before and 0 < obj.start <= len(text) and text[obj.start - 1].isspace()
        after = alone_after and obj.start < len(text) and text[obj.start].isspace()
        found[obj] = (before, after)
    return found


def _char_styles(block: Block) -> list[int | None]:
    styles: list[int | None] = [None] * len(block.text)
    for span in block.spans:
        for i in range(span.start, min(span.end, len(block.text))):
            styles[i] = span.style
    return styles


def _majority(values: Iterable[int]) -> int:
    counts = Counter(values)
    return counts.most_common(1)[0][0] if counts else -1


def _sentence(
    pair: AlignedPair, styles: list[int | None], block_base: int, objects: list[int]
) -> tuple[list[tuple[str, int]], list[int], int]:
    """One sentence's English words with their styles, where its objects go (after how many words), marks missed."""
    if pair.copied and pair.target == pair.source:
        return _as_written(pair.source, styles, block_base, objects)
    alignment = pair.alignment
    source_words = alignment.source_words if alignment else word_spans(pair.source)
    target_words = alignment.target_words if alignment else word_spans(pair.target)
    links = alignment.links if alignment else ()
    if not target_words:
        return [], [0] * len(objects), 0
    present = [s for s in styles if s is not None]
    base = _majority(present) if present else block_base
    source_style = [_majority(s for s in styles[a:b] if s is not None) if b > a else base for a, b in source_words]
    source_style = [base if s == -1 else s for s in source_style]
    missed = _smaller_than_a_word(pair.source, styles, source_words, source_style, base)
    final = [base] * len(target_words)
    for first, last, style in _stretches(source_style, base):
        targets = _cluster(sorted({t for s, t in links if first <= s <= last}))
        if targets:
            for t in range(targets[0], targets[-1] + 1):
                final[t] = style
        else:
            # A formatted stretch the alignment takes nowhere: on the English word nearest to where it stood.
            final[_nearest_target(first, source_words, target_words, links)] = style
            missed += 1
    words = []
    for t, (a, b) in enumerate(target_words):
        if t:
            gap = pair.target[target_words[t - 1][1] : a] or " "
            # Between two formattings, a blank goes with the plain side: no underline or link runs on past a word.
            previous = final[t - 1]
            words.append((gap, previous if previous in (final[t], base) else final[t] if final[t] == base else base))
        words.append((pair.target[a:b], final[t]))
    offsets = []
    for position in objects:
        preceding = [s for s, (a, b) in enumerate(source_words) if b <= position]
        if not preceding:
            offsets.append(0)
            continue
        t = _nearest_target(preceding[-1], source_words, target_words, links, last=True)
        offsets.append(2 * t + 1)  # after English word t (words and gaps alternate)
    return words, offsets, missed


def _as_written(
    text: str, styles: list[int | None], base: int, objects: list[int]
) -> tuple[list[tuple[str, int]], list[int], int]:
    """A sentence given back as it came (no Arabic in it): its formatting and objects exactly where they were,
    character for character (a hashtag's ``#`` outside the ``<span>`` around its word, as Mastodon writes it)."""
    words: list[tuple[str, int]] = []
    ends: list[int] = []
    cuts = set(objects)
    for i, ch in enumerate(text):
        found = styles[i] if i < len(styles) else None
        style = found if found is not None else base
        if words and words[-1][1] == style and i not in cuts:
            words[-1] = (words[-1][0] + ch, style)
            ends[-1] = i + 1
        else:
            words.append((ch, style))
            ends.append(i + 1)
    return words, [bisect.bisect_right(ends, position) for position in objects], 0


def _smaller_than_a_word(
    text: str, styles: list[int | None], source_words: Sequence[tuple[int, int]], source_style: list[int], base: int
) -> int:
    """Give a formatting that covers only part of one word (a link on the "[1]" of "السرطان[1]") the whole word,
    when that word is otherwise plain: it is kept, on the word's English, never lost to the word's majority.
    Return how many were placed so (each only near its own text)."""
    kept = set(source_style)
    placed = 0
    for style in dict.fromkeys(s for s in styles if s is not None and s != base and s not in kept):
        # Only a formatting that holds a letter or a digit: a plain colon after a bold label is no mark to keep.
        counts = [
            sum(1 for c, ch in zip(styles[a:b], text[a:b], strict=True) if c == style and ch.isalnum())
            for a, b in source_words
        ]
        if not counts or max(counts) == 0:
            continue  # only in the blanks between words: nothing of the English to carry it
        word = counts.index(max(counts))
        if source_style[word] == base:
            source_style[word] = style
            placed += 1
    return placed


def _stretches(styles: list[int], base: int) -> list[tuple[int, int, int]]:
    """(first word, last word, style) of each run of consecutive source words formatted otherwise than ``base``."""
    found: list[tuple[int, int, int]] = []
    for s, style in enumerate(styles):
        if style == base:
            continue
        if found and found[-1][2] == style and found[-1][1] == s - 1:
            found[-1] = (found[-1][0], s, style)
        else:
            found.append((s, s, style))
    return found


def _cluster(targets: list[int]) -> list[int]:
    """The English words one formatted Arabic stretch goes to: of the words its words are aligned to, the group
    that lies together (next to each other, or one word apart) with the most of them, the first on a tie.

    An alignment head also links a name to a verb it made agree ten words later; one bold name is one bold
    stretch of English, not a name and a stray verb.
    """
    groups: list[list[int]] = []
    for t in targets:
        if groups and t - groups[-1][-1] <= 2:
            groups[-1].append(t)
        else:
            groups.append([t])
    return max(groups, key=len) if groups else []


def _nearest_target(
    source: int,
    source_words: Sequence[tuple[int, int]],
    target_words: Sequence[tuple[int, int]],
    links: Sequence[tuple[int, int]],
    *,
    last: bool = False,
) -> int:
    """The English word of source word ``source``: its aligned one (the last with ``last``), else the nearest
    source word's, else the word at the same relative place."""
    by_source: dict[int, list[int]] = {}
    for s, t in links:
        by_source.setdefault(s, []).append(t)
    if by_source:
        nearest = min(by_source, key=lambda s: (abs(s - source), s))
        return max(by_source[nearest]) if last else min(by_source[nearest])
    # No link in the sentence: the English word at the same relative place (the word's middle, or its end).
    n, m = max(1, len(source_words)), len(target_words)
    at = int((source + 1) / n * m) - 1 if last else int((source + 0.5) / n * m)
    return min(m - 1, max(0, at))


def _assemble(
    words: list[tuple[str, int]],
    placed: list[tuple[int, Span]],
    approximate: int,
    blanks: dict[Span, tuple[bool, bool]],
    base: int,
) -> Carried:
    """The English text and its spans; ``placed`` (objects after how many words) is in order of place already.

    ``blanks`` says whether each object had a blank before and after it in the Arabic: an object placed before
    a blank between two English words goes after that blank when it was written against the word after it,
    and a blank (of the block's ``base`` style) is put in where the English would otherwise glue it to a word.
    """
    text_parts: list[str] = []
    spans: list[Span] = []
    cursor = 0
    next_object = 0
    blank_after = False  # the last object put in had a blank after it
    ends_blank = True  # nothing yet, or the English so far ends with a blank: no blank to add before an object

    def put(text: str, style: int) -> None:
        nonlocal cursor, ends_blank, blank_after
        if blank_after and not text[:1].isspace():
            blank_after = False
            put(" ", base)
        blank_after = False
        if spans and spans[-1].end == cursor and spans[-1].style == style and spans[-1].start < spans[-1].end:
            spans[-1] = Span(spans[-1].start, cursor + len(text), style)
        else:
            spans.append(Span(cursor, cursor + len(text), style))
        text_parts.append(text)
        cursor += len(text)
        ends_blank = text[-1:].isspace()

    def objects_until(count: int) -> None:
        nonlocal next_object, ends_blank, blank_after
        while next_object < len(placed) and placed[next_object][0] <= count:
            obj = placed[next_object][1]
            before, after = blanks.get(obj, (False, False))
            if before and not ends_blank:
                put(" ", base)
            spans.append(Span(cursor, cursor, obj.style))
            ends_blank, blank_after = False, after
            next_object += 1

    for n, (text, style) in enumerate(words):
        waiting = next_object < len(placed) and placed[next_object][0] <= n
        if waiting and text.isspace() and blanks.get(placed[next_object][1], (False, False)) == (True, False):
            put(text, style)  # the blank first: the object was written against the word after it
            objects_until(n + 1)
            continue
        objects_until(n)
        put(text, style)
    objects_until(len(words))
    return Carried("".join(text_parts), tuple(spans), approximate)


def split_over(pair: AlignedPair, borders: Sequence[int]) -> list[str]:
    """The English of ``pair`` cut at word boundaries into one piece per stretch of its Arabic between ``borders``.

    ``borders`` are offsets in ``pair.source`` where a new stretch begins (a
    subtitle cue). Each English word goes with the stretch of the Arabic words
    it is aligned to, the pieces in order; where the alignment does not decide,
    each piece's length follows its stretch's. A stretch gets an empty piece
    only when the English has fewer words than there are stretches.
    """
    parts = len(borders) + 1
    alignment = pair.alignment
    target_words = alignment.target_words if alignment else word_spans(pair.target)
    n = len(target_words)
    if parts == 1 or n == 0:
        return [pair.target.strip()] + [""] * (parts - 1)
    source_words = alignment.source_words if alignment else word_spans(pair.source)
    part_of = [bisect.bisect_right(borders, start) for start, _ in source_words]  # each Arabic word's stretch
    votes: list[Counter[int]] = [Counter() for _ in range(n)]
    for s, t in alignment.links if alignment else ():
        votes[t][part_of[s]] += 1
    home = [v.most_common(1)[0][0] if v else None for v in votes]
    # Each stretch's share of the sentence, in words (Arabic's characters run shorter than English's).
    count = Counter(part_of)
    share = [count[j] / max(1, len(part_of)) for j in range(parts)]

    # Prefix counts: words 0..t-1 aligned somewhere, and aligned to part j.
    anywhere = list(itertools.accumulate((h is not None for h in home), initial=0))
    at_home = [list(itertools.accumulate((h == j for h in home), initial=0)) for j in range(parts)]
    empty = 0.0 if n < parts else float(parts)  # an empty piece: only when there are too few words to go round
    # best[j][c]: the least cost of parts 0..j-1 holding words 0..c-1. A part j holding words c..d-1 costs the
    # share of the words aligned elsewhere plus how far its share of the words is from its stretch's, both as
    # fractions of the sentence: an alignment head is noisy, and a cue must stay readable in its time.
    best = [[float("inf")] * (n + 1) for _ in range(parts + 1)]
    cut = [[0] * (n + 1) for _ in range(parts + 1)]
    best[0][0] = 0.0
    for j in range(parts):
        home_j, share_j, row, following, cuts = at_home[j], share[j], best[j], best[j + 1], cut[j + 1]
        for c in range(n + 1):
            base = row[c]
            if base == float("inf"):
                continue
            if base + empty < following[c]:
                following[c], cuts[c] = base + empty, c
            aligned, here = anywhere[c], home_j[c]
            for d in range(c + 1, n + 1):
                wrong = (anywhere[d] - aligned) - (home_j[d] - here)
                value = base + wrong / n + LENGTH_WEIGHT * abs((d - c) / n - share_j)
                if value < following[d]:
                    following[d], cuts[d] = value, c
    bounds = [n]
    for j in range(parts, 0, -1):
        bounds.append(cut[j][bounds[-1]])
    bounds.reverse()
    return [
        pair.target[target_words[a][0] : target_words[b - 1][1]] if b > a else "" for a, b in itertools.pairwise(bounds)
    ]
