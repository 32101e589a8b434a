"""Vim keys (``j``/``k``/``g``/``G``) as hidden aliases, shared by every list, table and view."""

from __future__ import annotations

from textual.binding import Binding


def vim_keys(top: str, bottom: str) -> list[Binding]:
    """The four aliases; ``top``/``bottom`` name the widget's own actions (a DataTable scrolls,
    an OptionList moves to its first/last option, a TextArea moves its cursor)."""
    return [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("g", top, "Top", show=False),
        Binding("G", bottom, "Bottom", show=False),
    ]


TABLE_KEYS = vim_keys("scroll_top", "scroll_bottom")
LIST_KEYS = vim_keys("first", "last")
