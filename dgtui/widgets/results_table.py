"""The search results: one row per atom, keyed by atom id so a refresh keeps the cursor."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import DataTable

from ..terminal_text import inert
from .vim_keys import TABLE_KEYS

# Counts before the place: in a narrow pane the path is what scrolls out of view. The name gets
# the width the longest shown name needs (within NAME_WIDTH), the place what is left; a name or a
# path that does not fit is cut with "…", never silently. Widths change only when the rows or the
# pane do, so a keystroke that keeps the results keeps the table's shape.
# The counts are headed "in" (callers) and "out" (callees): seven-letter headers over three-digit
# numbers took the width the names need.
COLUMNS = (("name", "name", 0), ("kind", "kind", 4), ("callers", "in", 3),
           ("callees", "out", 3), ("where", "file:line", 0))
NAME_WIDTH = (14, 60)  # the name column's narrowest and widest
PATH_WIDTH = (12, 60)  # the place column's narrowest and widest
CELL_PADDING = 2  # DataTable's cell padding, both sides
MARK = {"create": "+", "update": "~", "delete": "−", "edges": "·"}
KIND_SHORT = {"function": "fn", "method": "meth", "generator": "gen", "module": "mod",
              "class": "cls", "arrow": "=>"}


def shown_name(row: dict[str, Any]) -> str:
    return row["qualified_name"] if row["kind"] == "method" else row["name"]


def column_widths(rows: list[dict[str, Any]], width: int, marked: bool = False) -> tuple[int, int]:
    """(name, place) widths for ``rows`` in a table ``width`` cells wide: the name first
    (``marked``: some names carry a change mark, two cells)."""
    fixed = sum(w for _, _, w in COLUMNS) + CELL_PADDING * len(COLUMNS)
    longest = max((len(shown_name(r)) + 2 * marked for r in rows), default=NAME_WIDTH[0])
    room = max(NAME_WIDTH[0], width - fixed - PATH_WIDTH[0])  # what the place leaves
    name = max(len("name"), min(longest, NAME_WIDTH[1], room))
    where = max(PATH_WIDTH[0], min(PATH_WIDTH[1], width - fixed - name))
    return name, where


def cut(text: str, width: int) -> str:
    """``text`` in ``width`` cells: whole, or its start and an ellipsis."""
    return text if len(text) <= width else text[:max(0, width - 1)] + "…"


def short_path(path: str, width: int = PATH_WIDTH[1]) -> str:
    return path if len(path) <= width else "…" + path[-(width - 1):]


class ResultsTable(DataTable):
    """Rows of atoms; ``j``/``k``/``g``/``G`` are hidden vim aliases."""

    BINDINGS = TABLE_KEYS

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)
        self.rows_by_id: dict[str, dict[str, Any]] = {}
        self._lit: dict[str, str] = {}  # atom id -> operation, of the rows lit up now
        self.name_width, self.where_width = NAME_WIDTH[0], PATH_WIDTH[0]
        self._shown: list[tuple] | None = None  # what set_rows last drew

    def on_mount(self) -> None:
        self._add_columns(self.name_width, self.where_width)

    def _add_columns(self, name_width: int, where_width: int) -> None:
        self.name_width, self.where_width = name_width, where_width
        for key, label, width in COLUMNS:
            width = width or (name_width if key == "name" else where_width)
            self.add_column(label, key=key, width=width)

    def _fit(self, rows: list[dict[str, Any]], lit: dict[str, str]) -> bool:
        """Give the columns the widths ``rows`` need; True when they changed."""
        widths = column_widths(rows, self.scrollable_content_region.width,
                               marked=any(r["id"] in lit for r in rows))
        if widths == (self.name_width, self.where_width):
            return False
        self.clear(columns=True)
        self._add_columns(*widths)
        return True

    def on_resize(self) -> None:
        cursor_id, scroll_y = self.cursor_atom_id(), self.scroll_y
        if self._fit(list(self.rows_by_id.values()), self._lit):
            self._shown = None
            self.set_rows(list(self.rows_by_id.values()), dict(self._lit), (cursor_id, scroll_y))

    def set_rows(self, rows: list[dict[str, Any]], lit: dict[str, str],
                 cursor: tuple[str | None, float] | None = None) -> None:
        """Replace the rows, keeping the cursor on the same atom and the scroll where it was
        (or, given ``cursor``, on that atom and at that scroll position).

        The same rows again (a keystroke that leaves the results as they were) change nothing:
        rebuilding the table would render every visible cell again."""
        shown = [(r["id"], r["name"], r["qualified_name"], r["kind"], r.get("callers"),
                  r.get("callees"), r["file_path"], r["line"], lit.get(r["id"])) for r in rows]
        if shown == self._shown and self.row_count == len(self.rows_by_id):
            return
        self._shown = shown
        cursor_id, scroll_y = cursor or (self.cursor_atom_id(), self.scroll_y)
        self._fit(rows, lit)
        self.clear()
        self.rows_by_id = {}
        for row in rows:
            if row["id"] in self.rows_by_id:
                continue
            self.rows_by_id[row["id"]] = row
            self.add_row(*self._cells(row, lit.get(row["id"])), key=row["id"])
        self._lit = {k: op for k, op in lit.items() if k in self.rows_by_id}
        if cursor_id in self.rows_by_id:
            self.move_cursor(row=self.get_row_index(cursor_id), scroll=False)
            self.scroll_to(y=scroll_y, animate=False, immediate=True)
        elif rows:
            self.move_cursor(row=0)

    def restyle(self, lit: dict[str, str]) -> None:
        """Highlights came or went: update the name cells whose state changed."""
        now = {k: op for k, op in lit.items() if k in self.rows_by_id}
        for atom_id in set(now) ^ set(self._lit):
            self.update_cell(atom_id, "name", self._name_cell(self.rows_by_id[atom_id], now.get(atom_id)))
            self._shown = None
        self._lit = now

    def cursor_atom_id(self) -> str | None:
        if not self.row_count:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        except Exception:
            return None
        return key.value

    def _cells(self, row: dict[str, Any], op: str | None) -> tuple[Any, ...]:
        kind = KIND_SHORT.get(row["kind"], row["kind"])
        line = f":{row['line']}"
        where = short_path(row["file_path"], max(4, self.where_width - len(line))) + line
        return (self._name_cell(row, op), Text(kind, style="dim"),
                Text(str(row.get("callers", "")), justify="right"),
                Text(str(row.get("callees", "")), justify="right"),
                Text(inert(where), style="dim"))

    def _name_cell(self, row: dict[str, Any], op: str | None) -> Text:
        if op:
            name = cut(inert(shown_name(row)), self.name_width - 2)
            return Text.assemble((f"{MARK.get(op, '•')} ", "bold yellow"), (name, "bold yellow"))
        return Text(cut(inert(shown_name(row)), self.name_width))
