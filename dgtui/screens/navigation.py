"""Back/forward history of the atoms a person looked at, shared by every pane of the explorer.

Plain Python (no Textual): the app owns one ``NavHistory`` and the panes ask it where to go.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_ENTRIES = 200


@dataclass
class NavHistory:
    """A browser-like history: ``visit`` drops the forward part, ``back``/``forward`` move.

    A *preview* (the cursor passing over search results) replaces the current entry when that
    entry was a preview too, so scrolling through fifty results does not make fifty steps back.
    """

    entries: list[str] = field(default_factory=list)
    index: int = -1
    _preview: bool = False

    @property
    def current(self) -> str | None:
        return self.entries[self.index] if self.index >= 0 else None

    def visit(self, atom_id: str, preview: bool = False) -> None:
        if atom_id == self.current:
            self._preview = self._preview and preview
            return
        if self._preview and self.index >= 0:
            del self.entries[self.index:]
        else:
            del self.entries[self.index + 1:]
        self.entries.append(atom_id)
        if len(self.entries) > MAX_ENTRIES:
            del self.entries[0]
        self.index = len(self.entries) - 1
        self._preview = preview

    def back(self) -> str | None:
        if self.index <= 0:
            return None
        self.index -= 1
        self._preview = False
        return self.current

    def forward(self) -> str | None:
        if self.index >= len(self.entries) - 1:
            return None
        self.index += 1
        self._preview = False
        return self.current

    def go(self, index: int) -> str | None:
        """Jump to an entry (a breadcrumb was clicked)."""
        if not 0 <= index < len(self.entries):
            return None
        self.index = index
        self._preview = False
        return self.current

    def rename(self, old: str, new: str) -> None:
        """An atom was renamed: keep it reachable under its new id."""
        self.entries = [new if e == old else e for e in self.entries]

    def crumbs(self, size: int = 6) -> list[tuple[int, str]]:
        """(index, atom id) of the entries around the current one, oldest first."""
        if self.index < 0:
            return []
        start = max(0, min(self.index - size + 2, len(self.entries) - size))
        return list(enumerate(self.entries))[start:start + size]
