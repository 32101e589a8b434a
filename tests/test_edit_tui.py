"""An edit through `dgtui edit` while the explorer runs as the writer: the real app under Pilot,
its real watcher, the edit a real subprocess. The timeline shows the edit once, with its source."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from helpers import write
from test_tui_live import UTIL_EXTRA, timeline_ids
from tui_support import explorer, wait_for


async def test_the_explorer_shows_an_edit_made_elsewhere_once(pyrepo: Path, home: Path):
    async with explorer(pyrepo, home) as (app, pilot):
        assert app.live_status.role == "writer"
        await pilot.press("5")
        screen = app.get_screen("timeline")
        await wait_for(pilot, lambda: screen.table.row_count > 0, "the index's events")
        edit = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "dgtui", "edit", "replace", "pkg/db.py::write", "--expected-version",
            "1", "--path", str(pyrepo), stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, env={**os.environ, "DGTUI_HOME": str(home)})
        out, err = await edit.communicate(b"def write(record, flush):\n    return record\n")
        assert edit.returncode == 0, err
        await wait_for(pilot, lambda: ("update", "pkg/db.py::write") in timeline_ids(app),
                       "the edit in the timeline")
        events = list(screen.table.events.values())
        [edited] = [e for e in events if e["atom_id"] == "pkg/db.py::write" and e["operation"] == "update"]
        assert edited["source"] == "atomic-edit"
        # the explorer's watcher saw pkg/db.py change and recorded nothing of its own: the next
        # thing in the timeline is a person's save
        util = pyrepo / "pkg" / "util.py"
        write(util, util.read_text() + UTIL_EXTRA)
        await wait_for(pilot, lambda: ("create", "pkg/util.py::shiny") in timeline_ids(app), "the save")
        later = [e for e in screen.table.events.values() if e["transaction_id"] > edited["transaction_id"]]
        assert {(e["source"], e["file_path"]) for e in later} == {("file-watcher", "pkg/util.py")}
