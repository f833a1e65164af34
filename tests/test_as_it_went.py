"""Text comes back as it went: no Arabic never reaches the model; links, addresses and handles stay verbatim.

On the real fixture model (translator) and a real ``tarjama serve`` (LibreTranslate's ``/translate`` and
``/v1/translate``). The fixture model has never seen a URL: it drops every one, so what comes back
verbatim was put back by :mod:`translate.verbatim`.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Sequence
from pathlib import Path

import httpx
import pytest
from fixture_model import exact_model_args, seed_sentences
from recording import CountingBackend
from serving import Running, serving

from translate import TranslationOptions, Translator
from translate.cli import main
from translate.verbatim import VERBATIM

SEED = seed_sentences()
SHORT_AR, SHORT_EN = SEED[2]  # "So why all this fuss about Khan Tuman..."
TOKENS = ["https://example.com/news/1?id=5", "info@example.org", "@user@mastodon.social", "@user"]
NOT_ARABIC = ["Hello world, this is English.", "12345", "https://example.com/a?b=1.", "@user@mastodon.social"]


class Recording(CountingBackend):
    """The real backend, recording every text the model is asked about: to count, translate or explain."""

    def __init__(self, inner) -> None:
        super().__init__(inner)
        self.seen: list[str] = []

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        self.seen.extend(texts)
        return super().count_tokens(texts)

    def explain(self, sources: Sequence[str], targets: Sequence[str], pieces: Sequence[Sequence[str]] = ()):
        self.seen.extend(sources)
        return super().explain(sources, targets, pieces)

    def continue_batch(self, texts: Sequence[str], prefixes: Sequence[Sequence[str]]):
        self.seen.extend(texts)
        return super().continue_batch(texts, prefixes)

    def translate_batch(self, texts, controls=None):
        self.seen.extend(texts)
        return super().translate_batch(texts, controls)


def _with_token(token: str, at: int) -> str:
    words = SHORT_AR.split()
    return " ".join([*words[:at], token, *words[at:]])


@pytest.mark.parametrize("alignments", [False, True])
def test_a_sentence_without_arabic_never_reaches_the_model(translator: Translator, alignments: bool) -> None:
    recording = Recording(translator.backend)
    options = dataclasses.replace(translator.options, alignments=alignments)
    local = Translator(options=options, backend=recording)
    text = "\n".join(NOT_ARABIC) + f"\n{SHORT_AR}  Hello   again.\n١٢٣"
    pairs = local.translate_text(text)
    assert [p.source for p in pairs] == [*NOT_ARABIC, SHORT_AR, "Hello   again.", "١٢٣"]
    copied = [p for p in pairs if p.source != SHORT_AR]
    assert all(p.copied and p.target == p.source and not p.flagged and p.pieces == 0 for p in copied)
    (arabic,) = [p for p in pairs if p.source == SHORT_AR]
    assert arabic.target == SHORT_EN and not arabic.copied
    assert local.alternatives(copied[0].source, copied[0].target, 1) == []  # nothing else to offer
    assert recording.seen and all(t == SHORT_AR for t in recording.seen)  # the model saw the Arabic only
    if alignments:  # each word aligned to itself: formatting carried word for word
        hello = copied[0].alignment
        assert hello is not None and hello.links == tuple((k, k) for k in range(5))
        assert local.align(copied)[0] == hello


@pytest.mark.parametrize("token", TOKENS)
@pytest.mark.parametrize("at", [1, 6])
def test_a_link_address_or_handle_in_arabic_comes_back_verbatim(translator: Translator, token: str, at: int) -> None:
    text = _with_token(token, at)
    (pair,) = translator.translate_text(text)
    assert token in pair.target
    assert not any(c.kind == VERBATIM for c in pair.checks)
    # Put in where it belongs, and every word the model wrote kept as it wrote it.
    raw = Translator(options=dataclasses.replace(translator.options, repair=False), backend=translator.backend)
    (unrepaired,) = raw.translate_text(text)
    assert token not in unrepaired.target
    assert _words(pair.target.replace(token, " ")) == _words(unrepaired.target)


def _words(text: str) -> list[str]:
    return re.findall(r"[\w']+|[^\w\s]", text)


@pytest.mark.parametrize("token", TOKENS)
def test_without_repair_a_lost_link_is_flagged_never_silently_wrong(model_dir: Path, token: str) -> None:
    options = TranslationOptions(repair=False, backend="ctranslate2", compute_type="float32")
    (pair,) = Translator(model_dir, options).translate_text(_with_token(token, 3))
    assert token not in pair.target  # the fixture model drops it: what a model not trained on links does
    (check,) = [c for c in pair.checks if c.kind == VERBATIM]
    assert check.source is not None and pair.source[check.source[0] : check.source[1]] == token
    assert pair.flagged


@pytest.fixture(scope="module")
def server(model_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    log = tmp_path_factory.mktemp("serve") / "server.log"
    with serving(model_dir, "--no-cache", "--no-reader", log=log) as running:
        yield running


def _translate(server: Running, q, **fields) -> httpx.Response:
    body = {"q": q, "source": "ar", "target": "en", **fields}
    return httpx.post(server.url + "/translate", json=body, timeout=120)


def test_translate_gives_text_without_arabic_back_exactly_as_sent(server: Running) -> None:
    sent = [*NOT_ARABIC, "  spaced\tout  ", f"{SHORT_AR}  Hello   again.\n\n12345"]
    for fmt in ("text", "html"):
        got = _translate(server, sent[:-1], format=fmt).json()["translatedText"]
        assert got == sent[:-1]
    mixed = _translate(server, sent[-1]).json()["translatedText"]
    assert mixed == f"{SHORT_EN}  Hello   again.\n\n12345"
    others = _translate(server, sent[-1], alternatives=2).json()["alternatives"]
    assert others and all(other.endswith("  Hello   again.\n\n12345") for other in others)
    for text in NOT_ARABIC:  # one at a time too, as Mastodon sends a post
        assert _translate(server, text).json() == {"translatedText": text}


def test_translate_keeps_links_addresses_and_handles_of_arabic_text(server: Running) -> None:
    sent = [_with_token(token, 3) for token in TOKENS]
    got = _translate(server, sent).json()["translatedText"]
    assert all(token in english for token, english in zip(TOKENS, got, strict=True))


def test_v1_pairs_say_which_were_copied(server: Running) -> None:
    text = f"{SHORT_AR} See https://example.com/a."
    pairs = httpx.post(server.url + "/v1/translate", json={"text": text}, timeout=120).json()["pairs"]
    assert [(p["translation"]["en"], p["copied"]) for p in pairs] == [
        (SHORT_EN, False),
        ("See https://example.com/a.", True),
    ]
    assert pairs[1]["checks"] == [] and pairs[1]["alignment"] == "0-0 1-1"


MENTION = (
    '<span class="h-card" translate="no"><a href="https://m.s/@u" class="u-url mention">@<span>u</span></a></span>'
)


def test_a_mastodon_mention_keeps_its_spaces_and_itself(server: Running) -> None:
    words = SHORT_AR.split()
    tag = '<a href="https://m.s/tags/x" class="mention hashtag" rel="tag">#<span>x</span></a>'
    html = f"<p>{' '.join(words[:3])} {MENTION} {' '.join(words[3:])} {tag} {MENTION}</p>"
    (english,) = _translate(server, [html], format="html").json()["translatedText"]
    # After the English of the word before it (هذا: "this"), a space each side; the hashtag and the last
    # mention as they were (the hashtag a sentence of no Arabic: given back, its "#" outside its <span>).
    assert english == f"<p>So why all this {MENTION} fuss about Khan Tuman... {tag} {MENTION}</p>"


def test_the_cli_copies_what_is_not_arabic_and_reports_a_link_it_could_not_keep(
    model_dir: Path, tmp_path: Path, capsys
) -> None:
    source = tmp_path / "post.txt"
    source.write_text(f"Breaking:  see below.\n{_with_token(TOKENS[0], 3)}\n", encoding="utf-8")
    out = tmp_path / "post.jsonl"
    args = ["translate", str(source), "-o", str(out), *exact_model_args(model_dir), "--no-cache"]
    assert main([*args, "--no-repair"]) == 0
    err = capsys.readouterr().err
    assert "post.txt: 1 sentence(s) with a link, e-mail address or handle not as written (index 1)" in err
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert records[0]["translation"] == {"ar": "Breaking:  see below.", "en": "Breaking:  see below."}
    assert records[0]["copied"] is True and records[1]["copied"] is False
    assert main(args) == 0  # put back by default: nothing to report
    assert "not as written" not in capsys.readouterr().err
    assert TOKENS[0] in json.loads(out.read_text(encoding="utf-8").splitlines()[1])["translation"]["en"]
