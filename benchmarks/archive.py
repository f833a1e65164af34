"""The archive row of the speed benchmark: batching across files (``python benchmarks/speed.py --archive``).

A folder of 2,000 two-sentence files (``--archive-files``) is translated as
the CLI translates a folder (consecutive files sharing batches), against one
file holding the same sentences, and against the folder translated one file
at a time (each file in batches of its own, as before cross-file batching):
CTranslate2 int8, beam 4, through the library calls ``tarjama translate``
makes, outputs written. Each layout runs in a process of its own, interleaved
for ``--rounds`` rounds; the ratios to one file are medians of per-round ratios.
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

from workload import build_model, child, cpu_description, make_inputs, spread

ARCHIVE_LAYOUTS = {
    "one file": "one file holding every sentence",
    "folder": "folder, files sharing batches (tarjama translate DIR)",
    "folder, one file at a time": "folder, one file at a time (before)",
}


def run_archive(args: argparse.Namespace) -> dict:
    """Translate the archive in ``args.inputs`` in one layout, writing TSVs; called in a child process."""
    from translate import TranslationOptions, Translator
    from translate.documents import translate_documents
    from translate.files import atomic_output
    from translate.writers import write_tsv

    folder = Path(args.inputs)
    files = sorted((folder / "files").iterdir())
    out = Path(tempfile.mkdtemp(prefix="tarjama-bench-out-"))
    options = TranslationOptions(
        backend="ctranslate2",
        compute_type="int8",
        beam=args.beam,
        max_length=args.new_tokens + 1,
        retry=False,
        checks=False,  # random weights write no sentences to check (benchmarks/checks.py measures them)
    )
    translator = Translator(args.model, options)
    translator.backend.min_new_tokens = args.new_tokens
    translator.backend.translate_batch(["تجربة.", "تجربة أخرى."])  # warm-up, not timed
    begin = time.perf_counter()
    if args.layout == "one file":
        pairs, _ = translator.translate((folder / "all.txt").read_text(encoding="utf-8"), first_rows_early=False)
        with atomic_output(out / "all.tsv") as stream:
            count = write_tsv(pairs, stream)
    else:
        window = 1 if args.layout == "folder, one file at a time" else None  # 1: every file alone
        documents = ((path.name, path.read_text(encoding="utf-8")) for path in files)
        translated = translate_documents(translator, documents, **({"window": window} if window else {}))
        count = 0
        for document in translated:
            with atomic_output(out / (document.key + ".tsv")) as stream:
                count += write_tsv(document.pairs, stream)
    seconds = time.perf_counter() - begin
    return {"seconds": seconds, "sentences": count, "sent_per_s": count / seconds, "files": len(files)}


def archive_benchmark(args: argparse.Namespace, model_dir: Path, scratch: Path, cpu: dict) -> dict:
    """The cross-file batching row: every layout, interleaved for ``args.rounds`` rounds."""
    files = args.archive_files
    sentences = make_inputs(model_dir, 2 * files, args.source_tokens)
    folder = scratch / "archive"
    (folder / "files").mkdir(parents=True)
    for number in range(files):
        pair = sentences[2 * number : 2 * number + 2]
        (folder / "files" / f"{number:05d}.txt").write_text(" ".join(pair) + "\n", encoding="utf-8")
    (folder / "all.txt").write_text("\n".join(sentences) + "\n", encoding="utf-8")
    from translate.segment import count_sentences

    in_folder = sum(count_sentences(p.read_text(encoding="utf-8")) for p in (folder / "files").iterdir())
    in_one = count_sentences((folder / "all.txt").read_text(encoding="utf-8"))
    expected = {name: in_one if name == "one file" else in_folder for name in ARCHIVE_LAYOUTS}
    measured: dict[str, list[dict]] = {name: [] for name in ARCHIVE_LAYOUTS}
    for round_number in range(args.rounds):
        for name in ARCHIVE_LAYOUTS:
            command = [
                sys.executable, __file__, "--layout", name, "--inputs", str(folder), "--model", str(model_dir),
                "--new-tokens", str(args.new_tokens), "--beam", "4",
            ]  # fmt: skip
            result = child(command, name)
            # Every layout gives each sentence of its own text one pair (a file's two sentences may
            # segment as one: the folder can hold a few sentences fewer than the one-per-line file).
            assert result["sentences"] == expected[name], (name, result, expected)
            measured[name].append(result)
            print(f"  round {round_number + 1}: {name}: {result['sent_per_s']:.2f} sentences/s", file=sys.stderr)
    one = measured["one file"]
    summary = {}
    for name, rounds in measured.items():
        ratio = spread([r["sent_per_s"] / o["sent_per_s"] for r, o in zip(rounds, one, strict=True)])
        summary[name] = {"sent_per_s": statistics.median(r["sent_per_s"] for r in rounds), "ratio_to_one_file": ratio}
    forced = "".join(f", {k}={v}" for k, v in cpu["forced"].items())
    print(f"CPU: {cpu['model']}; {', '.join(cpu['isa']) or 'no AVX2'}{forced}; {cpu['threads']} threads")
    print(
        f"{files} files of 2 sentences (about {args.source_tokens} source tokens, {args.new_tokens} output tokens "
        f"each), CTranslate2 int8, beam 4; medians of {args.rounds} interleaved rounds"
    )
    header = f"{'layout':<56} {'sent/s':>8} {'× one file':>11} {'[min-max]':>13}"
    print(header)
    print("-" * len(header))
    for name, row in summary.items():
        ratio = row["ratio_to_one_file"]
        print(
            f"{ARCHIVE_LAYOUTS[name]:<56} {row['sent_per_s']:>8.2f} {ratio['median']:>10.0%} "
            f"{'[' + format(ratio['min'], '.0%') + '-' + format(ratio['max'], '.0%') + ']':>13}"
        )
    return {"cpu": cpu, "files": files, "rounds": args.rounds, "layouts": summary}


def run_benchmark(args: argparse.Namespace) -> int:
    """The archive table, for ``speed.py --archive``'s arguments."""
    from translate.paths import cache_dir

    args.new_tokens = args.new_tokens or (8 if args.quick else 20)
    args.source_tokens = args.source_tokens or 20  # news sentences, shorter than the main table's
    model_dir = args.model or cache_dir() / "benchmark-models" / "opus-mt-ar-en"
    with tempfile.TemporaryDirectory(prefix="tarjama-bench-") as scratch:
        os.environ["XDG_CACHE_HOME"] = str(Path(scratch) / "cache")  # fresh conversion, no shared memory
        if not args.model and not (model_dir / "config.json").is_file():
            build_model(model_dir, "opus-mt-ar-en")
        results = archive_benchmark(args, model_dir, Path(scratch), cpu_description())
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


def main(argv: list[str] | None = None) -> int:
    """A layout in this process (a child of :func:`run_benchmark`)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layout", choices=list(ARCHIVE_LAYOUTS), required=True)
    parser.add_argument("--inputs", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--new-tokens", type=int, required=True)
    parser.add_argument("--beam", type=int, default=4)
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    print(json.dumps(run_archive(args)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
