"""Review what changed, function by function: against a git revision, or since a point of the
event log (a transaction, a time, an edit session).

Against git, the files that differ are parsed as they are at the revision (read with
``git cat-file``, never checked out) and as they are on disk now, with the parser the index
uses; the two sets of atoms are compared with the engine's own atom diff (``graph.atom_diff``),
so renames and moves are recognised as the live engine recognises them and signature changes
are classified compatible or breaking the same way. Since a point of the log, the atoms as they
were are the stored atoms with the later events undone.

What a change may break (``review_risk``) is read from the index: the callers left calling
nothing, the callers of a breaking signature, the tests that reach each atom.

Pure with respect to the repository and the index: it reads both and writes neither. It returns
plain frozen dataclasses, so any front end (the CLI, the MCP server, a pane's worker thread)
can call it and format the answer.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

from ..graph.atom_diff import Update, breaking_change, diff
from ..graph.signatures import SIGNATURE_FIELDS, classify
from ..model import MOVE_FIELDS, Atom, EventFilter
from ..parse.files import content_hash, parse_data, parse_file
from ..parse.registry import language_for
from ..store import Store
from . import git
from .atoms import QueryError
from .sessions import since_point

#: Files larger than this are not parsed (the walk's limit, see ``engine.walk``).
MAX_BYTES = 2 * 1024 * 1024
#: How far up the callers a review looks for tests.
TEST_DEPTH = 12
#: What a changed field is, in a reviewer's words.
ASPECTS = {"body_hash": "body", "calls": "body", "complexity": "body", "signature": "signature",
           "params": "signature", "is_async": "signature", "name": "signature", "kind": "kind",
           "docstring": "docstring", "is_exported": "flags", "extra": "flags", "bases": "bases",
           "owner": "place", "parent_id": "place", "qualified_name": "place", "imports": "imports"}
CHANGE_KINDS = ("created", "changed", "renamed", "moved", "deleted")


@dataclass(frozen=True, slots=True)
class CallerAtRisk:
    id: str
    file_path: str
    why: str  # "calls nothing now" / "may break: parameter b removed"
    also_changed: bool = False  # the caller changed in the same review (perhaps adapted)


@dataclass(frozen=True, slots=True)
class CoveringTest:
    id: str
    file_path: str
    depth: int  # calls between the test and the atom (1: the test calls it)


@dataclass(frozen=True, slots=True)
class AtomReview:
    """One atom's change: what it is, what it may break, what tests it."""

    change: str  # CHANGE_KINDS
    id: str  # the id now (the old id for a deletion)
    file_path: str
    name: str
    kind: str
    line: int
    old_id: str | None = None  # renamed/moved: where it was
    aspects: tuple[str, ...] = ()  # changed: body, signature, docstring, flags...
    signature: str = ""
    old_signature: str | None = None  # when the signature changed
    signature_change: str | None = None  # "breaking" or "compatible"
    signature_note: str | None = None  # which change: "parameter b removed"
    callers_at_risk: tuple[CallerAtRisk, ...] = ()
    tests: tuple[CoveringTest, ...] = ()

    @property
    def untested(self) -> bool:
        """No test reaches it (tests and modules themselves aside)."""
        return not self.tests and not _is_test_id(self.id, self.kind) and self.kind != "module"


@dataclass(frozen=True, slots=True)
class Review:
    base: str  # what was compared with: "HEAD (1a2b3c4)", "session s38 (...)"
    atoms: tuple[AtomReview, ...]
    files: tuple[str, ...]  # the files that differ
    index_version: int  # the index transaction the callers and tests were read from
    notes: tuple[str, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def breaking(self) -> list[AtomReview]:
        """Changes that may break callers: breaking signatures, callers left calling nothing."""
        return [a for a in self.atoms if a.signature_change == "breaking" or any(
            c.why == CALLS_NOTHING for c in a.callers_at_risk)]

    @property
    def untested(self) -> list[AtomReview]:
        return [a for a in self.atoms if a.change != "deleted" and a.untested]


Ignored = Callable[[str], bool]


def review_revision(store: Store, root: str, rev: str = "HEAD", *, ignored: Ignored | None = None,
                    test_depth: int = TEST_DEPTH) -> Review:
    """The atoms created, changed and deleted in the work tree at ``root`` since ``rev``.
    ``ignored``: the indexing's ignore rules (a path that is ignored is not reviewed)."""
    if not git.is_work_tree(root):
        raise QueryError(f"{root} is not a git work tree: compare with the event log instead "
                         "(--since TX|TIME|SESSION)")
    try:
        commit = git.resolve(root, rev)
        changes = git.changed_paths(root, commit)
    except git.GitError as exc:
        raise QueryError(str(exc)) from None
    skip = ignored or (lambda _p: False)

    def wanted(path: str | None) -> bool:
        return bool(path) and language_for(path) is not None and not skip(path)

    old_paths = [c.old_path for c in changes if wanted(c.old_path)]
    new_paths = [c.path for c in changes if c.status != "D" and wanted(c.path)]
    try:
        blobs = git.read_at(root, commit, old_paths)
    except git.GitError as exc:
        raise QueryError(str(exc)) from None
    old = [a for p in old_paths if p in blobs for a in _atoms_of_blob(p, blobs[p])]
    new, notes = _atoms_now(store, root, new_paths)
    files = sorted(set(old_paths) | set(new_paths))
    moved = {c.old_path: c.path for c in changes if c.status == "R" and c.old_path}
    return _review(store, old, new, files, f"{rev} ({commit[:10]})", notes, test_depth, moved)


def review_since(store: Store, since: str, *, gap: float | None = None,
                 test_depth: int = TEST_DEPTH) -> Review:
    """The atoms created, changed and deleted in the index after a transaction, a time or since
    a session began (``--since``): the stored atoms now against the same atoms with the later
    events undone."""
    point = since_point(store, since, gap)
    events = store.events.events(EventFilter(since_transaction=point.after_tx, limit=None))
    ids = list(dict.fromkeys(e.atom_id for e in events))
    now = {i: s.atom for i, s in store.atoms.get_many(ids).items()}
    then: dict[str, Atom | None] = {i: now.get(i) for i in ids}
    for e in events:  # newest first: undo each
        if e.operation == "create":
            then[e.atom_id] = None
        elif e.operation == "delete":
            then[e.atom_id] = Atom.from_state(e.delta["atom"])
        elif e.operation == "update" and then.get(e.atom_id) is not None:
            undo = {f: [new, old] for f, (old, new) in e.delta.get("changed", {}).items()}
            then[e.atom_id] = then[e.atom_id].with_changes(undo)  # type: ignore[union-attr]
    old = [a for a in then.values() if a is not None]
    files = sorted({e.file_path for e in events})
    return _review(store, old, list(now.values()), files, point.label, (), test_depth)


def review_any(store: Store, root: str, point: str | None = None, *,
               ignored: Ignored | None = None, test_depth: int = TEST_DEPTH) -> Review:
    """One entry for a caller that takes either kind of point (the MCP tools): a session
    (``s42``, ``last``), a transaction number (fewer than 7 digits: longer ones are commit
    hashes), an age or an ISO time reads the event log; anything else is a git revision.
    None: HEAD in a git work tree, else the latest session."""
    text = (point or "").strip()
    if not text:
        if git.is_work_tree(root):
            return review_revision(store, root, "HEAD", ignored=ignored, test_depth=test_depth)
        return review_since(store, "last", test_depth=test_depth)
    if _is_log_point(text):
        return review_since(store, text, test_depth=test_depth)
    return review_revision(store, root, text, ignored=ignored, test_depth=test_depth)


def _is_log_point(text: str) -> bool:
    from .changes import parse_time
    from .sessions import is_session_ref

    if is_session_ref(text) or (text.isdigit() and len(text) < 7):
        return True
    if text.isdigit() or text.upper() == "HEAD" or "~" in text or "^" in text:
        return False
    if text[:1].isdigit():  # 10m, 2h, 2026-12-03T14:00 (a branch seldom starts with a digit)
        try:
            parse_time(text)
            return True
        except QueryError:
            return False
    return False


def _review(store: Store, old: list[Atom], new: list[Atom], files: list[str], base: str,
            notes: tuple[str, ...], test_depth: int,
            moved_files: dict[str, str] | None = None) -> Review:
    from .review_risk import Risks

    d = diff(old, new)
    renamed_from = d.renamed_from()
    old_by_id = {a.id: a for a in old}
    rows: list[AtomReview] = []
    for u in d.updated:
        if set(u.changed) <= MOVE_FIELDS or u.new.kind == "module":
            continue  # a move is no change; a module changes with every line of its file
        rows.append(_changed(u))
    for a in d.created:
        before = old_by_id.get(renamed_from.get(a.id, ""))
        rows.append(_created(a) if before is None else _renamed(before, a))
    moved_modules = _pair_modules(d.deleted, d.created, moved_files or {})
    for a in d.deleted:
        if a.id in moved_modules:
            new_module = moved_modules[a.id]
            rows = [r for r in rows if r.id != new_module.id]
            rows.append(AtomReview("moved", new_module.id, new_module.file_path, new_module.name,
                                   "module", new_module.line, old_id=a.id))
        elif a.id not in d.renamed:
            rows.append(AtomReview("deleted", a.id, a.file_path, a.name, a.kind, a.line,
                                   signature=a.signature))
    risks = Risks(store, old, new, test_depth)
    rows = [risks.assess(r, {x.id for x in rows} | {x.old_id for x in rows if x.old_id}) for r in rows]
    rows.sort(key=lambda r: (r.file_path, r.line, r.id))
    counts = {k: sum(1 for r in rows if r.change == k) for k in CHANGE_KINDS}
    counts.update(breaking=sum(1 for r in rows if r.signature_change == "breaking"),
                  left_calling_nothing=sum(1 for r in rows for c in r.callers_at_risk
                                           if c.why == CALLS_NOTHING),
                  untested=sum(1 for r in rows if r.change != "deleted" and r.untested))
    return Review(base, tuple(rows), tuple(files), store.events.last_transaction_id(), notes, counts)


CALLS_NOTHING = "calls nothing now"


def _pair_modules(deleted: list[Atom], created: list[Atom],
                  moved_files: dict[str, str]) -> dict[str, Atom]:
    """The module atoms of files git saw renamed: a move, not a deletion and a creation (the
    atom diff pairs functions and classes by body, not modules)."""
    modules = {a.file_path: a for a in created if a.kind == "module"}
    return {a.id: modules[moved_files[a.file_path]] for a in deleted
            if a.kind == "module" and moved_files.get(a.file_path) in modules}


def _aspects(changed: dict[str, list]) -> tuple[str, ...]:
    names = []
    for f in sorted(changed):
        if f in MOVE_FIELDS:
            continue
        if f == "extra":  # what the parser derives from the body (types, returns) is the body's
            old, new = (v or {} for v in changed[f])
            if old.get("decorators") == new.get("decorators"):
                continue
        names.append(ASPECTS.get(f, f))
    return tuple(dict.fromkeys(names))


def _signature(old: Atom, new: Atom, breaking: str | None) -> dict:
    """The signature verdict: breaking (``breaking`` says why), compatible (a parameter with a
    default added...), or nothing when the parameters are the same (a rename, an annotation)."""
    if breaking:
        return {"old_signature": old.signature, "signature_change": "breaking",
                "signature_note": breaking}
    change = classify(old.signature, new.signature, old_params=tuple(old.params),
                      new_params=tuple(new.params), old_async=old.is_async, new_async=new.is_async)
    if not change.what:
        return {}
    return {"old_signature": old.signature, "signature_change": "compatible",
            "signature_note": str(change)}


def _changed(u: Update) -> AtomReview:
    a = u.new
    signature = _signature(u.old, a, breaking_change(u)) \
        if SIGNATURE_FIELDS.intersection(u.changed) else {}
    return AtomReview("changed", a.id, a.file_path, a.name, a.kind, a.line,
                      aspects=_aspects(u.changed), signature=a.signature, **signature)


def _created(a: Atom) -> AtomReview:
    return AtomReview("created", a.id, a.file_path, a.name, a.kind, a.line, signature=a.signature)


def _renamed(old: Atom, new: Atom) -> AtomReview:
    from ..model import diff_atoms

    changed = {k: v for k, v in diff_atoms(old, new).items()
               if k not in ("qualified_name", "parent_id", "owner", "name")}
    if (old.params, old.is_async) == (new.params, new.is_async):
        changed.pop("signature", None)  # it says the new name; the parameters are the same
    signature = _signature(old, new, breaking_change(Update(old, new, changed))) \
        if SIGNATURE_FIELDS.intersection(changed) else {}
    kind = "renamed" if old.file_path == new.file_path else "moved"
    return AtomReview(kind, new.id, new.file_path, new.name, new.kind, new.line, old_id=old.id,
                      aspects=_aspects(changed), signature=new.signature, **signature)


#: Atoms of files as they were at a revision, by path and content: a long-lived process (the
#: MCP server, a live pane) reviews the same base again and again as the agent edits on.
_BLOB_ATOMS: dict[tuple[str, str], tuple[Atom, ...]] = {}
_BLOB_CACHE_SIZE = 4096


def _atoms_of_blob(path: str, data: bytes) -> tuple[Atom, ...]:
    key = (path, content_hash(data))
    atoms = _BLOB_ATOMS.get(key)
    if atoms is None:
        atoms = parse_data(path, data, 0, MAX_BYTES).atoms
        if len(_BLOB_ATOMS) >= _BLOB_CACHE_SIZE:
            _BLOB_ATOMS.clear()
        _BLOB_ATOMS[key] = atoms
    return atoms


def _atoms_now(store: Store, root: str, paths: list[str]) -> tuple[list[Atom], tuple[str, ...]]:
    """The atoms of ``paths`` as the files are now: the stored ones of files the index holds as
    they are (a live index usually does), the others parsed; and a note when the index lags
    (callers and tests are read from it)."""
    rows = store.atoms.file_rows(paths)
    current, parse = [], []
    for path in paths:
        row = rows.get(path)
        if row is not None and row.content_hash == _hash_on_disk(root, path):
            current.append(path)
        else:
            parse.append(path)
    atoms = [s.atom for s in store.atoms.in_files(current)]
    parsed = [parse_file(root, p, MAX_BYTES) for p in parse]
    atoms += [a for pf in parsed for a in pf.atoms]
    stale = sum(1 for pf in parsed if pf.atoms or pf.path in rows)
    if not stale:
        return atoms, ()
    return atoms, (f"the index is behind {stale} changed file{'s' if stale != 1 else ''}: callers "
                   "and tests are read from the index (`dgtui index`, or keep `dgtui watch` "
                   "running)",)


def _hash_on_disk(root: str, path: str) -> str | None:
    try:
        with open(os.path.join(root, path), "rb") as fh:
            return content_hash(fh.read(MAX_BYTES + 1))
    except OSError:
        return None


def _is_test_id(atom_id: str, kind: str) -> bool:
    from .graph import is_test

    path, _, qualified = atom_id.partition("::")
    name = qualified.split("#")[0].rsplit(".", 1)[-1]
    return is_test({"file_path": path, "name": name, "kind": kind})


def is_test_id(atom_id: str) -> bool:
    """Whether an atom id names a test (by its file and name, as ``query.is_test`` reads)."""
    return _is_test_id(atom_id, "")


__all__ = ["AtomReview", "CallerAtRisk", "Review", "CoveringTest", "review_any", "review_revision",
           "review_since"]
