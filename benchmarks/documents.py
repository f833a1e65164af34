"""What writing a document back costs over translating its text: a Word report, a web page, a Markdown file,
an EPUB book, a subtitle file and a PDF.

``python benchmarks/documents.py --model DIR`` (a model that translates:
``opus-mt-ar-en`` downloaded, or the test suite's fixture model, which
``TARJAMA_TEST_MODEL_CACHE`` keeps). Two systems, interleaved for
``--rounds`` rounds in one process:

1. **text**: the document's text (:func:`translate.formats.document_text`)
   translated with alignments, as TSV would need them;
2. **document**: the same, plus reading the package, cutting the pairs back
   into blocks, carrying the formatting (or the cue split) and writing the
   package. The fixture model is tiny, so the writing's share is an upper
   bound: with opus-mt the translation takes longer and the writing the same.

The Word report is ``--repeat`` copies of the seed article, a paragraph per
sentence, every place name in bold; the page, the Markdown file and the book
(a chapter per copy) the same, the names in ``<b>`` or ``**``; the subtitles
are the same sentences over cues of six words; the PDF is the Word report as LibreOffice lays it out (left out
when ``soffice`` is not installed), written back as a PDF.

``python benchmarks/documents.py --ocr`` (no model) reads scans instead:
image-only copies of mPDF's Arabic book (the shared sample), clean at 200 dpi
and degraded (150 dpi, turned 1 degree, speckled, 1 bit), made as the tests
make them (tests/scans.py), by tarjama and by plain Tesseract (``-l ara --psm
6``, ``OMP_THREAD_LIMIT=1``, the same page images, the same number of pages at
once), interleaved: seconds a page, and the book's words read in order
(recall and precision against the HTML the book was made from).

``python benchmarks/documents.py --ocr-pages 20 2000`` measures memory
instead: scans of that many pages (each page the same few lines of the book,
one image the pages share, so the file stays small), each read by OCR in a
fresh process, whose peak resident memory (``VmHWM``) is printed beside its
pages and seconds. Bounded memory is the same peak for 20 pages and 2,000.
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from workload import cpu_description

if TYPE_CHECKING:
    from translate.translator import Translator

SEED = Path(__file__).resolve().parent.parent / "seeds" / "khan-tuman.ar.txt"
NAMES = ("خان طومان", "حلب", "حميميم", "جيش الفتح")


def _sentences(repeat: int) -> list[str]:
    from translate.segment import segment_text

    return [s.text for s in segment_text(SEED.read_text(encoding="utf-8"))] * repeat


def _report(sentences: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for sentence in sentences:
        paragraph = document.add_paragraph()
        at = 0
        while True:
            found = [(sentence.find(n, at), n) for n in NAMES if sentence.find(n, at) >= 0]
            if not found:
                paragraph.add_run(sentence[at:])
                break
            where, name = min(found)
            paragraph.add_run(sentence[at:where])
            paragraph.add_run(name).bold = True
            at = where + len(name)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _marked(sentence: str, bold: tuple[str, str]) -> str:
    for name in NAMES:
        sentence = sentence.replace(name, f"{bold[0]}{name}{bold[1]}")
    return sentence


def _page(sentences: list[str]) -> bytes:
    body = "".join(f"<p>{_marked(s, ('<b>', '</b>'))}</p>" for s in sentences)
    head = '<!DOCTYPE html><html dir="rtl" lang="ar"><head><meta charset="utf-8"></head>'
    return f"{head}<body>{body}</body></html>".encode()


def _markdown(sentences: list[str]) -> bytes:
    return "\n\n".join(_marked(s, ("**", "**")) for s in sentences).encode("utf-8")


def _book(sentences: list[str]) -> bytes:
    import zipfile

    chapters = [sentences[k : k + 12] for k in range(0, len(sentences), 12)]
    manifest = "".join(
        f'<item id="c{k}" href="c{k}.xhtml" media-type="application/xhtml+xml"/>' for k in range(len(chapters))
    )
    spine = "".join(f'<itemref idref="c{k}"/>' for k in range(len(chapters)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        book.writestr(
            "META-INF/container.xml",
            '<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
            '<rootfile full-path="content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>',
        )
        book.writestr(
            "content.opf",
            '<package xmlns="http://www.idpf.org/2007/opf" version="3.0"><metadata/>'
            f'<manifest>{manifest}</manifest><spine page-progression-direction="rtl">{spine}</spine></package>',
        )
        for k, chapter in enumerate(chapters):
            body = "".join(f"<p>{_marked(s, ('<b>', '</b>'))}</p>" for s in chapter)
            book.writestr(
                f"c{k}.xhtml",
                '<html xmlns="http://www.w3.org/1999/xhtml" dir="rtl" xml:lang="ar"><head><title/></head>'
                f"<body>{body}</body></html>",
            )
    return out.getvalue()


def _clock(seconds: int, millis: str) -> str:
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d},{millis}"


def _subtitles(sentences: list[str]) -> bytes:
    words = " ".join(sentences).split()
    cues = []
    for n, k in enumerate(range(0, len(words), 6)):
        start, end = n * 3, n * 3 + 2  # seconds: each cue shows from start to end + 0.9
        cues.append(f"{n + 1}\n{_clock(start, '000')} --> {_clock(end, '900')}\n" + " ".join(words[k : k + 6]) + "\n")
    return "\n".join(cues).encode("utf-8")


def _pdf(report: bytes) -> bytes:
    """The Word report as LibreOffice lays it out."""
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "report.docx").write_bytes(report)
        profile = f"-env:UserInstallation=file://{folder}/profile"
        command = ["soffice", "--headless", profile, "--convert-to", "pdf", "--outdir", folder]
        subprocess.run([*command, f"{folder}/report.docx"], check=True, timeout=300, capture_output=True)
        return (Path(folder) / "report.pdf").read_bytes()


def _target(name: str) -> str:
    """A PDF is read as the PDF it is written back as (its blocks are its paragraphs with Arabic, as placed)."""
    return "pdf" if name.endswith(".pdf") else ""


def _text_only(translator: Translator, name: str, data: bytes) -> int:
    from translate.formats import document_text, read_document

    text, _ = document_text(read_document(name, data, _target(name)).blocks)
    return len(translator.translate_text(text))


WRITES: list[float] = []
"""How long each document system's last step took: writing the document (its ``render``)."""


def _document(translator: Translator, name: str, data: bytes) -> int:
    from translate.formats import by_block, document_text, read_document

    document = read_document(name, data, _target(name))
    text, starts = document_text(document.blocks)
    pairs, _ = translator.translate(text)
    sentences = by_block(pairs, starts, document.blocks)
    started = time.perf_counter()
    document.render(sentences)
    WRITES.append(time.perf_counter() - started)
    return sum(len(s) for s in sentences)


def _scans() -> dict[str, bytes]:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    import scans

    clean = scans.rendered(range(10), 200)
    degraded = [scans.degraded(page, seed=k) for k, page in enumerate(scans.rendered(range(10), 150))]
    return {"clean 200 dpi": scans.image_pdf(clean, 200), "degraded 150 dpi": scans.image_pdf(degraded, 150)}


def _tarjama_ocr(data: bytes) -> str:
    from translate.formats.pdf import text_from_pdf

    return text_from_pdf(data, "scan.pdf")


def _plain_tesseract(data: bytes) -> str:
    """Tesseract alone on the same page images tarjama renders, as many pages at once as tarjama reads."""
    import os
    import subprocess
    from concurrent.futures import ThreadPoolExecutor

    import pypdfium2 as pdfium

    from translate.formats import ocr

    def read(page: ocr.PageImage) -> str:
        command = ["tesseract", "stdin", "stdout", "--dpi", str(page.dpi), "-l", "ara", "--psm", "6"]
        environment = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        return subprocess.run(command, input=ocr._pnm(page.image), capture_output=True, env=environment).stdout.decode()

    document = pdfium.PdfDocument(data)
    try:
        with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
            return "\n".join(pool.map(read, (ocr.pdf_page(document[k]) for k in range(len(document)))))
    finally:
        document.close()


def _cpu_seconds() -> float:
    import resource

    return sum(
        usage.ru_utime + usage.ru_stime
        for usage in (resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN))
    )


def _ocr(rounds: int, json_path: Path | None) -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    import scans

    gold = scans.book_gold()
    inputs = _scans()
    systems = {"tarjama": _tarjama_ocr, "plain Tesseract": _plain_tesseract}
    times: dict[str, dict[str, list[float]]] = {name: {system: [] for system in systems} for name in inputs}
    cpu_times: dict[str, dict[str, list[float]]] = {name: {system: [] for system in systems} for name in inputs}
    read: dict[str, dict[str, tuple[float, float]]] = {name: {} for name in inputs}
    for _ in range(rounds):
        for name, data in inputs.items():
            for system, run in systems.items():
                started, used = time.perf_counter(), _cpu_seconds()
                text = run(data)
                times[name][system].append((time.perf_counter() - started) / 10)
                cpu_times[name][system].append((_cpu_seconds() - used) / 10)
                read[name][system] = scans.scored(gold, scans.words(text))
    cpu = cpu_description()
    print(f"CPU: {cpu['model']}; {', '.join(cpu['isa']) or 'no AVX2'}; {cpu['threads']} threads")
    print(f"mPDF's book, 10 pages, {len(gold)} Arabic words; medians of {rounds} interleaved rounds")
    # CPU seconds (this process and its Tesseracts) hold on a shared machine, where the wall clock does not.
    print("s/page: wall clock; CPU s/page: all processes' CPU time, which cores in parallel divide")
    for name in inputs:
        for system in systems:
            recall, precision = read[name][system]
            print(
                f"{name:<17} {system:<16} {statistics.median(times[name][system]):5.2f} s/page "
                f"[{min(times[name][system]):.2f}-{max(times[name][system]):.2f}], "
                f"{statistics.median(cpu_times[name][system]):5.2f} CPU s/page, "
                f"words in order: recall {recall:.3f}, precision {precision:.3f}"
            )
    if json_path:
        record = {"cpu": cpu, "times": times, "cpu_times": cpu_times, "read": read}
        json_path.write_text(json.dumps(record, indent=1), encoding="utf-8")
    return 0


def _long_scan(pages: int) -> bytes:
    """An image-only PDF of ``pages`` pages at 200 dpi, each five lines of the book: ten such strips in turn, each
    an image its pages share (so no line repeats on enough pages to be taken for a running head)."""
    import pikepdf

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    import scans

    strips = [
        page.crop((0, page.height * top // 100, page.width, page.height * (top + 10) // 100))
        for page in scans.rendered([4, 5], 200)
        for top in (14, 24, 34, 44, 54)
    ]
    pdf = pikepdf.open(io.BytesIO(scans.image_pdf(strips[: min(pages, len(strips))], 200)))
    made = list(pdf.pages)
    for k in range(len(made), pages):
        pdf.pages.append(pikepdf.Page(made[k % len(made)].obj.copy()))  # a new page, its image the same object
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


_READ_IN_CHILD = """
import sys
from translate.formats.pdf import text_from_pdf
text = text_from_pdf(open(sys.argv[1], "rb").read(), "long.pdf")
peak = next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(len(text.splitlines()), peak)
"""


def _ocr_memory(counts: list[int]) -> int:
    cpu = cpu_description()
    print(f"CPU: {cpu['model']}; {', '.join(cpu['isa']) or 'no AVX2'}; {cpu['threads']} threads")
    with tempfile.TemporaryDirectory() as folder:
        for pages in counts:
            scan = Path(folder) / f"long-{pages}.pdf"
            scan.write_bytes(_long_scan(pages))
            started = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-c", _READ_IN_CHILD, str(scan)], capture_output=True, text=True, check=True
            )
            seconds = time.perf_counter() - started
            lines, peak = done.stdout.split()
            print(
                f"{pages:>5} pages ({scan.stat().st_size / 1e6:.1f} MB file): peak {int(peak) / 1024:.0f} MB, "
                f"{lines} paragraphs read, {seconds:.0f} s ({seconds / pages:.2f} s/page)"
            )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="a local model directory (not for --ocr)")
    parser.add_argument("--ocr", action="store_true", help="read scans by OCR instead (no model)")
    parser.add_argument("--compute-type", default="int8", help="CTranslate2 precision (default int8)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=4, help="copies of the seed article (default 4)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="only these inputs (e.g. report.pdf)")
    parser.add_argument("--ocr-pages", type=int, nargs="+", metavar="N", help="OCR memory on scans of N pages")
    args = parser.parse_args(argv)
    if args.ocr_pages:
        return _ocr_memory(args.ocr_pages)
    if args.ocr:
        return _ocr(args.rounds, args.json)
    if args.model is None:
        parser.error("--model DIR is needed (or --ocr)")

    from translate import TranslationOptions, Translator

    options = TranslationOptions(backend="ctranslate2", compute_type=args.compute_type, alignments=True)
    translator = Translator(args.model, options)
    sentences = _sentences(args.repeat)
    inputs = {
        "report.docx": _report(sentences),
        "page.html": _page(sentences),
        "notes.md": _markdown(sentences),
        "book.epub": _book(sentences),
        "film.srt": _subtitles(sentences),
    }
    if shutil.which("soffice"):
        inputs["report.pdf"] = _pdf(inputs["report.docx"])
    if args.only:
        inputs = {name: data for name, data in inputs.items() if name in args.only}
    times: dict[str, dict[str, list[float]]] = {name: {"text": [], "document": [], "write": []} for name in inputs}
    counted: dict[str, int] = {}
    for _ in range(args.rounds):
        for name, data in inputs.items():
            for system, run in (("text", _text_only), ("document", _document)):
                started = time.perf_counter()
                counted[name] = run(translator, name, data)
                if system == "document":  # its own share, which a busy machine's noise in the rest does not hide
                    times[name]["write"].append(WRITES[-1])
                times[name][system].append(time.perf_counter() - started)

    cpu = cpu_description()
    print(f"CPU: {cpu['model']}; {', '.join(cpu['isa']) or 'no AVX2'}; {cpu['threads']} threads")
    print(f"model: {args.model}; CTranslate2 {args.compute_type}; medians of {args.rounds} interleaved rounds")
    record: dict[str, object] = {"cpu": cpu, "times": times}
    for name, measured in times.items():
        ratios = [d / t for t, d in zip(measured["text"], measured["document"], strict=True)]
        record[f"{name} cost"] = ratios
        print(
            f"{name:<12} text {statistics.median(measured['text']):6.2f} s, document "
            f"{statistics.median(measured['document']):6.2f} s: {statistics.median(ratios) - 1:+.1%} "
            f"[{min(ratios) - 1:+.1%} to {max(ratios) - 1:+.1%}] ({counted[name]} sentences); writing it "
            f"{statistics.median(measured['write']):.2f} s, "
            f"{statistics.median(measured['write']) / statistics.median(measured['text']):.1%} of the text's time"
        )
    if args.json:
        args.json.write_text(json.dumps(record, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
