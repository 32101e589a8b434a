"""Read-only source with syntax highlighting (tree-sitter through Textual's TextArea)."""

from __future__ import annotations

from textual.widgets import TextArea
from textual.widgets.text_area import Selection

from ..parse import registry
from .vim_keys import vim_keys

#: Languages the TextArea highlights with its own grammar and query (its syntax extras); the
#: others dgtui reads are registered with our grammar and the highlight query its package ships.
_BUILTIN = {"python", "javascript"}


class SourceView(TextArea):
    """A file (or a window of it) scrolled to an atom, whose lines are selected."""

    BINDINGS = vim_keys("cursor_top", "cursor_bottom")

    def __init__(self, **kwargs) -> None:
        super().__init__(read_only=True, show_line_numbers=True, soft_wrap=False,
                         highlight_cursor_line=False, tab_behavior="focus", compact=True,
                         **kwargs)
        self.shown_key: tuple[str, int] | None = None  # (path, first line) of the text loaded
        self._shown_text = ""
        self.cursor_blink = False

    def _register(self, name: str) -> None:
        """Register TypeScript or TSX when first shown (the grammar costs a tenth of a second
        to load: not while the explorer starts)."""
        query = registry.highlight_query(name)
        if not query:  # a grammar package without its highlight query: plain text
            return
        try:
            self.register_language(name, registry.grammar(name), query)
        except Exception:  # an old grammar wheel: plain text for that language
            pass

    def show_text(self, key: tuple[str, int], text: str, language: str | None, first_line: int) -> None:
        """Load ``text`` unless the same text of the same file window is already shown."""
        if key == self.shown_key and text == self._shown_text:
            return
        self.shown_key = key
        self._shown_text = text
        if language is not None and language not in _BUILTIN and language not in self.available_languages:
            self._register(language)
        lang = language if language in self.available_languages else None
        self.line_number_start = first_line
        self.language = None  # set the document in one go, highlighted once
        self.load_text(text)
        try:
            self.language = lang
        except Exception:
            self.language = None

    def show_atom_lines(self, line: int, end_line: int | None, scroll: float | None = None) -> None:
        """Select the atom's lines (1-based, in file numbering); scroll to ``scroll`` when given
        (a refresh keeping its place), else to the atom's first line."""
        start = max(0, line - self.line_number_start)
        last = self.document.line_count - 1
        end = last if end_line is None else min(last, end_line - self.line_number_start)
        self.selection = Selection((end, len(self.document.get_line(end))), (start, 0))
        y = max(0, start - 1) if scroll is None else max(0, scroll)
        self.scroll_to(y=y, animate=False, immediate=True)

    def action_cursor_top(self) -> None:
        self.move_cursor((0, 0))

    def action_cursor_bottom(self) -> None:
        self.move_cursor((self.document.line_count - 1, 0))
