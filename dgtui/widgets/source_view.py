"""Read-only source with syntax highlighting (tree-sitter through Textual's TextArea)."""

from __future__ import annotations

import functools
import importlib
from pathlib import Path

from textual.widgets import TextArea
from textual.widgets.text_area import Selection

from .vim_keys import vim_keys

# TypeScript has no highlight query of its own in Textual; its grammar extends JavaScript's,
# so JavaScript's query highlights it well.
_EXTRA_LANGUAGES = {"typescript": ("tree_sitter_typescript", "language_typescript"),
                    "tsx": ("tree_sitter_typescript", "language_tsx")}
_BUILTIN = {"python", "javascript", "go", "java", "rust"}  # Textual's queries; the grammars are ours


@functools.cache
def _javascript_query() -> str:
    import textual

    path = Path(textual.__file__).parent / "tree-sitter" / "highlights" / "javascript.scm"
    try:
        return path.read_text()
    except OSError:
        return ""


@functools.cache
def _extra_language(name: str):
    from tree_sitter import Language

    module, func = _EXTRA_LANGUAGES[name]
    return Language(getattr(importlib.import_module(module), func)())


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
        try:
            self.register_language(name, _extra_language(name), _javascript_query())
        except Exception:  # an old grammar wheel: plain text for that language
            pass

    def show_text(self, key: tuple[str, int], text: str, language: str | None, first_line: int) -> None:
        """Load ``text`` unless the same text of the same file window is already shown."""
        if key == self.shown_key and text == self._shown_text:
            return
        self.shown_key = key
        self._shown_text = text
        if language in _EXTRA_LANGUAGES and language not in self._languages:
            self._register(language)
        lang = language if language in _BUILTIN or language in self._languages else None
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
