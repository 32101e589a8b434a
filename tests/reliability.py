"""Helpers for the reliability tests: running dgtui as another user or with limits, and checking
that an index file is whole (SQLite, FTS5, and every file's atoms, edges and events together)."""

from __future__ import annotations

import ctypes
import json
import os
import resource
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from dgtui.model import Atom
from dgtui.store.events import Event, apply_event
from dgtui.store.records import ATOM_SELECT, ATOM_WIDTH, row_to_atom


def dgtui(*args: str, home: Path | str | None = None, nofile: int | None = None,
          obey_permissions: bool = False, timeout: float = 300, cwd: Path | None = None,
          env: dict | None = None) -> subprocess.CompletedProcess:
    """The real CLI in a subprocess, optionally with RLIMIT_NOFILE or bound by file permissions."""
    full_env = dict(os.environ)
    if home is not None:
        full_env["DGTUI_HOME"] = str(home)
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "dgtui", *args], capture_output=True, text=True,
                          timeout=timeout, env=full_env, cwd=cwd,
                          preexec_fn=limits(nofile=nofile, obey_permissions=obey_permissions))


def limits(nofile: int | None = None, obey_permissions: bool = False) -> Callable[[], None] | None:
    """A ``preexec_fn``: a file-descriptor limit, and for root, no way around file permissions.

    Root reads a file whatever its mode, so ``chmod 000`` alone would prove nothing. Dropping
    CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from the bounding set before exec leaves the child
    root, but bound by permission bits like any other user.
    """
    if nofile is None and not obey_permissions:
        return None

    def apply() -> None:
        if nofile is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))
        if obey_permissions and os.geteuid() == 0:
            libc = ctypes.CDLL(None, use_errno=True)
            for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
                if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
                    raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")

    return apply


PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 24, 1, 2


def permissions_apply() -> bool:
    """Whether a child started with ``obey_permissions`` is really refused a 000 file."""
    import tempfile

    with tempfile.NamedTemporaryFile() as fh:
        os.chmod(fh.name, 0)
        r = subprocess.run(["cat", fh.name], capture_output=True, preexec_fn=limits(obey_permissions=True))
        return r.returncode != 0


# -- is the index whole? --------------------------------------------------------------------
def check_index(db: Path | str) -> list[str]:
    """Every problem found in an index file; an empty list means it is whole.

    SQLite's and FTS5's own checks, then ours: each file's atoms are all there (``atom_count``)
    and no atom is without its file, each atom has one edge per call it makes, every committed
    transaction is closed, the event log replays to exactly the atoms stored, and the edge events
    replay to exactly the resolved call pairs stored.
    """
    problems: list[str] = []
    conn = sqlite3.connect(str(db))
    try:
        ok = conn.execute("PRAGMA integrity_check").fetchall()
        if ok != [("ok",)]:
            problems.append(f"integrity_check: {ok[:5]}")
        if not conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            return problems  # killed before its schema was committed: empty, and whole
        for sql in ("INSERT INTO atoms_fts(atoms_fts) VALUES('integrity-check')",
                    "INSERT INTO atoms_fts(atoms_fts, rank) VALUES('integrity-check', 1)"):
            try:
                conn.execute(sql)
            except sqlite3.DatabaseError as exc:
                problems.append(f"fts5 {sql[-30:]}: {exc}")
        problems += _check_rows(conn)
    finally:
        conn.close()
    return problems


def _check_rows(conn: sqlite3.Connection) -> list[str]:
    problems = []
    counted = dict(conn.execute("SELECT file_path, count(*) FROM atoms GROUP BY file_path"))
    for path, expected in conn.execute("SELECT path, atom_count FROM files"):
        if counted.pop(path, 0) != expected:
            problems.append(f"{path}: {expected} atoms recorded, {counted.get(path, 0)} stored")
    for path in counted:
        problems.append(f"{path}: atoms without a files row")
    fts = {r[0] for r in conn.execute("SELECT id FROM atoms_fts_docsize")}
    pks = {r[0] for r in conn.execute("SELECT pk FROM atoms")}
    if fts != pks:
        problems.append(f"fts rows != atoms: {len(fts - pks)} extra, {len(pks - fts)} missing")
    edges = dict(conn.execute("SELECT source_id, count(*) FROM edges GROUP BY source_id"))
    stored: dict[str, Atom] = {}
    for row in conn.execute(f"SELECT {ATOM_SELECT} FROM atoms"):
        atom = stored[row[1]] = row_to_atom(row)
        atom_id = atom.id
        if edges.pop(atom_id, 0) != len(atom.calls):
            problems.append(f"{atom_id}: {len(atom.calls)} calls but other edges")
    if edges:
        problems.append(f"edges from {len(edges)} atoms that do not exist")
    open_tx = conn.execute("SELECT count(*) FROM transactions WHERE committed_at IS NULL").fetchone()[0]
    if open_tx:
        problems.append(f"{open_tx} transaction rows never closed")
    replayed: dict[str, Atom] = {}
    in_row: set[str] = set()  # created with the state left in the row, the row not changed since
    # A first index's creates are no rows: each atom of a baseline's pk range whose reserved
    # event id holds no row was created there, as its row is.
    log = conn.execute("SELECT id, atom_id, file_path, operation, delta, previous_version, "
                       "new_version, timestamp, source, transaction_id FROM atom_events").fetchall()
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    log += [] if "baselines" not in tables else conn.execute(
        "SELECT b.first_event + a.pk - b.first_pk AS e, a.id, a.file_path, 'create', NULL, NULL, 1, "
        "b.timestamp, b.source, b.transaction_id FROM baselines b JOIN atoms a "
        "ON a.pk BETWEEN b.first_pk AND b.last_pk "
        "WHERE NOT EXISTS (SELECT 1 FROM atom_events x WHERE x.id = b.first_event + a.pk - b.first_pk)"
    ).fetchall()
    for row in sorted(log):
        event_id, atom_id, operation, delta = row[0], row[1], row[3], row[4]
        if atom_id in in_row:
            problems.append(f"event {event_id} changes {atom_id}, whose create kept no state")
        if delta is None:
            if operation != "create" or atom_id not in stored:
                problems.append(f"event {event_id}: no state, and no row of {atom_id} to hold it")
                continue
            in_row.add(atom_id)
            row = row[:4] + (json.dumps({"atom": stored[atom_id].to_state()}),) + row[5:]
        apply_event(replayed, Event.from_row(row + (None,) * ATOM_WIDTH))
    if replayed != stored:
        missing = set(stored) ^ set(replayed)
        differ = [i for i in set(stored) & set(replayed) if stored[i] != replayed[i]]
        problems.append(f"event replay != atoms ({len(missing)} ids differ, {len(differ)} states)")
    pairs: set[tuple[str, str]] = set()
    for op, s, t in conn.execute("SELECT operation, source_id, target_id FROM "
                                 f"{'edge_log' if 'edge_log' in tables else 'edge_events'} ORDER BY id"):
        (pairs.add if op == "add" else pairs.discard)((s, t))
    now = set(conn.execute("SELECT DISTINCT source_id, target_id FROM edges WHERE target_id IS NOT NULL"))
    if pairs != now:
        problems.append(f"edge events != edges ({len(pairs ^ now)} pairs differ)")
    return problems
