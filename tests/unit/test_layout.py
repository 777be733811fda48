"""The package's shape: modules small enough to read in one sitting, and no import cycle between them."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "include" / "kopdes_hub"
MAX_LINES = 400


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module(p): p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts}


def _imports(path: Path, known: set[str]) -> set[str]:
    """Package modules a module imports at its top level (imports inside functions are deferred on purpose)."""
    found: set[str] = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                found.add(full if full in known else node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return {m for m in found if m in known}


def test_no_module_is_over_400_lines():
    long = {name: n for name, p in _modules().items() if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert long == {}


def test_no_import_cycle():
    modules = _modules()
    graph = {name: _imports(path, set(modules)) for name, path in modules.items()}
    assert sum(len(v) for v in graph.values()) > 50, "the import graph is suspiciously empty"

    def cycle_from(start: str) -> list[str] | None:
        stack: list[tuple[str, list[str]]] = [(start, [start])]
        while stack:
            node, path = stack.pop()
            for nxt in graph[node]:
                if nxt == start:
                    return [*path, start]
                if nxt not in path and nxt.startswith("include.kopdes_hub"):
                    stack.append((nxt, [*path, nxt]))
        return None

    # a package importing its own submodules (its public face) is not a cycle unless a submodule imports it back
    cycles = [c for name in graph if (c := cycle_from(name))]
    assert cycles == []
