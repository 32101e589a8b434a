"""Pane 1 under Pilot: search as you type, filters, results with counts, choosing an atom."""

from __future__ import annotations

from pathlib import Path

import pytest
from tui_support import explorer, open_and_wait, result_ids, type_search, wait_for


async def test_search_as_you_type_with_counts(pyrepo: Path, home: Path):
    async with explorer(pyrepo, home) as (app, pilot):
        await type_search(app, pilot, "sav")
        ids = result_ids(app)
        # names that start with the text first, shortest first
        assert ids[0] == "pkg/db.py::save"
        assert set(ids) >= {"pkg/db.py::save", "pkg/db.py::save_atom", "pkg/models.py::User.save"}
        table = app.explorer.search.table
        row = table.rows_by_id["pkg/db.py::save_atom"]
        assert (row["callers"], row["callees"]) == (2, 1)  # handle and sync_all; write
        assert str(table.get_cell("pkg/db.py::save_atom", "callers")) == "2"
        assert str(table.get_cell("pkg/db.py::save_atom", "where")) == "pkg/db.py:5"
        assert app.explorer.search.border_subtitle.startswith(f"{len(ids)} results")


@pytest.mark.slow
async def test_filters_written_in_the_box(pyrepo: Path, home: Path):
    async with explorer(pyrepo, home) as (app, pilot):
        await type_search(app, pilot, "save kind:method")
        assert result_ids(app) and all("User.save" in i or "Base.save" in i for i in result_ids(app))
        await type_search(app, pilot, "save is:async")
        assert result_ids(app) == ["pkg/db.py::save_atom"]
        await type_search(app, pilot, "save file:models")
        assert {i.split("::")[0] for i in result_ids(app)} == {"pkg/models.py"}
        chips = str(app.explorer.search.query_one("#filter-chips").render())
        assert "file *models*" in chips
        # a filter alone lists what it selects
        await type_search(app, pilot, "is:async")
        assert set(result_ids(app)) >= {"pkg/db.py::save_atom", "pkg/service.py::handle"}
        # clicking a chip's action removes the filter from the box
        app.explorer.search.remove_filter("async")
        await wait_for(pilot, lambda: app.explorer.search.query_one("#search-input").value == "",
                       "the filter to leave the box")


@pytest.mark.slow
async def test_nothing_found_and_bad_filters_say_what_to_do(pyrepo: Path, home: Path):
    async with explorer(pyrepo, home) as (app, pilot):
        await type_search(app, pilot, "zzqxv")
        empty = app.explorer.search.query_one("#search-empty")
        assert empty.display and not app.explorer.search.table.display
        assert "Nothing matches “zzqxv”" in str(empty.render())
        await type_search(app, pilot, "save kind:banana")
        assert "unknown kind 'banana'" in str(app.explorer.search.query_one("#filter-chips").render())
        await type_search(app, pilot, "")
        assert "Type a name to search" in str(empty.render())


@pytest.mark.slow
async def test_raw_user_text_never_breaks_the_search(pyrepo: Path, home: Path):
    async with explorer(pyrepo, home) as (app, pilot):
        for text in ['"', "this.save(", "a OR", "*", "save -", "ü€", "NEAR(", "'"]:
            await type_search(app, pilot, text)
        assert app.is_running


@pytest.mark.slow
async def test_cursor_preview_and_enter_choose_an_atom(pyrepo: Path, home: Path):
    async with explorer(pyrepo, home) as (app, pilot):
        await type_search(app, pilot, "sav")
        await pilot.press("down")  # from the box to the results
        assert app.focused is app.explorer.search.table
        await pilot.press("down")  # the cursor rests on the second result: a preview
        second = result_ids(app)[1]
        await wait_for(pilot, lambda: app.explorer.current_atom == second, "the preview")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.focused is app.explorer.tree(False), "the callees tree")
        assert app.history.entries[-1] == second
        await wait_for(pilot, lambda: (app.explorer.atom_pane.view or {}).get("id") == second,
                       "the atom pane")
        # vim aliases move the cursor too
        await pilot.press("1")
        await pilot.press("down")
        table = app.explorer.search.table
        assert app.focused is table and table.cursor_row == 1  # where it was left
        await pilot.press("j")
        assert table.cursor_row == 2
        await pilot.press("k")
        assert table.cursor_row == 1
        await pilot.press("G")
        assert table.cursor_row == table.row_count - 1
        await pilot.press("g")
        assert table.cursor_row == 0


async def test_atom_pane_shows_fields_and_highlighted_source(pyrepo: Path, home: Path):
    async with explorer(pyrepo, home) as (app, pilot):
        await open_and_wait(app, pilot, "pkg/service.py::handle", focus="atom")
        pane = app.explorer.atom_pane
        header = str(pane.query_one("#atom-header").render())
        assert "handle" in header and "async function exported" in header
        assert "pkg/service.py:9-17" in header and "1 callers · 9 callees" in header
        source = pane.query_one("#source")
        assert source.language == "python"
        assert source.selection.start == (16, len(source.document.get_line(16)))
        assert source.selection.end == (8, 0)
        assert "async def handle(request, obj):" in source.selected_text
        assert app.focused is source


async def test_parse_errors_are_shown_with_the_atom(pyrepo: Path, home: Path):
    async with explorer(pyrepo, home) as (app, pilot):
        await open_and_wait(app, pilot, "broken.py::after_error")
        header = str(app.explorer.atom_pane.query_one("#atom-header").render())
        assert "parse error(s) in this file" in header


async def test_typescript_and_tsx_source_is_highlighted(tsrepo: Path, home: Path):
    """TypeScript and TSX are registered with the TextArea (our grammars, the highlight queries
    their packages ship): a keyword is drawn in another style than the name beside it."""
    async with explorer(tsrepo, home) as (app, pilot):
        for atom_id, language, keyword, name in (
                ("src/service.ts::Service.save", "typescript", "async", "save"),
                ("src/view.tsx::View", "tsx", "return", "div")):
            await open_and_wait(app, pilot, atom_id, focus="atom")
            source = app.explorer.atom_pane.query_one("#source")
            assert source.language == language
            await pilot.pause()
            styles = {}
            for y in range(source.size.height):
                for segment in source.render_line(y):
                    styles.setdefault(segment.text.strip(), segment.style)
            assert keyword in styles and name in styles, sorted(styles)
            assert styles[keyword].color is not None
            assert styles[keyword].color != styles[name].color
