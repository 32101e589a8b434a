"""Bringing the index in line with the files on disk (the files are the truth).

``Indexer.run`` walks the repository, compares size/mtime with what is stored, parses only what
differs (in parallel), and hands one batch to the engine: a cold index, a re-index and the
reconcile on every start are the same operation. ``Indexer.sync_paths`` does the same for the few
paths a watcher reports.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from ..model import Delta, IndexSummary, ParsedFile
from ..parse.files import parse_file, parse_many
from ..parse.registry import language_for
from ..paths import inside, printable
from ..store import Store
from ..store.records import atom_row
from .batch import Batch
from .ignore import IgnoreRules
from .patterns import rules_for
from .walk import DEFAULT_MAX_BYTES, Skip, Walker, WalkResult, walk
from .writer import Engine

Progress = Callable[[int, int], None]  # (files parsed so far, files to parse)
#: A small first chunk waits for this many atoms too: its files may be data with no function
#: (Django's first 25 files nearest the root hold 263 atoms, none named like `save`).
FIRST_CHUNK_ATOMS = 500


@dataclass(frozen=True)
class Early:
    """A first index's first commit, made by ``Indexer.first_chunk`` before the walk ended."""

    files: int  # parsed in it
    delta: Delta | None


class Indexer:
    def __init__(self, root: str, store: Store, engine: Engine | None = None, *,
                 max_bytes: int = DEFAULT_MAX_BYTES, workers: int | None = None,
                 rules: IgnoreRules | None = None):
        self.root = root
        self.store = store
        self.engine = engine or Engine(store)
        self.max_bytes = max_bytes
        self.workers = workers
        self.rules = rules or rules_for(root, store)
        self.directories: list[str] = []  # folders seen by the last walk (for the watcher)
        #: Parse workers started beforehand (``parse.files.start_pool``) for ``run`` to use;
        #: the one who started them closes them.
        self.pool = None

    def walk(self, walker: Walker | None = None) -> WalkResult:
        """The whole walk (``walker``: the rest of one begun by ``first_chunk``)."""
        found = (walker or self.walker()).result()
        self.directories = found.directories
        return found

    def walker(self) -> Walker:
        return Walker(self.root, self.rules, self.max_bytes)

    def first_chunk(self, walker: Walker, files: int, source: str = "index",
                    progress: Progress | None = None) -> Early | None:
        """A first index's first commit, made before the walk is over: the files nearest the
        root, parsed here as ``walker`` reaches them, until ``files`` files holding at least
        ``FIRST_CHUNK_ATOMS`` atoms. ``run(..., early=...)`` then finds them unchanged. A file
        changed after it was parsed here differs from the index at the walk made once the
        watch is on (``LiveIndex``), and is read again then."""
        t0 = time.perf_counter()
        parsed: list[ParsedFile] = []
        atoms = 0
        for f in walker.nearest_first():
            parsed.append(parse_file(self.root, f.path, self.max_bytes, atom_row))
            atoms += len(parsed[-1].atoms)
            if progress:
                progress(len(parsed), 0)  # the total is not known until the walk is over
            if len(parsed) >= files and atoms >= FIRST_CHUNK_ATOMS:
                break
        if not parsed:
            return None
        delta = self.engine.apply(Batch(parsed=parsed, parse_seconds=time.perf_counter() - t0), source)
        self.engine.note_parser_version()  # every file indexed so far was read by this parser
        return Early(len(parsed), delta)

    def run(self, source: str = "index", progress: Progress | None = None,
            chunk_files: int | None = None, found: WalkResult | None = None,
            first_chunk: int | None = None, early: Early | None = None) -> IndexSummary:
        """Reconcile the whole repository. ``chunk_files`` commits every N parsed files, so a
        first index shows atoms while it runs (each chunk is a complete transaction);
        ``first_chunk`` makes the first commit sooner, after that many files holding at least
        ``FIRST_CHUNK_ATOMS`` atoms, each next chunk twice the last up to ``chunk_files`` (a
        search has answers a moment after the start).
        ``found`` is a walk made just before (a watcher needs the folders before the run).
        ``early``: a first index whose first commit ``first_chunk`` made already (its files, its
        delta): the rest comes in chunks from twice its size, and the summary counts it.
        Each commit's delta reaches the engine's subscribers (the engine publishes it); the
        summary counts them."""
        t0 = time.perf_counter()
        summary = IndexSummary()
        found = found or self.walk()
        stored = self.store.atoms.file_stats()
        was_skipped = self.store.atoms.skipped_stats()
        on_disk = {f.path for f in found.files}
        reread = self.engine.parsed_by_older_parser()  # every file again: new facts to extract
        # A file skipped before (binary, not UTF-8...) is read again only when it changed.
        to_parse = [f.path for f in found.files
                    if (reread and f.path in stored)
                    or (stored.get(f.path, (None, None))[:2] != (f.size, f.mtime_ns)
                        and was_skipped.get(f.path) != (f.size, f.mtime_ns))]
        if chunk_files and (early or not stored):
            # A first index committed in chunks, searched while it runs: the files nearest the
            # root first. A package's top is its API (what is searched first); deep folders
            # are often data (translations, fixtures, migrations), and the order of the files
            # does not change what the index holds at the end.
            to_parse.sort(key=lambda path: path.count("/"))
        removed = sorted(p for p in stored if p not in on_disk)
        parsing = set(to_parse)
        still_skipped = {s.path for s in found.skipped} | {
            p for p in on_disk if p in was_skipped and p not in parsing}
        forget = sorted(p for p in was_skipped if p not in still_skipped)
        summary.walk_seconds = time.perf_counter() - t0

        batches = 0
        # A first index in chunks re-resolves the calls of its earlier chunks once, at its end:
        # at every chunk it took 85% of the chunk's write (Django: 33 s in 7 chunks, against
        # 13 s in one transaction).
        in_chunks = bool(chunk_files) and (early is not None or not stored)
        limit = min(first_chunk or chunk_files or 0, chunk_files or 0)
        if early is not None:
            limit = min(chunk_files or 0, 2 * early.files)
            first_chunk = None  # made already
            if early.delta is not None:
                _count(summary, early.delta)
        parsed: list[ParsedFile] = []
        t_parse = time.perf_counter()

        def flush() -> None:
            nonlocal parsed, batches
            first = batches == 0
            batch = Batch(parsed=parsed, removed=removed if first else [],
                          skips=found.skipped if first else [], forget_skips=forget if first else [],
                          parse_seconds=time.perf_counter() - t_parse, others_later=in_chunks)
            summary.parse_seconds += batch.parse_seconds
            t_write = time.perf_counter()
            delta = self.engine.apply(batch, source)
            summary.write_seconds += time.perf_counter() - t_write
            batches += 1
            parsed = []
            if delta is not None:
                _count(summary, delta)

        done_before = early.files if early is not None else 0
        total = done_before + len(to_parse)
        if progress:
            progress(done_before, total)

        results = parse_many(self.root, to_parse, self.max_bytes, workers=self.workers,
                             encode=atom_row, pool=self.pool)
        streamed = not stored and not chunk_files
        if streamed:
            # A first index: the engine takes results as the workers deliver them, one batch.
            times: list[float] = []

            def stream() -> Iterator[ParsedFile]:
                for i, pf in enumerate(results, 1):
                    if progress:
                        progress(i, len(to_parse))
                    yield pf
                times.append(time.perf_counter())

            batch = Batch(parsed=stream(), removed=removed, skips=found.skipped, forget_skips=forget)
            delta = self.engine.apply(batch, source)
            done = time.perf_counter()
            summary.parse_seconds = (times[0] if times else done) - t_parse
            summary.write_seconds = done - t_parse - summary.parse_seconds
            if delta is not None:
                _count(summary, delta)
            results = iter(())
        atoms = 0  # in the chunk being gathered
        for i, pf in enumerate(results, 1):
            parsed.append(pf)
            atoms += len(pf.atoms)
            if progress:
                progress(done_before + i, total)
            if chunk_files and len(parsed) >= limit and (
                    batches or not first_chunk or atoms >= FIRST_CHUNK_ATOMS):
                flush()
                atoms = 0
                limit = min(chunk_files, 2 * limit)
                t_parse = time.perf_counter()
        if not streamed:
            flush()
        self.engine.note_parser_version()
        # (and the calls a first index in chunks left to its end: ``in_chunks``; or that one
        # stopped before its end left)
        relinked = self.engine.resolve_with_current_rules()
        if relinked is not None:
            summary.transactions.append(relinked.transaction_id)
        summary.parsed = total
        summary.removed = len(removed)
        _fill_totals(summary, self.store)
        summary.seconds = time.perf_counter() - t0
        return summary

    def sync_paths(self, rel_paths: Iterable[str], source: str = "file-watcher",
                   detected_at: float | None = None) -> Delta | None:
        """Apply what changed at some paths (files or folders, present or gone) in one batch;
        the delta the engine published for it (None: nothing changed), for a caller that waits
        on the outcome (subscribers have it from the engine already)."""
        t0 = time.perf_counter()
        to_parse: set[str] = set()
        removed: set[str] = set()
        skips: list[Skip] = []
        repo = self.store.atoms
        for rel in sorted(set(rel_paths)):
            if not inside(self.root, rel):  # never read through a link or '..' out of the repo
                skips.append(Skip(printable(rel), "outside", "reached through a symbolic link or '..'"))
                continue
            full = os.path.join(self.root, rel)
            if os.path.isdir(full) and not os.path.islink(full):
                if self.rules.is_ignored(rel + "/"):
                    continue
                found = walk(self.root, self.rules, self.max_bytes, under=rel)
                stored = repo.file_stats_under(rel)
                on_disk = {f.path for f in found.files}
                to_parse.update(f.path for f in found.files
                                if stored.get(f.path, (None, None))[:2] != (f.size, f.mtime_ns))
                removed.update(p for p in stored if p not in on_disk)
                skips += found.skipped
            elif os.path.lexists(full) and self.indexable(rel):
                to_parse.add(rel)
            else:
                removed.add(rel)
                removed.update(repo.file_stats_under(rel))
        parsed = list(parse_many(self.root, sorted(to_parse), self.max_bytes, workers=self.workers,
                                 encode=atom_row))
        batch = Batch(parsed=parsed, removed=sorted(removed - to_parse), skips=skips,
                      detected_at=detected_at, parse_seconds=time.perf_counter() - t0)
        return self.engine.apply(batch, source)

    def indexable(self, rel: str) -> bool:
        return language_for(rel) is not None and not self.rules.is_ignored(rel)


def _count(summary: IndexSummary, delta: Delta) -> None:
    summary.transactions.append(delta.transaction_id)
    summary.changed += len(delta.files) - len(delta.files_removed)
    for change in delta.changes:
        if change.operation == "create":
            summary.created += 1
        elif change.operation == "update":
            summary.updated += 1
        else:
            summary.deleted += 1


def _fill_totals(summary: IndexSummary, store: Store) -> None:
    counts = store.atoms.counts(breakdowns=("edges_by_resolution", "skipped_by_reason",
                                            "skipped_folders_by_reason"))
    summary.files = counts["files"]
    summary.atoms = counts["atoms"]
    summary.edges = counts["edges"]
    summary.edges_by_resolution = counts["edges_by_resolution"]
    summary.skipped = counts["skipped_by_reason"]
    summary.skipped_folders = counts["skipped_folders_by_reason"]
    rows = [{"path": p, "reason": r, "detail": d} for p, r, d in store.atoms.skipped()]
    summary.skipped_files = [r for r in rows if not r["path"].endswith("/")]
    summary.skipped_folder_list = [r for r in rows if r["path"].endswith("/")]
    summary.files_with_errors = counts["files_with_errors"]
