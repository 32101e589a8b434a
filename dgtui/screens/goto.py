"""``:``: go to an atom by id (or qualified name, or name); several matches become a choice."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from .. import query
from ..terminal_text import inert
from ..widgets.pane_input import OrderedInput


class GotoDialog(ModalScreen[None]):
    BINDINGS = [Binding("escape", "dismiss", "Cancel")]

    def __init__(self) -> None:
        super().__init__(classes="dialog-screen")

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="goto") as box:
            box.border_title = "Go to atom"
            box.border_subtitle = "Enter to go · Esc to cancel"
            yield OrderedInput(placeholder="pkg/db.py::save_atom, User.save or save", id="goto-input")
            yield Static("", id="goto-message")
            yield OptionList(id="goto-choices")

    def on_mount(self) -> None:
        self.query_one(OptionList).display = False
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self._resolve(event.value)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _resolve(self, ref: str) -> None:
        try:
            stored = self.app.stores.ask(query.resolve_atom, ref)
        except query.AmbiguousAtom as exc:
            options = [(c.id, f"{c.id}  ({c.atom.kind}, line {c.atom.line})") for c in exc.candidates]
            self.app.call_from_thread(self._choose, str(exc), options)
        except query.NoSuchAtom as exc:
            self.app.call_from_thread(self._say, f"{exc}: Esc, then type it in the search box (/) "
                                      "to find it by part of its name")
        except query.QueryError as exc:
            self.app.call_from_thread(self._say, str(exc))
        else:
            self.app.call_from_thread(self._go, stored.id)

    def _say(self, message: str) -> None:
        # The message quotes what was typed and the names found: plain text, never markup.
        self.query_one("#goto-message", Static).update(Content(inert(message)))

    def _choose(self, message: str, options: list[tuple[str, str]]) -> None:
        self._say(message)
        choices = self.query_one(OptionList)
        choices.clear_options()
        choices.add_options([Option(Content(inert(label)), id=atom_id) for atom_id, label in options])
        choices.display = True
        choices.focus()

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self._go(event.option.id)

    def _go(self, atom_id: str) -> None:
        self.dismiss()
        self.app.open_atom(atom_id, focus="atom")
