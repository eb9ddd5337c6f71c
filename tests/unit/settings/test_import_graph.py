"""Settings and paths sit at the bottom of the import graph: no cycle passes through them."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.helpers import REPO_ROOT

LAYER = REPO_ROOT / "layers" / "pierre_rag"


def _modules() -> dict[str, Path]:
    modules = {}
    for path in (LAYER / "pierre_rag").rglob("*.py"):
        parts = list(path.relative_to(LAYER).with_suffix("").parts)
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def import_graph() -> dict[str, set[str]]:
    """Module → the package modules it imports, at the top or inside a function."""
    modules = _modules()

    def known(name: str) -> str:
        while name not in modules:
            name = name.rpartition(".")[0]
        return name

    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        imported = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [f"{node.module}.{alias.name}" for alias in node.names]
            else:
                continue
            imported |= {known(name) for name in names if name.startswith("pierre_rag")}
        graph[module] = imported - {module}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while (member := stack.pop()) != node:
                component.add(member)
            component.add(node)
            if len(component) > 1:
                found.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]


def test_paths_imports_nothing_from_the_package_and_settings_only_paths():
    graph = import_graph()

    assert graph["pierre_rag.paths"] == set()
    assert graph["pierre_rag.settings"] == {"pierre_rag.paths"}


def test_no_import_cycle_through_settings_paths_or_the_knowledge_package():
    # Given every import of the layer, lazy ones included (they run at request time)
    graph = import_graph()

    # When its cycles are listed
    involved = [
        sorted(component)
        for component in cycles(graph)
        if any(
            name in {"pierre_rag.settings", "pierre_rag.paths"}
            or name.startswith("pierre_rag.knowledge")
            for name in component
        )
    ]

    # Then none passes there (knowledge.cache → embeddings → use_model → cache was one)
    assert involved == []


def test_settings_imported_alone_loads_neither_numpy_nor_boto3():
    # The SMS webhook acks within ~100 ms: reading settings must stay cheap.
    code = (
        "import sys, pierre_rag.settings, pierre_rag.paths; "
        "print(sorted(m for m in ('numpy', 'boto3', 'pierre_rag.knowledge') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
