"""Which atoms of a saved file keep the calls the index holds for them.

A save changes a few atoms of a file; the rest are the same or only moved (code above them
changed). Resolving every call of the file again made an edit cost the whole file's calls. The
calls of an atom that did not change are kept as stored (their lines shifted when it moved), and
the linker looks at them again exactly as at calls in other files: when their short name, a
class hierarchy, a return type, a global or an import they go through changed (``linker``).

What a call sees only from inside its own file is handled here, by resolving more again:

- a function scope (a top-level function or a method, with the functions nested in it) is
  resolved again as a whole when any atom in it changed: closures see the names and types of
  the functions around them, and a nested function's decorators;
- a class body when one of its direct members changed (a class body sees its own names);
- the whole file when its module changed other than in its own calls and text (imports, the
  types of its globals, exports: what every name of the file means), and when a fixture or the
  decorators of an atom changed (a test's parameter is its file's fixture of that name).

The differential tests (``tests/test_properties.py``, ``tests/test_kept_calls.py``) check
that the index then equals a fresh index of the same files.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..graph.atom_diff import AtomDiff
from ..model import MOVE_FIELDS, Atom, is_fixture

#: A module atom changed only in these leaves what the file's names mean as it was.
_MODULE_TEXT_FIELDS = frozenset({"line", "end_line", "calls", "body_hash", "complexity", "docstring"})
_SCOPE_KINDS = ("class", "module")  # not function scopes: they end a closure's chain


def kept_callers(diff: AtomDiff, old_atoms: list[Atom], new_atoms: list[Atom]) -> dict[str, int]:
    """Atom id -> how many lines it moved, for the atoms of the changed files whose stored
    calls stay (the others are resolved again)."""
    old_by_id = {a.id: a for a in old_atoms}
    new_by_id = {a.id: a for a in new_atoms}
    moved: dict[str, int] = {}
    changed: set[str] = {a.id for a in diff.created} | {a.id for a in diff.deleted}
    whole: set[str] = {a.file_path for a in diff.created + diff.deleted
                       if a.kind == "module" or _fixture(a)}
    for u in diff.updated:
        if set(u.changed) <= MOVE_FIELDS:
            moved[u.new.id] = u.new.line - u.old.line
            continue
        changed.add(u.new.id)
        if u.new.kind == "module" and not set(u.changed) <= _MODULE_TEXT_FIELDS:
            whole.add(u.new.file_path)
        elif _decorators(u.old) != _decorators(u.new) or _fixture(u.new):
            whole.add(u.new.file_path)
    redo = set(changed)
    scopes: set[str] = set()
    for atom_id in changed:
        for table in (old_by_id, new_by_id):
            atom = table.get(atom_id)
            if atom is None:
                continue
            scopes.add(_scope(atom, table))
            parent = table.get(atom.parent_id) if atom.parent_id else None
            if parent is not None and parent.kind == "class":
                redo.add(parent.id)
    return {a.id: moved.get(a.id, 0) for a in new_atoms
            if a.id in old_by_id and a.id not in redo and a.file_path not in whole
            and _scope(a, new_by_id) not in scopes}


def atoms_of(atoms: Iterable[Atom], keep: dict[str, int]) -> list[Atom]:
    """The atoms whose calls are resolved again."""
    return [a for a in atoms if a.id not in keep]


def _scope(atom: Atom, table: dict[str, Atom]) -> str:
    """The outermost function around ``atom`` (itself when it is one, or a class or module)."""
    while atom.kind not in _SCOPE_KINDS and atom.parent_id:
        parent = table.get(atom.parent_id)
        if parent is None or parent.kind in _SCOPE_KINDS:
            break
        atom = parent
    return atom.id


def _decorators(atom: Atom):
    return (atom.extra or {}).get("decorators")


def _fixture(atom: Atom) -> bool:
    return is_fixture(_decorators(atom))
