"""Importing the origin system's tree of JSON atom files into an index (its migration phase 2).

Streaming: one folder is listed at a time, one atom file is open at a time (read, closed, then
parsed), and atoms go to the engine in batches of a bounded size, so neither memory nor open files
grow with the tree (the origin died of EMFILE at 12,640 files). Each source file's atoms become one
``ParsedFile`` and every batch one transaction (source ``import``) through ``Engine.apply``, the
only writer: a crash leaves whole files imported or not at all.

What the files table holds for an imported file makes the next ``dgtui index`` reconcile it with
the code: size and mtime -1 never equal a file on disk, so the indexer parses the real file and
the engine diffs its atoms against the imported ones (same ids: updates); a file that is gone
loses its atoms. The content hash (``import:`` + a hash of the atoms) makes a second import of the
same tree a no-op: no transaction, no event. Files the index already holds from parsed code are
left alone: the code is the truth, and legacy data must not overwrite it.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..model import Atom, ParsedFile
from ..parse.registry import language_for
from ..store import Store
from ..store.records import atom_row, atom_state
from .batch import Batch
from .legacy_atoms import (
    MAX_ATOM_FILE_BYTES,
    MalformedAtom,
    check_storable,
    read_atom_file,
    source_path,
    to_atom,
)
from .writer import Engine

IMPORT_HASH_PREFIX = "import:"
BATCH_ATOMS = 2000  # atoms per transaction: bounds memory, keeps each commit short
BATCH_FILES = 500


@dataclass
class ImportSummary:
    atom_files: int = 0  # .json files read
    files: int = 0  # source files their atoms belong to
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0  # atoms of an earlier import no longer in the tree
    superseded: int = 0  # atoms of files the index already holds from parsed code
    superseded_files: list[str] = field(default_factory=list)
    malformed: list[dict[str, str]] = field(default_factory=list)  # {"path", "reason"}
    transactions: list[int] = field(default_factory=list)
    atoms_root: str = ""
    seconds: float = 0.0

    @property
    def imported(self) -> int:
        return self.created + self.updated

    def as_dict(self) -> dict[str, Any]:
        return {
            "imported": self.imported, "unchanged": self.unchanged,
            "malformed": len(self.malformed), "created": self.created, "updated": self.updated,
            "removed": self.removed, "superseded": self.superseded, "atom_files": self.atom_files,
            "files": self.files, "transactions": self.transactions,
            "malformed_files": self.malformed, "superseded_files": self.superseded_files,
            "atoms_root": self.atoms_root, "seconds": round(self.seconds, 3),
        }


def atoms_root(directory: str) -> str:
    """``DIR/atoms`` when DIR is the ``.omnysysdata`` folder, else DIR itself."""
    inner = os.path.join(directory, "atoms")
    return inner if os.path.isdir(inner) and not os.path.islink(inner) else directory


def default_repository(directory: str) -> str:
    """The folder that holds the data folder: ``repo`` for ``repo/.omnysysdata[/atoms]``."""
    path = os.path.abspath(directory)
    if os.path.basename(path) == "atoms" and not os.path.isdir(os.path.join(path, "atoms")):
        path = os.path.dirname(path)
    return os.path.dirname(path)


def import_tree(store: Store, directory: str, engine: Engine | None = None,
                on_malformed: Callable[[str, str], None] | None = None) -> ImportSummary:
    """Import every atom file below ``directory`` into ``store``."""
    t0 = time.perf_counter()
    engine = engine or Engine(store)
    root = atoms_root(directory)
    summary = ImportSummary(atoms_root=root)
    pending: list[ParsedFile] = []
    pending_atoms = 0

    def malformed(path: str, reason: str) -> None:
        summary.malformed.append({"path": path, "reason": reason})
        if on_malformed is not None:
            on_malformed(path, reason)

    def flush() -> None:
        nonlocal pending, pending_atoms
        if pending:
            _apply(store, engine, pending, summary)
        pending, pending_atoms = [], 0

    for folder, names in _folders(root, malformed):
        by_path: dict[str, list[tuple[Atom, str]]] = {}
        for name in names:
            full = os.path.join(root, folder, name)
            summary.atom_files += 1
            try:
                if not folder:
                    raise MalformedAtom("not in the atoms/<dir>/<file-stem>/ layout")
                obj = read_atom_file(_read(full))
                path = source_path(obj, folder)
                by_path.setdefault(path, []).append((to_atom(obj, path), name))
            except MalformedAtom as exc:
                malformed(full, str(exc))
            except OSError as exc:
                malformed(full, exc.strerror or str(exc))
        for path in sorted(by_path):
            pf = _parsed_file(path, by_path[path], malformed, os.path.join(root, folder))
            if pf is None:
                continue
            pending.append(pf)
            pending_atoms += len(pf.atoms)
            if pending_atoms >= BATCH_ATOMS or len(pending) >= BATCH_FILES:
                flush()
    flush()
    summary.seconds = time.perf_counter() - t0
    return summary


# -- the tree ----------------------------------------------------------------------------
def _folders(root: str, malformed: Callable[[str, str], None]) -> Iterator[tuple[str, list[str]]]:
    """(folder relative to root, its .json file names), depth first, sorted; one folder listed
    at a time and closed before its files are read. Symbolic links are never followed."""
    pending = [""]
    while pending:
        rel = pending.pop()
        full = os.path.join(root, rel) if rel else root
        try:
            with os.scandir(full) as it:
                entries = [(e.name, e.is_symlink(), e.is_dir(follow_symlinks=False),
                            e.is_file(follow_symlinks=False)) for e in it]
        except OSError as exc:
            malformed(full, f"folder not readable: {exc.strerror or exc}")
            continue
        files, folders = [], []
        for name, link, is_dir, is_file in sorted(entries):
            child = f"{rel}/{name}" if rel else name
            if link:
                if name.endswith(".json") or _is_dir(os.path.join(full, name)):
                    malformed(os.path.join(full, name), "symbolic link, not followed")
            elif is_dir:
                folders.append(child)
            elif is_file and name.endswith(".json"):
                files.append(name)
        pending.extend(reversed(folders))
        if files:
            yield rel, files


def _read(full: str) -> bytes:
    """One atom file's bytes (at most one byte past the limit); a link swapped in is refused."""
    fd = os.open(full, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as fh:
        return fh.read(MAX_ATOM_FILE_BYTES + 1)


def _is_dir(path: str) -> bool:
    try:
        return os.path.isdir(path)
    except OSError:
        return False


# -- atoms of one source file -> a ParsedFile ---------------------------------------------------
def _parsed_file(path: str, found: list[tuple[Atom, str]], malformed: Callable[[str, str], None],
                 folder: str) -> ParsedFile | None:
    """The imported atoms of one source file, with final ids and JSON states."""
    found.sort(key=lambda item: (item[0].line, item[0].qualified_name, item[1]))
    used: dict[str, int] = {}
    atoms: list[Atom] = []
    rows: list[tuple] = []
    states: list[str] = []
    classes = {a.qualified_name: a for a, _ in found if a.kind == "class"}
    for atom, name in found:
        count = used[atom.qualified_name] = used.get(atom.qualified_name, 0) + 1
        if count > 1:
            atom = atom._replace(id=f"{atom.id}#{count}")
        cls = classes.get(atom.owner or "")
        if cls is not None and atom.parent_id is None:
            atom = atom._replace(parent_id=cls.id)
        try:
            row, state = atom_row(atom), atom_state(atom)
            check_storable(state)
        except MalformedAtom as exc:
            malformed(os.path.join(folder, name), str(exc))
            continue
        except (ValueError, RecursionError) as exc:
            malformed(os.path.join(folder, name), f"cannot be stored: {exc}")
            continue
        atoms.append(atom)
        rows.append(row)
        states.append(state)
    if not atoms:
        return None
    digest = hashlib.blake2b(digest_size=16)
    for state in states:
        digest.update(state.encode("utf-8"))
        digest.update(b"\n")
    spec = language_for(path)
    return ParsedFile(
        path=path, language=spec.name if spec else "", size=-1, mtime_ns=-1,
        content_hash=IMPORT_HASH_PREFIX + digest.hexdigest(), atoms=tuple(atoms),
        rows=tuple(rows), line_count=max((a.end_line or a.line) for a in atoms),
    )


def _apply(store: Store, engine: Engine, files: list[ParsedFile], summary: ImportSummary) -> None:
    """One transaction for a batch of files; files parsed from code are left as they are."""
    stored = store.atoms.file_rows([pf.path for pf in files])
    batch: list[ParsedFile] = []
    for pf in files:
        row = stored.get(pf.path)
        if row is not None and not row.content_hash.startswith(IMPORT_HASH_PREFIX):
            summary.superseded += len(pf.atoms)
            summary.superseded_files.append(pf.path)
            continue
        batch.append(pf)
    summary.files += len(files)
    if not batch:
        return
    delta = engine.apply(Batch(parsed=batch), "import")
    total = sum(len(pf.atoms) for pf in batch)
    if delta is None:
        summary.unchanged += total
        return
    summary.transactions.append(delta.transaction_id)
    created = sum(1 for c in delta.changes if c.operation == "create")
    updated = sum(1 for c in delta.changes if c.operation == "update")
    summary.created += created
    summary.updated += updated
    summary.removed += sum(1 for c in delta.changes if c.operation == "delete")
    summary.unchanged += total - created - updated


__all__ = ["IMPORT_HASH_PREFIX", "ImportSummary", "atoms_root", "default_repository", "import_tree"]
