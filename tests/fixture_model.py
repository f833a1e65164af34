"""Build a tiny but real MarianMT model that memorises a fixed set of translations.

No machine that runs the tests can download model weights, so the tests make
their own: two sentencepiece models, a joint ``vocab.json``, a small
``MarianConfig``, trained until greedy *and* beam search reproduce every fixture
translation exactly. The result is saved with ``save_pretrained`` and loaded by
the tests through the same ``--model DIR`` path users take.
"""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

DATA = Path(__file__).parent / "data"
SEED_ARTICLE = Path(__file__).parent.parent / "seeds" / "khan-tuman.ar.txt"


def _lines(name: str) -> list[str]:
    return (DATA / name).read_text(encoding="utf-8").splitlines()


def seed_sentences() -> list[tuple[str, str]]:
    """The seed article's 12 sentences with our own English translations."""
    ar, en = _lines("seed_sentences.ar.txt"), _lines("seed_sentences.en.txt")
    assert len(ar) == len(en) == 12
    return list(zip(ar, en, strict=True))


def fixture_pairs() -> list[tuple[str, str]]:
    """Every (Arabic, English) pair the fixture model memorises."""
    extra = [tuple(line.split("\t")) for line in _lines("extra_pairs.tsv") if line]
    return seed_sentences() + [(a, e) for a, e in extra]


def _train_spm(sentences: list[str], path: Path, vocab_size: int) -> None:
    import sentencepiece as spm

    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(sentences),
        model_writer=model,
        vocab_size=vocab_size,
        hard_vocab_limit=False,
        character_coverage=1.0,
        model_type="unigram",
        normalization_rule_name="nmt_nfkc",
        minloglevel=2,
    )
    path.write_bytes(model.getvalue())


def _write_vocab(out: Path) -> int:
    import sentencepiece as spm

    pieces: dict[str, int] = {"</s>": 0, "<unk>": 1}
    for name in ("source.spm", "target.spm"):
        sp = spm.SentencePieceProcessor(model_file=str(out / name))
        for i in range(sp.get_piece_size()):
            piece = sp.id_to_piece(i)
            if piece not in ("<unk>", "<s>", "</s>") and piece not in pieces:
                pieces[piece] = len(pieces)
    pieces["<pad>"] = len(pieces)
    (out / "vocab.json").write_text(json.dumps(pieces, ensure_ascii=False), encoding="utf-8")
    return pieces["<pad>"]


def _zero_pad_row(model, pad_id: int) -> None:
    # Real opus-mt checkpoints keep the <pad> row (the decoder start token, tied
    # to the output layer) at zero; CTranslate2 relies on it.
    import torch

    with torch.no_grad():
        model.get_input_embeddings().weight[pad_id].zero_()


def _memorised(model, tokenizer, sources: list[str], targets: list[str]) -> bool:
    import torch

    model.eval()
    enc = tokenizer(sources, return_tensors="pt", padding=True)
    with torch.inference_mode():
        for beams in (1, 4):
            out = model.generate(**enc, num_beams=beams, max_length=512)
            if tokenizer.batch_decode(out, skip_special_tokens=True) != targets:
                model.train()
                return False
    model.train()
    return True


def build_fixture_model(out: Path, *, max_steps: int = 3000, seed: int = 0) -> Path:
    """Train and save the fixture model into ``out``; raise if it fails to memorise."""
    import torch
    from transformers import GenerationConfig, MarianConfig, MarianMTModel, MarianTokenizer

    from translate.normalize import normalize_for_model

    started = time.monotonic()
    torch.manual_seed(seed)
    pairs = fixture_pairs()
    sources = [normalize_for_model(a) for a, _ in pairs]
    targets = [e for _, e in pairs]

    out.mkdir(parents=True, exist_ok=True)
    _train_spm(sources, out / "source.spm", 400)
    _train_spm(targets, out / "target.spm", 400)
    pad_id = _write_vocab(out)
    tokenizer = MarianTokenizer(str(out / "source.spm"), str(out / "target.spm"), str(out / "vocab.json"))

    config = MarianConfig(
        vocab_size=pad_id + 1,
        d_model=128,
        encoder_layers=2,
        decoder_layers=2,
        encoder_attention_heads=4,
        decoder_attention_heads=4,
        encoder_ffn_dim=256,
        decoder_ffn_dim=256,
        max_position_embeddings=512,
        activation_function="swish",
        dropout=0.0,
        attention_dropout=0.0,
        activation_dropout=0.0,
        pad_token_id=pad_id,
        eos_token_id=0,
        decoder_start_token_id=pad_id,
        scale_embedding=True,
        share_encoder_decoder_embeddings=True,
    )
    model = MarianMTModel(config)
    for name, param in model.named_parameters():
        if "embed_positions" in name:
            # Static sinusoidal tables are not saved; training them would make
            # the reloaded model differ from the trained one.
            param.requires_grad_(False)
    _zero_pad_row(model, pad_id)

    batch = tokenizer(sources, text_target=targets, return_tensors="pt", padding=True)
    labels = batch["labels"].masked_fill(batch["labels"] == pad_id, -100)
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=3e-3, weight_decay=0.0)
    model.train()
    step = 0
    while True:
        step += 1
        loss = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], labels=labels).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        _zero_pad_row(model, pad_id)
        if step % 50 == 0 and loss.item() < 0.05 and _memorised(model, tokenizer, sources, targets):
            break
        if step >= max_steps:
            raise RuntimeError(f"fixture model did not memorise its pairs in {step} steps (loss {loss.item():.4f})")

    model.generation_config = GenerationConfig(
        bad_words_ids=[[pad_id]],
        bos_token_id=0,
        decoder_start_token_id=pad_id,
        eos_token_id=0,
        pad_token_id=pad_id,
        max_length=512,
        num_beams=4,
        renormalize_logits=True,
    )
    model.eval()
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    (out / "fixture.json").write_text(
        json.dumps({"steps": step, "seconds": round(time.monotonic() - started, 1), "loss": loss.item()}),
        encoding="utf-8",
    )
    return out
