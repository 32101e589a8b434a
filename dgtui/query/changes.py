"""The event log as answers: the timeline, an atom's history, replays, the graph version and
what changed in atoms since an answer was given."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..model import MOVE_FIELDS, Atom, EventFilter
from ..store import Event, Store
from .atoms import ATOM_FIELDS, QueryError, check_patterns

EVENT_COLUMNS = ["event_id", "time", "transaction_id", "source", "operation", "atom_id", "changed"]


def event_dict(e: Event) -> dict[str, Any]:
    return {"event_id": e.id, "time": e.timestamp, "transaction_id": e.transaction_id,
            "source": e.source, "operation": e.operation, "atom_id": e.atom_id,
            "file_path": e.file_path, "changed": e.changed_fields,
            "previous_version": e.previous_version, "new_version": e.new_version,
            "renamed_from": e.delta.get("renamed_from"), "renamed_to": e.delta.get("renamed_to"),
            "broken_callers": e.delta.get("broken_callers", []), "breaking": e.delta.get("breaking"),
            "delta": e.delta}


def broken_callers_note(count: int) -> str:
    """What a deleted atom that was still called did to its callers, in words."""
    return f"⚠ {count} caller{'s' if count != 1 else ''} now call{'' if count != 1 else 's'} nothing"


def parse_time(value: str, now: float | None = None) -> float:
    """A time as a person (or an agent) writes it: unix seconds, ISO 8601, or an age like
    ``10m``, ``2h``, ``3d`` (before ``now``)."""
    import time
    from datetime import datetime

    text = value.strip()
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
    if len(text) > 1 and text[-1] in units and text[:-1].replace(".", "", 1).isdigit():
        return (time.time() if now is None else now) - float(text[:-1]) * units[text[-1]]
    try:
        return float(text)
    except ValueError:
        pass
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise QueryError(f"cannot read {value!r} as a time: use 2026-11-21T10:00, unix seconds, "
                         "or an age like 10m, 2h, 3d") from None
    try:
        return when.timestamp()
    except (OverflowError, OSError, ValueError):  # a year the platform's clock does not hold
        return _seconds_since_epoch(when)


def _seconds_since_epoch(when) -> float:
    """``when.timestamp()`` for any year ``datetime`` holds (``0001-01-01`` included): a naive
    time is taken in the local zone's offset of today, as ``timestamp`` would for a near one."""
    from datetime import datetime, timezone

    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.now().astimezone().tzinfo)
    return (when - datetime(1970, 1, 1, tzinfo=timezone.utc)).total_seconds()


def events(store: Store, f: EventFilter) -> list[dict[str, Any]]:
    check_patterns(file_glob=f.file_glob, atom_glob=f.atom_glob)
    return [event_dict(e) for e in store.events.events(f)]


def count_events(store: Store, f: EventFilter) -> int:
    """How many events ``f`` selects without its limit (to say where a listing stopped)."""
    return store.events.count_events(f)


def edge_events(store: Store, since: float | None = None, until: float | None = None,
                transaction: int | None = None, atom: str | None = None,
                limit: int | None = None, since_transaction: int | None = None) -> list[dict[str, Any]]:
    """Which caller -> callee edges each transaction added or removed, newest first."""
    log = store.events
    since_tx = log.transaction_at(since) if since is not None else 0
    if since_transaction is not None:
        since_tx = max(since_tx, since_transaction)
    until_tx = log.transaction_at(until) if until is not None else None
    return [{"transaction_id": tx, "operation": op, "source_id": s, "target_id": t}
            for tx, op, s, t in log.edge_events(since_tx, until_tx, transaction, atom, limit)]


def history(store: Store, atom_id: str) -> list[dict[str, Any]]:
    return [event_dict(e) for e in store.events.history(atom_id)]


def replay(store: Store, at_tx: int) -> tuple[list[Atom], list[dict[str, Any]]]:
    """Atoms and edges as they were after transaction ``at_tx``.

    Atoms come from replaying the event log; edges are resolved again from those atoms with
    the same resolver the engine uses, so they are what the engine stored then.
    """
    from ..graph.resolve import Resolver
    from ..graph.symbols import SymbolTable
    from ..model import SymbolInfo

    atoms = store.events.replay(at_tx)
    table = SymbolTable()
    for atom in atoms.values():
        table.add(SymbolInfo.of(atom))
    resolver = Resolver(table)
    edges = [e._asdict() for a in sorted(atoms.values(), key=lambda a: (a.file_path, a.line, a.id))
             for e in resolver.edges_for(a, a.calls)]
    return sorted(atoms.values(), key=lambda a: (a.file_path, a.line, a.id)), edges


def atom_as_it_was(store: Store, atom_id: str) -> dict[str, Any] | None:
    """A deleted atom as its last event left it (the state a delete event recorded)."""
    for event in reversed(store.events.history(atom_id)):
        state = event.delta.get("atom")
        if event.atom_id == atom_id and state:
            row = {k: state.get(k) for k in ATOM_FIELDS if k in state}
            row.update(deleted_at=event.timestamp if event.operation == "delete" else None,
                       deleted_in=event.transaction_id if event.operation == "delete" else None,
                       broken_callers=[c for c in event.delta.get("broken_callers", [])
                                       if store.atoms.get(c) is not None])
            return row
    return None




def graph_version(store: Store) -> tuple[int, float | None]:
    """(last committed transaction, the index's epoch).

    Transaction ids restart when an index is deleted and built again; the epoch (when its first
    transaction started) tells two such indexes apart, so "changed since transaction 812" is
    asked only of the index that transaction belongs to.
    """
    first = store.events.transactions(since=0, limit=1)
    return store.events.last_transaction_id(), (first[0].started_at if first else None)


def fingerprint(atom: Atom) -> str:
    """A digest of what an atom is (its text, signature, calls...) but not where it sits."""
    import hashlib
    import json

    state = {k: v for k, v in atom.to_state().items() if k not in MOVE_FIELDS}
    return hashlib.sha1(json.dumps(state, sort_keys=True, default=list).encode()).hexdigest()[:16]


def atom_changes(store: Store, atom_ids: Sequence[str], since_tx: int, epoch: float | None,
                 fingerprints: dict[str, str | None] | None = None) -> dict[str, dict[str, Any]]:
    """The atoms among ``atom_ids`` that changed or vanished after transaction ``since_tx``.

    In the same index this reads the event log (moves alone do not count); after the index was
    rebuilt (another epoch) it compares ``fingerprints`` taken then with the atoms now. Each
    value: ``{"atom_id", "status": changed|vanished, "renamed_to", "events": [...]}``.
    """
    current = store.atoms.get_many(list(atom_ids))
    same_index = epoch is not None and epoch == graph_version(store)[1]
    out: dict[str, dict[str, Any]] = {}
    for atom_id in dict.fromkeys(atom_ids):
        now = current.get(atom_id)
        events: list[dict[str, Any]] = []
        if same_index:
            for e in store.events.events(EventFilter(atom=atom_id, since_transaction=since_tx,
                                                     limit=None, oldest_first=True)):
                if e.operation != "update" or set(e.changed_fields) - MOVE_FIELDS:
                    events.append({"transaction_id": e.transaction_id, "time": e.timestamp,
                                   "source": e.source, "operation": e.operation,
                                   "changed": e.changed_fields,
                                   "renamed_to": e.delta.get("renamed_to")})
            changed = bool(events)
        else:
            old = (fingerprints or {}).get(atom_id)
            changed = now is None or (old is not None and fingerprint(now.atom) != old)
        if not changed:
            continue
        renamed = next((e["renamed_to"] for e in reversed(events) if e["renamed_to"]), None)
        out[atom_id] = {"atom_id": atom_id, "status": "changed" if now else "vanished",
                        "renamed_to": None if now else renamed, "events": events,
                        "index_rebuilt": not same_index}
    return out
