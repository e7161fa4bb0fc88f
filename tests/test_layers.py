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
        ("db", {"textual", "screens", "devices", "serial", "usb", "escpos"}),
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
