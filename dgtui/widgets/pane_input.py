"""Text boxes that keep every key of a burst in order, and let the explorer's keys through while
they are empty."""

from __future__ import annotations

from functools import cache

from textual.binding import Binding
from textual.events import Key
from textual.widgets import Input


@cache
def own_actions(cls: type[Input]) -> dict[str, str]:
    """Key -> action of the bindings a text box class declares (its own and its bases')."""
    actions: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        for binding in klass.__dict__.get("BINDINGS", ()):
            if not isinstance(binding, Binding):
                binding = Binding(*binding)
            for key in binding.key.split(","):
                actions[key.strip()] = binding.action
    return actions


class OrderedInput(Input):
    """An Input whose own keys (Backspace, Delete, the arrows, Ctrl+W...) act in the order they
    were typed.

    Textual inserts a character when the box receives its key, but runs a binding only once the
    key has bubbled up to the app. When keys come faster than the app answers them (fast typing;
    a terminal hands over several keys at once), the characters typed after a Backspace were
    inserted before it deleted: "handle", six Backspaces and " h" left "ha". Here the box runs
    its own bindings when it receives the key, as it does for characters."""

    async def _on_key(self, event: Key) -> None:
        action = own_actions(type(self)).get(event.key)
        if action is None:
            return  # a character: Input's own handler inserts it
        event.stop()
        event.prevent_default()
        await self.run_action(action)


class PaneKeyInput(OrderedInput):
    """While the box is empty, some keys act instead of typing: 1-7 switch panes (no name or
    question starts with a lone digit), ``?`` shows every key, ``:`` goes to an atom by id
    (``PASS_THROUGH`` in a subclass adds more). The footer shows them while they work."""

    PASS_THROUGH = "1234567?:"

    def _is_pane_key(self, character: str | None) -> bool:
        return bool(character) and character in self.PASS_THROUGH and not self.value

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return not self._is_pane_key(character) and super().check_consume_key(key, character)

    async def _on_key(self, event: Key) -> None:
        if self._is_pane_key(event.character):
            event.prevent_default()  # not typed; it bubbles up to the app's binding for the key

    def watch_value(self, old: str, new: str) -> None:
        if bool(old) != bool(new) and self.is_mounted:
            self.refresh_bindings()  # the footer lists the keys that pass through, or not
