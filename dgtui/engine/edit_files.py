"""The files of an edit: read them as the index must hold them, write them atomically, put them
back when the edit fails.

Only repository files are read or written: a path must be reached without a symbolic link or
``..`` (``paths.inside``) and open without following a link. A write goes to a temporary file
in the same folder, with the file's mode, flushed to disk, then renamed over the file: a reader
(or a crash) sees the old file or the new one, never half of one. Every temporary file is
written before the first rename, so a folder that refuses a write fails the edit before any
file changed.

An edit of several files is all or nothing even when the process is killed between two renames:
before the first rename, a journal in the index's folder (never in the repository) records each
file as it was and as it will be. The edit removes it once its transaction is committed or its
files are put back. A writer that finds one left behind (``recover_interrupted_edit``, on
opening the index) finishes the story: every file new, the edit stands; some new and some old,
the new ones are put back as they were. A file someone changed since is left alone, and said.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import stat
import tempfile
from dataclasses import dataclass

from ..parse.files import content_hash
from ..paths import inside

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
JOURNAL = "edit-journal.json"  # beside the index: the files of an edit under way
log = logging.getLogger(__name__)


class FileRefused(Exception):
    """A file the edit may not touch (outside the repository, a link, read-only, not text)."""


@dataclass(frozen=True)
class FileState:
    """A file as read before the edit: what to compare, and what to put back."""

    path: str  # relative posix path
    data: bytes
    mode: int
    atime_ns: int
    mtime_ns: int

    @property
    def text(self) -> str:
        return self.data.decode("utf-8")

    @property
    def digest(self) -> str:
        return content_hash(self.data)


def read_state(root: str, rel: str) -> FileState:
    if not inside(root, rel):
        raise FileRefused(f"{rel} is not reached inside the repository without a link or '..'")
    full = os.path.join(root, rel)
    try:
        fd = os.open(full, os.O_RDONLY | _NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise FileRefused(f"{rel}: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise FileRefused(f"{rel} is not a regular file")
        data = fh.read()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise FileRefused(f"{rel} is not UTF-8 text") from None
    if not os.access(full, os.W_OK):
        raise FileRefused(f"{rel} is read-only; dgtui does not change its mode to edit it")
    return FileState(rel, data, stat.S_IMODE(st.st_mode), st.st_atime_ns, st.st_mtime_ns)


class AtomicWrite:
    """Writes several files, each atomically; ``restore`` puts back the ones already replaced.
    With a ``journal`` path, a kill between two renames is undone by the next writer."""

    def __init__(self, root: str, journal: str | None = None):
        self.root = root
        self.journal = journal
        self.replaced: list[FileState] = []
        self._temps: list[tuple[str, str]] = []  # (temporary path, final path)

    def write(self, states: list[FileState], texts: dict[str, str]) -> None:
        try:
            for old in states:
                self._temps.append((self._temporary(old, texts[old.path].encode("utf-8")),
                                    os.path.join(self.root, old.path)))
            if self.journal is not None and len(states) > 1:
                _write_journal(self.journal, self.root, states, texts)
        except BaseException:
            self._drop_temps()
            raise
        for old, (temp, final) in zip(states, self._temps, strict=True):
            os.replace(temp, final)
            self.replaced.append(old)
        self._temps = []
        self._sync_folders(states)

    def done(self) -> None:
        """The edit's transaction is committed: nothing left to undo."""
        self.replaced = []
        self._forget_journal()

    def restore(self) -> None:
        """Put every replaced file back as it was: content, mode and modification time (so a
        watcher or a reconcile finds what the index holds)."""
        self._drop_temps()
        while self.replaced:
            self.put_back(self.replaced.pop())
        self._forget_journal()

    def put_back(self, old: FileState) -> None:
        temp = self._temporary(old, old.data)
        final = os.path.join(self.root, old.path)
        os.replace(temp, final)
        os.utime(final, ns=(old.atime_ns, old.mtime_ns), follow_symlinks=False)

    def _forget_journal(self) -> None:
        if self.journal is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.journal)

    def _temporary(self, old: FileState, data: bytes) -> str:
        folder, name = os.path.split(os.path.join(self.root, old.path))
        # No language's extension: the watcher does not take the temporary file for code.
        fd, temp = tempfile.mkstemp(prefix=f".{name}.", suffix=".dgtui-edit", dir=folder)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fchmod(fh.fileno(), old.mode)
                os.fsync(fh.fileno())
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
        return temp

    def _drop_temps(self) -> None:
        for temp, _ in self._temps:
            with contextlib.suppress(OSError):
                os.unlink(temp)
        self._temps = []

    def _sync_folders(self, states: list[FileState]) -> None:
        """The renames themselves on disk (a crash after the edit keeps the new files)."""
        for folder in {os.path.dirname(os.path.join(self.root, s.path)) for s in states}:
            with contextlib.suppress(OSError):
                fd = os.open(folder, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)


def _write_journal(path: str, root: str, states: list[FileState], texts: dict[str, str]) -> None:
    entries = [{"path": s.path, "old": s.text, "mode": s.mode, "atime_ns": s.atime_ns,
                "mtime_ns": s.mtime_ns, "new": content_hash(texts[s.path].encode("utf-8"))}
               for s in states]
    temp = f"{path}.tmp"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump({"root": root, "files": entries}, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(temp, path)


def recover_interrupted_edit(journal: str, root: str) -> list[str]:
    """Finish an edit a kill interrupted between its renames (see the module's docstring).
    Returns the files put back; does nothing when no journal is there."""
    try:
        with open(journal, encoding="utf-8") as fh:
            record = json.load(fh)
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as exc:
        log.warning("an interrupted edit's journal could not be read (%s); left in %s", exc, journal)
        return []
    if record.get("root") != root:
        return []
    entries = record.get("files", ())
    olds = {e["path"]: FileState(e["path"], e["old"].encode("utf-8"), e["mode"], e["atime_ns"],
                                 e["mtime_ns"]) for e in entries}
    news = {e["path"]: e["new"] for e in entries}
    now: dict[str, str | None] = {}
    for rel in olds:
        try:
            now[rel] = read_state(root, rel).digest
        except FileRefused:
            now[rel] = None
    put_back: list[str] = []
    if any(now[rel] != news[rel] for rel in olds):  # not every file new: the edit never happened
        writer = AtomicWrite(root)
        for rel, old in olds.items():
            if now[rel] == news[rel]:
                writer.put_back(old)
                put_back.append(rel)
            elif now[rel] != old.digest:
                log.warning("%s changed since an interrupted edit; left as it is", rel)
    os.unlink(journal)
    return put_back
