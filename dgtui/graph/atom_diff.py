"""Old atoms vs new atoms -> what was created, updated (which fields), deleted or renamed.

Atoms are matched by id, so a function that only moved is an update of ``line``/``end_line``
(calls are stored relative to the atom's first line and do not change). A deleted atom and a
created atom of the same kind with the same body are a rename: they stay a delete and a create in
the event log (replay stays trivial) but each names the other.

Pure, and below both the engine (which diffs a batch against the store) and the read side
(``query.review`` diffs a git revision against the working tree), so both recognise renames,
moves and breaking signature changes the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Atom, diff_atoms
from .signatures import SIGNATURE_FIELDS, classify


@dataclass
class Update:
    old: Atom
    new: Atom
    changed: dict[str, list]  # field -> [old, new]


@dataclass
class AtomDiff:
    created: list[Atom] = field(default_factory=list)
    updated: list[Update] = field(default_factory=list)
    deleted: list[Atom] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)  # old id -> new id

    @property
    def empty(self) -> bool:
        return not (self.created or self.updated or self.deleted)

    def renamed_from(self) -> dict[str, str]:
        return {new: old for old, new in self.renamed.items()}


def diff(old: list[Atom], new: list[Atom]) -> AtomDiff:
    """Compare the stored atoms of some files with their freshly parsed atoms."""
    out = AtomDiff()
    old_by_id = {a.id: a for a in old}
    new_ids = set()
    for atom in new:
        new_ids.add(atom.id)
        before = old_by_id.get(atom.id)
        if before is None:
            out.created.append(atom)
        else:
            changed = diff_atoms(before, atom)
            if changed:
                out.updated.append(Update(before, atom, changed))
    out.deleted = [a for a in old if a.id not in new_ids]
    out.renamed = _pair_renames(out.deleted, out.created)
    return out


def _pair_renames(deleted: list[Atom], created: list[Atom]) -> dict[str, str]:
    """Pair deleted and created atoms with the same kind and body (same file first)."""
    if not deleted or not created:
        return {}
    waiting: dict[tuple[str, str], list[Atom]] = {}
    for atom in created:
        if atom.kind != "module" and atom.body_hash:
            waiting.setdefault((atom.kind, atom.body_hash), []).append(atom)
    pairs: dict[str, str] = {}
    for atom in deleted:
        candidates = waiting.get((atom.kind, atom.body_hash))
        if not candidates:
            continue
        same_file = [c for c in candidates if c.file_path == atom.file_path]
        chosen = (same_file or candidates)[0]
        candidates.remove(chosen)
        pairs[atom.id] = chosen.id
    return pairs


def breaking_change(update: Update) -> str | None:
    """Which signature change of ``update`` may break its callers (None: none, or compatible)."""
    if not SIGNATURE_FIELDS.intersection(update.changed):
        return None
    old, new = update.old, update.new
    if old.kind != new.kind:
        return f"now a {new.kind}, was a {old.kind}"
    change = classify(old.signature, new.signature, old_params=tuple(old.params),
                      new_params=tuple(new.params), old_async=old.is_async, new_async=new.is_async)
    return str(change) if change.breaking else None
