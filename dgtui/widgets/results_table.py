"""The search results: one row per atom, keyed by atom id so a refresh keeps the cursor."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import DataTable

from ..terminal_text import inert
from .vim_keys import TABLE_KEYS

# Counts before the place: in a narrow pane the path is what scrolls out of view. Widths are
# fixed (the name takes what the pane leaves), so the table neither measures every cell nor
# changes shape on each keystroke.
COLUMNS = (("name", "name", 0), ("kind", "kind", 5), ("callers", "callers", 7),
           ("callees", "callees", 7), ("where", "file:line", 40))
NAME_WIDTH = (14, 48)  # the name column's narrowest and widest
PATH_WIDTH = 40
MARK = {"create": "+", "update": "~", "delete": "−", "edges": "·"}
KIND_SHORT = {"function": "fn", "method": "meth", "generator": "gen", "module": "mod"}


def short_path(path: str, width: int = PATH_WIDTH) -> str:
    return path if len(path) <= width else "…" + path[-(width - 1):]


class ResultsTable(DataTable):
    """Rows of atoms; ``j``/``k``/``g``/``G`` are hidden vim aliases."""

    BINDINGS = TABLE_KEYS

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)
        self.rows_by_id: dict[str, dict[str, Any]] = {}
        self._lit: dict[str, str] = {}  # atom id -> operation, of the rows lit up now
        self.name_width = NAME_WIDTH[0]
        self._shown: list[tuple] | None = None  # what set_rows last drew

    def on_mount(self) -> None:
        self._add_columns(NAME_WIDTH[0])

    def _add_columns(self, name_width: int) -> None:
        self.name_width = name_width
        for key, label, width in COLUMNS:
            self.add_column(label, key=key, width=width or name_width)

    def on_resize(self) -> None:
        others = sum(w for _, _, w in COLUMNS[1:4]) + 2 * len(COLUMNS)
        width = max(NAME_WIDTH[0], min(NAME_WIDTH[1], self.scrollable_content_region.width - others))
        if width != self.name_width:
            self.clear(columns=True)
            self._add_columns(width)
            self._shown = None
            self.set_rows(list(self.rows_by_id.values()), dict(self._lit))

    def set_rows(self, rows: list[dict[str, Any]], lit: dict[str, str]) -> None:
        """Replace the rows, keeping the cursor on the same atom and the scroll where it was.

        The same rows again (a keystroke that leaves the results as they were) change nothing:
        rebuilding the table would render every visible cell again."""
        shown = [(r["id"], r["name"], r["qualified_name"], r["kind"], r.get("callers"),
                  r.get("callees"), r["file_path"], r["line"], lit.get(r["id"])) for r in rows]
        if shown == self._shown and self.row_count == len(self.rows_by_id):
            return
        self._shown = shown
        cursor_id = self.cursor_atom_id()
        scroll_y = self.scroll_y
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
        return (self._name_cell(row, op), Text(kind, style="dim"),
                Text(str(row.get("callers", "")), justify="right"),
                Text(str(row.get("callees", "")), justify="right"),
                Text(inert(f"{short_path(row['file_path'])}:{row['line']}"), style="dim"))

    @staticmethod
    def _name_cell(row: dict[str, Any], op: str | None) -> Text:
        name = inert(row["qualified_name"] if row["kind"] == "method" else row["name"])
        if op:
            return Text.assemble((f"{MARK.get(op, '•')} ", "bold yellow"), (name, "bold yellow"))
        return Text(name)
