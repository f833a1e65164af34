"""Run the translation tests against fixture models trained with several seeds, on several int8 kernels.

The fixture model is trained on the machine that runs the tests, so its weights
differ from machine to machine (float summation order), and int8 rounds
differently on AVX2 and AVX-512 CPUs. This script checks that the tests hold
whatever model comes out: for each seed it trains a fixture and runs the tests
that translate with it, once per instruction set asked for. A machine with
AVX-512 runs its AVX2 kernels when told to: ``CT2_FORCE_CPU_ISA`` for
CTranslate2's own kernels and ``ONEDNN_MAX_CPU_ISA`` for oneDNN, which does its
int8 matrix products (AVX2 has no VNNI: its int8 products round differently).

    python tests/check_fixture_seeds.py                     # seeds 0-4, native kernels and AVX2
    python tests/check_fixture_seeds.py --seeds 3 --isa AVX2

Prints one line per run and exits non-zero when any run fails.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent
ISA_VARIABLES = ("CT2_FORCE_CPU_ISA", "ONEDNN_MAX_CPU_ISA")
# Every test file that compares translations with the fixture English.
TRANSLATION_TESTS = [
    "test_translator.py",
    "test_ct2.py",
    "test_cli.py",
    "test_memory.py",
    "test_reader.py",
    "test_load.py",
    "test_resume.py",
    "test_registry.py",
    "test_bad_input.py",
    "test_models_pool.py",
    "test_long_inputs.py",
    "test_browser.py",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0,1,2,3,4", help="comma-separated seeds (default 0,1,2,3,4)")
    parser.add_argument(
        "--isa", default="native,AVX2", help="comma-separated instruction sets (AVX2, AVX512); native: the CPU's own"
    )
    args, pytest_args = parser.parse_known_args(argv)
    failed = []
    with tempfile.TemporaryDirectory(prefix="tarjama-seeds-") as cache:
        for seed in [int(s) for s in args.seeds.split(",")]:
            for isa in args.isa.split(","):
                env = {**os.environ, "TARJAMA_TEST_MODEL_CACHE": cache}
                for name in ISA_VARIABLES:
                    env.pop(name, None)
                    if isa != "native":
                        env[name] = isa
                command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--fixture-seed={seed}"]
                command += [str(HERE / name) for name in TRANSLATION_TESTS] + pytest_args
                done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
                summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr.strip()
                record = _fixture_record(Path(cache), seed)
                print(f"seed {seed} {isa:<7} fixture {record}: {summary}", flush=True)
                if done.returncode != 0:
                    failed.append((seed, isa))
                    print(done.stdout[-4000:], flush=True)
    print(f"{len(failed)} failed: {failed}" if failed else "every seed passed")
    return 1 if failed else 0


def _fixture_record(cache: Path, seed: int) -> str:
    for record in cache.glob("*/fixture.json"):
        data = json.loads(record.read_text())
        if data.get("seed") == seed:
            return json.dumps({k: data[k] for k in ("steps", "loss", "int8_exact_share")})
    return "(none)"


if __name__ == "__main__":
    raise SystemExit(main())
