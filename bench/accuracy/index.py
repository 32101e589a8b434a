"""dgtui's side: index a corpus as a user would (``python -m dgtui index``) and read the result.

All SQL the accuracy benchmark runs is in ``read``: the schema is being changed by the resolver
work, so it reads only columns it needs, reads ``candidate_ids`` when the column exists (ids
separated by spaces, or a JSON list), and falls back to the candidate count otherwise.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Atom:
    id: str
    file_path: str
    name: str
    qualified_name: str
    kind: str
    line: int
    end_line: int | None
    parent_id: str | None


@dataclass(frozen=True)
class Edge:
    """One call site as dgtui recorded it."""

    id: int
    source_id: str
    file_path: str  # the caller's file
    target_id: str | None
    callee: str
    short: str
    line: int  # 1-based: the line where the callee expression starts
    kind: str  # the resolution kind, whatever the resolver calls it
    candidates: int
    candidate_ids: tuple[str, ...] | None  # None: the index does not keep them


def index(root: str, home: str) -> tuple[str, float]:
    """Index ``root`` into the data home ``home`` with dgtui's own command; (index file, seconds)."""
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "dgtui", "index", root, "--home", home, "--json"],
                          capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"dgtui index {root} failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout)["index"], seconds


def _candidate_ids(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    value = value.strip()
    if value.startswith("["):
        return tuple(json.loads(value))
    return tuple(value.split())


def read(db_path: str) -> tuple[dict[str, Atom], list[Edge]]:
    """The atoms and the edges of an index, read-only."""
    uri = "file:" + os.path.abspath(db_path) + "?mode=ro"
    con = sqlite3.connect(uri, uri=True)
    try:
        atoms = {row[0]: Atom(*row) for row in con.execute(
            "SELECT id, file_path, name, qualified_name, kind, line, end_line, parent_id FROM atoms")}
        columns = {row[1] for row in con.execute("PRAGMA table_info(edges)")}
        with_ids = "candidate_ids" in columns
        select = ("SELECT e.id, e.source_id, a.file_path, e.target_id, e.callee, e.short_name, "
                  "e.line, e.resolution, e.candidates"
                  + (", e.candidate_ids" if with_ids else "")
                  + " FROM edges e JOIN atoms a ON a.id = e.source_id ORDER BY e.id")
        if with_ids:
            edges = [Edge(*row[:9], _candidate_ids(row[9])) for row in con.execute(select)]
        else:  # dgtui's rule (query.candidate_ids): the callables of the call's name, only
            # methods for a call on a receiver; read here so the bench needs no dgtui import
            named: dict[str, list[tuple[str, bool]]] = {}
            for atom_id, name, method in con.execute(
                    "SELECT id, name, owner IS NOT NULL AND kind NOT IN ('class', 'module') FROM atoms "
                    "WHERE kind NOT IN ('module', 'test') ORDER BY id"):
                named.setdefault(name, []).append((atom_id, bool(method)))
            edges = []
            for row in con.execute(select):
                ids = None
                if row[7] == "ambiguous":
                    on_receiver = "." in row[4]
                    ids = tuple(i for i, method in named.get(row[5], ()) if method or not on_receiver)
                edges.append(Edge(*row[:9], ids))
    finally:
        con.close()
    return atoms, edges
