"""Writing tables: a rich table on a terminal, or CSV/TSV/JSON/NDJSON/Markdown for scripts.

One function serves every command (in the style of sqlite-utils' output options). Files are
written atomically: a temporary file in the same folder, then a rename, so a reader never sees
half a file and an interrupted export leaves the old file whole.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from typing import Any, TextIO

FORMATS = ("table", "csv", "tsv", "json", "ndjson", "md")


def render(rows: Sequence[dict[str, Any]], columns: Sequence[str], fmt: str,
           out: TextIO, title: str | None = None) -> None:
    """Write ``rows`` (dicts) as ``fmt``; ``columns`` orders the tabular formats."""
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
        _markdown(rows, columns, out, title)
    else:
        _rich_table(rows, columns, out, title)


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


def _md_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("\r", " ")


def _rich_table(rows: Sequence[dict[str, Any]], columns: Sequence[str], out: TextIO,
                title: str | None) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(file=out, soft_wrap=False, highlight=False)
    table = Table(title=title, title_justify="left", header_style="bold", box=None,
                  pad_edge=False, show_edge=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(Text(str(_cell(row.get(c)))) for c in columns))
    console.print(table)
    if not rows:
        console.print("[dim](no results)[/dim]")


@contextlib.contextmanager
def atomic_text_file(path: str) -> Iterator[TextIO]:
    """Open ``path`` for writing through a temporary file renamed into place on success."""
    folder = os.path.dirname(os.path.abspath(path)) or "."
    fd, tmp = tempfile.mkstemp(prefix=".dgtui-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def emit(rows: Sequence[dict[str, Any]], columns: Sequence[str], fmt: str | None,
         output: str | None = None, title: str | None = None) -> None:
    """Render to standard output, or atomically to ``output``."""
    fmt = fmt or ("table" if output is None else _format_from_name(output))
    if output is None:
        render(rows, columns, fmt, sys.stdout, title)
        return
    with atomic_text_file(output) as fh:
        render(rows, columns, fmt, fh, title)


def _format_from_name(path: str) -> str:
    ext = os.path.splitext(path)[1].lower().lstrip(".")
    return {"csv": "csv", "tsv": "tsv", "json": "json", "ndjson": "ndjson", "jsonl": "ndjson",
            "md": "md", "markdown": "md"}.get(ext, "csv")


def render_to_string(rows: Sequence[dict[str, Any]], columns: Sequence[str], fmt: str) -> str:
    buf = io.StringIO()
    render(rows, columns, fmt, buf)
    return buf.getvalue()
