"""The house rules of docs/architecture.md, checked on the code itself.

The import contract (``[tool.importlinter]`` in pyproject.toml: the layers, no Textual below the
UI, front ends read through ``dgtui.query``, SQL only in the store) runs here; what imports cannot
show (who calls the store's write methods, who reaches into the repository) is read from the
syntax tree. The CLI opens the explorer through one factory.
"""

from __future__ import annotations

import ast
import os
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_cli

import dgtui

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "dgtui"
UI_MODULES = {"dgtui.app", "dgtui.commands", "dgtui.messages"}
UI_PACKAGES = ("dgtui.screens", "dgtui.widgets", "dgtui.cli")
PLAIN_UI_STATE = {"dgtui.screens.navigation", "dgtui.screens.recent"}  # plain data, no Textual


def below_ui_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(dgtui.__path__, "dgtui."):
        ui = info.name in UI_MODULES or info.name.startswith(UI_PACKAGES) or info.name == "dgtui.__main__"
        if ui and info.name not in PLAIN_UI_STATE:
            continue
        names.append(info.name)
    return sorted(names)


def test_nothing_below_the_ui_imports_textual():
    modules = below_ui_modules()
    assert {"dgtui.store", "dgtui.engine.writer", "dgtui.query", "dgtui.engine.live", "dgtui.graph.cycles", "dgtui.engine.watch",
            "dgtui.parse.extract", "dgtui.screens.navigation", "dgtui.screens.recent", "dgtui.query.pool"} <= set(modules)
    code = ("import importlib, sys\n"
            f"for name in {modules!r}:\n"
            "    importlib.import_module(name)\n"
            "    assert 'textual' not in sys.modules, name\n"
            "print('clean', len(sys.modules))\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=dict(os.environ))
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("clean")


def test_the_import_contract_holds():
    run = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    r = subprocess.run([sys.executable, "-c", run, "--config", str(ROOT / "pyproject.toml")],
                       capture_output=True, text=True, cwd=ROOT, env=dict(os.environ))
    assert "Contracts:" in r.stdout, r.stdout + r.stderr
    assert r.returncode == 0, r.stdout[r.stdout.find("Broken contracts"):]
    assert " broken." not in r.stdout.replace("0 broken.", "")


def _modules(*parts: str) -> list[Path]:
    out: list[Path] = []
    for part in parts:
        target = PACKAGE / part
        out += sorted(target.rglob("*.py")) if target.is_dir() else [target.with_suffix(".py")]
    return out


STORE_HANDLES = {"store", "_store", "index", "fresh"}  # what the code calls an open index


def _name(node: ast.expr) -> str:
    return node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")


def _calls(path: Path) -> list[tuple[int, str, str]]:
    """(line, part, method) of every call ``<index>.<part>.<method>(...)`` or
    ``<index>.<method>(...)`` made on an open index (``part`` is then "")."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            inner = node.func.value
            if _name(inner) in STORE_HANDLES:
                out.append((node.lineno, "", node.func.attr))
            elif isinstance(inner, ast.Attribute) and _name(inner.value) in STORE_HANDLES:
                out.append((node.lineno, inner.attr, node.func.attr))
    return out


def _write_methods() -> set[str]:
    """The index's write API: the methods under the "writes (engine only)" heading of the atom
    repository and the event log, and ``Store.set_meta``."""
    names = {"set_meta"}
    for module in ("atoms.py", "events.py"):
        text = (PACKAGE / "store" / module).read_text(encoding="utf-8")
        writes = text.split("# == writes (engine only)")[1].split("# == reads")[0]
        names |= set(re.findall(r"^    def ([a-z_]+)\(", writes, re.M))
    return names


def test_only_the_engine_writes_the_index():
    writes = _write_methods()
    assert {"insert_atoms", "upsert_files", "open_transaction", "set_meta"} <= writes
    outside = [p for p in PACKAGE.rglob("*.py") if not p.is_relative_to(PACKAGE / "engine")
               and not p.is_relative_to(PACKAGE / "store")]
    found = [f"{p.relative_to(ROOT)}:{line} .{recv}.{name}()" for p in outside
             for line, recv, name in _calls(p) if name in writes]
    assert not found, "writes to the index outside the engine:\n" + "\n".join(found)


def test_front_ends_ask_dgtui_query_not_the_repository():
    """The CLI, the MCP server, the chat and the UI hold an index handle only to pass it to
    ``dgtui.query``: no ``store.atoms.x()``, ``store.events.x()`` or raw connection."""
    front = _modules("cli", "mcp", "chat", "screens", "widgets", "app", "commands", "messages")
    found = [f"{p.relative_to(ROOT)}:{line} .{recv}.{name}()" for p in front
             for line, recv, name in _calls(p) if recv in ("atoms", "events", "conn")]
    assert not found, "front ends reaching into the store:\n" + "\n".join(found)


@pytest.mark.slow
def test_tui_command_errors_are_one_line(tmp_path: Path, home: Path):
    for args in (["tui", str(tmp_path / "missing")], [str(tmp_path / "missing")]):
        r = run_cli(*args)
        assert r.returncode != 0
        assert "no such folder" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("--help")
    assert "tui" in r.stdout


@pytest.mark.slow
def test_cli_builds_the_app_with_the_factory(pyrepo: Path, home: Path):
    """``dgtui PATH`` runs ``make_app``; here with Textual's headless driver and an auto-quit,
    so the real command runs end to end in a subprocess without a terminal."""
    code = ("import sys, asyncio\n"
            "import dgtui.app as appmod\n"
            "real = appmod.make_app\n"
            "def made(*a, **k):\n"
            "    app = real(*a, **k)\n"
            "    async def stop():\n"
            "        await app.workers.wait_for_complete()\n"
            "        print('opened', app.root, app.live_status.state, flush=True)\n"
            "        app.exit()\n"
            "    app.call_later(lambda: app.set_timer(1.5, stop))\n"
            "    app.run = lambda **kw: App_run(app)\n"
            "    return app\n"
            "def App_run(app):\n"
            "    asyncio.run(app.run_async(headless=True, size=(80, 24)))\n"
            "appmod.make_app = made\n"
            "from dgtui.cli import main\n"
            "sys.argv = ['dgtui', sys.argv[1]]\n"
            "main()\n")
    r = subprocess.run([sys.executable, "-c", code, str(pyrepo)], capture_output=True, text=True,
                       env=dict(os.environ), timeout=120)
    assert r.returncode == 0, r.stderr
    assert f"opened {pyrepo}" in r.stdout


def test_the_linter_passes():
    """ruff with the project's settings (pyproject.toml): unused and undefined names, sorted imports."""
    r = subprocess.run([sys.executable, "-m", "ruff", "check", "dgtui", "tests", "bench", "screenshots"],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stdout + r.stderr
