"""AtomRepository: the only code that writes SQL for atoms and files, and (mixed in from
``edges``) for calls.

Write methods run inside a transaction the engine opened (the engine is the only writer); read
methods serve the query layer. No method commits.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ..model import AtomFilter, Import, SymbolInfo, is_fixture
from . import schema
from .edges import EdgeStore
from .records import (
    ATOM_SELECT,
    StoredAtom,
    atom_select,
    dumps,
    loads,
    row_to_stored,
)
from .search import AtomSearch
from .sql import chunks, filter_sql, marks

# A row's id and parent id are virtual columns (schema 4): what an atom's name says of them is
# not stored. Rows are ``RECORD_COLUMNS`` tuples all the same, so the SQL numbers its parameters.
_INSERT_ATOM = (
    "INSERT INTO atoms (own_id, file_path, name, qualified_name, kind, line, end_line, signature, "
    "docstring, is_async, is_exported, complexity, body_hash, own_parent, owner, words, data, "
    "version, created_at, updated_at, transaction_id) VALUES (nullif(?1, ?2 || '::' || ?4), "
    "?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
    f"{schema.stored_parent('?14', schema.derived_parent('?5', '?4', '?3', '?2'))}, "
    "?15, ?16, ?17, ?18, ?19, ?20, ?21)")
# An update keeps the id (file and qualified name): the parent is derived from the new name.
_UPDATE_ATOM = (
    "UPDATE atoms SET name=?1, qualified_name=?2, kind=?3, line=?4, end_line=?5, signature=?6, "
    "docstring=?7, is_async=?8, is_exported=?9, complexity=?10, body_hash=?11, "
    f"own_parent={schema.stored_parent('?12', schema.derived_parent('?3', '?2', '?1', 'file_path'))}, "
    "owner=?13, words=?14, data=?15, version=?16, updated_at=?17, transaction_id=?18 WHERE id=?19")
_SUMMARY_KEYS = ("id", "file_path", "name", "qualified_name", "kind", "line", "end_line",
                 "signature", "is_async", "is_exported", "complexity", "docstring", "version",
                 "updated_at")


@dataclass(frozen=True, slots=True)
class FileRow:
    path: str
    language: str
    size: int
    mtime_ns: int
    content_hash: str
    line_count: int
    atom_count: int
    error_count: int
    errors: tuple[str, ...]
    indexed_at: float


class AtomRepository(AtomSearch, EdgeStore):
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    # == writes (engine only) ==============================================================
    def insert_atoms(self, rows: Iterable[tuple], now: float, tx: int) -> None:
        """Insert atom rows (``atom_row(atom)``) at version 1."""
        tail = (1, now, now, tx)
        self.conn.executemany(_INSERT_ATOM, [r + tail for r in rows])

    def update_atoms(self, items: Iterable[tuple[tuple, int]], now: float, tx: int) -> None:
        """Update (atom row, new version) in place: ``pk`` and FTS row are kept."""
        self.conn.executemany(_UPDATE_ATOM, [row[2:] + (version, now, tx, row[0])
                                             for row, version in items])

    def move_atoms(self, items: Iterable[tuple[str, int, int | None]], now: float, tx: int) -> None:
        """(id, line, end_line) of atoms that only moved: the rest of their row stays, and so
        do the index entries an update of every column would write again."""
        self.conn.executemany(
            "UPDATE atoms SET line=?, end_line=?, updated_at=?, transaction_id=? WHERE id=?",
            [(line, end, now, tx, atom_id) for atom_id, line, end in items])

    def delete_atoms(self, ids: Sequence[str]) -> None:
        """Delete atoms and the calls they make (calls into them are the linker's to re-resolve)."""
        self.delete_edges_from(ids)
        for chunk in chunks(ids):
            self.conn.execute(f"DELETE FROM atoms WHERE id IN ({marks(chunk)})", chunk)

    def upsert_files(self, rows: Iterable[FileRow], tx: int) -> None:
        self.conn.executemany(
            "INSERT INTO files (path, language, size, mtime_ns, content_hash, line_count, "
            "atom_count, error_count, errors, indexed_at, transaction_id) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(path) DO UPDATE SET "
            "language=excluded.language, size=excluded.size, mtime_ns=excluded.mtime_ns, "
            "content_hash=excluded.content_hash, line_count=excluded.line_count, "
            "atom_count=excluded.atom_count, error_count=excluded.error_count, "
            "errors=excluded.errors, indexed_at=excluded.indexed_at, "
            "transaction_id=excluded.transaction_id",
            ((r.path, r.language, r.size, r.mtime_ns, r.content_hash, r.line_count, r.atom_count,
              r.error_count, dumps(list(r.errors)), r.indexed_at, tx) for r in rows),
        )

    def touch_files(self, stats: Iterable[tuple[str, int, int]]) -> None:
        """Record a new size/mtime for files whose content did not change."""
        self.conn.executemany("UPDATE files SET size=?, mtime_ns=? WHERE path=?",
                              ((size, mtime, path) for path, size, mtime in stats))

    def delete_files(self, paths: Sequence[str]) -> None:
        for chunk in chunks(paths):
            self.conn.execute(f"DELETE FROM files WHERE path IN ({marks(chunk)})", chunk)

    def set_skipped(self, skips: Iterable[tuple[str, str, str, int | None, int | None]],
                    now: float) -> None:
        """Record (path, reason, detail, size, mtime_ns) of files left out of the index."""
        self.conn.executemany(
            "INSERT INTO skipped (path, reason, detail, size, mtime_ns, seen_at) VALUES (?,?,?,?,?,?) "
            "ON CONFLICT(path) DO UPDATE SET reason=excluded.reason, detail=excluded.detail, "
            "size=excluded.size, mtime_ns=excluded.mtime_ns, seen_at=excluded.seen_at",
            ((p, r, d, size, mtime, now) for p, r, d, size, mtime in skips),
        )

    def clear_skipped(self, paths: Sequence[str]) -> None:
        for chunk in chunks(paths):
            self.conn.execute(f"DELETE FROM skipped WHERE path IN ({marks(chunk)})", chunk)

    def set_fts_triggers(self, enabled: bool) -> None:
        """Bulk loads drop the FTS triggers and rebuild the index once (far cheaper than row by row)."""
        script = schema.FTS_TRIGGERS if enabled else schema.DROP_FTS_TRIGGERS
        for statement in schema._statements(script):
            self.conn.execute(statement)

    def set_bulk_indexes(self, present: bool, tables: Sequence[str] | None = None) -> None:
        """Drop the secondary indexes before a bulk load, create them after (those of
        ``tables`` only, when given)."""
        for name, ddl in schema.BULK_INDEXES.items():
            if tables is not None and ddl.split(" ON ", 1)[1].split("(", 1)[0] not in tables:
                continue
            self.conn.execute(ddl.replace(" INDEX ", " INDEX IF NOT EXISTS ", 1) if present
                              else f"DROP INDEX IF EXISTS {name}")

    def rebuild_fts(self) -> None:
        self.conn.execute("INSERT INTO atoms_fts(atoms_fts) VALUES ('rebuild')")

    # == reads =============================================================================
    def get(self, atom_id: str) -> StoredAtom | None:
        row = self.conn.execute(f"SELECT {ATOM_SELECT} FROM atoms WHERE id = ?", (atom_id,)).fetchone()
        return row_to_stored(row) if row else None

    def get_many(self, ids: Sequence[str]) -> dict[str, StoredAtom]:
        out: dict[str, StoredAtom] = {}
        for chunk in chunks(list(ids)):
            for row in self.conn.execute(
                    f"SELECT {ATOM_SELECT} FROM atoms WHERE id IN ({marks(chunk)})", chunk):
                stored = row_to_stored(row)
                out[stored.id] = stored
        return out

    def summaries(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The fields a listing shows, without decoding each atom's whole JSON (walks of the
        graph list thousands of atoms)."""
        out: dict[str, dict[str, Any]] = {}
        for chunk in chunks(list(ids)):
            for row in self._summary_rows(f"a.id IN ({marks(chunk)})", list(chunk)):
                out[row["id"]] = row
        return out

    def query_summaries(self, filters: AtomFilter, limit: int | None = None) -> list[dict[str, Any]]:
        """``query`` as listing rows (see ``summaries``)."""
        where, params = filter_sql(filters)
        tail = " ORDER BY a.file_path, a.line"
        if limit is not None:
            tail += " LIMIT ?"
            params.append(limit)
        return self._summary_rows(where or "1", params, tail)

    def _summary_rows(self, where: str, params: list[Any], tail: str = "") -> list[dict[str, Any]]:
        keys = _SUMMARY_KEYS
        rows = [dict(zip(keys, r, strict=True)) for r in self.conn.execute(
            "SELECT a.id, a.file_path, a.name, a.qualified_name, a.kind, a.line, a.end_line, "
            "a.signature, a.is_async = 1, a.is_exported = 1, a.complexity, a.docstring, a.version, "
            f"a.updated_at FROM atoms a WHERE {where}{tail}", params)]
        for row in rows:
            row["is_async"] = bool(row["is_async"])
            row["is_exported"] = bool(row["is_exported"])
        return rows

    def find(self, ref: str, limit: int = 50) -> list[StoredAtom]:
        """Atoms a user may mean by ``ref``: an id, a qualified name, a name (exact, then
        case-insensitive)."""
        hit = self.get(ref)
        if hit is not None:
            return [hit]
        # A dotted ref (Session.save) names a qualified name; a plain one (save) every atom of
        # that name, methods included, so that an ambiguous name is reported as such.
        order = (("qualified_name = ?", "qualified_name = ? COLLATE NOCASE") if "." in ref
                 else ("name = ?", "name = ? COLLATE NOCASE"))
        for where in order:
            rows = self.conn.execute(
                f"SELECT {ATOM_SELECT} FROM atoms WHERE {where} AND kind != 'module' "
                f"ORDER BY file_path, line LIMIT ?", (ref, limit)).fetchall()
            if rows:
                return [row_to_stored(r) for r in rows]
        return []

    def name_rows(self) -> list[tuple[str, str, str, str, str]]:
        """(id, name, qualified_name, kind, file_path) of every atom but modules: the
        vocabulary fuzzy name matching works on, without decoding each atom's JSON."""
        return self.conn.execute(
            "SELECT id, name, qualified_name, kind, file_path FROM atoms WHERE kind != 'module' "
            "ORDER BY file_path, line").fetchall()

    def in_files(self, paths: Sequence[str]) -> list[StoredAtom]:
        out: list[StoredAtom] = []
        for chunk in chunks(list(paths)):
            out.extend(row_to_stored(r) for r in self.conn.execute(
                f"SELECT {ATOM_SELECT} FROM atoms WHERE file_path IN ({marks(chunk)}) "
                "ORDER BY file_path, line", chunk))
        return out

    def query(self, filters: AtomFilter, limit: int | None = None) -> list[StoredAtom]:
        where, params = filter_sql(filters)
        sql = f"SELECT {atom_select('a')} FROM atoms a"
        if where:
            sql += f" WHERE {where}"
        sql += " ORDER BY a.file_path, a.line"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [row_to_stored(r) for r in self.conn.execute(sql, params)]

    def brief_rows(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """id -> name, qualified name, kind, file, lines and signature: enough to list an atom."""
        keys = ("id", "name", "qualified_name", "kind", "file_path", "line", "end_line", "signature")
        out: dict[str, dict[str, Any]] = {}
        for chunk in chunks(list(ids)):
            for r in self.conn.execute(
                    "SELECT id, name, qualified_name, kind, file_path, line, end_line, signature "
                    f"FROM atoms WHERE id IN ({marks(chunk)})", chunk):
                out[r[0]] = dict(zip(keys, r, strict=True))
        return out

    def callables_named(self, names: Sequence[str]) -> dict[str, list[tuple[str, bool]]]:
        """name -> [(atom id, is a method)] of the callables (not modules, tests) so named."""
        out: dict[str, list[tuple[str, bool]]] = {}
        for chunk in chunks(sorted(set(names))):
            for atom_id, name, method in self.conn.execute(
                    "SELECT id, name, owner IS NOT NULL AND kind NOT IN ('class', 'module') FROM atoms "
                    f"WHERE name IN ({marks(chunk)}) AND kind NOT IN ('module', 'test') ORDER BY id", chunk):
                out.setdefault(name, []).append((atom_id, bool(method)))
        return out

    def has_atoms(self) -> bool:
        return self.conn.execute("SELECT 1 FROM atoms LIMIT 1").fetchone() is not None

    def atom_ids(self) -> set[str]:
        return {r[0] for r in self.conn.execute("SELECT id FROM atoms")}

    def file_rows(self, paths: Sequence[str] | None = None) -> dict[str, FileRow]:
        sql = ("SELECT path, language, size, mtime_ns, content_hash, line_count, atom_count, "
               "error_count, errors, indexed_at FROM files")
        if paths is None:
            rows = self.conn.execute(sql).fetchall()
        else:
            rows = []
            for chunk in chunks(list(paths)):
                rows += self.conn.execute(f"{sql} WHERE path IN ({marks(chunk)})", chunk).fetchall()
        return {r[0]: FileRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7],
                              tuple(loads(r[8], f"the errors of {r[0]!r}")), r[9]) for r in rows}

    def file_stats(self) -> dict[str, tuple[int, int, str]]:
        """path -> (size, mtime_ns, content_hash): what a reconcile compares with the disk."""
        return {r[0]: (r[1], r[2], r[3]) for r in
                self.conn.execute("SELECT path, size, mtime_ns, content_hash FROM files")}

    def file_stats_under(self, folder: str) -> dict[str, tuple[int, int, str]]:
        """Like ``file_stats`` for the files below a folder (a range scan on the primary key)."""
        prefix = folder.rstrip("/") + "/"
        return {r[0]: (r[1], r[2], r[3]) for r in self.conn.execute(
            "SELECT path, size, mtime_ns, content_hash FROM files WHERE path >= ? AND path < ?",
            (prefix, prefix[:-1] + "0"))}

    def file_stats_of(self, paths: Sequence[str]) -> dict[str, tuple[int, int, str]]:
        """Like ``file_stats`` for these paths (those the index holds)."""
        out: dict[str, tuple[int, int, str]] = {}
        for chunk in chunks(paths):
            out.update((r[0], (r[1], r[2], r[3])) for r in self.conn.execute(
                f"SELECT path, size, mtime_ns, content_hash FROM files WHERE path IN ({marks(chunk)})",
                list(chunk)))
        return out

    def skipped_stats(self) -> dict[str, tuple[int | None, int | None]]:
        return {r[0]: (r[1], r[2]) for r in self.conn.execute("SELECT path, size, mtime_ns FROM skipped")}

    def skipped(self) -> list[tuple[str, str, str]]:
        return self.conn.execute("SELECT path, reason, detail FROM skipped ORDER BY reason, path").fetchall()

    def files_with_errors(self) -> list[FileRow]:
        paths = [r[0] for r in self.conn.execute("SELECT path FROM files WHERE error_count > 0 ORDER BY path")]
        rows = self.file_rows(paths)
        return [rows[p] for p in paths]

    def symbol_infos(self, paths: Sequence[str] | None = None) -> Iterator[SymbolInfo]:
        """Everything resolution needs, for a SymbolTable (of the files ``paths``, or all)."""
        if paths is None:
            yield from self._symbol_infos("", [])
            return
        for chunk in chunks(list(paths)):
            yield from self._symbol_infos(f" WHERE file_path IN ({marks(chunk)})", chunk)

    def _symbol_infos(self, where: str, params: list[str]) -> Iterator[SymbolInfo]:
        for (atom_id, path, name, qualified, kind, line, owner, parent, exported, data,
             default, types, returns, decorators, callbacks, package) in self.conn.execute(
                "SELECT id, file_path, name, qualified_name, kind, line, owner, parent_id, is_exported, "
                "CASE WHEN kind = 'module' THEN json_extract(data, '$.imports') "
                "WHEN kind = 'class' THEN json_extract(data, '$.bases') END, "
                "CASE WHEN kind = 'module' THEN json_extract(data, '$.extra.default') END, "
                "json_extract(data, '$.extra.types'), json_extract(data, '$.extra.returns'), "
                "json_extract(data, '$.extra.decorators'), json_extract(data, '$.extra.callbacks'), "
                "CASE WHEN kind = 'module' THEN json_extract(data, '$.extra.package') END "
                "FROM atoms" + where, params):
            bases: tuple[str, ...] = ()
            imports: tuple[Import, ...] = ()
            if data:
                parsed = json.loads(data)
                if kind == "class":
                    bases = tuple(parsed)
                else:
                    imports = tuple(Import(i[0], i[1], i[2], bool(i[3])) for i in parsed)
            yield SymbolInfo(atom_id, path, name, qualified, kind, line, owner, parent, bases,
                             imports, bool(exported), default,
                             json.loads(types) if types else None, returns,
                             bool(decorators) and is_fixture(json.loads(decorators)),
                             json.loads(callbacks) if callbacks else None,
                             bool(decorators) and decorators != "[]",
                             json.loads(package) if package else None)

    def totals(self) -> dict[str, int]:
        """Files, atoms, edges, skipped files and folders and files with parse errors (cheap: a status bar
        asks after every commit; ``counts`` adds the breakdowns)."""
        c = self.conn
        return {
            "files": c.execute("SELECT count(*) FROM files").fetchone()[0],
            "atoms": c.execute("SELECT count(*) FROM atoms").fetchone()[0],
            "edges": c.execute("SELECT count(*) FROM edge_rows").fetchone()[0],
            "skipped": c.execute("SELECT count(*) FROM skipped WHERE path NOT LIKE '%/'").fetchone()[0],
            "skipped_folders": c.execute("SELECT count(*) FROM skipped WHERE path LIKE '%/'").fetchone()[0],
            "files_with_errors": c.execute("SELECT count(*) FROM files WHERE error_count > 0").fetchone()[0],
        }

    _BREAKDOWNS = {
        "atoms_by_kind": "SELECT kind, count(*) FROM atoms GROUP BY kind ORDER BY 2 DESC",
        "edges_by_resolution": "SELECT resolution, count(*) FROM edge_rows GROUP BY resolution "
                               "ORDER BY 2 DESC",
        "files_by_language": "SELECT language, count(*) FROM files GROUP BY language ORDER BY 2 DESC",
        "skipped_by_reason": "SELECT reason, count(*) FROM skipped WHERE path NOT LIKE '%/' "
                             "GROUP BY reason ORDER BY 2 DESC",
        # A skipped folder's path ends in "/" (the walk does not go in, so it is one row).
        "skipped_folders_by_reason": "SELECT reason, count(*) FROM skipped WHERE path LIKE '%/' "
                                     "GROUP BY reason ORDER BY 2 DESC",
    }

    def counts(self, breakdowns: Sequence[str] | None = None) -> dict[str, Any]:
        """``totals`` and the breakdowns named (all when None). Each breakdown scans its table:
        ``atoms_by_kind`` reads every page of the atoms, so callers that do not show it leave it
        out."""
        out: dict[str, Any] = dict(self.totals())
        for name in self._BREAKDOWNS if breakdowns is None else breakdowns:
            out[name] = dict(self.conn.execute(self._BREAKDOWNS[name]))
        return out


