"""Reading inputs: encodings, binary files, folders; and atomic outputs."""

from __future__ import annotations

import codecs
import os
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
        ("مرحبا".encode("cp1256"), "x.txt: not valid UTF-8 (byte 0xe3 at offset 0); convert it first"),
        ("نص ".encode() + b"\xff", "x.txt: not valid UTF-8 (byte 0xff at offset 5)"),
        (b"PK\x03\x04\x00\x00", "x.txt: looks like a binary file (NUL byte at offset 4)"),
        (codecs.BOM_UTF16_LE + b"\x00\xd8", "x.txt: starts with a UTF-16 byte order mark but is not valid UTF-16"),
    ],
    ids=["cp1256", "bad-byte", "zip", "broken-utf16"],
)
def test_refuses_non_text(data: bytes, message: str) -> None:
    with pytest.raises(InputError) as caught:
        decode_text(data, "x.txt")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


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
