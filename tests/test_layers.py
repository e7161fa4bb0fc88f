"""The import rules of STYLE.md, executable: each layer imports only what it may.

Checked two ways: what a fresh interpreter has loaded after importing a layer
(catches indirect imports), and what each screen module imports itself.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def modules_of(package: str) -> list[str]:
    folder = ROOT / package.replace(".", "/")
    return sorted(
        ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for path in folder.rglob("*.py")
        if path.name != "__init__.py"
    )


def loaded_after_import(modules: list[str]) -> set[str]:
    code = (
        "import importlib, json, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "print(json.dumps(sorted({n.split('.')[0] for n in sys.modules} "
        "| {'.'.join(n.split('.')[:2]) for n in sys.modules})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(json.loads(out.stdout))


@pytest.mark.parametrize(
    ("layer", "forbidden"),
    [
        ("app.domain", {"textual", "peewee", "serial", "usb", "escpos", "db", "devices",
                        "screens", "app.services"}),
        ("app.services", {"textual", "serial", "usb", "escpos", "devices", "screens"}),
        ("db", {"textual", "screens", "devices", "serial", "usb", "escpos", "app"}),
        ("devices", {"textual", "screens", "peewee", "db", "app.services"}),
    ],
)  # fmt: skip
def test_layer_imports_nothing_it_may_not(layer, forbidden):
    loaded = loaded_after_import(modules_of(layer))
    assert not (loaded & forbidden), f"{layer} pulls in {sorted(loaded & forbidden)}"


@pytest.mark.parametrize("module", modules_of("screens"))
def test_screens_do_not_touch_the_database_or_devices_themselves(module):
    tree = ast.parse((ROOT / (module.replace(".", "/") + ".py")).read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    assert not names & {"peewee", "db", "devices", "serial", "usb", "escpos"}, module


def import_graph(packages: tuple[str, ...] = ("app", "screens", "devices", "db")) -> dict:
    """Which of our modules each of our modules imports, anywhere in its body (a deferred
    import inside a function is still a dependency)."""
    ours = {}
    for package in packages:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            ours[name] = path
    graph: dict[str, set[str]] = {}
    for name, path in ours.items():
        edges = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                targets = [f"{node.module}.{alias.name}" for alias in node.names]
                targets = [t if t in ours else node.module for t in targets]
            else:
                continue
            edges |= {t for t in targets if t in ours and t != name}
        graph[name] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []

    def visit(node: str) -> None:
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
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_circles_anywhere():
    assert cycles(import_graph()) == []


def concern_of(module: str) -> str:
    """The folder a module belongs to: ``app.services.counter.selling`` is in
    ``app.services.counter``, ``screens.widgets.seatbar`` in ``screens.widgets``."""
    parts = module.split(".")
    if parts[:2] == ["app", "services"] and len(parts) > 3:
        return ".".join(parts[:3])
    if parts[0] in ("screens", "devices", "db") and len(parts) > 2:
        return ".".join(parts[:2])
    return module


def test_no_circles_between_folders_either():
    """Concerns depend one way: ledger below counter, stock and kits, never back."""
    folders: dict[str, set[str]] = {}
    for module, targets in import_graph().items():
        edges = folders.setdefault(concern_of(module), set())
        edges |= {concern_of(t) for t in targets} - {concern_of(module)}
    for targets in list(folders.values()):
        for target in targets:
            folders.setdefault(target, set())
    assert cycles(folders) == []


def test_the_circle_check_sees_a_circle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_db_knows_nothing_above_it():
    above = {"app", "screens", "devices"}
    graph = import_graph(("app", "screens", "devices", "db"))
    wrong = {
        f"{module} -> {target}"
        for module, targets in graph.items()
        if module.split(".")[0] == "db"
        for target in targets
        if target.split(".")[0] in above
    }
    assert not wrong


# Pure data may be longer; code is kept to modules of at most 400 lines (STYLE.md).
MAX_LINES = 400


def test_every_module_stays_small():
    long = {
        str(path.relative_to(ROOT)): n
        for package in ("app", "screens", "devices", "db", "tests", "bench")
        for path in (ROOT / package).rglob("*.py")
        if (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines: {long}"


@pytest.mark.parametrize("name", ["common", "utils", "helpers", "misc"])
def test_no_catch_all_module(name):
    found = [
        str(path.relative_to(ROOT))
        for package in ("app", "screens", "devices", "db")
        for path in (ROOT / package).rglob(f"{name}.py")
    ]
    assert not found
