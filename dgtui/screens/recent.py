"""What the last transactions touched, for a few seconds: the explorer highlights those atoms
and flags the callers of an atom whose signature just changed.

Plain Python (no Textual); time comes from the caller so tests can step it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Delta

HIGHLIGHT_SECONDS = 4.0
#: An update to any of these may break the callers of an atom.
SIGNATURE_FIELDS = frozenset({"signature", "params", "is_async", "name", "kind"})


@dataclass
class RecentChanges:
    seconds: float = HIGHLIGHT_SECONDS
    touched: dict[str, tuple[float, str]] = field(default_factory=dict)  # id -> (until, op)
    signature_changed: dict[str, int] = field(default_factory=dict)  # id -> transaction

    def add(self, delta: Delta, now: float) -> set[str]:
        """Record a committed delta; returns the atom ids it touched."""
        until = now + self.seconds
        ids: set[str] = set()
        for change in delta.changes:
            self.touched[change.atom_id] = (until, change.operation)
            ids.add(change.atom_id)
            if change.operation == "update" and SIGNATURE_FIELDS.intersection(change.changed):
                self.signature_changed[change.atom_id] = delta.transaction_id
            elif change.operation == "delete":
                self.signature_changed.pop(change.atom_id, None)
            if change.renamed_to:
                self.signature_changed[change.renamed_to] = delta.transaction_id
        for source, target in delta.edges_added + delta.edges_removed:
            for atom_id in (source, target):
                if atom_id and atom_id not in ids:
                    self.touched.setdefault(atom_id, (until, "edges"))
        return ids

    def operation(self, atom_id: str | None, now: float) -> str | None:
        """create/update/delete/edges while the highlight lasts, else None."""
        if atom_id is None:
            return None
        hit = self.touched.get(atom_id)
        if hit is None or hit[0] < now:
            return None
        return hit[1]

    def expire(self, now: float) -> bool:
        """Forget what is no longer highlighted; True when something was forgotten."""
        old = [k for k, (until, _) in self.touched.items() if until < now]
        for k in old:
            del self.touched[k]
        return bool(old)

    def may_break(self, atom_id: str | None) -> int | None:
        """The transaction that changed ``atom_id``'s signature, if it did since it was opened."""
        return self.signature_changed.get(atom_id) if atom_id else None

    def forget_signature(self, atom_id: str | None) -> None:
        if atom_id:
            self.signature_changed.pop(atom_id, None)
