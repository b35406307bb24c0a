"""The layering of ``apps/`` read from the source: every import (also inside functions) of
every module, lifted to the app it names. Dotted strings handed to ``import_string`` or
django-q are not imports: a late-bound task name does not tie two apps together."""
from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

APPS = Path(__file__).resolve().parent.parent / "apps"
DOMAIN = ("accounts", "requests", "experts", "vendors", "coordination", "itineraries", "integrations", "insights", "exports",
          "imports", "core")


def _module_name(path: Path) -> str:
    parts = path.relative_to(APPS.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, absolute name) of each import in ``path``; relative ones resolved."""
    module = _module_name(path)
    return _imports_in(path.read_text(), module if path.name == "__init__.py" else module.rpartition(".")[0])


def _imports_in(source: str, package: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            # ``from apps import x`` and ``from . import x`` name modules in the alias.
            found += [(node.lineno, f"{target}.{alias.name}") for alias in node.names]
    return found


def _edges() -> list[tuple[str, str, str]]:
    """(importing app, imported app, "path:line imported.module") for imports across apps."""
    edges = []
    for path in sorted(APPS.rglob("*.py")):
        source_app = _module_name(path).split(".")[1] if path.parent != APPS else None
        for line, target in _imports(path):
            parts = target.split(".")
            if parts[0] != "apps" or len(parts) < 2 or parts[1] == source_app or source_app is None:
                continue
            edges.append((source_app, parts[1], f"{path.relative_to(APPS.parent)}:{line} {target}"))
    return edges


def _module_edges() -> list[tuple[str, str, str]]:
    """(importing module, imported module, "path:line imported.name") between modules of
    apps/, each import lifted to the longest module it names (``from .x import y`` → ``.x``)."""
    modules = {_module_name(path): path for path in APPS.rglob("*.py")}
    edges = []
    for module, path in sorted(modules.items()):
        for line, target in _imports(path):
            parts = target.split(".")
            while parts and ".".join(parts) not in modules:
                parts.pop()
            if parts and ".".join(parts) != module:
                edges.append((module, ".".join(parts), f"{path.relative_to(APPS.parent)}:{line} {target}"))
    return edges


def _violations(edges, predicate) -> list[str]:
    return sorted(where for source, target, where in edges if predicate(source, target))


def _cycles(edges) -> list[list[str]]:
    """Strongly connected components with more than one app (Tarjan)."""
    graph = defaultdict(set)
    for source, target, _where in edges:
        graph[source].add(target)
    index, low, stack, on_stack, components = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(set(graph) | {t for targets in graph.values() for t in targets}):
        if node not in index:
            visit(node)
    return components


def _cycle_report(edges, cycles) -> str:
    lines = []
    for component in cycles:
        members = set(component)
        lines.append(" ↔ ".join(component) + ":")
        lines += [f"  {where}" for source, target, where in sorted(edges, key=lambda e: e[2])
                  if source in members and target in members]
    return "\n".join(lines)


def test_the_walker_sees_imports_inside_functions_and_relative_ones():
    source = "from .. import engine\nfrom .models import Booking\n\ndef f():\n    import apps.vendors.models\n"
    assert _imports_in(source, "apps.coordination.services") == [
        (1, "apps.coordination.engine"), (2, "apps.coordination.services.models.Booking"), (5, "apps.vendors.models")]


def test_domain_apps_import_neither_portals_nor_api():
    bad = _violations(_edges(), lambda source, target: source in DOMAIN and target in ("portals", "api"))
    assert not bad, "domain apps must not import apps.portals or apps.api:\n" + "\n".join(bad)


def test_core_imports_no_other_app():
    bad = _violations(_edges(), lambda source, target: source == "core")
    assert not bad, "apps.core must stand alone:\n" + "\n".join(bad)


def test_demo_is_imported_only_by_itself():
    bad = _violations(_edges(), lambda source, target: target == "demo")
    assert not bad, "only apps.demo (its seed_demo command) may import apps.demo:\n" + "\n".join(bad)


def test_no_import_cycle_between_apps():
    edges = _edges()
    cycles = _cycles(edges)
    assert not cycles, "import cycles between apps:\n" + _cycle_report(edges, cycles)


def test_no_import_cycle_between_modules():
    """Also none hidden in a function body (``currency`` ↔ ``registry`` was one)."""
    edges = _module_edges()
    cycles = _cycles(edges)
    assert not cycles, "import cycles between modules:\n" + _cycle_report(edges, cycles)
