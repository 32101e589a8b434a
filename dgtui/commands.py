"""Command palette (Ctrl+P): jump to any atom by fuzzy name, or run any action by name."""

from __future__ import annotations

import asyncio
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from . import query
from .terminal_text import for_markup, inert

ACTIONS = [
    ("Search", "focus the search box (1, /)", "focus_search"),
    ("Go to atom id", "type an id, a qualified name or a name (:)", "goto"),
    ("Back", "previous atom in the history ([, backspace)", "back"),
    ("Forward", "next atom in the history (])", "forward"),
    ("Export", "write what the focused pane shows to a file (e)", "export"),
    ("Open in editor", "the atom in $EDITOR at its line (o)", "open_editor"),
    ("Watched atoms", "the pinned atoms, lit when a commit touched them (W; w pins)", "watched"),
    ("Pane: Search", "1", "pane(1)"),
    ("Pane: Atom", "2", "pane(2)"),
    ("Pane: Callers", "3", "pane(3)"),
    ("Pane: Callees", "4", "pane(4)"),
    ("Pane: Timeline", "5", "pane(5)"),
    ("Pane: Chat", "6", "pane(6)"),
    ("Pane: Review", "what changed since HEAD, a session or a transaction (7)", "pane(7)"),
    ("Keys", "every key (?)", "help"),
    ("Live index errors", "what the watcher or the database refused", "show_errors"),
    ("Files with parse errors", "and where", "show_parse_errors"),
]  # Quit is Textual's own system command: one, not two


class ActionCommands(Provider):
    """Every action of the explorer by name."""

    async def discover(self) -> Hits:
        for title, help_text, action in ACTIONS:
            yield DiscoveryHit(title, partial(self.app.run_action, action), help=help_text)

    async def search(self, text: str) -> Hits:
        matcher = self.matcher(text)
        for title, help_text, action in ACTIONS:
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(self.app.run_action, action),
                          help=help_text)


class AtomCommands(Provider):
    """Atoms whose qualified name holds the typed letters in order, best matches first."""

    async def search(self, text: str) -> Hits:
        if not text.strip():
            return
        app = self.app
        rows = await asyncio.to_thread(app.stores.ask, query.fuzzy_atoms, text)
        matcher = self.matcher(text)
        for row in rows:
            name = inert(row["qualified_name"])
            score = matcher.match(name)
            if score > 0:
                # Textual reads ``help`` as markup: the path is escaped for it, and made inert.
                yield Hit(score, matcher.highlight(name),
                          partial(app.open_atom, row["id"], focus="atom"),
                          help=for_markup(f"{row['kind']}  {row['file_path']}:{row['line']}"))
