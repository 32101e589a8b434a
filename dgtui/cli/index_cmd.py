"""``dgtui index``: build or bring up to date the index of a repository."""

from __future__ import annotations

import json
import os
import sys

import click

from .common import busy_writer, make_repo, one_shot_writer, text_console


@click.command()
@click.argument("path", default=None, required=False, metavar="[PATH]")
@click.option("--home", default=None, metavar="DIR", help="dgtui's data home (default: $DGTUI_HOME).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
@click.option("--rebuild", is_flag=True, help="Throw the index away and build it from scratch.")
@click.option("--max-bytes", type=click.IntRange(min=1), default=None, metavar="N",
              help="Skip files larger than N bytes (default 2 MB).")
@click.option("--workers", type=click.IntRange(min=1), default=None, metavar="N",
              help="Parse with N processes (default: one per core).")
@click.option("--list-skipped", is_flag=True, help="List every skipped file and folder and why.")
@click.option("--exclude", multiple=True, metavar="PATTERN",
              help="Skip what matches PATTERN (gitignore syntax, e.g. 'generated/'); remembered by "
                   "the index for every later walk. Repeat for more.")
@click.option("--include", multiple=True, metavar="PATTERN",
              help="Index what matches PATTERN even if an ignore file or the defaults skip it "
                   "(e.g. 'build/'); remembered too. Either option undoes the other's pattern.")
def index(path: str | None, home: str | None, as_json: bool, rebuild: bool, max_bytes: int | None,
          workers: int | None, list_skipped: bool, exclude: tuple[str, ...],
          include: tuple[str, ...]) -> None:
    """Index PATH (default: here). Again later, re-parse only what changed.

    \b
    What is skipped: what .gitignore and .ignore files (at any depth) and .git/info/exclude say;
    folders that are never source (.git, .hg, .svn, .jj, node_modules, __pycache__); virtual
    environments (a folder holding pyvenv.cfg); and your own patterns: `exclude`/`include` lists
    in a [tool.dgtui] table of the repository's pyproject.toml, or --exclude/--include here.
    --list-skipped shows every skipped folder and file with its reason.
    """
    from ..engine.ignore import Patterns
    from ..engine.indexer import Indexer
    from ..engine.patterns import remember_patterns
    from ..engine.walk import DEFAULT_MAX_BYTES
    from ..engine.writer import open_for_writing

    repo = make_repo(path, home)
    paths = repo.paths
    with one_shot_writer(repo) as holder:
        if holder is not None:  # a live writer keeps this index: report it, write nothing
            if rebuild:
                raise busy_writer(holder, "rebuild it")
            if exclude or include:
                raise busy_writer(holder, "change what is skipped")
            summary = _as_it_stands(repo)
        else:
            kept = Patterns()
            if rebuild:  # a new index keeps what the old one was told to skip
                kept = _patterns_of(paths.index_db)
                remove_index(paths.index_db)
            with open_for_writing(paths.index_db, repo.root) as store:
                if kept != Patterns():
                    remember_patterns(store, kept.exclude, kept.include)
                if exclude or include:
                    remember_patterns(store, exclude, include)
                indexer = Indexer(repo.root, store, max_bytes=max_bytes or DEFAULT_MAX_BYTES,
                                  workers=workers)
                show_bar = not as_json and sys.stderr.isatty()
                summary = _with_progress(indexer) if show_bar else indexer.run()
    result = summary.as_dict()
    result["root"] = repo.root
    result["index"] = paths.index_db
    if holder is not None:
        result["writer_pid"] = holder
    if as_json:
        if not list_skipped:
            result.pop("skipped_files")
            result.pop("skipped_folders")
        click.echo(json.dumps(result, indent=2))
        return
    _print_summary(result, list_skipped)


def _as_it_stands(repo):
    """The summary of an index another process is writing (nothing parsed by this command)."""
    from ..engine.indexer import _fill_totals
    from ..model import IndexSummary

    summary = IndexSummary()
    with repo.open_store() as store:
        _fill_totals(summary, store)
    return summary


def _patterns_of(db: str):
    """The exclude/include patterns an index keeps; none when it is missing or too damaged to
    read (which is what --rebuild is for)."""
    from ..engine.ignore import Patterns
    from ..engine.patterns import stored_patterns
    from ..query import DatabaseError, StoreError, open_reader

    if not os.path.exists(db):
        return Patterns()
    try:
        with open_reader(db, readonly=False) as old:
            return stored_patterns(old)
    except (StoreError, DatabaseError, ValueError):
        return Patterns()


def remove_index(db: str) -> None:
    for suffix in ("", "-wal", "-shm"):
        try:
            os.remove(db + suffix)
        except FileNotFoundError:
            pass


def _with_progress(indexer):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("[bold]indexing"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), transient=True) as bar:
        task = bar.add_task("parse", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total or None)

        return indexer.run(progress=progress)


def _print_summary(r: dict, list_skipped: bool) -> None:

    from ..terminal_text import for_markup as escape  # paths and details from the repository

    console = text_console()
    by_res = ", ".join(f"{k} {v:,}" for k, v in r["edges_by_resolution"].items()) or "none"
    changed = (f"parsed {r['parsed']:,} file(s): +{r['created']:,} ~{r['updated']:,} -{r['deleted']:,} "
               f"atoms, {r['removed']:,} file(s) removed")
    console.print(f"[bold]{r['files']:,}[/bold] files, [bold]{r['atoms']:,}[/bold] atoms, "
                  f"[bold]{r['edges']:,}[/bold] calls ({by_res}) in {r['seconds']:.2f}s")
    if r.get("writer_pid"):
        console.print(f"another dgtui (pid {r['writer_pid']}) keeps this index up to date; "
                      "this command wrote nothing")
    else:
        console.print(changed if r["parsed"] or r["removed"] else "nothing changed")
    for what, by_reason, rows in (("folder(s)", r["skipped_folders_by_reason"], r["skipped_folders"]),
                                  ("file(s)", r["skipped_by_reason"], r["skipped_files"])):
        if not by_reason:
            continue
        reasons = ", ".join(f"{reason} {n}" for reason, n in by_reason.items())
        console.print(f"skipped {sum(by_reason.values())} {what}: {reasons}"
                      + ("" if list_skipped else " (--list-skipped to see them)"))
        if list_skipped:
            for s in rows:
                console.print(f"  {escape(s['path'])}  [dim]{s['reason']}: {escape(s['detail'])}[/dim]")
    if r["files_with_errors"]:
        console.print(f"{r['files_with_errors']} file(s) had syntax errors; indexed what parses "
                      "(`dgtui stats --errors` lists them)")
    console.print(f"[dim]index: {escape(r['index'])}[/dim]")
