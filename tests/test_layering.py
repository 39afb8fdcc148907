"""The import graph reads top-down: rag/ never imports ui/ or eval/ at module level, and no package's
modules import each other in a circle. `python tests/test_layering.py` prints the graph."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("rag", "ui", "eval")


def module_imports() -> dict[str, set[str]]:
    """Each project module and the project modules it imports at module level (not inside functions)."""
    graph: dict[str, set[str]] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).glob("*.py")):
            name = f"{package}.{path.stem}"
            graph[name] = set()
            for node in ast.parse(path.read_text()).body:
                graph[name] |= _imported(node, package)
    return graph


def _imported(node: ast.stmt, package: str) -> set[str]:
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name.split(".")[0] in PACKAGES}
    if isinstance(node, ast.ImportFrom):
        base = package if node.level else (node.module or "").split(".")[0]
        module = f"{package}.{node.module}" if node.level and node.module else (node.module or package)
        if base not in PACKAGES:
            return set()
        # "from . import slots" and "from rag import ask" both name modules or package members.
        if module in PACKAGES:
            return {f"{module}.{alias.name}" for alias in node.names}
        return {module}
    return set()  # `if TYPE_CHECKING:` imports and those inside functions are not module-level


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    found, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if nxt not in graph:
                continue
            if state.get(nxt) == "open":
                found.append(path[path.index(nxt):] + [nxt] if nxt in path else [node, nxt])
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return found


def test_rag_imports_nothing_above_it():
    graph = module_imports()
    upward = {(m, i) for m, imports in graph.items() if m.startswith("rag.") for i in imports
              if i.startswith(("ui", "eval"))}
    assert not upward


def test_ui_and_eval_do_not_import_each_other():
    graph = module_imports()
    assert not {(m, i) for m, imports in graph.items() for i in imports
                if m.split(".")[0] in ("ui", "eval") and i.split(".")[0] in ("ui", "eval")
                and m.split(".")[0] != i.split(".")[0]}


def test_no_import_circles():
    assert cycles(module_imports()) == []


def test_the_graph_sees_real_imports():
    graph = module_imports()
    assert "rag.store" in graph["rag.ingest"] and "ui.render" in graph["ui.app"] and "rag.llm" in graph["eval.run"]
    assert cycles({"a": {"b"}, "b": {"a"}}) == [["a", "b", "a"]]


if __name__ == "__main__":
    for module, imports in sorted(module_imports().items()):
        print(f"{module} -> {', '.join(sorted(i for i in imports if i in module_imports())) or '-'}")
    sys.exit(1 if cycles(module_imports()) else 0)
