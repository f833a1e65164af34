"""Reading inputs: encodings, binary files, folders; and atomic outputs."""

from __future__ import annotations

import codecs
import logging
import os
import random
import stat
from pathlib import Path

import pytest

from translate import InputError
from translate.files import InputFile, atomic_output, decode_text, expand_input, read_input

TEXT = "مرحبا بكم.\r\nكيف حالك؟"


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        TEXT.encode("utf-16"),  # with BOM, native order
        codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
        codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"),
    ],
    ids=["utf8", "utf8-bom", "utf16", "utf16-be", "utf16-le"],
)
def test_decodes_text(data: bytes) -> None:
    assert decode_text(data, "x.txt") == TEXT


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("café".encode("latin-1"), "x.txt: not valid UTF-8 (byte 0xe9 at offset 3), nor Arabic in Windows-1256"),
        ("نص ".encode() + b"\xff", "x.txt: not valid UTF-8 (byte 0xff at offset 5) though most of it is"),
        (b"PK\x03\x04\x00\x00", "x.txt: looks like a binary file (NUL byte at offset 4)"),
        (codecs.BOM_UTF16_LE + b"\x00\xd8", "x.txt: starts with a UTF-16 byte order mark but is not valid UTF-16"),
    ],
    ids=["latin1", "bad-byte", "zip", "broken-utf16"],
)
def test_refuses_non_text(data: bytes, message: str) -> None:
    with pytest.raises(InputError) as caught:
        decode_text(data, "x.txt")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


ARTICLE = (
    "خان طومان قرية صغيرة تقع على الطريق الدولي في الريف الجنوبي لحلب، وهي شريان الدعم اللوجستي لقوات النظام.\r\n"
    "هل تتصدر هذه القرية الصغيرة مسرح العمليات في سورية؟ (رويترز)"
)


@pytest.mark.parametrize(
    ("text", "codec", "encoding"),
    [
        (ARTICLE, "cp1256", "Windows-1256"),
        (TEXT, "cp1256", "Windows-1256"),
        ("مرحبا", "cp1256", "Windows-1256"),
        (ARTICLE + " Reuters, AFP", "cp1256", "Windows-1256"),  # a little Latin script is fine
        (ARTICLE, "iso8859-6", "ISO-8859-6"),  # read as Windows-1256 it would be 0.8 Arabic, but garbled
    ],
    ids=["cp1256-article", "cp1256-lines", "cp1256-word", "cp1256-some-latin", "iso8859-6"],
)
def test_decodes_legacy_arabic(
    text: str, codec: str, encoding: str, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    with caplog.at_level(logging.INFO, logger="tarjama"):
        assert decode_text(text.encode(codec), "x.txt") == text
    assert [(r.name, r.levelno, r.getMessage()) for r in caplog.records] == [
        ("tarjama", logging.INFO, f"x.txt: not UTF-8; read it as Arabic in {encoding}")
    ]
    assert capsys.readouterr() == ("", "")


def test_utf8_wins_over_a_legacy_reading(caplog: pytest.LogCaptureFixture) -> None:
    data = ARTICLE.encode("utf-8")
    mojibake = [ch for ch in data.decode("cp1256") if ch.isalpha()]
    assert sum("\u0600" <= ch <= "\u06ff" for ch in mojibake) > 0.9 * len(mojibake)  # would pass as Arabic
    with caplog.at_level(logging.INFO, logger="tarjama"):
        assert decode_text(data, "x.txt") == ARTICLE
    assert caplog.records == []


def _junk(seed: int, low: int) -> bytes:
    rng = random.Random(seed)
    return bytes(rng.randrange(low, 256) for _ in range(3000))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("L'été dernier, nous sommes allés à la mer: c'était très agréable.".encode("latin-1"), "nor Arabic"),
        ("Größere Städte wie München und Köln".encode("cp1252"), "nor Arabic"),
        ("Москва является столицей России и крупнейшим городом страны.".encode("cp1251"), "nor Arabic"),
        ("ירושלים היא עיר הבירה של מדינת ישראל והעיר הגדולה ביותר בה.".encode("cp1255"), "nor Arabic"),
        ("Η Αθήνα είναι η πρωτεύουσα της Ελλάδας.".encode("cp1253"), "nor Arabic"),
        ("€…‰".encode("cp1256"), "nor Arabic"),  # no letters at all
        (_junk(1, 1), "nor Arabic"),  # control bytes
        (b"\x02\x10" + ARTICLE.encode("cp1256") + b"\x1f\x7f", "nor Arabic"),  # Arabic strings in a binary format
        (_junk(2, 0x80), "nor Arabic"),  # only high bytes: about 0.74 Arabic letters
        (ARTICLE.encode() + b"\xff", "though most of it is"),  # read as cp1256 it is 0.9 "Arabic"
        (ARTICLE.encode()[:-2] + "؟".encode()[:1], "though most of it is"),  # cut in a character
        (ARTICLE.encode() + " مرحبا ".encode("cp1256") + ARTICLE.encode(), "though most of it is"),  # pasted in
    ],
    ids=[
        "fr-latin1",
        "de-cp1252",
        "ru-cp1251",
        "he-cp1255",
        "el-cp1253",
        "no-letters",
        "junk",
        "arabic-in-binary",
        "high-junk",
        "utf8-bad-byte",
        "utf8-cut",
        "utf8-with-a-cp1256-word",
    ],
)
def test_refuses_what_is_not_arabic_in_a_legacy_code_page(
    data: bytes, message: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="tarjama"), pytest.raises(InputError) as caught:
        decode_text(data, "x.txt")
    text = str(caught.value)
    assert text.startswith("x.txt: not valid UTF-8 (byte 0x") and message in text
    assert text.endswith("save it as UTF-8") or text.endswith("save it again as UTF-8")
    assert "\n" not in text
    assert caplog.records == []


def test_read_input_decodes_cp1256(tmp_path: Path) -> None:
    path = tmp_path / "old.txt"
    path.write_bytes(ARTICLE.encode("cp1256"))
    assert read_input(expand_input(str(path))[0]) == ARTICLE


def test_expand_input(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    for name in ("z.txt", "a.txt", "b/c.txt", "b/d.md"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    found = expand_input(str(tmp_path))
    assert [str(f.relative) for f in found] == ["a.txt", "b/c.txt", "z.txt"]
    assert expand_input("-")[0].path is None
    single = expand_input(str(tmp_path / "z.txt"))
    assert [(f.name, str(f.relative)) for f in single] == [(str(tmp_path / "z.txt"), "z.txt")]
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match=r"empty: folder has no \.txt files"):
        expand_input(str(tmp_path / "empty"))


def test_read_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"missing\.txt: no such file"):
        read_input(expand_input(str(tmp_path / "missing.txt"))[0])
    with pytest.raises(InputError, match="b: is a folder"):
        read_input(InputFile("b", tmp_path, Path("b")))


def test_atomic_output_replaces_only_on_success(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "out.tsv"
    with atomic_output(target) as out:
        out.write("first\n")
        assert not target.exists()  # nothing visible until the block ends
    assert target.read_text() == "first\n"
    with pytest.raises(RuntimeError), atomic_output(target) as out:
        out.write("half")
        raise RuntimeError("crash")
    assert target.read_text() == "first\n"
    assert [p.name for p in target.parent.iterdir()] == ["out.tsv"]


def test_atomic_output_gets_the_usual_file_mode(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        with atomic_output(tmp_path / "out.tsv") as out:
            out.write("x\n")
        os.umask(0o077)
        with atomic_output(tmp_path / "private.tsv") as out:
            out.write("x\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "out.tsv").stat().st_mode) == 0o644  # not mkstemp's 0600
    assert stat.S_IMODE((tmp_path / "private.tsv").stat().st_mode) == 0o600
