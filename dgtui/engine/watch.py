"""Watching a repository: file-system events -> batches of repository paths for the engine.

Only the folders the indexer walks are watched, one watch each (non-recursive), so an ignored
``node_modules`` or virtual environment costs no inotify watch. watchfiles' ``RustNotify`` is
driven directly: it starts watching when it is created and buffers changes between calls, so a
new folder gets its own notifier *before* its batch is handed on. The consumer's scan of the new
folder and the new watch overlap: no file written in between is missed.

The change *kind* reported by the OS is not trusted: an editor's atomic save is a create, a
rename and a delete; the engine looks at what is on disk, which is the truth.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from ..parse.registry import language_for
from .ignore import CONFIG_FILE, IGNORE_FILES, IgnoreRules

#: A burst is handed over ``step`` ms after its last event; ``debounce`` bounds a burst that never
#: goes quiet (a branch switch still arrives in a few batches).
STEP_MS = 5
DEBOUNCE_MS = 250
#: Notifiers added for new folders are merged into one when there are more than this.
MAX_NOTIFIERS = 8


@dataclass
class ChangeBatch:
    """Repository paths that changed together (empty: a quiet tick)."""

    paths: set[str] = field(default_factory=set)  # files (or folders) to look at again
    new_folders: set[str] = field(default_factory=set)  # now watched too
    ignore_files: set[str] = field(default_factory=set)  # .gitignore files that changed
    seen_at: float = 0.0  # when the watcher handed the batch over
    written_at: float | None = None  # the earliest change time among the changed files

    @property
    def detected_at(self) -> float:
        """When the change happened, as near as can be told (the files' ctime)."""
        return self.written_at if self.written_at is not None else self.seen_at


class _Notifier:
    """One RustNotify and the thread that hands its change sets to the event loop."""

    def __init__(self, folders: list[str], loop: asyncio.AbstractEventLoop, queue: asyncio.Queue,
                 step_ms: int, debounce_ms: int, force_polling: bool):
        from watchfiles._rust_notify import RustNotify

        self.rust = _create(RustNotify, folders, force_polling)
        self.stop = threading.Event()
        self._args = (debounce_ms, step_ms, 0, self.stop)
        self._loop, self._queue = loop, queue
        self.thread = threading.Thread(target=self._pump, name="dgtui-watch", daemon=True)
        self.thread.start()

    def _pump(self) -> None:
        while not self.stop.is_set():
            try:
                raw = self.rust.watch(*self._args)
            except RuntimeError:  # closed under us
                return
            if isinstance(raw, set) and raw:
                try:
                    self._loop.call_soon_threadsafe(self._queue.put_nowait, raw)
                except RuntimeError:  # the loop is gone: we are shutting down
                    return

    def close(self, drain: bool) -> set | None:
        """Stop; with ``drain``, return the changes it collected but had not handed over."""
        self.stop.set()
        self.thread.join(2.0)
        leftover = None
        if drain:
            raw = self.rust.watch(1, 1, 1, None)
            leftover = raw if isinstance(raw, set) else None
        self.rust.close()
        return leftover


def _create(rust_notify, folders: list[str], force_polling: bool):
    """A RustNotify on the folders that still exist (a folder may vanish as we start)."""
    for _attempt in range(5):
        existing = [f for f in folders if os.path.isdir(f)]
        try:
            return rust_notify(existing, False, force_polling, 50, False, True)
        except FileNotFoundError:
            continue
    return rust_notify([f for f in folders if os.path.isdir(f)], False, force_polling, 50, False, True)


class RepoWatcher:
    def __init__(self, root: str, rules: IgnoreRules, folders: list[str], *,
                 step_ms: int = STEP_MS, debounce_ms: int = DEBOUNCE_MS, tick_ms: int = 1000,
                 force_polling: bool = False):
        self.root = root
        self.rules = rules
        self.folders = set(folders)
        self.step_ms = step_ms
        self.debounce_ms = debounce_ms
        self.tick_ms = tick_ms
        self.force_polling = force_polling
        self._notifiers: list[_Notifier] = []
        self._queue: asyncio.Queue | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def add_folders(self, folders: list[str]) -> set[str]:
        """Start watching these folders too (new ones, or after the ignore rules changed)."""
        new = set(folders) - self.folders
        if new and self._loop is not None:
            self.folders |= new
            self._notifiers.append(self._notifier(sorted(new)))
        return new

    async def batches(self, stop: asyncio.Event,
                      on_watching: Callable[[], None] | None = None) -> AsyncIterator[ChangeBatch]:
        """Batches until ``stop`` is set, and an empty batch every ``tick_ms`` of quiet (so
        the caller can retry pending work). ``on_watching`` runs once the watch is in place and
        before any batch: a reconcile run there cannot miss a change made while it runs."""
        self._loop = asyncio.get_running_loop()
        self._queue = asyncio.Queue()
        self._notifiers = [self._notifier(sorted(self.folders))]
        if on_watching is not None:
            on_watching()
        stopping = asyncio.ensure_future(stop.wait())
        try:
            while not stop.is_set():
                getting = asyncio.ensure_future(self._queue.get())
                done, _ = await asyncio.wait({getting, stopping}, timeout=self.tick_ms / 1000,
                                             return_when=asyncio.FIRST_COMPLETED)
                if getting not in done:
                    getting.cancel()
                    if stop.is_set():
                        break
                    batch = ChangeBatch(seen_at=time.time())
                    if len(self._notifiers) > MAX_NOTIFIERS:
                        batch = self.classify(self._consolidate())
                    yield batch
                    continue
                raw = set(getting.result())
                while not self._queue.empty():  # other notifiers' changes of the same moment
                    raw |= self._queue.get_nowait()
                batch = self.classify(raw)
                self.add_folders(sorted(batch.new_folders))  # watched before anyone scans them
                yield batch
        finally:
            stopping.cancel()
            for notifier in self._notifiers:
                notifier.close(drain=False)
            self._notifiers = []

    def _notifier(self, folders: list[str]) -> _Notifier:
        paths = [os.path.join(self.root, f) if f else self.root for f in folders]
        return _Notifier(paths, self._loop, self._queue, self.step_ms, self.debounce_ms,
                         self.force_polling)

    def _consolidate(self) -> set:
        """One notifier for every folder instead of many; the old ones' unread changes are kept."""
        fresh = self._notifier(sorted(self.folders))  # watching before the old ones stop
        leftovers: set = set()
        for notifier in self._notifiers:
            leftovers |= notifier.close(drain=True) or set()
        self._notifiers = [fresh]
        return leftovers

    def classify(self, changes: set[tuple[object, str]]) -> ChangeBatch:
        batch = ChangeBatch(seen_at=time.time())
        root = self.root
        for _change, full in changes:
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            if rel == "." or rel.startswith("../"):
                continue
            name = rel.rsplit("/", 1)[-1]
            if name in IGNORE_FILES or rel == CONFIG_FILE:  # the rules change
                batch.ignore_files.add(rel)
                continue
            if os.path.isdir(full) and not os.path.islink(full):
                if not self.rules.is_ignored(rel + "/"):
                    batch.new_folders |= self._folders_below(rel)
                    batch.paths.add(rel)  # scan it: its files may predate the watch
                continue
            if language_for(name) is not None:
                if not self.rules.is_ignored(rel):
                    batch.paths.add(rel)
            elif rel in self.folders or any(f.startswith(rel + "/") for f in self.folders):
                batch.paths.add(rel)  # a watched folder vanished or moved away
                self.folders = {f for f in self.folders if f != rel and not f.startswith(rel + "/")}
        batch.written_at = _earliest_change(root, batch.paths)
        return batch

    def _folders_below(self, rel: str) -> set[str]:
        """A new folder and the folders inside it that are not ignored (a moved-in tree)."""
        from .walk import walk

        found = walk(self.root, self.rules, under=rel)
        return {d for d in found.directories if d not in self.folders}


def _earliest_change(root: str, paths: set[str]) -> float | None:
    """The earliest ``st_ctime`` among the paths: a write and a rename both set it (a moved
    file keeps its old mtime), so latency is counted from the save, not from when we saw it."""
    times = []
    for rel in paths:
        try:
            times.append(os.stat(os.path.join(root, rel)).st_ctime)
        except OSError:
            continue
    return min(times) if times else None
