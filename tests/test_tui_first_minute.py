"""The explorer's first minute, under Pilot on a real repository: what a newcomer does first."""

from __future__ import annotations

from pathlib import Path

from tui_support import explorer, result_ids, type_search, wait_for


async def test_started_in_a_subfolder_searches_it_until_the_chip_is_removed(pyrepo: Path, home: Path):
    async with explorer(pyrepo, home, scope="pkg/*") as (app, pilot):
        search = app.explorer.search
        chips = search.query_one("#filter-chips")
        assert "in pkg/ ✕" in str(chips.render())
        await type_search(app, pilot, "main")
        assert "main.py::main" not in result_ids(app)
        await type_search(app, pilot, "save file:models")  # a file filter in the box wins
        assert {i.split("::")[0] for i in result_ids(app)} == {"pkg/models.py"}
        assert "in pkg/" not in str(chips.render())
        await type_search(app, pilot, "main")
        assert await pilot.click(chips, offset=(3, 0))  # on the chip
        await wait_for(pilot, lambda: "main.py::main" in result_ids(app), "the whole repository")
        assert "in pkg/" not in str(chips.render())
