"""EdgeStore: the SQL of calls, a part of the atom repository (``AtomRepository`` mixes it in).

Calls are rows of integers in ``edge_rows`` (caller pk, place among its calls, target pk); reads
go through the ``edges`` view (text ids) or, by target, ``edges_in`` (see ``schema``). Write
methods run inside a transaction the engine opened.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from ..model import Edge
from .records import EDGE_COLUMNS, edge_row, row_to_edge
from .sql import chunks, marks, prefixed

MENTION_CHUNK = 300


class EdgeStore:
    conn: sqlite3.Connection

    def insert_edges(self, edges: Iterable[Edge]) -> None:
        self.insert_edge_rows([edge_row(e) for e in edges])

    def insert_edge_rows(self, rows: Sequence[tuple]) -> None:
        """Rows of (source_id, target_id, callee, short_name, line, resolution, candidates,
        detail), all the calls of each source, whose earlier calls were deleted: each call is
        stored under its caller's and its target's pk, numbered in the order given."""
        pks = self._pks({r[0] for r in rows} | {r[1] for r in rows if r[1] is not None})
        seqs: dict[int, int] = {}

        def numbered() -> Iterator[tuple]:  # one row at a time: a first index has ~10^5
            for source_id, target_id, *rest in rows:
                source = pks[source_id]
                seq = seqs[source] = seqs.get(source, -1) + 1
                yield (source, seq, None if target_id is None else pks[target_id], *rest)

        self.conn.executemany(
            "INSERT INTO edge_rows (source, seq, target, callee, short_name, line, resolution, "
            "candidates, detail) VALUES (?,?,?,?,?,?,?,?,?)", numbered())

    def _pks(self, ids: set[str]) -> dict[str, int]:
        """id -> pk of these atoms (a first index asks for all of them: one scan)."""
        if len(ids) > 20_000:
            return dict(self.conn.execute("SELECT id, pk FROM atoms"))
        out: dict[str, int] = {}
        for chunk in chunks(sorted(ids)):
            out.update(self.conn.execute(f"SELECT id, pk FROM atoms WHERE id IN ({marks(chunk)})", chunk))
        return out

    def delete_all_edges(self) -> None:
        self.conn.execute("DELETE FROM edge_rows")

    def delete_edges_from(self, source_ids: Sequence[str]) -> None:
        for chunk in chunks(source_ids):
            self.conn.execute("DELETE FROM edge_rows WHERE source IN "
                              f"(SELECT pk FROM atoms WHERE id IN ({marks(chunk)}))", chunk)

    def update_edge_targets(self, rows: Iterable[tuple[int, str | None, str, int, str | None]]) -> None:
        """(edge id, target id, resolution, candidates, detail) for edges re-resolved in place
        (an edge id is ``(caller pk << 20) | seq``: see the ``edges`` view)."""
        self.conn.executemany(
            "UPDATE edge_rows SET target = (SELECT pk FROM atoms WHERE id = ?), resolution = ?, "
            "candidates = ?, detail = ? WHERE source = ? AND seq = ?",
            ((t, r, c, d, i >> 20, i & 0xFFFFF) for i, t, r, c, d in rows))

    def shift_edge_lines(self, moves: Sequence[tuple[str, int]]) -> None:
        """(caller id, lines it moved): its calls, kept as they were, move with it."""
        self.conn.executemany(
            "UPDATE edge_rows SET line = line + ? WHERE source = (SELECT pk FROM atoms WHERE id = ?)",
            [(n, i) for i, n in moves])

    def edges_from(self, source_ids: Sequence[str]) -> list[tuple[int, Edge]]:
        out = []
        for chunk in chunks(list(source_ids)):
            out.extend((r[0], row_to_edge(r)) for r in self.conn.execute(
                f"SELECT {EDGE_COLUMNS} FROM edges WHERE source_id IN ({marks(chunk)}) "
                "ORDER BY source_id, line, id", chunk))
        return out

    def edge_targets_from(self, source_ids: Sequence[str]) -> list[tuple[int, str, str | None]]:
        """(edge id, source, target) of the calls of ``source_ids``: the pairs a re-link compares,
        without decoding whole edges (a deleted class with common method names re-routes calls
        of thousands of atoms)."""
        out: list[tuple[int, str, str | None]] = []
        for chunk in chunks(list(source_ids)):
            out.extend(self.conn.execute(
                f"SELECT id, source_id, target_id FROM edges WHERE source_id IN ({marks(chunk)})",
                chunk))
        return out

    def edges_to(self, target_ids: Sequence[str]) -> list[tuple[int, Edge]]:
        out = []
        for chunk in chunks(list(target_ids)):
            out.extend((r[0], row_to_edge(r)) for r in self.conn.execute(
                f"SELECT {EDGE_COLUMNS} FROM edges_in WHERE target_id IN ({marks(chunk)}) "
                "ORDER BY target_id, source_id, line", chunk))
        return out

    def caller_pairs(self, ids: Sequence[str]) -> list[tuple[str, str, str]]:
        """(caller, callee, resolution) of the resolved calls into ``ids``, in no order."""
        out: list[tuple[str, str, str]] = []
        for chunk in chunks(list(ids)):
            out += self.conn.execute(
                "SELECT source_id, target_id, resolution FROM edges_in "
                f"WHERE target_id IN ({marks(chunk)})", chunk).fetchall()
        return out

    def calls_touching(self, ids: Sequence[str], upward: bool) -> list[tuple]:
        """(source, target, callee, line, resolution, candidates, detail) of the calls into
        (``upward``) or out of ``ids``: the raw rows a walk of the graph needs."""
        column, view = ("target_id", "edges_in") if upward else ("source_id", "edges")
        out: list[tuple] = []
        for chunk in chunks(list(ids)):
            out += self.conn.execute(
                f"SELECT source_id, target_id, callee, line, resolution, candidates, detail FROM {view} "
                f"WHERE {column} IN ({marks(chunk)}) ORDER BY {column}, line", chunk).fetchall()
        return out

    def edges_named(self, short_names: Sequence[str]) -> list[tuple[int, Edge]]:
        out = []
        for chunk in chunks(list(short_names)):
            out.extend((r[0], row_to_edge(r)) for r in self.conn.execute(
                f"SELECT {EDGE_COLUMNS} FROM edges WHERE short_name IN ({marks(chunk)})", chunk))
        return out

    def count_unfollowed(self, short_names: Sequence[str]) -> int:
        """How many calls under these names have no single target (ambiguous or unresolved)."""
        total = 0
        for chunk in chunks(sorted(set(short_names))):
            total += self.conn.execute(
                f"SELECT count(*) FROM edge_rows WHERE short_name IN ({marks(chunk)}) AND target IS "
                "NULL AND resolution IN ('ambiguous', 'unresolved')", chunk).fetchone()[0]
        return total

    def edges_mentioning(self, names: Sequence[str]) -> list[tuple[int, Edge]]:
        """Edges whose callee goes through one of ``names`` as a whole dotted part (``router``
        in ``router.db_for_write``, ``m2m_changed`` in ``signals.m2m_changed.send``): a scan, for
        the rare save that changes what a module-level name holds."""
        idents = [n for n in names if n.isidentifier()]  # GLOB patterns: nothing special in them
        out = []
        # Three OR terms per name in one WHERE: SQLite refuses an expression deeper than 1,000
        # ("Expression tree is too large"), so a few hundred names at a time.
        for chunk in chunks(idents, MENTION_CHUNK):
            where = " OR ".join("callee = ? OR callee GLOB ? OR callee GLOB ?" for _ in chunk)
            args = [a for n in chunk for a in (n, f"{n}.*", f"*.{n}.*")]
            out.extend((r[0], row_to_edge(r)) for r in self.conn.execute(
                f"SELECT {EDGE_COLUMNS} FROM edges WHERE {where}", args))
        return out

    def resolved_pairs(self) -> set[tuple[str, str]]:
        """Every distinct caller -> callee pair (the graph's edges)."""
        return set(self.conn.execute(
            "SELECT DISTINCT source_id, target_id FROM edges WHERE target_id IS NOT NULL"))

    def unresolved_edges(self, file_glob: str | None = None, limit: int | None = None,
                         kinds: Sequence[str] = ("unresolved", "ambiguous")) -> list[Edge]:
        """Calls with no single target, of the resolution ``kinds``."""
        sql = (f"SELECT {prefixed(EDGE_COLUMNS, 'e')} FROM edges e JOIN atoms a ON a.id = e.source_id "
               f"WHERE e.resolution IN ({marks(kinds)})")
        params: list[Any] = list(kinds)
        if file_glob:
            sql += " AND a.file_path GLOB ?"
            params.append(file_glob)
        sql += " ORDER BY a.file_path, e.line"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [row_to_edge(r) for r in self.conn.execute(sql, params)]

    def call_counts(self, ids: Sequence[str]) -> dict[str, tuple[int, int]]:
        """(callers, callees) per atom id: distinct resolved atoms on each side."""
        counts = {i: [0, 0] for i in ids}
        for chunk in chunks(list(ids)):
            in_list = marks(chunk)
            for atom_id, n in self.conn.execute(
                    f"SELECT target_id, count(DISTINCT source_id) FROM edges_in "
                    f"WHERE target_id IN ({in_list}) GROUP BY target_id", chunk):
                counts[atom_id][0] = n
            for atom_id, n in self.conn.execute(
                    f"SELECT source_id, count(DISTINCT coalesce(target_id, callee)) FROM edges "
                    f"WHERE source_id IN ({in_list}) GROUP BY source_id", chunk):
                counts[atom_id][1] = n
        return {k: (v[0], v[1]) for k, v in counts.items()}
