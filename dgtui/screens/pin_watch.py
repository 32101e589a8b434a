"""The explorer's side of the watch list: pinning with a key, and checking each commit.

The pins and the question "which pins did this transaction touch" belong to the watch-list
service (``dgtui.chat.watchlist``); this runs it in thread workers on leased read connections
and hands the answers back as messages (``PinsChanged``, ``PinsTouched``) to the explorer. Commits
are checked in the order they were committed, one worker draining what waits.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

from ..chat.watchlist import DEFAULT_DEPTH, MAX_DEPTH, WatchList
from ..messages import PinsChanged, PinsTouched
from ..model import Delta
from ..terminal_text import inert

#: How long a touched pin stays lit in the watched list.
LIT_SECONDS = 600.0


class PinWatch:
    """Owned by the explorer screen (which receives every commit, shown or not)."""

    def __init__(self, screen: Any) -> None:
        self.screen = screen
        self.pins: list[Any] = []  # as last read, oldest first
        self._watch: WatchList | None = None
        self._lock = threading.Lock()
        self._pending: list[Delta] = []

    @property
    def app(self) -> Any:
        return self.screen.app

    def _open(self) -> WatchList:
        if self._watch is None:
            self._watch = WatchList.open(self.app.paths, self.app.chat_user)
        return self._watch

    def _run(self, work, *args: Any) -> None:
        self.screen.run_worker(lambda: self._guarded(work, *args), thread=True, group="pins",
                               exit_on_error=False)

    def _guarded(self, work, *args: Any) -> None:
        try:
            work(*args)
        except Exception as exc:  # a watch list another account owns, a damaged file
            self.screen.post_message(PinsChanged(self.pins, error=f"watch list: {exc}"))

    # -- requests (on the UI thread) ----------------------------------------------------------------
    def start(self) -> None:
        self._run(self._load)

    def toggle(self, atom_id: str, depth: int = DEFAULT_DEPTH) -> None:
        self._run(self._toggle, atom_id, depth)

    def set_depth(self, atom_id: str, depth: int) -> None:
        self._run(self._set_depth, atom_id, depth)

    def delta(self, delta: Delta) -> None:
        with self._lock:
            self._pending.append(delta)
        self._run(self._drain)

    # -- answers (on the UI thread, from the explorer's handlers) ----------------------------------
    def changed(self, event: PinsChanged) -> None:
        """The pins as stored now: a toast for a key's pin or unpin, and the list redrawn."""
        from .watched import WatchedDialog

        app = self.app
        if event.error:
            app.notify(inert(event.error), severity="error", markup=False)
            return
        self.pins = event.pins
        if event.toggled is not None:
            app.notify(pin_toast(event.toggled, event.pin), markup=False, timeout=4)
        for screen in app.screen_stack:
            if isinstance(screen, WatchedDialog):  # open: it shows the pins as they are now
                screen.refresh_rows()

    def touched(self, hits: list[Any]) -> None:
        """A commit touched pins: light them (the app's ``watched``) and say so."""
        self.app.watched = record_hits(self.app.watched, hits, time.time())
        self.app.notify(toast_text(hits), title="Watched", markup=False, timeout=8)

    def close(self) -> None:
        """At exit, once no worker runs (SQLite folds its log back into the file)."""
        with self._lock:
            if self._watch is not None:
                self._watch.close()
                self._watch = None

    # -- in worker threads ----------------------------------------------------------------------------
    def _load(self) -> None:
        if not os.path.exists(WatchList.path(self.app.paths, self.app.chat_user)):
            return  # nothing pinned yet: the file is made by the first pin
        with self._lock, self.app.stores.lease() as index:
            watch = self._open()
            watch.follow_renames(index)  # renamed while the explorer was closed
            pins = watch.pins()
        self.screen.post_message(PinsChanged(pins))

    def _toggle(self, atom_id: str, depth: int) -> None:
        with self._lock, self.app.stores.lease() as index:
            watch = self._open()
            pin = watch.toggle(index, atom_id, depth)
            pins = watch.pins()
        self.screen.post_message(PinsChanged(pins, atom_id, pin))

    def _set_depth(self, atom_id: str, depth: int) -> None:
        with self._lock, self.app.stores.lease() as index:
            watch = self._open()
            pin = watch.pin(index, atom_id, max(0, min(MAX_DEPTH, depth)))
            pins = watch.pins()
        self.screen.post_message(PinsChanged(pins, atom_id, pin))

    def _drain(self) -> None:
        with self._lock:
            deltas, self._pending = self._pending, []
            if not deltas:
                return
            watch = self._open()
            with self.app.stores.lease() as index:
                hits = [h for d in deltas for h in watch.hits(index, d)]
            pins = watch.pins() if any(c.renamed_to for d in deltas for c in d.changes) else None
        if pins is not None:
            self.screen.post_message(PinsChanged(pins))
        if hits:
            self.screen.post_message(PinsTouched(hits))


def record_hits(watched: dict[str, dict], hits: list[Any], now: float) -> dict[str, dict]:
    """The app's ``watched`` after ``hits``: pinned id -> its last touch (transaction, time,
    what changed)."""
    out = dict(watched)
    by_pin: dict[str, list[Any]] = {}
    for hit in hits:
        by_pin.setdefault(hit.pin, []).append(hit)
    for pin, found in by_pin.items():
        last = max(h.transaction_id for h in found)
        mine = [h for h in found if h.transaction_id == last]
        out[pin] = {"transaction_id": last, "time": now, "name": mine[0].pin_name,
                    "changes": [h.describe() for h in mine]}
    return out


def lit(watched: dict[str, dict], now: float) -> set[str]:
    """The pins a transaction touched in the last ``LIT_SECONDS``."""
    return {k for k, v in watched.items() if now - v["time"] <= LIT_SECONDS}


def pin_toast(atom_id: str, pin: Any) -> str:
    """What a key that pinned, re-pinned or unpinned ``atom_id`` did."""
    if pin is None:
        return inert(f"Unpinned {atom_id}.")
    calls = "call" if pin.depth == 1 else "calls"
    return inert(f"Pinned {pin.name}: changes within {pin.depth} {calls} are watched (W lists them).")


def toast_text(hits: list[Any]) -> str:
    """One notification for one batch of hits: the first few, and how many more."""
    lines = [inert(f"{h.pin_name}: {h.describe()}") for h in hits[:3]]
    if len(hits) > 3:
        lines.append(f"and {len(hits) - 3} more (W lists the watched atoms)")
    return "\n".join(lines)


