"""Read connections for a UI's worker threads, lent one at a time.

A SQLite connection must not be used by two threads at once, and Textual starts a new thread
for each thread worker, so connections are leased: a worker borrows an idle one (or opens one)
and gives it back when it is done. A handful stay open for the life of the app.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from ..store import Store

T = TypeVar("T")
MAX_IDLE = 4
# Page cache per read connection (the writer keeps its own, larger one): searching leaves at
# most this much of the index resident per reader, where a memory map kept far more.
READ_CACHE_KIB = 16384


class StorePool:
    def __init__(self, db_path: str):
        self.db_path = db_path
        self._idle: list[Store] = []
        self._lock = threading.Lock()
        self._closed = False

    @contextlib.contextmanager
    def lease(self) -> Iterator[Store]:
        with self._lock:
            store = self._idle.pop() if self._idle else None
        if store is None:
            store = Store.open(self.db_path)
            store.conn.execute(f"PRAGMA cache_size = -{READ_CACHE_KIB}")
        try:
            yield store
        finally:
            with self._lock:
                keep = not self._closed and len(self._idle) < MAX_IDLE
                if keep:
                    self._idle.append(store)
            if not keep:
                store.close()

    def ask(self, question: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``question(store, *args, **kwargs)`` on a leased connection (a ``dgtui.query``
        function, usually)."""
        with self.lease() as store:
            return question(store, *args, **kwargs)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            stores, self._idle = self._idle, []
        for store in stores:
            store.close()
