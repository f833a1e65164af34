"""Pure rendering: sentences and pairs to HTML for the reader. Everything is escaped.

One row per source sentence, numbered: English, then Arabic, rows grouped by
paragraph. A row whose translation has not arrived yet shows its Arabic with a
placeholder. Text from the user or the model never becomes markup: it is
escaped, and each cell isolates its own bidirectional text.

The whole document is rendered when a translation starts and when it ends;
in between, :func:`render_patch` carries only the rows that changed, without
their Arabic, and the page's script (``static/reader.js``) puts them in place.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from itertools import groupby

from translate.align import LOW_SENTENCE_SCORE, LOW_WORD_LOGPROB, pharaoh
from translate.normalize import contains_arabic
from translate.types import (
    AlignedPair,
    Alternative,
    GlossaryTerm,
    NameSpelling,
    Segment,
    TermUse,
    WordAlignment,
)

_SCRIPT = "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff"
_ARABIC_RUN = re.compile(f"[{_SCRIPT}]+(?:[\\s\u200c\u200d\u2013\u2014()«»-]+[{_SCRIPT}]+)*")
"""Arabic words and what joins them inside one Arabic phrase (spaces, dashes, brackets), not digits or Latin."""
FIRST_STRONG_ISOLATE, POP_ISOLATE = "\u2068", "\u2069"


def message_html(text: str) -> str:
    """``text`` (a message that may name Arabic terms) escaped, each Arabic run in its own ``<bdi>``.

    Without it the bidirectional algorithm joins an Arabic word with the
    punctuation and numbers after it: "Removed ذات; 21 sentence(s)" shows as
    "Removed 21 ;ذات sentence(s)".
    """
    parts, at = [], 0
    for run in _ARABIC_RUN.finditer(text):
        parts += [escape(text[at : run.start()]), f'<bdi dir="rtl" lang="ar">{escape(run.group())}</bdi>']
        at = run.end()
    return "".join([*parts, escape(text[at:])])


def message_text(text: str) -> str:
    """:func:`message_html` for plain text (an attribute, a tooltip): each Arabic run between Unicode's
    isolate marks (FSI … PDI), which is what ``<bdi>`` does in markup."""
    return _ARABIC_RUN.sub(lambda run: FIRST_STRONG_ISOLATE + run.group() + POP_ISOLATE, text)


NOT_TRANSLATED = "not-translated"
"""The check a sentence of a stopped translation carries until it is translated (its English is empty)."""


def untranslated(pair: AlignedPair) -> bool:
    """Whether ``pair`` stands for a sentence that a stopped translation never reached."""
    return any(check.kind == NOT_TRANSLATED for check in pair.checks)


EMPTY_VIEW = (
    '<div class="tj-doc tj-empty"><p>Paste Arabic text, upload a file or give an article URL, '
    "then press <b>Translate</b>. Hover a sentence or a word to see its partner; click an English sentence "
    "to correct it.</p></div>"
)

TOOLBAR = (
    '<div class="tj-tools" role="toolbar" aria-label="View">'
    '<button type="button" data-tool="both" aria-pressed="true">Both</button>'
    '<button type="button" data-tool="en" aria-pressed="false">English only</button>'
    '<button type="button" data-tool="ar" aria-pressed="false">Arabic only</button>'
    '<button type="button" data-tool="swap" aria-pressed="false" '
    'title="Put the Arabic first: on the left, or above the English on a narrow screen">⇄ Swap sides</button>'
    '<button type="button" data-tool="copy">Copy English</button>'
    '<span class="tj-keys">Keys: Tab / Shift+Tab next / previous sentence · F8 / Shift+F8 next / previous '
    "with ⚠ or a low score · Enter done · Esc cancel · Alt+↓ alternatives</span>"
    '<span class="tj-tool-note" role="status"></span></div>'
)


def render_document(
    segments: Sequence[Segment], pairs: Mapping[int, AlignedPair], *, editable: bool = False, doc: str = ""
) -> str:
    """The aligned view: every segment as a row, translated where ``pairs`` has it.

    ``doc`` names this document for the page's script, which applies a patch
    only to the document it was made for. A document with rows still to come
    is ``aria-busy``.
    """
    if not segments:
        return EMPTY_VIEW
    busy = "true" if len(pairs) < len(segments) else "false"
    # tabindex -1: Translate hands the keyboard to the document (reader.js), from where Tab goes to sentence 1.
    head = f'<div class="tj-doc" lang="en" dir="ltr" data-doc="{escape(doc)}" aria-busy="{busy}" tabindex="-1"'
    parts = [f'{head} aria-label="Translation">', TOOLBAR]
    for paragraph, rows in groupby(segments, key=lambda s: s.paragraph):
        parts.append(f'<section class="tj-para" data-paragraph="{paragraph}">')
        parts.extend(_row(segment.index, pairs.get(segment.index), editable, segment.text) for segment in rows)
        parts.append("</section>")
    parts.append("</div>")
    return "".join(parts)


def render_patch(
    doc: str,
    pairs: Iterable[AlignedPair],
    *,
    editable: bool = False,
    seq: int = 0,
    final: bool = False,
    nonce: str = "",
) -> str:
    """Rows of document ``doc`` that changed, for the page's script to swap in; their Arabic is not resent.

    ``seq`` numbers the patches of one streaming translation from 1; the
    ``final`` one ends it (the document is no longer busy). A patch answering
    a correction has ``seq`` 0 and a ``nonce``, so that two alike in a row are
    still two updates.
    """
    rows = "".join(_row(pair.index, pair, editable, None) for pair in pairs)
    marks = f'data-doc="{escape(doc)}" data-seq="{seq}"'
    marks += ' data-final="true"' if final else ""
    marks += f' data-nonce="{escape(nonce)}"' if nonce else ""
    return f'<div class="tj-patch" {marks} hidden>{rows}</div>'


def _row(index: int, pair: AlignedPair | None, editable: bool, arabic: str | None) -> str:
    number = index + 1
    classes = ["tj-row"]
    if pair is None:
        classes.append("tj-pending")
        english = '<span class="tj-placeholder">…</span>'
    elif untranslated(pair):
        classes += ["tj-pending", "tj-untranslated", "tj-flagged"]
        english = '<span class="tj-placeholder">not translated</span>'
        editable = False
    else:
        english = (
            _english_words(pair.target, pair.alignment, judged=not pair.edited, terms=pair.terms)
            if pair.alignment
            else escape(pair.target)
        )
        if pair.edited:
            classes.append("tj-edited")
        if pair.flagged:
            classes.append("tj-flagged")
    # Rows are many (4,500 in a 2 MB article): attributes that the document already sets (lang, dir)
    # are inherited rather than repeated, and only an editable cell needs a label of its own.
    edit = (
        f' contenteditable="plaintext-only" spellcheck="true" role="textbox" aria-label="English, sentence {number}"'
        if editable and pair
        else ""
    )
    marks = ""
    if pair is not None and pair.flagged:  # a sentence not translated says why with a ⚠ too
        reason = escape(message_text(_flag_reason(pair)))
        marks += (
            f'<span class="tj-flag" id="tj-why-{index}" tabindex="0" role="img" aria-label="Warning: {reason}" '
            f'data-reason="{reason}">⚠</span>'
        )
        # A reviewer who moves from English to English hears, and sees, why this one is flagged.
        edit += f' aria-describedby="tj-why-{index}"' if edit else ""
    if editable and pair is not None and pair.edited:
        title = f"Revert sentence {number} to the machine translation"
        marks += f'<button type="button" class="tj-revert" title="{title}" aria-label="{title}">↺</button>'
    words = ""
    if pair is not None and pair.alignment is not None:
        if not pair.edited:  # a person's English is theirs: the model's confidence is shown for its own
            marks = _score_mark(pair.alignment) + marks
        spans = " ".join(f"{a}:{b}" for a, b in pair.alignment.source_words)
        words = f' data-links="{pharaoh(pair.alignment.links)}" data-sw="{spans}"'
    extras = f'<span class="tj-marks">{marks}</span>' if marks else ""
    source = "" if arabic is None else _source_cell(arabic)
    # The marks come before the English in the page's order (the style sheet still shows them after it):
    # Tab goes number, marks, English, and Tab in an English goes on to the next English (reader.js).
    return (
        f'<div class="{" ".join(classes)}" data-pair="{index}"{words} role="group" aria-label="Sentence {number}">'
        f'<button type="button" class="tj-num" aria-pressed="false">{number}</button>'
        f'{extras}<div class="tj-en"{edit}>{english}</div>{source}</div>'
    )


def _source_cell(text: str) -> str:
    """The source sentence's cell: right to left in an Arabic font, unless the sentence has no Arabic in it.

    Decided here, not by ``dir="auto"``: an Arabic sentence that opens with a Latin name ("BBC ...")
    would be laid out left to right by its first letter. A sentence with no Arabic (an English quote
    in an Arabic article) keeps its own order and the page's font.
    """
    if contains_arabic(text):
        return f'<div class="tj-ar" dir="rtl" lang="ar">{escape(text)}</div>'
    return f'<div class="tj-ar tj-not-ar" dir="ltr">{escape(text)}</div>'


def _english_words(text: str, alignment: WordAlignment, *, judged: bool, terms: Sequence[TermUse] = ()) -> str:
    """The English with each word in a span the page can light up; if ``judged``, low-confidence words marked.

    Words of a glossary term's English are marked as the glossary's, never as
    the model's doubt: the glossary chose them, not the model.
    """
    glossary = {}
    for term in terms:
        if term.target is not None:
            for i, (start, end) in enumerate(alignment.target_words):
                if term.target[0] <= start and end <= term.target[1] + 1:  # a word may carry punctuation after
                    glossary[i] = term
    parts, at = [], 0
    for i, (start, end) in enumerate(alignment.target_words):
        parts.append(escape(text[at:start]))
        word = escape(text[start:end])
        score = alignment.word_scores[i] if judged and i < len(alignment.word_scores) else None
        if i in glossary:
            title = escape(message_text(f"Glossary: {glossary[i].arabic} → {glossary[i].english}"))
            parts.append(f'<span class="tj-w tj-term" data-w="{i}" title="{title}">{word}</span>')
        elif score is not None and score < LOW_WORD_LOGPROB:
            title = f"Low confidence: the model gave this word a {_percent(score)} chance"
            parts.append(f'<span class="tj-w tj-low" data-w="{i}" title="{title}">{word}</span>')
        else:
            parts.append(f'<span class="tj-w" data-w="{i}">{word}</span>')
        at = end
    parts.append(escape(text[at:]))
    return "".join(parts)


def _score_mark(alignment: WordAlignment) -> str:
    """The sentence's confidence beside it: the model's mean probability per piece (geometric mean)."""
    if alignment.score is None:
        return ""
    low = alignment.score < LOW_SENTENCE_SCORE
    title = f"Model confidence {_percent(alignment.score)} (mean probability of its pieces)" + (
        ": low, check this sentence" if low else ""
    )
    classes = "tj-score tj-score-low" if low else "tj-score"
    return f'<span class="{classes}" title="{title}" aria-label="{title}">{_percent(alignment.score)}</span>'


def _percent(log_prob: float) -> str:
    return f"{math.exp(log_prob):.0%}"


def _flag_reason(pair: AlignedPair) -> str:
    """Every reason the row is flagged, one sentence each."""
    reasons = []
    if pair.truncated:
        reasons.append(
            "The model stopped at its length limit, even on a second try: this translation may be incomplete."
        )
    if pair.repetitive:
        reasons.append("The model repeated itself, even on a second try: check this translation against the Arabic.")
    reasons += [_CHECK_NAMES.get(c.kind, c.kind) + ": " + c.detail + "." for c in pair.checks]
    if pair.missing_terms and not any(c.kind == "term" for c in pair.checks):
        missing = "; ".join(f"{t.arabic} → {t.english}" for t in pair.missing_terms)
        reasons.append(f"The glossary's English is not in this translation ({missing}): correct it, or check the term.")
    return " ".join(reasons)


_CHECK_NAMES = {
    "number": "Number",
    "verbatim": "Link not as written",
    "untranslated": "Untranslated",
    "dropped": "Maybe dropped",
    "cut-short": "Cut short",
    "term": "Glossary term not applied",
    "name": "Name spelled two ways",
    NOT_TRANSLATED: "Not translated",
    "ocr": "Scan read unsure (check it on the scan)",
}


def render_alternatives(
    doc: str, index: int, word: int, alternatives: Sequence[Alternative], *, error: str = "", nonce: str = ""
) -> str:
    """The menu of other translations for word ``word`` of sentence ``index``, for the page's script to show.

    Each choice shows the model's other word and what it would write after
    it; the script puts the whole ``text`` in the sentence when one is chosen.
    """
    marks = f'data-doc="{escape(doc)}" data-pair="{index}" data-w="{word}" data-nonce="{escape(nonce)}"'
    if error:
        return f'<div class="tj-alts" {marks} data-error="{escape(error)}" hidden></div>'
    items = "".join(
        f'<button type="button" class="tj-alt" role="menuitem" data-text="{escape(a.text)}">'
        f'<b class="tj-alt-word">{escape(a.word)}</b>'
        f'<span class="tj-alt-rest">{escape(a.text[a.start + len(a.word) :])}</span></button>'
        for a in alternatives
    )
    return f'<div class="tj-alts" {marks} hidden>{items}</div>'


def render_glossary(terms: Sequence[GlossaryTerm], *, editable: bool, spellings: Sequence[NameSpelling] = ()) -> str:
    """The glossary's terms as a table; with ``editable``, each with a button that removes it.

    Above it, the names the article on screen spells more than one way, each
    with a button that uses its most used spelling everywhere.
    """
    names = _render_spellings(spellings, editable=editable)
    if not terms:
        return names + '<p class="tj-glossary-empty">No terms yet.</p>'
    rows = "".join(
        f'<tr><td dir="rtl" lang="ar">{escape(t.arabic)}</td><td>{escape(t.english)}</td>'
        + (
            f'<td><button type="button" class="tj-term-remove" data-arabic="{escape(t.arabic)}" '
            f'aria-label="Remove {escape(t.arabic)} from the glossary">✕</button></td>'
            if editable
            else ""
        )
        + "</tr>"
        for t in terms
    )
    head = "<thead><tr><th>Arabic</th><th>English</th></tr></thead>"
    return f'{names}<table class="tj-glossary">{head}<tbody>{rows}</tbody></table>'


def _render_spellings(spellings: Sequence[NameSpelling], *, editable: bool) -> str:
    if not spellings:
        return ""
    where = "everywhere" if editable else "everywhere in this article"
    items = "".join(
        f'<li><span dir="rtl" lang="ar">{escape(s.arabic)}</span>: '
        + ", ".join(f"{escape(english)} ×{n}" for english, n in s.spellings)
        + f' <button type="button" class="tj-name-use" data-arabic="{escape(s.arabic)}" '
        f'data-english="{escape(s.majority)}">Use <b>{escape(s.majority)}</b> {where}</button></li>'
        for s in spellings
    )
    return (
        '<div class="tj-names"><p class="tj-names-head">Names this article spells more than one way:</p>'
        f"<ul>{items}</ul></div>"
    )


def render_status(
    done: int,
    total: int,
    *,
    seconds: float | None = None,
    note: str = "",
    saved: Mapping[int, str] | None = None,
    checks: int = 0,
    warnings: Sequence[str] = (),
) -> str:
    """A progress line: ``<progress>`` plus "done / total sentences", and how many sentences have checks (⚠);
    then ``warnings`` (what reading and writing the document back could not do), a line each.

    ``saved`` (sentence index -> corrected English) is every correction the
    server holds, as JSON in ``data-saved``: the page's script compares it with
    the corrections it sent and shows each as saved only once it is there.
    """
    if total == 0:
        return f'<div class="tj-status">{message_html(note)}</div>' if note else '<div class="tj-status"></div>'
    timing = f" · {seconds:.1f} s" if seconds is not None else ""
    timing += f' · <span class="tj-checks">Checks: {checks} ⚠</span>' if checks else ""
    extra = f" · {message_html(note)}" if note else ""
    data = f' data-saved="{escape(json.dumps(saved, ensure_ascii=False))}"' if saved is not None else ""
    said = "".join(f'<div class="tj-warning">⚠ {message_html(line)}</div>' for line in warnings)
    return (
        f'<div class="tj-status" role="status"{data}>'
        f'<progress value="{done}" max="{total}"></progress> '
        f'<span class="tj-count">{done} / {total} sentences</span>{timing}{extra}{said}</div>'
    )


def render_error(message: str) -> str:
    """A one-line problem report shown in place of the status."""
    return f'<div class="tj-status tj-error" role="alert">⚠ {message_html(message)}</div>'
