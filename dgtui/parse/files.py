"""Reading and parsing files, in this process or in a pool of worker processes.

A worker opens one file at a time (read, close, then parse), so however large the repository,
the number of open files stays at one per worker: the origin system died of EMFILE.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import hashlib
import multiprocessing
import multiprocessing.context
import multiprocessing.pool
import os
import stat
from collections.abc import Callable, Iterator, Sequence

from ..model import Atom, ParsedFile
from ..paths import inside
from .extract import extract
from .manifests import go_module_of, rust_crate_of
from .registry import GrammarMissing, language_for, load

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
#: Below this many files a pool costs more to start than it saves.
POOL_THRESHOLD = 48
_CHUNKSIZE = 8


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


#: Turns an atom into its stored form (a row and its JSON state). The engine passes the store's
#: encoder, so workers encode in parallel while parsing stays ignorant of the store.
Encoder = Callable[[Atom], tuple]


def parse_file(root: str, rel: str, max_bytes: int, encode: Encoder | None = None) -> ParsedFile:
    """Read and parse one file; a file that cannot be indexed comes back with ``skipped`` set."""
    spec = language_for(rel)
    full = os.path.join(root, rel)
    if not inside(root, rel):  # a path given by a watcher or a tool, not found by the walk
        return ParsedFile(rel, spec and spec.name, 0, 0, "", skipped="outside",
                          errors=("reached through a symbolic link or '..'",))
    try:
        # O_NOFOLLOW: a file swapped for a link since the walk is not followed out of the
        # repository; O_NONBLOCK: a FIFO swapped in does not block the reader forever.
        fd = os.open(full, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _CLOEXEC)
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode):
                return ParsedFile(rel, spec and spec.name, 0, 0, "", skipped="not-a-file",
                                  errors=("not a regular file",))
            if st.st_size > max_bytes:
                return ParsedFile(rel, spec and spec.name, st.st_size, st.st_mtime_ns, "",
                                  skipped="too-large", errors=(f"{st.st_size} bytes > {max_bytes}",))
            data = fh.read(max_bytes + 1)
    except FileNotFoundError:
        return ParsedFile(rel, spec and spec.name, 0, 0, "", skipped="vanished")
    except OSError as exc:
        reason = "symlink" if exc.errno == errno.ELOOP else "unreadable"
        return ParsedFile(rel, spec and spec.name, 0, 0, "", skipped=reason,
                          errors=(exc.strerror or str(exc),))
    return parse_data(rel, data, st.st_mtime_ns, max_bytes, encode, root=root)


def parse_data(rel: str, data: bytes, mtime_ns: int = 0, max_bytes: int | None = None,
               encode: Encoder | None = None, root: str | None = None) -> ParsedFile:
    """Parse a file's content read elsewhere (from disk above, or from git at a revision),
    with the same checks: too large, binary, not UTF-8, unsupported language. ``root``: the
    repository on disk, whose go.mod or Cargo.toml a Go or Rust file's imports are read against."""
    spec = language_for(rel)
    size, mtime = len(data), mtime_ns
    digest = content_hash(data)
    if max_bytes is None:
        max_bytes = len(data)
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
        lang = load(spec.name)
    except GrammarMissing as exc:  # counted and listed like any other skip, never a crash
        return ParsedFile(rel, spec.name, size, mtime, digest, skipped="no-grammar", errors=(str(exc),))
    try:
        result = extract(data, rel, lang)
    except (RecursionError, MemoryError, ValueError) as exc:  # never let one file stop a run
        return ParsedFile(rel, spec.name, size, mtime, digest, skipped="parse-failed",
                          errors=(f"{type(exc).__name__}: {exc}",))
    atoms = tuple(result.atoms)
    if root is not None and spec.module_style in ("go", "rust"):
        atoms = _with_manifest(root, rel, atoms, spec.module_style)
    rows = tuple([encode(a) for a in atoms]) if encode else ()  # here, in parallel, not in the writer
    return ParsedFile(rel, spec.name, size, mtime, digest, atoms=atoms, rows=rows,
                      error_count=result.error_count, errors=tuple(result.errors),
                      line_count=result.line_count)


def _with_manifest(root: str, rel: str, atoms: tuple[Atom, ...], style: str) -> tuple[Atom, ...]:
    """The module atom of a Go or Rust file, with what its go.mod or Cargo.toml declares."""
    found = go_module_of(root, rel) if style == "go" else rust_crate_of(root, rel)
    if not found or not atoms or atoms[0].kind != "module":
        return atoms
    extra = dict(atoms[0].extra or {})
    extra["package"] = {**extra.get("package", {}), ("module" if style == "go" else "crate"): found[0],
                        "root": found[1]}
    return (atoms[0]._replace(extra=extra), *atoms[1:])


def _work(args: tuple[str, str, int, Encoder | None]) -> ParsedFile:
    return parse_file(*args)


_COLLECT_EVERY = 64
_done = 0


def _start_worker() -> None:
    # A parse worker makes a few hundred thousand short-lived objects per thousand lines; the
    # cyclic collector would walk them over and over. Extraction leaves no reference cycles, so
    # they go as soon as a file is done; a young-generation collection every few dozen files is
    # only a safety net (not every file: it would walk the result still held for sending).
    # The measurements are in docs/performance.md.
    gc.disable()


def _pool_work(args: tuple[str, str, int, Encoder | None]) -> ParsedFile:
    global _done
    _done += 1
    if _done % _COLLECT_EVERY == 0:
        gc.collect(0)
    return parse_file(*args)


def parse_many(root: str, rels: Sequence[str], max_bytes: int, *, workers: int | None = None,
               encode: Encoder | None = None,
               pool: multiprocessing.pool.Pool | None = None) -> Iterator[ParsedFile]:
    """Parse files, in parallel across the machine's cores when there are many.

    Yields results as they complete (not in order). Workers are spawned, never forked: the
    caller may be a threaded app, and a fork copies locks held by other threads. ``pool`` is
    one the caller started beforehand (``start_pool``) and closes; otherwise one is started
    for these files and closed after them.
    """
    jobs = [(root, rel, max_bytes, encode) for rel in rels]
    cpus = workers or os.cpu_count() or 1
    if len(jobs) < POOL_THRESHOLD or cpus < 2:
        for job in jobs:
            yield _work(job)
        return
    if pool is not None:
        yield from pool.imap_unordered(_pool_work, jobs, chunksize=_CHUNKSIZE)
        return
    with start_pool(min(cpus, max(1, len(jobs) // _CHUNKSIZE))) as own:
        yield from own.imap_unordered(_pool_work, jobs, chunksize=_CHUNKSIZE)


def start_pool(processes: int | None = None) -> multiprocessing.pool.Pool:
    """A pool of parse workers, starting up now (each imports the parsers: a few tenths of a
    second that can pass while the caller does other work). Close it with ``with`` or
    ``terminate``."""
    ctx = multiprocessing.get_context("spawn")
    with _safe_child_path():
        return _Pool(processes=processes or os.cpu_count() or 1, initializer=_start_worker,
                     context=ctx)


class _Worker(multiprocessing.context.SpawnProcess):
    """A parse worker that exits quietly when the process it works for is gone.

    A killed watcher (``kill -9``) leaves its workers parsing; the next result each sends meets
    a closed pipe, and ``multiprocessing`` printed a BrokenPipeError traceback for it on the
    terminal. With the parent gone there is no one to send to: the worker just ends. While the
    parent lives, a broken pipe is a real error and still raised."""

    def run(self) -> None:
        try:
            super().run()
        except (BrokenPipeError, ConnectionResetError, EOFError):
            parent = multiprocessing.parent_process()
            if parent is not None and parent.is_alive():
                raise


class _Pool(multiprocessing.pool.Pool):
    """A pool of ``_Worker``s."""

    @staticmethod
    def Process(ctx, *args, **kwds):  # noqa: N802 - multiprocessing's name
        return _Worker(*args, **kwds)


@contextlib.contextmanager
def _safe_child_path() -> Iterator[None]:
    """Spawned workers (and the resource tracker) run ``python -c ...``, which puts the working
    folder first on ``sys.path``: run from a repository holding a ``multiprocessing.py``, they
    would import and run it. PYTHONSAFEPATH (Python 3.11+) keeps the working folder off."""
    # The resource tracker started with the pool outlives a killed parent, and says at its end
    # that the parent's semaphores "appear to be leaked" (it frees them): noise on a terminal
    # after a `kill -9`, not news.
    quiet = "ignore::UserWarning:multiprocessing.resource_tracker"
    old = {name: os.environ.get(name) for name in ("PYTHONSAFEPATH", "PYTHONWARNINGS")}
    os.environ["PYTHONSAFEPATH"] = "1"
    os.environ["PYTHONWARNINGS"] = ",".join(filter(None, [old["PYTHONWARNINGS"], quiet]))
    try:
        yield
    finally:
        for name, value in old.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
