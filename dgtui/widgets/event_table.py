"""The event log as a table, newest first, keyed by event id so live additions keep the cursor."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import DataTable

from ..query import broken_callers_note
from ..terminal_text import inert
from . import clock
from .vim_keys import TABLE_KEYS

COLUMNS = (("time", "time"), ("source", "source"), ("tx", "tx"), ("op", "op"),
           ("atom", "atom"), ("changed", "changed"))
MAX_ROWS = 2000
_OP_STYLE = {"create": "green", "update": "yellow", "delete": "red"}


class _Stamp(Text):
    """The time cell; carries the event id the table sorts by (newest first)."""

    event_id: int = 0


class EventTable(DataTable):
    BINDINGS = TABLE_KEYS

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cursor_type="row", **kwargs)
        self.events: dict[int, dict[str, Any]] = {}

    def on_mount(self) -> None:
        for key, label in COLUMNS:
            self.add_column(label, key=key)

    def replace(self, rows: list[dict[str, Any]]) -> None:
        self.clear()
        self.events = {}
        self.add_events(rows)

    def add_events(self, rows: list[dict[str, Any]]) -> int:
        """Add events (any order); newest stay on top, the cursor stays on its event and the
        view stays where it was unless it was at the top. Returns how many were new."""
        fresh = [r for r in rows if r["event_id"] not in self.events]
        if not fresh:
            return 0
        cursor = self.cursor_event()
        at_top = self.scroll_y == 0
        scroll_y = self.scroll_y
        for row in fresh:
            self.events[row["event_id"]] = row
            self.add_row(*self._cells(row), key=str(row["event_id"]))
        self.sort("time", key=lambda cell: -cell.event_id)
        if len(self.events) > MAX_ROWS:
            for event_id in sorted(self.events)[:len(self.events) - MAX_ROWS]:
                del self.events[event_id]
                self.remove_row(str(event_id))
        if cursor is not None and cursor in self.events:
            self.move_cursor(row=self.get_row_index(str(cursor)), scroll=False)
        if not at_top:
            self.scroll_to(y=scroll_y + len(fresh), animate=False, immediate=True)
        return len(fresh)

    def cursor_event(self) -> int | None:
        if not self.row_count:
            return None
        try:
            return int(self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value)
        except Exception:
            return None

    def selected(self) -> dict[str, Any] | None:
        event_id = self.cursor_event()
        return self.events.get(event_id) if event_id is not None else None

    @staticmethod
    def _cells(row: dict[str, Any]) -> tuple[Any, ...]:
        stamp = _Stamp(clock.clock(row["time"]), style="dim")
        stamp.event_id = row["event_id"]
        atom = inert(row["atom_id"].rpartition("::")[2])
        where = inert(row["file_path"])
        changed = ", ".join(c for c in row.get("changed") or [] if c != "body_hash") or \
            ("body" if row.get("changed") else "")
        if row.get("broken_callers"):  # a deletion that left callers calling nothing
            what = Text(broken_callers_note(len(row["broken_callers"])), style="bold yellow")
        elif row.get("breaking"):
            what = Text.assemble((changed, "dim"), ("  ⚠ may break: ", "bold yellow"), (row["breaking"], "yellow"))
        else:
            what = Text(changed, style="dim")
        return (stamp, Text(row["source"]), Text(str(row["transaction_id"]), justify="right"),
                Text(row["operation"], style=_OP_STYLE.get(row["operation"], "")),
                Text.assemble((atom, "bold"), (f"  {where}", "dim")), what)
