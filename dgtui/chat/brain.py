"""The project brain of a repository, read against its index.

``BrainStore`` keeps insights; this adds what needs the index: resolving the atoms an insight is
about (and fingerprinting them at the graph version it is written at), and telling which
insights are stale because one of their atoms changed or vanished since (read from the index's
event log, never written). The brain file is created by the first insight, not by reading.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import query as q
from ..paths import RepoPaths
from ..store import Store
from ..store.brain import MAX_TEXT as MAX_INSIGHT_TEXT  # noqa: F401 - the front ends' limit
from ..store.brain import BrainError, BrainStore, Insight, InsightAtom, LogEntry, NewInsight


@dataclass(frozen=True)
class InsightStatus:
    """An insight and whether it still holds: ``stale`` is None when there is no index."""

    insight: Insight
    stale: bool | None
    changes: list[dict[str, Any]] = field(default_factory=list)  # what changed, per atom/file
    log: list[LogEntry] = field(default_factory=list)

    @property
    def id(self) -> int:
        return self.insight.id

    def summary(self) -> str:
        if self.stale is None:
            return "unknown (no index)"
        if not self.stale:
            return "current"
        parts = []
        for c in self.changes:
            what = c.get("atom_id") or c.get("file")
            if c["status"] == "vanished" and c.get("renamed_to"):
                parts.append(f"{what} renamed to {c['renamed_to']}")
            else:
                parts.append(f"{what} {c['status']}")
        return "stale: " + "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        row = self.insight.to_dict()
        row.update(stale=self.stale, status=self.summary(), changes=self.changes)
        if self.log:
            row["log"] = [{"operation": e.operation, "source": e.source, "author": e.author,
                           "time": e.timestamp} for e in self.log]
        return row


class ProjectBrain:
    """Insights of one repository; ``index`` (read only) is used for atoms and staleness."""

    def __init__(self, path: str, index: Store | None):
        self.path = path
        self.index = index
        self._store: BrainStore | None = None

    @classmethod
    def open(cls, paths: RepoPaths, index: Store | None = None) -> ProjectBrain:
        return cls(paths.brain_db, index)

    def _writable(self) -> BrainStore:
        if self._store is None:
            self._store = BrainStore.open(self.path)
        return self._store

    def _readable(self) -> BrainStore | None:
        if self._store is None and os.path.exists(self.path):
            self._store = BrainStore.open(self.path)
        return self._store

    # == writes ============================================================================
    def add(self, kind: str, text: str, author: str, *, atoms: Sequence[str] = (),
            files: Sequence[str] = (), confidence: str = "medium", provenance: str = "manual",
            tool: str | None = None, source: str = "user") -> Insight:
        """Add an insight; ``atoms`` are ids or names, resolved against the index now."""
        refs, version, epoch = self._anchor(atoms)
        new = NewInsight(kind=kind, text=text, author=author, atoms=refs,
                         files=tuple(dict.fromkeys(files)), confidence=confidence,
                         provenance=provenance, tool=tool, graph_version=version,
                         index_epoch=epoch)
        return self._writable().add(new, source)

    def update(self, insight_id: int, author: str, *, source: str = "user",
               text: str | None = None, kind: str | None = None, confidence: str | None = None,
               atoms: Sequence[str] | None = None, reconfirm: bool = False) -> Insight:
        """Edit an insight. New ``atoms``, or ``reconfirm`` (it still holds), anchor it to the
        index as it is now, which clears its staleness."""
        store = self._writable()
        if atoms is None and not reconfirm:
            return store.update(insight_id, source, author, text=text, kind=kind,
                                confidence=confidence)
        current = store.get(insight_id)
        if current is None:
            raise BrainError(f"no insight {insight_id} in the project brain")
        refs, version, epoch = self._anchor(current.atom_ids if atoms is None else atoms)
        return store.update(insight_id, source, author, text=text, kind=kind,
                            confidence=confidence, atoms=refs, graph_version=version,
                            index_epoch=epoch)

    def remove(self, insight_id: int, author: str, source: str = "user") -> Insight:
        store = self._readable()
        if store is None:
            raise BrainError(f"no insight {insight_id} in the project brain")
        return store.remove(insight_id, source, author)

    def _anchor(self, atoms: Sequence[str]) -> tuple[tuple[InsightAtom, ...], int, float | None]:
        if self.index is None:
            if atoms:
                raise BrainError("insights about atoms need an index: run `dgtui index` first")
            return (), 0, None
        version, epoch = q.graph_version(self.index)
        refs = []
        for ref in dict.fromkeys(atoms):
            stored = q.resolve_atom(self.index, ref)
            refs.append(InsightAtom(stored.id, stored.atom.file_path, q.fingerprint(stored.atom)))
        return tuple(refs), version, epoch

    # == reads =============================================================================
    def get(self, insight_id: int, with_log: bool = False) -> InsightStatus:
        store = self._readable()
        insight = store.get(insight_id) if store else None
        if insight is None:
            raise BrainError(f"no insight {insight_id} in the project brain")
        status = self.status(insight)
        if with_log and store is not None:
            status = InsightStatus(insight, status.stale, status.changes, store.log(insight_id))
        return status

    def list(self, stale_only: bool = False, kind: str | None = None,
             atom_id: str | None = None) -> list[InsightStatus]:
        store = self._readable()
        if store is None:
            return []
        out = [self.status(i) for i in store.list(kind=kind, atom_id=atom_id)]
        return [s for s in out if s.stale] if stale_only else out

    def log(self, insight_id: int | None = None) -> list[LogEntry]:
        store = self._readable()
        return store.log(insight_id) if store else []

    def status(self, insight: Insight) -> InsightStatus:
        """Is the insight stale: did one of its atoms change or vanish, or a file go away?"""
        if self.index is None:
            return InsightStatus(insight, None)
        changes = list(q.atom_changes(
            self.index, insight.atom_ids, insight.graph_version, insight.index_epoch,
            {a.atom_id: a.fingerprint for a in insight.atoms}).values())
        if insight.files:
            changes += [{"file": p, "status": "vanished", "events": []}
                        for p in q.unindexed_files(self.index, list(insight.files))]
        return InsightStatus(insight, bool(changes), changes)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
