"""The data dgtui moves around: atoms, calls, imports, parsed files and deltas.

Plain frozen dataclasses, no I/O. Everything that crosses a process or a module boundary is one of
these (parse workers return them, the engine diffs them, the store persists them).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

#: Atom fields that describe what an atom *is*; a change to any of them is an update event.
#: ``calls`` holds line offsets relative to the atom's first line, so moving a function changes
#: only ``line``/``end_line``.
DIFF_FIELDS = (
    "name", "qualified_name", "kind", "line", "end_line", "signature", "params", "is_async",
    "is_exported", "docstring", "complexity", "body_hash", "calls", "parent_id", "owner", "bases",
    "imports", "extra",
)


#: The fields an atom's position is: an update of these alone is a move, not a change.
MOVE_FIELDS = frozenset({"line", "end_line"})


class Call(NamedTuple):
    """A call written in an atom's own body (not in a nested atom)."""

    callee: str  # the callee as written: ``self.db.write``
    short: str  # the last name in it: ``write``
    offset: int  # line offset from the atom's first line


class Import(NamedTuple):
    """One name an import statement binds in a module's scope.

    ``from .models import User as U`` is ``Import(local="U", module=".models", name="User")``;
    ``import os.path`` is ``Import(local="os", module="os.path", name=None, binds_root=True)``;
    ``const x = require('./x')`` is ``Import(local="x", module="./x", name=None)``.
    ``name == "*"`` is a star import (``local`` is then ``"*"``).
    """

    local: str
    module: str
    name: str | None = None
    binds_root: bool = False


class Atom(NamedTuple):
    """A function-like definition (or a class, or a module's top level).

    A NamedTuple rather than a dataclass: parse workers send tens of thousands of them to the
    main process, and tuples pickle and serialize to JSON several times faster.
    """

    id: str  # ``relative/posix/path::qualified.name`` (``#2`` for a second definition)
    file_path: str
    name: str
    qualified_name: str
    kind: str  # module, function, method, class, arrow, generator, test
    line: int
    end_line: int | None  # None for a module: it spans the file, whatever its length
    signature: str = ""
    params: tuple[str, ...] = ()
    is_async: bool = False
    is_exported: bool = False
    docstring: str = ""
    complexity: int = 1
    body_hash: str = ""
    calls: tuple[Call, ...] = ()
    parent_id: str | None = None
    owner: str | None = None  # what ``self``/``this`` means inside: a class or object name
    bases: tuple[str, ...] = ()  # classes: base classes as written
    imports: tuple[Import, ...] = ()  # modules: the names bound by import statements
    extra: dict[str, Any] | None = None  # anything else (imported legacy fields, flags)

    def to_state(self) -> dict[str, Any]:
        """The atom as a JSON-able dict (the ``atom`` of create/delete events)."""
        return dict(zip(self._fields, self, strict=True))

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Atom:
        return cls(
            id=state["id"],
            file_path=state["file_path"],
            name=state["name"],
            qualified_name=state["qualified_name"],
            kind=state["kind"],
            line=state["line"],
            end_line=state["end_line"],
            signature=state.get("signature", ""),
            params=tuple(state.get("params", ())),
            is_async=bool(state.get("is_async", False)),
            is_exported=bool(state.get("is_exported", False)),
            docstring=state.get("docstring", ""),
            complexity=state.get("complexity", 1),
            body_hash=state.get("body_hash", ""),
            calls=tuple(Call(*c) for c in state.get("calls", ())),
            parent_id=state.get("parent_id"),
            owner=state.get("owner"),
            bases=tuple(state.get("bases", ())),
            imports=tuple(Import(*i) for i in state.get("imports", ())),
            extra=state.get("extra") or None,
        )

    def with_changes(self, changes: dict[str, Any]) -> Atom:
        """Apply an update event's ``changed`` map (field -> [old, new]) to this atom."""
        state = self.to_state()
        for name, (_old, new) in changes.items():
            state[name] = new
        return Atom.from_state(state)


def diff_atoms(old: Atom, new: Atom) -> dict[str, list[Any]]:
    """Changed fields as ``{field: [old, new]}``; empty when equal."""
    changed: dict[str, list[Any]] = {}
    for i in _DIFF_INDEXES:
        a, b = old[i], new[i]
        if a != b:
            changed[Atom._fields[i]] = [a, b]
    return changed


_DIFF_INDEXES = tuple(Atom._fields.index(f) for f in DIFF_FIELDS)


@dataclass(frozen=True, slots=True)
class ParsedFile:
    """What parsing one file produced: its atoms, or the reason it was skipped."""

    path: str  # relative posix path
    language: str | None
    size: int
    mtime_ns: int
    content_hash: str
    atoms: tuple[Atom, ...] = ()
    # Made by the (parallel) parse worker, one per atom: its row of the atoms table (see
    # ``store.records.atom_row``); empty when not made yet.
    rows: tuple[tuple, ...] = ()
    error_count: int = 0
    errors: tuple[str, ...] = ()  # first few parse errors, as "line:col message"
    skipped: str | None = None  # reason the file was not indexed (binary, too-large, ...)
    line_count: int = 0

    def __reduce__(self):
        # Parse workers send every file to the main process. Pickle would reduce each Atom,
        # Call and Import NamedTuple through a Python-level __getnewargs__ (most of the cost of
        # sending a file); plain tuples pickle in C, and are made NamedTuples again on arrival.
        atoms = tuple(a[:14] + (tuple(map(tuple, a[14])),) + a[15:18] + (tuple(map(tuple, a[18])),)
                      + a[19:] for a in self.atoms)
        return (_unpack_parsed, (self.path, self.language, self.size, self.mtime_ns,
                                 self.content_hash, atoms, self.rows,
                                 self.error_count, self.errors, self.skipped, self.line_count))


_new = tuple.__new__


def _unpack_parsed(path, language, size, mtime_ns, content_hash, atoms, *rest) -> ParsedFile:
    atoms = tuple(_new(Atom, a[:14] + (tuple([_new(Call, c) for c in a[14]]),) + a[15:18]
                       + (tuple([_new(Import, i) for i in a[18]]),) + a[19:]) for a in atoms)
    return ParsedFile(path, language, size, mtime_ns, content_hash, atoms, *rest)


class Edge(NamedTuple):
    """A call from one atom, resolved to a target atom or recorded as unresolved/ambiguous."""

    source_id: str
    callee: str
    short_name: str
    line: int
    resolution: str  # one of RESOLUTIONS
    target_id: str | None = None
    candidates: int = 0  # ambiguous: how many callables; a method call: how many overrides
    #: external: the module the name comes from. A method call on an instance (``typed``,
    #: ``self``): the ids of the overrides that may run instead, as a JSON list ("may dispatch
    #: to"). (An ambiguous call's candidates are not stored: they are the callables named
    #: ``short_name``, only methods for a call on a receiver, and ``query.candidate_ids`` reads
    #: them; one list per name instead of one per call.)
    detail: str | None = None


#: How a call's target was found. ``typed``: through a type the code states (an annotation, a
#: constructor, ``self.x = C()``); ``unique``: the only callable of that name in the repository,
#: for a bare name that nothing else binds (a guess by name, and labelled so).
RESOLVED = ("self", "local", "import", "typed", "unique")
#: Why a call has no target: several candidates, a builtin (``len``, ``"".join``), code outside
#: the repository (the standard library, a dependency), or nothing that can tell.
UNRESOLVED_KINDS = ("ambiguous", "builtin", "external", "unresolved")
RESOLUTIONS = RESOLVED + UNRESOLVED_KINDS


@dataclass(frozen=True, slots=True)
class AtomChange:
    """One atom-level operation inside a delta."""

    operation: str  # create, update, delete
    atom_id: str
    file_path: str
    name: str
    kind: str
    changed: tuple[str, ...] = ()  # the fields an update changed
    renamed_from: str | None = None
    renamed_to: str | None = None
    #: An update whose signature change may break its callers: which change (``parameter b
    #: removed``); None for a compatible one (a new parameter with a default...) or none.
    breaking: str | None = None

    @property
    def moved_only(self) -> bool:
        """An update of the position alone (code above it changed): no new version, no highlight."""
        return self.operation == "update" and bool(self.changed) and set(self.changed) <= MOVE_FIELDS


@dataclass(frozen=True, slots=True)
class Delta:
    """What one committed transaction did; published to subscribers after the commit."""

    transaction_id: int
    source: str
    files: tuple[str, ...]
    changes: tuple[AtomChange, ...]
    edges_added: tuple[tuple[str, str], ...] = ()
    edges_removed: tuple[tuple[str, str], ...] = ()
    files_removed: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()  # files whose parse or read failed in this batch
    detected_at: float | None = None  # wall time the first change was seen (watcher)
    committed_at: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    def broken_callers(self) -> dict[str, list[str]]:
        """Deleted atom id -> the atoms that called it and now call nothing (their call lost
        its target in this transaction, and they are still there); renamed atoms that kept
        their callers are not listed."""
        gone = {c.atom_id for c in self.changes if c.operation == "delete"}
        if not gone:
            return {}
        renamed = {c.atom_id: c.renamed_to for c in self.changes if c.renamed_to}
        kept = set(self.edges_added)
        out: dict[str, list[str]] = {}
        for source, target in self.edges_removed:
            if target in gone and source not in gone and (source, renamed.get(target)) not in kept:
                out.setdefault(target, [])
                if source not in out[target]:
                    out[target].append(source)
        return out

    @property
    def created(self) -> list[AtomChange]:
        return [c for c in self.changes if c.operation == "create"]

    @property
    def updated(self) -> list[AtomChange]:
        return [c for c in self.changes if c.operation == "update"]

    @property
    def deleted(self) -> list[AtomChange]:
        return [c for c in self.changes if c.operation == "delete"]

    @property
    def latency_ms(self) -> float | None:
        if self.detected_at is None:
            return None
        return (self.committed_at - self.detected_at) * 1000.0

    @property
    def atom_ids(self) -> set[str]:
        """The atoms it created, updated (moves included) or deleted."""
        return {c.atom_id for c in self.changes}

    @property
    def edge_atoms(self) -> set[str]:
        """The atoms at either end of an edge it added or removed (their counts changed)."""
        return {a for pair in self.edges_added + self.edges_removed for a in pair if a}



# -- resolution's view of an atom
class SymbolInfo(NamedTuple):
    """The part of an atom that resolution reads. A NamedTuple made with ``tuple.__new__``: a
    first index makes one per atom, and a frozen dataclass's ``__init__`` costs several times as
    much (docs/performance.md)."""

    id: str
    file_path: str
    name: str
    qualified_name: str
    kind: str
    line: int
    owner: str | None
    parent_id: str | None
    bases: tuple[str, ...] = ()
    imports: tuple[Import, ...] = ()
    is_exported: bool = False
    default_export: str | None = None  # modules: what `export default`/`module.exports =` names
    types: dict[str, str] | None = None  # what names are bound to in its scope (parse/bindings.py)
    returns: str | None = None  # its declared return type, or what its returns give (C:/A:)
    fixture: bool = False  # a pytest fixture: a test's parameter of its name is its value
    callbacks: dict[str, list[str]] | None = None  # the parameter types of the functions it takes
    decorated: bool = False  # what its name holds is what its decorators made of it
    package: dict[str, str] | None = None  # Go, Java, Rust modules: package clause, go.mod module, Cargo crate

    @classmethod
    def of(cls, atom: Atom) -> SymbolInfo:
        extra = atom.extra
        default = extra.get("default") if extra and atom.kind == "module" else None
        types = extra.get("types") if extra else None
        returns = extra.get("returns") if extra else None
        fixture = bool(extra) and is_fixture(extra.get("decorators"))
        callbacks = extra.get("callbacks") if extra else None
        package = extra.get("package") if extra and atom.kind == "module" else None
        return _new(cls, (atom.id, atom.file_path, atom.name, atom.qualified_name, atom.kind,
                          atom.line, atom.owner, atom.parent_id, atom.bases, atom.imports,
                          atom.is_exported, default, types, returns, fixture, callbacks,
                          bool(extra) and bool(extra.get("decorators")), package))


def is_fixture(decorators) -> bool:
    return bool(decorators) and any("fixture" in d.partition("(")[0] for d in decorators)


_new = tuple.__new__


# -- filters
@dataclass
class AtomFilter:
    """The filters of ``dgtui query`` (and of the search pane); all optional, all ANDed."""

    kind: str | None = None
    is_async: bool | None = None
    exported: bool | None = None
    file_glob: str | None = None
    name_glob: str | None = None
    calls: str | None = None  # calls a function with this name (or atom id)
    called_by: str | None = None  # called by an atom with this name (or id)
    unresolved: bool = False  # makes at least one unresolved or ambiguous call
    min_complexity: int | None = None


@dataclass
class EventFilter:
    atom: str | None = None
    atom_glob: str | None = None  # GLOB over atom ids (``*save*``)
    hide_moves: bool = False  # leave out updates that only moved an atom (line/end_line)
    file_glob: str | None = None
    source: str | None = None
    transaction: int | None = None
    since: float | None = None  # unix time
    until: float | None = None
    since_transaction: int | None = None  # events after this transaction
    operation: str | None = None
    limit: int | None = 100
    oldest_first: bool = False


# -- what the live index reports
@dataclass
class IndexSummary:
    """What one run did, and what the index holds afterwards."""

    files: int = 0
    atoms: int = 0
    edges: int = 0
    parsed: int = 0
    changed: int = 0
    removed: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0
    transactions: list[int] = field(default_factory=list)
    edges_by_resolution: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> count of files
    skipped_files: list[dict[str, str]] = field(default_factory=list)
    skipped_folders: dict[str, int] = field(default_factory=dict)  # reason -> count of folders
    skipped_folder_list: list[dict[str, str]] = field(default_factory=list)
    files_with_errors: int = 0
    seconds: float = 0.0
    walk_seconds: float = 0.0
    parse_seconds: float = 0.0
    write_seconds: float = 0.0

    def as_dict(self) -> dict:
        return {
            "files": self.files, "atoms": self.atoms, "edges": self.edges,
            "skipped": sum(self.skipped.values()), "seconds": round(self.seconds, 3),
            "parsed": self.parsed, "changed": self.changed, "removed": self.removed,
            "created": self.created, "updated": self.updated, "deleted": self.deleted,
            "transactions": self.transactions, "edges_by_resolution": self.edges_by_resolution,
            "skipped_by_reason": self.skipped, "skipped_files": self.skipped_files,
            "skipped_folders_by_reason": self.skipped_folders, "skipped_folders": self.skipped_folder_list,
            "files_with_errors": self.files_with_errors,
            "timings": {"walk": round(self.walk_seconds, 3), "parse": round(self.parse_seconds, 3),
                        "write": round(self.write_seconds, 3)},
        }


@dataclass
class LiveStatus:
    """What a status bar shows."""

    state: str = "starting"  # starting, indexing, watching, indexed, reading, stopped, error
    role: str = ""  # writer or reader
    progress: tuple[int, int] = (0, 0)  # files parsed / to parse while indexing
    pending: int = 0  # changed paths not committed yet (database busy, disk full...)
    errors: list[str] = field(default_factory=list)
    last_latency_ms: float | None = None
    last_transaction: int = 0
    summary: IndexSummary | None = None  # of the reconcile at start


# -- the project brain
INSIGHT_KINDS = ("architecture", "decision", "pattern", "risk", "context")
CONFIDENCES = ("low", "medium", "high")


#: Ids of the pseudo-nodes that stand for calls with no single target in graph walks and exports.
UNRESOLVED_PREFIX = "<unresolved>::"


__all__ = [
    "Atom", "AtomChange", "Call", "DIFF_FIELDS", "Delta", "Edge", "Import", "ParsedFile",
    "RESOLUTIONS", "RESOLVED", "diff_atoms", "replace",
]
