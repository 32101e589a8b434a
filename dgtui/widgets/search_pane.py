"""Pane 1: search as you type, filters written in the query, and the results."""

from __future__ import annotations

from dataclasses import replace

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.events import Key
from textual.timer import Timer
from textual.widgets import Input, Static

from ..messages import AtomChosen, SearchChanged
from ..model import AtomFilter
from ..query import TABLE_COLUMNS
from ..query.search_syntax import describe_filters, parse_search, without_filter
from ..terminal_text import inert
from .pane import ExportData, Pane
from .pane_input import PaneKeyInput
from .results_table import ResultsTable

PREVIEW_DELAY = 0.08  # seconds the cursor rests on a result before the atom pane follows it
HINT = ("Type a name to search functions, methods and classes.\n\n"
        "Filters go in the box: kind:method is:async is:exported file:GLOB\n\n"
        "Enter or ↓ goes to the results; Ctrl+P jumps to any atom.\n\n"
        "While the box is empty: ? lists every key, : goes to an id, q quits.")


class SearchInput(PaneKeyInput):
    """The query line; ``down`` and ``escape`` move to the results. While it is empty, ``q``
    quits too (the keys a newcomer tries first work at once; type ``Q`` to search for a word
    that starts with q: the search ignores case)."""

    PASS_THROUGH = PaneKeyInput.PASS_THROUGH + "q"

    BINDINGS = [Binding("down", "app.focus_results", "Results", show=False),
                Binding("escape", "app.focus_results", "Results", show=False)]


class FilterChips(Static):
    """The active filters as chips; clicking a chip removes that filter."""

    _shown: tuple | None = None

    def show(self, line: str, scope: str | None = None) -> None:
        """The filters of ``line``; ``scope`` is the folder the explorer was started in, a
        file filter of its own until the line names one."""
        parsed = parse_search(line)
        chips = describe_filters(parsed.filters)
        if scope and not parsed.filters.file_glob:
            chips.append(("scope", f"in {scope.removesuffix('*')}"))
        if (parsed.problems, chips) == self._shown:
            return  # typing the text leaves the chips alone (an update costs a layout pass)
        self._shown = (parsed.problems, chips)
        if parsed.problems:
            self.update(Content.styled(inert("  ".join(parsed.problems)), "$error"))
        elif not chips:
            self.update(Content.styled("kind:  is:async  is:exported  file:", "$text-disabled"))
        else:
            parts = []
            for token, label in chips:
                kind = "async" if "async" in token else "exported" if "exported" in token \
                    else token.partition(":")[0]
                chip = Content.styled(f" {inert(label)} ✕ ", "reverse $secondary")
                parts += [chip.stylize(f"@click=remove_filter('{kind}')"), Content(" ")]
            self.update(Content.assemble(*parts))

    def action_remove_filter(self, kind: str) -> None:
        self.query_ancestor(SearchPane).remove_filter(kind)


class SearchPane(Pane):
    NUMBER = 1
    TITLE = "Search"

    def __init__(self, scope: str | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.text = ""
        #: The files a search looks at while the box names none: the folder the explorer was
        #: started in (``src/pkg/*``), shown as a chip that removes it.
        self.scope = scope
        #: The search text whose results (or empty state) the pane shows.
        self.shown_text = ""
        self._subtitle = ""
        self._preview_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield SearchInput(placeholder="search…  (kind:method is:async file:*.py)",
                          compact=True, id="search-input")
        yield FilterChips(id="filter-chips")
        yield ResultsTable(id="results")
        yield Static(HINT, id="search-empty", classes="empty")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one(FilterChips).show("", self.scope)
        self.query_one(ResultsTable).display = False

    def main_widget(self):
        return self.query_one(SearchInput)

    @property
    def table(self) -> ResultsTable:
        return self.query_one(ResultsTable)

    # -- typing -------------------------------------------------------------------------------
    @on(Input.Changed, "#search-input")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self.text = event.value
        self._search_changed()

    def _search_changed(self) -> None:
        self.query_one(FilterChips).show(self.text, self.scope)
        parsed = parse_search(self.text)
        self.post_message(SearchChanged(parsed.text, self.filters_of(parsed.filters)))

    def filters_of(self, filters: AtomFilter) -> AtomFilter:
        """The box's filters, with the scope when the box names no files."""
        if self.scope and not filters.file_glob:
            return replace(filters, file_glob=self.scope)
        return filters

    @on(Input.Submitted, "#search-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.table.row_count:
            self.table.focus()

    def remove_filter(self, kind: str) -> None:
        if kind == "scope":
            self.scope = None
            self._search_changed()
            return
        box = self.query_one(SearchInput)
        box.value = without_filter(box.value, kind)

    def set_query(self, line: str) -> None:
        self.query_one(SearchInput).value = line

    # -- results ------------------------------------------------------------------------------
    def show_results(self, text: str, rows: list[dict], lit: dict[str, str],
                     empty_message: str | None) -> None:
        self.shown_text = text
        table = self.table
        table.set_rows(rows, lit)
        empty = self.query_one("#search-empty", Static)
        table.display = bool(rows)
        empty.display = not rows
        if not rows:
            empty.update(Content(inert(empty_message, layout=True)) if empty_message else HINT)
        count = f"{len(rows)}{'+' if len(rows) >= 50 else ''}"
        subtitle = (f"{count} result{'' if count == '1' else 's'}") if rows else ""
        if subtitle != self._subtitle:  # setting it repaints the pane, even to the same text
            self._subtitle = self.border_subtitle = subtitle

    def restyle(self, lit: dict[str, str]) -> None:
        self.table.restyle(lit)

    @on(ResultsTable.RowHighlighted)
    def _highlighted(self, event: ResultsTable.RowHighlighted) -> None:
        event.stop()
        if self.table.has_focus and event.row_key is not None:
            self._preview(event.row_key.value)

    @on(events.DescendantFocus)
    def _focused(self, event: events.DescendantFocus) -> None:
        # ↓ or Enter from the box lands on a row the cursor is already on: no highlight event
        # comes, and the atom pane would stay empty. The row under the cursor is shown at once.
        if event.widget is self.table:
            atom_id = self.table.cursor_atom_id()
            if atom_id is not None:
                self._preview(atom_id)

    def _preview(self, atom_id: str) -> None:
        if self._preview_timer is not None:
            self._preview_timer.stop()
        self._preview_timer = self.set_timer(
            PREVIEW_DELAY, lambda: self.post_message(AtomChosen(atom_id, preview=True)))

    @on(ResultsTable.RowSelected)
    def _selected(self, event: ResultsTable.RowSelected) -> None:
        event.stop()
        if self._preview_timer is not None:
            self._preview_timer.stop()
        if event.row_key is not None:
            self.post_message(AtomChosen(event.row_key.value, focus="callees"))

    def on_key(self, event: Key) -> None:
        # Up from the first result goes back to the query line.
        if event.key == "up" and self.table.has_focus and self.table.cursor_row == 0:
            event.stop()
            self.query_one(SearchInput).focus()

    def export_data(self) -> ExportData | None:
        rows = list(self.table.rows_by_id.values())
        if not rows:
            return None
        return ExportData("search", f"search results for {self.text!r}", rows,
                          TABLE_COLUMNS + ["callers", "callees"])
