"""``tarjama serve`` under load: sentences of concurrent requests sharing batches, against the CLI and against
the same server batching each request alone (as LibreTranslate serves).

``python benchmarks/serve.py --model DIR`` (``opus-mt-ar-en`` downloaded, or the test suite's fixture model,
which ``TARJAMA_TEST_MODEL_CACHE`` keeps). In one run, on the same sentences (the seed article's, repeated),
same model and settings (CTranslate2 int8 unless ``--compute-type``, beam 4 unless ``--beam``, no
translation memory):

1. **CLI**: the sentences translated as one batch job (``Translator.translate_text``, what ``tarjama translate``
   runs), in a process of its own;
2. **server**: 1, 8, 32 and 128 clients, each sending one sentence at a time, then 4 clients sending
   article-sized requests (the whole seed article each);
3. **server, batching off** (``--no-shared-batches``): the same loads.

Each load is its own pass over the sentences; the table gives sentences per second, p50 and p99 latency of a
request, and the server's peak RSS. Only loopback is used (the script reruns itself in the tests' private
network namespace where one can be made).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))  # serving.py, loopback.py

from loopback import stay_on_loopback  # noqa: E402
from workload import SEED, cpu_description  # noqa: E402

CLIENTS = (1, 8, 32, 128)


def _sentences() -> list[str]:
    from translate.segment import segment_text

    return [s.text for s in segment_text(SEED.read_text(encoding="utf-8"))]


def _count(text: str) -> int:
    from translate.segment import segment_text

    return len(segment_text(text))


def _cli(model: str, compute_type: str, beam: int, texts: list[str]) -> dict:
    """The batch job, in a process of its own: sentences per second after the model has loaded."""
    code = (
        "import json, sys, time\n"
        "from translate import Translator, TranslationOptions\n"
        f"t = Translator({model!r}, TranslationOptions(compute_type={compute_type!r}, beam={beam}))\n"
        f"texts = json.loads({json.dumps(json.dumps(texts))})\n"
        "t.translate_text(texts[0])\n"
        "started = time.perf_counter()\n"
        "pairs = t.translate_text('\\n'.join(texts))\n"
        "print(json.dumps({'seconds': time.perf_counter() - started, 'sentences': len(pairs)}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


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


def _serve(model: str, compute_type: str, beam: int, sentences: list[str], article: str, shared: bool) -> dict:
    from serving import serving

    options = ["--no-cache", "--no-reader", "--beam", str(beam), "--compute-type", compute_type]
    if not shared:
        options.append("--no-shared-batches")
    results: dict = {}
    with tempfile.TemporaryDirectory() as scratch, serving(Path(model), *options, log=Path(scratch) / "log") as server:
        asyncio.run(_load(server.url, sentences[:8], 8))  # warm up
        for clients in CLIENTS:
            count = max(len(sentences), 2 * clients) if clients > 1 else len(sentences) // 2
            requests = (sentences * (count // len(sentences) + 1))[:count]
            measured = asyncio.run(_load(server.url, requests, clients))
            results[f"{clients} x 1 sentence"] = {**measured, "sentences": count}
        articles = [article] * 8
        measured = asyncio.run(_load(server.url, articles, 4))
        results["4 x article"] = {**measured, "sentences": len(articles) * _count(article)}
        results["rss_mb"] = _rss_peak_mb(server.process.pid)
    return results


def main(argv: list[str] | None = None) -> int:
    stay_on_loopback()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="a local model directory")
    parser.add_argument("--compute-type", default="int8")
    parser.add_argument("--beam", type=int, default=4)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    # The serve's model option takes the directory; the fixture's compute type is set the same way for all.
    sentences = _sentences()
    article = "\n".join(sentences)
    cli = _cli(args.model, args.compute_type, args.beam, sentences * 4)
    cli_rate = cli["sentences"] / cli["seconds"]
    shared = _serve(args.model, args.compute_type, args.beam, sentences * 4, article, shared=True)
    alone = _serve(args.model, args.compute_type, args.beam, sentences * 4, article, shared=False)

    cpu = cpu_description()
    print(f"CPU: {cpu['model']}; {', '.join(cpu['isa']) or 'no AVX2'}; {cpu['threads']} threads")
    print(f"model: {args.model}; CTranslate2 {args.compute_type}, beam {args.beam}; no translation memory")
    print(f"CLI, one batch job: {cli_rate:.2f} sentences/s ({cli['sentences']} sentences)")
    header = f"{'load':<22}{'shared sent/s':>14}{'× CLI':>8}{'p50 s':>8}{'p99 s':>8}"
    header += f"{'alone sent/s':>14}{'p50 s':>8}{'p99 s':>8}{'shared × alone':>16}"
    print(header)
    print("-" * len(header))
    for load in [*(f"{c} x 1 sentence" for c in CLIENTS), "4 x article"]:
        a, b = shared[load], alone[load]
        rate_a, rate_b = a["sentences"] / a["wall"], b["sentences"] / b["wall"]
        print(
            f"{load:<22}{rate_a:>14.2f}{rate_a / cli_rate:>7.0%} {a['p50']:>8.2f}{a['p99']:>8.2f}"
            f"{rate_b:>14.2f}{b['p50']:>8.2f}{b['p99']:>8.2f}{rate_a / rate_b:>15.1f}×"
        )
        if a["failures"] or b["failures"]:
            print(f"  failed requests: shared {a['failures']}, alone {b['failures']}")
    print(f"server peak RSS: shared {shared['rss_mb']:.0f} MB, alone {alone['rss_mb']:.0f} MB")
    if args.json:
        record = {"cpu": cpu, "cli": cli, "shared": shared, "alone": alone}
        args.json.write_text(json.dumps(record, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
