"""Where a command may write a file the user named (``-o FILE``, ``dgtui backup FILE``), and how.

An ordinary command must never destroy data, dgtui's own least of all:

- **dgtui's data is refused.** A path inside the data home (resolved through links) or a file that
  is one of dgtui's stores (an index, a project brain, a chat history: told by the SQLite header's
  application id, so a hard link or a copy elsewhere counts too) is never a target. The one
  exception: ``dgtui backup --force`` may replace an earlier backup (an index that is not in WAL
  mode: a live store always is, a backup never).
- **Special files are written in place.** A character device (``/dev/null``, a terminal), a FIFO
  (``>(cmd)`` is one behind ``/dev/fd/N``), a socket, or a name for a descriptor this process
  already holds (``/dev/stdout``, ``/dev/fd/N``) is opened and written like a shell redirection
  does; replacing it with a regular file would destroy it and print nothing. A block device (a
  disk) is refused.
- **A regular file is replaced atomically, only when asked.** An existing file (or a link) is
  replaced only with ``force`` (``--force``, or a yes on a terminal); the new file keeps the old
  one's mode. A new file gets the mode the umask gives (``mkstemp``'s 0600 is for private files).
  A link to a regular file is replaced by the new file, never written through (the file it
  points to may be anything, anywhere).
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import stat
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, TextIO

from .paths import PathError, data_home

#: The SQLite ``application_id`` of each of dgtui's stores (the store's schemas use these).
INDEX_APPLICATION_ID = 0x64677475  # "dgtu"
BRAIN_APPLICATION_ID = 0x64676272  # "dgbr"
CHAT_APPLICATION_ID = 0x64676368  # "dgch"
PINS_APPLICATION_ID = 0x6467706e  # "dgpn"
STORE_KINDS = {INDEX_APPLICATION_ID: "index", BRAIN_APPLICATION_ID: "project brain",
               CHAT_APPLICATION_ID: "chat history", PINS_APPLICATION_ID: "watch list"}

_SQLITE_MAGIC = b"SQLite format 3\x00"
#: Names of descriptors the process already holds: written through that descriptor (a dup).
_FD_NAME = re.compile(r"/(?:dev/fd|proc/self/fd)/(\d+)\Z")
_STD_NAMES = {"/dev/stdin": 0, "/dev/stdout": 1, "/dev/stderr": 2}


class TargetError(PathError):
    """A path a command may not write to; the message says why and what to do."""


@dataclass(frozen=True)
class Target:
    """A checked place to write: ``fd`` (a held descriptor), ``special`` (opened in place), or a
    regular file replaced atomically, keeping ``mode`` when it replaces one."""

    path: str
    fd: int | None = None
    special: bool = False
    mode: int | None = None  # the replaced file's permission bits

    @property
    def in_place(self) -> bool:
        """Written where it is, not replaced: no sidecar file goes beside it."""
        return self.fd is not None or self.special


def check_target(path: str, *, home: str | None = None, force: bool = False,
                 confirm: Callable[[str], bool] | None = None, backup: bool = False) -> Target:
    """Where ``path`` may be written, or a ``TargetError`` saying why not.

    ``home`` is the data home in use (``None``: the default one; both are protected). ``confirm``
    is asked whether an existing file may be replaced when ``force`` is not given (a terminal's
    yes/no); ``backup`` allows replacing an earlier dgtui backup (with ``force``).
    """
    path = os.path.abspath(os.path.expanduser(path))
    fd = _held_descriptor(path)
    if fd is not None:
        return Target(path, fd=fd)
    _refuse_data_home(path, home)
    try:
        st = os.stat(path)  # through links: what a write would reach
    except FileNotFoundError:
        if os.path.islink(path):  # a dangling link is still something the user had
            return _replace(path, None, force, confirm)
        folder = os.path.dirname(path)
        if not os.path.isdir(folder):
            raise TargetError(f"{folder}: no such folder") from None
        return Target(path)
    except OSError as exc:
        raise TargetError(f"{path}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise TargetError(f"{path} is a folder; give a file name")
    if stat.S_ISBLK(st.st_mode):
        raise TargetError(f"{path} is a block device (a disk); refusing to write onto it")
    if not stat.S_ISREG(st.st_mode):  # a character device, a FIFO, a socket
        return Target(path, special=True)
    if os.path.islink(path):  # the link is replaced, never written through: its file is not read
        return _replace(path, None, force, confirm)
    kind = store_kind(path)
    if kind is not None and not (backup and kind == "index backup"):
        raise TargetError(f"{path} is a dgtui {kind}; refusing to overwrite it")
    return _replace(path, stat.S_IMODE(st.st_mode), force, confirm)


def _replace(path: str, mode: int | None, force: bool,
             confirm: Callable[[str], bool] | None) -> Target:
    if not force and not (confirm is not None and confirm(path)):
        raise TargetError(f"{path} exists; use --force to replace it")
    return Target(path, mode=mode)


def check_beside(target: Target, suffix: str, **kwargs) -> Target | None:
    """The companion file ``target.path + suffix`` (an export's metadata sidecar), checked like
    the target itself; ``None`` for a target written in place (no file goes beside ``/dev/null``)."""
    if target.in_place:
        return None
    return check_target(target.path + suffix, **kwargs)


def _held_descriptor(path: str) -> int | None:
    """The descriptor ``path`` names (``/dev/stdout``, ``/dev/fd/3``) when this process holds it."""
    m = _FD_NAME.match(path)
    fd = int(m.group(1)) if m else _STD_NAMES.get(path)
    if fd is None:
        return None
    try:
        os.fstat(fd)
    except OSError:
        return None  # not held here: opening the name gives the system's own error
    return fd


def _refuse_data_home(path: str, home: str | None) -> None:
    real = os.path.realpath(path)
    for folder in {data_home(home), data_home(None)}:
        for candidate in {folder, os.path.realpath(folder)}:
            if real == candidate or real.startswith(candidate.rstrip(os.sep) + os.sep) or \
                    path.startswith(candidate.rstrip(os.sep) + os.sep):
                raise TargetError(f"{path} is inside dgtui's data home ({folder}), where its "
                                  "indexes, brains and chat histories live; write somewhere else")


def store_kind(path: str) -> str | None:
    """``index``, ``index backup``, ``project brain`` or ``chat history`` when the file at ``path``
    is one of dgtui's SQLite stores (read from its header), else ``None``."""
    try:
        with open(path, "rb") as fh:
            header = fh.read(100)
    except OSError:
        return None
    if len(header) < 72 or not header.startswith(_SQLITE_MAGIC):
        return None
    kind = STORE_KINDS.get(int.from_bytes(header[68:72], "big"))
    wal = header[18] == 2 and header[19] == 2  # the file format version bytes: 2 is WAL
    if kind == "index" and not wal:
        return "index backup"
    return kind


# -- writing ------------------------------------------------------------------------------------
@contextlib.contextmanager
def open_text(target: Target) -> Iterator[TextIO]:
    """Write text to ``target``: through its descriptor, in place, or atomically."""
    if target.in_place:
        with open_in_place(target) as fh:
            yield fh
        return
    with replacing(target) as tmp, open(tmp, "w", encoding="utf-8", newline="") as fh:
        yield fh
        fh.flush()
        os.fsync(fh.fileno())


@contextlib.contextmanager
def open_in_place(target: Target, *, binary: bool = False) -> Iterator[IO]:
    """A held descriptor (dup'ed: writing continues where the shell's redirection is) or a
    special file, opened for writing where it is."""
    text = {} if binary else {"encoding": "utf-8", "newline": ""}
    mode = "wb" if binary else "w"
    if target.fd is not None:
        with os.fdopen(os.dup(target.fd), mode, **text) as fh:
            yield fh
        return
    if stat.S_ISSOCK(os.stat(target.path).st_mode):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.connect(target.path)
            with sock.makefile(mode, **text) as fh:
                yield fh
        return
    # No O_TRUNC or O_CREAT: a device or a FIFO is written to, never made or emptied.
    fd = os.open(target.path, os.O_WRONLY | getattr(os, "O_NOCTTY", 0))
    with os.fdopen(fd, mode, **text) as fh:
        yield fh


@contextlib.contextmanager
def replacing(target: Target, prefix: str = ".dgtui-") -> Iterator[str]:
    """A temporary file beside ``target.path`` to fill, renamed over it on success (removed on
    failure), with the replaced file's mode or the umask's."""
    folder = os.path.dirname(target.path) or "."
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=folder)
    try:
        try:
            os.fchmod(fd, target.mode if target.mode is not None else 0o666 & ~umask())
        finally:
            os.close(fd)
        yield tmp
        os.replace(tmp, target.path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def umask() -> int:
    """The process's umask, read without changing it where the system says it (Linux 4.7+)."""
    with contextlib.suppress(OSError, ValueError):
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    mask = os.umask(0o022)  # elsewhere: set and restore (a moment another thread could see)
    os.umask(mask)
    return mask
