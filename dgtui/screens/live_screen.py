"""A screen that follows commits: it handles ``DeltaCommitted`` (the app posts it on to each
live screen). While another screen is shown it keeps the deltas, and catches up in one go when it
is shown again (a hidden pane re-asking after every save only slows the visible one)."""

from __future__ import annotations

from textual import on
from textual.screen import Screen

from ..messages import DeltaCommitted
from ..model import Delta


class LiveScreen(Screen):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._missed: list[Delta] = []

    @on(DeltaCommitted)
    def _delta_committed(self, message: DeltaCommitted) -> None:
        if self.is_current:
            self.apply_deltas([message.delta])
        else:
            self._missed.append(message.delta)

    def on_screen_resume(self) -> None:
        if self._missed:
            missed, self._missed = self._missed, []
            self.apply_deltas(missed)

    def apply_deltas(self, deltas: list[Delta]) -> None:
        """Re-ask what the screen shows that these commits (oldest first) touched."""
        raise NotImplementedError

    def editor_target(self) -> tuple[str, int] | None:
        """(file, line) that ``o`` opens in the editor: what the focused pane points at."""
        return None
