"""Speed benchmark: tarjama's backends against the naive one-generate()-per-sentence baseline.

Runs every system on the same inputs in one go and reports sentences/s, output
tokens/s, load time, time to the first sentence, peak memory (RSS) and the
ratio of each to the naive baseline at the same beam size.

No download: unless ``--model DIR`` is given, it builds a MarianMT model with
random weights and the exact architecture of opus-mt-ar-en (``--big``:
opus-mt-tc-big-ar-en). Random weights would stop at arbitrary lengths, so every
system is forced to decode the same number of tokens (min = max new tokens):
the work is equal and only the speed differs. Each system runs in its own
process, so load times and peak memory are its own, and makes one short
untimed warm-up call after loading (first calls pay for one-off kernel setup);
the reader's cold start is measured separately, warm-up included. tarjama's
systems translate the text as ``tarjama translate FILE -o OUT`` does (full
batches only); their time to the first sentence is measured apart, in a
second, streamed translation as the reader asks for it (a small opening
batch for the first rows). One more
row runs the default path (CTranslate2 int8) with word alignment and scores on
(``--alignments``: one forced pass of the model over each translation), and
the table says what that costs.

Systems run interleaved (A B C, A B C, ...) for ``--rounds`` rounds (default
5: two runs of 3 rounds disagreed beyond their spreads on one ratio of six, two
of 5 agreed on every one), and each ratio to the baseline is the median of the per-round ratios, with
its min-max: on a shared machine load drifts, and a ratio of two runs minutes
apart measures the drift. Each round also times a whole ``tarjama translate``
process on one sentence (the console script, CTranslate2, model converted):
the cold start a user waits for. The CPU's instruction sets (AVX2, AVX-512,
VNNI) are printed with every table: int8 speed depends on them.

    python benchmarks/speed.py                 # 64 sentences, 5 rounds, about 25 minutes on 2 cores
    python benchmarks/speed.py --quick --json results.json
    python benchmarks/speed.py --archive       # 2,000 two-sentence files against one file of them

``--archive`` measures batching across files instead: a folder of 2,000
two-sentence files (``--archive-files``) translated as the CLI translates a
folder (consecutive files sharing batches), against one file holding the same
sentences, and against the folder translated one file at a time (each file in
batches of its own, as before cross-file batching), CTranslate2 int8, beam 4,
through the library calls ``tarjama translate`` makes, outputs written.

``--json FILE`` writes the list of systems (``name``, ``backend``, ``beam``,
``sent_per_s``, ``ratio_to_baseline``, ``load_s``, ``first_sentence_s``,
``peak_rss_mb`` and more); the translation-memory, reader and conversion
figures go beside it, in ``FILE`` with the suffix ``.extras.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from workload import SEED, build_model, child, cpu_description, make_inputs, peak_rss_mb, spread

ALIGNED = "tarjama ctranslate2 int8, --alignments"
"""The default path with word alignment and scores on: the row that shows what they cost."""

SYSTEMS = [
    # (name, backend, compute type)
    ("naive transformers, 1 generate() per sentence", "naive", "float32"),
    ("tarjama torch", "torch", "float32"),
    ("tarjama ctranslate2 int8", "ctranslate2", "int8"),
    ("tarjama ctranslate2 float32", "ctranslate2", "float32"),
    (ALIGNED, "ctranslate2", "int8"),
]


def run_system(args: argparse.Namespace) -> dict:
    """Measure one system in this process; called in a child process per system."""
    sentences = json.loads(Path(args.inputs).read_text(encoding="utf-8"))
    started = time.perf_counter()
    if args.backend == "naive":
        import torch
        from transformers import MarianMTModel, MarianTokenizer

        tokenizer = MarianTokenizer.from_pretrained(args.model)
        model = MarianMTModel.from_pretrained(args.model).eval()
        load = time.perf_counter() - started
        with torch.inference_mode():  # warm-up, not timed: first calls pay for one-off kernel setup
            model.generate(**tokenizer(sentences[:1], return_tensors="pt"), num_beams=args.beam, max_new_tokens=4)
        first = None
        begin = time.perf_counter()
        with torch.inference_mode():
            for sentence in sentences:
                batch = tokenizer([sentence], return_tensors="pt")
                model.generate(
                    **batch, num_beams=args.beam, min_new_tokens=args.new_tokens, max_new_tokens=args.new_tokens
                )
                first = first or time.perf_counter() - begin
        seconds = time.perf_counter() - begin
    else:
        from translate import TranslationOptions, Translator

        options = TranslationOptions(
            backend=args.backend,
            compute_type=args.compute_type,
            beam=args.beam,
            max_length=args.new_tokens + 1,
            retry=False,  # random weights never end a sentence: every one would be retried
            checks=False,  # nor write one to check: benchmarks/checks.py measures the checks on a real model
            alignments=args.system == ALIGNED,
        )
        translator = Translator(args.model, options)
        translator.backend.min_new_tokens = args.new_tokens
        load = time.perf_counter() - started
        translator.backend.translate_batch(sentences[:2])  # warm-up, not timed, as for the baseline
        begin = time.perf_counter()
        # As `tarjama translate FILE -o OUT` translates: full batches only (no opening batch for early rows).
        pairs, _ = translator.translate("\n".join(sentences), first_rows_early=False)
        count = 0
        for pair in pairs:
            count += 1
            assert (pair.alignment is not None) == options.alignments or not pair.target.strip()
        assert count == len(sentences), f"{count} pairs for {len(sentences)} sentences"
        seconds = time.perf_counter() - begin
        # The first row as the reader streams it (a small opening batch), timed on its own.
        start = time.perf_counter()
        streamed, _ = translator.translate("\n".join(sentences))
        next(streamed)
        first = time.perf_counter() - start
    return {
        "seconds": seconds,
        "load_s": load,
        "first_sentence_s": first,
        "sent_per_s": len(sentences) / seconds,
        "tokens_per_s": len(sentences) * args.new_tokens / seconds,
        "peak_rss_mb": peak_rss_mb(),
    }


def reader_first_row(model_dir: Path, new_tokens: int) -> dict:
    """Cold start in the reader: from a request on a fresh process to the first translated row on screen."""
    from translate import TranslationOptions
    from ui.handlers import Reader
    from ui.models import ModelPool

    pool = ModelPool(TranslationOptions(max_length=new_tokens + 1, retry=False, checks=False), local_dirs=[model_dir])
    reader = Reader(pool, downloads=Path(tempfile.mkdtemp(prefix="tarjama-bench-downloads-")))
    begin = time.perf_counter()
    for update in reader.translate_text(SEED.read_text(encoding="utf-8"), str(model_dir)):
        shown = "".join(part for part in update[2:4] if isinstance(part, str))  # the view, or a patch of rows
        if shown.count('class="tj-row') > shown.count("tj-pending"):  # a translated row
            return {"first_row_s": time.perf_counter() - begin, "backend": pool.get(str(model_dir)).backend.name}
    raise AssertionError("the reader showed no translated row")


def memory_speedup(model_dir: Path, new_tokens: int) -> dict:
    """Translate the seed article twice with a fresh translation memory; return both times."""
    from translate import TranslationOptions, Translator
    from translate.memory import TranslationMemory

    with tempfile.TemporaryDirectory() as folder:
        options = TranslationOptions(max_length=new_tokens + 1, retry=False, checks=False)
        translator = Translator(model_dir, options, memory=TranslationMemory(Path(folder) / "tm.db"))
        translator.backend.min_new_tokens = new_tokens  # the memory passes it to the model
        text = SEED.read_text(encoding="utf-8")
        times = []
        for _ in range(2):
            begin = time.perf_counter()
            translator.translate_text(text)
            times.append(time.perf_counter() - begin)
    return {
        "first_s": times[0],
        "second_s": times[1],
        "speedup": times[0] / times[1],
        "backend": translator.backend.name,
    }


def _tarjama_command(tree: Path | None) -> tuple[list[str], Path | None]:
    """The console script, or ``python -m translate`` run in another source tree (for before/after runs).

    In that tree's folder: ``-m`` puts the working folder first on the path, ahead of this
    project's editable install.
    """
    if tree is None:
        script = Path(sys.executable).with_name("tarjama")
        return ([str(script)] if script.exists() else [sys.executable, "-m", "translate"]), None
    return [sys.executable, "-m", "translate"], tree.resolve()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a smoke run in under a minute: 4 sentences, 16 tokens, beam 4, no CTranslate2 float32",
    )
    parser.add_argument("--json", type=Path, help="also write the results here as JSON")
    parser.add_argument("--model", type=Path, help="benchmark this MarianMT directory instead of a random one")
    parser.add_argument("--big", action="store_true", help="the opus-mt-tc-big-ar-en architecture")
    parser.add_argument("--sentences", type=int, help="how many sentences (default 64, 4 with --quick)")
    parser.add_argument("--source-tokens", type=int, help="source tokens per sentence (default 35; 20 with --archive)")
    parser.add_argument("--new-tokens", type=int, help="output tokens per sentence (default 40, 16 with --quick)")
    parser.add_argument("--beams", help="comma-separated beam sizes (default 1,4; 4 with --quick)")
    parser.add_argument("--rounds", type=int, help="interleaved rounds of every system (default 5; 3 with --quick)")
    parser.add_argument(
        "--baseline-tree",
        type=Path,
        metavar="DIR",
        help="also time the cold start of the tarjama source tree in DIR (an older checkout), interleaved",
    )
    parser.add_argument(
        "--archive",
        action="store_true",
        help="instead: a folder of two-sentence files against one file of the same sentences (cross-file batching)",
    )
    parser.add_argument("--archive-files", type=int, default=2000, help="files in the --archive folder (2000)")
    parser.add_argument("--system", help=argparse.SUPPRESS)  # internal: run one system in this process
    parser.add_argument("--backend", help=argparse.SUPPRESS)
    parser.add_argument("--compute-type", help=argparse.SUPPRESS)
    parser.add_argument("--beam", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--inputs", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.rounds = args.rounds or (3 if args.quick else 5)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    # Quiet transformers through the environment: importing it here would add its
    # memory to systems that never use it.
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    if args.system == "convert":
        from translate.ct2 import convert
        from translate.registry import resolve_model

        begin = time.perf_counter()
        convert(resolve_model(args.model), args.compute_type)
        print(json.dumps({"convert_s": time.perf_counter() - begin}))
        return 0
    if args.system == "reader":
        print(json.dumps(reader_first_row(args.model, args.new_tokens)))
        return 0
    if args.system:
        print(json.dumps(run_system(args)))
        return 0
    if args.archive:
        from archive import run_benchmark

        return run_benchmark(args)
    return _benchmark(args)


def _benchmark(args: argparse.Namespace) -> int:
    args.source_tokens = args.source_tokens or 35
    count = args.sentences or (4 if args.quick else 64)
    new_tokens = args.new_tokens or (16 if args.quick else 40)
    arch = "opus-mt-tc-big-ar-en" if args.big else "opus-mt-ar-en"
    cpu = cpu_description()
    # The random model is deterministic, so it is built once and kept with the user's caches.
    from translate.paths import cache_dir

    models = cache_dir() / "benchmark-models"
    with tempfile.TemporaryDirectory(prefix="tarjama-bench-") as scratch:
        scratch_dir = Path(scratch)
        os.environ["XDG_CACHE_HOME"] = str(scratch_dir / "cache")  # fresh CT2 conversions, no shared memory
        model_dir = args.model or models / arch
        if not args.model and not (model_dir / "config.json").is_file():
            build_model(model_dir, arch)
        inputs = make_inputs(model_dir, count, args.source_tokens)
        inputs_file = scratch_dir / "inputs.json"
        inputs_file.write_text(json.dumps(inputs, ensure_ascii=False), encoding="utf-8")
        beams = [int(b) for b in (args.beams or ("4" if args.quick else "1,4")).split(",")]
        systems = [
            (name, backend, compute_type)
            for name, backend, compute_type in SYSTEMS
            if not (
                backend == "ctranslate2" and (_missing("ctranslate2") or (args.quick and compute_type == "float32"))
            )
        ]
        # Convert for CTranslate2 once, in a process of its own, so that no measured
        # system pays for (or carries the memory of) the one-off conversion.
        conversions = {}
        for compute_type in sorted({c for _, b, c in systems if b == "ctranslate2"}):
            command = [sys.executable, __file__, "--system", "convert", "--model", str(model_dir)]
            conversions[compute_type] = child([*command, "--compute-type", compute_type], "conversion")["convert_s"]
        print(
            f"model: {args.model or arch + ' architecture, random weights'}; {count} sentences of about "
            f"{args.source_tokens} tokens; {new_tokens} output tokens each; {cpu['threads']} CPU threads; "
            f"{args.rounds} interleaved rounds",
            file=sys.stderr,
        )
        one_sentence = scratch_dir / "one.txt"
        one_sentence.write_text(inputs[0] + "\n", encoding="utf-8")
        starts = {"tarjama translate, this tree": _tarjama_command(None)}
        if args.baseline_tree:
            starts[f"tarjama translate, {args.baseline_tree}"] = _tarjama_command(args.baseline_tree)
        measured: dict[tuple[str, int], list[dict]] = {}
        cold: dict[str, list[float]] = {name: [] for name in starts}
        # Interleaved (A B C, A B C, ...): load on a shared machine drifts, and each round's
        # ratios compare systems measured moments apart.
        for round_number in range(args.rounds):
            for beam in beams:
                for name, backend, compute_type in systems:
                    command = [
                        sys.executable, __file__, "--system", name, "--backend", backend,
                        "--compute-type", compute_type, "--beam", str(beam), "--inputs", str(inputs_file),
                        "--model", str(model_dir), "--new-tokens", str(new_tokens),
                    ]  # fmt: skip
                    result = child(command, f"{name} (beam {beam})")
                    measured.setdefault((name, beam), []).append(result)
                    print(
                        f"  round {round_number + 1}: {name}, beam {beam}: {result['sent_per_s']:.2f} sentences/s",
                        file=sys.stderr,
                    )
            for name, (command, folder) in starts.items():
                # As many output tokens as the other systems decode: random weights never end a sentence.
                run = [*command, "translate", str(one_sentence), "--model", str(model_dir), "-q", "--no-cache"]
                run += ["--max-length", str(new_tokens + 1), "--no-retry"]
                cold[name].append(_cold_start_in(run, folder))
        results = _summarise(systems, beams, measured)
        memory = memory_speedup(model_dir, new_tokens)
        reader = child(
            [
                sys.executable,
                __file__,
                "--system",
                "reader",
                "--model",
                str(model_dir),
                "--new-tokens",
                str(new_tokens),
            ],
            "reader",
        )
    starts_summary = {name: spread(times) for name, times in cold.items()}
    print_table(results, memory, reader, cpu, starts_summary, args.rounds)
    for compute_type, seconds in conversions.items():
        print(f"CTranslate2 conversion ({compute_type}, once per model): {seconds:.1f} s")
    if args.json:
        for result in results:
            result.update(sentences=count, new_tokens=new_tokens)
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
        extras = {
            "cpu": cpu,
            "alignment_cost": alignment_costs(results),
            "rounds": args.rounds,
            "memory": memory,
            "reader": reader,
            "cold_start_s": starts_summary,
            "ctranslate2_conversion_s": conversions,
        }
        args.json.with_suffix(".extras.json").write_text(json.dumps(extras, indent=2), encoding="utf-8")
    return 0


def _cold_start_in(command: list[str], folder: Path | None) -> float:
    begin = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=folder)
    seconds = time.perf_counter() - begin
    if done.returncode != 0:
        raise SystemExit(f"cold start ({' '.join(command[:3])}) failed:\n{done.stderr}")
    return seconds


def _summarise(systems: list[tuple[str, str, str]], beams: list[int], measured: dict) -> list[dict]:
    """Per system and beam: medians over the rounds, and each ratio to the naive baseline per round."""
    results = []
    for beam in beams:
        baseline = measured[(SYSTEMS[0][0], beam)]
        for name, backend, compute_type in systems:
            rounds = measured[(name, beam)]
            ratios = [r["sent_per_s"] / b["sent_per_s"] for r, b in zip(rounds, baseline, strict=True)]
            rss_ratios = [r["peak_rss_mb"] / b["peak_rss_mb"] for r, b in zip(rounds, baseline, strict=True)]
            summary = {key: statistics.median(r[key] for r in rounds) for key in rounds[0]}
            ratio = spread(ratios)
            results.append(
                {
                    "name": name,
                    "backend": backend,
                    "compute_type": compute_type,
                    "beam": beam,
                    **summary,
                    "ratio_to_baseline": ratio["median"],
                    "ratio_min": ratio["min"],
                    "ratio_max": ratio["max"],
                    "rss_ratio_to_baseline": statistics.median(rss_ratios),
                    "rounds": rounds,
                }
            )
    return results


def alignment_costs(results: list[dict]) -> dict[int, dict]:
    """Per beam: the extra time --alignments takes on CTranslate2 int8, median of the per-round ratios."""
    costs = {}
    for aligned in (r for r in results if r["name"] == ALIGNED):
        plain = next(r for r in results if r["name"] == "tarjama ctranslate2 int8" and r["beam"] == aligned["beam"])
        extra = [p["sent_per_s"] / a["sent_per_s"] - 1 for p, a in zip(plain["rounds"], aligned["rounds"], strict=True)]
        costs[aligned["beam"]] = spread(extra)
    return costs


def print_table(
    results: list[dict], memory: dict, reader: dict, cpu: dict, starts: dict[str, dict], rounds: int
) -> None:
    forced = "".join(f", {k}={v}" for k, v in cpu["forced"].items())
    print(f"CPU: {cpu['model']}; {', '.join(cpu['isa']) or 'no AVX2'}{forced}; {cpu['threads']} threads")
    print(f"medians of {rounds} interleaved rounds; × naive: median of per-round ratios [min-max]")
    header = (
        f"{'system':<48} {'beam':>4} {'sent/s':>8} {'tok/s':>8} {'× naive':>8} {'[min-max]':>13} "
        f"{'load s':>7} {'first s':>8} {'RSS MB':>7}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        spread = f"[{r['ratio_min']:.1f}-{r['ratio_max']:.1f}]"
        print(
            f"{r['name']:<48} {r['beam']:>4} {r['sent_per_s']:>8.2f} {r['tokens_per_s']:>8.0f} "
            f"{r['ratio_to_baseline']:>7.1f}× {spread:>13} {r['load_s']:>7.2f} {r['first_sentence_s']:>8.2f} "
            f"{r['peak_rss_mb']:>7.0f}"
        )
    for beam, cost in alignment_costs(results).items():
        print(
            f"word alignment and scores (--alignments) on CTranslate2 int8, beam {beam}: "
            f"{cost['median']:+.0%} time [{cost['min']:+.0%} to {cost['max']:+.0%}]"
        )
    print()
    for name, times in starts.items():
        print(
            f"cold start, one sentence, whole process ({name}; CTranslate2, converted model): "
            f"{times['median']:.2f} s [{times['min']:.2f}-{times['max']:.2f}]"
        )
    print(
        f"translation memory, seed article ({memory['backend']}): first {memory['first_s']:.2f} s, "
        f"second {memory['second_s']:.3f} s, {memory['speedup']:.0f}× faster"
    )
    print(f"reader, cold start to first translated row ({reader['backend']}): {reader['first_row_s']:.2f} s")


def _missing(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is None


if __name__ == "__main__":
    raise SystemExit(main())
