"""Pane 2: the focused atom's fields and its source, scrolled to it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Static

from ..messages import AtomLoaded
from ..query import ATOM_FIELDS, broken_callers_note
from ..terminal_text import inert
from . import clock
from .change_view import change_lines, headline
from .pane import ExportData, Pane
from .source_view import SourceView

CHANGE_LINES = 8  # of a change opened from the timeline
EMPTY = ("No atom chosen yet.\n"
         "Search (1) and press Enter, jump with Ctrl+P, or go to an id with ':'.")


class AtomHeader(Static):
    """Name, kind, place, counts; warnings (signature changed, parse errors, deleted)."""


class AtomPane(Pane):
    NUMBER = 2
    TITLE = "Atom"

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.view: dict | None = None
        self.ghost: dict | None = None
        self._shown: tuple[str, int] | None = None  # (atom id, first line) on screen now

    def compose(self) -> ComposeResult:
        yield AtomHeader(EMPTY, id="atom-header")
        source = SourceView(id="source")
        source.display = False  # until there is an atom: an empty editor still shows "1"
        yield source

    def main_widget(self):
        return self.query_one(SourceView)

    def show(self, loaded: AtomLoaded, may_break_tx: int | None, touched_op: str | None,
             change: dict | None = None, breaking: str | None = None) -> None:
        header = self.query_one(AtomHeader)
        source = self.query_one(SourceView)
        self.view, self.ghost = loaded.view, loaded.ghost
        if loaded.view is None and loaded.ghost is None:
            header.update(Content.styled(inert(loaded.error or f"{loaded.atom_id} is not in the index."),
                                         "$error"))
            source.display = False
            return
        row = loaded.view or loaded.ghost
        header.update(self._header(row, loaded, may_break_tx, touched_op, change, breaking))
        if loaded.source is None:
            source.display = False
            return
        source.display = True
        # A refresh keeps the atom where it was on screen, even when lines above it moved it.
        scroll = None
        if loaded.keep_scroll and self._shown is not None and self._shown[0] == row["id"]:
            scroll = source.scroll_y + (row["line"] - self._shown[1])
        # Layout stays (newlines, tabs); an escape sequence in the file is shown, not run.
        source.show_text((row["file_path"], loaded.first_line), inert(loaded.source, layout=True),
                         (loaded.view or {}).get("language"), loaded.first_line)
        source.show_atom_lines(row["line"], row.get("end_line"), scroll=scroll)
        self._shown = (row["id"], row["line"])

    def _header(self, row: dict, loaded: AtomLoaded, may_break_tx: int | None,
                touched_op: str | None, change: dict | None, breaking: str | None = None) -> Content:
        flags = [row["kind"]]
        if row.get("is_async"):
            flags.insert(0, "async")
        if row.get("is_exported"):
            flags.append("exported")
        end = f"-{row['end_line']}" if row.get("end_line") else ""
        lines = [Content.assemble(
            (inert(row["qualified_name"]), "bold $text-accent"), "  ", (" ".join(flags), "$text-muted"),
            ("  ● changed just now" if touched_op else "", "bold $warning"))]
        place = inert(f"{row['file_path']}:{row['line']}{end}")
        if loaded.view is not None:
            counts = f"  {row.get('callers', 0)} callers · {row.get('callees', 0)} callees" \
                     f" · complexity {row.get('complexity', 1)} · v{row.get('version', 1)}"
            lines.append(Content.assemble((place, "$text-muted"), (counts, "$text-muted")))
        else:
            when = clock.clock(row.get("deleted_at") or 0)
            lines.append(Content.assemble((place, "$text-muted"), (
                f"  deleted in transaction {row.get('deleted_in')} at {when}; "
                "shown as it was", "bold $error")))
        if may_break_tx:
            lines.append(Content.styled(
                f"⚠ may break its callers: {breaking or 'signature changed'} "
                f"(transaction {may_break_tx})", "bold $warning"))
        if loaded.view is None and row.get("broken_callers"):
            lines.append(Content.styled(
                f"{broken_callers_note(len(row['broken_callers']))}: 3 lists them", "bold $warning"))
        if loaded.view and loaded.view.get("file_error_count"):
            first = inert((loaded.view.get("file_errors") or ["?"])[0])
            lines.append(Content.styled(
                f"⚠ {loaded.view['file_error_count']} parse error(s) in this file (first at {first}); "
                "atoms after an error may be missing", "$warning"))
        if loaded.error:
            lines.append(Content.styled(inert(loaded.error), "$error"))
        if row.get("signature") and loaded.source is None:
            lines.append(Content(inert(row["signature"], layout=True)))
        if change is not None:
            lines.append(headline(change))
            lines += change_lines(change, limit=CHANGE_LINES)
        return Content("\n").join(lines)

    def export_data(self) -> ExportData | None:
        row = self.view or self.ghost
        if row is None:
            return None
        return ExportData(f"atom-{row['name']}", f"atom {row['id']}", [row],
                          ATOM_FIELDS + (["callers", "callees"] if self.view else []))
