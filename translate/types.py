"""The values that flow through tarjama: frozen dataclasses, nothing else.

This module imports nothing from the package, so every other module can use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Segment:
    """One source sentence: its position and its exact text.

    ``start``/``end`` are character offsets into the text that was segmented,
    so ``text == source[start:end]`` and everything between two segments is
    whitespace.
    """

    index: int
    paragraph: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Hypothesis:
    """A backend's translation of one piece of text."""

    text: str
    tokens: int
    truncated: bool = False
    """True when decoding stopped at the length limit instead of at end-of-sentence."""
    repetitive: bool = False
    """True when the text repeats itself in a way its source does not (a decoding loop)."""
    pieces: tuple[str, ...] = ()
    """The translation's pieces as the model produced them, end-of-sentence left out; empty when
    not known (a translation from the memory). Decoding them to text and splitting the text again
    does not always give the same pieces, so word alignment uses these where it can."""
    detail: TokenDetail | None = None
    """The pieces' log-probabilities and alignment-head attention, when the backend computed them
    while translating (CTranslate2 with ``TranslationOptions.alignments``); otherwise word
    alignment gets them from ``Backend.explain``."""
    remembered: bool = field(default=False, compare=False)
    """True when the translation memory gave it, not the model (a run's summary counts such sentences);
    not compared: the same English is the same translation, wherever it came from."""


@dataclass(frozen=True)
class TokenDetail:
    """A translation seen piece by piece: its log-probabilities and the alignment head's attention.

    It comes from a teacher-forced pass of the model over the translation
    (``Backend.explain``), or from the decoding itself where the backend can
    give it (CTranslate2).

    ``source`` holds the source pieces as the model read them, end-of-sentence
    last; ``target`` the translation's pieces (no end-of-sentence);
    ``log_probs[t]`` is the model's log-probability of ``target[t]``; and
    ``attention[t][s]`` is the weight from target piece ``t`` to source piece
    ``s`` in the first head of the last decoder layer, the head Marian's
    guided alignment trains (the attention at the step that predicts a piece
    aligns that piece).
    """

    source: tuple[str, ...]
    target: tuple[str, ...]
    log_probs: tuple[float, ...]
    attention: tuple[tuple[float, ...], ...]


@dataclass(frozen=True)
class DecodingControls:
    """How a second attempt at a translation differs from the first.

    For one that looped or ran to the length limit: ``no_repeat_ngram_size``
    forbids any run of that many output tokens from appearing twice (0: no
    such rule); ``repetition_penalty`` (above 1) makes tokens already produced
    less likely. For one that stopped before its sentence ended:
    ``exhaustive`` keeps the beam search going until no live beam can win,
    rather than stopping at the usual number of finished hypotheses.
    """

    no_repeat_ngram_size: int = 4
    repetition_penalty: float = 1.2
    exhaustive: bool = False


@dataclass(frozen=True)
class WordAlignment:
    """Which source word each word of a translation came from, and how sure the model was.

    Words are whitespace tokens, given as ``(start, end)`` character spans of
    the source sentence as written and of the translation. ``links`` are
    (source word, target word) index pairs, the Pharaoh convention;
    ``word_scores`` holds each target word's lowest piece log-probability and
    ``score`` the mean log-probability of the translation's ``pieces`` model
    pieces; both are empty/``None`` for links read back from a file that does
    not keep them (TSV).
    """

    source_words: tuple[tuple[int, int], ...]
    target_words: tuple[tuple[int, int], ...]
    links: tuple[tuple[int, int], ...]
    word_scores: tuple[float, ...]
    score: float | None
    pieces: int = 0


@dataclass(frozen=True)
class Alternative:
    """Another translation of a sentence, which departs from the current one at a chosen word.

    ``text`` is the whole sentence: the current English up to character
    ``start``, then the model's other choice (``word``) and what the model
    writes after it.
    """

    text: str
    start: int
    word: str


@dataclass(frozen=True)
class GlossaryTerm:
    """An Arabic term and the English it must always have (one line of a glossary)."""

    arabic: str
    english: str


@dataclass(frozen=True)
class TermUse:
    """A glossary term found in a source sentence, and where its English stands in the translation.

    ``source`` is the character span of the term in the source sentence as
    written; ``target`` the span of its English in the translation, or
    ``None`` when the translation does not have it (``applied`` is false: the
    pair is flagged).
    """

    arabic: str
    english: str
    source: tuple[int, int]
    target: tuple[int, int] | None
    applied: bool


@dataclass(frozen=True)
class Check:
    """Something a reader of the English cannot afford to miss, found in one pair (:mod:`translate.checks`).

    ``kind`` names the rule (``number``, ``untranslated``, ``dropped``,
    ``cut-short``, ``term``, ``name``, ``verbatim``); ``detail`` says what is wrong in
    words; ``source`` and ``target`` are the character spans it concerns in
    the Arabic sentence and in its English (``None``: no one place).
    """

    kind: str
    detail: str
    source: tuple[int, int] | None = None
    target: tuple[int, int] | None = None


@dataclass(frozen=True)
class Doubt:
    """``text[start:end]`` of a text read by OCR was read without confidence: a reader should check it on the scan."""

    start: int
    end: int
    detail: str


class ReadText(str):
    """A text read from a document, and the places in it that its reader doubts (OCR's unsure words).

    A ``str`` so that it goes wherever a document's text goes (the CLI, the
    reader, the Ray engine all pass text along as ``str``); the translator
    gives each doubt to the sentence it falls in as an ``ocr`` check. Any
    change to the text (a slice, a join) gives a plain ``str``: the doubts'
    offsets hold only for this text.
    """

    doubts: tuple[Doubt, ...]
    notes: tuple[str, ...]
    """What reading it could not do, a warning each (lines OCR left out), for the command to say."""

    def __new__(cls, text: str, doubts: tuple[Doubt, ...] = (), notes: tuple[str, ...] = ()) -> ReadText:
        made = super().__new__(cls, text)
        made.doubts = doubts
        made.notes = notes
        return made

    def __reduce__(self) -> tuple[type[ReadText], tuple[str, tuple[Doubt, ...], tuple[str, ...]]]:
        return ReadText, (str(self), self.doubts, self.notes)  # pickled whole (the Ray engine's workers)


@dataclass(frozen=True)
class NameSpelling:
    """One Arabic name that a document's English spells in more than one way.

    ``arabic`` is the name as the source most often writes it; ``spellings``
    each English spelling with how many times it was used, the most used
    first; ``sentences`` the indices of the pairs that name it.
    """

    arabic: str
    spellings: tuple[tuple[str, int], ...]
    sentences: tuple[int, ...]

    @property
    def majority(self) -> str:
        """The spelling used most (the first of the most used, on a tie)."""
        return self.spellings[0][0]

    def summary(self) -> str:
        """``خان طومان: Khan Tuman ×3, Khan Touman ×1``."""
        return f"{self.arabic}: " + ", ".join(f"{english} ×{n}" for english, n in self.spellings)


@dataclass(frozen=True)
class AlignedPair:
    """One source sentence and its translation.

    ``source`` is the sentence exactly as it stood in the input; ``target`` is
    the English. ``pieces`` counts how many parts a sentence too long for the
    model was translated in; ``truncated`` flags a translation cut off at the
    length limit; ``edited`` marks a target a person corrected. ``start``/``end``
    are offsets into the translated text, or ``None`` when the pair was read
    back from a file that does not keep them. ``alignment`` links the words of
    the two sentences and carries the model's confidence in the English, when
    it was asked for (``TranslationOptions.alignments``) and could be made.
    ``terms`` are the glossary terms found in the source, each with whether
    the translation carries its English; ``checks`` what the fidelity checks
    found wrong with the English (empty: nothing). ``copied`` marks a source
    with no Arabic to translate (English, a number, a bare link): it never
    went to the model, and its target is the source, byte for byte.
    """

    index: int
    paragraph: int
    source: str
    target: str
    start: int | None = None
    end: int | None = None
    pieces: int = 1
    truncated: bool = False
    edited: bool = False
    repetitive: bool = False
    alignment: WordAlignment | None = None
    terms: tuple[TermUse, ...] = ()
    checks: tuple[Check, ...] = ()
    copied: bool = False

    @property
    def flagged(self) -> bool:
        """Whether the translation is suspect: cut off, looping, missing a term's English, or failing a check."""
        return self.truncated or self.repetitive or not all(t.applied for t in self.terms) or bool(self.checks)

    @property
    def missing_terms(self) -> tuple[TermUse, ...]:
        """The glossary terms of the source whose English the translation does not carry."""
        return tuple(t for t in self.terms if not t.applied)

    @property
    def score(self) -> float | None:
        """The model's confidence in the English: mean log-probability of its pieces (``None``: not aligned)."""
        return self.alignment.score if self.alignment is not None else None


@dataclass(frozen=True)
class TranslationOptions:
    """Everything that shapes a translation run; passed down, never mutated.

    ``beam`` and ``max_length`` default to the model's own generation config.
    ``batch_size`` bounds sentences per batch and ``batch_tokens`` the padded
    source tokens per batch (sentences x longest sentence); by default the
    backend sizes both for speed within ``max_batch_memory`` MB of peak memory
    (default: the naive path's peak for the model's size; see
    :mod:`translate.sizing`). ``max_piece_tokens``
    bounds one model input; longer sentences are split at clause marks, then
    at spaces (default: the model's limit, capped at 256 for quality).
    ``backend`` is ``auto`` (CTranslate2 when installed, else torch),
    ``torch`` or ``ctranslate2``; ``compute_type`` is CTranslate2's precision
    (``auto``: int8 on CPU, float16 on CUDA); ``threads`` caps CPU threads
    (default: all cores). ``retry``: translate a piece again, once, with
    :class:`DecodingControls` when it looped or hit the length limit.
    ``alignments``: give each pair its word alignment and confidence
    (:class:`WordAlignment`), from one more forced pass of the model over it.
    ``repair``: put back a number the English lost or changed (through the
    word alignment, verified; see :mod:`translate.repair`). ``checks``: give
    each pair the fidelity checks' findings (:mod:`translate.checks`); off,
    nothing is checked or repaired.
    """

    beam: int | None = None
    max_length: int | None = None
    batch_size: int | None = None
    batch_tokens: int | None = None
    max_batch_memory: int | None = None
    max_piece_tokens: int | None = None
    device: str = "auto"
    backend: str = "auto"
    compute_type: str = "auto"
    threads: int | None = None
    retry: bool = True
    alignments: bool = False
    repair: bool = True
    checks: bool = True

    def __post_init__(self) -> None:
        for name in ("beam", "max_length", "max_piece_tokens", "threads", "batch_size", "batch_tokens"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"{name} must be at least 1, got {value}")
        if self.max_batch_memory is not None and self.max_batch_memory < 1:
            raise ValueError(f"max_batch_memory must be at least 1 MB, got {self.max_batch_memory}")
        if self.device not in ("auto", "cpu", "cuda") and not self.device.startswith("cuda:"):
            raise ValueError(f"device must be auto, cpu or cuda[:N], got {self.device!r}")
        if self.backend not in ("auto", "torch", "ctranslate2"):
            raise ValueError(f"backend must be auto, torch or ctranslate2, got {self.backend!r}")


@dataclass(frozen=True)
class TranslationInfo:
    """What ``Translator.translate`` knows before it translates anything.

    ``segments`` are the source sentences the pairs will follow, one pair each,
    so a caller can show the source before its translation arrives.
    """

    model: str
    revision: str | None
    backend: str
    device: str
    options: TranslationOptions
    sentences: int
    paragraphs: int
    pieces: int
    characters: int
    has_arabic: bool
    segments: tuple[Segment, ...] = ()
