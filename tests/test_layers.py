"""The packages point one way (issue 16): rules below storage, storage below services,
services below handlers, and no module reaches back up with an import hidden in a function.

Pure: the sources are parsed with ``ast``, nothing is imported or run."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("domain", "storage", "services", "handlers", "webapp", "khoibot")
# The packages among which no import cycle may exist.
LAYERED = ("domain", "storage", "services", "handlers", "webapp")

# What each package must never import (by top-level package name).
FORBIDDEN = {
    "domain": {"storage", "services", "handlers", "khoibot", "telegram"},
    "storage": {"services", "handlers", "telegram"},
    "services": {"handlers", "telegram", "khoibot"},
    # The web side is a way in beside the chat: it calls the services, never the chat's handlers.
    "webapp": {"handlers", "telegram"},
}
# What a package must not import even for type checking (``if TYPE_CHECKING:``): the services
# take plain arguments, so they need no type of the bot's either.
FORBIDDEN_EVEN_FOR_TYPES = {
    "services": {"khoibot", "handlers", "telegram"},
}

# Imports allowed inside a function, per (file, function), each with its reason.
LATE_IMPORTS_ALLOWED = {
    # The command line's entry points: `khoibot demo` needs no config and `khoibot db ...`
    # no Telegram application, so each subcommand loads only what it runs.
    ("khoibot/cli.py", "run"): "start-up: the Telegram application only when the bot is served",
    ("khoibot/cli.py", "db_command"): "start-up: the database and Alembic only for `khoibot db`",
    ("khoibot/cli.py", "keep_records"): "start-up: backup only for `khoibot db backup/restore`",
    ("khoibot/cli.py", "main"): "start-up: the demo (stand-in, sandbox) only for `khoibot demo`",
    ("khoibot/demo/__init__.py", "run"): "start-up: the script reader only when the demo runs",
    ("khoibot/demo/__init__.py", "_run"): "start-up: the stand-in and sandbox only when the demo runs",
}


def _modules(packages=PACKAGES) -> dict[str, Path]:
    """Dotted module name -> source file, for every module of these packages."""
    found = {}
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT)
            if "migrations" in rel.parts:  # Alembic's scripts, loaded by Alembic alone
                continue
            parts = list(rel.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imported(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    """The dotted names an import statement brings in (relative ones resolved); for
    ``from a import b`` both "a" and "a.b" (b may be a submodule)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        anchor = module.split(".") if is_package else module.split(".")[:-1]
        anchor = anchor[: len(anchor) - (node.level - 1)]
        base = ".".join(anchor + ([base] if base else []))
    return [base] + [f"{base}.{alias.name}" for alias in node.names]


def _top_level_imports(tree: ast.Module):
    """Import statements run when the module is loaded: at module level, in module-level
    if/try blocks and class bodies, but not under ``if TYPE_CHECKING:`` nor in functions."""
    pending = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If):
            if not _is_type_checking(node):
                pending += node.body
            pending += node.orelse
        elif isinstance(node, (ast.Try, ast.With, ast.ClassDef)):
            for field in ("body", "orelse", "finalbody"):
                pending += getattr(node, field, [])
            pending += [n for h in getattr(node, "handlers", []) for n in h.body]


def _late_imports(tree: ast.Module):
    """(function name, import) for every import inside a function body, outside
    ``if TYPE_CHECKING:``."""
    def walk(node, function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                continue
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield from walk(child, function or child.name)
            elif isinstance(child, (ast.Import, ast.ImportFrom)):
                if function:
                    yield function, child
            else:
                yield from walk(child, function)
    yield from walk(tree, None)


def _parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def test_no_import_hides_in_a_function():
    late = []
    for module, path in _modules().items():
        rel = path.relative_to(ROOT).as_posix()
        for function, node in _late_imports(_parse(path)):
            if (rel, function) not in LATE_IMPORTS_ALLOWED:
                late.append(f"{rel}:{node.lineno} in {function}(): {ast.unparse(node)}")
    assert not late, "imports inside functions (dodging a cycle?):\n" + "\n".join(late)


def test_allowed_late_imports_are_still_there():
    """An exception no longer needed is taken off the list, so the list stays honest."""
    seen = {(path.relative_to(ROOT).as_posix(), function)
            for path in _modules().values() for function, _ in _late_imports(_parse(path))}
    assert set(LATE_IMPORTS_ALLOWED) <= seen, sorted(set(LATE_IMPORTS_ALLOWED) - seen)


def test_packages_point_one_way():
    wrong = []
    for module, path in _modules(tuple(FORBIDDEN)).items():
        package = module.split(".")[0]
        tree = _parse(path)
        # Every import, even inside a function: a late import still points the wrong way.
        nodes = [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
        type_only = {id(n) for i in ast.walk(tree) if isinstance(i, ast.If) and _is_type_checking(i)
                     for n in ast.walk(i)}
        for node in nodes:
            forbidden = FORBIDDEN_EVEN_FOR_TYPES.get(package, set()) if id(node) in type_only else FORBIDDEN[package]
            for name in _imported(node, module, path.name == "__init__.py"):
                if name.split(".")[0] in forbidden:
                    wrong.append(f"{module}:{node.lineno} imports {name}")
                    break
    assert not wrong, "imports against the layering:\n" + "\n".join(wrong)


def test_an_import_for_types_only_counts_for_the_services(tmp_path, monkeypatch):
    """The check itself: ``from khoibot.services import Services`` under ``if TYPE_CHECKING:``
    in a service is against the layering; in a handler it is not."""
    for package in ("services", "handlers"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "probe.py").write_text(
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from khoibot.services import Services\n")
    monkeypatch.setitem(globals(), "ROOT", tmp_path)
    monkeypatch.setitem(globals(), "FORBIDDEN", {"services": FORBIDDEN["services"], "handlers": {"telegram"}})
    try:
        test_packages_point_one_way()
    except AssertionError as failed:
        assert "services.probe:3 imports khoibot.services" in str(failed) and "handlers.probe" not in str(failed)
    else:
        raise AssertionError("a service importing khoibot for types passed")


def _graph() -> dict[str, set[str]]:
    """Module -> the modules of the layered packages it imports when loaded. Importing
    a.b.c also loads a and a.b (their __init__), so those count too."""
    modules = _modules(LAYERED)
    graph = {}
    for module, path in modules.items():
        edges = set()
        for node in _top_level_imports(_parse(path)):
            for name in _imported(node, module, path.name == "__init__.py"):
                parts = name.split(".")
                for i in range(1, len(parts) + 1):
                    target = ".".join(parts[:i])
                    if target in modules and target != module:
                        edges.add(target)
        graph[module] = edges
    return graph


def _a_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a path that ends where it starts, or None (depth-first
    search with the usual three colours)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node):
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_cycle_search_finds_a_cycle():
    """The search itself: it sees a loop of three and passes a chain."""
    assert _a_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _a_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_no_import_cycle():
    cycle = _a_cycle(_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_services_are_reached_one_way():
    """Handlers and jobs read ``context.services`` (the typed context, khoibot/services.py);
    code holding only the Application uses ``services_of(app)``. No module but that one knows
    where in the Application they are kept."""
    reaching = []
    for package in PACKAGES + ("bench", "tests"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if path in (ROOT / "khoibot" / "services.py", Path(__file__).resolve()):
                continue
            text = path.read_text()
            if 'bot_data["services"]' in text or 'bot_data={"services"' in text or "svc(context)" in text:
                reaching.append(str(path.relative_to(ROOT)))
    assert reaching == []
