"""What the benchmarks share: a random-weight model of a real architecture, inputs cut from the seed
article, and how a run is measured (the CPU, peak memory, one child process per measured system).
"""

from __future__ import annotations

import json
import os
import random
import resource
import statistics
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "khan-tuman.ar.txt"

ARCHITECTURES = {
    # opus-mt-ar-en: transformer-base Marian
    "opus-mt-ar-en": {"d_model": 512, "heads": 8, "ffn": 2048, "layers": 6, "vocab": 62834},
    # opus-mt-tc-big-ar-en: transformer-big Marian
    "opus-mt-tc-big-ar-en": {"d_model": 1024, "heads": 16, "ffn": 4096, "layers": 6, "vocab": 61109},
}


def build_model(out: Path, arch: str) -> Path:
    """A random-weight MarianMT with ``arch``'s shapes, plus a small real tokenizer for Arabic."""
    import io

    import sentencepiece as spm
    import torch
    from transformers import GenerationConfig, MarianConfig, MarianMTModel, MarianTokenizer

    shape = ARCHITECTURES[arch]
    out.mkdir(parents=True, exist_ok=True)
    text = SEED.read_text(encoding="utf-8").replace("،", " ").replace(".", " ").split()
    lines = [" ".join(text[i : i + 12]) for i in range(0, len(text), 12)]
    for name in ("source.spm", "target.spm"):
        buffer = io.BytesIO()
        spm.SentencePieceTrainer.train(
            sentence_iterator=iter(lines),
            model_writer=buffer,
            vocab_size=600,
            hard_vocab_limit=False,
            character_coverage=1.0,
            minloglevel=2,
        )
        (out / name).write_bytes(buffer.getvalue())
    pieces = {"</s>": 0, "<unk>": 1}
    sp = spm.SentencePieceProcessor(model_file=str(out / "source.spm"))
    for i in range(sp.get_piece_size()):
        pieces.setdefault(sp.id_to_piece(i), len(pieces))
    while len(pieces) < shape["vocab"] - 1:  # the real vocabulary's size, so the output layer costs the same
        pieces[f"<filler_{len(pieces)}>"] = len(pieces)
    pieces["<pad>"] = len(pieces)
    (out / "vocab.json").write_text(json.dumps(pieces, ensure_ascii=False), encoding="utf-8")
    pad = pieces["<pad>"]
    config = MarianConfig(
        vocab_size=shape["vocab"],
        d_model=shape["d_model"],
        encoder_layers=shape["layers"],
        decoder_layers=shape["layers"],
        encoder_attention_heads=shape["heads"],
        decoder_attention_heads=shape["heads"],
        encoder_ffn_dim=shape["ffn"],
        decoder_ffn_dim=shape["ffn"],
        max_position_embeddings=512,
        activation_function="swish",
        pad_token_id=pad,
        eos_token_id=0,
        decoder_start_token_id=pad,
        scale_embedding=True,
        share_encoder_decoder_embeddings=True,
    )
    torch.manual_seed(0)
    model = MarianMTModel(config).eval()
    with torch.no_grad():
        model.get_input_embeddings().weight[pad].zero_()
    model.generation_config = GenerationConfig(
        bad_words_ids=[[pad]],
        bos_token_id=0,
        decoder_start_token_id=pad,
        eos_token_id=0,
        pad_token_id=pad,
        max_length=512,
        num_beams=4,
        renormalize_logits=True,
    )
    model.save_pretrained(out)
    MarianTokenizer(str(out / "source.spm"), str(out / "target.spm"), str(out / "vocab.json")).save_pretrained(out)
    return out


def make_inputs(model_dir: Path, count: int, tokens: int) -> list[str]:
    """``count`` Arabic sentences of about ``tokens`` source tokens each, cut from the seed article."""
    from transformers import MarianTokenizer

    tokenizer = MarianTokenizer.from_pretrained(model_dir)
    words = SEED.read_text(encoding="utf-8").replace(".", "").replace("؟", "").split()
    rng = random.Random(0)
    sentences: list[str] = []
    while len(sentences) < count:
        start, size = rng.randrange(len(words) - 60), 4
        while len(tokenizer(" ".join(words[start : start + size]) + ".")["input_ids"]) < tokens:
            size += 1
        sentences.append(" ".join(words[start : start + size]) + ".")
    return sentences


def peak_rss_mb() -> float:
    """This process's peak resident memory. (``ru_maxrss`` would include the parent's, inherited at fork.)"""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_description() -> dict:
    """The CPU's model and the instruction sets that decide int8 speed and rounding (from /proc/cpuinfo)."""
    from translate.device import cpu_instruction_sets

    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name":
                model = value.strip()
                break
    except OSError:
        pass
    isa = cpu_instruction_sets()
    limits = ("CT2_FORCE_CPU_ISA", "ONEDNN_MAX_CPU_ISA", "ATEN_CPU_CAPABILITY", "MKL_ENABLE_INSTRUCTIONS")
    forced = {k: os.environ[k] for k in limits if os.environ.get(k)}
    return {"model": model, "isa": isa, "forced": forced, "threads": len(os.sched_getaffinity(0))}


def spread(values: list[float]) -> dict:
    """The median, min and max of ``values``, and the values."""
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "values": values}


def child(command: list[str], what: str) -> dict:
    """Run one measured system in a process of its own; its last line of output is its result, as JSON."""
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{what} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])
