"""The one place dgtui meets watchfiles: a watch of some folders (each on its own, not recursive)
in a thread of its own, handing each set of changes to a callback.

It drives watchfiles' public ``watch()`` generator. ``ready`` is set once the watch is in place
(its first yield, at the latest ``READY_MS`` after it started): a caller about to scan a new
folder waits for it, so that a file written between the scan and the watch is still seen.
``retire()`` stops a watch at its next quiet moment, after it has handed over every change it
collected (a replacement watching the same folders is started first): nothing falls between the
two. ``close()`` stops it now.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

import watchfiles

#: The longest a watch waits without changes before it yields an empty set: how soon ``ready``
#: is known, and how often a quiet watch wakes up to notice ``retire``.
READY_MS = 20
#: How often a poller looks (``--poll``).
POLL_DELAY_MS = 50
#: A folder may vanish while a watch starts: it is started again on those that still exist.
START_ATTEMPTS = 5

Changes = set[tuple[object, str]]  # (change kind, absolute path): the kind is not trusted


class FolderWatch:
    def __init__(self, folders: list[str], deliver: Callable[[Changes], None], *, step_ms: int,
                 debounce_ms: int, force_polling: bool):
        self.folders = folders
        self.ready = threading.Event()
        self.error: BaseException | None = None  # why the watch could not start
        self._deliver = deliver
        self._options = {"debounce": debounce_ms, "step": step_ms, "force_polling": force_polling}
        self._stop = threading.Event()
        self._retiring = threading.Event()
        self.thread = threading.Thread(target=self._pump, name="dgtui-watch", daemon=True)
        self.thread.start()

    def _changes(self):
        for attempt in range(START_ATTEMPTS):
            existing = [f for f in self.folders if os.path.isdir(f)]
            try:
                yield from watchfiles.watch(
                    *existing, watch_filter=None, stop_event=self._stop, rust_timeout=READY_MS,
                    yield_on_timeout=True, raise_interrupt=False, recursive=False, poll_delay_ms=POLL_DELAY_MS,
                    ignore_permission_denied=True, debug=False, **self._options)
                return
            except FileNotFoundError:  # a folder vanished as the watch started
                if attempt == START_ATTEMPTS - 1:
                    raise

    def _pump(self) -> None:
        # A poller takes its first look in a thread of its own: it is in place once it has
        # polled, not at the first quiet yield (a save just after would be its baseline).
        settle = time.monotonic() + (2 * POLL_DELAY_MS / 1000 if self._options["force_polling"] else 0)
        try:
            for changes in self._changes():
                if time.monotonic() >= settle:
                    self.ready.set()
                if changes:
                    self._deliver(changes)
                elif self._retiring.is_set():
                    return  # quiet, and everything collected was handed over
        except RuntimeError:  # the loop the changes go to is gone: we are shutting down
            pass
        except Exception as exc:  # could not watch (a watch limit, permissions): the caller hears
            self.error = exc
        finally:
            self.ready.set()  # nobody waits forever on a watch that could not start

    def wait_ready(self, timeout: float = 2.0) -> bool:
        """Wait until the watch is in place; raise what stopped it from starting."""
        ready = self.ready.wait(timeout)
        if self.error is not None:
            raise self.error
        return ready

    def retire(self) -> None:
        """Stop once quiet, after handing over what was collected."""
        self._retiring.set()

    def close(self) -> None:
        self._stop.set()
        self.thread.join(2.0)
