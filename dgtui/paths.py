"""Where dgtui keeps its data: one data home, never the user's repository.

    {home}/repos/{repositoryId}/index.db             the repository index (shared)
    {home}/project-brains/{repositoryId}/brain.db    the project brain (shared per repository)
    {home}/chat-history/{userId}/{repositoryId}/     the chat history and the watch list
                                                     (private: 0700 / 0600)

A repository id is a readable name plus a hash of the resolved path: ``django-3f2a9c1b0d4e``.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

# ``\Z``, not ``$``: ``$`` also matches before a final newline, and "bob\n" is no id.
_ID_OK = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}\Z")


class PathError(Exception):
    """A repository path or an id that dgtui cannot use."""


def data_home(explicit: str | None = None) -> str:
    """``--home``, else ``$DGTUI_HOME``, else the platform's user data folder."""
    home = explicit or os.environ.get("DGTUI_HOME")
    if home:
        return os.path.abspath(os.path.expanduser(home))
    if sys.platform == "darwin":
        base = os.path.expanduser("~/Library/Application Support")
    elif os.name == "nt":
        base = os.environ.get("LOCALAPPDATA") or os.path.expanduser("~/AppData/Local")
    else:
        base = os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share")
    return os.path.join(base, "dgtui")


def repository_root(path: str) -> str:
    """The resolved folder to index; a clear error when it is not a readable folder."""
    root = os.path.realpath(os.path.expanduser(path))
    if not os.path.exists(root):
        raise PathError(f"{path}: no such folder")
    if not os.path.isdir(root):
        raise PathError(f"{path}: not a folder")
    if not os.access(root, os.R_OK | os.X_OK):
        raise PathError(f"{path}: permission denied")
    return root


@dataclass(frozen=True)
class FoundRepository:
    """The repository a folder belongs to: ``root`` is indexed, ``given`` is where the user
    was; ``why`` says how the root was found when it is not the folder given."""

    root: str
    given: str
    why: str | None = None

    @property
    def subfolder(self) -> str:
        """The folder given, relative to the root (posix; "" when it is the root)."""
        if self.given == self.root:
            return ""
        return os.path.relpath(self.given, self.root).replace(os.sep, "/")


def find_repository(path: str, home: str | None = None) -> FoundRepository:
    """The repository ``path`` is in: any folder of a repository is that repository.

    The enclosing git work tree (the nearest folder holding ``.git``, a folder or, in a linked
    work tree or a submodule, a file), else the nearest folder at or above ``path`` that already
    has an index in the data home, else ``path`` itself."""
    given = repository_root(path)
    for folder in _self_and_parents(given):
        if os.path.lexists(os.path.join(folder, ".git")):
            return FoundRepository(folder, given, None if folder == given else "the enclosing git work tree")
    for folder in _self_and_parents(given):
        if os.path.exists(RepoPaths.for_root(folder, home).index_db):
            return FoundRepository(folder, given, None if folder == given else "the nearest folder above with an index")
    return FoundRepository(given, given)


def _self_and_parents(folder: str) -> Iterator[str]:
    while True:
        yield folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return
        folder = parent


def _read_umask() -> int:
    """The process's umask. Reading it means setting it and setting it back, so it is read
    once, when this module is imported (before dgtui starts a thread that could create a file
    in between)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


UMASK = _read_umask()


def repository_id(root: str) -> str:
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", os.path.basename(root.rstrip(os.sep)) or "root")
    name = name.strip(".-") or "repo"
    digest = hashlib.sha256(root.encode("utf-8", "surrogateescape")).hexdigest()[:12]
    return f"{name[:48]}-{digest}"


def validate_id(value: str, what: str) -> str:
    """User and repository ids become folder names: no separators, ``..`` or control characters."""
    if not isinstance(value, str) or not _ID_OK.fullmatch(value) or ".." in value:
        raise PathError(f"invalid {what} {value!r}: use letters, digits and . _ @ + - "
                        "(no path separators, '..' or control characters)")
    return value


@dataclass(frozen=True)
class RepoPaths:
    """Every location dgtui uses for one repository."""

    root: str
    home: str
    repo_id: str

    @classmethod
    def for_root(cls, root: str, home: str | None = None) -> RepoPaths:
        return cls(root, data_home(home), repository_id(root))

    @property
    def index_dir(self) -> str:
        return os.path.join(self.home, "repos", self.repo_id)

    @property
    def index_db(self) -> str:
        return os.path.join(self.index_dir, "index.db")

    @property
    def writer_lock(self) -> str:
        return os.path.join(self.index_dir, "writer.lock")

    @property
    def brain_dir(self) -> str:
        return os.path.join(self.home, "project-brains", self.repo_id)

    @property
    def brain_db(self) -> str:
        return os.path.join(self.brain_dir, "brain.db")

    def chat_dir(self, user_id: str) -> str:
        return os.path.join(self.home, "chat-history", validate_id(user_id, "user id"), self.repo_id)

    def chat_db(self, user_id: str) -> str:
        return os.path.join(self.chat_dir(user_id), "chat.db")

    def pins_db(self, user_id: str) -> str:
        """The user's pinned atoms (the watch list): private, beside the chat history."""
        return os.path.join(self.chat_dir(user_id), "pins.db")


def default_user() -> str:
    """``$DGTUI_USER``, else the operating-system login name."""
    user = os.environ.get("DGTUI_USER")
    if not user:
        try:
            user = os.getlogin()
        except OSError:
            import getpass

            user = getpass.getuser()
    return validate_id(user, "user id")


# -- paths inside a repository
def is_text(name: str) -> bool:
    """A name the index can store: os.fsdecode turns undecodable bytes into lone surrogates."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def printable(path: str) -> str:
    """An undecodable path as storable text: its bad bytes written as ``\\xff``."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def inside(root: str, rel: str) -> bool:
    """Whether ``rel`` names a path in the repository that is reached without a symbolic link
    or ``..``: the only paths dgtui reads (a path reported by a watcher or a tool is checked)."""
    if not rel or rel.startswith("/") or "\0" in rel or not is_text(rel):
        return False
    parts = rel.split("/")
    if any(p in ("", ".", "..") for p in parts):
        return False
    parent = os.path.dirname(os.path.join(_real(root), rel))
    return os.path.realpath(parent) == parent


@lru_cache(maxsize=16)
def _real(root: str) -> str:
    return os.path.realpath(root)
