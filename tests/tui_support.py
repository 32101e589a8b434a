"""Helpers for tests of the explorer: the real app under Pilot on a real repository copy."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from textual.pilot import Pilot

from dgtui.app import DgtuiApp, make_app

TIMEOUT = 20.0  # an upper bound so a broken app fails instead of hanging; not a speed test
SIZE = (100, 32)


async def wait_for(pilot: Pilot, predicate: Callable[[], object], what: str,
                   timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await pilot.pause(0.02)


@contextlib.asynccontextmanager
async def explorer(root: Path, home: Path, size: tuple[int, int] = SIZE, notifications: bool = False,
                   **options) -> AsyncIterator[tuple[DgtuiApp, Pilot]]:
    """The app on ``root``, ready: the live index reconciled and the counts loaded. With
    ``notifications`` its notifications show as toasts (`notified` reads them)."""
    app = make_app(str(root), str(home), **options)
    async with app.run_test(size=size, notifications=notifications) as pilot:
        await wait_for(pilot, lambda: app.live_status.state in ("watching", "indexed", "reading")
                       and app.totals.get("atoms"), "the live index to be ready")
        await pilot.pause()
        yield app, pilot


async def type_search(app: DgtuiApp, pilot: Pilot, text: str) -> None:
    """Type into the search box (replacing what it held) and wait for the matching results."""
    await app.run_action("focus_search")
    box = app.explorer.search.query_one("#search-input")
    box.value = ""
    for ch in text:  # real key presses; characters without a key name are inserted
        if ch.isascii() and ch.isprintable():
            await pilot.press(ch)
        else:
            box.insert_text_at_cursor(ch)
    await wait_for_search(app, pilot, text)


def searching(app: DgtuiApp) -> bool:
    """A search of the explorer's is still running (its results not yet handed back)."""
    explorer = app.explorer
    return any(w.group == "search" and w.node is explorer and not w.is_finished for w in app.workers)


async def wait_for_search(app: DgtuiApp, pilot: Pilot, text: str) -> None:
    """Wait until the search pane shows the results of ``text`` (the words of a search line):
    the pane shows that text and no newer search runs; then its results message is handled."""
    pane = app.explorer.search
    await wait_for(pilot, lambda: pane.shown_text == _words(text) and not searching(app),
                   f"results for {text!r}")
    await pilot.pause()


def _words(line: str) -> str:
    from dgtui.query.search_syntax import parse_search

    return parse_search(line).text


def result_ids(app: DgtuiApp) -> list[str]:
    table = app.explorer.search.table
    return [table.coordinate_to_cell_key((i, 0)).row_key.value for i in range(table.row_count)]


def tree_rows(app: DgtuiApp, upward: bool) -> list[tuple[str, str | None]]:
    """(kind, id or callee) of the first level of a call tree."""
    tree = app.explorer.tree(upward)
    return [(n.data.kind, n.data.row.get("id") or n.data.row.get("callee")) for n in tree.root.children]


async def open_and_wait(app: DgtuiApp, pilot: Pilot, atom_id: str, focus: str | None = None) -> None:
    app.open_atom(atom_id, focus=focus)
    await wait_for(pilot, lambda: app.explorer.atom_pane.view is not None
                   and app.explorer.atom_pane.view["id"] == atom_id, f"{atom_id} in the atom pane")
    for upward in (True, False):
        await wait_for(pilot, lambda: all(k != "loading" for k, _ in tree_rows(app, upward))
                       and tree_rows(app, upward), "the call trees")


def notified(app: DgtuiApp, text: str) -> bool:
    """A notification saying ``text`` is on screen (read from its toast, as a user reads it;
    the app runs with ``explorer(..., notifications=True)``)."""
    return any(text in str(toast.render()) for toast in app.screen.query("Toast"))


async def settled(pilot: Pilot) -> None:
    """Every worker has finished and what it found is on screen (a handler that starts more
    work is waited for too), and any animation is done."""
    app = pilot.app
    idle = lambda: all(w.is_finished for w in app.workers)  # noqa: E731
    while True:
        await wait_for(pilot, idle, "the workers to finish")
        await pilot.pause()  # their messages handled
        if idle():
            break
    await pilot.wait_for_scheduled_animations()
