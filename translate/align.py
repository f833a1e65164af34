"""Word alignment and confidence from a translation's pieces: pure functions, no model.

A Marian model trained with guided alignment (opus-mt-ar-en is) has one
cross-attention head, the first of its last decoder layer, that learned to
point from each target piece to the source pieces it translates; the attention
at the step that predicts a target piece aligns that piece. These functions
turn that head's ``[target piece][source piece]`` matrix and the pieces'
log-probabilities into words:

- words are the whitespace tokens of the text; a sentencepiece piece that
  starts with ``▁`` starts a new word, the rest continue it;
- a target word's attention is the mean of its pieces' rows; a source word's
  share is the sum of its pieces' columns; end-of-sentence is dropped;
- each target word is linked to its most-attended source word;
- a word's confidence is the lowest log-probability among its pieces, a
  sentence's the mean over its pieces.

Links use the Pharaoh convention (``"0-0 1-2"``: source word - target word,
counted from 0) of fast_align, eflomal and Moses.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from translate.normalize import INVISIBLE
from translate.types import TokenDetail, WordAlignment

WORD_START = "▁"
"""SentencePiece's mark for a piece that begins a word."""

SPECIAL_PIECES = frozenset({"</s>", "<pad>", "<s>"})
"""Pieces that are not text: they belong to no word."""

LOW_WORD_LOGPROB = math.log(0.2)
"""A word whose least likely piece the model gave under a 20% chance (log-prob below -1.61) is marked
low-confidence. Per-word log-probs find the words worth a second look (a name, a number, a word the
model guessed); they do not grade good translations against each other."""

LOW_SENTENCE_SCORE = math.log(0.5)
"""A sentence whose pieces average under log(0.5) (-0.69) is marked low-confidence. The mean token
log-prob is good at flagging the worst sentences and hallucinations and weak at ranking good ones
(Fomicheva et al. 2020, "Unsupervised Quality Estimation for Neural Machine Translation")."""

_INVISIBLE = str.maketrans("", "", INVISIBLE)


def piece_words(pieces: Sequence[str]) -> tuple[int, ...]:
    """The word index of each piece, or -1 for a special piece such as ``</s>``.

    A piece starting with ``▁`` starts a new word; a piece that is ``▁``
    alone (sentencepiece's separate space before some characters) starts a
    word that the next piece continues, or none when it is the last.
    """
    indices: list[int] = []
    word = -1
    pending_space = False
    for piece in pieces:
        if piece in SPECIAL_PIECES:
            indices.append(-1)
            continue
        if (piece.startswith(WORD_START) and not pending_space) or word < 0:
            word += 1
        pending_space = piece == WORD_START
        indices.append(word)
    # Space pieces that nothing follows (the model wrote some before ending) start no word of the text.
    for k in range(len(pieces) - 1, -1, -1):
        if pieces[k] not in SPECIAL_PIECES and pieces[k] != WORD_START:
            break
        indices[k] = -1
    return tuple(indices)


def word_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Character spans of the words of ``text`` as written: whitespace tokens the model sees.

    A token made only of invisible characters (a lone tatweel or zero-width
    joiner) is dropped by the model's normalization and is not a word here either.
    """
    spans: list[tuple[int, int]] = []
    start: int | None = None
    for i, ch in enumerate(text + " "):
        if ch.isspace():
            if start is not None and text[start:i].translate(_INVISIBLE):
                spans.append((start, i))
            start = None
        elif start is None:
            start = i
    return tuple(spans)


def link_words(
    attention: Sequence[Sequence[float]], source_words: Sequence[int], target_words: Sequence[int]
) -> tuple[tuple[int, int], ...]:
    """(source word, target word) links: each target word to the source word it attends to most.

    ``attention[t][s]`` is the alignment head's weight from target piece ``t``
    to source piece ``s``; ``source_words``/``target_words`` give each piece's
    word (-1: no word, such as ``</s>``). Ties go to the earlier source word.
    """
    if len(attention) != len(target_words):
        raise ValueError(f"{len(attention)} attention rows for {len(target_words)} target pieces")
    n_source = max(source_words, default=-1) + 1
    rows_of: dict[int, list[int]] = {}
    for row, word in enumerate(target_words):
        if word >= 0:
            rows_of.setdefault(word, []).append(row)
    links = []
    for target in sorted(rows_of):
        rows = rows_of[target]
        shares = [0.0] * n_source
        for row in rows:
            weights = attention[row]
            if len(weights) != len(source_words):
                raise ValueError(f"attention row of {len(weights)} weights for {len(source_words)} source pieces")
            for column, word in enumerate(source_words):
                if word >= 0:
                    shares[word] += weights[column] / len(rows)
        if n_source and max(shares) > 0:
            links.append((shares.index(max(shares)), target))
    return tuple(links)


def word_scores(log_probs: Sequence[float], target_words: Sequence[int]) -> tuple[float, ...]:
    """Each target word's confidence: the lowest log-probability among its pieces."""
    if len(log_probs) != len(target_words):
        raise ValueError(f"{len(log_probs)} log-probs for {len(target_words)} target pieces")
    scores: dict[int, float] = {}
    for value, word in zip(log_probs, target_words, strict=True):
        if word >= 0:
            scores[word] = min(scores.get(word, 0.0), value)
    return tuple(scores[w] for w in sorted(scores))


def sentence_score(log_probs: Sequence[float]) -> float:
    """The mean log-probability of a translation's pieces (0.0 for none)."""
    return sum(log_probs) / len(log_probs) if log_probs else 0.0


def align_pair(source: str, target: str, detail: TokenDetail) -> WordAlignment | None:
    """Word alignment of ``target`` (a translation of ``source``, as written) from the model's pass over them.

    ``None`` when the pieces do not add up to the words of the texts (the two
    were not the pair the model saw): no alignment rather than a shifted one.
    """
    source_spans, target_spans = word_spans(source), word_spans(target)
    source_words, target_words = piece_words(detail.source), piece_words(detail.target)
    words_seen = (max(source_words, default=-1) + 1, max(target_words, default=-1) + 1)
    if words_seen != (len(source_spans), len(target_spans)):
        return None
    return WordAlignment(
        source_words=source_spans,
        target_words=target_spans,
        links=link_words(detail.attention, source_words, target_words),
        word_scores=word_scores(detail.log_probs, target_words),
        score=sentence_score(detail.log_probs),
        pieces=len(detail.target),
    )


def join_alignments(source: str, target: str, parts: Sequence[WordAlignment | None]) -> WordAlignment | None:
    """The alignment of a sentence translated in parts (too long for the model in one), over the whole texts.

    ``parts`` align consecutive stretches of ``source`` to the stretches of
    ``target`` they were translated into (the translation is the parts'
    English joined by spaces): word indices are shifted past the words of the
    parts before, and the sentence score is the mean over all pieces. ``None``
    if a part is missing or the words do not add up.
    """
    links: list[tuple[int, int]] = []
    scores: list[float] = []
    source_seen = target_seen = pieces = 0
    total = 0.0
    for part in parts:
        if part is None:
            return None
        links.extend((s + source_seen, t + target_seen) for s, t in part.links)
        scores.extend(part.word_scores)
        source_seen += len(part.source_words)
        target_seen += len(part.target_words)
        pieces += part.pieces
        total += (part.score or 0.0) * part.pieces
    source_spans, target_spans = word_spans(source), word_spans(target)
    if not parts or (source_seen, target_seen) != (len(source_spans), len(target_spans)):
        return None
    return WordAlignment(
        source_words=source_spans,
        target_words=target_spans,
        links=tuple(links),
        word_scores=tuple(scores),
        score=total / pieces if pieces else 0.0,
        pieces=pieces,
    )


def alignment_from_links(
    source: str,
    target: str,
    links: Sequence[tuple[int, int]],
    *,
    word_scores: Sequence[float] = (),
    score: float | None = None,
) -> WordAlignment:
    """A :class:`WordAlignment` of ``source`` and ``target`` from links read back (an export, an API call).

    Raise ``ValueError`` if a link names a word the texts do not have, or the
    word scores are not one per English word.
    """
    source_words, target_words = word_spans(source), word_spans(target)
    for s, t in links:
        if s >= len(source_words) or t >= len(target_words):
            raise ValueError(
                f"link {s}-{t} is past the {len(source_words)} source and {len(target_words)} target words"
            )
    if word_scores and len(word_scores) != len(target_words):
        raise ValueError(f"{len(word_scores)} word scores for {len(target_words)} target words")
    return WordAlignment(
        source_words=source_words,
        target_words=target_words,
        links=tuple(links),
        word_scores=tuple(float(x) for x in word_scores),
        score=None if score is None else float(score),
    )


def pharaoh(links: Sequence[tuple[int, int]]) -> str:
    """Links as Pharaoh text: ``"0-0 1-2"`` (source word - target word), in target order."""
    return " ".join(f"{s}-{t}" for s, t in sorted(links, key=lambda link: (link[1], link[0])))


def parse_pharaoh(text: str) -> tuple[tuple[int, int], ...]:
    """The links in Pharaoh text; raise ``ValueError`` on anything else."""
    links = []
    for item in text.split():
        source, sep, target = item.partition("-")
        if not sep or not source.isdigit() or not target.isdigit():
            raise ValueError(f"not a Pharaoh link: {item!r} (expected source-target, e.g. 0-2)")
        links.append((int(source), int(target)))
    return tuple(links)
