"""The translator: text in, aligned sentence pairs out."""

from __future__ import annotations

import bisect
import dataclasses
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from translate.align import align_pair, join_alignments, word_spans
from translate.backend import Backend, load_backend
from translate.batching import plan_batches
from translate.checks import CUT_SHORT, OCR, TERM, LengthRatios, check_pair, ends_abruptly
from translate.errors import InputError
from translate.glossary import Glossary
from translate.memory import CachedBackend, TranslationMemory
from translate.normalize import contains_arabic, normalize_for_model
from translate.quality import is_repetitive
from translate.registry import default_model, resolve_model
from translate.repair import NumberRepair
from translate.segment import segment_text, split_to_fit
from translate.steer import Steering
from translate.types import (
    AlignedPair,
    Alternative,
    Check,
    DecodingControls,
    Doubt,
    Hypothesis,
    ReadText,
    Segment,
    TermUse,
    TokenDetail,
    TranslationInfo,
    TranslationOptions,
    WordAlignment,
)
from translate.verbatim import missing_verbatim, needs_translation, restore

logger = logging.getLogger("tarjama")

QUALITY_PIECE_TOKENS = 256
"""Default cap on one model input: opus-mt quality drops well before its 512-token limit."""
RETRY_CONTROLS = DecodingControls()
"""How a translation that looped or hit the length limit is tried a second time."""
FINISH_CONTROLS = DecodingControls(no_repeat_ngram_size=0, repetition_penalty=1.0, exhaustive=True)
"""How a translation that stopped before its sentence ended is tried a second time: the same model, searched longer."""
_EMITTED = Hypothesis(text="", tokens=0, truncated=False)
"""What stands in for a translation once its sentence is out."""


@dataclass(frozen=True)
class _Piece:
    segment: int
    text: str
    tokens: int


class Translator:
    """Translates Arabic text into aligned (Arabic sentence, English sentence) pairs.

    The model is resolved and loaded when the translator is built (downloading
    it once if it is not cached and ``local_files_only`` is false), so a
    missing model fails here, before any input is read. With a ``memory``,
    sentences translated before are not translated again, and a human
    translation stored there is used instead of the model's. With a
    ``glossary``, its terms' English is spliced into the translations that lack
    it (:mod:`translate.steer`), and every pair reports the terms of its source
    (``AlignedPair.terms``). ``glossary`` may be replaced between translations.
    A sentence with no Arabic to translate (English, a number, a bare link:
    :func:`~translate.verbatim.needs_translation`) never reaches the model:
    its pair is ``copied``, its English the sentence byte for byte. URLs,
    e-mail addresses and handles the model lost are put back where the word
    alignment places them (:func:`~translate.verbatim.restore`), with
    ``repair`` and ``checks``; what is still missing is flagged by the checks.
    """

    def __init__(
        self,
        model: str | Path | None = None,
        options: TranslationOptions | None = None,
        *,
        revision: str | None = None,
        local_files_only: bool = False,
        backend: Backend | None = None,
        memory: TranslationMemory | None = None,
        glossary: Glossary | None = None,
    ) -> None:
        self.options = options or TranslationOptions()
        self.glossary = glossary
        if backend is None:
            resolved = resolve_model(model or default_model(), revision=revision, local_files_only=local_files_only)
            backend = load_backend(resolved, self.options)
        self.memory = memory
        self.backend: Backend = CachedBackend(backend, memory) if memory is not None else backend
        requested = self.options.max_piece_tokens or QUALITY_PIECE_TOKENS
        self.max_piece_tokens = min(requested, backend.max_source_tokens)
        self.lengths = LengthRatios()
        self.remembered = 0
        """Sentences whose every piece the translation memory answered, over this translator's life: each once,
        however many passes (retries, a finishing pass) the memory answered for it."""
        """How long this model's English runs against its Arabic: learnt from every translation it makes."""

    def translate(
        self,
        text: str,
        *,
        use_human: bool = True,
        first_rows_early: bool = True,
        known: Mapping[int, AlignedPair] | None = None,
        stop: Callable[[], bool] | None = None,
    ) -> tuple[Iterator[AlignedPair], TranslationInfo]:
        """Segment ``text`` now; translate it lazily.

        Returns ``(pairs, info)``. Segmentation, token counting and batch
        planning happen before this returns, so ``info.sentences`` can size a
        progress bar; the model runs only while ``pairs`` is iterated, and pairs
        come out in source order as their batches finish, one per sentence.
        ``use_human=False`` ignores the memory's human translations (the
        machine's own, for a "revert", or a reader whose visitors must not
        see each other's corrections). ``first_rows_early`` (for a reader
        watching rows arrive) translates the first few sentences in a small
        batch of their own; without it (a file written whole, a batch job) every
        batch is full size, which is faster overall. ``known`` holds pairs of
        this text already translated (by sentence index: a translation that
        was stopped, finished now): they come back as they are, unasked.
        ``stop`` is asked before each batch: once it says so, no batch runs
        and the pairs end with those already finished (a reader's Stop: in
        source order, the next pair may wait on many batches).
        """
        known = known or {}
        segments = segment_text(text)
        # "" for what the model never sees: a sentence without Arabic comes back as it came (see _run), and
        # so does a known one, replaced by its known pair on the way out.
        texts = [
            normalize_for_model(s.text) if needs_translation(s.text) and s.index not in known else "" for s in segments
        ]
        human = self._human_translations(texts) if use_human else {}
        pieces, spans = self._pieces([t if i not in human else "" for i, t in enumerate(texts)])
        info = TranslationInfo(
            model=self.backend.model.model_id,
            revision=self.backend.model.revision,
            backend=self.backend.name,
            device=self.backend.device,
            options=self.options,
            sentences=len(segments),
            paragraphs=len({s.paragraph for s in segments}),
            pieces=len(pieces),
            characters=len(text),
            has_arabic=contains_arabic(text),
            segments=tuple(segments),
        )
        doubted = _doubted(segments, text.doubts if isinstance(text, ReadText) else ())
        pairs = self._run(segments, texts, pieces, spans, human, self.glossary, first_rows_early, stop, doubted)
        if known:
            pairs = (known.get(pair.index, pair) for pair in pairs)
        return pairs, info

    def translate_text(self, text: str, *, use_human: bool = True) -> list[AlignedPair]:
        """Translate ``text`` and return all pairs at once."""
        pairs, _ = self.translate(text, use_human=use_human, first_rows_early=False)
        return list(pairs)

    def revise(self, pairs: Sequence[AlignedPair], glossary: Glossary) -> list[AlignedPair]:
        """``pairs`` translated again with ``glossary`` where it changes them; the others as they were.

        For one more term, such as a name made consistent across a document:
        only the machine translations whose source has a term of ``glossary``
        whose English they lack are decoded again (steered, checked); each
        keeps its index, paragraph and offsets. People's corrections are kept.
        """
        redo = [k for k, pair in enumerate(pairs) if not pair.edited and missing_in(glossary, pair)]
        if not redo:
            return list(pairs)
        segments = [
            Segment(pairs[k].index, pairs[k].paragraph, pairs[k].start or 0, pairs[k].end or 0, pairs[k].source)
            for k in redo
        ]
        texts = [normalize_for_model(s.text) for s in segments]
        pieces, spans = self._pieces(texts)
        positions = {s.index: k for s, k in zip(segments, redo, strict=True)}
        renumbered = [dataclasses.replace(s, index=i) for i, s in enumerate(segments)]  # _run counts from 0
        out = list(pairs)
        for pair in self._run(renumbered, texts, pieces, spans, {}, glossary, first_rows_early=False):
            original = out[positions[segments[pair.index].index]]
            out[positions[segments[pair.index].index]] = dataclasses.replace(
                pair, index=original.index, paragraph=original.paragraph, start=original.start, end=original.end
            )
        return out

    def terms(self, source: str, target: str) -> tuple[TermUse, ...]:
        """The glossary's terms in ``source`` and whether ``target`` carries their English (none: no glossary)."""
        return self.glossary.report(source, target) if self.glossary is not None else ()

    def checks(self, pair: AlignedPair, reasons: dict[str, str] | None = None) -> tuple[Check, ...]:
        """The fidelity checks of a machine translation (:mod:`translate.checks`), a glossary term missing among them.

        Uses the pair's alignment where it has one, and the length ratios of
        this translator's translations so far. ``reasons`` say why a term
        (by its Arabic) could not be put in, where steering tried.
        """
        allowed = [t.english for t in self.glossary.terms] if self.glossary is not None else []
        found = check_pair(pair.source, pair.target, pair.alignment, lengths=self.lengths, allowed=allowed)
        if pair.truncated:  # already flagged as stopped at the length limit: "cut short" would say it twice
            found = tuple(c for c in found if c.kind != CUT_SHORT)
        missing = tuple(
            Check(
                TERM,
                f"{t.arabic} → {t.english}: "
                + ((reasons or {}).get(t.arabic) or "the model's English has no place for it"),
                t.source,
            )
            for t in pair.missing_terms
        )
        return found + missing

    def alternatives(self, source: str, target: str, word: int, count: int = 5) -> list[Alternative]:
        """Up to ``count`` other translations of ``source`` that keep ``target`` up to its word ``word``.

        The model is forced through the English before that word, takes its
        most likely next pieces there, and finishes each (prefix decoding);
        most likely first. One that equals ``target`` is left out; a source with no Arabic to translate
        has none. Words are whitespace tokens, counted from 0. Raises :class:`InputError` for a word
        that is not there or a source the model takes in more than one part.
        """
        spans = word_spans(target)
        if not 0 <= word < len(spans):
            raise InputError(f"the translation has {len(spans)} words; there is no word {word}")
        if not needs_translation(source):
            return []  # given back as it came (no Arabic): the model never sees it, so it offers nothing else
        text = normalize_for_model(source)
        if not text or self.backend.count_tokens([text])[0] > self.max_piece_tokens:
            raise InputError("this sentence is translated in parts; alternatives are offered for shorter sentences")
        kept = target[: spans[word][0]].rstrip()
        prefix = self.backend.target_pieces(kept) if kept else ()
        found: list[Alternative] = []
        # A few more than asked: some continue the word before instead of starting a new one.
        for hypothesis in self.backend.alternatives(text, prefix, count + 3):
            english = " ".join(hypothesis.text.split())
            start = len(kept) + 1 if kept else 0
            if english[:start] != (kept + " " if kept else "") or not english[start:].strip():
                continue  # not a new word at this place
            if english == target.strip() or any(a.text == english for a in found):
                continue
            found.append(Alternative(english, start, english[start:].split()[0]))
        return found[:count]

    def align(self, pairs: Sequence[AlignedPair]) -> list[WordAlignment | None]:
        """Word alignments and confidence of these pairs, as their English stands (the model's or a person's).

        One teacher-forced pass of the model over each pair (``Backend.explain``),
        in batches. ``None`` for a pair with no English, for one whose source the
        model took in several parts, or whose source or English does not fit
        the model in one pass.
        """
        # pieces is 0 for a correction the memory supplied: the model never took that source in parts.
        sources = [normalize_for_model(pair.source) if pair.pieces <= 1 and not pair.copied else "" for pair in pairs]
        details = self._details(sources, [pair.target for pair in pairs])
        return [
            _identity(pair.source)
            if pair.copied and pair.target == pair.source
            else align_pair(pair.source, pair.target, detail)
            if detail is not None
            else None
            for pair, detail in zip(pairs, details, strict=True)
        ]

    def _details(
        self, sources: Sequence[str], targets: Sequence[str], pieces: Sequence[Sequence[str]] = ()
    ) -> list[TokenDetail | None]:
        """``Backend.explain`` over these (source, English) pairs, in batches; ``None`` where it cannot run.

        ``pieces`` are the English's pieces as the model produced them, where
        known. It cannot run for an empty source or English, or for one longer
        than the model takes in one pass (the decoder's positions are bounded like the encoder's).
        """
        given = list(pieces) or [()] * len(targets)
        jobs = [i for i, (source, target) in enumerate(zip(sources, targets, strict=True)) if source and target.strip()]
        lengths = self.backend.count_tokens([sources[i] for i in jobs])
        counted = iter(self.backend.count_target_tokens([targets[i] for i in jobs if not given[i]]))
        english = [len(given[i]) + 1 if given[i] else next(counted) for i in jobs]
        limit = self.backend.max_source_tokens
        fits = [
            k
            for k, (n, m) in enumerate(zip(lengths, english, strict=True))
            if n <= self.max_piece_tokens and m <= limit
        ]
        details: list[TokenDetail | None] = [None] * len(sources)
        batches = plan_batches(
            [lengths[k] for k in fits],
            max_items=self.options.batch_size or self.backend.batch_size,
            max_tokens=self.options.batch_tokens or self.backend.batch_tokens,
            first_rows_early=False,  # returned all at once
        )
        for batch in batches:
            chosen = [jobs[fits[b]] for b in batch]
            found = self.backend.explain(
                [sources[i] for i in chosen], [targets[i] for i in chosen], [given[i] for i in chosen]
            )
            for i, detail in zip(chosen, found, strict=True):
                details[i] = detail
        return details

    def _human_translations(self, texts: list[str]) -> dict[int, str]:
        if self.memory is None:
            return {}
        found = self.memory.human([t for t in texts if t])
        return {i: found[t] for i, t in enumerate(texts) if t in found}

    def _pieces(self, texts: list[str]) -> tuple[list[_Piece], list[range]]:
        """Model inputs for every model-ready sentence, and which of them belong to each sentence."""
        counts = self.backend.count_tokens([t for t in texts if t])
        pieces: list[_Piece] = []
        spans: list[range] = []
        lengths = iter(counts)
        for index, text in enumerate(texts):
            first = len(pieces)
            if text:
                tokens = next(lengths)
                if tokens <= self.max_piece_tokens:
                    pieces.append(_Piece(index, text, tokens))
                else:
                    pieces.extend(self._split(index, text))
            spans.append(range(first, len(pieces)))
        return pieces, spans

    def _split(self, index: int, text: str) -> list[_Piece]:
        def fits(piece: str) -> bool:
            return self.backend.count_tokens([piece])[0] <= self.max_piece_tokens

        parts = [text[a:b] for a, b in split_to_fit(text, fits)]
        logger.debug("sentence %d split into %d pieces to fit %d tokens", index, len(parts), self.max_piece_tokens)
        return [_Piece(index, part, n) for part, n in zip(parts, self.backend.count_tokens(parts), strict=True)]

    def _translate_checked(self, texts: list[str]) -> list[Hypothesis]:
        """Translate; retry once, with repetition controls, whatever looped or hit the length limit.

        A retry replaces the first attempt unless it came out worse; what is
        still bad after it keeps its ``truncated``/``repetitive`` flags.
        """
        hypotheses = [_checked(h, text) for h, text in zip(self.backend.translate_batch(texts), texts, strict=True)]
        if not self.options.retry:
            return hypotheses
        if self.options.checks:
            self._finish_cut_short(texts, hypotheses)
        bad = [i for i, h in enumerate(hypotheses) if _badness(h)]
        if not bad:
            return hypotheses
        retried = self.backend.translate_batch([texts[i] for i in bad], RETRY_CONTROLS)
        for i, again in zip(bad, retried, strict=True):
            again = _checked(again, texts[i])
            if _badness(again) <= _badness(hypotheses[i]):
                hypotheses[i] = again
        still = sum(1 for i in bad if _badness(hypotheses[i]))
        logger.info("retried %d of %d pieces with repetition controls; %d still flagged", len(bad), len(texts), still)
        return hypotheses

    def _restore_verbatim(self, texts: list[str], hypotheses: list[Hypothesis]) -> list[Hypothesis]:
        """``hypotheses`` with the URLs, addresses and handles of ``texts`` they lost put back (one model pass
        over those that lost one, for the word alignment that places them)."""
        need = [i for i, (text, h) in enumerate(zip(texts, hypotheses, strict=True)) if missing_verbatim(text, h.text)]
        if not need:
            return hypotheses
        details = self._details(
            [texts[i] for i in need], [hypotheses[i].text for i in need], [hypotheses[i].pieces for i in need]
        )
        out = list(hypotheses)
        for i, detail in zip(need, details, strict=True):
            alignment = align_pair(texts[i], out[i].text, detail) if detail is not None else None
            english = restore(texts[i], out[i].text, alignment)
            if english != out[i].text:
                # Pieces unknown (): a link is no piece of the model's, so the alignment splits the text anew.
                out[i] = _checked(dataclasses.replace(out[i], text=english, pieces=(), detail=None), texts[i])
        logger.debug("put back a link, address or handle in %d of %d pieces", len(need), len(texts))
        return out

    def _finish_cut_short(self, texts: list[str], hypotheses: list[Hypothesis]) -> None:
        """Decode again, searching on until no live beam could win, what stopped before its sentence ended.

        The second attempt replaces the first only if it ends its sentence;
        what still does not is left for the ``cut-short`` check to flag.
        """
        short = [i for i, h in enumerate(hypotheses) if not _badness(h) and ends_abruptly(texts[i], h.text)]
        if not short:
            return
        again = self.backend.translate_batch([texts[i] for i in short], FINISH_CONTROLS)
        mended = 0
        for i, hypothesis in zip(short, again, strict=True):
            hypothesis = _checked(hypothesis, texts[i])
            if not _badness(hypothesis) and not ends_abruptly(texts[i], hypothesis.text):
                hypotheses[i] = hypothesis
                mended += 1
        logger.info(
            "decoded %d piece(s) again that stopped before their sentence ended; %d now end it", len(short), mended
        )

    def _run(
        self,
        segments: list[Segment],
        texts: list[str],
        pieces: list[_Piece],
        spans: list[range],
        human: dict[int, str],
        glossary: Glossary | None,
        first_rows_early: bool,
        stop: Callable[[], bool] | None = None,
        doubted: dict[int, tuple[Check, ...]] | None = None,
    ) -> Iterator[AlignedPair]:
        aligning = self.options.alignments
        steering = Steering(self.backend, glossary, self._details) if glossary else None
        checking = self.options.checks
        repair = NumberRepair(self.backend, self._details) if self.options.repair and checking else None
        done: list[Hypothesis | None] = [None] * len(pieces)
        details: list[TokenDetail | None] = [None] * len(pieces)
        human_details: dict[int, TokenDetail | None] = {}
        if aligning and human:
            order = sorted(human)
            found = self._details([texts[i] for i in order], [human[i] for i in order])
            human_details = dict(zip(order, found, strict=True))
        batches = plan_batches(
            [p.tokens for p in pieces],
            max_items=self.options.batch_size or self.backend.batch_size,
            max_tokens=self.options.batch_tokens or self.backend.batch_tokens,
            first_rows_early=first_rows_early,
        )
        next_segment = 0
        # The empty batch at the end flushes trailing sentences with nothing to translate.
        for batch in [*batches, []]:
            if stop is not None and stop():
                return
            if batch:
                sources = [pieces[i].text for i in batch]
                hypotheses = self._translate_checked(sources)
                if steering is not None:
                    hypotheses = steering.steer(sources, hypotheses)
                if repair is not None:  # numbers, then links, addresses and handles: under the same options
                    hypotheses = repair.steer(sources, hypotheses)
                    hypotheses = self._restore_verbatim(sources, hypotheses)
                for source, hypothesis in zip(sources, hypotheses, strict=True):
                    if not _badness(hypothesis):
                        self.lengths.observe(source, hypothesis.text)
                for i, hypothesis in zip(batch, hypotheses, strict=True):
                    # The detail (attention matrices) is kept only until its sentence is out.
                    done[i] = dataclasses.replace(hypothesis, detail=None) if hypothesis.detail else hypothesis
                    details[i] = hypothesis.detail
                if aligning:  # what the backend did not explain while translating (or the memory answered)
                    missing = [k for k, h in enumerate(hypotheses) if h.detail is None]
                    explained = self._details(
                        [sources[k] for k in missing],
                        [hypotheses[k].text for k in missing],
                        [hypotheses[k].pieces for k in missing],
                    )
                    for k, detail in zip(missing, explained, strict=True):
                        details[batch[k]] = detail
            while next_segment < len(segments) and all(done[i] is not None for i in spans[next_segment]):
                segment = segments[next_segment]
                span = spans[next_segment]
                if not texts[segment.index] and segment.index not in human:  # no Arabic: never sent, as it came
                    copied = _copied(segment, aligning)
                    yield dataclasses.replace(copied, checks=(doubted or {}).get(segment.index, ()))
                    next_segment += 1
                    continue
                if segment.index in human:
                    pair = _pair(segment, [], edited=True, target=human[segment.index])
                    if aligning:
                        detail = human_details.pop(segment.index, None)
                        alignment = align_pair(pair.source, pair.target, detail) if detail else None
                        pair = dataclasses.replace(pair, alignment=alignment)
                else:
                    translated = [h for i in span if (h := done[i]) is not None]
                    self.remembered += all(h.remembered for h in translated)
                    pair = _pair(segment, translated)
                    if aligning:
                        pair = dataclasses.replace(pair, alignment=self._joined(pair, pieces, done, details, span))
                for i in span:  # keep nothing past its sentence: a long article would hold every translation
                    details[i] = None
                    done[i] = _EMITTED
                reasons: dict[str, str] = {}
                if glossary:
                    pair = dataclasses.replace(pair, terms=glossary.report(pair.source, pair.target))
                if steering is not None:
                    for i in span:
                        reasons.update(steering.reasons.pop(pieces[i].text, {}))
                checks = self.checks(pair, reasons) if checking and not pair.edited else pair.checks
                # What OCR was unsure of is in the source: the reader's to check whatever the English, whoever wrote it.
                yield dataclasses.replace(pair, checks=checks + (doubted or {}).get(segment.index, ()))
                next_segment += 1
        if repair is not None and (repair.spliced or repair.replaced):
            logger.info(
                "numbers: %d changed number(s) put right, %d sentence piece(s) decoded again to put one back",
                repair.replaced,
                repair.spliced,
            )
        if steering is not None and (steering.spliced or steering.replaced):
            logger.info(
                "glossary: %d rendering(s) replaced by a term's English, %d sentence piece(s) decoded again",
                steering.replaced,
                steering.spliced,
            )

    @staticmethod
    def _joined(
        pair: AlignedPair,
        pieces: list[_Piece],
        done: list[Hypothesis | None],
        details: list[TokenDetail | None],
        span: range,
    ) -> WordAlignment | None:
        """The alignment of a translated sentence, from the passes over its parts (usually one)."""
        parts: list[WordAlignment | None] = []
        for i in span:
            hypothesis, detail = done[i], details[i]
            if hypothesis is None or detail is None:
                return None
            if len(span) == 1:
                return align_pair(pair.source, pair.target, detail)
            parts.append(align_pair(pieces[i].text, hypothesis.text, detail))
        return join_alignments(pair.source, pair.target, parts)


def missing_in(glossary: Glossary, pair: AlignedPair) -> bool:
    """Whether ``pair``'s English lacks the English of a term of ``glossary`` found in its source."""
    return not all(use.applied for use in glossary.report(pair.source, pair.target))


def _pair(segment: Segment, hypotheses: list[Hypothesis], *, edited: bool = False, target: str = "") -> AlignedPair:
    return AlignedPair(
        index=segment.index,
        paragraph=segment.paragraph,
        source=segment.text,
        target=target or " ".join(h.text for h in hypotheses if h.text),
        start=segment.start,
        end=segment.end,
        pieces=len(hypotheses),
        truncated=any(h.truncated for h in hypotheses),
        edited=edited,
        repetitive=any(h.repetitive for h in hypotheses),
    )


def _doubted(segments: list[Segment], doubts: tuple[Doubt, ...]) -> dict[int, tuple[Check, ...]]:
    """The ``ocr`` checks of each sentence (by index): the doubts of the text read that fall inside it."""
    found: dict[int, tuple[Check, ...]] = {}
    starts = [s.start for s in segments]
    for doubt in doubts:
        k = bisect.bisect_right(starts, doubt.start) - 1
        if k >= 0 and doubt.start < segments[k].end:
            where = (doubt.start - segments[k].start, min(doubt.end, segments[k].end) - segments[k].start)
            index = segments[k].index
            found[index] = (*found.get(index, ()), Check(OCR, doubt.detail, where))
    return found


def _copied(segment: Segment, aligning: bool) -> AlignedPair:
    """The pair of a sentence with no Arabic: its English is itself, each word aligned to itself."""
    return AlignedPair(
        index=segment.index,
        paragraph=segment.paragraph,
        source=segment.text,
        target=segment.text,
        start=segment.start,
        end=segment.end,
        pieces=0,
        alignment=_identity(segment.text) if aligning else None,
        copied=True,
    )


def _identity(text: str) -> WordAlignment:
    """``text`` aligned to itself: every word to the same word (its formatting carried word for word)."""
    words = tuple(word_spans(text))
    return WordAlignment(words, words, tuple((k, k) for k in range(len(words))), (), None)


def _checked(hypothesis: Hypothesis, source: str) -> Hypothesis:
    return dataclasses.replace(hypothesis, repetitive=is_repetitive(hypothesis.text, source))


def _badness(hypothesis: Hypothesis) -> int:
    return int(hypothesis.truncated) + int(hypothesis.repetitive)
