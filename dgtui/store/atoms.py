"""AtomRepository: the only code that writes SQL for atoms, files and edges.

Write methods run inside a transaction the engine opened (the engine is the only writer); read
methods serve the query layer. No method commits.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..model import Atom, Edge, Import
from . import schema
from .records import (
    ATOM_COLUMNS, EDGE_COLUMNS, RECORD_COLUMNS, StoredAtom, dumps, edge_row, loads, row_to_edge,
    row_to_stored,
)

if TYPE_CHECKING:
    from ..symbols import SymbolInfo

_CHUNK = 2000
_RECORD_MARKS = ",".join("?" * len(RECORD_COLUMNS.split(",")))
_SUMMARY_KEYS = ("id", "file_path", "name", "qualified_name", "kind", "line", "end_line",
                 "signature", "is_async", "is_exported", "complexity", "docstring", "version",
                 "updated_at")
_FTS_TOKEN = re.compile(r"\w+", re.UNICODE)
_FTS_WORD = re.compile(r"[^\W_]+", re.UNICODE)  # unicode61 cuts at "_" too
_FTS_WEIGHTS = "10.0, 4.0, 3.0, 1.0, 0.5, 2.0"  # name, qualified, words, signature, doc, path
_IDENTIFIER = re.compile(r"^[A-Za-z_$][\w$]*$")
FULL_RANK = 400  # full-text matches a search ranks by bm25 (5-10 us a row)


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


class AtomRepository:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    # == writes (engine only) ==============================================================
    def insert_atoms(self, rows: Iterable[tuple], now: float, tx: int) -> None:
        """Insert atom rows (``atom_record(atom)[0]``) at version 1."""
        tail = (1, now, now, tx)
        self.conn.executemany(
            f"INSERT INTO atoms ({RECORD_COLUMNS}, version, created_at, updated_at, transaction_id) "
            f"VALUES ({_RECORD_MARKS},?,?,?,?)", [r + tail for r in rows])

    def update_atoms(self, items: Iterable[tuple[tuple, int]], now: float, tx: int) -> None:
        """Update (atom row, new version) in place: ``pk`` and FTS row are kept."""
        self.conn.executemany(
            "UPDATE atoms SET name=?, qualified_name=?, kind=?, line=?, end_line=?, signature=?, "
            "docstring=?, is_async=?, is_exported=?, complexity=?, body_hash=?, parent_id=?, "
            "owner=?, words=?, data=?, version=?, updated_at=?, transaction_id=? WHERE id=?",
            [row[2:] + (version, now, tx, row[0]) for row, version in items],
        )

    def delete_atoms(self, ids: Sequence[str]) -> None:
        for chunk in _chunks(ids):
            self.conn.execute(f"DELETE FROM atoms WHERE id IN ({_marks(chunk)})", chunk)

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
        for chunk in _chunks(paths):
            self.conn.execute(f"DELETE FROM files WHERE path IN ({_marks(chunk)})", chunk)

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
        for chunk in _chunks(paths):
            self.conn.execute(f"DELETE FROM skipped WHERE path IN ({_marks(chunk)})", chunk)

    def insert_edges(self, edges: Iterable[Edge]) -> None:
        self.insert_edge_rows([edge_row(e) for e in edges])

    def insert_edge_rows(self, rows: Iterable[tuple]) -> None:
        """Rows of (source_id, target_id, callee, short_name, line, resolution, candidates)."""
        self.conn.executemany(
            "INSERT INTO edges (source_id, target_id, callee, short_name, line, resolution, "
            "candidates) VALUES (?,?,?,?,?,?,?)", rows)

    def delete_all_edges(self) -> None:
        self.conn.execute("DELETE FROM edges")

    def delete_edges_from(self, source_ids: Sequence[str]) -> None:
        for chunk in _chunks(source_ids):
            self.conn.execute(f"DELETE FROM edges WHERE source_id IN ({_marks(chunk)})", chunk)

    def update_edge_targets(self, rows: Iterable[tuple[int, str | None, str, int]]) -> None:
        """(edge id, target id, resolution, candidates) for edges re-resolved in place."""
        self.conn.executemany(
            "UPDATE edges SET target_id=?, resolution=?, candidates=? WHERE id=?",
            ((t, r, c, i) for i, t, r, c in rows))

    def set_fts_triggers(self, enabled: bool) -> None:
        """Bulk loads drop the FTS triggers and rebuild the index once (about 3x faster)."""
        script = schema.FTS_TRIGGERS if enabled else schema.DROP_FTS_TRIGGERS
        for statement in schema._statements(script):
            self.conn.execute(statement)

    def set_bulk_indexes(self, present: bool, tables: Sequence[str] | None = None) -> None:
        """Drop the secondary indexes before a bulk load, create them after (those of
        ``tables`` only, when given)."""
        for name, ddl in schema.BULK_INDEXES.items():
            if tables is not None and ddl.split(" ON ", 1)[1].split("(", 1)[0] not in tables:
                continue
            self.conn.execute(ddl.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS") if present
                              else f"DROP INDEX IF EXISTS {name}")

    def rebuild_fts(self) -> None:
        self.conn.execute("INSERT INTO atoms_fts(atoms_fts) VALUES ('rebuild')")

    # == reads =============================================================================
    def get(self, atom_id: str) -> StoredAtom | None:
        row = self.conn.execute(f"SELECT {ATOM_COLUMNS} FROM atoms WHERE id = ?", (atom_id,)).fetchone()
        return row_to_stored(row) if row else None

    def get_many(self, ids: Sequence[str]) -> dict[str, StoredAtom]:
        out: dict[str, StoredAtom] = {}
        for chunk in _chunks(list(ids)):
            for row in self.conn.execute(
                    f"SELECT {ATOM_COLUMNS} FROM atoms WHERE id IN ({_marks(chunk)})", chunk):
                stored = row_to_stored(row)
                out[stored.id] = stored
        return out

    def summaries(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The fields a listing shows, without decoding each atom's whole JSON (walks of the
        graph list thousands of atoms)."""
        out: dict[str, dict[str, Any]] = {}
        for chunk in _chunks(list(ids)):
            for row in self._summary_rows(f"a.id IN ({_marks(chunk)})", list(chunk)):
                out[row["id"]] = row
        return out

    def query_summaries(self, filters: AtomFilter, limit: int | None = None) -> list[dict[str, Any]]:
        """``query`` as listing rows (see ``summaries``)."""
        where, params = _filter_sql(filters)
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
                f"SELECT {ATOM_COLUMNS} FROM atoms WHERE {where} AND kind != 'module' "
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
        for chunk in _chunks(list(paths)):
            out.extend(row_to_stored(r) for r in self.conn.execute(
                f"SELECT {ATOM_COLUMNS} FROM atoms WHERE file_path IN ({_marks(chunk)}) "
                "ORDER BY file_path, line", chunk))
        return out

    def search(self, text: str, filters: AtomFilter | None = None, limit: int = 50,
               ranked: bool = True, window: int | None = None) -> list[StoredAtom]:
        """Full-text search over names, words, signatures, docstrings and paths.

        The user's text never reaches MATCH raw: it is cut into word tokens, each quoted and
        made a prefix (``"sav"*``, see ``_fts_phrase``), so ``this.save`` or ``save-all``
        cannot be a syntax error.

        Ranked, names that start with the text come first (shortest first: ``sav`` shows
        ``save`` before ``save_all``), then the full-text matches by bm25. bm25 costs about
        ten times what finding a row does, so it ranks the first ``window`` (``FULL_RANK``)
        matches: all of them, unless the text is broad (``get``), and then the name index
        has already given the best page.
        """
        tokens = _FTS_TOKEN.findall(text)
        if not tokens:
            return []
        match = " ".join(_fts_phrase(t) for t in tokens)
        where, params = _filter_sql(filters or AtomFilter())
        where = f"AND {where}" if where else ""
        if not ranked:
            sql = (f"SELECT {_prefixed(ATOM_COLUMNS, 'a')} FROM atoms_fts f JOIN atoms a ON a.pk = f.rowid "
                   f"WHERE atoms_fts MATCH ? {where} ORDER BY a.pk LIMIT ?")
            return [row_to_stored(r) for r in self.conn.execute(sql, [match, *params, limit])]
        stripped = text.strip()
        prefix = stripped if _IDENTIFIER.match(stripped) else tokens[0] if len(tokens) == 1 else None
        hits = self.name_prefix(prefix, filters, limit) if prefix else []
        if len(hits) >= limit:
            return hits
        # One pass: bm25 over the first ``window`` matches, all of them unless the text is broad.
        score = f"bm25(atoms_fts, {_FTS_WEIGHTS})"
        join = "JOIN atoms a ON a.pk = f.rowid" if where else ""
        sql = (f"SELECT {_prefixed(ATOM_COLUMNS, 'a')} FROM ("
               f"SELECT f.rowid AS r, {score} AS score FROM atoms_fts f {join} "
               f"WHERE atoms_fts MATCH ? {where} LIMIT ?) w "
               f"JOIN atoms a ON a.pk = w.r ORDER BY w.score, a.file_path, a.line LIMIT ?")
        seen = {h.id for h in hits}
        for row in self.conn.execute(sql, [match, *params, window or FULL_RANK, limit + len(hits)]):
            if len(hits) >= limit:
                break
            stored = row_to_stored(row)
            if stored.id not in seen:
                hits.append(stored)
        return hits

    def name_prefix(self, prefix: str, filters: AtomFilter | None = None,
                    limit: int = 50, window: int | None = None) -> list[StoredAtom]:
        """Atoms (not modules) whose name starts with ``prefix`` in any case, shortest first
        (then by file and line).

        Fast enough for every keystroke: the name index is read by range for each case of
        the first letters, only the ``window`` shortest names are looked at, and only the
        rows shown are decoded.
        """
        if not prefix:
            return []
        where, filter_params = _filter_sql(filters or AtomFilter())
        if window is None:  # without filters, only modules are left out of the shortest names
            window = 500 if where else 2 * limit
        ranges, params = _case_ranges(prefix)
        like = ""
        if len(prefix) > _CASE_LETTERS:  # the ranges hold exactly the shorter prefixes
            like = "AND name LIKE ? ESCAPE '\\'"
            params.append(_like_escape(prefix) + "%")
        names = self.conn.execute(
            f"SELECT pk, name FROM atoms WHERE ({ranges}) {like} ORDER BY length(name), name LIMIT ?",
            [*params, window]).fetchall()
        where = f"AND {where}" if where else ""
        found: list[tuple[int, str, str, int, int]] = []  # (length, name, file, line, pk)
        i = 0
        while i < len(names) and len(found) < limit:
            # A batch ends where a name does, so that equal names are ordered by file and line.
            j = min(len(names), i + max(2 * limit, 100))
            while j < len(names) and names[j][1] == names[j - 1][1]:
                j += 1
            chunk = names[i:j]
            by_pk = {pk: name for pk, name in chunk}
            pks = list(by_pk)
            for pk, path, line in self.conn.execute(
                    f"SELECT a.pk, a.file_path, a.line FROM atoms a WHERE a.pk IN ({_marks(pks)}) "
                    f"AND a.kind != 'module' {where}", [*pks, *filter_params]):
                name = by_pk[pk]
                found.append((len(name), name, path, line, pk))
            i = j
        found.sort()
        shown = [f[4] for f in found[:limit]]
        if not shown:
            return []
        rows = {r[0]: r[1:] for r in self.conn.execute(
            f"SELECT a.pk, {_prefixed(ATOM_COLUMNS, 'a')} FROM atoms a WHERE a.pk IN ({_marks(shown)})",
            shown)}
        return [row_to_stored(rows[pk]) for pk in shown if pk in rows]

    def name_subsequence(self, letters: str, limit: int = 200) -> list[tuple[str, str, str, str, int]]:
        """(id, qualified name, kind, file, line) of atoms whose qualified name holds ``letters``
        in order (a fuzzy finder's candidates), shortest first."""
        chars = [c for c in letters if not c.isspace()]
        if not chars:
            return []
        pattern = "%" + "%".join(_like_escape(c) for c in chars) + "%"
        return self.conn.execute(
            "SELECT id, qualified_name, kind, file_path, line FROM atoms WHERE qualified_name LIKE ? "
            "ESCAPE '\\' AND kind != 'module' ORDER BY length(qualified_name), qualified_name "
            "LIMIT ?", (pattern, limit)).fetchall()

    def query(self, filters: AtomFilter, limit: int | None = None) -> list[StoredAtom]:
        where, params = _filter_sql(filters)
        sql = f"SELECT {_prefixed(ATOM_COLUMNS, 'a')} FROM atoms a"
        if where:
            sql += f" WHERE {where}"
        sql += " ORDER BY a.file_path, a.line"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [row_to_stored(r) for r in self.conn.execute(sql, params)]

    def edges_from(self, source_ids: Sequence[str]) -> list[tuple[int, Edge]]:
        out = []
        for chunk in _chunks(list(source_ids)):
            out.extend((r[0], row_to_edge(r)) for r in self.conn.execute(
                f"SELECT {EDGE_COLUMNS} FROM edges WHERE source_id IN ({_marks(chunk)}) "
                "ORDER BY source_id, line, id", chunk))
        return out

    def edge_targets_from(self, source_ids: Sequence[str]) -> list[tuple[int, str, str | None]]:
        """(edge id, source, target) of the calls of ``source_ids``: the pairs a re-link compares,
        without decoding whole edges (a deleted class with common method names re-routes calls
        of thousands of atoms)."""
        out: list[tuple[int, str, str | None]] = []
        for chunk in _chunks(list(source_ids)):
            out.extend(self.conn.execute(
                f"SELECT id, source_id, target_id FROM edges WHERE source_id IN ({_marks(chunk)})",
                chunk))
        return out

    def edges_to(self, target_ids: Sequence[str]) -> list[tuple[int, Edge]]:
        out = []
        for chunk in _chunks(list(target_ids)):
            out.extend((r[0], row_to_edge(r)) for r in self.conn.execute(
                f"SELECT {EDGE_COLUMNS} FROM edges WHERE target_id IN ({_marks(chunk)}) "
                "ORDER BY target_id, source_id, line", chunk))
        return out

    def caller_pairs(self, ids: Sequence[str]) -> list[tuple[str, str, str]]:
        """(caller, callee, resolution) of the resolved calls into ``ids``, in no order."""
        out: list[tuple[str, str, str]] = []
        for chunk in _chunks(list(ids)):
            out += self.conn.execute(
                "SELECT source_id, target_id, resolution FROM edges "
                f"WHERE target_id IN ({_marks(chunk)})", chunk).fetchall()
        return out

    def brief_rows(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """id -> name, qualified name, kind, file, lines and signature: enough to list an atom."""
        keys = ("id", "name", "qualified_name", "kind", "file_path", "line", "end_line", "signature")
        out: dict[str, dict[str, Any]] = {}
        for chunk in _chunks(list(ids)):
            for r in self.conn.execute(
                    "SELECT id, name, qualified_name, kind, file_path, line, end_line, signature "
                    f"FROM atoms WHERE id IN ({_marks(chunk)})", chunk):
                out[r[0]] = dict(zip(keys, r, strict=True))
        return out

    def calls_touching(self, ids: Sequence[str], upward: bool) -> list[tuple]:
        """(source, target, callee, line, resolution, candidates) of the calls into (``upward``)
        or out of ``ids``: the raw rows a walk of the graph needs, nothing built per row."""
        column = "target_id" if upward else "source_id"
        out: list[tuple] = []
        for chunk in _chunks(list(ids)):
            out += self.conn.execute(
                "SELECT source_id, target_id, callee, line, resolution, candidates FROM edges "
                f"WHERE {column} IN ({_marks(chunk)}) ORDER BY {column}, line", chunk).fetchall()
        return out

    def edges_named(self, short_names: Sequence[str]) -> list[tuple[int, Edge]]:
        out = []
        for chunk in _chunks(list(short_names)):
            out.extend((r[0], row_to_edge(r)) for r in self.conn.execute(
                f"SELECT {EDGE_COLUMNS} FROM edges WHERE short_name IN ({_marks(chunk)})", chunk))
        return out

    def has_atoms(self) -> bool:
        return self.conn.execute("SELECT 1 FROM atoms LIMIT 1").fetchone() is not None

    def atom_ids(self) -> set[str]:
        return {r[0] for r in self.conn.execute("SELECT id FROM atoms")}

    def resolved_pairs(self) -> set[tuple[str, str]]:
        """Every distinct caller -> callee pair (the graph's edges)."""
        return set(self.conn.execute(
            "SELECT DISTINCT source_id, target_id FROM edges WHERE target_id IS NOT NULL"))

    def unresolved_edges(self, file_glob: str | None = None, limit: int | None = None) -> list[Edge]:
        sql = (f"SELECT {_prefixed(EDGE_COLUMNS, 'e')} FROM edges e JOIN atoms a ON a.id = e.source_id "
               "WHERE e.resolution IN ('unresolved', 'ambiguous')")
        params: list[Any] = []
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
        for chunk in _chunks(list(ids)):
            marks = _marks(chunk)
            for atom_id, n in self.conn.execute(
                    f"SELECT target_id, count(DISTINCT source_id) FROM edges "
                    f"WHERE target_id IN ({marks}) GROUP BY target_id", chunk):
                counts[atom_id][0] = n
            for atom_id, n in self.conn.execute(
                    f"SELECT source_id, count(DISTINCT coalesce(target_id, callee)) FROM edges "
                    f"WHERE source_id IN ({marks}) GROUP BY source_id", chunk):
                counts[atom_id][1] = n
        return {k: (v[0], v[1]) for k, v in counts.items()}

    def file_rows(self, paths: Sequence[str] | None = None) -> dict[str, FileRow]:
        sql = ("SELECT path, language, size, mtime_ns, content_hash, line_count, atom_count, "
               "error_count, errors, indexed_at FROM files")
        if paths is None:
            rows = self.conn.execute(sql).fetchall()
        else:
            rows = []
            for chunk in _chunks(list(paths)):
                rows += self.conn.execute(f"{sql} WHERE path IN ({_marks(chunk)})", chunk).fetchall()
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

    def skipped_stats(self) -> dict[str, tuple[int | None, int | None]]:
        return {r[0]: (r[1], r[2]) for r in self.conn.execute("SELECT path, size, mtime_ns FROM skipped")}

    def skipped(self) -> list[tuple[str, str, str]]:
        return self.conn.execute("SELECT path, reason, detail FROM skipped ORDER BY reason, path").fetchall()

    def files_with_errors(self) -> list[FileRow]:
        paths = [r[0] for r in self.conn.execute("SELECT path FROM files WHERE error_count > 0 ORDER BY path")]
        rows = self.file_rows(paths)
        return [rows[p] for p in paths]

    def symbol_infos(self) -> Iterator[SymbolInfo]:
        """Everything resolution needs, for a SymbolTable."""
        from ..symbols import SymbolInfo  # only writers resolve: queries need not import it

        for (atom_id, path, name, qualified, kind, line, owner, parent, exported, data,
             default) in self.conn.execute(
                "SELECT id, file_path, name, qualified_name, kind, line, owner, parent_id, is_exported, "
                "CASE WHEN kind = 'module' THEN json_extract(data, '$.imports') "
                "WHEN kind = 'class' THEN json_extract(data, '$.bases') END, "
                "CASE WHEN kind = 'module' THEN json_extract(data, '$.extra.default') END FROM atoms"):
            bases: tuple[str, ...] = ()
            imports: tuple[Import, ...] = ()
            if data:
                parsed = json.loads(data)
                if kind == "class":
                    bases = tuple(parsed)
                else:
                    imports = tuple(Import(i[0], i[1], i[2], bool(i[3])) for i in parsed)
            yield SymbolInfo(atom_id, path, name, qualified, kind, line, owner, parent, bases,
                             imports, bool(exported), default)

    def totals(self) -> dict[str, int]:
        """Files, atoms, edges, skipped files and files with parse errors (cheap: a status bar
        asks after every commit; ``counts`` adds the breakdowns)."""
        c = self.conn
        return {
            "files": c.execute("SELECT count(*) FROM files").fetchone()[0],
            "atoms": c.execute("SELECT count(*) FROM atoms").fetchone()[0],
            "edges": c.execute("SELECT count(*) FROM edges").fetchone()[0],
            "skipped": c.execute("SELECT count(*) FROM skipped").fetchone()[0],
            "files_with_errors": c.execute("SELECT count(*) FROM files WHERE error_count > 0").fetchone()[0],
        }

    _BREAKDOWNS = {
        "atoms_by_kind": "SELECT kind, count(*) FROM atoms GROUP BY kind ORDER BY 2 DESC",
        "edges_by_resolution": "SELECT resolution, count(*) FROM edges GROUP BY resolution ORDER BY 2 DESC",
        "files_by_language": "SELECT language, count(*) FROM files GROUP BY language ORDER BY 2 DESC",
        "skipped_by_reason": "SELECT reason, count(*) FROM skipped GROUP BY reason ORDER BY 2 DESC",
    }

    def counts(self, breakdowns: Sequence[str] | None = None) -> dict[str, Any]:
        """``totals`` and the breakdowns named (all when None). Each breakdown scans its table:
        ``atoms_by_kind`` reads every page of the atoms (a tenth of a second and 100 MB of
        mapped index on Django), so callers that do not show it leave it out."""
        out: dict[str, Any] = dict(self.totals())
        for name in self._BREAKDOWNS if breakdowns is None else breakdowns:
            out[name] = dict(self.conn.execute(self._BREAKDOWNS[name]))
        return out


def _filter_sql(f: AtomFilter) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if f.kind:
        clauses.append("a.kind = ?")
        params.append(f.kind)
    if f.is_async is not None:
        clauses.append("a.is_async = ?")
        params.append(int(f.is_async))
    if f.exported is not None:
        clauses.append("a.is_exported = ?")
        params.append(int(f.exported))
    if f.file_glob:
        clauses.append("a.file_path GLOB ?")
        params.append(f.file_glob)
    if f.name_glob:
        clauses.append("(a.name GLOB ? OR a.qualified_name GLOB ?)")
        params += [f.name_glob, f.name_glob]
    if f.min_complexity is not None:
        clauses.append("a.complexity >= ?")
        params.append(f.min_complexity)
    # Unions of indexed lookups: an OR across columns would scan every edge.
    if f.calls:
        clauses.append(
            "a.id IN (SELECT source_id FROM edges WHERE short_name = ? "
            "UNION SELECT source_id FROM edges WHERE target_id IN ("
            "SELECT id FROM atoms WHERE id = ? UNION SELECT id FROM atoms WHERE name = ? "
            "UNION SELECT id FROM atoms WHERE qualified_name = ?))")
        params += [f.calls, f.calls, f.calls, f.calls]
    if f.called_by:
        clauses.append(
            "a.id IN (SELECT target_id FROM edges WHERE target_id IS NOT NULL AND source_id IN ("
            "SELECT id FROM atoms WHERE id = ? UNION SELECT id FROM atoms WHERE name = ? "
            "UNION SELECT id FROM atoms WHERE qualified_name = ?))")
        params += [f.called_by, f.called_by, f.called_by]
    if f.unresolved:
        clauses.append("a.id IN (SELECT source_id FROM edges WHERE resolution IN ('unresolved', 'ambiguous'))")
    return " AND ".join(clauses), params


def _fts_phrase(token: str) -> str:
    """One token of the user's text as an FTS5 phrase: its words as the index's tokenizer cuts
    them (``get_user`` -> ``"get user"``: adjacent words), the last one a prefix unless it is
    a single character (``"x"*`` would merge the lists of every word starting with x)."""
    words = _FTS_WORD.findall(token)
    if not words:
        return '""'
    return '"' + " ".join(words) + ('"*' if len(words[-1]) > 1 else '"')


_CASE_LETTERS = 3


def _case_ranges(prefix: str, letters: int = _CASE_LETTERS) -> tuple[str, list[str]]:
    """SQL ranges of the name index holding every name that starts with ``prefix`` in any
    case: one range per case of its first ``letters`` characters (``sav`` -> ``sav``,
    ``Sav``, ``sAv``...), narrow where a range of the first letter alone is a tenth of the
    index. LIKE then checks the rest of the prefix."""
    heads = [""]
    for c in prefix[:letters]:
        cases = {c, c.lower(), c.upper()}
        heads = [h + x for h in heads for x in sorted(x for x in cases if len(x) == 1)]
    ranges = " OR ".join("(name >= ? AND name < ?)" for _ in heads)
    return ranges, [b for h in heads for b in (h, h[:-1] + chr(min(ord(h[-1]) + 1, 0x10FFFF)))]


def _like_escape(text: str) -> str:
    """``text`` as a literal inside a LIKE pattern with ``ESCAPE '\\'``."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _prefixed(columns: str, alias: str) -> str:
    return ", ".join(f"{alias}.{c.strip()}" for c in columns.split(","))


def _marks(seq: Sequence[Any]) -> str:
    return ",".join("?" * len(seq))


def _chunks(seq: Sequence[Any]) -> Iterator[Sequence[Any]]:
    seq = list(seq)
    for i in range(0, len(seq), _CHUNK):
        yield seq[i:i + _CHUNK]
