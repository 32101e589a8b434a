"""SVG snapshots of the main screens at fixed sizes on the Python fixture repository.

Update them after a deliberate visual change with ``pytest tests/test_tui_snapshots.py
--snapshot-update`` and look at the report. Times of day are the only cells that differ from run
to run, so the clock is fixed here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tui_support import open_and_wait, settled, type_search, wait_for

from dgtui.app import make_app
from dgtui.screens.export import ExportDialog
from dgtui.screens.help import HelpScreen
from dgtui.widgets import clock


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setattr(clock, "clock", lambda timestamp: "12:34:56")
    monkeypatch.setenv("HOME", "/home/dev")


async def ready(pilot) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: app.live_status.state == "watching" and app.totals.get("atoms"),
                   "the live index")
    for box in app.screen.query("Input"):
        box.cursor_blink = False


def shows(pane, atom_id: str | None) -> bool:
    return atom_id is not None and pane.view is not None and pane.view["id"] == atom_id


def test_explorer_at_80x24(snap_compare, pyrepo: Path, home: Path):
    async def run_before(pilot):
        await ready(pilot)
        await type_search(pilot.app, pilot, "save")
        await pilot.press("down", "down", "down")
        await pilot.press("enter")
        explorer = pilot.app.explorer
        await wait_for(pilot, lambda: explorer.tree(False).root.children
                       and explorer.tree(False).root.children[0].data.kind != "loading", "callees")
        await wait_for(pilot, lambda: shows(explorer.atom_pane, explorer.current_atom), "the atom")
        await settled(pilot)

    assert snap_compare(make_app(str(pyrepo), str(home)), terminal_size=(80, 24), run_before=run_before)


@pytest.mark.slow
def test_explorer_at_140x40(snap_compare, pyrepo: Path, home: Path):
    async def run_before(pilot):
        await ready(pilot)
        app = pilot.app
        await open_and_wait(app, pilot, "pkg/service.py::handle", focus="callees")
        tree = app.explorer.tree(False)
        node = next(n for n in tree.root.children if n.data.row.get("id") == "pkg/db.py::save_atom")
        tree.move_cursor(node)
        await pilot.press("right")
        await wait_for(pilot, lambda: node.data.loaded, "save_atom's callees")
        await settled(pilot)

    assert snap_compare(make_app(str(pyrepo), str(home)), terminal_size=(140, 40), run_before=run_before)


def test_timeline_at_100x30(snap_compare, pyrepo: Path, home: Path):
    async def run_before(pilot):
        await ready(pilot)
        await pilot.press("5")
        screen = pilot.app.get_screen("timeline")
        await wait_for(pilot, lambda: screen.table.row_count, "events")
        for box in screen.query("Input"):
            box.cursor_blink = False
        await pilot.press("down", "down")
        await settled(pilot)

    assert snap_compare(make_app(str(pyrepo), str(home)), terminal_size=(100, 30), run_before=run_before)


def test_help_at_80x24(snap_compare, pyrepo: Path, home: Path):
    async def run_before(pilot):
        await ready(pilot)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, HelpScreen), "the help")
        await settled(pilot)

    assert snap_compare(make_app(str(pyrepo), str(home)), terminal_size=(80, 24), run_before=run_before)


@pytest.mark.slow
def test_export_dialog_at_80x24(snap_compare, pyrepo: Path, home: Path):
    async def run_before(pilot):
        await ready(pilot)
        await type_search(pilot.app, pilot, "save")
        await pilot.press("escape", "e")
        explorer = pilot.app.explorer
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ExportDialog), "the dialog")
        # Escape put the cursor on the first result: the atom pane previews it
        await wait_for(pilot, lambda: shows(explorer.atom_pane, explorer.search.table.cursor_atom_id()),
                       "the preview")
        await settled(pilot)
        for box in pilot.app.screen.query("Input"):
            box.cursor_blink = False

    assert snap_compare(make_app(str(pyrepo), str(home)), terminal_size=(80, 24), run_before=run_before)


@pytest.mark.slow
def test_chat_at_100x30(snap_compare, pyrepo: Path, home: Path):
    async def run_before(pilot):
        await ready(pilot)
        app = pilot.app
        await pilot.press("6")
        screen = app.get_screen("chat")
        await wait_for(pilot, lambda: screen.session is not None, "the chat session")
        screen.query_one("#chat-input").value = "who calls save_atom?"
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(screen.query_one("#conversation").entries) == 2, "the answer")
        for box in screen.query("Input"):
            box.cursor_blink = False
        await settled(pilot)

    app = make_app(str(pyrepo), str(home), chat_user="ann")
    assert snap_compare(app, terminal_size=(100, 30), run_before=run_before)
