"""A live index: reconcile with the disk, then follow the repository as it changes.

One process per repository is the writer (it holds the writer lock): it reconciles at start,
watches, and applies each batch through the engine. Any other process is a reader: it follows
the writer's commits (``PRAGMA data_version``) and publishes the same ``Delta`` objects, and it
takes over if the writer goes away. The TUI, ``dgtui watch`` and the MCP server all use this.

A commit reaches subscribers by one route: the writer's engine publishes its ``Delta`` once,
after COMMIT, and ``_publish`` relays it (a reader publishes the deltas it reads from the log the
same way); nothing else hands deltas on. Runs in its own thread (``start``) or in the caller's
(``run``); subscribers are called in that thread and must hand work to their own thread (a
Textual app posts a message).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import replace

from ..model import Delta, LiveStatus
from ..parse.files import POOL_THRESHOLD, content_hash, start_pool
from ..paths import RepoPaths
from ..store import Store, StoreError
from ..store.errors import OperationalError
from .indexer import Early, Indexer
from .lock import WriterLock
from .walk import WalkResult
from .watch import STEP_MS, RepoWatcher
from .writer import Engine, open_for_writing

log = logging.getLogger(__name__)
RETRY_SECONDS = 1.0  # a batch the database refused is tried again after this long
READ_POLL_SECONDS = 0.02  # how often a reader looks for the writer's commits
#: Under polling, a file synced this recently is read again on every batch and quiet tick: a
#: poller compares size and mtime, and a rewrite of the same size within the file system's
#: timestamp granularity (a second or two on network and FAT file systems) looks unchanged.
RECHECK_SECONDS = 5.0
#: Under polling, the whole repository is compared with the index again this long after the
#: watch began: a poller takes its first snapshot in a thread of its own, at a moment nobody is
#: told, and a save made between "watching" and that snapshot is part of it, never reported
#: (about 1 start in 8, saves made at once; ``tests/test_live_gaps.py``). A stat of every
#: file, which is what a poller does every 50 ms anyway.
POLL_LATE_LOOKS = (1.0, 5.0)
MAX_ERRORS = 50
#: The writer folds the write-ahead log into the database after a batch is published, when no
#: other change waits, not inside the commit of a save (SQLite's own checkpoint every 1,000
#: pages took 25-50 ms of one save in ten on Django; after each save it is 2-10 ms nobody
#: waits for). Under changes that never pause, SQLite still does it past this many pages.
WAL_PAGES = 4000


class LiveIndex:
    def __init__(self, root: str, home: str | None = None, *, watch: bool = True,
                 chunk_files: int | None = None, first_chunk: int | None = None,
                 step_ms: int = STEP_MS, force_polling: bool = False):
        self.paths = RepoPaths.for_root(root, home)
        self.root = root
        self.watch = watch
        self.chunk_files = chunk_files
        self.first_chunk = first_chunk  # files in the first commit (then doubling to chunk_files)
        self.step_ms = step_ms
        self.force_polling = force_polling
        self.status = LiveStatus()
        self.ready = threading.Event()  # set once the reconcile is done (or reading began)
        self._delta_subs: list[Callable[[Delta], None]] = []
        self._status_subs: list[Callable[[LiveStatus], None]] = []
        self._stop = threading.Event()
        self._aio_stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = WriterLock(self.paths.writer_lock)
        # The writer follows other processes' commits too (an edit through `dgtui edit` or
        # another MCP server): the last transaction looked at, the store's data_version then,
        # and the ids its own engine committed since (published already).
        self._others_seen = 0
        self._others_version = -1
        self._own: set[int] = set()
        self.client: str | None = None
        self._engine: Engine | None = None
        self._first_run = False  # the writer found an empty index (a chunked first index)
        #: Polling only, once watching: path -> when this writer last synced it (``_stale``).
        #: Fed by the batches and by every commit of its own, so a file synced by a late look
        #: or a reconcile after an ignore-file change is read again like a saved one.
        self._recent: dict[str, float] | None = None

    def set_client(self, name: str | None) -> None:
        """Name who edits while this index writes (the MCP client): recorded in the summary of
        each transaction from now on, so edit sessions can say whose edits they were."""
        self.client = name
        if self._engine is not None:
            self._engine.client = name

    # -- subscriptions -----------------------------------------------------------------------
    def subscribe(self, callback: Callable[[Delta], None]) -> Callable[[], None]:
        self._delta_subs.append(callback)
        return lambda: self._delta_subs.remove(callback) if callback in self._delta_subs else None

    def on_status(self, callback: Callable[[LiveStatus], None]) -> None:
        self._status_subs.append(callback)

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._run_guarded, name="dgtui-live", daemon=True)
        self._thread.start()

    def run(self) -> None:
        """Reconcile and follow the repository until ``stop`` (blocking)."""
        try:
            while not self._stop.is_set():
                if self._lock.acquire():
                    self._run_writer()
                elif self._run_reader():
                    continue  # the writer went away and we took the lock: write now
                break
        finally:
            self._lock.release()
            gc.unfreeze()  # what the watch held is ordinary garbage again once dropped
            self._set(state="stopped")

    def request_stop(self) -> None:
        """Ask the live thread to finish its batch and stop (safe from any thread or a signal)."""
        self._stop.set()
        if self._loop is not None and self._aio_stop is not None:
            try:
                self._loop.call_soon_threadsafe(self._aio_stop.set)
            except RuntimeError:  # the loop already closed
                pass

    def stop(self, timeout: float = 10.0) -> None:
        self.request_stop()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)
        self._lock.release()

    def _run_guarded(self) -> None:
        try:
            self.run()
        except Exception as exc:  # the UI must hear of it, not lose its live thread silently
            log.exception("live index failed")
            self._error(f"{type(exc).__name__}: {exc}")
            self._set(state="error")
            self.ready.set()

    # -- writer ------------------------------------------------------------------------------
    def _run_writer(self) -> None:
        store = open_for_writing(self.paths.index_db, self.root)
        indexer = None
        try:
            engine = Engine(store)
            engine.client = self.client
            self._engine = engine
            engine.subscribe(self._publish_own)
            indexer = Indexer(self.root, store, engine)
            self._first_run = bool(self.chunk_files) and not store.atoms.has_atoms()
            self._set(state="indexing", role="writer")
            if self.watch:
                asyncio.run(self._watch(indexer, store))
            else:
                self._reconcile(indexer, store)
        finally:
            if indexer is not None and indexer.pool is not None:
                indexer.pool.terminate()
            store.close()

    def _reconcile(self, indexer: Indexer, store: Store, found=None,
                   watcher: RepoWatcher | None = None, early: Early | None = None) -> None:
        first = early is not None or not store.atoms.file_stats()
        summary = indexer.run(source="index" if first else "reconcile", progress=self._progress,
                              chunk_files=self.chunk_files, found=found,
                              first_chunk=self.first_chunk, early=early)
        if indexer.pool is not None:  # its work is done: the workers' memory goes back now
            indexer.pool.terminate()
            indexer.pool = None
        if watcher is not None:
            # ``found`` was walked before the watch existed: a file saved during that walk or
            # before the watch began has no event, and the reconcile compared it against stale
            # stats. Now that the watch is on, walk again and take in whatever differs (a
            # handful of files, or none); later saves arrive as events.
            again = _walk_watched(indexer, watcher)
            extra = indexer.run(source="reconcile", found=again)
            summary = replace(extra, **{k: getattr(summary, k) + getattr(extra, k) for k in (
                "parsed", "changed", "removed", "created", "updated", "deleted", "transactions",
                "seconds", "walk_seconds", "parse_seconds", "write_seconds")})
        if self.watch:
            indexer.engine.load_symbols()  # now, not on the first save: keep that one fast
            # The symbol table and the graph (a few hundred thousand objects on a large
            # repository) live as long as the watch: out of the cyclic collector's sight, or
            # every full collection walks them all in the middle of a save (80-180 ms on
            # Django; docs/performance.md). ``run`` gives them back when the watch ends.
            gc.freeze()
        self._others_seen = store.events.last_transaction_id()
        self._others_version = store.data_version()
        self._set(summary=summary, progress=(summary.parsed, summary.parsed),
                  state="watching" if self.watch else "indexed")
        self.ready.set()

    async def _watch(self, indexer: Indexer, store: Store) -> None:
        self._loop = asyncio.get_running_loop()
        self._aio_stop = asyncio.Event()
        if self._stop.is_set():
            return
        walker = indexer.walker()
        early = None
        if self._first_run and self.first_chunk:
            # A first index commits the files nearest the root before the rest of the walk
            # and the watch are set up: a search has answers sooner. The walk made once the
            # watch is on (``_reconcile``) sees what changed meanwhile.
            early = indexer.first_chunk(walker, self.first_chunk, progress=self._progress)
        found = indexer.walk(walker)
        left = len(found.files) - (early.files if early is not None else 0)
        if self._first_run and left >= POOL_THRESHOLD and (os.cpu_count() or 1) > 1:
            # A first index of many files: the parse workers start up (each imports the
            # parsers, a few tenths of a second) while the watch is set up, not after.
            indexer.pool = start_pool()
        watcher = RepoWatcher(self.root, indexer.rules, found.directories, step_ms=self.step_ms,
                              force_polling=self.force_polling)
        pending: set[str] = set()
        pending_at: float | None = None
        unfolded = True  # commits (the reconcile's too) since the write-ahead log was folded in
        store.defer_checkpoints(WAL_PAGES)
        self._recent = None
        late_looks: list[float] = []  # polling only: when to look at everything again
        next_retry = 0.0
        # Watch first, then reconcile: a change made while the reconcile runs is buffered.
        batches = watcher.batches(self._aio_stop,
                                  on_watching=lambda: self._reconcile(indexer, store, found, watcher,
                                                                      early))
        async for batch in batches:
            now = time.monotonic()
            if self.force_polling:
                if self._recent is None:  # the first batch comes after the reconcile
                    self._recent = {}
                    late_looks = [now + after for after in POLL_LATE_LOOKS]
                self._recent.update(dict.fromkeys(batch.paths, now))
                batch.paths |= _stale(store, self.root, self._recent, now)
                if late_looks and now >= late_looks[0]:
                    del late_looks[0]
                    again = _walk_watched(indexer, watcher)
                    self._apply(lambda: indexer.run(source="file-watcher", found=again), set())
                    unfolded = True
            if batch.ignore_files:  # the ignore rules changed: look at everything again
                for rel in batch.ignore_files:
                    indexer.rules.forget(rel.rpartition("/")[0])
                self._apply(lambda: indexer.run(source="file-watcher"), set())
                watcher.add_folders(indexer.directories)
                unfolded = True
            if batch.paths or (pending and now >= next_retry):
                paths = pending | batch.paths
                detected = min(t for t in (pending_at, batch.detected_at if batch.paths else None)
                               if t is not None)
                if self._apply(lambda: indexer.sync_paths(paths, "file-watcher", detected), paths):
                    pending, pending_at = set(), None
                else:
                    pending, pending_at = paths, detected
                    next_retry = now + RETRY_SECONDS
                self._set(pending=len(pending))
                unfolded = True
            if unfolded and not pending and not watcher.changes_waiting():
                store.checkpoint()  # the commit's line is out: fold the log in before the next save
                unfolded = False
            self._follow_others(store)

    def _publish_own(self, delta: Delta) -> None:
        self._own.add(delta.transaction_id)
        if self._recent is not None:
            self._recent.update(dict.fromkeys(delta.files, time.monotonic()))
        self._publish(delta)

    def _follow_others(self, store: Store) -> None:
        """Publish what other processes committed (``PRAGMA data_version`` moves only for
        them), as a reader would: an edit made through dgtui elsewhere writes a file this
        watcher sees, but the index already holds it, so the engine here commits nothing."""
        try:
            version = store.data_version()
            if version == self._others_version:
                return
            self._others_version = version
            for tx in store.events.transactions(since=self._others_seen):
                self._others_seen = tx.id
                if tx.id in self._own:
                    continue
                delta = store.events.delta(tx.id)
                if delta is not None:
                    self._publish(delta)
        except (StoreError, OperationalError) as exc:  # tried again on the next batch or tick
            self._error(f"following other writers: {exc}")
        self._own = {t for t in self._own if t > self._others_seen}

    def _apply(self, work: Callable[[], object], paths: set[str]) -> bool:
        """Run one engine batch; a refusal keeps the paths pending (the disk stays the truth).
        What it committed has reached the subscribers already, through the engine."""
        try:
            work()
            return True
        except (StoreError, OperationalError, OSError) as exc:
            self._error(f"{len(paths)} change(s) pending: {exc}")
            return False

    # -- reader ------------------------------------------------------------------------------
    def _run_reader(self) -> bool:
        """Follow another process's commits; True when the writer left and we took over."""
        store = Store.open(self.paths.index_db)
        try:
            self._set(state="reading", role="reader")
            seen = store.events.last_transaction_id()
            self._set(last_transaction=seen)
            self.ready.set()
            version = store.data_version()
            next_lock_try = time.monotonic() + 1.0
            while not self._stop.wait(READ_POLL_SECONDS):
                current = store.data_version()
                if current != version:
                    version = current
                    seen = self._follow(store, seen)
                if time.monotonic() >= next_lock_try:
                    next_lock_try = time.monotonic() + 1.0
                    if self._lock.acquire():
                        return True
            return False
        finally:
            store.close()

    def _follow(self, store: Store, seen: int) -> int:
        for tx in [t.id for t in store.events.transactions(since=seen)]:
            delta = store.events.delta(tx)
            if delta is not None:
                self._publish(delta)
            seen = tx
        return seen

    # -- status ------------------------------------------------------------------------------
    def _publish(self, delta: Delta) -> None:
        """Relay a committed delta (the engine's, or one read from the writer's log)."""
        self._set(last_transaction=delta.transaction_id,
                  last_latency_ms=delta.latency_ms if delta.latency_ms is not None
                  else self.status.last_latency_ms)
        for callback in list(self._delta_subs):
            try:
                callback(delta)
            except Exception:
                log.exception("delta subscriber failed")

    def _progress(self, done: int, total: int) -> None:
        if done == total or done % 25 == 0:
            self._set(progress=(done, total))

    def _error(self, message: str) -> None:
        errors = (self.status.errors + [message])[-MAX_ERRORS:]
        self._set(errors=errors)

    def _set(self, **changes) -> None:
        self.status = replace(self.status, **changes)
        for callback in list(self._status_subs):
            try:
                callback(self.status)
            except Exception:
                log.exception("status subscriber failed")


def _walk_watched(indexer: Indexer, watcher: RepoWatcher) -> WalkResult:
    """A walk of the repository made while the watch is on, its folders watched from now (a
    folder made since the watch began has no watch yet)."""
    found = indexer.walk()
    watcher.add_folders(found.directories)
    return found


def _stale(store: Store, root: str, recent: dict[str, float], now: float) -> set[str]:
    """The recently synced files whose content on disk is not what the index holds (forgetting
    those synced more than ``RECHECK_SECONDS`` ago)."""
    for path in [p for p, t in recent.items() if now - t > RECHECK_SECONDS]:
        del recent[path]
    files = [p for p in recent if not os.path.isdir(os.path.join(root, p))]
    stored = store.atoms.file_stats_of(files)
    skipped = store.atoms.skipped_stats() if len(stored) < len(files) else {}
    stale = set()
    for path in files:
        full = os.path.join(root, path)
        try:
            if path not in stored:  # new, gone, or skipped (binary...): stat says enough
                st = os.stat(full)
                if skipped.get(path) != (st.st_size, st.st_mtime_ns):
                    stale.add(path)
                continue
            with open(full, "rb") as fh:
                digest = content_hash(fh.read())
        except OSError:  # gone: stale if the index still holds it
            if path in stored:
                stale.add(path)
            continue
        if digest != stored[path][2]:
            stale.add(path)
    return stale
