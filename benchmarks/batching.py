"""Batch size and CTranslate2 compute type on this CPU: the measurements behind the defaults.

Runs CTranslate2 at each compute type (int8, int8_float32, int16 where the
CPU supports it) and each batch size (sentences per batch, with a token budget
that never binds), at beam 1 and beam 4, each in a process of its own, for
``--rounds`` interleaved rounds, and prints sentences/s and peak RSS (medians)
beside the CPU's instruction sets. Same model and inputs as
``benchmarks/speed.py`` (random weights, forced output length, no download).

    python benchmarks/batching.py                       # about 10 minutes on 2 cores
    python benchmarks/batching.py --sizes 12,64 --json sweep.json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from workload import build_model, child, cpu_description, make_inputs, peak_rss_mb


def run_one(args: argparse.Namespace) -> dict:
    """One configuration in this process (a child)."""
    from translate import TranslationOptions, Translator

    sentences = json.loads(Path(args.inputs).read_text(encoding="utf-8"))
    options = TranslationOptions(
        backend="ctranslate2",
        compute_type=args.compute_type,
        beam=args.beam,
        batch_size=args.size,
        batch_tokens=args.size * 256,  # never binds: the sentence count is what is measured
        max_length=args.new_tokens + 1,
        retry=False,
        checks=False,
    )
    translator = Translator(args.model, options)
    translator.backend.min_new_tokens = args.new_tokens
    translator.backend.translate_batch(sentences[:2])  # warm-up, not timed
    begin = time.perf_counter()
    pairs, _ = translator.translate("\n".join(sentences), first_rows_early=False)  # as the CLI does
    count = sum(1 for _ in pairs)
    seconds = time.perf_counter() - begin
    assert count == len(sentences), f"{count} pairs for {len(sentences)} sentences"
    return {"sent_per_s": len(sentences) / seconds, "peak_rss_mb": peak_rss_mb()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="12,32,64,128", help="sentences per batch (default 12,32,64,128)")
    parser.add_argument("--beams", default="1,4")
    parser.add_argument("--compute-types", default="int8,int8_float32,int16")
    parser.add_argument("--sentences", type=int, default=128)
    parser.add_argument("--source-tokens", type=int, default=35)
    parser.add_argument("--new-tokens", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--model", type=Path, help="a MarianMT directory (default: random opus-mt-ar-en weights)")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--inputs", help=argparse.SUPPRESS)
    parser.add_argument("--compute-type", help=argparse.SUPPRESS)
    parser.add_argument("--beam", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    if args.child:
        print(json.dumps(run_one(args)))
        return 0
    import ctranslate2

    from translate.paths import cache_dir

    supported = ctranslate2.get_supported_compute_types("cpu")
    types = [t for t in args.compute_types.split(",") if t in supported]
    sizes = [int(s) for s in args.sizes.split(",")]
    beams = [int(b) for b in args.beams.split(",")]
    model_dir = args.model or cache_dir() / "benchmark-models" / "opus-mt-ar-en"
    if not args.model and not (model_dir / "config.json").is_file():
        build_model(model_dir, "opus-mt-ar-en")
    cpu = cpu_description()
    measured: dict[tuple[str, int, int], list[dict]] = {}
    with tempfile.TemporaryDirectory(prefix="tarjama-batching-") as scratch:
        inputs = Path(scratch) / "inputs.json"
        inputs.write_text(json.dumps(make_inputs(model_dir, args.sentences, args.source_tokens)), encoding="utf-8")
        for round_number in range(args.rounds):
            for beam in beams:
                for compute_type in types:
                    for size in sizes:
                        command = [
                            sys.executable, __file__, "--child", "--inputs", str(inputs), "--model", str(model_dir),
                            "--compute-type", compute_type, "--beam", str(beam), "--size", str(size),
                            "--new-tokens", str(args.new_tokens),
                        ]  # fmt: skip
                        result = child(command, f"{compute_type} beam {beam} {size}/batch")
                        measured.setdefault((compute_type, beam, size), []).append(result)
                        print(
                            f"  round {round_number + 1}: {compute_type} beam {beam} {size}/batch: "
                            f"{result['sent_per_s']:.2f} sent/s, {result['peak_rss_mb']:.0f} MB",
                            file=sys.stderr,
                        )
    forced = "".join(f", {k}={v}" for k, v in cpu["forced"].items())
    print(f"CPU: {cpu['model']}; {', '.join(cpu['isa']) or 'no AVX2'}{forced}; {cpu['threads']} threads")
    print(f"CTranslate2 supports on this CPU: {', '.join(sorted(supported))}")
    print(
        f"{args.sentences} sentences of about {args.source_tokens} tokens, {args.new_tokens} output tokens; "
        f"medians of {args.rounds} interleaved rounds; sentences/s (peak RSS MB)"
    )
    rows = []
    for beam in beams:
        print(f"beam {beam}: " + "".join(f"{f'{s}/batch':>18}" for s in sizes))
        for compute_type in types:
            cells = []
            for size in sizes:
                runs = measured[(compute_type, beam, size)]
                speed = statistics.median(r["sent_per_s"] for r in runs)
                rss = statistics.median(r["peak_rss_mb"] for r in runs)
                rows.append({"compute_type": compute_type, "beam": beam, "size": size, "sent_per_s": speed,
                             "peak_rss_mb": rss, "rounds": runs})  # fmt: skip
                cells.append(f"{speed:>10.2f} ({rss:>4.0f})")
            print(f"  {compute_type:<13}" + "".join(f"{c:>18}" for c in cells))
    if args.json:
        args.json.write_text(json.dumps({"cpu": cpu, "supported": sorted(supported), "rows": rows}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
