"""What the engine is handed and the rows it makes of it: a batch of parsed files and removed
paths, what it says of each file (skipped, no longer skipped, errors), and the atoms', files' rows.
Shared by the general write path (``writer``) and the first index (``bulk``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from ..model import ParsedFile
from ..store import FileRow, Store
from ..store.records import atom_record
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
    summary: dict = field(default_factory=dict)  # kept in the transaction's summary (an edit's client)


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


def records_of(pf: ParsedFile) -> list[tuple[tuple, str]]:
    """(row, state) of each atom of a parsed file; made here if the parser did not."""
    if len(pf.rows) == len(pf.atoms) == len(pf.states):
        return list(zip(pf.rows, pf.states))
    return [atom_record(a) for a in pf.atoms]


def file_row(pf: ParsedFile, now: float) -> FileRow:
    return FileRow(pf.path, pf.language or "", pf.size, pf.mtime_ns, pf.content_hash,
                   pf.line_count, len(pf.atoms), pf.error_count, pf.errors, now)
