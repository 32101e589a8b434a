"""Layer rules: nothing below the UI imports Textual; the CLI opens the explorer through one factory."""

from __future__ import annotations

import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import dgtui
from conftest import run_cli

UI_MODULES = {"dgtui.app", "dgtui.commands", "dgtui.messages"}
UI_PACKAGES = ("dgtui.screens", "dgtui.widgets", "dgtui.cli")


def below_ui_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(dgtui.__path__, "dgtui."):
        if info.name in UI_MODULES or info.name.startswith(UI_PACKAGES) or info.name == "dgtui.__main__":
            continue
        names.append(info.name)
    return sorted(names)


def test_nothing_below_the_ui_imports_textual():
    modules = below_ui_modules()
    assert {"dgtui.store", "dgtui.engine", "dgtui.query", "dgtui.live", "dgtui.graph", "dgtui.watch",
            "dgtui.parse.extract", "dgtui.navigation", "dgtui.recent", "dgtui.reader"} <= set(modules)
    code = ("import importlib, sys\n"
            f"for name in {modules!r}:\n"
            "    importlib.import_module(name)\n"
            "    assert 'textual' not in sys.modules, name\n"
            "print('clean', len(sys.modules))\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=dict(os.environ))
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("clean")


def test_tui_command_errors_are_one_line(tmp_path: Path, home: Path):
    for args in (["tui", str(tmp_path / "missing")], [str(tmp_path / "missing")]):
        r = run_cli(*args)
        assert r.returncode != 0
        assert "no such folder" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("--help")
    assert "tui" in r.stdout


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
