"""Pane 5: the event log, live, newest first, with the diff of the selected change."""

from __future__ import annotations

import os

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Checkbox, DataTable, Footer, Input, Select, Static

from .. import query
from ..messages import DeltaShown, EventsLoaded, TimelineFilterChanged
from ..model import Delta, EventFilter
from ..query.search_syntax import path_glob
from ..widgets.change_view import ChangeView
from ..widgets.event_table import EventTable
from ..widgets.pane import ExportData, Pane
from ..widgets.pane_bar import PaneBar
from ..widgets.pane_input import OrderedInput
from ..widgets.status_bar import StatusBar
from .live_screen import LiveScreen

SOURCES = ("file-watcher", "index", "reconcile", "atomic-edit", "mcp", "user", "import")
FIRST_LOAD = 500
EMPTY = ("No events yet. Every change dgtui sees is logged here, newest first:\n"
         "save a file in the repository and watch it appear.")


class TimelinePane(Pane):
    NUMBER = 5
    TITLE = "Timeline"

    def compose(self) -> ComposeResult:
        with Horizontal(id="timeline-filters"):
            yield Select([(s, s) for s in SOURCES], prompt="any source", compact=True,
                         id="filter-source")
            yield OrderedInput(placeholder="file glob (pkg/*.py)", compact=True, id="filter-file")
            yield OrderedInput(placeholder="atom (name or id part)", compact=True, id="filter-atom")
            # A line added at the top of a file moves every atom below it: those updates bury
            # the real change, so they are hidden until asked for.
            yield Checkbox("moves", False, compact=True, id="filter-moves",
                           tooltip="Also list updates that only moved an atom (line numbers)")
        yield EventTable(id="events")
        yield Static(EMPTY, id="events-empty", classes="empty")
        yield ChangeView(id="change")

    def main_widget(self):
        return self.query_one(EventTable)

    def export_data(self) -> ExportData | None:
        rows = sorted(self.query_one(EventTable).events.values(), key=lambda r: -r["event_id"])
        if not rows:
            return None
        return ExportData("timeline", "events", rows, query.EVENT_COLUMNS)

    @on(Select.Changed)
    @on(Input.Changed)
    @on(Checkbox.Changed)
    def _filter_changed(self, event) -> None:
        event.stop()
        source = self.query_one("#filter-source", Select).value
        self.post_message(TimelineFilterChanged(
            None if source is Select.NULL else str(source),
            self.query_one("#filter-file", Input).value.strip() or None,
            self.query_one("#filter-atom", Input).value.strip() or None,
            self.query_one("#filter-moves", Checkbox).value))


class TimelineScreen(LiveScreen):
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]

    def __init__(self) -> None:
        super().__init__(id="timeline")
        self.filter = EventFilter(limit=FIRST_LOAD, hide_moves=True)
        self._last_tx = 0  # the newest transaction whose events the table holds
        self._seen_tx = 0  # the newest transaction a delta announced
        self._generation = 0  # bumps when the filter changes: late answers are dropped

    def compose(self) -> ComposeResult:
        yield PaneBar(os.path.basename(self.app.root), 5)
        yield TimelinePane(id="timeline-pane")
        yield StatusBar()
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(ChangeView).show(None)
        self._load(replace=True)

    def focus_main(self) -> None:
        self.query_one(TimelinePane).focus_main()

    @property
    def table(self) -> EventTable:
        return self.query_one(EventTable)

    # -- loading ------------------------------------------------------------------------------
    def _load(self, replace: bool, delta: Delta | None = None) -> None:
        f = self.filter
        since = None if replace else self._last_tx
        self._events_worker(self._generation, EventFilter(
            atom_glob=f.atom_glob, file_glob=f.file_glob, source=f.source, since_transaction=since,
            hide_moves=f.hide_moves, limit=FIRST_LOAD if replace else None), replace, delta)

    @work(thread=True, group="events", exit_on_error=False)
    def _events_worker(self, generation: int, f: EventFilter, replace: bool, delta: Delta | None) -> None:
        rows = self.app.stores.ask(query.events, f)
        if generation == self._generation:
            self.post_message(EventsLoaded(rows, replace, delta))

    @on(EventsLoaded)
    def _events_loaded(self, message: EventsLoaded) -> None:
        table = self.table
        newest = max((r["transaction_id"] for r in message.rows), default=0)
        if message.replace:
            table.replace(message.rows)
            self._last_tx = newest
        else:
            table.add_events(message.rows)
            self._last_tx = max(self._last_tx, newest)
        if message.delta is not None:
            self.post_message(DeltaShown(message.delta.transaction_id))
        if message.replace and self._seen_tx > self._last_tx:
            # A commit landed while this load read an older snapshot, and an incremental load
            # for it may have finished first: read what came after this snapshot again.
            self._load(replace=False)
        empty = not table.row_count
        table.display = not empty
        self.query_one("#events-empty").display = empty
        self.query_one(TimelinePane).border_subtitle = f"{table.row_count} events" if not empty else ""
        if message.replace or table.cursor_row == 0:
            self.query_one(ChangeView).show(table.selected())

    @on(TimelineFilterChanged)
    def _filter_changed(self, message: TimelineFilterChanged) -> None:
        atom = message.atom_text
        glob = path_glob(atom) if atom else None
        file_glob = path_glob(message.file_glob) if message.file_glob else None
        self.filter = EventFilter(source=message.source, file_glob=file_glob, atom_glob=glob,
                                  hide_moves=not message.show_moves, limit=FIRST_LOAD)
        self._generation += 1
        self._load(replace=True)

    def apply_deltas(self, deltas: list[Delta]) -> None:
        """Every commit adds events: load those after the newest the table holds."""
        self._seen_tx = max(self._seen_tx, deltas[-1].transaction_id)
        self._load(replace=False, delta=deltas[-1])

    # -- the selected event -------------------------------------------------------------------
    @on(DataTable.RowHighlighted, "#events")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.query_one(ChangeView).show(self.table.selected())

    @on(DataTable.RowSelected, "#events")
    def _selected(self, event: DataTable.RowSelected) -> None:
        row = self.table.selected()
        if row is not None:
            self.app.open_atom(row["atom_id"], focus="atom", change=row)

    def editor_target(self) -> tuple[str, int] | None:
        row = self.table.selected()
        if row is None:
            return None
        state = (row.get("delta") or {}).get("atom") or {}
        return row["file_path"], int(state.get("line") or 1)
