"""Watching an agent edit: a deleted function that is still called is a break, a move is not a
change, and only a breaking signature change flags the callers. The real engine on real files
and a real index; then the explorer under Pilot with a real watcher."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_cli
from helpers import index_repo, write
from tui_support import explorer, open_and_wait, tree_rows, wait_for

from dgtui import query
from dgtui.engine.indexer import Indexer
from dgtui.model import EventFilter

DB = "pkg/db.py"
WITHOUT_WRITE = "async def save_atom(atom):\n    return write(atom)\n\n\ndef save(thing):\n    return thing\n"


def sync(root: Path, store, *paths: str):
    return Indexer(str(root), store, workers=1).sync_paths(list(paths))


def test_deleting_a_function_still_called_is_a_break(pyrepo: Path, tmp_path: Path):
    store, _ = index_repo(pyrepo, tmp_path / "i.db")
    write(pyrepo / DB, WITHOUT_WRITE)
    delta = sync(pyrepo, store, DB)
    callers = {"pkg/db.py::save_atom", "pkg/service.py::handle"}
    assert {k: set(v) for k, v in delta.broken_callers().items()} == {"pkg/db.py::write": callers}
    # the event log keeps it: the timeline and a reader following this index say it too
    [event] = query.events(store, EventFilter(atom="pkg/db.py::write", operation="delete"))
    assert set(event["broken_callers"]) == callers
    assert query.broken_callers_note(len(event["broken_callers"])) == "⚠ 2 callers now call nothing"
    assert store.events.delta(delta.transaction_id).broken_callers() == delta.broken_callers()
    # the deleted atom's callers are one level of its caller tree
    rows = query.call_children(store, "pkg/db.py::write", upward=True)
    assert {r["id"] for r in rows} == callers and {r["resolution"] for r in rows} == {"calls nothing now"}
    # a caller deleted with it is not left calling nothing (it is gone)
    write(pyrepo / DB, "def write(record):\n    return record\n" + WITHOUT_WRITE)
    sync(pyrepo, store, DB)
    write(pyrepo / DB, "def save(thing):\n    return thing\n")
    broken = {k: set(v) for k, v in sync(pyrepo, store, DB).broken_callers().items()}
    assert broken == {"pkg/db.py::write": {"pkg/service.py::handle"},
                      "pkg/db.py::save_atom": {"pkg/service.py::handle", "pkg/service.py::sync_all"}}


def test_a_line_only_move_keeps_the_version(pyrepo: Path, tmp_path: Path, home: Path):
    store, _ = index_repo(pyrepo, tmp_path / "i.db")
    write(pyrepo / DB, "def inserted():\n    return 0\n\n\n" + (pyrepo / DB).read_text())
    delta = sync(pyrepo, store, DB)
    moved = {c.atom_id for c in delta.changes if c.moved_only}
    assert moved == {"pkg/db.py::write", "pkg/db.py::save_atom", "pkg/db.py::save"}
    for atom_id in moved:
        stored = store.atoms.get(atom_id)
        assert stored.version == 1 and stored.atom.line > 1  # a new place, the same version
    history = query.history(store, "pkg/db.py::write")
    assert [(e["operation"], e["previous_version"], e["new_version"]) for e in history] == [
        ("create", None, 1), ("update", 1, 1)]
    # a real change still makes a new version
    write(pyrepo / DB, (pyrepo / DB).read_text().replace("return record", "return dict(record)"))
    sync(pyrepo, store, DB)
    assert store.atoms.get("pkg/db.py::write").version == 2


def test_only_breaking_signature_changes_are_flagged(pyrepo: Path, tmp_path: Path, home: Path):
    store, _ = index_repo(pyrepo, tmp_path / "i.db")
    source = (pyrepo / DB).read_text()
    steps = [("def write(record, flush=False):", None),
             ("def write(record, *args, flush=False, **kwargs):", None),
             ("def write(record, flush):", "new required parameter flush"),
             ("def write(data):", "parameter record renamed to data"),
             ("async def write(record):", "became async")]
    for header, breaking in steps:
        write(pyrepo / DB, source.replace("def write(record):", header))
        delta = sync(pyrepo, store, DB)
        [change] = [c for c in delta.changes if c.atom_id == "pkg/db.py::write"]
        assert change.breaking == breaking or (breaking and breaking in change.breaking), (header, change)
        write(pyrepo / DB, source)
        sync(pyrepo, store, DB)
    # and the command line's event log says which change may break
    store.close()
    assert run_cli("index", str(pyrepo)).returncode == 0
    write(pyrepo / DB, source.replace("def write(record):", "def write():"))
    assert run_cli("index", str(pyrepo)).returncode == 0
    rows = json.loads(run_cli("events", "--atom", "pkg/db.py::write", "--json", "--path", str(pyrepo)).stdout)
    assert rows[0]["breaking"] == "parameter record removed"


@pytest.mark.slow
async def test_the_explorer_shows_a_break_and_its_callers(pyrepo: Path, home: Path):
    async with explorer(pyrepo, home) as (app, pilot):
        await open_and_wait(app, pilot, "pkg/db.py::save")
        # an insertion above moves the other functions: nothing lights up
        write(pyrepo / DB, "def inserted():\n    return 0\n\n\n" + (pyrepo / DB).read_text())
        await wait_for(pilot, lambda: app.explorer.atom_pane.view and app.explorer.atom_pane.view["line"] > 9,
                       "the new position")
        header = str(app.explorer.atom_pane.query_one("#atom-header").render())
        assert "changed just now" not in header and "v1" in header
        assert "pkg/db.py::save" not in app.lit() and "pkg/db.py::inserted" in app.lit()
        # the agent deletes a function two others still call
        write(pyrepo / DB, "def inserted():\n    return 0\n\n\n" + WITHOUT_WRITE)
        status = app.explorer.query_one("StatusBar")
        await wait_for(pilot, lambda: "⚠ 2 callers now call nothing (write deleted)" in
                       str(status.render_status(wide=True)), "the break in the status line")
        app.open_atom("pkg/db.py::write")
        await wait_for(pilot, lambda: "⚠ 2 callers now call nothing: 3 lists them" in
                       str(app.explorer.atom_pane.query_one("#atom-header").render()), "the break on the atom")
        await wait_for(pilot, lambda: {a for _, a in tree_rows(app, True)} ==
                       {"pkg/db.py::save_atom", "pkg/service.py::handle"}, "its callers, one key away")
        await pilot.press("3")
        assert app.focused is app.explorer.tree(True)
        # the timeline says it on the delete
        await pilot.press("5")
        table = app.get_screen("timeline").table
        await wait_for(pilot, lambda: any(e["atom_id"] == "pkg/db.py::write" and e["operation"] == "delete"
                                          for e in table.events.values()), "the delete in the timeline")
        [key] = [k for k, e in table.events.items() if e["atom_id"] == "pkg/db.py::write"
                 and e["operation"] == "delete"]
        assert str(table.get_cell(str(key), "changed")) == "⚠ 2 callers now call nothing"
