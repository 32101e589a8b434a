"""The bottom line: what the live index is doing, how big the index is, and how fresh."""

from __future__ import annotations

from textual.content import Content
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

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.status = None  # the app's live status (a LiveStatus, or its stand-in at start)
        self.totals: dict[str, int] = {}
        self.visible_ms: float | None = None

    def on_mount(self) -> None:
        self.app_state_changed()

    def app_state_changed(self) -> None:
        app = self.app
        self.status = getattr(app, "live_status", self.status)
        self.totals = getattr(app, "totals", self.totals)
        self.visible_ms = getattr(app, "visible_ms", self.visible_ms)
        self.refresh()

    def render(self) -> Content:
        return self.render_status(wide=self.size.width >= 110)

    def render_status(self, wide: bool = True) -> Content:
        s = self.status or self.app.live_status
        icon, label, style = _STATE.get(s.state, ("?", s.state, "$text"))
        parts = [Content.styled(f"{icon} {label}", style)]
        if s.state == "indexing" and s.progress[1]:
            done, total = s.progress
            parts.append(Content.styled(f" {progress_bar(done, total)} {done:,}/{total:,}", "$warning"))
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
        recent = getattr(self.app, "recent", None)
        broken = recent.broken if recent is not None else {}
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
