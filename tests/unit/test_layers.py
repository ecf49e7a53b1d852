"""The layers, read from the source: web -> collab -> documents, no import circle anywhere, and
the collaboration layer knows storage only through the update-log contract. Inside web/, the
JSON API, the pages and the CLI are packages of their own, and the API knows neither of the
others.

Imports are read with `ast`, so every import counts, also one made only for type checking or
inside a function: each is a dependency a reader must follow.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Final

ROOT: Final = Path(__file__).resolve().parents[2]
PACKAGES: Final = ("collab", "documents", "web")
UPDATE_LOG: Final = "documents.store.log"
# What the domain code outside documents/store may know of storage: the contracts, never SQL.
STORE_CONTRACTS: Final = frozenset(
    (
        "documents.store.base",
        UPDATE_LOG,
        "documents.store.workshops",
        "documents.store.lineage",
        "documents.store.sessions",
    )
)
SQL_LIBRARIES: Final = frozenset(("sqlalchemy", "alembic", "asyncpg", "aiosqlite", "sqlite3"))

Graph = Mapping[str, set[str]]


def module_files() -> dict[str, Path]:
    """Every module of the three packages, by dotted name."""
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def imported(module: str, source: str, known: Iterable[str]) -> set[str]:
    """Every module `source` imports: one of `known` (the most specific that is named:
    `from a.b import c` is module `a.b.c` when that exists, else `a.b`), or another library's
    top-level name."""
    modules = set(known)
    package = module if module in modules and _is_package(module) else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(_resolved(alias.name, modules) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                names.add(candidate if candidate in modules else _resolved(base, modules))
    return names


def _is_package(module: str) -> bool:
    return (ROOT / module.replace(".", "/") / "__init__.py").exists()


def _resolved(name: str, modules: set[str]) -> str:
    """The module itself when it is ours, else the library's top-level name."""
    return name if name in modules else name.split(".")[0]


def import_graph() -> dict[str, set[str]]:
    files = module_files()
    return {
        module: imported(module, path.read_text(encoding="utf-8"), files)
        for module, path in files.items()
    }


def circles(graph: Graph) -> list[list[str]]:
    """The strongly connected components of more than one module, or of one that imports
    itself (Tarjan's algorithm), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in graph:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph[node]:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def in_layer(module: str, layer: str) -> bool:
    return module == layer or module.startswith(f"{layer}.")


def offending(graph: Graph, importer: str, forbidden: Iterable[str]) -> dict[str, list[str]]:
    """Modules of the `importer` layer that import any of the `forbidden` layers, and what."""
    layers = tuple(forbidden)
    found = {}
    for module, targets in sorted(graph.items()):
        if in_layer(module, importer):
            wrong = sorted(t for t in targets if any(in_layer(t, layer) for layer in layers))
            if wrong:
                found[module] = wrong
    return found


GRAPH: Final = import_graph()


def test_the_graph_is_read_from_every_module() -> None:
    assert {"collab.room", "documents.store.log", "documents.store", "web.app"} <= GRAPH.keys()
    assert "documents.store.log" in GRAPH["collab.group_commit"]
    assert "documents.records" in GRAPH["documents.family_graph"]


def test_no_import_circle_in_collab_documents_or_web() -> None:
    assert circles(GRAPH) == []


def test_layers_import_downward_only() -> None:
    assert offending(GRAPH, "documents", ["collab", "web"]) == {}
    assert offending(GRAPH, "collab", ["web"]) == {}


def test_web_keeps_its_api_pages_and_cli_in_packages_of_their_own() -> None:
    assert all(_is_package(package) for package in ("web.api", "web.pages", "web.cli"))
    assert {"web.api.workshops", "web.pages.workshops", "web.cli.main"} <= GRAPH.keys()
    loose = [
        path.name
        for path in (ROOT / "web").glob("*.py")
        if path.stem in {"admin", "api", "cli", "endpoints", "openapi", "pages", "schemas"}
        or path.stem.startswith("api_")
        or path.stem.endswith("_cli")
    ]
    assert loose == [], "the API, the pages and the CLI belong in web/api, web/pages, web/cli"


def test_the_api_imports_neither_the_pages_nor_the_cli() -> None:
    assert offending(GRAPH, "web.api", ["web.pages", "web.cli"]) == {}
    assert offending(GRAPH, "web.pages", ["web.cli"]) == {}


def test_collab_imports_only_the_update_log_contract_of_the_store() -> None:
    storage = {
        module: sorted(t for t in targets if in_layer(t, "documents.store") and t != UPDATE_LOG)
        for module, targets in GRAPH.items()
        if in_layer(module, "collab")
    }
    assert {module: found for module, found in storage.items() if found} == {}


def test_only_the_store_itself_touches_sql() -> None:
    """Pure and domain code builds on the records and the store's contracts: collab and
    documents outside documents/store import no SQL library and no SQL implementation."""
    outside = {
        module: targets
        for module, targets in GRAPH.items()
        if in_layer(module, "collab")
        or (in_layer(module, "documents") and not in_layer(module, "documents.store"))
    }
    reaching = {
        module: sorted(
            t
            for t in targets
            if t in SQL_LIBRARIES or (in_layer(t, "documents.store") and t not in STORE_CONTRACTS)
        )
        for module, targets in outside.items()
    }
    assert {module: found for module, found in reaching.items() if found} == {}


# The checks themselves, on made-up modules: each must be able to fail.


def test_a_circle_is_found_however_long_and_a_tree_has_none() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"e"}}
    assert circles(graph) == [["a", "b", "c"], ["e"]]
    assert circles({"a": {"b", "c"}, "b": {"c"}, "c": {"os"}}) == []


def test_imports_resolve_to_modules_also_under_type_checking_and_relative() -> None:
    known = {"documents.store", "documents.store.log", "documents.store.base", "documents.records"}
    source = """
from typing import TYPE_CHECKING
from documents.store import log, Store
from . import base
import sqlalchemy.ext.asyncio
if TYPE_CHECKING:
    from documents.records import WorkshopRecord
def later() -> None:
    import documents.store.base
"""
    assert imported("documents.store.factory", source, known) == {
        "typing",
        "documents.store.log",
        "documents.store",
        "documents.store.base",
        "sqlalchemy",
        "documents.records",
    }


def test_a_layer_importing_upward_is_named_with_what_it_imports() -> None:
    graph = {"documents.a": {"collab.room", "documents.b"}, "documents.b": set(), "web.x": set()}
    assert offending(graph, "documents", ["collab", "web"]) == {"documents.a": ["collab.room"]}
