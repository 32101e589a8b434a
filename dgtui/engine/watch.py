"""Watching a repository: file-system events -> batches of repository paths for the engine.

Only the folders the indexer walks are watched, one watch each (non-recursive), so an ignored
``node_modules`` or virtual environment costs no inotify watch. A new folder gets a watch of its
own (``notify.FolderWatch``, the adapter around watchfiles) that is in place *before* its batch is
handed on: the consumer's scan of the new folder and the new watch overlap, and no file written
in between is missed.

The change *kind* reported by the OS is not trusted: an editor's atomic save is a create, a
rename and a delete; the engine looks at what is on disk, which is the truth.
"""

from __future__ import annotations

import asyncio
import os
import stat
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from ..parse.registry import language_for
from .ignore import CONFIG_FILE, IGNORE_FILES, IgnoreRules
from .notify import FolderWatch

#: A burst is handed over ``step`` ms after its last event; ``debounce`` bounds a burst that never
#: goes quiet (a branch switch still arrives in a few batches). watchfiles looks at what it
#: collected every ``step`` ms and hands it over once a look finds nothing new: a save waits
#: 1-2 steps (5 ms: p50 8-9 ms of every save on Django; 2 ms: 4 ms, for about 0.5% of a core
#: more while quiet; docs/performance.md).
STEP_MS = 2
DEBOUNCE_MS = 250
#: Notifiers added for new folders are merged into one when there are more than this.
MAX_NOTIFIERS = 8
#: A save that is not atomic empties the file, then writes it: a file found empty just after it
#: changed waits this long (or until its next change) for the write, so that the index does not
#: record every atom deleted and then created again.
HALF_SAVED_S = 0.05


@dataclass
class ChangeBatch:
    """Repository paths that changed together (empty: a quiet tick)."""

    paths: set[str] = field(default_factory=set)  # files (or folders) to look at again
    new_folders: set[str] = field(default_factory=set)  # now watched too
    ignore_files: set[str] = field(default_factory=set)  # .gitignore files that changed
    seen_at: float = 0.0  # when the watcher handed the batch over
    written_at: float | None = None  # the earliest change time among the changed files

    def merge(self, later: ChangeBatch) -> None:
        """Take in the changes of a batch that came just after."""
        self.paths |= later.paths
        self.new_folders |= later.new_folders
        self.ignore_files |= later.ignore_files
        times = [t for t in (self.written_at, later.written_at) if t is not None]
        self.written_at = min(times) if times else None

    @property
    def detected_at(self) -> float:
        """When the change happened, as near as can be told (the files' ctime)."""
        return self.written_at if self.written_at is not None else self.seen_at


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
        self._notifiers: list[FolderWatch] = []
        self._retired: list[FolderWatch] = []  # replaced; each stops once it has handed over
        self._queue: asyncio.Queue | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def watch_count(self) -> int:
        """The folder watches running: one per batch of new folders, merged into one on a quiet
        tick once there are more than ``MAX_NOTIFIERS``."""
        return len(self._notifiers)

    def changes_waiting(self) -> bool:
        """Whether changes were handed over that no batch holds yet."""
        return self._queue is not None and not self._queue.empty()

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
                    if len(self._notifiers) > MAX_NOTIFIERS:
                        self._consolidate()
                    yield ChangeBatch(seen_at=time.time())
                    continue
                raw = set(getting.result())
                while not self._queue.empty():  # other notifiers' changes of the same moment
                    raw |= self._queue.get_nowait()
                batch = self.classify(raw)
                if _half_saved(self.root, batch.paths):
                    try:
                        batch.merge(self.classify(await asyncio.wait_for(self._queue.get(), HALF_SAVED_S)))
                    except asyncio.TimeoutError:
                        pass  # emptied on purpose
                self.add_folders(sorted(batch.new_folders))  # watched before anyone scans them
                yield batch
        finally:
            stopping.cancel()
            for notifier in self._notifiers + self._retired:
                notifier.close()
            self._notifiers, self._retired = [], []

    def _notifier(self, folders: list[str]) -> FolderWatch:
        """A watch of ``folders``, in place when this returns."""
        paths = [os.path.join(self.root, f) if f else self.root for f in folders]
        loop, queue = self._loop, self._queue
        watch = FolderWatch(paths, lambda changes: loop.call_soon_threadsafe(queue.put_nowait, changes),
                            step_ms=self.step_ms, debounce_ms=self.debounce_ms,
                            force_polling=self.force_polling)
        watch.wait_ready()
        return watch

    def _consolidate(self) -> None:
        """One watch of every folder instead of many: it is in place before the old ones stop,
        and each old one hands over what it collected first (``FolderWatch.retire``)."""
        fresh = self._notifier(sorted(self.folders))
        for notifier in self._notifiers:
            notifier.retire()
        self._retired = [n for n in self._retired + self._notifiers if n.thread.is_alive()]
        self._notifiers = [fresh]

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


def _half_saved(root: str, paths: set[str]) -> bool:
    """Whether one of the files is empty and changed in the last ``HALF_SAVED_S``: maybe
    truncated by a save whose write has not come yet."""
    now = time.time()
    for rel in paths:
        try:
            st = os.stat(os.path.join(root, rel))
        except OSError:
            continue
        if st.st_size == 0 and stat.S_ISREG(st.st_mode) and now - st.st_ctime < HALF_SAVED_S:
            return True
    return False
