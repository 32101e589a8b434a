"""The engine: the only writer of the index.

A batch (parsed files, removed paths) becomes one ``BEGIN IMMEDIATE`` transaction: the diff is
computed inside it against what is stored (two processes never record the same change twice),
then atoms, files, edges (re-resolving edges elsewhere whose target appeared or vanished) and
events sharing one transaction id are written. Only after COMMIT is a ``Delta`` published; a
failed transaction publishes nothing.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import replace

from ..graph import atom_diff as delta_mod
from ..graph.atom_diff import breaking_change as _breaking
from ..graph.resolve import RESOLVER_VERSION
from ..graph.symbols import SymbolTable
from ..model import MOVE_FIELDS, AtomChange, AtomFilter, Delta, ParsedFile, SymbolInfo
from ..parse import PARSER_VERSION
from ..store import Store, with_retries
from ..store.errors import DriverError
from ..store.records import atom_state, dumps
from .batch import Batch, FileOutcomes, close, file_row, rows_of
from .kept_calls import kept_callers
from .linker import Linker

log = logging.getLogger(__name__)
SOURCES = ("index", "file-watcher", "atomic-edit", "mcp", "user", "import", "reconcile")
#: Meta key, set while a first index in chunks has calls of its earlier chunks still to resolve
#: again (``Batch.others_later``); ``relink_all`` clears it.
CALLS_LATER = "calls_later"
#: Above this share of the index rewritten in one batch, FTS is rebuilt once instead of row by row.
BULK_SHARE = 0.5


def open_for_writing(path: str, root: str | None = None) -> Store:
    """The index file for a writer: created or migrated to the current schema, with the
    repository root recorded (meta is written by the engine only)."""
    store = Store.open(path)
    if root is not None and store.get_meta("root") != root:
        store.set_meta("root", root)
    store.empty_log()  # see Store.empty_log: a full disk must not keep the failed write's log
    if root is not None:
        finish_interrupted_edit(store, root)
    return store


def finish_interrupted_edit(store: Store, root: str) -> list[str]:
    """Undo the renames of an edit of several files that a kill cut short (its journal is
    beside the index: ``edit_files``). Under the write lock, so an edit under way in another
    process finishes first: a journal still there afterwards is one its editor left behind."""
    from .edit_files import JOURNAL, recover_interrupted_edit

    journal = os.path.join(os.path.dirname(store.path), JOURNAL)
    if not os.path.exists(journal):
        return []
    store.conn.execute("BEGIN IMMEDIATE")
    try:
        put_back = recover_interrupted_edit(journal, root)
    finally:
        store.conn.execute("COMMIT")
    if put_back:
        log.warning("an edit killed before its commit was undone: %s put back", ", ".join(put_back))
    return put_back


class Engine:
    """Applies batches to the store and keeps the symbol table in step."""

    def __init__(self, store: Store):
        self.store = store
        self.symbols: SymbolTable | None = None
        self._symbols_tx = -1
        self._symbols_untouched = False  # set while an edit checks, before its batch is written
        self._subscribers: list[Callable[[Delta], None]] = []
        #: Who is editing, when known: the MCP client (``mcp:claude-code``) of the server whose
        #: live index writes. Recorded in each transaction's summary; edit sessions name it.
        self.client: str | None = None

    def subscribe(self, callback: Callable[[Delta], None]) -> Callable[[], None]:
        self._subscribers.append(callback)
        return lambda: self._subscribers.remove(callback) if callback in self._subscribers else None

    def apply(self, batch: Batch, source: str) -> Delta | None:
        """Commit a batch; returns the published delta, or None when nothing changed."""
        if source not in SOURCES:
            raise ValueError(f"unknown event source {source!r}")
        return self._publish(with_retries(lambda: self._apply_once(lambda: batch, source)))

    def apply_within(self, work: Callable[[], Batch | None], source: str) -> Delta | None:
        """Commit the batch ``work`` returns, calling ``work`` inside the transaction (None: write
        nothing). An edit checks and writes its files there: no other writer commits between its
        check and its write, and a watcher that saw the write waits for this commit and then
        finds the index already matching the disk (the change is recorded once)."""
        if source not in SOURCES:
            raise ValueError(f"unknown event source {source!r}")
        return self._publish(with_retries(lambda: self._apply_once(work, source)))

    # -- repairs (dgtui check --repair) ----------------------------------------------------------
    def rebuild_fts(self) -> None:
        self._in_transaction(lambda: self.store.atoms.rebuild_fts())

    def relink_all(self, source: str = "reconcile") -> Delta | None:
        """Resolve every call again and rewrite the edges that differ, with their edge events."""
        return self._publish(with_retries(lambda: self._in_transaction(
            lambda: self._relink_all(source))))

    def resolve_with_current_rules(self, source: str = "reconcile") -> Delta | None:
        """Re-resolve every call of an index whose edges were made by an older resolver (its
        rules changed: meta "resolver" records which), or whose first index in chunks left the
        calls of its earlier chunks to its end (meta ``CALLS_LATER``: it may have been stopped
        before that end); only notes the version on a fresh one."""
        if (self.store.get_meta("resolver") == str(RESOLVER_VERSION)
                and not self.store.get_meta(CALLS_LATER)):
            return None
        if self.store.atoms.has_atoms():
            return self.relink_all(source)
        with_retries(lambda: self._in_transaction(
            lambda: self.store.set_meta("resolver", str(RESOLVER_VERSION))))
        return None

    def parsed_by_older_parser(self) -> bool:
        """Whether the index holds atoms that an older parser extracted (meta "parser")."""
        return self.store.get_meta("parser") != str(PARSER_VERSION) and self.store.atoms.has_atoms()

    def note_parser_version(self) -> None:
        """Record that every file of the index was read by this parser."""
        if self.store.get_meta("parser") != str(PARSER_VERSION):
            with_retries(lambda: self._in_transaction(
                lambda: self.store.set_meta("parser", str(PARSER_VERSION))))

    def correct_event_log(self, source: str = "reconcile") -> Delta | None:
        """Append the events that make a replay of the log equal the atoms again."""
        return self._publish(with_retries(lambda: self._in_transaction(
            lambda: self._correct_events(source))))

    def _in_transaction(self, work):
        """Run ``work`` inside BEGIN IMMEDIATE ... COMMIT; on any failure roll back and forget
        the symbol table (it may hold the failed batch), unless it failed before the batch was
        written (an edit refused by its checks: reloading the table would cost seconds)."""
        conn = self.store.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            result = work()
            conn.execute("COMMIT")
            return result
        except BaseException as exc:
            if conn.in_transaction:
                try:
                    conn.execute("ROLLBACK")
                except DriverError:
                    pass
            if not self._symbols_untouched:
                self.symbols = None
            self._symbols_untouched = False
            full = self.store.give_back_space(exc)
            if full is not None:
                raise full from exc
            raise

    def _publish(self, delta: Delta | None) -> Delta | None:
        """After a commit: the subscribers (which never undo a commit)."""
        if delta is not None:
            self._symbols_tx = delta.transaction_id
            for callback in list(self._subscribers):
                try:
                    callback(delta)
                except Exception:
                    log.exception("delta subscriber failed")
        return delta

    def _relink_all(self, source: str) -> Delta | None:
        from .linker import Linker

        self.symbols = None
        symbols = self.load_symbols()
        repo = self.store.atoms
        atoms = [s.atom for s in repo.query(AtomFilter())]
        before = repo.resolved_pairs()
        repo.delete_all_edges()
        edges = Linker(repo, symbols).resolve_all(atoms)
        self.store.set_meta("resolver", str(RESOLVER_VERSION))
        self.store.set_meta(CALLS_LATER, "")
        after = {(e.source_id, e.target_id) for e in edges if e.target_id is not None}
        return self._record("relink", source, [], sorted(after - before), sorted(before - after))

    def _correct_events(self, source: str) -> Delta | None:
        from ..model import diff_atoms

        replayed = self.store.events.replay()
        current = {s.id: s for s in self.store.atoms.query(AtomFilter())}
        now = time.time()
        rows, changes = [], []
        tx = self.store.events.open_transaction(source, now, None)
        for atom_id in sorted(set(current) | set(replayed)):
            stored, old = current.get(atom_id), replayed.get(atom_id)
            if stored is None:
                rows.append((atom_id, old.file_path, "delete", dumps({"atom": old.to_state()}),
                             None, None, now, source, tx))
                changes.append(AtomChange("delete", atom_id, old.file_path, old.name, old.kind))
            elif old is None:
                a = stored.atom
                rows.append((atom_id, a.file_path, "create", f'{{"atom":{atom_state(a)}}}', None,
                             stored.version, now, source, tx))
                changes.append(AtomChange("create", atom_id, a.file_path, a.name, a.kind))
            elif old != stored.atom:
                changed = diff_atoms(old, stored.atom)
                rows.append((atom_id, stored.atom.file_path, "update", dumps({"changed": changed}),
                             stored.version, stored.version, now, source, tx))
                changes.append(AtomChange("update", atom_id, stored.atom.file_path, stored.atom.name,
                                          stored.atom.kind, tuple(sorted(changed))))
        if not rows:
            self.store.events.discard_transaction(tx)
            return None
        self.store.events.insert_events(rows)
        return close(self.store, tx, source, changes, repair="event log")

    def _record(self, what: str, source: str, changes: list[AtomChange], added, removed) -> Delta | None:
        if not (changes or added or removed):
            return None
        now = time.time()
        tx = self.store.events.open_transaction(source, now, None)
        self.store.events.insert_edge_events(tx, added, removed)
        return close(self.store, tx, source, changes, added=added, removed=removed, repair=what)

    def load_symbols(self) -> SymbolTable:
        """The symbol table, (re)loaded from the store when another process has committed."""
        last = self.store.events.last_transaction_id()
        if self.symbols is None or last != self._symbols_tx:
            table = SymbolTable()
            for info in self.store.atoms.symbol_infos():
                table.add(info)
            table.python_module_file("")  # build the module map now, not on the first save
            table.importers_of(())  # and the words of the imports a new module may change
            self.symbols, self._symbols_tx = table, last
        return self.symbols

    # -- one transaction --------------------------------------------------------------------
    def _apply_once(self, make_batch: Callable[[], Batch | None], source: str) -> Delta | None:
        t0 = time.perf_counter()

        def write() -> Delta | None:
            self._symbols_untouched = True
            batch = make_batch()
            self._symbols_untouched = False
            return None if batch is None else self._write(batch, source, t0)

        delta = self._in_transaction(write)
        if delta is None:
            return None
        delta.timings["commit_ms"] = (time.perf_counter() - t0) * 1000.0
        return replace(delta, committed_at=time.time())

    def _write(self, batch: Batch, source: str, t0: float) -> Delta | None:
        if not batch.removed and not self.store.atoms.has_atoms():
            from .bulk import write_first_index  # an empty store: stream the first index

            delta, self.symbols = write_first_index(self.store, batch, source, t0)
            self.store.set_meta("resolver", str(RESOLVER_VERSION))  # its edges are this resolver's
            return delta
        if not isinstance(batch.parsed, list):
            batch.parsed = list(batch.parsed)
        repo, events = self.store.atoms, self.store.events
        now = time.time()
        paths = [p.path for p in batch.parsed] + list(batch.removed)
        stored = repo.file_rows(paths)

        changed: dict[str, ParsedFile | None] = {}  # None: the file's atoms go away
        touched: list[tuple[str, int, int]] = []
        outcomes = FileOutcomes()
        errors = outcomes.errors
        for pf in batch.parsed:
            old = stored.get(pf.path)
            if not outcomes.parsed(pf):
                if old is not None:
                    changed[pf.path] = None
                continue
            if old is not None and old.content_hash == pf.content_hash:
                if (old.size, old.mtime_ns) != (pf.size, pf.mtime_ns):
                    touched.append((pf.path, pf.size, pf.mtime_ns))
                continue
            changed[pf.path] = pf
        for path in batch.removed:
            outcomes.unskipped.append(path)
            if path in stored:
                changed[path] = None

        outcomes.record(self.store, batch, now)
        repo.touch_files(touched)
        if not changed:
            return None  # a no-change run never pays for the symbol table

        symbols = self.load_symbols()
        changed_paths = sorted(changed)
        old_stored = repo.in_files(changed_paths)
        versions = {s.id: s.version for s in old_stored}
        old_atoms = [s.atom for s in old_stored]
        new_atoms = [a for pf in changed.values() if pf is not None for a in pf.atoms]
        records = _records(changed.values())
        diff = delta_mod.diff(old_atoms, new_atoms)

        tx = events.open_transaction(source, now, batch.detected_at)
        bulk = len(new_atoms) > 1000 and len(new_atoms) > BULK_SHARE * len(symbols.atoms)
        empty = not symbols.atoms
        if bulk:
            repo.set_fts_triggers(False)
        if empty:  # the first index: load everything, then build the indexes once
            repo.set_bulk_indexes(False)
        # Rows about to change: their create events, which left the state in the row, keep it
        # now; and their calls go while the rows that name them are still there.
        events.keep_created_states([u.old for u in diff.updated] + list(diff.deleted))
        linker = Linker(repo, symbols)
        old_pairs = linker.detach(old_atoms, diff.deleted, kept_callers(diff, old_atoms, new_atoms))
        repo.delete_atoms([a.id for a in diff.deleted])
        # A move (code above it changed) updates the position, not the version: nothing of the
        # atom itself changed.
        moved = [u for u in diff.updated if not _bump(u)]
        repo.move_atoms([(u.new.id, u.new.line, u.new.end_line) for u in moved], now, tx)
        repo.update_atoms([(records[u.new.id], versions[u.old.id] + 1) for u in diff.updated if _bump(u)],
                          now, tx)
        repo.insert_atoms([records[a.id] for a in diff.created], now, tx)
        if bulk:
            repo.rebuild_fts()
            repo.set_fts_triggers(True)

        if batch.others_later:  # recorded in this transaction: a stop before the end is known
            self.store.set_meta(CALLS_LATER, "1")
        before = (set(), None) if batch.others_later else linker.snapshot(diff, old_atoms)
        # Atoms that stay are re-added in place (``SymbolTable.add``): the subclasses and
        # overrides it keeps from save to save survive a save that changes no class's shape.
        new_ids = {a.id for a in new_atoms}
        for path in changed_paths:
            for atom_id in [i for i in symbols.by_file.get(path, ()) if i not in new_ids]:
                symbols.remove(atom_id)
        for atom in new_atoms:
            symbols.add(SymbolInfo.of(atom))
        edge_diff = linker.relink(old_pairs, new_atoms, diff, before, others=not batch.others_later)

        changes = _changes(diff)
        broken = Delta(tx, source, (), tuple(changes), tuple(edge_diff.added),
                       tuple(edge_diff.removed)).broken_callers()
        events.insert_events(_event_rows(diff, versions, now, source, tx, changes, broken))
        events.insert_edge_events(tx, edge_diff.added, edge_diff.removed)
        if empty:
            repo.set_bulk_indexes(True)
        repo.upsert_files([file_row(pf, now) for pf in changed.values() if pf is not None], tx)
        removed_files = [p for p, pf in changed.items() if pf is None]
        repo.delete_files(removed_files)

        timings = {"parse_ms": batch.parse_seconds * 1000.0,
                   "write_ms": (time.perf_counter() - t0) * 1000.0}
        return close(self.store, tx, source, changes, files=changed_paths, added=edge_diff.added,
                     removed=edge_diff.removed, files_removed=removed_files, errors=errors,
                     detected_at=batch.detected_at, timings=timings, rerouted=edge_diff.rerouted,
                     client=self.client)


def _bump(update: delta_mod.Update) -> int:
    return 0 if set(update.changed) <= MOVE_FIELDS else 1


def _changes(diff: delta_mod.AtomDiff) -> list[AtomChange]:
    renamed_from = diff.renamed_from()
    out = [AtomChange("create", a.id, a.file_path, a.name, a.kind,
                      renamed_from=renamed_from.get(a.id)) for a in diff.created]
    out += [AtomChange("update", u.new.id, u.new.file_path, u.new.name, u.new.kind,
                       changed=tuple(sorted(u.changed)), breaking=_breaking(u)) for u in diff.updated]
    out += [AtomChange("delete", a.id, a.file_path, a.name, a.kind,
                       renamed_to=diff.renamed.get(a.id)) for a in diff.deleted]
    return out


def _records(files) -> dict[str, tuple]:
    """Atom id -> atoms row, as the parse workers made them."""
    out: dict[str, tuple] = {}
    for pf in files:
        if pf is not None:
            out.update(zip((a.id for a in pf.atoms), rows_of(pf), strict=True))
    return out


def _event_rows(diff: delta_mod.AtomDiff, versions: dict[str, int],
                now: float, source: str, tx: int, changes: list[AtomChange],
                broken: dict[str, list[str]]) -> list[tuple]:
    renamed_from = diff.renamed_from()
    breaking = {c.atom_id: c.breaking for c in changes if c.breaking}
    rows = []
    for a in diff.deleted:  # deletes first: replaying a rename never sees both ids at once
        body = {"atom": a.to_state()}
        if a.id in diff.renamed:
            body["renamed_to"] = diff.renamed[a.id]
        if a.id in broken:  # callers left calling nothing: the timeline says so
            body["broken_callers"] = broken[a.id]
        rows.append((a.id, a.file_path, "delete", dumps(body), versions.get(a.id), None, now, source, tx))
    for u in diff.updated:
        v = versions[u.old.id]
        body = {"changed": u.changed}
        if u.new.id in breaking:
            body["breaking"] = breaking[u.new.id]
        rows.append((u.new.id, u.new.file_path, "update", dumps(body), v, v + _bump(u),
                     now, source, tx))
    for a in diff.created:
        # A create leaves the state in the atom's row until the row changes (the first index
        # does not write every atom twice); a rename's create says where it came from.
        body = (f'{{"atom":{atom_state(a)},"renamed_from":{dumps(renamed_from[a.id])}}}'
                if a.id in renamed_from else None)
        rows.append((a.id, a.file_path, "create", body, None, 1, now, source, tx))
    return rows


__all__ = ["Engine", "SOURCES"]
