"""Watch lists: atoms a user pinned, and which transactions touched them or their neighbours.

A pin is an atom id and a depth N (``DEFAULT_DEPTH``). A transaction touches a pin when it
created, changed or deleted the pinned atom or an atom within N calls of it, in either
direction: its callers up to N levels (they may break when it changes) and its callees up to N
levels (a change there can break it). A move alone (only the lines changed) does not count. The
neighbourhood is walked in the index as it is after the commit (``dgtui.query`` walks, resolved
calls only), plus the far ends of the calls the transaction removed from it, so a deleted callee
is still seen.

The pins are the user's own data, like the chat history: kept in a private file beside it
(``store/pins.py``), written by this service and never by the engine. A pinned atom that is
renamed or moved keeps its pin: the pin follows the rename the delta (or the event log) carries.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from .. import query as q
from ..model import Delta
from ..paths import RepoPaths, default_user, validate_id
from ..query.review import ASPECTS
from ..store import Store
from ..store.pins import Pin, PinStore

DEFAULT_DEPTH = 2
MAX_DEPTH = 6  # a deeper walk around a much-called atom reaches half a repository
QUIET_SOURCES = ("index",)  # a first index creates everything: it touches no pin
MAX_RENAME_HOPS = 20


@dataclass(frozen=True)
class PinHit:
    """One change of a transaction within reach of one pin."""

    pin: str  # the pinned atom's id (after any rename in this transaction)
    pin_name: str
    transaction_id: int
    atom_id: str
    name: str
    operation: str  # create, update, delete
    changed: tuple[str, ...]
    distance: int  # calls between the pinned atom and the changed one (0: the pinned atom)
    direction: str  # pinned, caller, callee
    renamed_to: str | None = None

    def describe(self) -> str:
        """``helper updated (body), a callee 1 call away``."""
        what = {"create": "created", "update": "updated", "delete": "deleted"}.get(self.operation, self.operation)
        if self.renamed_to:
            what = f"renamed to {self.renamed_to.rsplit('::', 1)[-1]}"
        elif self.changed:
            what += f" ({', '.join(aspects(self.changed))})"
        if self.direction == "pinned":
            return f"{self.name} {what}"
        calls = "call" if self.distance == 1 else "calls"
        return f"{self.name} {what}, a {self.direction} {self.distance} {calls} away"

    def to_dict(self) -> dict[str, Any]:
        return {"pin": self.pin, "pin_name": self.pin_name, "transaction_id": self.transaction_id,
                "atom": self.atom_id, "name": self.name, "operation": self.operation,
                "changed": list(self.changed), "distance": self.distance,
                "direction": self.direction, "renamed_to": self.renamed_to}


def aspects(changed: tuple[str, ...]) -> list[str]:
    """The changed fields in a reader's words (body, signature, docstring...)."""
    body = {"body_hash", "calls", "complexity"}
    names = [ASPECTS.get(f, f) for f in changed
             if f not in q.MOVE_FIELDS and not (f == "extra" and body & set(changed))]
    return list(dict.fromkeys(names)) or ["position"]


def check_depth(depth: int) -> int:
    if not isinstance(depth, int) or not 0 <= depth <= MAX_DEPTH:
        raise q.QueryError(f"depth must be between 0 and {MAX_DEPTH}, not {depth!r}")
    return depth


def neighbourhood(store: Store, atom_id: str, depth: int) -> dict[str, tuple[int, str]]:
    """Atom id -> (calls away, "pinned"/"caller"/"callee") for ``atom_id`` and the atoms within
    ``depth`` calls of it, both ways (the nearer way wins)."""
    near: dict[str, tuple[int, str]] = {atom_id: (0, "pinned")}
    if depth < 1:
        return near
    rows = [(r, "caller") for r in q.callers(store, atom_id, depth)]
    rows += [(r, "callee") for r in q.callees(store, atom_id, depth, include_unresolved=False)]
    for row, direction in rows:
        if row.get("id"):
            _nearer(near, row["id"], row["depth"], direction)
    return near


class WatchList:
    """The pins of one user about one repository, and the questions asked about them."""

    def __init__(self, pins: PinStore):
        self.store = pins

    @classmethod
    def open(cls, paths: RepoPaths, user: str | None = None) -> WatchList:
        validate_id(paths.repo_id, "repository id")
        user = validate_id(user, "user id") if user is not None else default_user()
        return cls(PinStore.open(paths.pins_db(user), user, paths.repo_id))

    @staticmethod
    def path(paths: RepoPaths, user: str | None = None) -> str:
        """Where the pins of ``user`` are kept (nothing is created): readers that find no file
        have no pins, without creating folders (a read-only data home stays untouched)."""
        return paths.pins_db(validate_id(user, "user id") if user is not None else default_user())

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> WatchList:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the pins -----------------------------------------------------------------------------
    def pins(self) -> list[Pin]:
        return self.store.all()

    def get(self, atom_id: str) -> Pin | None:
        return self.store.get(atom_id)

    def pin(self, index: Store, atom_id: str, depth: int = DEFAULT_DEPTH) -> Pin:
        """Pin an atom of the index (or change its depth)."""
        check_depth(depth)
        stored = q.stored_atom(index, atom_id)
        if stored is None:
            raise q.NoSuchAtom(atom_id)
        tx, epoch = q.graph_version(index)
        atom = stored.atom
        return self.store.put(Pin(atom.id, depth, atom.qualified_name or atom.name, atom.file_path,
                                  time.time(), tx, epoch))

    def unpin(self, atom_id: str) -> bool:
        return self.store.remove(atom_id)

    def toggle(self, index: Store, atom_id: str, depth: int = DEFAULT_DEPTH) -> Pin | None:
        """Pin ``atom_id``, or unpin it when it is pinned; returns the new pin, or None."""
        if self.store.remove(atom_id):
            return None
        return self.pin(index, atom_id, depth)

    # -- renames ------------------------------------------------------------------------------
    def follow(self, delta: Delta) -> dict[str, str]:
        """Move the pins of atoms this transaction renamed or moved; old id -> new id."""
        created = {c.atom_id: c for c in delta.changes if c.operation == "create"}
        moved: dict[str, str] = {}
        for change in delta.changes:
            new = change.renamed_to
            if change.operation != "delete" or not new:
                continue
            target = created.get(new)
            name = target.name if target else new.rsplit("::", 1)[-1]
            if self.store.move(change.atom_id, new, name, target.file_path if target else None):
                moved[change.atom_id] = new
        return moved

    def follow_renames(self, index: Store) -> dict[str, str]:
        """Pins whose atom is no longer in the index: follow the renames the event log records
        since each was pinned (while dgtui was not running). Old id -> new id."""
        moved: dict[str, str] = {}
        for pin in self.store.all():
            atom_id = pin.atom_id
            for _ in range(MAX_RENAME_HOPS):
                if q.stored_atom(index, atom_id) is not None:
                    break
                change = q.atom_changes(index, [atom_id], pin.since_tx, pin.index_epoch).get(atom_id)
                if not change or not change.get("renamed_to"):
                    break
                atom_id = change["renamed_to"]
            now = q.stored_atom(index, atom_id) if atom_id != pin.atom_id else None
            if now is not None and self.store.move(pin.atom_id, atom_id, now.atom.qualified_name or now.atom.name,
                                                   now.atom.file_path):
                moved[pin.atom_id] = atom_id
        return moved

    # -- what a transaction touched -------------------------------------------------------------
    def hits(self, index: Store, delta: Delta) -> list[PinHit]:
        """The changes of ``delta`` within reach of a pin, nearest first for each pin. Pins of
        atoms it renamed follow them first."""
        if delta.source in QUIET_SOURCES:
            return []
        moved = self.follow(delta)
        pins = self.store.all()
        if not pins:
            return []
        changes = [c for c in delta.changes if not c.moved_only]
        out: list[PinHit] = []
        for pin in pins:
            near = neighbourhood(index, pin.atom_id, pin.depth)
            for old, new in moved.items():
                if new == pin.atom_id:
                    near[old] = (0, "pinned")
            _add_removed_ends(near, delta.edges_removed, pin.depth)
            found = []
            for c in changes:
                if c.atom_id not in near or (c.renamed_from and c.renamed_from in near):
                    continue  # a rename is told once, by its old id: "renamed to ..."
                distance, direction = near[c.atom_id]
                found.append(PinHit(pin.atom_id, pin.name, delta.transaction_id, c.atom_id, c.name,
                                    c.operation, tuple(c.changed), distance, direction, c.renamed_to))
            out += sorted(found, key=lambda h: (h.distance, h.atom_id))
        return out


def _add_removed_ends(near: dict[str, tuple[int, str]], removed: tuple[tuple[str, str], ...],
                      depth: int) -> None:
    """A call the transaction removed from an atom within reach: its other end was within reach
    before (a deleted callee is no longer in the graph the walk reads)."""
    for source, target in removed:
        if not source or not target:
            continue
        here, there = near.get(source), near.get(target)
        if here and here[0] < depth and here[1] in ("pinned", "callee"):
            _nearer(near, target, here[0] + 1, "callee")
        if there and there[0] < depth and there[1] in ("pinned", "caller"):
            _nearer(near, source, there[0] + 1, "caller")


def _nearer(near: dict[str, tuple[int, str]], atom_id: str, distance: int, direction: str) -> None:
    if atom_id not in near or near[atom_id][0] > distance:
        near[atom_id] = (distance, direction)
