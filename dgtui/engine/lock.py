"""The writer lock: one process per repository watches and writes; others read and follow.

An advisory ``flock`` on ``writer.lock`` in the repository's data folder: the kernel releases it
when the process dies, however it dies, so a crash never leaves a stale lock behind.
"""

from __future__ import annotations

import errno
import os

from ..store.errors import StoreError


class ReadOnlyIndex(StoreError):
    """The index's folder cannot be written (a read-only mount, another account's data home):
    it can be read, not updated."""


class WriterLock:
    def __init__(self, path: str):
        self.path = path
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> bool:
        """Take the lock if it is free; never waits."""
        if self._fd is not None:
            return True
        try:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
                raise ReadOnlyIndex(f"{os.path.dirname(self.path)} is read-only here "
                                    f"({exc.strerror}): the index can be read, not updated") from None
            raise
        try:
            import fcntl
        except ImportError:  # no flock (Windows): the in-transaction diff still prevents doubles
            self._fd = fd
            return True
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return True

    def holder(self) -> int | None:
        """The pid written by the current holder, if any."""
        try:
            with open(self.path) as fh:
                text = fh.read().strip()
            return int(text) if text else None
        except (OSError, ValueError):
            return None

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor releases the flock
            self._fd = None
