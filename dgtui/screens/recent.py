"""What the last transactions touched, for a few seconds: the explorer highlights those atoms
and flags the callers of an atom whose signature just changed.

Plain Python (no Textual); time comes from the caller so tests can step it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Delta

HIGHLIGHT_SECONDS = 4.0


@dataclass
class RecentChanges:
    seconds: float = HIGHLIGHT_SECONDS
    touched: dict[str, tuple[float, str]] = field(default_factory=dict)  # id -> (until, op)
    signature_changed: dict[str, int] = field(default_factory=dict)  # id -> transaction
    why: dict[str, str] = field(default_factory=dict)  # id -> the change that may break callers
    #: deleted atom id -> the atoms that called it and now call nothing
    broken: dict[str, list[str]] = field(default_factory=dict)

    def add(self, delta: Delta, now: float) -> set[str]:
        """Record a committed delta; returns the atom ids it touched. A move (only the lines
        changed) is not lit up, and only a breaking signature change flags the callers."""
        until = now + self.seconds
        ids: set[str] = set()
        for change in delta.changes:
            ids.add(change.atom_id)
            if change.moved_only:
                continue
            self.touched[change.atom_id] = (until, change.operation)
            if change.operation == "update" and change.breaking:
                self.signature_changed[change.atom_id] = delta.transaction_id
                self.why[change.atom_id] = change.breaking
            elif change.operation == "update" and change.changed:
                self.signature_changed.pop(change.atom_id, None)  # fixed again: compatible now
            elif change.operation == "delete":
                self.signature_changed.pop(change.atom_id, None)
            elif change.operation == "create":
                self.broken.pop(change.atom_id, None)  # back: its callers have a target again
            if change.renamed_to:
                self.signature_changed[change.renamed_to] = delta.transaction_id
                self.why[change.renamed_to] = f"renamed from {change.name}"
        # A caller whose calls were edited since (the agent fixed it) is no longer listed.
        edited = {c.atom_id for c in delta.changes if c.operation == "update" and "calls" in c.changed}
        edited |= {c.atom_id for c in delta.changes if c.operation == "delete"}
        for gone in list(self.broken):
            self.broken[gone] = [a for a in self.broken[gone] if a not in edited]
            if not self.broken[gone]:
                del self.broken[gone]
        self.broken.update(delta.broken_callers())
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
        """The transaction whose signature change of ``atom_id`` may break its callers, if one
        did since it was opened (a compatible change does not count)."""
        return self.signature_changed.get(atom_id) if atom_id else None

    def breaking_change(self, atom_id: str | None) -> str | None:
        """Which change may break ``atom_id``'s callers (``parameter b removed``)."""
        return self.why.get(atom_id) if atom_id and atom_id in self.signature_changed else None

    def broken_callers(self, atom_id: str | None) -> list[str]:
        """The atoms that called ``atom_id``, deleted while dgtui ran, and now call nothing."""
        return self.broken.get(atom_id, []) if atom_id else []

    def forget_signature(self, atom_id: str | None) -> None:
        if atom_id:
            self.signature_changed.pop(atom_id, None)
