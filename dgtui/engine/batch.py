"""What the engine is handed and the rows it makes of it: a batch of parsed files and removed
paths, what it says of each file (skipped, no longer skipped, errors), the atoms', files' rows,
and the closing of a transaction into the one ``Delta`` the engine publishes. Shared by the
general write path and the repairs (``writer``) and the first index (``bulk``)."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from ..model import AtomChange, Delta, ParsedFile
from ..store import FileRow, Store
from ..store.records import atom_row
from .walk import Skip


@dataclass
class Batch:
    """What changed on disk: files read and parsed, and paths that are gone."""

    #: A list, or (for a first index) an iterator still being fed by the parse workers.
    parsed: list[ParsedFile] | Iterator[ParsedFile] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)  # found by the walk (symlinks, big files...)
    forget_skips: list[str] = field(default_factory=list)  # skip records no longer true
    detected_at: float | None = None  # when the watcher saw the first change
    parse_seconds: float = 0.0
    #: A later chunk of a first index: only its own calls are resolved now; the calls of the
    #: earlier chunks that its names change are resolved again once, at the end of the run
    #: (``Engine.relink_all``), not at every chunk.
    others_later: bool = False


@dataclass
class FileOutcomes:
    """What a batch says of each file besides its atoms: skipped (recorded with the reason),
    no longer skipped, and the errors the delta reports. Shared by the engine and the bulk load."""

    skip_rows: list[tuple] = field(default_factory=list)
    unskipped: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def parsed(self, pf: ParsedFile) -> bool:
        """Note ``pf``; True when it was parsed (its atoms count), False when it was skipped."""
        if pf.skipped:
            if pf.skipped != "vanished":
                self.skip_rows.append((pf.path, pf.skipped, "; ".join(pf.errors), pf.size, pf.mtime_ns))
                self.errors.append(f"{pf.path}: {pf.skipped}")
            else:
                self.unskipped.append(pf.path)
            return False
        self.unskipped.append(pf.path)
        if pf.error_count:
            self.errors.append(f"{pf.path}: {pf.error_count} parse error(s)")
        return True

    def record(self, store: Store, batch: Batch, now: float) -> None:
        """Write the skipped-files table (inside the batch's transaction)."""
        store.atoms.clear_skipped(self.unskipped + batch.forget_skips)
        store.atoms.set_skipped([(s.path, s.reason, s.detail, None, None) for s in batch.skips]
                                + self.skip_rows, now)


def rows_of(pf: ParsedFile) -> list[tuple]:
    """The atoms-table row of each atom of a parsed file; made here if the parser did not."""
    if len(pf.rows) == len(pf.atoms):
        return list(pf.rows)
    return [atom_row(a) for a in pf.atoms]


def file_row(pf: ParsedFile, now: float) -> FileRow:
    return FileRow(pf.path, pf.language or "", pf.size, pf.mtime_ns, pf.content_hash,
                   pf.line_count, len(pf.atoms), pf.error_count, pf.errors, now)


def close(store: Store, tx: int, source: str, changes: Sequence[AtomChange], *,
          files: Sequence[str] = (), added: Sequence[tuple] = (), removed: Sequence[tuple] = (),
          files_removed: Sequence[str] = (), errors: Sequence[str] = (),
          detected_at: float | None = None, timings: dict[str, float] | None = None,
          rerouted: int = 0, repair: str | None = None, client: str | None = None) -> Delta:
    """Close transaction ``tx`` (its counts and summary: the last write before COMMIT) and make
    the ``Delta`` of it, the one the engine publishes once the commit is done."""
    ops = Counter(c.operation for c in changes)
    timings = {} if timings is None else timings
    summary = {"repair": repair} if repair else {
        "timings": timings, "errors": list(errors[:50]), "files_removed": list(files_removed),
        "edges_rerouted": rerouted}
    if client:  # who is editing, when known (an MCP client): edit sessions name it
        summary["client"] = client
    committed = time.time()
    store.events.close_transaction(tx, committed, list(files), ops["create"], ops["update"],
                                   ops["delete"], len(added), len(removed), summary)
    return Delta(transaction_id=tx, source=source, files=tuple(files), changes=tuple(changes),
                 edges_added=tuple(added), edges_removed=tuple(removed),
                 files_removed=tuple(files_removed), errors=tuple(errors),
                 detected_at=detected_at, committed_at=committed, timings=timings)
