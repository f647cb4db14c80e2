"""The house's shape, executable: no import cycle anywhere in the engine, and the chat
processes' own modules never pull in torch or transformers (models live in the workers)."""

from __future__ import annotations

import grimp


def strongly_connected(graph: grimp.ImportGraph, modules: set[str]) -> list[set[str]]:
    """Tarjan's algorithm over the direct imports among ``modules``."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.find_modules_directly_imported_by(node) & modules:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            found.append(component)

    for module in sorted(modules):
        if module not in index:
            visit(module)
    return found


def test_no_import_cycle_among_engine_modules():
    graph = grimp.build_graph("engine")
    modules = {m for m in graph.modules if m.startswith("engine")}
    cycles = [sorted(c) for c in strongly_connected(graph, modules) if len(c) > 1]
    assert cycles == [], f"import cycles in the engine: {cycles}"


def test_no_import_cycle_among_the_engines_parts():
    """Folder level: engine.commands, engine.learning, engine.plots, ... never reach each
    other in a circle (the layers contract in pyproject.toml names the order)."""
    graph = grimp.build_graph("engine")
    parts = {m for m in graph.modules if m.count(".") == 1}
    part_of = {m: ".".join(m.split(".")[:2]) for m in graph.modules if m.count(".") >= 1}
    edges: dict[str, set[str]] = {p: set() for p in parts}
    for module, part in part_of.items():
        for imported in graph.find_modules_directly_imported_by(module):
            other = part_of.get(imported)
            if other and other != part and other in parts and part in parts:
                edges[part].add(other)

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(n == goal or (n not in seen and reaches(n, goal, seen | {n}))
                   for n in edges[start])

    circles = sorted(p for p in parts if reaches(p, p, {p}))
    assert circles == [], f"engine parts in an import circle: {circles}"


def test_the_cycle_finder_finds_a_cycle():
    """The finder itself, on a graph with a known cycle (so the tests above can fail)."""
    graph = grimp.ImportGraph()
    for name in ("x", "x.a", "x.b", "x.c"):
        graph.add_module(name)
    graph.add_import(importer="x.a", imported="x.b")
    graph.add_import(importer="x.b", imported="x.a")
    graph.add_import(importer="x.b", imported="x.c")
    cycles = [sorted(c) for c in strongly_connected(graph, {"x.a", "x.b", "x.c"}) if len(c) > 1]
    assert cycles == [["x.a", "x.b"]]
