"""Walking a repository: the files dgtui indexes, and why the others were left out.

Iterative and breadth first (no recursion limit; a first index starts on the files nearest the
root before the walk is over), one directory handle open at a time, symlinks never followed
(a link can loop or leave the repository), unreadable folders recorded rather than fatal. Only
regular files are read (a FIFO would block the reader forever), and only names that are text
(a path is stored as UTF-8: one undecodable name must not stop the whole index).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
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
    return Walker(root, rules, max_bytes, under).result()


class Walker:
    """A walk that hands out its files a level at a time (breadth first): those in the folder
    it starts from, then those one folder down, and so on, each level in path order. A first
    index parses the files nearest the root while most of a large repository is still unwalked
    (Django: its first files after 2 of 500 folders)."""

    def __init__(self, root: str, rules: IgnoreRules, max_bytes: int = DEFAULT_MAX_BYTES,
                 under: str = ""):
        self.root = root
        self.rules = rules
        self.max_bytes = max_bytes
        self.files: list[FileStat] = []  # so far, level after level
        self.skipped: list[Skip] = []
        self.directories: list[str] = []
        self._level = [under]  # the folders whose files are the next level
        if not under:
            for name in (".git/info/exclude", CONFIG_FILE, "exclude/include"):
                if name in rules.errors:
                    self.skipped.append(Skip(name, "bad-ignore-pattern", rules.errors[name]))

    @property
    def done(self) -> bool:
        return not self._level

    def next_level(self) -> list[FileStat] | None:
        """The files of the next level, by path (maybe none); None once the walk is over."""
        if not self._level:
            return None
        found: list[FileStat] = []
        below: list[str] = []
        for rel_dir in self._level:
            self._scan(rel_dir, found, below)
        self._level = below
        found.sort(key=lambda f: f.path)
        self.files += found
        return found

    def nearest_first(self) -> Iterator[FileStat]:
        """The files, walking on as they are taken: level after level, each by path."""
        while (level := self.next_level()) is not None:
            yield from level

    def result(self) -> WalkResult:
        """The whole walk (walking what is left), its files by path."""
        while self.next_level() is not None:
            pass
        return WalkResult(sorted(self.files, key=lambda f: f.path), self.skipped, self.directories)

    def _scan(self, rel_dir: str, files: list[FileStat], below: list[str]) -> None:
        rules, skipped = self.rules, self.skipped
        abs_dir = os.path.join(self.root, rel_dir) if rel_dir else self.root
        try:
            with os.scandir(abs_dir) as it:
                entries = list(it)
        except OSError as exc:
            skipped.append(Skip(rel_dir or ".", "unreadable-folder", exc.strerror or str(exc)))
            return
        names = {e.name for e in entries}
        if rel_dir and VENV_MARKER in names:  # a virtual environment, whatever its name
            skipped.append(Skip(rel_dir + "/", "virtual-environment", f"holds {VENV_MARKER}"))
            return
        self.directories.append(rel_dir)
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
                        below.append(rel)
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
            if st.st_size > self.max_bytes:
                skipped.append(Skip(rel, "too-large", f"{st.st_size} bytes > {self.max_bytes}"))
                continue
            files.append(FileStat(rel, st.st_size, st.st_mtime_ns))


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
