"""Keys, dialogs and the mouse under Pilot: help, palette, go-to, export, editor, panes."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest
from textual.widgets import Static
from tui_support import explorer, notified, open_and_wait, result_ids, settled, type_search, wait_for

from dgtui.app import DgtuiApp
from dgtui.screens.export import ConfirmOverwrite, ExportDialog
from dgtui.screens.goto import GotoDialog
from dgtui.screens.help import HelpScreen, help_lines, key_label
from dgtui.screens.text_dialog import TextDialog
from dgtui.store import Store


@pytest.mark.slow
async def test_number_keys_and_the_pane_bar_reach_every_pane(pyrepo: Path, home: Path):
    async with explorer(pyrepo, home) as (app, pilot):
        ex = app.explorer
        await pilot.press("2")
        assert app.focused is ex.atom_pane.query_one("#source")
        await pilot.press("3")
        assert app.focused is ex.tree(True)
        await pilot.press("4")
        assert app.focused is ex.tree(False)
        await pilot.press("5")
        assert app.screen is app.get_screen("timeline")
        await pilot.press("6")
        assert app.screen is app.get_screen("chat")
        await pilot.press("1")
        assert app.screen is ex and app.focused is ex.search.query_one("#search-input")
        # the mouse: a click on a tab of the pane bar, and a click inside a pane
        bar = app.screen.query_one("PaneBar")
        text = bar.render().plain if hasattr(bar.render(), "plain") else str(bar.render())
        await pilot.click(bar, offset=(text.index("5 Timeline") + 2, 0))
        assert app.screen is app.get_screen("timeline")
        await pilot.click(app.screen.query_one("PaneBar"), offset=(text.index("3 Callers") + 2, 0))
        assert app.screen is ex and app.focused is ex.tree(True)
        await pilot.click("#callees-pane", offset=(5, 3))
        assert app.focused is ex.tree(False)


@pytest.mark.slow
async def test_slash_focuses_search_and_escape_goes_to_results(pyrepo: Path, home: Path):
    async with explorer(pyrepo, home) as (app, pilot):
        await pilot.press("4", "slash")
        assert app.focused is app.explorer.search.query_one("#search-input")
        await type_search(app, pilot, "save")
        await pilot.press("escape")
        assert app.focused is app.explorer.search.table
        await pilot.press("up")  # up from the first result returns to the box
        assert app.focused is app.explorer.search.query_one("#search-input")


async def test_help_lists_every_key(pyrepo: Path, home: Path):
    async with explorer(pyrepo, home) as (app, pilot):
        await pilot.press("4", "question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = "\n".join(line.plain for line in help_lines(DgtuiApp.BINDINGS))
        for binding in DgtuiApp.BINDINGS:
            assert key_label(binding) in text, binding
        for alias in ("j", "k", "g", "G"):
            assert f"  {alias} " in text
        assert "ctrl+p" in text and "kind:method" in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


@pytest.mark.slow
async def test_command_palette_jumps_to_an_atom_and_runs_actions(pyrepo: Path, home: Path):
    async with explorer(pyrepo, home) as (app, pilot):
        await pilot.press("ctrl+p")
        await pilot.press(*"syncal")
        await wait_for(pilot, lambda: "sync_all" in "".join(
            str(o.prompt) for o in app.screen.query("CommandList").first().options), "the atom hit")
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: (app.explorer.atom_pane.view or {}).get("id") == "pkg/service.py::sync_all",
                       "the jump")
        await pilot.press("ctrl+p")
        await pilot.press(*"Pane: Timeline")
        await wait_for(pilot, lambda: "Timeline" in "".join(
            str(o.prompt) for o in app.screen.query("CommandList").first().options), "the action hit")
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: app.screen is app.get_screen("timeline"), "the action")


async def test_the_palette_opens_the_list_of_files_with_parse_errors(pyrepo: Path, home: Path):
    async with explorer(pyrepo, home) as (app, pilot):
        await pilot.press("ctrl+p")
        await pilot.press(*"parse errors")
        await wait_for(pilot, lambda: "Files with parse errors" in
                       str(app.screen.query("CommandList").first().options[0].prompt), "the action hit")
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TextDialog), "the dialog")
        text = str(app.screen.query_one(Static).render())
        assert text.startswith("broken.py: 1 error(s)"), text
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.explorer, "the dialog to close")


async def test_colon_goes_to_an_atom_and_lists_ambiguous_ones(pyrepo: Path, home: Path):
    async with explorer(pyrepo, home) as (app, pilot):
        await pilot.press("4", "colon")
        assert isinstance(app.screen, GotoDialog)
        await pilot.press(*"pkg/db.py::write", "enter")
        await wait_for(pilot, lambda: (app.explorer.atom_pane.view or {}).get("id") == "pkg/db.py::write",
                       "the atom")
        await pilot.press("colon", *"save", "enter")
        dialog = app.screen
        await wait_for(pilot, lambda: dialog.query_one("#goto-choices").display, "the choices")
        assert dialog.query_one("#goto-choices").option_count == 3
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: app.explorer.current_atom in {
            "pkg/db.py::save", "pkg/models.py::Base.save", "pkg/models.py::User.save"}, "the choice")
        await pilot.press("colon", *"nope_nothing", "enter")
        dialog = app.screen
        await wait_for(pilot, lambda: "no atom named" in str(dialog.query_one("#goto-message").render()),
                       "the message")


@pytest.mark.slow
async def test_export_writes_the_focused_pane_atomically(pyrepo: Path, home: Path, tmp_path: Path,
                                                          monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    async with explorer(pyrepo, home, notifications=True) as (app, pilot):
        await type_search(app, pilot, "save")
        await pilot.press("escape", "e")
        assert isinstance(app.screen, ExportDialog)
        path_box = app.screen.query_one("#export-path")
        assert path_box.value == str(tmp_path / f"dgtui-{pyrepo.name}-search.csv")
        app.screen.query_one("#export-format").value = "json"
        await pilot.pause()
        target = tmp_path / f"dgtui-{pyrepo.name}-search.json"
        assert path_box.value == str(target)
        await pilot.press("enter")
        await wait_for(pilot, lambda: target.exists(), "the file")
        rows = json.loads(target.read_text())
        assert [r["id"] for r in rows] == result_ids(app)
        assert {"name", "kind", "file_path", "line", "callers", "callees"} <= set(rows[0])
        # it records what it is, as a CLI export does: the pane, the repository, the graph version
        await wait_for(pilot, lambda: Path(f"{target}-metadata.json").exists(), "the sidecar")
        meta = json.loads(Path(f"{target}-metadata.json").read_text())["dgtui"]
        with Store.open(app.paths.index_db) as store:
            assert meta["graph_version"] == store.events.last_transaction_id() > 0
        assert (meta["command"], meta["repository"], meta["rows"]) == ("tui:search", str(pyrepo),
                                                                      len(rows))
        await wait_for(pilot, lambda: notified(app, str(target)),
                       "the notification")
        assert not [p for p in tmp_path.iterdir() if p.name.startswith(".dgtui-")]  # no temp left
        # again: the file exists, so it asks before replacing it
        await pilot.press("e")
        app.screen.query_one("#export-format").value = "json"
        await pilot.pause()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmOverwrite), "the question")
        target.write_text("old")
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportDialog), "back in the dialog")
        await settled(pilot)
        assert target.read_text() == "old"
        await pilot.press("enter")  # the export dialog is still open: ask again, say yes
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmOverwrite), "the question again")
        await pilot.press("y")
        await wait_for(pilot, lambda: target.read_text() != "old", "the replaced file")


@pytest.mark.slow
async def test_export_call_tree_and_timeline(pyrepo: Path, home: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    async with explorer(pyrepo, home) as (app, pilot):
        await open_and_wait(app, pilot, "pkg/service.py::handle", focus="callees")
        await pilot.press("e")
        app.screen.query_one("#export-path").value = str(tmp_path / "callees.md")
        app.screen.query_one("#export-format").value = "md"
        await pilot.press("enter")
        target = tmp_path / "callees.md"
        await wait_for(pilot, lambda: target.exists(), "the markdown")
        text = target.read_text()
        assert "| depth | name |" in text and "save\\_atom" in text and "unresolved" in text
        assert text.startswith("<!-- dgtui export ") and '"command":"tui:callees"' in text
        await pilot.press("5")
        await wait_for(pilot, lambda: app.get_screen("timeline").table.row_count, "events")
        await pilot.press("e")
        app.screen.query_one("#export-path").value = str(tmp_path / "events.csv")
        await pilot.press("enter")
        await wait_for(pilot, lambda: (tmp_path / "events.csv").exists(), "the csv")
        assert (tmp_path / "events.csv").read_text().startswith("event_id,time,transaction_id")


@pytest.mark.slow
async def test_export_with_nothing_to_export_says_so(pyrepo: Path, home: Path):
    async with explorer(pyrepo, home, notifications=True) as (app, pilot):
        await pilot.press("2", "e")
        await wait_for(pilot, lambda: notified(app, "Nothing to export"),
                       "the warning")
        assert not isinstance(app.screen, ExportDialog)


def atom_count(db: Path) -> int:
    """The atoms of an index file, read as SQLite reads it (an export written over it would
    leave no SQLite file, or no atoms)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT count(*) FROM atoms").fetchone()[0]
    finally:
        conn.close()


@pytest.mark.slow
async def test_export_refuses_the_data_home_and_dgtui_stores(pyrepo: Path, home: Path, tmp_path: Path,
                                                            monkeypatch):
    """The explorer's export obeys the CLI's rule: never into the data home, never onto a store
    (even with the overwrite question answered), and says so in the dialog."""
    monkeypatch.setenv("HOME", str(tmp_path))
    async with explorer(pyrepo, home) as (app, pilot):
        index = Path(app.paths.index_db)
        before = index.read_bytes()
        atoms = atom_count(index)  # the live writer may fold its log into the file meanwhile
        copy = tmp_path / "copy.db"
        copy.write_bytes(before)  # a copy of the index elsewhere is still one of dgtui's stores
        await type_search(app, pilot, "save")
        await pilot.press("escape", "e")
        dialog = app.screen
        for path, words in ((index, "inside dgtui's data home"), (home / "new.csv", "data home"),
                            (copy, "is a dgtui index")):
            dialog.query_one("#export-path").value = str(path)
            await pilot.press("enter")
            await wait_for(pilot, lambda: words in str(dialog.query_one("#export-message").render()),
                           f"the refusal of {path}")
            assert app.screen is dialog  # no overwrite question was asked
        assert atom_count(index) == atoms > 0 and copy.read_bytes() == before
        assert not (home / "new.csv").exists()


async def test_o_opens_the_atom_in_the_editor(pyrepo: Path, home: Path, tmp_path: Path, monkeypatch):
    record = tmp_path / "editor-args"
    script = tmp_path / "fake-editor"
    script.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$@\" > {record}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("EDITOR", str(script))
    monkeypatch.delenv("VISUAL", raising=False)
    async with explorer(pyrepo, home, notifications=True) as (app, pilot):
        await open_and_wait(app, pilot, "pkg/service.py::sync_all", focus="atom")
        await pilot.press("o")
        await wait_for(pilot, lambda: record.exists(), "the editor to run")
        assert record.read_text().split("\n")[:2] == ["+20", os.path.join(str(pyrepo), "pkg/service.py")]
        monkeypatch.delenv("EDITOR")
        await pilot.press("o")
        await wait_for(pilot, lambda: notified(app, "$EDITOR"), "the hint")
