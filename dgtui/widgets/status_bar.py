"""The bottom line: what the live index is doing, how big the index is, and how fresh.

Its reactive attributes follow the app's of the same meaning (``watch`` on the app): a change
of the live status, the counts, the latency or the broken callers repaints it, and nothing
else does."""

from __future__ import annotations

from typing import Any

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from ..query import broken_callers_note

_STATE = {
    "starting": ("◌", "starting", "$text-muted"),
    "indexing": ("⟳", "indexing", "$warning"),
    "watching": ("●", "watching", "$success"),
    "indexed": ("○", "not watching", "$text-muted"),
    "reading": ("◍", "following another dgtui", "$success"),
    "stopped": ("○", "stopped", "$text-muted"),
    "error": ("✖", "live index failed", "$error"),
}
BAR_WIDTH = 10


def compact(n: int) -> str:
    """1,234 below 10k, then 12.3k, 1.2M."""
    if n < 10_000:
        return f"{n:,}"
    if n < 1_000_000:
        return f"{n / 1000:.1f}k"
    return f"{n / 1_000_000:.1f}M"


def progress_bar(done: int, total: int, width: int = BAR_WIDTH) -> str:
    filled = 0 if total <= 0 else min(width, round(width * done / total))
    return "█" * filled + "░" * (width - filled)


class StatusBar(Widget):
    """``● watching │ 2,896 files 44.1k atoms 176.5k edges │ 0 pending │ 0 errors │ 12 ms``.

    Wider terminals get longer words. Clicking the error count lists the errors.
    """

    DEFAULT_CSS = """
    StatusBar { height: 1; width: 1fr; background: $panel; color: $text; padding: 0 1; }
    """

    status: reactive[Any] = reactive(None)  # a LiveStatus (or the app's stand-in at start)
    totals: reactive[dict[str, int]] = reactive(dict)
    visible_ms: reactive[float | None] = reactive(None)
    broken: reactive[dict[str, list[str]]] = reactive(dict)

    #: This bar's attribute <- the app's.
    FOLLOWS = {"status": "live_status", "totals": "totals", "visible_ms": "visible_ms",
               "broken": "broken_callers"}

    def on_mount(self) -> None:
        for mine, the_apps in self.FOLLOWS.items():
            self.watch(self.app, the_apps, self._follow(mine))  # init: take the value now

    def _follow(self, name: str):
        def follow(value: Any) -> None:  # one parameter: Textual passes the new value alone
            setattr(self, name, value)
        return follow

    def render(self) -> Content:
        return self.render_status(wide=self.size.width >= 110)

    def render_status(self, wide: bool = True) -> Content:
        s = self.status
        if s is None:
            return Content("")
        icon, label, style = _STATE.get(s.state, ("?", s.state, "$text"))
        parts = [Content.styled(f"{icon} {label}", style)]
        if s.state == "indexing" and s.progress[1]:
            done, total = s.progress
            parts.append(Content.styled(f" {progress_bar(done, total)} {done:,}/{total:,}", "$warning"))
        elif s.state == "indexing" and s.progress[0]:  # a first index still walking: no total yet
            parts.append(Content.styled(f" {s.progress[0]:,}/…", "$warning"))
        sep = Content.styled(" │ ", "$text-muted")
        t = self.totals
        if t:
            counts = f"{compact(t.get('files', 0))} files {compact(t.get('atoms', 0))} atoms " \
                     f"{compact(t.get('edges', 0))} edges"
            parts += [sep, Content(counts)]
            bad = t.get("files_with_errors", 0)
            if bad:
                note = f" ({bad} with parse errors)" if wide else f" ⚠{bad}"
                parts.append(Content.styled(note, "$warning").stylize("@click=app.show_parse_errors"))
        broken = self.broken
        if broken:  # deleted atoms still called: the break is said until they come back
            count = sum(len(callers) for callers in broken.values())
            gone = next(iter(broken))
            parts += [sep, Content.styled(f"{broken_callers_note(count)} ({gone.rpartition('::')[2]} deleted)",
                                          "bold $warning").stylize(f"@click=app.open_atom('{gone}')")]
        parts += [sep, Content.styled(f"{s.pending} pending", "$warning" if s.pending else "$text-muted")]
        errors = len(s.errors)
        parts += [sep, Content.styled(f"{errors} errors", "$error" if errors else "$text-muted")
                  .stylize("@click=app.show_errors")]
        if self.visible_ms is not None:
            label = "save→visible " if wide else "↯ "
            parts += [sep, Content.styled(f"{label}{self.visible_ms:.0f} ms", "$text-muted")]
        return Content.assemble(*parts)
