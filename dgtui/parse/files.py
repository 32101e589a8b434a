"""Reading and parsing files, in this process or in a pool of worker processes.

A worker opens one file at a time (read, close, then parse), so however large the repository,
the number of open files stays at one per worker: the origin system died of EMFILE.
"""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
import os
from collections.abc import Iterator, Sequence

from ..model import ParsedFile
from ..store.records import atom_record
from .extract import extract
from .registry import language_for, load

#: Below this many files a pool costs more to start than it saves.
POOL_THRESHOLD = 48
_CHUNKSIZE = 8


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def parse_file(root: str, rel: str, max_bytes: int) -> ParsedFile:
    """Read and parse one file; a file that cannot be indexed comes back with ``skipped`` set."""
    spec = language_for(rel)
    full = os.path.join(root, rel)
    try:
        st = os.stat(full, follow_symlinks=False)
        if st.st_size > max_bytes:
            return ParsedFile(rel, spec and spec.name, st.st_size, st.st_mtime_ns, "",
                              skipped="too-large", errors=(f"{st.st_size} bytes > {max_bytes}",))
        with open(full, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except FileNotFoundError:
        return ParsedFile(rel, spec and spec.name, 0, 0, "", skipped="vanished")
    except OSError as exc:
        return ParsedFile(rel, spec and spec.name, 0, 0, "", skipped="unreadable",
                          errors=(exc.strerror or str(exc),))
    size, mtime = len(data), st.st_mtime_ns
    digest = content_hash(data)
    if spec is None:
        return ParsedFile(rel, None, size, mtime, digest, skipped="unsupported")
    if len(data) > max_bytes:  # grew while we read it
        return ParsedFile(rel, spec.name, size, mtime, digest, skipped="too-large",
                          errors=(f"more than {max_bytes} bytes",))
    if b"\0" in data:
        return ParsedFile(rel, spec.name, size, mtime, digest, skipped="binary",
                          errors=("contains NUL bytes",))
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return ParsedFile(rel, spec.name, size, mtime, digest, skipped="not-utf8",
                          errors=(f"byte {exc.start}: {exc.reason}",))
    try:
        result = extract(data, rel, load(spec.name))
    except (RecursionError, MemoryError, ValueError) as exc:  # never let one file stop a run
        return ParsedFile(rel, spec.name, size, mtime, digest, skipped="parse-failed",
                          errors=(f"{type(exc).__name__}: {exc}",))
    atoms = tuple(result.atoms)
    records = [atom_record(a) for a in atoms]  # here, in parallel, not in the writer
    return ParsedFile(rel, spec.name, size, mtime, digest, atoms=atoms,
                      rows=tuple([r[0] for r in records]), states=tuple([r[1] for r in records]),
                      error_count=result.error_count, errors=tuple(result.errors),
                      line_count=result.line_count)


def _work(args: tuple[str, str, int]) -> ParsedFile:
    return parse_file(*args)


_COLLECT_EVERY = 64
_done = 0


def _start_worker() -> None:
    # A parse worker makes a few hundred thousand short-lived objects per thousand lines; the
    # cyclic collector would walk them over and over (a quarter of a worker's time). Extraction
    # leaves no reference cycles, so they go as soon as a file is done; a young-generation
    # collection now and then is only a safety net (once per file it cost 5% of the worker:
    # it walked the result still held for sending).
    gc.disable()


def _pool_work(args: tuple[str, str, int]) -> ParsedFile:
    global _done
    _done += 1
    if _done % _COLLECT_EVERY == 0:
        gc.collect(0)
    return parse_file(*args)


def parse_many(root: str, rels: Sequence[str], max_bytes: int, *,
               workers: int | None = None) -> Iterator[ParsedFile]:
    """Parse files, in parallel across the machine's cores when there are many.

    Yields results as they complete (not in order). Workers are spawned, never forked: the
    caller may be a threaded app, and a fork copies locks held by other threads.
    """
    jobs = [(root, rel, max_bytes) for rel in rels]
    cpus = workers or os.cpu_count() or 1
    if len(jobs) < POOL_THRESHOLD or cpus < 2:
        for job in jobs:
            yield _work(job)
        return
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(processes=min(cpus, max(1, len(jobs) // _CHUNKSIZE)),
                  initializer=_start_worker) as pool:
        yield from pool.imap_unordered(_pool_work, jobs, chunksize=_CHUNKSIZE)
