"""What git says about a work tree, read with git's own read commands (``git -C ROOT ...``).

Nothing here writes: no checkout, no index refresh (``GIT_OPTIONAL_LOCKS=0`` keeps ``git diff``
from rewriting ``.git/index`` to record file stats), no stash. Paths in and out are relative to
``root`` (the indexed folder, which may be a subfolder of the work tree), posix.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass

TIMEOUT = 60.0


class GitError(Exception):
    """git is missing, the folder is not a work tree, or a revision does not exist: one line."""


@dataclass(frozen=True, slots=True)
class PathChange:
    """A path that differs between a revision and the work tree."""

    status: str  # A added, M modified, D deleted, R renamed, T type changed, ? untracked
    path: str  # the path now (the old path for D)
    old_path: str | None = None  # where it was at the revision (R, and the same path for M/T/D)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(GIT_OPTIONAL_LOCKS="0", GIT_TERMINAL_PROMPT="0", LC_ALL="C")
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):  # ours, not the caller's repo
        env.pop(name, None)
    return env


def _git(root: str, *args: str, input: bytes | None = None) -> bytes:
    return _finish(_start(root, *args), args[0], input)


def _start(root: str, *args: str) -> subprocess.Popen:
    """A git read command, started (two can run at once: ``diff`` and ``ls-files`` each walk
    the work tree)."""
    if shutil.which("git") is None:
        raise GitError("git is not installed (or not on PATH)")
    try:
        return subprocess.Popen(["git", "-C", root, *args], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env())
    except OSError as exc:
        raise GitError(f"git {args[0]} failed: {exc}") from None


def _finish(proc: subprocess.Popen, what: str, input: bytes | None = None) -> bytes:
    try:
        out, err = proc.communicate(input, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise GitError(f"git {what} took more than {TIMEOUT:.0f} s") from None
    if proc.returncode != 0:
        said = err.decode("utf-8", "replace").strip().splitlines()
        raise GitError(said[0] if said else f"git {what} failed ({proc.returncode})")
    return out


def is_work_tree(root: str) -> bool:
    try:
        return _git(root, "rev-parse", "--is-inside-work-tree").strip() == b"true"
    except GitError:
        return False


def resolve(root: str, rev: str) -> str:
    """The commit ``rev`` names (a sha, a branch, ``HEAD~2``, a tag), or a GitError."""
    if not rev or rev.startswith("-") or "\n" in rev:
        raise GitError(f"{rev!r} is not a revision")
    try:
        return _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options",
                    f"{rev}^{{commit}}").decode().strip()
    except GitError:
        raise GitError(f"{rev!r} is not a revision of this repository "
                       "(a commit, a branch or a tag: `git log` lists them)") from None


def changed_paths(root: str, commit: str) -> list[PathChange]:
    """The files that differ between ``commit`` and the work tree under ``root`` (renames
    found as ``git diff -M`` finds them), and the untracked files git does not ignore."""
    others = _start(root, *_UNTRACKED)
    try:
        out = _git(root, "diff", "--name-status", "-M", "-z", "--no-ext-diff", "--no-textconv",
                   "--relative", commit, "--")
    finally:
        listed = _finish(others, "ls-files")
    fields = _names(out)
    changes: list[PathChange] = []
    i = 0
    while i < len(fields) and fields[i]:
        status = fields[i][0]
        if status in "RC":
            old, new = fields[i + 1], fields[i + 2]
            if old and new:
                changes.append(PathChange("R" if status == "R" else "A", new,
                                          old if status == "R" else None))
            i += 3
            continue
        path = fields[i + 1]
        if path:
            changes.append(PathChange(status, path, None if status == "A" else path))
        i += 2
    for path in _paths(listed):
        changes.append(PathChange("?", path))
    return changes


_UNTRACKED = ("ls-files", "--others", "--exclude-standard", "-z", "--", ".")


def untracked(root: str) -> list[str]:
    """The files git neither tracks nor ignores."""
    return _paths(_git(root, *_UNTRACKED))


def _paths(out: bytes) -> list[str]:
    return [p for p in _names(out) if p]


def _names(out: bytes) -> list[str]:
    """NUL-separated names; a name that is not UTF-8 is left out (the index holds none)."""
    names = []
    for raw in out.split(b"\0"):
        try:
            names.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            names.append("")
    return names


def read_at(root: str, commit: str, paths: list[str]) -> dict[str, bytes]:
    """Each path's content at ``commit`` (one ``git cat-file --batch`` for all of them); a path
    that is not a file there is left out."""
    paths = [p for p in paths if "\n" not in p]  # the batch protocol is a line per object
    if not paths:
        return {}
    prefix = _git(root, "rev-parse", "--show-prefix").decode().strip()
    request = "".join(f"{commit}:{prefix}{p}\n" for p in paths).encode("utf-8")
    data = _git(root, "cat-file", "--batch", input=request)
    found: dict[str, bytes] = {}
    pos = 0
    for path in paths:
        end = data.index(b"\n", pos)
        header = data[pos:end].split(b" ")
        pos = end + 1
        if len(header) != 3 or header[1] == b"missing":
            continue
        size = int(header[2])
        if header[1] == b"blob":
            found[path] = data[pos:pos + size]
        pos += size + 1  # the content and its newline
    return found
