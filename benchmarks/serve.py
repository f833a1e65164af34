"""``tarjama serve`` under load: sentences of concurrent requests sharing batches, against the CLI and against
the same server batching each request alone (as LibreTranslate serves).

``python benchmarks/serve.py`` measures a model of opus-mt-ar-en's size and shapes with random weights (built
once, no download; as ``benchmarks/speed.py``), every sentence decoded to ``--new-tokens`` tokens, so that the
model's work per sentence is a real model's. ``--model DIR`` measures a real model instead (``opus-mt-ar-en``
downloaded, or the test suite's fixture model), its sentences ending where the model ends them. In one run, on
the same sentences (the seed article's, repeated), same model and settings (CTranslate2 int8 unless
``--compute-type``, beam 4 unless ``--beam``, no translation memory):

1. **CLI**: the sentences translated as one batch job (``Translator.translate_text``, what ``tarjama translate``
   runs), in a process of its own;
2. **server** (``tarjama serve``, in a process of its own): 1, 8, 32 and 128 clients, each sending one sentence
   at a time, then 4 clients sending article-sized requests (the whole seed article each);
3. **server, batching off** (``--no-shared-batches``): the same loads;
4. **fairness** (batches shared): six texts of 19,990 Arabic letters with no space (the seed article's letters,
   each one sentence cut into pieces of 256 tokens) sent at once, then, once their pieces are in the model's
   batches, a one-line request sent ``--tries`` times, one after the other: its latency (p50, max) and the
   six long texts' time.

``--loads`` picks which of the loads run (default all).

Each load is its own pass over the sentences; the table gives sentences per second, p50 and p99 latency of a
request, and the server's peak RSS. Only loopback is used (the script reruns itself in the tests' private
network namespace where one can be made).

With random weights, the CLI and the server get the same two changes, as ``benchmarks/speed.py`` makes them:
every output is forced to ``--new-tokens`` tokens (``min_new_tokens``, the model's ``max_length``), and the
retry and the checks are off (random output never ends a sentence, so every one would be retried).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))  # serving.py, loopback.py

from loopback import stay_on_loopback  # noqa: E402
from workload import SEED, build_model, cpu_description  # noqa: E402

LOADS = ("sentences", "article", "fairness")
"""What ``--loads`` picks from: the one-sentence loads (``--clients``), the article-sized one, the fairness one."""


def _sentences() -> list[str]:
    from translate.segment import segment_text

    return [s.text for s in segment_text(SEED.read_text(encoding="utf-8"))]


def _count(text: str) -> int:
    from translate.segment import segment_text

    return len(segment_text(text))


def _forced(new_tokens: int) -> dict:
    """The options random weights need (``benchmarks/speed.py``'s): outputs of ``new_tokens``, no retry, no checks."""
    return {"max_length": new_tokens + 1, "retry": False, "checks": False} if new_tokens else {}


def _cli(model: str, compute_type: str, beam: int, new_tokens: int, texts: list[str]) -> dict:
    """The batch job, in a process of its own: sentences per second after the model has loaded."""
    options = {"compute_type": compute_type, "beam": beam, **_forced(new_tokens)}
    code = (
        "import json, sys, time\n"
        "from translate import Translator, TranslationOptions\n"
        f"t = Translator({model!r}, TranslationOptions(**{options!r}))\n"
        f"t.backend.min_new_tokens = {new_tokens}\n"
        f"texts = json.loads({json.dumps(json.dumps(texts))})\n"
        "t.translate_text(texts[0])\n"
        "started = time.perf_counter()\n"
        "pairs = t.translate_text('\\n'.join(texts))\n"
        "print(json.dumps({'seconds': time.perf_counter() - started, 'sentences': len(pairs)}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _serve_forced(new_tokens: int, argv: list[str]) -> int:
    """``tarjama serve`` with ``argv``, every output forced to ``new_tokens`` tokens (a child process).

    The two changes the CLI gets too, made where ``tarjama serve`` builds its options and its backend;
    the rest (the HTTP routes, the scheduler, the translator passes) is the command as users run it.
    """
    import dataclasses

    import translate
    import translate.backend
    from translate.cli import main as tarjama

    options_type, load = translate.TranslationOptions, translate.backend.load_backend

    def forced_options(**settings: object) -> translate.TranslationOptions:
        return options_type(**{**settings, **_forced(new_tokens)})

    def forced_backend(model, options):  # type: ignore[no-untyped-def]
        backend = load(model, dataclasses.replace(options, **_forced(new_tokens)))
        backend.min_new_tokens = new_tokens
        return backend

    translate.TranslationOptions = forced_options  # type: ignore[assignment,misc]
    translate.backend.load_backend = forced_backend
    return tarjama(["serve", *argv])


LONG_CHARACTERS = 19_990
"""The fairness load's long texts: just within ``tarjama serve``'s default ``--char-limit`` (20,000)."""


async def _fairness(url: str, sentences: list[str], tries: int) -> dict:
    """A one-line request's latency, ``tries`` times, behind six long texts with no space sent at once."""
    import httpx

    letters = "".join(ch for ch in "".join(sentences) if "\u0621" <= ch <= "\u064a")
    long = (letters * (LONG_CHARACTERS // len(letters) + 1))[:LONG_CHARACTERS]
    short = min(sentences, key=len)

    async def post(client: httpx.AsyncClient, text: str) -> tuple[float, int]:
        started = time.perf_counter()
        reply = await client.post(f"{url}/translate", json={"q": text, "source": "ar", "target": "en"})
        return time.perf_counter() - started, reply.status_code

    async with httpx.AsyncClient(timeout=600, limits=httpx.Limits(max_connections=16)) as client:
        before = _batched(await client.get(f"{url}/metrics"))
        started = time.perf_counter()
        longs = [asyncio.ensure_future(post(client, long)) for _ in range(6)]
        while _batched(await client.get(f"{url}/metrics")) == before:  # until their pieces are in batches
            await asyncio.sleep(0.05)
        waits = []
        for _ in range(tries):
            waits.append(await post(client, short))
            await asyncio.sleep(0.2)
        done = await asyncio.gather(*longs)
        wall = time.perf_counter() - started
    latencies = sorted(seconds for seconds, _ in waits)
    return {
        "p50": statistics.median(latencies),
        "max": latencies[-1],
        "tries": tries,
        "long_seconds": wall,
        "failures": sum(status != 200 for _, status in [*waits, *done]),
    }


async def _load(url: str, requests: list[str], clients: int) -> dict:
    """``clients`` workers sending ``requests`` (each one text) in turn; latencies and the wall time."""
    import httpx

    queue: asyncio.Queue[str] = asyncio.Queue()
    for text in requests:
        queue.put_nowait(text)
    latencies: list[float] = []
    failures = 0

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal failures
        while not queue.empty():
            text = queue.get_nowait()
            started = time.perf_counter()
            reply = await client.post(f"{url}/translate", json={"q": text, "source": "ar", "target": "en"})
            latencies.append(time.perf_counter() - started)
            failures += reply.status_code != 200

    limits = httpx.Limits(max_connections=clients + 4)
    async with httpx.AsyncClient(timeout=600, limits=limits) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(clients)))
        wall = time.perf_counter() - started
    latencies.sort()
    return {
        "wall": wall,
        "p50": statistics.median(latencies),
        "p99": latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
        "failures": failures,
    }


def _rss_peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _serve(args: argparse.Namespace, sentences: list[str], article: str, shared: bool) -> dict:
    from serving import serving

    options = ["--no-cache", "--no-reader", "--beam", str(args.beam), "--compute-type", args.compute_type]
    if not shared:
        options.append("--no-shared-batches")
    command = (__file__, "--serve-child", str(args.new_tokens)) if args.new_tokens else ("-m", "translate", "serve")
    results: dict = {}
    with (
        tempfile.TemporaryDirectory() as scratch,
        serving(args.model, *options, log=Path(scratch) / "log", command=command) as server,
    ):
        asyncio.run(_load(server.url, sentences[:8], 8))  # warm up
        loads = {}
        for clients in args.clients if "sentences" in args.loads else []:
            count = max(2 * len(sentences), 2 * clients) if clients > 1 else len(sentences) // 2
            loads[f"{clients} x 1 sentence"] = ((sentences * (count // len(sentences) + 1))[:count], clients, count)
        if "article" in args.loads:
            loads["4 x article"] = ([article] * 8, 4, 8 * _count(article))
        for name, (requests, clients, count) in loads.items():
            before = _batches(server.url)
            measured = asyncio.run(_load(server.url, requests, clients))
            batches, sentences_batched = (a - b for a, b in zip(_batches(server.url), before, strict=True))
            results[name] = {**measured, "sentences": count, "per_batch": sentences_batched / max(batches, 1)}
        if shared and "fairness" in args.loads:
            results["fairness"] = asyncio.run(_fairness(server.url, sentences, args.tries))
        results["rss_mb"] = _rss_peak_mb(server.process.pid)
    return results


def _batches(url: str) -> tuple[float, float]:
    """The server's model batches so far, and the sentences they held (from its metrics)."""
    import httpx

    return _batched(httpx.get(f"{url}/metrics", timeout=10))


def _batched(metrics: httpx.Response) -> tuple[float, float]:
    found = {"tarjama_batch_sentences_count": 0.0, "tarjama_batch_sentences_sum": 0.0}
    for line in metrics.text.splitlines():
        name, _, value = line.partition(" ")
        if name in found:
            found[name] = float(value)
    return found["tarjama_batch_sentences_count"], found["tarjama_batch_sentences_sum"]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--serve-child"]:
        return _serve_forced(int(argv[1]), argv[2:])
    stay_on_loopback()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="a MarianMT directory (default: random opus-mt-ar-en weights)")
    parser.add_argument("--compute-type", default="int8")
    parser.add_argument("--beam", type=int, default=4)
    parser.add_argument(
        "--new-tokens", type=int, help="output tokens per sentence (default 40 with random weights; a model's own)"
    )
    parser.add_argument(
        "--clients",
        type=lambda text: [int(n) for n in text.split(",")],
        default=[1, 8, 32, 128],
        help="the one-sentence loads: concurrent clients (default 1,8,32,128)",
    )
    parser.add_argument(
        "--loads",
        type=lambda text: text.split(","),
        default=list(LOADS),
        help=f"which loads run, of {','.join(LOADS)} (default all)",
    )
    parser.add_argument("--tries", type=int, default=5, help="the fairness load's one-line requests (default 5)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    if unknown := set(args.loads) - set(LOADS):
        parser.error(f"--loads: no load {', '.join(sorted(unknown))} (there are {', '.join(LOADS)})")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    if args.model is None:
        from translate.paths import cache_dir

        args.model = cache_dir() / "benchmark-models" / "opus-mt-ar-en"  # deterministic: built once, then kept
        if not (args.model / "config.json").is_file():
            build_model(args.model, "opus-mt-ar-en")
        described = "opus-mt-ar-en's size and shapes, random weights"
        args.new_tokens = 40 if args.new_tokens is None else args.new_tokens
    else:
        described = str(args.model)
        args.new_tokens = args.new_tokens or 0
    sentences = _sentences()
    article = "\n".join(sentences)
    cli = _cli(str(args.model), args.compute_type, args.beam, args.new_tokens, sentences * 4)
    cli_rate = cli["sentences"] / cli["seconds"]
    shared = _serve(args, sentences * 4, article, shared=True)
    alone = _serve(args, sentences * 4, article, shared=False)

    cpu = cpu_description()
    print(f"CPU: {cpu['model']}; {', '.join(cpu['isa']) or 'no AVX2'}; {cpu['threads']} threads")
    length = f"{args.new_tokens} output tokens per sentence" if args.new_tokens else "outputs of the model's length"
    print(f"model: {described}; CTranslate2 {args.compute_type}, beam {args.beam}; {length}; no translation memory")
    print(f"CLI, one batch job: {cli_rate:.2f} sentences/s ({cli['sentences']} sentences)")
    header = f"{'load':<22}{'shared sent/s':>14}{'× CLI':>8}{'p50 s':>8}{'p99 s':>8}{'/batch':>8}"
    header += f"{'alone sent/s':>14}{'p50 s':>8}{'p99 s':>8}{'shared × alone':>16}"
    print(header)
    print("-" * len(header))
    for load in [name for name, found in shared.items() if isinstance(found, dict) and "wall" in found]:
        a, b = shared[load], alone[load]
        rate_a, rate_b = a["sentences"] / a["wall"], b["sentences"] / b["wall"]
        print(
            f"{load:<22}{rate_a:>14.2f}{rate_a / cli_rate:>7.0%} {a['p50']:>8.2f}{a['p99']:>8.2f}{a['per_batch']:>8.1f}"
            f"{rate_b:>14.2f}{b['p50']:>8.2f}{b['p99']:>8.2f}{rate_a / rate_b:>15.1f}×"
        )
        if a["failures"] or b["failures"]:
            print(f"  failed requests: shared {a['failures']}, alone {b['failures']}")
    if "fairness" in shared:
        f = shared["fairness"]
        print(
            f"fairness, batches shared: a one-line request behind 6 texts of {LONG_CHARACTERS:,} letters with no"
            f" space: p50 {f['p50']:.2f} s, max {f['max']:.2f} s ({f['tries']} tries); the 6 long texts"
            f" {f['long_seconds']:.1f} s"
        )
        if f["failures"]:
            print(f"  failed requests: {f['failures']}")
    print(f"server peak RSS: shared {shared['rss_mb']:.0f} MB, alone {alone['rss_mb']:.0f} MB")
    print("/batch: sentences per model batch, with batches shared (the warm-up's left out)")
    if args.json:
        record = {"cpu": cpu, "model": described, "new_tokens": args.new_tokens, "cli": cli}
        args.json.write_text(json.dumps({**record, "shared": shared, "alone": alone}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
