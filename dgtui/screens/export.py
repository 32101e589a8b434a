"""``e``: export what the focused pane shows, in a format of ``dgtui.output``, atomically."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Select, Static

from ..output import FORMATS, emit, export_meta, html_comment, write_text
from ..paths import PathError
from ..targets import check_target
from ..terminal_text import inert
from ..widgets.pane import ExportData
from ..widgets.pane_input import OrderedInput

EXPORT_FORMATS = [f for f in FORMATS if f != "table"]
EXTENSIONS = {"csv": "csv", "tsv": "tsv", "json": "json", "ndjson": "ndjson", "md": "md"}


def default_path(repo: str, data: ExportData, fmt: str, folder: str | None = None) -> str:
    """``~/dgtui-<repo>-<what>.<ext>``: outside the repository, named after what it holds."""
    folder = folder or os.path.expanduser("~")
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", f"dgtui-{repo}-{data.name}").strip("-")
    return os.path.join(folder, f"{name}.{EXTENSIONS[fmt]}")


#: What a file name's extension says of its format (the CLI's ``-o FILE`` reads it the same way).
FORMAT_OF_EXTENSION = {**{ext: fmt for fmt, ext in EXTENSIONS.items()}, "jsonl": "ndjson",
                       "markdown": "md"}


def format_of(path: str) -> str | None:
    """The format a file name's extension names (``tui-callers.md``: md), or None."""
    return FORMAT_OF_EXTENSION.get(os.path.splitext(path)[1].lower().lstrip("."))


def with_extension(path: str, fmt: str) -> str:
    root, ext = os.path.splitext(path)
    if ext.lstrip(".") in EXTENSIONS.values():
        return f"{root}.{EXTENSIONS[fmt]}"
    return path


def markdown_comment(meta: dict) -> str:
    """What a Markdown document records of itself, as a table export does: a comment line."""
    return html_comment("dgtui export " + json.dumps({**meta, "format": "md"}, ensure_ascii=False,
                                                     separators=(",", ":"), default=str))


class ConfirmOverwrite(ModalScreen[bool]):
    BINDINGS = [Binding("escape", "dismiss(False)", "No"), Binding("y", "dismiss(True)", "Yes"),
                Binding("n", "dismiss(False)", "No")]

    def __init__(self, path: str) -> None:
        super().__init__(classes="dialog-screen")
        self.path = path

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="confirm") as box:
            box.border_title = "Overwrite?"
            yield Static(Content(inert(f"{self.path} exists. Replace it?")))
            with Horizontal(classes="buttons"):
                yield Button("Replace (y)", variant="warning", compact=True, id="yes")
                yield Button("Keep it (n)", compact=True, id="no")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


class ExportDialog(ModalScreen[None]):
    BINDINGS = [Binding("escape", "dismiss", "Cancel")]

    def __init__(self, data: ExportData, repo: str, root: str | None = None,
                 version: Callable[[], int | None] | None = None, home: str | None = None) -> None:
        super().__init__(classes="dialog-screen")
        self.data = data
        self.repo = repo
        self.root = root
        self.version = version  # the last committed transaction, asked when the file is written
        self.format = "md" if data.markdown is not None else EXPORT_FORMATS[0]
        self.format_chosen = False  # until a format is picked, the file name's extension says it
        self.home = home  # dgtui's data home: never a place to export to

    def compose(self) -> ComposeResult:
        fmt = self.format
        with Vertical(classes="dialog", id="export") as box:
            box.border_title = Content(inert(f"Export {self.data.title}"))  # may quote a search
            box.border_subtitle = f"{len(self.data.rows)} row(s)"
            with Horizontal(classes="field"):
                yield Static("Format", classes="label")
                yield Select([(f, f) for f in EXPORT_FORMATS], value=fmt, allow_blank=False,
                             compact=True, id="export-format")
            with Horizontal(classes="field"):
                yield Static("File", classes="label")
                yield OrderedInput(default_path(self.repo, self.data, fmt), compact=True, id="export-path")
            yield Static("", id="export-message")
            with Horizontal(classes="buttons"):
                yield Button("Export", variant="primary", compact=True, id="export-go")
                yield Button("Cancel", compact=True, id="export-cancel")

    def on_mount(self) -> None:
        # Now, not after a refresh (as ``focus()`` does): keys typed right after `e` land here.
        self.set_focus(self.query_one("#export-path", OrderedInput))

    @on(Select.Changed, "#export-format")
    def _format_changed(self, event: Select.Changed) -> None:
        if str(event.value) == self.format:
            return  # the value it was given, not a choice
        self.format, self.format_chosen = str(event.value), True
        box = self.query_one("#export-path", Input)
        box.value = with_extension(box.value, self.format)

    @on(Button.Pressed, "#export-cancel")
    def _cancel(self) -> None:
        self.dismiss()

    @on(Button.Pressed, "#export-go")
    @on(Input.Submitted, "#export-path")
    def _go(self) -> None:
        path = os.path.abspath(os.path.expanduser(self.query_one("#export-path", Input).value.strip()))
        fmt = self.format if self.format_chosen else format_of(path) or self.format
        if not path or os.path.isdir(path):
            self._say("Give a file name (not a folder).")
            return
        if not os.path.isdir(os.path.dirname(path)):
            self._say(f"No folder {os.path.dirname(path)}.")
            return
        try:  # the data home and dgtui's stores are refused before anything is asked
            target = check_target(path, home=self.home, force=True)
        except PathError as exc:
            self._say(str(exc))
            return
        if os.path.lexists(path) and not target.in_place:
            self.app.push_screen(ConfirmOverwrite(path),
                                 lambda yes: self._write(path, fmt) if yes else None)
        else:
            self._write(path, fmt)

    def _say(self, message: str) -> None:
        # Messages quote the path typed: plain text, never markup or escape sequences.
        self.query_one("#export-message", Static).update(Content(inert(message)))

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _write(self, path: str, fmt: str) -> None:
        # The file records what it is, as a CLI export does (a sidecar, or a comment in Markdown).
        meta = export_meta(f"tui:{self.data.name}", query=self.data.title, repository=self.root,
                           graph_version=self.version() if self.version else None,
                           title=self.data.title)
        try:
            # Replacing was confirmed in the dialog (or there was nothing to replace).
            if fmt == "md" and self.data.markdown is not None:
                write_text(path, markdown_comment(meta) + "\n" + self.data.markdown,
                           home=self.home, force=True)
            else:
                emit(self.data.rows, self.data.columns, fmt, path, self.data.title, meta=meta,
                     home=self.home, force=True)
        except PathError as exc:
            self.app.call_from_thread(self._say, str(exc))
            return
        except OSError as exc:
            self.app.call_from_thread(self._say, f"Could not write {path}: {exc.strerror or exc}")
            return
        app = self.app
        app.call_from_thread(self.dismiss)
        app.call_from_thread(app.notify, inert(f"{len(self.data.rows)} row(s) written to {path} ({fmt})"),
                             title="Exported", markup=False)
