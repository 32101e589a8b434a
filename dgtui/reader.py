"""Read connections for a UI's worker threads: one ``Store`` per thread, opened on first use.

SQLite connections must not be used by two threads at once; Textual thread workers run on a
pool, so each thread gets its own connection to the index (WAL: readers never block the writer).
"""

from __future__ import annotations

import threading

from .store import Store


class StorePool:
    def __init__(self, db_path: str):
        self.db_path = db_path
        self._local = threading.local()
        self._all: list[Store] = []
        self._lock = threading.Lock()

    def get(self) -> Store:
        store = getattr(self._local, "store", None)
        if store is None:
            store = Store.open(self.db_path)
            self._local.store = store
            with self._lock:
                self._all.append(store)
        return store

    def close(self) -> None:
        with self._lock:
            stores, self._all = self._all, []
        for store in stores:
            try:
                store.close()
            except Exception:  # a worker thread may still hold it; the process is ending
                pass
