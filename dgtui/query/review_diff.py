"""The source diff of each reviewed atom (``query.review``): its text as it was against its text on
disk now, as unified diff lines (difflib), not only the fields that changed.

Against git, the text as it was is the file at the revision (read with ``git cat-file``, parsed
with the same parser, so the atom's lines are found as the review found them). Since a point of
the event log there is no text as it was: the log keeps each change field by field (the body as
a hash), so the body as it is now is shown, with a note saying so.

Reads the repository and git; writes nothing. Plain data out, for any front end's thread.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass

from ..paths import inside
from . import git
from .review import MAX_BYTES, AtomReview, Review, atoms_of_blob

#: Lines of one atom's text shown at most (a module is its whole file).
MAX_LINES = 400
NO_OLD_TEXT = ("the event log keeps changes field by field (the body as a hash), not the text: "
               "the body as it is now")


@dataclass(frozen=True, slots=True)
class BodyDiff:
    """Unified diff lines (``---``/``+++``/``@@`` headers, line numbers of the files), or the
    text now with ``note`` saying why there is no diff."""

    lines: tuple[str, ...]
    note: str = ""


def body_diffs(root: str, review: Review) -> dict[str, BodyDiff]:
    """Atom id (as the review lists it) -> the diff of its text."""
    rows = list(review.atoms)
    old_files: dict[str, bytes] = {}
    note = ""
    if review.commit:
        paths = sorted({_path(r.old_id or r.id) for r in rows if r.change != "created"})
        try:
            old_files = git.read_at(root, review.commit, paths)
        except git.GitError as exc:
            note = f"the files as they were could not be read ({exc}): the body as it is now"
    else:
        note = NO_OLD_TEXT
    new_files = {p: d for p in sorted({r.file_path for r in rows if r.change != "deleted"})
                 if (d := _read_now(root, p)) is not None}
    old_atoms, new_atoms = _atoms_by_id(old_files), _atoms_by_id(new_files)
    old_text, new_text = _Texts(old_files), _Texts(new_files)
    out: dict[str, BodyDiff] = {}
    for r in rows:
        new = new_text.lines(new_atoms.get(r.id)) if r.change != "deleted" else (0, [])
        if r.change == "created":
            out[r.id] = BodyDiff(tuple(unified((0, []), new, "/dev/null", f"{r.id} (now)")))
        elif note:  # no text as it was
            out[r.id] = BodyDiff(tuple(f"  {line}" for line in new[1]), note)
        else:
            old_id = r.old_id or r.id
            old = old_text.lines(old_atoms.get(old_id))
            out[r.id] = BodyDiff(tuple(unified(old, new, f"{old_id} ({review.base})",
                                               "/dev/null" if r.change == "deleted" else f"{r.id} (now)")))
    return out


def unified(old: tuple[int, list[str]], new: tuple[int, list[str]], old_name: str,
            new_name: str) -> list[str]:
    """difflib's unified diff of two slices of files, its hunk headers counted in file lines."""
    (old_start, a), (new_start, b) = old, new
    lines = list(difflib.unified_diff(a, b, old_name, new_name, lineterm="", n=3))
    return [_shift(line, old_start, new_start) if line.startswith("@@") else line for line in lines]


_HUNK = re.compile(r"^@@ -(\d+)(,\d+)? \+(\d+)(,\d+)? @@")


def _shift(header: str, old_start: int, new_start: int) -> str:
    m = _HUNK.match(header)
    if m is None:
        return header
    a = int(m.group(1)) + max(old_start - 1, 0)  # an empty side (0,0) stays 0
    b = int(m.group(3)) + max(new_start - 1, 0)
    return f"@@ -{a}{m.group(2) or ''} +{b}{m.group(4) or ''} @@"


def diff_markdown(review: Review, diffs: dict[str, BodyDiff]) -> str:
    """The diffs as a Markdown section (fenced ``diff`` blocks), to follow ``review_report.markdown``."""
    out = ["### Source diffs", ""]
    for r in review.atoms:
        d = diffs.get(r.id)
        if d is None or not (d.lines or d.note):
            continue
        out.append(f"#### {r.change} `{r.id}`")
        out.append("")
        if d.note:
            out += [f"_{d.note}_", ""]
        if d.lines:
            body = "\n".join(d.lines)
            fence = "`" * max(3, _longest_backticks(body) + 1)
            out += [f"{fence}diff", body, fence, ""]
    return "\n".join(out) + "\n"


def atom_diff_text(row: AtomReview, diff: BodyDiff | None) -> str:
    """One atom's diff as a plain text file (for a pager)."""
    head = [f"# {row.change} {row.id}" + (f" (was {row.old_id})" if row.old_id else "")]
    if diff is None:
        return head[0] + "\n"
    if diff.note:
        head.append(f"# {diff.note}")
    return "\n".join([*head, *diff.lines]) + "\n"


def _longest_backticks(text: str) -> int:
    return max((len(m) for m in re.findall(r"`+", text)), default=0)


def _atoms_by_id(files: dict[str, bytes]) -> dict[str, tuple[str, int, int | None]]:
    """Atom id -> (file, first line, last line) in those files' contents (parsed once per
    content: the review parsed the same ones)."""
    found: dict[str, tuple[str, int, int | None]] = {}
    for path, data in files.items():
        for a in atoms_of_blob(path, data):
            found[a.id] = (path, a.line, a.end_line)
    return found


class _Texts:
    """Files' lines, decoded once each."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files
        self._lines: dict[str, list[str]] = {}

    def lines(self, where: tuple[str, int, int | None] | None) -> tuple[int, list[str]]:
        """(first line, the lines) of an atom; (0, []) when it is not there."""
        if where is None:
            return 0, []
        path, line, end = where
        if path not in self._lines:
            self._lines[path] = _text(self.files[path]).splitlines()
        lines = self._lines[path]
        start = max(1, line)
        stop = len(lines) if end is None else min(len(lines), end)
        return start, lines[start - 1:min(stop, start - 1 + MAX_LINES)]


def _read_now(root: str, path: str) -> bytes | None:
    if not inside(root, path):
        return None
    try:
        with open(os.path.join(root, path), "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError:
        return None
    return None if len(data) > MAX_BYTES else data


def _text(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def _path(atom_id: str) -> str:
    return atom_id.partition("::")[0]
