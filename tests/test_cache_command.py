"""Seeing and undoing human translations: `tarjama cache corrections` / `forget`, and the memory API under them.

No model is needed: the memory is filled directly, the CLI runs in-process.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from translate.cli import main
from translate.memory import HumanTranslation, TranslationMemory
from translate.normalize import normalize_for_model
from translate.types import Hypothesis

HEADER = "id\tupdated\tsource\ttarget"
HOW = normalize_for_model("كيف  حالك؟")
WELCOME = normalize_for_model("مرحبا بكم.")
THIRD = normalize_for_model("هذه الجملة الثالثة.")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "memory.sqlite3"


def _filled(db: Path) -> TranslationMemory:
    memory = TranslationMemory(db)
    memory.store_machine("m", [("k1", HOW, Hypothesis("How are you?", 5)), ("k2", WELCOME, Hypothesis("Welcome.", 3))])
    memory.store_human(HOW, "How do you do?")
    memory.store_human(WELCOME, "Be welcome.")
    memory.store_human(THIRD, "This is the third sentence.")
    return memory


def _ids(memory: TranslationMemory) -> dict[str, int]:
    return {item.source: item.id for item in memory.human_translations()}


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_human_translations_are_typed_and_ordered_by_update(db: Path) -> None:
    memory = _filled(db)
    first = memory.human_translations()
    assert all(isinstance(item, HumanTranslation) for item in first)
    assert [item.source for item in first] == [HOW, WELCOME, THIRD]
    memory.store_human(HOW, "How are things?")  # a new correction replaces the row: newest, new id
    again = memory.human_translations()
    assert [(item.source, item.target) for item in again] == [
        (WELCOME, "Be welcome."),
        (THIRD, "This is the third sentence."),
        (HOW, "How are things?"),
    ]
    assert again[-1].id not in {item.id for item in first}
    assert [item.updated for item in again] == sorted(item.updated for item in again)


def test_corrections_lists_the_stored_human_translations(db: Path, capsys) -> None:
    memory = _filled(db)
    memory.store_human("a\tb\\c", "x\ny")  # cannot come from the reader (normalized), escaped all the same
    code, out, err = _run(capsys, "cache", "corrections", "--cache", str(db))
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == HEADER
    expected = [
        f"{item.id}\t{datetime.fromtimestamp(item.updated).isoformat(timespec='seconds')}\t{source}\t{target}"
        for item, (source, target) in zip(
            memory.human_translations(),
            [
                (HOW, "How do you do?"),
                (WELCOME, "Be welcome."),
                (THIRD, "This is the third sentence."),
                ("a\\tb\\\\c", "x\\ny"),
            ],
            strict=True,
        )
    ]
    assert lines[1:] == expected
    assert len(lines[2].split("\t")[1]) == len("2024-01-31T12:34:56")  # to the second, no fraction


def test_listing_an_empty_memory_prints_only_the_header(db: Path, capsys) -> None:
    code, out, _ = _run(capsys, "cache", "corrections", "--cache", str(db))
    assert (code, out) == (0, HEADER + "\n")


def test_forget_by_id_removes_exactly_those(db: Path, capsys) -> None:
    memory = _filled(db)
    ids = _ids(memory)
    code, out, err = _run(capsys, "cache", "forget", str(ids[HOW]), str(ids[THIRD]), "--cache", str(db))
    assert (code, out, err) == (0, "", "removed 2 corrections\n")
    assert [(item.id, item.source) for item in memory.human_translations()] == [(ids[WELCOME], WELCOME)]
    assert memory.stats().machine == 2


def test_forget_all_keeps_machine_translations(db: Path, capsys) -> None:
    _filled(db)
    code, _, err = _run(capsys, "cache", "forget", "--all", "--cache", str(db))
    assert code == 0 and err.startswith("removed 3 corrections")
    code, out, _ = _run(capsys, "cache", "stats", "--cache", str(db))
    assert code == 0
    assert "machine translations\t2\nhuman translations\t0\n" in out


def test_an_unknown_id_is_a_one_line_error_after_removing_the_known_ones(db: Path, capsys) -> None:
    memory = _filled(db)
    ids = _ids(memory)
    code, out, err = _run(capsys, "cache", "forget", str(ids[WELCOME]), "999", "--cache", str(db))
    assert code == 1 and out == ""
    assert err.splitlines()[0] == "removed 1 corrections"
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "999" in errors[0] and "tarjama cache corrections" in errors[0]
    assert len(err.splitlines()) == 2
    assert WELCOME not in _ids(memory) and {HOW, THIRD} <= _ids(memory).keys()


@pytest.mark.parametrize(
    "argv",
    [["cache", "forget"], ["cache", "forget", "1", "--all"], ["cache", "forget", "0"], ["cache", "forget", "one"]],
)
def test_bad_forget_usage_exits_2_and_removes_nothing(db: Path, capsys, argv: list[str]) -> None:
    memory = _filled(db)
    code, out, err = _run(capsys, *argv, "--cache", str(db))
    assert code == 2 and out == ""
    (line,) = err.strip().splitlines()  # one line that says where the usage is
    assert "usage: tarjama cache forget" in line or "see `tarjama cache forget --help`" in line
    assert len(memory.human_translations()) == 3


def test_cache_path_applies_before_or_after_the_action(db: Path, capsys) -> None:
    _filled(db)
    for argv in (["cache", "--cache", str(db), "stats"], ["cache", "stats", "--cache", str(db)]):
        code, out, _ = _run(capsys, *argv)
        assert code == 0 and out.startswith(f"path\t{db}\n") and "human translations\t3\n" in out
    code, out, _ = _run(capsys, "cache", "--cache", str(db), "corrections")
    assert code == 0 and len(out.splitlines()) == 4


def test_forget_human_by_source_reverts_to_machine_translation(db: Path) -> None:
    memory = _filled(db)
    assert memory.forget_human(HOW) is True
    assert memory.forget_human(HOW) is False  # nothing left to forget
    assert memory.human([HOW, WELCOME]) == {WELCOME: "Be welcome."}
    assert memory.machine(["k1"]) == {"k1": Hypothesis("How are you?", 5)}


def test_forget_by_ids_and_clear_human_count_what_they_removed(db: Path) -> None:
    memory = _filled(db)
    ids = _ids(memory)
    assert memory.forget_human_ids([ids[HOW], ids[HOW], 12345]) == 1  # repeated and unknown ids removed nothing more
    assert memory.forget_human_ids([]) == 0
    assert memory.clear_human() == 2
    assert memory.human_translations() == []
    assert memory.stats().machine == 2


def test_a_memory_that_cannot_be_used_is_one_line(tmp_path: Path, capsys) -> None:
    (tmp_path / "not-a-db").write_text("junk\n", encoding="utf-8")
    for where in (tmp_path, tmp_path / "not-a-db"):  # a folder, and a file that is not a database
        for action in ("stats", "corrections", "clear"):
            code, out, err = _run(capsys, "cache", action, "--cache", str(where))
            assert code == 1 and out == "", err
            (line,) = err.strip().splitlines()
            assert line.startswith(f"error: cannot use the translation memory {where}: ")
    assert (tmp_path / "not-a-db").read_text(encoding="utf-8") == "junk\n"


def test_an_id_past_sqlites_range_is_unknown(db: Path, capsys) -> None:
    memory = _filled(db)
    code, _, err = _run(capsys, "cache", "forget", "99999999999999999999", "--cache", str(db))
    assert code == 1 and "no correction with id 99999999999999999999" in err and "Traceback" not in err
    assert len(memory.human_translations()) == 3


def test_suggestions_are_listed_accepted_and_rejected_by_id(db: Path, capsys) -> None:
    memory = TranslationMemory(db)
    kept = memory.suggest(HOW, "How\tdo you do?", "127.0.0.1 (via a proxy: 203.0.113.5)")
    other = memory.suggest(WELCOME, "Be welcome.", "key:0123456789ab")
    code, out, _ = _run(capsys, "cache", "suggestions", "--cache", str(db))
    rows = [line.split("\t") for line in out.splitlines()]
    assert code == 0 and rows[0] == ["id", "created", "who", "source", "target"]
    assert [(int(r[0]), r[2], r[3], r[4]) for r in rows[1:]] == [
        (kept, "127.0.0.1 (via a proxy: 203.0.113.5)", HOW, "How\\tdo you do?"),  # a tab escaped: one row
        (other, "key:0123456789ab", WELCOME, "Be welcome."),
    ]
    code, _, err = _run(capsys, "cache", "accept", str(kept), "9", "--cache", str(db))
    assert code == 1 and "accepted 1 suggestions" in err and "no suggestion with id 9" in err
    assert memory.human([HOW]) == {HOW: "How\tdo you do?"}
    code, _, err = _run(capsys, "cache", "reject", str(other), "--cache", str(db))
    assert code == 0 and "rejected 1 suggestions" in err
    assert memory.suggestions() == [] and memory.human([WELCOME]) == {}
