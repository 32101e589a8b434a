"""The watch list in the explorer: `w` pins the atom under the cursor, a save within its depth
raises a notification and lights it in the watched list (`W`). Real app, real watcher, real files."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import write
from tui_support import explorer, notified, open_and_wait, settled, wait_for

from dgtui.chat.watchlist import WatchList
from dgtui.paths import RepoPaths
from dgtui.screens.watched import WatchedDialog


def row_cells(dialog: WatchedDialog, atom_id: str) -> list[str]:
    return [str(c) for c in dialog.table.get_row(atom_id)]


@pytest.mark.slow
async def test_w_pins_a_save_of_a_callee_notifies_and_lights_the_row(pyrepo: Path, home: Path):
    async with explorer(pyrepo, home, notifications=True, chat_user="ann") as (app, pilot):
        await open_and_wait(app, pilot, "pkg/db.py::save_atom", focus="atom")
        paths = RepoPaths.for_root(str(pyrepo), str(home))
        assert not (home / "chat-history").exists()  # nothing pinned: nothing written
        await pilot.press("w")
        await wait_for(pilot, lambda: notified(app, "Pinned save_atom: changes within 2"), "the pin toast")
        assert [p.atom_id for p in app.explorer.pin_watch.pins] == ["pkg/db.py::save_atom"]
        with WatchList.open(paths, "ann") as stored:
            assert [(p.atom_id, p.depth) for p in stored.pins()] == [("pkg/db.py::save_atom", 2)]

        await pilot.press("W")
        dialog = app.screen
        assert isinstance(dialog, WatchedDialog)
        assert row_cells(dialog, "pkg/db.py::save_atom")[0] == " "  # nothing touched it yet

        db = pyrepo / "pkg" / "db.py"  # write() is save_atom's callee
        write(db, db.read_text().replace("    return record\n", "    return record or None\n"))
        await wait_for(pilot, lambda: notified(app, "write updated (body), a callee 1 call away"),
                       "the notification")
        await wait_for(pilot, lambda: row_cells(dialog, "pkg/db.py::save_atom")[0] == "●",
                       "the lit row")
        assert "write updated (body), a callee 1 call away" in row_cells(dialog, "pkg/db.py::save_atom")[4]

        await pilot.press("plus")  # N of the row under the cursor, one more
        await wait_for(pilot, lambda: row_cells(dialog, "pkg/db.py::save_atom")[2] == "3", "N = 3")
        assert notified(app, "Pinned save_atom: changes within 3 calls")
        with WatchList.open(paths, "ann") as stored:
            assert stored.get("pkg/db.py::save_atom").depth == 3

        await pilot.press("w")  # unpins the row under the cursor
        await wait_for(pilot, lambda: not app.explorer.pin_watch.pins and dialog.table.row_count == 0,
                       "the unpinned list")
        await pilot.press("escape")


@pytest.mark.slow
async def test_w_on_a_call_tree_row_pins_that_atom_and_a_far_change_is_not_reported(pyrepo: Path, home: Path):
    async with explorer(pyrepo, home, notifications=True, chat_user="ann") as (app, pilot):
        await open_and_wait(app, pilot, "pkg/service.py::sync_all", focus="callees")
        tree = app.explorer.tree(False)
        node = next(n for n in tree.root.children if n.data.atom_id == "pkg/db.py::save_atom")
        tree.move_cursor(node)
        await pilot.pause()
        await pilot.press("w")
        await wait_for(pilot, lambda: [p.atom_id for p in app.explorer.pin_watch.pins] == ["pkg/db.py::save_atom"],
                       "the pin of the call tree's row")
        util = pyrepo / "pkg" / "util.py"  # nothing there is within 2 calls of save_atom
        write(util, util.read_text().replace("return str(value)", "return repr(value)"))
        db = pyrepo / "pkg" / "db.py"
        write(db, db.read_text().replace("    return thing\n", "    return thing or 0\n"))  # save(): not a neighbour
        write(db, db.read_text().replace("    return write(atom)\n", "    return write(atom) or 1\n"))
        await wait_for(pilot, lambda: notified(app, "save_atom updated (body)"), "the pinned atom's own change")
        await settled(pilot)  # commits are checked in order: the earlier saves were checked first
        assert not notified(app, "fmt") and not notified(app, "save updated")
        assert set(app.watched) == {"pkg/db.py::save_atom"}


def test_the_help_lists_the_pin_keys():
    from dgtui.app import DgtuiApp
    from dgtui.screens.help import help_lines

    text = [line.plain for line in help_lines(DgtuiApp.BINDINGS)]
    panes = text[text.index("Panes 1-4"):]
    assert any(line.split()[0] == "w" and "pin or unpin" in line for line in panes[1:panes.index("")])
    assert any(line.split()[0] == "W" and "Watched atoms" in line for line in text)
