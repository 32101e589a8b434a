"""Writing tables: a rich table on a terminal, or CSV/TSV/JSON/NDJSON/Markdown for scripts.

One function serves every command (in the style of sqlite-utils' output options). Files are
written atomically: a temporary file in the same folder, then a rename, so a reader never sees
half a file and an interrupted export leaves the old file whole. Where a file may be written (not
in dgtui's data home, an existing file only when asked, a device or FIFO in place) is decided
by ``targets``.

An export to a file records what it is (``export_meta``: the command, its query and options, the
repository, the time and the graph version) where the format has room for it without breaking
its readers: a Markdown file starts with an HTML comment; CSV, TSV, JSON and NDJSON have no
comment syntax their readers agree on (and ``--json`` must stay a bare array for scripts), so
their record goes to a sidecar ``FILE-metadata.json``, the name and shape W3C's CSV on the Web
(CSVW) uses for tabular metadata. Standard output carries only the data.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from .targets import check_beside, check_target, open_text
from .terminal_text import inert

FORMATS = ("table", "csv", "tsv", "json", "ndjson", "md")
#: A table on standard output that is not a terminal (``dgtui search x | grep y``): one row per
#: line, tab-separated, with a header, as ``gh`` prints; no title, no wrapping, no quoting.
PIPED = "piped"
SIDECAR_SUFFIX = "-metadata.json"


def render(rows: Sequence[dict[str, Any]], columns: Sequence[str], fmt: str,
           out: TextIO, title: str | None = None, meta: dict[str, Any] | None = None) -> None:
    """Write ``rows`` (dicts) as ``fmt``; ``columns`` orders the tabular formats.

    ``meta`` is written into the output only where the format has a comment (Markdown). On a
    terminal (a table always; CSV, TSV and Markdown when ``out`` is one) every value is made
    inert first: a file name or docstring cannot send escape sequences to the terminal. JSON
    escapes control characters by itself.
    """
    if fmt in ("table", "csv", "tsv", "md") and (fmt == "table" or _is_terminal(out)):
        rows = [{c: _shown(row.get(c)) for c in columns} for row in rows]
        title = inert(title) if title else title
    if fmt == "json":
        json.dump(list(rows), out, indent=2, ensure_ascii=False, default=str)
        out.write("\n")
    elif fmt == "ndjson":
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
    elif fmt in ("csv", "tsv"):
        writer = csv.writer(out, dialect="excel" if fmt == "csv" else "excel-tab", lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(c)) for c in columns])
    elif fmt == "md":
        if meta is not None:
            out.write(html_comment("dgtui export " + _meta_json(meta)) + "\n")
        _markdown(rows, columns, out, title)
    elif fmt == PIPED:
        _tab_rows(rows, columns, out)
    else:
        _rich_table(rows, columns, out, title)


def _is_terminal(out: TextIO) -> bool:
    try:
        return out.isatty()
    except (AttributeError, ValueError):
        return False


def _shown(value: Any) -> Any:
    cell = _cell(value)
    return inert(cell) if isinstance(cell, str) else cell


def _cell(value: Any) -> Any:
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, ensure_ascii=False, default=str)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _markdown(rows: Sequence[dict[str, Any]], columns: Sequence[str], out: TextIO,
              title: str | None) -> None:
    if title:
        out.write(f"### {_md_escape(title)}\n\n")
    out.write("| " + " | ".join(_md_escape(c) for c in columns) + " |\n")
    out.write("|" + "|".join(" --- " for _ in columns) + "|\n")
    for row in rows:
        out.write("| " + " | ".join(_md_escape(str(_cell(row.get(c)))) for c in columns) + " |\n")


_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|~"})


def _md_escape(text: str) -> str:
    """A table cell: ``__init__`` must not turn bold, ``a|b`` must not split the cell."""
    return " ".join(text.translate(_MD_SPECIAL).splitlines())


def html_comment(text: str) -> str:
    """``<!-- text -->`` that cannot be closed early (``--`` is not allowed inside)."""
    return "<!-- " + text.replace("--", "-\\u002d") + " -->"


_TAB_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _tab_rows(rows: Sequence[dict[str, Any]], columns: Sequence[str], out: TextIO) -> None:
    """A header, then one line per row: a tab, a line break or a backslash in a value is
    written escaped (``\\t``, ``\\n``, ``\\\\``) so that every row stays one line."""
    out.write("\t".join(columns) + "\n")
    for row in rows:
        out.write("\t".join(str(_cell(row.get(c))).translate(_TAB_ESCAPES) for c in columns) + "\n")


def unbroken(column: str) -> bool:
    """Columns a table never wraps: ids and paths are copied and pasted whole."""
    return column == "id" or column.endswith(("_id", "path"))


def _rich_table(rows: Sequence[dict[str, Any]], columns: Sequence[str], out: TextIO,
                title: str | None) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(file=out, soft_wrap=False, highlight=False)
    table = Table(title=title, title_justify="left", header_style="bold", box=None,
                  pad_edge=False, show_edge=False)
    for column in columns:
        if unbroken(column):
            table.add_column(column, no_wrap=True, overflow="ignore")
        else:
            table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(Text(str(_cell(row.get(c)))) for c in columns))
    # Ids and paths are not wrapped: a table they make wider than the terminal is printed at
    # the width it needs, and the terminal wraps its lines (an id stays one copyable piece).
    needed = table.__rich_measure__(console, console.options).minimum
    if needed > console.width:
        console = Console(file=out, soft_wrap=False, highlight=False, width=needed)
    console.print(table)
    if not rows:
        console.print("[dim](no results)[/dim]")


def write_text(path: str, text: str, *, home: str | None = None, force: bool = False,
               confirm: Callable[[str], bool] | None = None) -> None:
    """Write ``text`` to ``path`` once ``targets.check_target`` allows it: atomically for a
    regular file (a temporary file renamed into place on success), in place for a special one."""
    with open_text(check_target(path, home=home, force=force, confirm=confirm)) as fh:
        fh.write(text)


def emit(rows: Sequence[dict[str, Any]], columns: Sequence[str], fmt: str | None,
         output: str | None = None, title: str | None = None,
         meta: dict[str, Any] | None = None, *, home: str | None = None, force: bool = False,
         confirm: Callable[[str], bool] | None = None) -> list[str]:
    """Render to standard output, or to ``output``; returns the files written.

    ``output`` is checked first (``targets.check_target``: never in the data ``home``, never one
    of dgtui's stores; an existing file only with ``force`` or ``confirm``), and so is its sidecar.
    With ``meta`` (see ``export_meta``) a file export records what it is: in the file for
    Markdown, else in the sidecar ``output + SIDECAR_SUFFIX`` (none beside a special file).
    """
    if output is None:
        fmt = fmt or ("table" if sys.stdout.isatty() else PIPED)
        render(rows, columns, fmt, sys.stdout, title)
        return []
    fmt = fmt or _format_from_name(output)
    if meta is not None:
        meta = {**meta, "format": fmt, "rows": len(rows), "columns": list(columns)}
        if title and not meta.get("title"):
            meta["title"] = title
    target = check_target(output, home=home, force=force, confirm=confirm)
    beside = None
    if meta is not None and fmt != "md":
        beside = check_beside(target, SIDECAR_SUFFIX, home=home, force=force, confirm=confirm)
    with open_text(target) as fh:
        render(rows, columns, fmt, fh, title, meta if fmt == "md" else None)
    if beside is None:
        return [output]
    with open_text(beside) as fh:
        json.dump(_sidecar(output, fmt, columns, meta), fh, indent=2, ensure_ascii=False,
                  default=str)
        fh.write("\n")
    return [output, beside.path]


def export_meta(command: str, *, query: Any = None, options: dict[str, Any] | None = None,
                repository: str | None = None, graph_version: int | None = None,
                title: str | None = None) -> dict[str, Any]:
    """What an export is: ``command`` (``search``, ``graph``, ``tui:callers``...), its
    ``query`` (the text, atom or filters asked), the ``options`` given, the repository root,
    the time, and ``graph_version`` (the last committed transaction the rows reflect)."""
    from . import __version__

    return {"generator": f"dgtui {__version__}", "command": command, "query": query,
            "options": {k: v for k, v in (options or {}).items() if v is not None},
            "repository": repository, "exported_at": iso_now(), "graph_version": graph_version,
            "title": title}


def iso_now() -> str:
    """Now as ISO 8601 in local time with its UTC offset, to the second."""
    from datetime import datetime

    return datetime.now().astimezone().isoformat(timespec="seconds")


def _sidecar(output: str, fmt: str, columns: Sequence[str], meta: dict[str, Any]) -> dict[str, Any]:
    """CSVW-shaped table metadata: CSVW tools find the columns and dialect; ``dgtui`` holds our
    record (a non-CSVW property, which CSVW processors ignore)."""
    doc: dict[str, Any] = {"url": os.path.basename(output)}
    if fmt in ("csv", "tsv"):
        doc = {"@context": "http://www.w3.org/ns/csvw", **doc,
               "dialect": {"delimiter": "," if fmt == "csv" else "\t", "header": True,
                           "encoding": "utf-8"},
               "tableSchema": {"columns": [{"titles": c} for c in columns]}}
    if meta.get("title"):
        doc["dc:title"] = meta["title"]
    doc["dc:created"] = meta.get("exported_at")
    doc["dgtui"] = meta
    return doc


def _meta_json(meta: dict[str, Any]) -> str:
    return json.dumps(meta, ensure_ascii=False, separators=(",", ":"), default=str)


def _format_from_name(path: str) -> str:
    ext = os.path.splitext(path)[1].lower().lstrip(".")
    return {"csv": "csv", "tsv": "tsv", "json": "json", "ndjson": "ndjson", "jsonl": "ndjson",
            "md": "md", "markdown": "md"}.get(ext, "csv")


def render_to_string(rows: Sequence[dict[str, Any]], columns: Sequence[str], fmt: str) -> str:
    buf = io.StringIO()
    render(rows, columns, fmt, buf)
    return buf.getvalue()
