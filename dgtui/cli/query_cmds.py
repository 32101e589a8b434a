"""Headless questions: search, show, callers, callees, query, stats, unresolved."""

from __future__ import annotations

import json

import click

from .common import (
    NUMBER,
    Repo,
    emit,
    file_option,
    kind_option,
    output_options,
    positive,
    repo_options,
    subfolder_glob,
    text_console,
)

_ATOM_COLUMNS = ["name", "kind", "file_path", "line", "end_line", "id"]
_GRAPH_COLUMNS = ["depth", "name", "kind", "file_path", "line", "resolution", "id"]


@click.command()
@click.argument("text", nargs=-1, required=True)
@kind_option
@click.option("--async", "is_async", is_flag=True, default=None, help="Only async functions.")
@click.option("--exported", is_flag=True, default=None, help="Only exported atoms.")
@file_option("Only files matching GLOB")
@click.option("--limit", type=int, default=50, show_default=True, callback=positive)
@repo_options
@output_options
def search(text: tuple[str, ...], kind, is_async, exported, file_glob, limit, repo: Repo, fmt, output) -> None:
    """Full-text search over names, signatures, docstrings and paths (prefix matching)."""
    from .. import query as q
    from ..model import AtomFilter

    if file_glob is None and repo.subfolder:  # started in a subfolder: search there first
        file_glob = subfolder_glob(repo)
        click.echo(f"dgtui: files under {repo.subfolder}/ only (--file '*' for the whole repository)",
                   err=True)
    with repo.snapshot() as store:
        rows = q.search(store, " ".join(text), AtomFilter(kind=kind, is_async=is_async,
                                                        exported=exported, file_glob=file_glob),
                        limit=limit)
    emit(rows, _ATOM_COLUMNS, fmt, output, repo=repo)


@click.command()
@click.argument("atom")
@repo_options
@click.option("--json", "as_json", is_flag=True, help="Print the atom as one JSON object.")
@click.option("--no-source", is_flag=True, help="Leave out the source text.")
def show(atom: str, repo: Repo, as_json: bool, no_source: bool) -> None:
    """Show one atom: its fields, what it calls, who calls it, and its source."""
    from .. import query as q

    with repo.open_store() as store:
        stored = q.resolve_atom(store, atom)
        row = q.atom_dict(stored)
        row["calls"] = q.callees(store, stored.id, 1)
        row["callers"] = q.callers(store, stored.id, 1)
        source = None
        if not no_source:
            try:
                start, lines = q.source_lines(repo.root, stored)
                source = {"start_line": start, "text": "\n".join(lines)}
            except q.QueryError as exc:
                source = {"error": str(exc)}
    if as_json:
        row["source"] = source
        click.echo(json.dumps(row, indent=2, default=str))
        return
    _print_atom(row, source, stored.atom.file_path)


def _print_atom(row: dict, source: dict | None, path: str) -> None:
    from rich.syntax import Syntax

    from ..terminal_text import for_markup as safe
    from ..terminal_text import inert

    # Everything but our own words comes from the repository: names, paths, the docstring and
    # the source can hold escape sequences, so each is made inert (and markup-safe) first.
    console = text_console()
    console.print(f"[bold]{safe(row['qualified_name'])}[/bold]  [dim]{row['kind']}"
                  f"{' async' if row['is_async'] else ''}{' exported' if row['is_exported'] else ''}"
                  f"  complexity {row['complexity']}  v{row['version']}[/dim]")
    console.print(inert(f"{row['id']}\n{row['file_path']}:{row['line']}", layout=True), markup=False)
    if row["signature"]:
        console.print(inert(row["signature"], layout=True), markup=False)
    if row["docstring"]:
        console.print(f"[italic]{safe(row['docstring'], layout=True)}[/italic]")
    for title, items in (("calls", row["calls"]), ("called by", row["callers"])):
        console.print(f"\n[bold]{title}[/bold] ({len(items)})")
        for c in items:
            if c.get("id"):
                how = f"{c['file_path']}:{c['line']} · {c['resolution']}"
            else:  # a call with no single target: where it is made, and why there is none
                candidates = f" between {c['candidates']} atoms" if c.get("candidates") else ""
                how = f"called at line {c['line']} · {c['resolution']}{candidates}"
            console.print(f"  {safe(c.get('id') or c['name'])}  [dim]{safe(how)}[/dim]",
                          markup=True, highlight=False)
    if source and "text" in source:
        console.print()
        lexer = "python" if path.endswith(".py") else "typescript" if path.endswith((".ts", ".tsx")) else "javascript"
        console.print(Syntax(inert(source["text"], layout=True), lexer, line_numbers=True,
                             start_line=source["start_line"]))
    elif source:
        console.print(f"\n[dim]{safe(source['error'])}[/dim]")


def _graph_command(name: str, upward: bool):
    @click.command(name=name)
    @click.argument("atom")
    @click.option("--depth", type=int, default=1, show_default=True, callback=positive,
                  help="How many levels to follow.")
    @repo_options
    @output_options
    def command(atom: str, depth: int, repo: Repo, fmt, output) -> None:
        from .. import query as q

        with repo.snapshot() as store:
            stored = q.resolve_atom(store, atom)
            rows = q.callers(store, stored.id, depth) if upward else q.callees(store, stored.id, depth)
        emit(rows, _GRAPH_COLUMNS, fmt, output,
             title=f"callers of {stored.id}" if upward else f"what {stored.id} calls", repo=repo)

    command.help = ("Who calls ATOM, to --depth levels." if upward else
                    "What ATOM calls, to --depth levels (unresolved calls included).")
    return command


callers = _graph_command("callers", upward=True)
callees = _graph_command("callees", upward=False)


_FILTER_OPTIONS = [
    kind_option,
    click.option("--async", "is_async", is_flag=True, default=None, help="Async functions only."),
    click.option("--calls", default=None, metavar="NAME", help="Atoms that call NAME (a name or an id)."),
    click.option("--called-by", default=None, metavar="NAME", help="Atoms called by NAME."),
    file_option("Atoms in files matching GLOB"),
    click.option("--name", "name_glob", default=None, metavar="GLOB", help="Atoms whose name matches GLOB."),
    click.option("--exported", is_flag=True, default=None, help="Exported atoms only."),
    click.option("--unresolved", is_flag=True, help="Atoms with unresolved or ambiguous calls."),
    click.option("--min-complexity", type=NUMBER, default=None, metavar="N", help="Cyclomatic complexity >= N."),
]
FILTER_NAMES = ("kind", "is_async", "calls", "called_by", "file_glob", "name_glob", "exported",
                "unresolved", "min_complexity")


def filter_options(fn):
    """The filters of ``dgtui query`` (also how ``dgtui graph`` picks its start atoms)."""
    for option in reversed(_FILTER_OPTIONS):
        fn = option(fn)
    return fn


def atom_filter(values: dict):
    """An ``AtomFilter`` from the filter options' values."""
    from ..model import AtomFilter

    return AtomFilter(kind=values["kind"], is_async=values["is_async"],
                      exported=values["exported"], file_glob=values["file_glob"],
                      name_glob=values["name_glob"], calls=values["calls"],
                      called_by=values["called_by"], unresolved=values["unresolved"],
                      min_complexity=values["min_complexity"])


@click.command()
@filter_options
@click.option("--limit", type=int, default=None, callback=positive)
@repo_options
@output_options
def query(limit, repo: Repo, fmt, output, **filters) -> None:
    """Atoms matching every filter given, e.g. `dgtui query --async --calls saveAtom`."""
    from .. import query as q

    with repo.snapshot() as store:
        rows = q.query(store, atom_filter(filters), limit=limit)
    emit(rows, _ATOM_COLUMNS + ["complexity"], fmt, output, repo=repo)


@click.command()
@repo_options
@click.option("--json", "as_json", is_flag=True, help="Print as one JSON object.")
@click.option("--skipped", is_flag=True, help="List the skipped folders and files and why.")
@click.option("--errors", is_flag=True, help="List the files that had syntax errors.")
def stats(repo: Repo, as_json: bool, skipped: bool, errors: bool) -> None:
    """Counts: files, atoms, calls by resolution, skipped files, events, size."""
    from .. import query as q

    with repo.open_store() as store:
        data = q.stats(store)
        data["root"] = repo.root
        data["index"] = store.path
        if skipped:
            data["skipped_folders"] = q.skipped_folders(store)
            data["skipped_files"] = q.skipped_files(store)
        if errors:
            data["error_files"] = [{"path": f.path, "errors": f.error_count, "first": list(f.errors)}
                                   for f in q.files_with_errors(store)]
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return

    from ..terminal_text import for_markup as escape  # paths and details from the repository

    console = text_console()
    console.print(f"[bold]{escape(data['root'])}[/bold]")
    console.print(f"files {data['files']:,} · atoms {data['atoms']:,} · calls {data['edges']:,} · "
                  f"events {data['events']:,} · last transaction {data['last_transaction']} · "
                  f"{data['database_bytes'] / 1e6:.1f} MB")
    for title, key in (("atoms by kind", "atoms_by_kind"), ("calls by resolution", "edges_by_resolution"),
                       ("files by language", "files_by_language"), ("skipped files", "skipped_by_reason"),
                       ("skipped folders", "skipped_folders_by_reason")):
        if data[key]:
            console.print(f"{title}: " + ", ".join(f"{k} {v:,}" for k, v in data[key].items()))
    if data["files_with_errors"]:
        console.print(f"files with syntax errors: {data['files_with_errors']}")
    # Each list asked for is printed under its title, "none" included: an empty answer is said.
    listed = []
    if skipped:
        listed += [("skipped folders", [(s["path"], f"{s['reason']}: {s['detail']}") for s in data["skipped_folders"]]),
                   ("skipped files", [(s["path"], f"{s['reason']}: {s['detail']}") for s in data["skipped_files"]])]
    if errors:
        listed.append(("files with syntax errors", [
            (f["path"], f"{f['errors']} error(s): {'; '.join(f['first'][:2])}") for f in data["error_files"]]))
    for title, rows in listed:
        console.print(f"\n[bold]{title}[/bold]" + ("" if rows else ": none"))
        for path, detail in rows:
            console.print(f"  {escape(path)}  [dim]{escape(detail)}[/dim]")


@click.command()
@file_option("Calls made in files matching GLOB")
@click.option("--limit", type=int, default=None, callback=positive)
@click.option("--all", "everything", is_flag=True,
              help="Also the calls known to leave the repository: builtin and external.")
@repo_options
@output_options
def unresolved(file_glob, limit, everything: bool, repo: Repo, fmt, output) -> None:
    """Calls no one atom can be named for: ambiguous (with their candidates) and unresolved.

    Builtin calls (len, "".join) and external ones (the standard library, dependencies) are
    known not to be the repository's; --all lists them too."""
    from .. import query as q
    from ..model import UNRESOLVED_KINDS

    kinds = UNRESOLVED_KINDS if everything else q.UNKNOWN_KINDS
    with repo.snapshot() as store:
        rows = q.unresolved(store, file_glob, limit, kinds)
    for row in rows:  # one cell each, for tables
        row["detail"] = " ".join(row.pop("candidate_ids", ())) or row.pop("module") or ""
        row.pop("module", None)
    emit(rows, ["source_id", "line", "callee", "resolution", "candidates", "detail"], fmt, output, repo=repo)
