"""Checks and repairs with the real fixture model (issue 24): numbers put back, names made consistent, reported.

The fixture memorises the seed article's English. Changing a number in the
Arabic ("72" for the article's "73-hour truce") gives a sentence the model
translates with the number it memorised: exactly the silent change a news
reader cannot afford, and what the number check and its repair are for.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from fixture_model import exact_model_args, name_pairs, seed_sentences
from spellings import spell_one_oddly

from translate import TranslationOptions, Translator
from translate.cli import main
from translate.memory import CachedBackend, TranslationMemory

TRUCES_AR, TRUCES_EN = seed_sentences()[8]
assert "73" in TRUCES_AR and "73-hour" in TRUCES_EN


@pytest.fixture()
def without_repair(translator):
    translator.options = dataclasses.replace(translator.options, repair=False)
    yield translator
    translator.options = dataclasses.replace(translator.options, repair=True)


def test_a_changed_number_is_put_right_and_nothing_else_changes(translator) -> None:
    (pair,) = translator.translate_text(TRUCES_AR.replace("73", "72"))
    assert pair.target == TRUCES_EN.replace("73-hour", "72-hour")
    assert pair.checks == ()


def test_without_repair_the_changed_number_is_reported_where_it_stands(without_repair) -> None:
    arabic = TRUCES_AR.replace("73", "72")
    (pair,) = without_repair.translate_text(arabic)
    assert pair.target == TRUCES_EN  # the model's English, its 73 untouched
    (check,) = pair.checks
    assert (check.kind, check.detail) == ("number", "72 became 73")
    assert arabic[slice(*check.source)] == "72" and pair.target[slice(*check.target)] == "73"
    assert pair.flagged


def test_arabic_indic_digits_need_no_repair(translator) -> None:
    (pair,) = translator.translate_text(TRUCES_AR.replace("48", "٤٨"))
    assert "48-hour" in pair.target and pair.checks == ()


def test_a_repair_is_never_a_silent_change(translator, without_repair) -> None:
    """Whatever the repair does with a number the model drops, it fixes the number or leaves the English as it was."""
    arabic = name_pairs()[3].arabic.rstrip(".") + " مع 40 جنديا."  # "... with 40 soldiers": words it never saw
    (plain,) = without_repair.translate_text(arabic)
    assert any(c.kind == "number" and "40" in c.detail for c in plain.checks)
    without_repair.options = dataclasses.replace(without_repair.options, repair=True)
    (pair,) = translator.translate_text(arabic)
    if any(c.kind == "number" for c in pair.checks):
        assert pair.target == plain.target  # not repaired: the model's English, still flagged
    else:
        assert "40" in pair.target
        kept = [w for w in plain.target.split() if not any(ch.isdigit() for ch in w)]
        assert all(w in pair.target.split() for w in kept)


def test_cli_summarises_checks_and_writes_them(model_dir: Path, tmp_path: Path, capsys) -> None:
    source = tmp_path / "truces.txt"
    source.write_text(seed_sentences()[2][0] + "\n\n" + TRUCES_AR.replace("73", "72"), encoding="utf-8")
    out = tmp_path / "truces.jsonl"
    args = ["translate", str(source), "-o", str(out), *exact_model_args(model_dir), "--no-cache"]
    assert main([*args, "--no-repair"]) == 0
    err = capsys.readouterr().err
    assert "truces.txt: 1 sentence(s) with a number missing or changed (index 1)" in err
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert records[0]["checks"] == []
    assert [(c["kind"], c["detail"]) for c in records[1]["checks"]] == [("number", "72 became 73")]
    assert main(args) == 0  # repaired by default: nothing to report
    assert "number missing" not in capsys.readouterr().err
    assert "72-hour" in json.loads(out.read_text(encoding="utf-8").splitlines()[1])["translation"]["en"]
    tmx = tmp_path / "truces.tmx"
    assert (
        main(["translate", str(source), "-o", str(tmx), *exact_model_args(model_dir), "--no-cache", "--no-repair"]) == 0
    )
    assert '<prop type="x-check">number: 72 became 73</prop>' in tmx.read_text(encoding="utf-8")


def _spelled_two_ways(model_dir: Path, memory_path: Path) -> str:
    """An article naming Khan Tuman in four sentences, one of which the memory holds spelled "Khan Touman"."""
    memory = TranslationMemory(memory_path)
    translator = Translator(model_dir, TranslationOptions(compute_type="float32"), memory=memory)
    assert isinstance(translator.backend, CachedBackend)
    article = spell_one_oddly(translator.backend)
    memory.close()
    return article


def test_a_name_spelled_two_ways_is_reported_and_fixed(model_dir: Path, tmp_path: Path, capsys) -> None:
    memory = tmp_path / "memory.sqlite3"
    source = tmp_path / "names.txt"
    source.write_text(_spelled_two_ways(model_dir, memory), encoding="utf-8")
    out = tmp_path / "names.jsonl"
    args = ["translate", str(source), "-o", str(out), *exact_model_args(model_dir), "--cache", str(memory)]
    assert main([*args, "--consistency", "report"]) == 0
    err = capsys.readouterr().err
    assert "names.txt: خان طومان: Khan Tuman ×" in err and "Khan Touman ×1" in err
    english = [json.loads(line)["translation"]["en"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert sum("Khan Touman" in e for e in english) == 1
    assert main([*args, "--consistency", "fix"]) == 0
    err = capsys.readouterr().err
    assert "using 'Khan Tuman' (--consistency fix)" in err
    english = [json.loads(line)["translation"]["en"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert not any("Touman" in e for e in english) and all("Khan Tuman" in e for e in english)
