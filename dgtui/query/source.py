"""Source text of atoms and files, read from the repository as it is on disk now."""

from __future__ import annotations

import errno
import os
import stat
from typing import Any

from ..store import StoredAtom
from .atoms import QueryError

_MAX_SOURCE_BYTES = 64 * 1024 * 1024


def source_lines(root: str, stored_or_row: Any, context: int = 0, max_lines: int = 400) -> tuple[int, list[str]]:
    """(first line number, lines) of an atom's source as it is on disk now."""
    if isinstance(stored_or_row, StoredAtom):
        path, line, end = stored_or_row.atom.file_path, stored_or_row.atom.line, stored_or_row.atom.end_line
    else:
        path, line, end = stored_or_row["file_path"], stored_or_row["line"], stored_or_row["end_line"]
    from ..paths import inside

    full = os.path.join(root, path)
    if not inside(root, path):  # a folder swapped for a link since it was indexed
        raise QueryError(f"{path} is outside the repository (a link?); not read")
    try:
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        with open(os.open(full, flags), encoding="utf-8", errors="replace") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise QueryError(f"cannot read {path}: not a regular file")
            lines = fh.read(_MAX_SOURCE_BYTES).splitlines()
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # the file itself became a link (O_NOFOLLOW)
            raise QueryError(f"{path} is outside the repository (a link?); not read") from None
        raise QueryError(f"cannot read {path}: {exc.strerror or exc}") from exc
    start = max(1, line - context)
    stop = len(lines) if end is None else min(len(lines), end + context)
    stop = min(stop, start + max_lines - 1)
    return start, lines[start - 1:stop]


def file_text(root: str, path: str) -> str:
    """A file of the repository as it is on disk now."""
    try:
        with open(os.path.join(root, path), encoding="utf-8", errors="replace") as fh:
            return fh.read()
    except OSError as exc:
        raise QueryError(f"cannot read {path}: {exc.strerror or exc}") from exc
