"""What fidelity costs: the checks and repairs over translation with alignments, and CTranslate2's search patience.

``python benchmarks/checks.py --model DIR`` needs a model that really
translates (the random-weight model of ``speed.py`` writes no sentences for
the checks to read, and is forced to a fixed length, where a beam search's
stopping rule never comes into play): ``opus-mt-ar-en`` downloaded, or the
test suite's fixture model (``TARJAMA_TEST_MODEL_CACHE`` keeps it). The
fixture is tiny, so the model's share of the time is far smaller than
opus-mt's and the checks' share an upper bound.

Two measurements, each in one process, interleaved for ``--rounds`` rounds:

1. **Checks**: the seed article (``--repeat`` copies, with every number of a
   copy changed so that the number repair has work to do) translated with
   ``TranslationOptions(alignments=True)`` and ``checks`` off and on.
2. **Patience**: CTranslate2's beam search alone (beam 4) at patience 1,
   tarjama's :data:`translate.ct2.PATIENCE` and 2, on the seed sentences with
   a word added (sentences the fixture model never saw).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import statistics
import sys
import time
from functools import partial
from pathlib import Path

from workload import cpu_description

SEED = Path(__file__).resolve().parent.parent / "seeds" / "khan-tuman.ar.txt"


def _article(repeat: int) -> str:
    text = SEED.read_text(encoding="utf-8")
    # Copies with other numbers, which the model did not learn: its English keeps the article's numbers,
    # and the repair puts them right.
    copies = [re.sub(r"\d+", partial(_shifted, by=k), text) for k in range(repeat)]
    return "\n\n".join(copies)


def _shifted(match: re.Match[str], by: int) -> str:
    return str(int(match.group()) + by)


def _variants() -> list[str]:
    from translate.normalize import normalize_for_model
    from translate.segment import segment_text

    seeds = [normalize_for_model(s.text) for s in segment_text(SEED.read_text(encoding="utf-8"))]
    return [s.rstrip(".؟?") + " " + extra for s in seeds for extra in ("لكن.", "في حلب.", "قال.")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True, help="a local model directory")
    parser.add_argument("--compute-type", default="int8", help="CTranslate2 precision (default int8)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=4, help="copies of the seed article (default 4)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)

    from translate import TranslationOptions, Translator
    from translate.ct2 import PATIENCE

    article = _article(args.repeat)
    options = TranslationOptions(backend="ctranslate2", compute_type=args.compute_type, alignments=True)
    systems = {
        "alignments, no checks": Translator(args.model, dataclasses.replace(options, checks=False)),
        "alignments and checks": Translator(args.model, options),
    }
    times: dict[str, list[float]] = {name: [] for name in systems}
    found: dict[str, int] = {}
    for _ in range(args.rounds):
        for name, translator in systems.items():
            started = time.perf_counter()
            pairs = translator.translate_text(article)
            times[name].append(time.perf_counter() - started)
            found[name] = sum(1 for p in pairs if p.checks)
    ratios = [on / off for off, on in zip(times["alignments, no checks"], times["alignments and checks"], strict=True)]

    fast = systems["alignments, no checks"].backend
    source = [fast._pieces.encode(text) for text in _variants()]  # type: ignore[attr-defined]
    patience: dict[float, list[float]] = {1.0: [], PATIENCE: [], 2.0: []}
    for _ in range(args.rounds):
        for value in patience:
            started = time.perf_counter()
            fast._translator.translate_batch(  # type: ignore[attr-defined]
                source, beam_size=4, patience=value, max_decoding_length=511, return_end_token=True, max_input_length=0
            )
            patience[value].append(time.perf_counter() - started)

    cpu = cpu_description()
    print(f"CPU: {cpu['model']}; {', '.join(cpu['isa']) or 'no AVX2'}; {cpu['threads']} threads")
    print(f"model: {args.model}; CTranslate2 {args.compute_type}; medians of {args.rounds} interleaved rounds")
    sentences = len(systems["alignments and checks"].translate_text(article))
    for name, values in times.items():
        print(f"{name:<28} {statistics.median(values):7.2f} s  ({sentences} sentences, {found[name]} with checks)")
    print(
        f"checks and repairs: {statistics.median(ratios) - 1:+.1%} time "
        f"[{min(ratios) - 1:+.1%} to {max(ratios) - 1:+.1%}] over translation with alignments"
    )
    base = patience[1.0]
    for value, values in patience.items():
        cost = [v / b for v, b in zip(values, base, strict=True)]
        print(
            f"beam search at patience {value:<4} {statistics.median(values):6.3f} s  "
            f"{statistics.median(cost) - 1:+.1%} [{min(cost) - 1:+.1%} to {max(cost) - 1:+.1%}] "
            f"({len(source)} sentences)"
        )
    if args.json:
        record = {
            "cpu": cpu,
            "times": times,
            "checks_cost": ratios,
            "patience": {str(k): v for k, v in patience.items()},
        }
        args.json.write_text(json.dumps(record, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
