"""The shape of the code: imports run one way, and the fast path stays light."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent
PACKAGES = ("translate", "ui")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """The project modules ``path`` imports anywhere in it (inside functions too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # "from translate.x import y" may import the module translate.x.y
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        else:
            continue
        found |= {name for name in names if name in modules}
    return found


def _graph() -> dict[str, set[str]]:
    files = {_module_name(p): p for package in PACKAGES for p in (ROOT / package).rglob("*.py")}
    return {name: _imports(path, set(files)) - {name} for name, path in files.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]  # state 1: nxt is on the current path
            if nxt not in state and (found := visit(nxt, [*path, nxt])):
                return found
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start, [start])):
            return found
    return None


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_no_module_imports_one_that_imports_it_back() -> None:
    graph = _graph()
    assert {
        "translate.backend",
        "translate.ct2",
        "translate.commands.translate",
        "ui.app",
        "ui.command",
    } <= graph.keys()
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_translate_never_imports_ui() -> None:
    graph = _graph()
    assert not any(
        target.startswith("ui") for name, targets in graph.items() if name.startswith("translate") for target in targets
    )


def test_the_ctranslate2_path_imports_neither_torch_nor_transformers(model_dir: Path, tmp_path: Path) -> None:
    from translate import TranslationOptions, Translator

    Translator(model_dir, TranslationOptions(backend="ctranslate2"))  # converted once, as a user's second run finds it
    source = tmp_path / "one.txt"
    source.write_text("مرحبا بكم.", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "translate", "translate", str(source), "--model", str(model_dir)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert {"ctranslate2", "sentencepiece", "translate.ct2"} <= imported  # the run really took this path
    assert not {name for name in imported if name.split(".")[0] in ("torch", "transformers")}
    assert done.stdout.splitlines()[1].startswith("0\t0\tمرحبا بكم.\t")
