"""The glossary on a model whose alignment head learned nothing (issue 34 §5).

Checkpoints vary: some were trained with guided alignment (opus-mt's
``transformer-align``), some not, and on those the word alignment points
anywhere. The fixture built with ``guided=False`` is such a model: it gives
the same English as the tests' usual fixture, but its alignment does not
delimit the name. The glossary must still put its English in, found from the
words of the translation, and never damage a sentence.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fixture_model import EXACT_COMPUTE_TYPE, name_pairs, seed_sentences

from translate import TranslationOptions, Translator
from translate.align import align_pair, alignment_from_links
from translate.glossary import Glossary
from translate.normalize import normalize_for_model
from translate.steer import Steering, rendering
from translate.types import GlossaryTerm

TOUMAN = GlossaryTerm("خان طومان", "Khan Touman")


@pytest.fixture(scope="module", params=["torch", "ctranslate2"])
def unguided(unguided_model_dir: Path, request: pytest.FixtureRequest):
    translator = Translator(
        unguided_model_dir, TranslationOptions(backend=request.param, compute_type=EXACT_COMPUTE_TYPE)
    )
    yield translator
    translator.glossary = None


def _article() -> list[tuple[str, str]]:
    news = [(p.arabic, p.english) for p in name_pairs()]
    return [news[0], seed_sentences()[3], news[1], news[2], news[4], seed_sentences()[2]]


def _alignment_finds_the_name(translator: Translator, arabic: str, english: str) -> bool:
    """Whether the word alignment alone delimits "Khan Tuman" in the model's ``english`` for ``arabic``."""
    source = normalize_for_model(arabic)
    (detail,) = translator._details([source], [english])
    alignment = align_pair(source, english, detail) if detail is not None else None
    if alignment is None:
        return False
    (match,) = Glossary([TOUMAN]).find(source)[:1]
    words = rendering(match, alignment, english, 0)
    if words is None:
        return False
    start, end = alignment.target_words[words[0]][0], alignment.target_words[words[1] - 1][1]
    return english[start:end].rstrip(".,") == "Khan Tuman"


def test_a_term_is_applied_where_the_alignment_cannot_say_where_the_name_is(unguided) -> None:
    article = _article()
    named = [(arabic, english) for arabic, english in article if "Khan Tuman" in english]
    assert len(named) == 4
    # What makes this model the case to test: its alignment delimits the name in two of the four at most,
    # so that three or more can only come from finding the name in the words (alone it put in 2, and
    # damaged 2: "The Khan Touman shelled Khan Tuman at night.", "… said that Khan Touman besieged.").
    assert sum(_alignment_finds_the_name(unguided, arabic, english) for arabic, english in named) <= 2
    unguided.glossary = Glossary([TOUMAN])
    pairs = unguided.translate_text("\n\n".join(arabic for arabic, _ in article))
    assert [p.index for p in pairs] == list(range(len(article)))  # every sentence, once, in order
    applied = 0
    for pair, (_, english) in zip(pairs, article, strict=True):
        if "Khan Tuman" not in english:
            assert pair.target == english and pair.terms == () and not pair.flagged
        elif all(t.applied for t in pair.terms):
            assert pair.target == english.replace("Khan Tuman", "Khan Touman")  # the name, and nothing else
            applied += 1
        else:  # never a damaged sentence: the model's English, the term flagged
            assert pair.target == english and pair.flagged
    assert applied >= 3


MARKET = GlossaryTerm("ذهب الرجل إلى السوق", "a gentleman visited the bazaar")
"""A term whose English is spelled nothing like the model's rendering of it ("the man went to the market")."""


def test_the_models_own_translation_of_a_term_finds_its_rendering_without_an_alignment(translator) -> None:
    """Found in the sentence as the model translates the term's Arabic on its own: no alignment, no spelling."""
    source, target = normalize_for_model("وذهب الرجل إلى السوق"), "and the man went to the market"
    assert translator.translate_text(source)[0].target == target
    glossary = Glossary([MARKET])
    (match,) = glossary.find(source)
    steering = Steering(translator.backend, glossary, translator._details)
    unaligned = alignment_from_links(source, target, [])  # the alignment says nothing
    assert rendering(match, unaligned, target, 0) is None
    assert steering._found(match, unaligned, target, 0) == (1, 7)  # "the man went to the market"
    assert steering.own == {MARKET.arabic: "the man went to the market"}
    assert steering._found(match, unaligned, target, 2) is None  # not before where the last splice ended
