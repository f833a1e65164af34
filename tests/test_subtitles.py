"""Subtitles back as subtitles (issue 25): sentences translated whole across cues, the English cut back over them."""

from __future__ import annotations

from pathlib import Path

import pytest
import srt
import webvtt
from fixture_model import exact_model_args, seed_sentences

from translate.cli import main
from translate.errors import InputError
from translate.formats.subtitles import Subtitles
from translate.normalize import contains_arabic

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"
SEED = seed_sentences()


def _thirds(text: str) -> list[str]:
    words = text.split()
    third = len(words) // 3
    return [" ".join(words[:third]), " ".join(words[third : 2 * third]), " ".join(words[2 * third :])]


def _srt_file(path: Path, encoding: str = "utf-8") -> Path:
    """Seed sentence 1 over three cues (two lines in the second), then sentence 2 in one cue after a pause."""
    first, second, third = _thirds(SEED[0][0])
    half = len(second.split()) // 2
    second = " ".join(second.split()[:half]) + "\n" + " ".join(second.split()[half:])
    text = (
        f"1\n00:00:01,000 --> 00:00:03,500\n{first}\n\n"
        f"2\n00:00:03,600 --> 00:00:06,000\n{second}\n\n"
        f"3\n00:00:06,100 --> 00:00:09,000\n<i>{third}</i>\n\n"
        f"7\n00:00:12,000 --> 00:00:15,000\n{SEED[1][0]}\n"
    )
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "cp1256"])
def test_a_sentence_over_three_cues_is_translated_whole_and_cut_back(
    model_dir: Path, tmp_path: Path, encoding: str
) -> None:
    source = _srt_file(tmp_path / "film.srt", encoding)
    out = tmp_path / "film.en.srt"
    assert main(["translate", str(source), "-o", str(out), *exact_model_args(model_dir), "-q"]) == 0
    before = list(srt.parse(source.read_bytes().decode(encoding)))
    after = list(srt.parse(out.read_text(encoding="utf-8")))
    # The same cues: numbers (7 stays 7) and timings.
    assert [(c.index, c.start, c.end) for c in after] == [(c.index, c.start, c.end) for c in before]
    cues = [" ".join(c.content.split()) for c in after]
    # Every English word of the sentence once, in order, over the three cues, each with some of it.
    assert " ".join(cues[:3]) == " ".join(SEED[0][1].split())
    assert all(cues[:3])
    assert cues[3] == " ".join(SEED[1][1].split())
    assert all(len(line) <= 42 for c in after for line in c.content.splitlines() if " " in line)


VTT = (
    "WEBVTT - a film\n\n"
    "STYLE\n::cue {{ color: yellow }}\n\n"
    "NOTE translated by tarjama, kept as it was\n\n"
    "opening\n00:00:01.000 --> 00:00:04.000 align:start line:90%\n<v Ahmad>{first}\n\n"
    "00:00:04.100 --> 00:00:09.000\n{rest}\n"
)


def test_a_vtt_file_keeps_everything_but_its_cue_text(model_dir: Path, tmp_path: Path) -> None:
    first, second, third = _thirds(SEED[0][0])
    source = tmp_path / "film.vtt"
    source.write_text(VTT.format(first=first, rest=f"{second} {third}"), encoding="utf-8")
    out = tmp_path / "film.en.vtt"
    assert main(["translate", str(source), "-o", str(out), *exact_model_args(model_dir), "-q"]) == 0
    written = out.read_text(encoding="utf-8")
    assert written.startswith("WEBVTT - a film\n\nSTYLE\n::cue { color: yellow }\n\nNOTE translated by tarjama")
    assert "opening\n00:00:01.000 --> 00:00:04.000 align:start line:90%\n<v Ahmad>" in written
    captions = webvtt.from_string(written).captions
    assert [c.identifier for c in captions] == ["opening", None]
    assert " ".join(" ".join(c.text.split()) for c in captions) == " ".join(SEED[0][1].split())
    assert captions[0].voice == "Ahmad"


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="the shared samples are not here")
def test_a_cue_identifier_is_not_its_text() -> None:
    """vtt.js's test file: a long Arabic paragraph where a cue identifier goes; the cue's text is "Payload"."""
    subtitles = Subtitles("long.vtt", (SAMPLES / "vttjs_long_string_arabic.vtt").read_bytes())
    assert [b.text for b in subtitles.blocks] == ["Payload"]


def test_broken_subtitles_are_refused_in_one_line() -> None:
    with pytest.raises(InputError, match=r"not a readable \.srt file"):
        Subtitles("bad.srt", b"1\n00:00:01,000 --> nonsense\n\xd9\x85\n\n")
    with pytest.raises(InputError, match="must start with WEBVTT"):
        Subtitles("bad.vtt", "00:00:01.000 --> 00:00:02.000\nمرحبا\n".encode())


def test_bilingual_subtitles_show_both_lines(model_dir: Path, tmp_path: Path) -> None:
    source = _srt_file(tmp_path / "film.srt")
    out = tmp_path / "film.both.srt"
    assert main(["translate", str(source), "-o", str(out), "--bilingual", *exact_model_args(model_dir), "-q"]) == 0
    before = list(srt.parse(source.read_text(encoding="utf-8")))
    after = list(srt.parse(out.read_text(encoding="utf-8")))
    assert [(c.index, c.start, c.end) for c in after] == [(c.index, c.start, c.end) for c in before]
    last = after[3].content.splitlines()
    arabic = [line for line in last if contains_arabic(line)]
    english = last[len(arabic) :]
    # The Arabic first, wrapped at 42 characters as the English is (it was one line of 244), then the English.
    assert " ".join(arabic) == SEED[1][0] and " ".join(english) == " ".join(SEED[1][1].split())
    assert len(arabic) > 1 and all(len(line) <= 42 for line in arabic + english)


def test_crlf_subtitles_come_back_in_crlf(model_dir: Path, tmp_path: Path) -> None:
    source = _srt_file(tmp_path / "film.srt")
    source.write_bytes(source.read_bytes().replace(b"\n", b"\r\n"))
    out = tmp_path / "film.en.srt"
    assert main(["translate", str(source), "-o", str(out), *exact_model_args(model_dir), "-q"]) == 0
    written = out.read_bytes()
    # Every line ends as the file's did: no bare LF, and the lines around the cues' text are those of the file.
    assert written.count(b"\n") == written.count(b"\r\n") > 0

    def frame(data: bytes) -> list[bytes]:  # srt.compose ends a file with a blank line: the end is not compared
        return [line for line in data.rstrip().split(b"\r\n") if b"-->" in line or line.isdigit() or not line]

    assert frame(written) == frame(source.read_bytes())


@pytest.mark.parametrize("kind", ["srt", "vtt"])
@pytest.mark.parametrize("bilingual", [False, True])
def test_a_cue_without_arabic_comes_back_as_it_was(
    model_dir: Path, tmp_path: Path, kind: str, bilingual: bool, caplog: pytest.LogCaptureFixture
) -> None:
    # An English cue with no final stop before an Arabic sentence: it used to join the sentence and take
    # part of its English ("Payload" came back "Hello"). A sound label and a bare number likewise.
    english = ["<i>Payload</i>", "[MUSIC]\n♪ la la ♪", "2016"]
    stamp = "," if kind == "srt" else "."
    cues = [english[0], SEED[0][0], english[1], SEED[1][0], english[2]]
    text = "WEBVTT\n\n" if kind == "vtt" else ""
    for k, cue in enumerate(cues, 1):
        text += f"{k}\n00:00:0{k}{stamp}000 --> 00:00:0{k}{stamp}900\n{cue}\n\n"
    source = tmp_path / f"film.{kind}"
    source.write_text(text, encoding="utf-8")
    out = tmp_path / f"film.en.{kind}"
    extra = ["--bilingual"] if bilingual else []
    assert main(["translate", str(source), "-o", str(out), *extra, *exact_model_args(model_dir), "-q"]) == 0
    written = out.read_text(encoding="utf-8")
    payloads = [block.split("\n", 2)[2].strip("\n") for block in written.split("\n\n") if "-->" in block]
    assert [payloads[0], payloads[2], payloads[4]] == english  # markup, line breaks and all
    for at, (_, translation) in ((1, SEED[0]), (3, SEED[1])):
        lines = payloads[at].splitlines()
        shown = [line for line in lines if not contains_arabic(line)]
        assert " ".join(shown) == " ".join(translation.split())
        assert bool(len(shown) < len(lines)) is bilingual


def test_a_subtitle_file_without_arabic_is_copied_and_said_once(
    model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        "WEBVTT\n\nNOTE made by hand\n\n"
        "00:00:01.000 --> 00:00:02.000\n<v Ann>Hello there\n\n00:00:03.000 --> 00:00:04.000\nBye.\n"
    )
    source = tmp_path / "english.vtt"
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "english.en.vtt"
    assert main(["translate", str(source), "-o", str(out), *exact_model_args(model_dir)]) == 0
    assert out.read_text(encoding="utf-8") == text
    said = capsys.readouterr().err
    assert said.count("no Arabic text found; it is copied as it was") == 1
