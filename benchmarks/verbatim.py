"""Links, addresses and handles inside Arabic: how many the model keeps, the repair puts back, placeholders survive.

``python benchmarks/verbatim.py --model DIR``: each span (and each
placeholder) is put into every sentence of the seed article at three places
(after its first word, in its middle, before its last word) and translated
with ``--no-repair`` (what the model alone keeps) and with the repair (what
comes back verbatim, what is flagged ``verbatim``, what is neither: silently
wrong). A placeholder counts as kept when the English has it as sent. The
test suite's fixture model (``TARJAMA_TEST_MODEL_CACHE`` keeps it) was
never trained on links or placeholders, like opus-mt; one line of JSON per
row, then a table.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from translate import Translator

SEED = Path(__file__).resolve().parent.parent / "seeds" / "khan-tuman.ar.txt"
SPANS = ("https://example.com/news/1?id=5", "info@example.org", "@user@mastodon.social", "@user")
PLACEHOLDERS = ("URL1", "XURLX", "__URL__", "[1]", "9001")


def _inputs(token: str) -> list[str]:
    from translate.normalize import normalize_for_model
    from translate.segment import segment_text

    found = []
    for segment in segment_text(SEED.read_text(encoding="utf-8")):
        words = normalize_for_model(segment.text).split()
        for at in (1, len(words) // 2, len(words) - 1):
            found.append(" ".join([*words[:at], token, *words[at:]]))
    return found


def _count(translator: Translator, token: str) -> tuple[int, int, int]:
    """(inputs, English with ``token`` as sent, English without it that a ``verbatim`` check flags)."""
    from translate.verbatim import VERBATIM

    inputs = _inputs(token)
    kept = flagged = 0
    for text in inputs:
        pairs = [p for p in translator.translate_text(text) if token in p.source]
        if all(token in p.target for p in pairs):
            kept += 1
        elif any(c.kind == VERBATIM for p in pairs for c in p.checks):
            flagged += 1
    return len(inputs), kept, flagged


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True, help="a local model directory")
    parser.add_argument("--backend", default="ctranslate2", choices=["torch", "ctranslate2"])
    parser.add_argument("--compute-type", default="float32")
    args = parser.parse_args(argv)
    from translate import TranslationOptions, Translator

    options = TranslationOptions(backend=args.backend, compute_type=args.compute_type)
    repaired = Translator(args.model, options)
    alone = Translator(options=dataclasses.replace(options, repair=False), backend=repaired.backend)
    rows: list[dict[str, Any]] = []
    for token in SPANS:
        n, model_kept, _ = _count(alone, token)
        _, kept, flagged = _count(repaired, token)
        rows.append({"span": token, "inputs": n, "model": model_kept, "repaired": kept, "flagged": flagged})
    for token in PLACEHOLDERS:
        n, model_kept, _ = _count(alone, token)
        rows.append({"placeholder": token, "inputs": n, "model": model_kept})
    for row in rows:
        print(json.dumps(row))
    print("| sent inside Arabic | kept by the model | verbatim after repair | flagged | silently wrong |")
    print("|---|---|---|---|---|")
    for row in rows:
        n = row["inputs"]
        if "span" in row:
            wrong = n - row["repaired"] - row["flagged"]
            print(f"| `{row['span']}` | {row['model']} / {n} | {row['repaired']} / {n} | {row['flagged']} | {wrong} |")
        else:
            print(f"| placeholder `{row['placeholder']}` | {row['model']} / {n} | — | — | — |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
