"""A screen that follows commits; while another screen is shown it keeps them, and catches up
in one go when it is shown again (a hidden pane re-asking after every save only slows the
visible one)."""

from __future__ import annotations

from textual.screen import Screen

from ..model import Delta

Missed = list[tuple[Delta, set[str]]]


class LiveScreen(Screen):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._missed: Missed = []

    def live_changed(self, delta: Delta, touched: set[str]) -> None:
        if self.is_current:
            self.apply_deltas([(delta, touched)])
        else:
            self._missed.append((delta, touched))

    def on_screen_resume(self) -> None:
        if self._missed:
            missed, self._missed = self._missed, []
            self.apply_deltas(missed)

    def apply_deltas(self, deltas: Missed) -> None:
        """Refresh what the screen shows after these commits (oldest first)."""
        raise NotImplementedError
