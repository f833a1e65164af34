"""Reader benchmark: a long article in a real browser against ``tarjama translate`` on the same file.

For an article of ``--size-mb`` (default 2 MB: the sample article repeated) it measures, in one run:

- **time**: from pressing Translate in Chromium to the finished, editable page,
  against ``tarjama translate`` on the same file with the same model and settings
  (a whole process; and net of its start-up, timed on a one-sentence file);
- **bytes**: everything the page received while translating (Chrome DevTools
  Protocol), against the size of the final document's HTML;
- **memory**: the reader server's resident set (RSS) once started (model
  loaded), then its peak during and its size after a refused ``--attempt-mb``
  paste (20 MB, sent to the endpoint the page uses), then its peak while
  translating the article;
- **patches**: how many row updates the page received, and whether any was lost.

Both sides use a fresh translation memory, as a first run does (``--no-cache``:
neither uses one, so every sentence goes through the model). No download:
unless ``--model DIR`` is given it trains the test suite's small fixture model
(about a minute); with it the translation is fast, so the reader's own costs
weigh more than they would with opus-mt. The CPU's instruction sets are printed
with the numbers. Loopback only: it runs itself in ``tests/offline.sh``'s private network
namespace, and Chromium runs with its networking features off.

    python benchmarks/reader.py                       # about 3 minutes on 2 cores
    python benchmarks/reader.py --model DIR --json reader.json
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "khan-tuman.ar.txt"
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from chromium import CHROMIUM, CHROMIUM_FLAGS  # noqa: E402
from loopback import stay_on_loopback  # noqa: E402
from workload import cpu_description  # noqa: E402

QUIET_ENV = {"GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


def article(size_mb: float) -> str:
    """The sample article repeated to at least ``size_mb`` MB of UTF-8."""
    seed = SEED.read_text(encoding="utf-8").strip()
    copies = int(size_mb * 1_000_000 / len(seed.encode("utf-8"))) + 1
    return "\n".join([seed] * copies) + "\n"


def tarjama() -> list[str]:
    script = Path(sys.executable).with_name("tarjama")
    return [str(script)] if script.exists() else [sys.executable, "-m", "translate"]


def cli_seconds(text_file: Path, model: Path, work: Path, cache: bool) -> dict:
    """Wall time of ``tarjama translate`` on the article, and on one sentence (its start-up and model load)."""
    one = work / "one.txt"
    one.write_text("مرحبا بكم.\n", encoding="utf-8")
    times = {}
    for name, source in (("startup", one), ("article", text_file)):
        memory = ["--cache", str(work / f"cli-{name}.sqlite3")] if cache else ["--no-cache"]
        command = [*tarjama(), "translate", str(source), "--model", str(model), "-o", str(work / f"{name}.tsv")]
        begin = time.perf_counter()
        subprocess.run([*command, *memory, "-q"], check=True, env={**os.environ, **QUIET_ENV})
        times[name] = time.perf_counter() - begin
    return {"wall_s": times["article"], "startup_s": times["startup"], "net_s": times["article"] - times["startup"]}


class RssSampler:
    """Samples a process's resident set every 50 ms in a thread."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def now(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def reset_peak(self) -> None:
        self.peak = self.now()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.peak = max(self.peak, self.now())
            except OSError:
                return
            time.sleep(0.05)

    def stop(self) -> None:
        self._stop.set()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_reader(model: Path, work: Path, cache: bool) -> tuple[subprocess.Popen, str]:
    port = free_port()
    memory = ["--cache", str(work / "reader.sqlite3")] if cache else ["--no-cache"]
    command = [*tarjama(), "reader", "--model", str(model), "--port", str(port), *memory]
    log = (work / "reader.log").open("w")
    process = subprocess.Popen(command, env={**os.environ, **QUIET_ENV}, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the reader did not start: {(work / 'reader.log').read_text()[-2000:]}")
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return process, url
        except OSError:
            time.sleep(0.3)
    raise SystemExit("the reader did not answer within 120 s")


def run_reader(url: str, text: str, sentences: int, rss: RssSampler, chromium: str) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(url)
        page.wait_for_selector("#tj-translate")
        # Warm up: the model loads on first use; the article is timed with it loaded, as the CLI's net time is.
        page.locator("#tj-text textarea").fill("مرحبا بكم.")
        page.click("#tj-translate")
        page.wait_for_selector("#tj-status:has-text('1 / 1 sentences')", timeout=120_000)
        rest_mb = rss.now()
        page.locator("#tj-text textarea").fill(text)
        page.evaluate(
            """() => { window.patches = []; document.addEventListener('tj-patch', (e) => {
                const seq = e.detail.match(/data-seq="(\\d+)"/);
                window.patches.push(seq ? Number(seq[1]) : -1); }); }"""
        )
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        chunks: list[int] = []
        cdp.on("Network.dataReceived", lambda event: chunks.append(event["dataLength"]))
        rss.reset_peak()
        begin = time.perf_counter()
        page.click("#tj-translate")
        page.wait_for_selector(".tj-doc[aria-busy=true] .tj-row:not(.tj-pending)", timeout=600_000)
        first_row = time.perf_counter() - begin
        page.wait_for_selector(f"#tj-status:has-text('{sentences} / {sentences} sentences')", timeout=1_800_000)
        page.wait_for_selector(".tj-en[contenteditable]", timeout=600_000)
        seconds = time.perf_counter() - begin
        peak_mb = rss.peak
        time.sleep(1.0)  # let the last messages land before counting bytes
        html_bytes = page.evaluate(
            "new TextEncoder().encode(document.querySelector('#tj-view .tj-doc').outerHTML).length"
        )
        rows_done = page.locator(".tj-row:not(.tj-pending)").count()
        patches = page.evaluate("window.patches")
        browser.close()
    streamed = [p for p in patches if p > 0]
    return {
        "seconds": seconds,
        "first_row_s": first_row,
        "bytes_received": sum(chunks),
        "final_html_bytes": html_bytes,
        "rows_done": rows_done,
        "patches": len(streamed),
        "patches_lost": (max(streamed) - len(set(streamed))) if streamed else 0,
        "rss_rest_mb": rest_mb,
        "rss_peak_mb": peak_mb,
    }


def warm_up(url: str, model: Path) -> None:
    """One sentence through the page's endpoint: the model is loaded on first use."""
    from gradio_client import Client

    Client(url, verbose=False).predict("مرحبا بكم.", str(model), api_name="/reader_translate")


def oversize_attempt(url: str, model: Path, size_mb: float, rss: RssSampler) -> dict:
    """Send a ``size_mb`` paste to the page's endpoint; the reader must refuse it and give the memory back."""
    from gradio_client import Client

    before = rss.now()
    rss.reset_peak()
    text = article(size_mb)
    begin = time.perf_counter()
    status = Client(url, verbose=False).predict(text, str(model), api_name="/reader_translate")[1]
    seconds = time.perf_counter() - begin
    del text
    time.sleep(3.0)
    return {
        "attempt_mb": size_mb,
        "refused": "--max-text-size" in status,
        "answer_s": seconds,
        "rss_before_mb": before,
        "rss_peak_mb": rss.peak,
        "rss_after_mb": rss.now(),
    }


def main(argv: list[str] | None = None) -> int:
    if argv is None:
        stay_on_loopback()
    for name, value in QUIET_ENV.items():  # gradio_client, in this process, too
        os.environ.setdefault(name, value)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, help="a local Marian model directory (default: train the fixture)")
    parser.add_argument("--size-mb", type=float, default=2.0, help="article size in MB (default 2)")
    parser.add_argument("--attempt-mb", type=float, default=20.0, help="size of the refused paste (default 20)")
    parser.add_argument("--no-cache", action="store_true", help="no translation memory on either side")
    parser.add_argument("--chromium", default=CHROMIUM, help="the browser to drive")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    cache = not args.no_cache
    from translate.segment import count_sentences

    with tempfile.TemporaryDirectory(prefix="tarjama-reader-bench-") as tmp:
        work = Path(tmp)
        model = args.model
        if model is None:
            import fixture_model

            print("training the fixture model …", file=sys.stderr)
            model = fixture_model.build_fixture_model(work / "model", seed=0)
        text = article(args.size_mb)
        text_file = work / "article.txt"
        text_file.write_text(text, encoding="utf-8")
        sentences = count_sentences(text)
        print(f"article: {len(text.encode()) / 1e6:.2f} MB, {sentences:,} sentences", file=sys.stderr)
        cli = cli_seconds(text_file, model, work, cache)
        process, url = start_reader(model, work, cache)
        rss = RssSampler(process.pid)
        try:
            warm_up(url, model)
            attempt = oversize_attempt(url, model, args.attempt_mb, rss)  # on the server as it started
            reader = run_reader(url, text, sentences, rss, args.chromium)
        finally:
            rss.stop()
            process.terminate()
            process.wait(timeout=30)
    results = {
        "cpu": cpu_description(),
        "article_mb": len(text.encode()) / 1e6,
        "sentences": sentences,
        "cache": cache,
        "cli": cli,
        "reader": reader,
        "oversize": attempt,
    }
    report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


def report(r: dict) -> None:
    cpu, cli, reader, over = r["cpu"], r["cli"], r["reader"], r["oversize"]
    print(f"CPU: {cpu['model']} · {', '.join(cpu['isa']) or 'no AVX2'} · {cpu['threads']} threads")
    memory = "a fresh translation memory on each side" if r["cache"] else "no translation memory"
    print(f"article: {r['article_mb']:.2f} MB, {r['sentences']:,} sentences; {memory}")
    print(f"tarjama translate: {cli['wall_s']:.1f} s (start-up {cli['startup_s']:.1f} s, net {cli['net_s']:.1f} s)")
    print(
        f"reader (Chromium): {reader['seconds']:.1f} s to the finished page = "
        f"{reader['seconds'] / cli['wall_s']:.2f}× the CLI, {reader['seconds'] / cli['net_s']:.2f}× its net time; "
        f"first row after {reader['first_row_s']:.2f} s"
    )
    print(
        f"bytes received: {reader['bytes_received'] / 1e6:.1f} MB = "
        f"{reader['bytes_received'] / reader['final_html_bytes']:.2f}× the final HTML "
        f"({reader['final_html_bytes'] / 1e6:.1f} MB); {reader['patches']} patches, {reader['patches_lost']} lost; "
        f"{reader['rows_done']:,} rows filled"
    )
    print(
        f"server RSS: {over['rss_before_mb']:.0f} MB once started; "
        f"{over['attempt_mb']:.0f} MB paste {'refused' if over['refused'] else 'NOT refused'} "
        f"in {over['answer_s']:.1f} s, peak {over['rss_peak_mb']:.0f} MB, {over['rss_after_mb']:.0f} MB after "
        f"({over['rss_after_mb'] - over['rss_before_mb']:+.0f} MB); "
        f"article: {reader['rss_rest_mb']:.0f} MB before, peak {reader['rss_peak_mb']:.0f} MB"
    )


if __name__ == "__main__":
    raise SystemExit(main())
