"""Promote an answer: edit the proposed insight (kind, confidence, text, atoms); nothing is saved
until Save. Dismisses with the edited ``InsightDraft`` or None."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Select, Static, TextArea

from ..chat import InsightDraft
from ..model import CONFIDENCES, INSIGHT_KINDS


class InsightEditor(ModalScreen[InsightDraft | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "save", "Save")]

    def __init__(self, draft: InsightDraft) -> None:
        super().__init__(classes="dialog-screen")
        self.draft = draft

    def compose(self) -> ComposeResult:
        d = self.draft
        with Vertical(classes="dialog", id="insight-editor") as box:
            box.border_title = "New insight for the project brain"
            box.border_subtitle = "Ctrl+S saves · Esc cancels"
            with Horizontal(classes="field"):
                yield Static("Kind", classes="label")
                yield Select([(k, k) for k in INSIGHT_KINDS], value=d.kind, allow_blank=False,
                             compact=True, id="insight-kind")
                yield Static("Confidence", classes="label wide-label")
                yield Select([(c, c) for c in CONFIDENCES], value=d.confidence, allow_blank=False,
                             compact=True, id="insight-confidence")
            yield Static("What the team should know", classes="caption")
            yield TextArea(d.text, soft_wrap=True, id="insight-text")
            yield Static("About these atoms (one id per line)", classes="caption")
            yield TextArea("\n".join(d.atoms), soft_wrap=False, id="insight-atoms")
            yield Static("", id="insight-message")
            with Horizontal(classes="buttons"):
                yield Button("Save (ctrl+s)", variant="primary", compact=True, id="insight-save")
                yield Button("Cancel", compact=True, id="insight-cancel")

    def on_mount(self) -> None:
        self.query_one("#insight-text", TextArea).focus()

    @on(Button.Pressed, "#insight-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#insight-save")
    def action_save(self) -> None:
        text = " ".join(self.query_one("#insight-text", TextArea).text.split())
        if not text:
            self.query_one("#insight-message", Static).update("Write what the insight says first.")
            return
        atoms = [a.strip() for a in self.query_one("#insight-atoms", TextArea).text.splitlines() if a.strip()]
        self.dismiss(InsightDraft(
            kind=str(self.query_one("#insight-kind", Select).value), text=text, atoms=atoms,
            files=self.draft.files, confidence=str(self.query_one("#insight-confidence", Select).value),
            tool=self.draft.tool))
