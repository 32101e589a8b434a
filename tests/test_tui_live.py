"""The explorer following a repository: a real watcher on real files, a real SQLite index, the
real app under Pilot. Panes refresh after each commit without losing cursor or scroll."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from helpers import write
from textual.css.query import NoMatches
from tui_support import explorer, open_and_wait, result_ids, searching, tree_rows, type_search, wait_for

from dgtui.engine.live import LiveIndex
from dgtui.widgets.status_bar import StatusBar

UTIL_EXTRA = "\n\ndef shiny(x):\n    return fmt(x)\n"


def timeline_ids(app) -> list[tuple[str, str]]:
    try:
        table = app.get_screen("timeline").table
    except NoMatches:  # not composed yet
        return []
    out = []
    for i in range(table.row_count):
        event = table.events[int(table.coordinate_to_cell_key((i, 0)).row_key.value)]
        out.append((event["operation"], event["atom_id"]))
    return out


@pytest.mark.slow
async def test_timeline_shows_a_file_write_newest_first(pyrepo: Path, home: Path):
    async with explorer(pyrepo, home) as (app, pilot):
        await pilot.press("5")
        screen = app.get_screen("timeline")
        assert app.screen is screen and app.focused is screen.table
        await wait_for(pilot, lambda: screen.table.row_count > 0, "the index's events")
        assert all(source == "index" for source in (e["source"] for e in screen.table.events.values()))
        await pilot.press("down", "down")
        kept = screen.table.cursor_event()
        util = pyrepo / "pkg" / "util.py"
        write(util, util.read_text() + UTIL_EXTRA)
        await wait_for(pilot, lambda: ("create", "pkg/util.py::shiny") in timeline_ids(app),
                       "the new function in the timeline")
        top = screen.table.events[int(screen.table.coordinate_to_cell_key((0, 0)).row_key.value)]
        assert top["source"] == "file-watcher" and top["transaction_id"] == max(
            e["transaction_id"] for e in screen.table.events.values())
        assert screen.table.cursor_event() == kept  # the cursor stayed on its event
        # The table reports what it shows with a message: the status line says it a frame later.
        bar = screen.query_one("StatusBar")
        await wait_for(pilot, lambda: "save→visible" in str(bar.render_status(wide=True)),
                       "the save→visible latency")
        assert app.visible_ms is not None and app.visible_ms >= 0


@pytest.mark.slow
async def test_timeline_filters_and_enter_opens_the_change(pyrepo: Path, home: Path):
    async with explorer(pyrepo, home) as (app, pilot):
        util = pyrepo / "pkg" / "util.py"
        write(util, util.read_text().replace("def fmt(value):", "def fmt(value, width=0):"))
        await pilot.press("5")
        screen = app.get_screen("timeline")
        await wait_for(pilot, lambda: ("update", "pkg/util.py::fmt") in timeline_ids(app), "the update")
        screen.query_one("#filter-atom").value = "fmt"
        await wait_for(pilot, lambda: timeline_ids(app) and all("fmt" in a for _, a in timeline_ids(app)),
                       "the atom filter")
        screen.query_one("#filter-atom").value = ""
        screen.query_one("#filter-file").value = "models"
        await wait_for(pilot, lambda: timeline_ids(app) and all(a.startswith("pkg/models.py")
                                                                for _, a in timeline_ids(app)), "file filter")
        screen.query_one("#filter-file").value = ""
        screen.query_one("#filter-source").value = "file-watcher"
        await wait_for(pilot, lambda: timeline_ids(app) and all(
            e["source"] == "file-watcher" for e in screen.table.events.values()), "source filter")
        screen.table.focus()
        row = next(i for i, (op, a) in enumerate(timeline_ids(app)) if a == "pkg/util.py::fmt")
        screen.table.move_cursor(row=row)
        await pilot.pause()
        change = str(screen.query_one("#change").render())
        assert "signature:" in change and "- def fmt(value):" in change and "+ def fmt(value, width=0):" in change
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is app.explorer and
                       (app.explorer.atom_pane.view or {}).get("id") == "pkg/util.py::fmt", "the atom")
        header = str(app.explorer.atom_pane.query_one("#atom-header").render())
        assert "+ def fmt(value, width=0):" in header  # the diff of the change, with the atom


@pytest.mark.slow
async def test_a_deleted_atom_opens_as_it_was(pyrepo: Path, home: Path):
    async with explorer(pyrepo, home) as (app, pilot):
        util = pyrepo / "pkg" / "util.py"
        write(util, "def fmt(value):\n    return str(value)\n")
        await pilot.press("5")
        await wait_for(pilot, lambda: ("delete", "pkg/util.py::only_helper_here") in timeline_ids(app),
                       "the delete")
        screen = app.get_screen("timeline")
        screen.table.move_cursor(row=timeline_ids(app).index(("delete", "pkg/util.py::only_helper_here")))
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.explorer.atom_pane.ghost is not None, "the ghost")
        header = str(app.explorer.atom_pane.query_one("#atom-header").render())
        assert "only_helper_here" in header and "deleted in transaction" in header
        assert "def only_helper_here(x):" in header


@pytest.mark.slow
async def test_search_results_refresh_keep_cursor_and_light_up(pyrepo: Path, home: Path):
    async with explorer(pyrepo, home) as (app, pilot):
        app.recent.seconds = 1.0
        await type_search(app, pilot, "s")
        table = app.explorer.search.table
        table.focus()
        table.move_cursor(row=2)
        kept = table.cursor_atom_id()
        util = pyrepo / "pkg" / "util.py"
        write(util, util.read_text() + UTIL_EXTRA)
        await wait_for(pilot, lambda: "pkg/util.py::shiny" in result_ids(app), "the new atom in the results")
        assert table.cursor_atom_id() == kept
        assert str(table.get_cell("pkg/util.py::shiny", "name")).startswith("+ ")  # lit
        await wait_for(pilot, lambda: not str(table.get_cell("pkg/util.py::shiny", "name")).startswith("+ "),
                       "the highlight to fade")


async def test_focused_atom_reloads_and_callers_may_break(pyrepo: Path, home: Path):
    async with explorer(pyrepo, home) as (app, pilot):
        await open_and_wait(app, pilot, "pkg/util.py::fmt")
        callers = app.explorer.tree(True)
        assert ("atom", "pkg/service.py::handle") in tree_rows(app, True)
        util = pyrepo / "pkg" / "util.py"
        original = util.read_text()
        # A compatible change (a new parameter with a default) breaks no caller: no flag.
        write(util, original.replace("def fmt(value):\n    return str(value)",
                                     "def fmt(value, width=0):\n    return str(value).rjust(width)"))
        await wait_for(pilot, lambda: "rjust" in app.explorer.atom_pane.query_one("#source").text,
                       "the new source")
        assert not callers.may_break and "may break" not in str(
            app.explorer.atom_pane.query_one("#atom-header").render())
        # A breaking one (the default taken away) flags the callers and says which change.
        write(util, original.replace("def fmt(value):\n    return str(value)",
                                     "def fmt(value, width):\n    return str(value).ljust(width)"))
        await wait_for(pilot, lambda: callers.may_break, "the may-break flag")
        node = callers.root.children[0]
        assert "may break" in callers.render_label(node, callers.rich_style, callers.rich_style).plain

        # The atom pane reloads in its own worker: it may come a frame after the trees.
        def header() -> str:
            return str(app.explorer.atom_pane.query_one("#atom-header").render())
        await wait_for(pilot, lambda: "ljust" in app.explorer.atom_pane.query_one("#source").text,
                       "the breaking source")
        assert "may break its callers: parameter width lost its default" in header()
        # leaving the atom forgets the flag
        await open_and_wait(app, pilot, "pkg/db.py::write")
        assert not app.explorer.tree(True).may_break


@pytest.mark.slow
async def test_expanded_tree_survives_a_commit(pyrepo: Path, home: Path):
    async with explorer(pyrepo, home) as (app, pilot):
        await open_and_wait(app, pilot, "pkg/service.py::handle", focus="callees")
        tree = app.explorer.tree(False)
        node = next(n for n in tree.root.children if n.data.row.get("id") == "pkg/db.py::save_atom")
        tree.move_cursor(node)
        await pilot.press("right")
        await wait_for(pilot, lambda: node.data.loaded, "save_atom's callees")
        db = pyrepo / "pkg" / "db.py"
        write(db, db.read_text().replace("    return write(atom)", "    save(atom)\n    return write(atom)"))

        def expanded_children():
            for n in tree.root.children:
                if n.data.row.get("id") == "pkg/db.py::save_atom" and n.is_expanded:
                    return {c.data.row.get("id") for c in n.children}
            return set()
        await wait_for(pilot, lambda: expanded_children() == {"pkg/db.py::write", "pkg/db.py::save"},
                       "the rebuilt, still expanded tree")
        assert tree.cursor_node.data.row["id"] == "pkg/db.py::save_atom"


async def test_renamed_atom_is_followed(pyrepo: Path, home: Path):
    async with explorer(pyrepo, home) as (app, pilot):
        await open_and_wait(app, pilot, "pkg/util.py::only_helper_here")
        util = pyrepo / "pkg" / "util.py"
        write(util, util.read_text().replace("def only_helper_here(x):", "def only_helper(x):"))
        await wait_for(pilot, lambda: app.explorer.current_atom == "pkg/util.py::only_helper", "the rename")
        assert "pkg/util.py::only_helper" in app.history.entries


@pytest.mark.slow
async def test_first_run_fills_as_it_indexes(pyrepo: Path, home: Path):
    async with explorer(pyrepo, home, chunk_files=2, first_chunk=None) as (app, pilot):
        await pilot.press("5")
        screen = app.get_screen("timeline")
        await wait_for(pilot, lambda: screen.table.row_count, "events")
        index_txs = {e["transaction_id"] for e in screen.table.events.values() if e["source"] == "index"}
        assert len(index_txs) > 1  # committed in chunks, so the panes filled while it ran
        await type_search(app, pilot, "save")
        assert "pkg/db.py::save" in result_ids(app)


@pytest.mark.slow
async def test_a_search_typed_during_the_first_index_grows_as_chunks_land(tmp_path: Path, home: Path):
    """A first run: the search typed at once shows what the chunks committed so far hold while
    the index runs (the status says so), and more when a next chunk lands, the cursor on its
    atom. Each chunk waits, once committed and handed to the app, until the test lets it go
    (a subscriber of the live index, called in its thread after the app's)."""
    from tui_support import TIMEOUT, make_app

    files, matching = 400, 40  # a handle_ function in every tenth file: fewer than a page
    root = tmp_path / "big"
    for i in range(files):
        name = "handle" if i % 10 == 0 else "helper"
        write(root / "pkg" / f"m{i:03}.py", f"def {name}_{i}(x):\n    return other_{i}(x)\n\n\n"
                                            f"def other_{i}(x):\n    return x\n")
    chunks, free = threading.Semaphore(0), threading.Event()
    landed: list[int] = []

    def hold(delta) -> None:
        if delta.source == "index" and not free.is_set():
            chunks.acquire(timeout=TIMEOUT)

    app = make_app(str(root), str(home), first_chunk=24, chunk_files=48)
    try:
        async with app.run_test(size=(100, 32)) as pilot:
            await wait_for(pilot, lambda: app.live is not None, "the live index")
            app.live.subscribe(landed.append)
            app.live.subscribe(hold)
            await pilot.press(*"handle")
            table = app.explorer.search.table
            await wait_for(pilot, lambda: table.row_count, "the first results")
            first = result_ids(app)
            assert len(first) < matching and all("::handle_" in atom for atom in first)
            status = str(app.explorer.query_one(StatusBar).render_status())
            # the first chunk is committed before the walk is over (no total yet: "167/…"); the
            # test's hold may catch a later one (it subscribes once the live index runs)
            assert app.live_status.state == "indexing" and "indexing" in status
            assert re.search(rf" \d+/(…|{files})", status), status
            await pilot.press("down", *["down"] * (len(first) - 1))  # to the last result
            assert app.focused is table and table.cursor_row == len(first) - 1 > 0
            kept = table.cursor_atom_id()
            while len(result_ids(app)) == len(first):  # a chunk at a time, until one holds a match
                seen = len(landed)
                chunks.release()
                await wait_for(pilot, lambda: len(landed) > seen, "the next chunk")
                await wait_for(pilot, lambda: not searching(app), "its search")
                await pilot.pause()
            assert set(first) < set(result_ids(app)) and table.cursor_atom_id() == kept
            status = str(app.explorer.query_one(StatusBar).render_status())
            assert f"/{files}" in status  # the walk is over: the total is known
            assert app.explorer.search.query_one("#search-input").value == "handle"
            free.set()
            chunks.release(files)
            await wait_for(pilot, lambda: app.live_status.state == "watching", "the end of the index")
            await wait_for(pilot, lambda: table.row_count == matching, "every result")
            assert table.cursor_atom_id() == kept
    finally:
        free.set()
        chunks.release(files)


@pytest.mark.slow
async def test_a_second_dgtui_reads_and_follows_the_writer(pyrepo: Path, home: Path):
    writer = LiveIndex(str(pyrepo), str(home))
    writer.start()
    try:
        assert writer.ready.wait(20)
        async with explorer(pyrepo, home) as (app, pilot):
            assert app.live_status.role == "reader" and app.live_status.state == "reading"
            await pilot.press("5")
            util = pyrepo / "pkg" / "util.py"
            write(util, util.read_text() + UTIL_EXTRA)
            await wait_for(pilot, lambda: ("create", "pkg/util.py::shiny") in timeline_ids(app),
                           "the writer's commit in the reader's timeline")
    finally:
        writer.stop()


async def test_empty_repository_says_what_to_do(tmp_path: Path, home: Path):
    root = tmp_path / "empty-repo"
    write(root / "README.txt", "nothing to index\n")
    from tui_support import make_app

    app = make_app(str(root), str(home))
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: app.live_status.state == "watching" and app.totals, "the reconcile")
        await wait_for(pilot, lambda: "No Python, JavaScript, TypeScript, Go, Java or Rust" in
                       str(app.explorer.search.query_one("#search-empty").render()), "the empty state")


@pytest.mark.slow
async def test_first_run_of_a_repository_large_enough_for_the_parse_pool(tmp_path: Path, home: Path):
    """Inside a running Textual app stderr is a capture; the spawn pool must still start."""
    from dgtui.parse.files import POOL_THRESHOLD

    root = tmp_path / "many"
    for i in range(POOL_THRESHOLD + 20):
        write(root / f"m{i // 20}" / f"f{i}.py", f"def f{i}(x):\n    return g{i}(x)\n\n\ndef g{i}(x):\n    return x\n")
    async with explorer(root, home, chunk_files=50) as (app, pilot):
        assert app.live_status.state == "watching" and not app.live_status.errors
        # the counts follow the commits at most every half second: the last chunk's may be due
        await wait_for(pilot, lambda: app.totals["atoms"] >= 2 * (POOL_THRESHOLD + 20), "the counts")
        await type_search(app, pilot, "f1")
        assert result_ids(app)


@pytest.mark.slow
async def test_a_hidden_explorer_catches_up_when_shown(pyrepo: Path, home: Path):
    async with explorer(pyrepo, home) as (app, pilot):
        await type_search(app, pilot, "shin")
        assert result_ids(app) == []
        shown = app.explorer.shown_seq
        await pilot.press("escape", "5")
        util = pyrepo / "pkg" / "util.py"
        write(util, util.read_text() + UTIL_EXTRA)
        await wait_for(pilot, lambda: ("create", "pkg/util.py::shiny") in timeline_ids(app), "the timeline")
        await pilot.pause()
        # kept while hidden, not re-asked: no search ran, the results are the ones shown before
        assert not searching(app) and app.explorer.shown_seq == shown and result_ids(app) == []
        await pilot.press("1")
        await wait_for(pilot, lambda: "pkg/util.py::shiny" in result_ids(app), "the catch-up")
