"""Imports run one way: the libraries never import the application (`bot`)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LIBRARIES = ("retrieval", "vision_tools", "genomics_tools", "finetune")
# Only these parts of `bot` speak to a screen and may use the CLI helpers.
SCREEN_MODULES = ("bot/commands/", "bot/cli.py", "bot/ui/", "bot/cli_common.py")


def _imported_modules(path: Path) -> set[str]:
    """Every module named by an import statement in `path` (top level or inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


@pytest.mark.parametrize("package", LIBRARIES)
def test_no_import_statement_of_a_library_names_bot(package):
    offenders = []
    for path in sorted((ROOT / package).rglob("*.py")):
        bad = sorted(m for m in _imported_modules(path) if m == "bot" or m.startswith("bot."))
        if bad:
            offenders.append(f"{path.relative_to(ROOT)}: {', '.join(bad)}")
    assert offenders == []


_WALK = r"""
import importlib, json, pkgutil, sys
pkg = importlib.import_module(sys.argv[1])
names = [sys.argv[1]]
for info in pkgutil.walk_packages(pkg.__path__, prefix=sys.argv[1] + "."):
    if info.name.rsplit(".", 1)[-1] == "__main__":
        continue
    importlib.import_module(info.name)
    names.append(info.name)
print(json.dumps({"imported": names, "bot": sorted(m for m in sys.modules if m == "bot" or m.startswith("bot."))}))
"""


@pytest.mark.parametrize("package", LIBRARIES)
def test_every_module_of_a_library_imports_without_bot(package):
    proc = subprocess.run([sys.executable, "-c", _WALK, package], capture_output=True, text=True, cwd=ROOT,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert len(out["imported"]) > 3  # the walk really imported the package's modules
    assert out["bot"] == []


def test_only_screen_modules_use_cli_helpers():
    offenders = []
    for path in sorted((ROOT / "bot").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith(SCREEN_MODULES):
            continue
        if any(m == "bot.cli_common" or m.startswith("bot.cli_common.") or m == "bot.cli" for m in _imported_modules(path)):
            offenders.append(rel)
    assert offenders == []


def test_no_module_of_bot_imports_a_command_module_outside_the_cli():
    offenders = []
    for path in sorted((ROOT / "bot").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith(SCREEN_MODULES):
            continue
        if any(m.startswith("bot.commands") for m in _imported_modules(path)):
            offenders.append(rel)
    assert offenders == []
