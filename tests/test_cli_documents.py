"""``tarjama translate`` takes what the reader takes: HTML, .docx, Markdown, URLs, and folders of them (issue 13)."""

from __future__ import annotations

import http.server
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixture_model import exact_model_args, seed_sentences

from translate import read_tsv
from translate.cli import main

KHAN, OTHER = seed_sentences()[2], seed_sentences()[3]
PAGE = f"""<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>خبر</title></head><body>
<nav><ul><li><a href="/">الرئيسية</a></li><li><a href="/sport">رياضة</a></li></ul></nav>
<article><p>{KHAN[0]}</p><p>{OTHER[0]}</p></article>
<footer>جميع الحقوق محفوظة — سياسة الخصوصية — اتصل بنا</footer></body></html>"""


def _pairs(path: Path) -> list[tuple[str, str]]:
    return [(p.source, p.target) for p in read_tsv(path.read_text(encoding="utf-8").splitlines(keepends=True))]


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    import docx

    docs = tmp_path / "in"
    (docs / "web").mkdir(parents=True)
    (docs / "a.txt").write_text(KHAN[0], encoding="utf-8")
    (docs / "web" / "b.html").write_text(PAGE, encoding="utf-8")
    document = docx.Document()
    document.add_paragraph(OTHER[0])
    document.save(docs / "c.docx")
    (docs / "d.md").write_text(f"# {KHAN[0]}\n", encoding="utf-8")
    (docs / "e.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0")  # not a document: left alone
    return docs


def test_a_folder_of_documents(folder: Path, tmp_path: Path, model_dir: Path) -> None:
    out = tmp_path / "out"
    assert main(["translate", str(folder), "--out-dir", str(out), *exact_model_args(model_dir), "-q"]) == 0
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert written == ["a.tsv", "c.docx.tsv", "d.md.tsv", "web/b.html.tsv"]
    assert _pairs(out / "a.tsv") == [KHAN]
    # The page's article, not its markup or its menus.
    assert _pairs(out / "web" / "b.html.tsv") == [KHAN, OTHER]
    assert _pairs(out / "c.docx.tsv") == [OTHER]
    assert [source for source, _ in _pairs(out / "d.md.tsv")] == [f"# {KHAN[0]}"]  # Markdown is read as text


def test_glob_narrows_a_folder(folder: Path, tmp_path: Path, model_dir: Path) -> None:
    out = tmp_path / "out"
    args = ["translate", str(folder), "--glob", "**/*.html", "--out-dir", str(out), *exact_model_args(model_dir)]
    assert main([*args, "-q"]) == 0
    assert [p.relative_to(out).as_posix() for p in out.rglob("*.tsv")] == ["web/b.html.tsv"]
    assert main(["translate", str(folder), "--glob", "*.odt", "--out-dir", str(out), "-q"]) == 1


def test_a_page_with_no_article_fails_alone(
    folder: Path, tmp_path: Path, model_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (folder / "menu.html").write_text("<html><body><nav><a href='/'>الرئيسية</a></nav></body></html>", "utf-8")
    out = tmp_path / "out"
    assert main(["translate", str(folder), "--out-dir", str(out), *exact_model_args(model_dir), "-q"]) == 1
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "menu.html: no article text found" in errors[0]
    assert len(list(out.rglob("*.tsv"))) == 4  # the others are all there


@pytest.fixture()
def site() -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            found = self.path == "/news/khan-tuman.html"
            self.send_response(200 if found else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write((PAGE if found else "not found").encode())

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_a_url(site: str, tmp_path: Path, model_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"{site}/news/khan-tuman.html"
    # Loopback is refused unless asked for, as in the reader.
    assert main(["translate", url, *exact_model_args(model_dir), "-q"]) == 1
    (error,) = capsys.readouterr().err.strip().splitlines()
    assert error.startswith("error:") and "refusing to fetch from a private or local address" in error
    out = tmp_path / "out"
    args = ["translate", url, f"{site}/missing", "--out-dir", str(out), "--allow-private-urls"]
    assert main([*args, *exact_model_args(model_dir), "-q"]) == 1  # the missing page fails alone
    assert _pairs(out / "khan-tuman.tsv") == [KHAN, OTHER]
    assert "the server answered 404" in capsys.readouterr().err


def test_the_summary_counts_what_failed(
    folder: Path, tmp_path: Path, model_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (folder / "menu.html").write_text("<html><body><nav><a href='/'>الرئيسية</a></nav></body></html>", "utf-8")
    (folder / "empty.txt").write_text("", "utf-8")
    out = tmp_path / "out"
    assert main(["translate", str(folder), "--out-dir", str(out), *exact_model_args(model_dir)]) == 1
    summary = capsys.readouterr().err.strip().splitlines()[-1]
    assert re.match(r"tarjama: \d+ sentences from 6 files, 2 failed in ", summary), summary


def test_inputs_that_would_share_an_output_are_refused_before_any_work(
    tmp_path: Path, model_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "x.txt").write_text(KHAN[0], encoding="utf-8")
    out = tmp_path / "out"
    args = [str(tmp_path / "a" / "x.txt"), str(tmp_path / "b" / "x.txt"), "--out-dir", str(out)]
    assert main(["translate", *args, *exact_model_args(model_dir), "-q"]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert "a/x.txt and " in line and "b/x.txt would both be written to " in line and str(out / "x.tsv") in line
    assert not out.exists()  # nothing was translated, so nothing was overwritten

    # The same file named twice is translated once, with a warning.
    twice = [str(tmp_path / "a" / "x.txt"), str(tmp_path / "a" / "x.txt"), "--out-dir", str(out)]
    assert main(["translate", *twice, *exact_model_args(model_dir), "-q"]) == 0
    assert "is named more than once; it is translated once" in capsys.readouterr().err
    assert _pairs(out / "x.tsv") == [KHAN]


def test_an_output_ending_tarjama_does_not_write_is_refused(
    tmp_path: Path, model_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "a.txt"
    source.write_text(KHAN[0], encoding="utf-8")
    assert main(["translate", str(source), "-o", str(tmp_path / "a.odt"), *exact_model_args(model_dir)]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    ending = (
        "writes .tsv, .jsonl, .tmx, .txt, .docx, .html, .md, .epub, .srt, .vtt, .pdf; end OUT with one of them, "
        "or choose with -f"
    )
    assert line.endswith(ending)
    assert not (tmp_path / "a.odt").exists()
    assert main(["translate", str(source), "-o", str(tmp_path / "a.pdf"), *exact_model_args(model_dir)]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert "-f pdf writes a .pdf input as a .pdf in English;" in line and "a.txt is none of" in line
    assert not (tmp_path / "a.pdf").exists()
    # A document's own format is written only from a document of that kind.
    assert main(["translate", str(source), "-o", str(tmp_path / "a.docx"), *exact_model_args(model_dir)]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert "-f docx writes a .docx, .pdf, .png, .jpg, .jpeg, .tif, .tiff or .webp input as a .docx in English;" in line
    assert "a.txt is none of" in line
    assert not (tmp_path / "a.docx").exists()
    # With -f the name is the person's to choose; -v works after the command too.
    args = ["-o", str(tmp_path / "a.csv"), "-f", "tsv", "-v", "-q"]
    assert main(["translate", str(source), *args, *exact_model_args(model_dir)]) == 0
    assert _pairs(tmp_path / "a.csv") == [KHAN]
    assert "info: " in capsys.readouterr().err


def test_a_glob_cannot_reach_outside_the_folder(tmp_path: Path, model_dir: Path, capsys) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(KHAN[0], encoding="utf-8")
    (tmp_path / "notes.txt").write_text(OTHER[0], encoding="utf-8")
    (tmp_path / "notes.tsv").write_text("a person's file\n", encoding="utf-8")
    for pattern in ("../*.txt", str(tmp_path / "*.txt")):
        args = [str(tmp_path / "in"), "--glob", pattern, "--out-dir", str(tmp_path / "out")]
        assert main(["translate", *args, *exact_model_args(model_dir), "-q"]) == 1
        (line,) = capsys.readouterr().err.strip().splitlines()
        assert line.startswith(f"error: --glob {pattern}: a pattern must stay inside the folder")
    assert (tmp_path / "notes.tsv").read_text(encoding="utf-8") == "a person's file\n"  # not overwritten


def test_a_link_in_a_folder_is_an_input_of_its_own(tmp_path: Path, model_dir: Path) -> None:
    (tmp_path / "in" / "A").mkdir(parents=True)
    (tmp_path / "in" / "z.txt").write_text(KHAN[0], encoding="utf-8")
    (tmp_path / "in" / "A" / "alias.txt").symlink_to(tmp_path / "in" / "z.txt")
    out = tmp_path / "out"
    assert main(["translate", str(tmp_path / "in"), "--out-dir", str(out), *exact_model_args(model_dir), "-q"]) == 0
    assert _pairs(out / "z.tsv") == _pairs(out / "A" / "alias.tsv") == [KHAN]


def test_outputs_inside_the_folder_are_not_translated_again(tmp_path: Path, model_dir: Path, capsys) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(KHAN[0], encoding="utf-8")
    args = [str(tmp_path / "in"), "--out-dir", str(tmp_path / "in" / "out"), "-f", "txt", "-q"]
    for _ in range(2):
        assert main(["translate", *args, *exact_model_args(model_dir)]) == 0
    assert sorted(p.relative_to(tmp_path / "in").as_posix() for p in (tmp_path / "in").rglob("*.txt")) == [
        "a.txt",
        "out/a.en.txt",
    ]
    assert "left out 1 file(s) under --out-dir" in capsys.readouterr().err


TRUCES_AR = seed_sentences()[8][0]
CHANGED = TRUCES_AR.replace("73", "72")  # the fixture model writes its memorised 73: a number check fails


def _article(tmp_path: Path, suffix: str) -> Path:
    """The same two paragraphs (the second with a number the model changes) as a ``suffix`` file."""
    path = tmp_path / f"truces{suffix}"
    if suffix == ".docx":
        import docx

        document = docx.Document()
        document.add_paragraph(KHAN[0])
        document.add_paragraph(CHANGED)
        document.save(path)
    elif suffix == ".html":
        path.write_text(f"<html><body><p>{KHAN[0]}</p><p>{CHANGED}</p></body></html>", encoding="utf-8")
    else:
        path.write_text(f"{KHAN[0]}\n\n{CHANGED}\n", encoding="utf-8")
    return path


def _warnings(err: str, name: str) -> list[str]:
    """The warning lines about ``name``, with its name taken out (so that outputs can be compared)."""
    return sorted(line.split(f"{name}: ", 1)[1] for line in err.splitlines() if f"{name}: " in line)


@pytest.mark.parametrize("suffix", [".docx", ".html", ".md"])
def test_a_document_written_back_warns_as_its_tsv_does(
    suffix: str, tmp_path: Path, model_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = [*exact_model_args(model_dir), "--no-cache", "--no-repair"]
    text = _article(tmp_path, ".txt")
    assert main(["translate", str(text), "-o", str(tmp_path / "truces.tsv"), *model]) == 0
    expected = _warnings(capsys.readouterr().err, text.name)
    assert expected == [
        "1 sentence(s) with a number missing or changed (index 1); --review FILE lists each one with its place"
    ]
    document = _article(tmp_path, suffix)
    out = tmp_path / "out" / f"english{suffix}"
    assert main(["translate", str(document), "-o", str(out), *model]) == 0
    assert out.exists()
    assert _warnings(capsys.readouterr().err, document.name) == expected


@pytest.mark.parametrize(("suffix", "output", "place"), [(".txt", "tsv", "paragraph 1"), (".docx", "docx", "block 1")])
def test_review_lists_each_flagged_sentence_where_it_stands(
    suffix: str, output: str, place: str, tmp_path: Path, model_dir: Path
) -> None:
    source = _article(tmp_path, suffix)
    review = tmp_path / "review.tsv"
    args = ["translate", str(source), "-o", str(tmp_path / f"english.{output}"), "--review", str(review)]
    assert main([*args, *exact_model_args(model_dir), "--no-cache", "--no-repair", "-q"]) == 0
    header, *rows = review.read_text(encoding="utf-8").splitlines()
    assert header == "file\tplace\tindex\tchecks\tsource\ttarget"
    assert len(rows) == 1  # the first paragraph is translated faithfully: not listed
    name, where, index, checks, arabic, english = rows[0].split("\t")
    assert (name, where, index, checks) == (str(source), place, "1", "number: 72 became 73")
    assert arabic == CHANGED and "73-hour" in english


def test_review_of_a_run_with_nothing_flagged_is_its_header(tmp_path: Path, model_dir: Path) -> None:
    source = _article(tmp_path, ".txt")
    review = tmp_path / "review.tsv"
    args = ["translate", str(source), "-o", str(tmp_path / "english.tsv"), "--review", str(review), "-q"]
    assert main([*args, *exact_model_args(model_dir), "--no-cache"]) == 0  # repaired: nothing left to flag
    assert review.read_text(encoding="utf-8") == "file\tplace\tindex\tchecks\tsource\ttarget\n"
