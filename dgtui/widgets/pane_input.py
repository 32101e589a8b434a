"""A text box that lets the pane numbers through while it is empty."""

from __future__ import annotations

from textual.events import Key
from textual.widgets import Input


class PaneKeyInput(Input):
    """While the box is empty, 1-6 switch panes instead of typing (no name or question starts
    with a lone digit), so the number keys work even where typing is the default."""

    def _is_pane_key(self, character: str | None) -> bool:
        return bool(character) and character in "123456" and not self.value

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return not self._is_pane_key(character) and super().check_consume_key(key, character)

    async def _on_key(self, event: Key) -> None:
        if self._is_pane_key(event.character):
            event.prevent_default()  # not typed; it bubbles up to the app's binding for the digit
