"""Walking a repository: the files dgtui indexes, and why the others were left out.

Iterative (no recursion limit), one directory handle open at a time, symlinks never followed
(a link can loop or leave the repository), unreadable folders recorded rather than fatal. Only
regular files are read (a FIFO would block the reader forever), and only names that are text
(a path is stored as UTF-8: one undecodable name must not stop the whole index).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from ..parse.registry import language_for
from ..paths import is_text, printable
from .ignore import CONFIG_FILE, IGNORE_FILES, VENV_MARKER, IgnoreRules

DEFAULT_MAX_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class FileStat:
    path: str  # repository-relative, posix
    size: int
    mtime_ns: int


@dataclass(frozen=True, slots=True)
class Skip:
    path: str
    reason: str  # symlink, unreadable-folder, unreadable, too-large, binary, not-utf8, vanished,
    # not-a-file (FIFO, socket, device), bad-name (not valid UTF-8), bad-ignore-pattern; and for
    # a folder (its path ends in "/"): ignored, never-source, virtual-environment
    detail: str = ""


@dataclass
class WalkResult:
    files: list[FileStat]
    skipped: list[Skip]
    directories: list[str]  # every folder walked ("" is the root): what a watcher must watch


def walk(root: str, rules: IgnoreRules, max_bytes: int = DEFAULT_MAX_BYTES,
         under: str = "") -> WalkResult:
    """All indexable files below ``under`` (a relative folder, "" for the whole repository)."""
    files: list[FileStat] = []
    skipped: list[Skip] = []
    directories: list[str] = []
    pending = [under]
    if not under:
        for name in (".git/info/exclude", CONFIG_FILE, "exclude/include"):
            if name in rules.errors:
                skipped.append(Skip(name, "bad-ignore-pattern", rules.errors[name]))
    while pending:
        rel_dir = pending.pop()
        abs_dir = os.path.join(root, rel_dir) if rel_dir else root
        try:
            with os.scandir(abs_dir) as it:
                entries = list(it)
        except OSError as exc:
            skipped.append(Skip(rel_dir or ".", "unreadable-folder", exc.strerror or str(exc)))
            continue
        names = {e.name for e in entries}
        if rel_dir and VENV_MARKER in names:  # a virtual environment, whatever its name
            skipped.append(Skip(rel_dir + "/", "virtual-environment", f"holds {VENV_MARKER}"))
            continue
        directories.append(rel_dir)
        rules.saw_folder(rel_dir, names)
        for name in IGNORE_FILES:
            if name in names:
                rules.spec_for(rel_dir, name)
                ignore_file = f"{rel_dir}/{name}" if rel_dir else name
                if ignore_file in rules.errors:
                    skipped.append(Skip(ignore_file, "bad-ignore-pattern", rules.errors[ignore_file]))
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            try:
                if not is_text(entry.name):
                    if language_for(entry.name) or entry.is_dir(follow_symlinks=False):
                        skipped.append(Skip(printable(rel), "bad-name", "the name is not valid UTF-8"))
                    continue
                if entry.is_symlink():
                    if language_for(entry.name) or _is_dir_link(entry.path):
                        skipped.append(Skip(rel, "symlink", "symbolic links are not followed"))
                    continue
                if entry.is_dir(follow_symlinks=False):
                    why = rules.why(rel + "/")
                    if why is None:
                        pending.append(rel)
                    else:  # listed with its reason: nothing is left out unsaid
                        skipped.append(Skip(rel + "/", *why))
                    continue
                if language_for(entry.name) is None or rules.decide(rel):
                    continue
                if not entry.is_file(follow_symlinks=False):
                    skipped.append(Skip(rel, "not-a-file", "not a regular file (FIFO, socket or device)"))
                    continue
                st = entry.stat(follow_symlinks=False)
            except OSError as exc:
                skipped.append(Skip(rel, "vanished" if _is_missing(exc) else "unreadable",
                                    exc.strerror or str(exc)))
                continue
            if st.st_size > max_bytes:
                skipped.append(Skip(rel, "too-large", f"{st.st_size} bytes > {max_bytes}"))
                continue
            files.append(FileStat(rel, st.st_size, st.st_mtime_ns))
    files.sort(key=lambda f: f.path)
    return WalkResult(files, skipped, directories)


def stat_file(root: str, rel: str) -> FileStat | None:
    """A single file's stat, or None when it is gone or not a regular file."""
    try:
        st = os.stat(os.path.join(root, rel), follow_symlinks=False)
    except OSError:
        return None
    import stat as _stat

    if not _stat.S_ISREG(st.st_mode):
        return None
    return FileStat(rel, st.st_size, st.st_mtime_ns)


def _is_dir_link(path: str) -> bool:
    try:
        return os.path.isdir(path)
    except OSError:
        return False


def _is_missing(exc: OSError) -> bool:
    import errno

    return exc.errno in (errno.ENOENT, errno.ENOTDIR)
