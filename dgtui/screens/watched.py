"""The watched list (``W``): the pinned atoms, lit when a recent transaction touched them or an
atom within their depth, with what it changed. Enter opens the atom, ``w`` unpins it, ``+``/``-``
change its depth N; the list follows the commits while it is open."""

from __future__ import annotations

import time

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from ..terminal_text import inert
from ..widgets.vim_keys import TABLE_KEYS
from .pin_watch import lit

LIT = "bold reverse"
EMPTY = "Nothing is pinned. Press w on an atom (a search result, a call, the atom pane) to watch it."


class WatchedTable(DataTable):
    BINDINGS = TABLE_KEYS


class WatchedDialog(ModalScreen[None]):
    BINDINGS = [Binding("escape", "dismiss", "Close"), Binding("q", "dismiss", "Close", show=False),
                Binding("enter", "open", "Open"), Binding("w", "unpin", "Unpin"),
                Binding("plus", "depth(1)", "N+1"), Binding("minus", "depth(-1)", "N-1")]

    def __init__(self) -> None:
        super().__init__(classes="dialog-screen")

    @property
    def table(self) -> WatchedTable:
        return self.query_one(WatchedTable)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = "Watched atoms"
            box.border_subtitle = "Enter opens · w unpins · + - change N · Esc closes"
            yield Static("", id="watched-empty", markup=False)
            yield WatchedTable(cursor_type="row", zebra_stripes=False)

    def on_mount(self) -> None:
        self.table.add_columns("", "atom", "N", "file", "last change")
        self.watch(self.app, "watched", lambda _: self.refresh_rows(), init=False)
        self.refresh_rows()
        self.table.focus()

    def refresh_rows(self) -> None:
        """Redraw from the explorer's pins and the app's ``watched`` (the cursor kept)."""
        table = self.table
        keep = table.cursor_row
        table.clear()
        watched = self.app.watched
        now_lit = lit(watched, time.time())
        pins = self.app.explorer.pin_watch.pins
        for pin in pins:
            touch = watched.get(pin.atom_id) if pin.atom_id in now_lit else None
            style = LIT if touch else ""
            change = ""
            if touch:
                more = len(touch["changes"]) - 1
                change = f"tx {touch['transaction_id']} · {touch['changes'][0]}" + (f" (+{more})" if more > 0 else "")
            cells = ["●" if touch else " ", inert(pin.name), str(pin.depth), inert(pin.file_path or ""),
                     inert(change)]
            table.add_row(*(Text(c, style=style) for c in cells), key=pin.atom_id)
        if pins:
            table.move_cursor(row=min(keep, len(pins) - 1))
        self.query_one("#watched-empty", Static).update("" if pins else EMPTY)
        self.query_one("#watched-empty").display = not pins

    def _cursor_id(self) -> str | None:
        table = self.table
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def action_open(self) -> None:
        atom_id = self._cursor_id()
        if atom_id is not None:
            self.dismiss()
            self.app.open_atom(atom_id, focus="atom")

    def action_depth(self, step: int) -> None:
        """N of the pin under the cursor, one more or one less (0 to 6)."""
        atom_id = self._cursor_id()
        pin = next((p for p in self.app.explorer.pin_watch.pins if p.atom_id == atom_id), None)
        if pin is not None:
            self.app.explorer.pin_watch.set_depth(pin.atom_id, pin.depth + step)

    def action_unpin(self) -> None:
        atom_id = self._cursor_id()
        if atom_id is not None:
            self.app.explorer.pin_watch.toggle(atom_id)
