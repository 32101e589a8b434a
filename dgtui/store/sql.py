"""The SQL both sides of the atom repository share: the filters of ``dgtui query`` and the
helpers that build ``IN (?, ?, ...)`` lists in chunks SQLite accepts."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from ..model import AtomFilter

CHUNK = 2000  # ids per IN (...) list: well under SQLite's limit of host parameters


def filter_sql(f: AtomFilter) -> tuple[str, list[Any]]:
    """The WHERE clause for ``f`` over the atoms table aliased ``a``, and its parameters: user
    text only ever travels as a parameter."""
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
    # Unions of indexed lookups (an OR across edge columns would scan every edge), UNION ALL
    # because IN (...) drops duplicates itself. A call written with the name is found by its
    # short name; the target side adds only the calls that reach the atom under another name
    # (an import alias), so no edge is looked up twice.
    if f.calls:
        clauses.append(
            "a.id IN (SELECT source_id FROM edges WHERE short_name = ? "
            "UNION ALL SELECT e.source_id FROM atoms t JOIN edges_in e ON e.target_id = t.id "
            "WHERE (t.id = ? OR t.name = ? OR t.qualified_name = ?) AND e.short_name <> ?)")
        params += [f.calls, f.calls, f.calls, f.calls, f.calls]
    if f.called_by:
        clauses.append(
            "a.id IN (SELECT e.target_id FROM atoms s JOIN edges e ON e.source_id = s.id "
            "WHERE (s.id = ? OR s.name = ? OR s.qualified_name = ?) AND e.target_id IS NOT NULL)")
        params += [f.called_by, f.called_by, f.called_by]
    if f.unresolved:
        clauses.append("a.id IN (SELECT source_id FROM edges WHERE resolution IN ('unresolved', 'ambiguous'))")
    return " AND ".join(clauses), params


def prefixed(columns: str, alias: str) -> str:
    """``"id, name"`` -> ``"a.id, a.name"``."""
    return ", ".join(f"{alias}.{c.strip()}" for c in columns.split(","))


def marks(seq: Sequence[Any]) -> str:
    return ",".join("?" * len(seq))


def chunks(seq: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    seq = list(seq)
    for i in range(0, len(seq), size):
        yield seq[i:i + size]
