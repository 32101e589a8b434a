"""``dgtui index``: build or bring up to date the index of a repository."""

from __future__ import annotations

import json
import os
import sys

import click

from .common import busy_writer, make_repo, one_shot_writer


@click.command()
@click.argument("path", default=".", required=False, metavar="[PATH]")
@click.option("--home", default=None, metavar="DIR", envvar="DGTUI_HOME", help="dgtui's data home.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
@click.option("--rebuild", is_flag=True, help="Throw the index away and build it from scratch.")
@click.option("--max-bytes", type=click.IntRange(min=1), default=None, metavar="N",
              help="Skip files larger than N bytes (default 2 MB).")
@click.option("--workers", type=click.IntRange(min=1), default=None, metavar="N",
              help="Parse with N processes (default: one per core).")
@click.option("--list-skipped", is_flag=True, help="List every skipped file and why.")
def index(path: str, home: str | None, as_json: bool, rebuild: bool, max_bytes: int | None,
          workers: int | None, list_skipped: bool) -> None:
    """Index PATH (default: here). Again later, re-parse only what changed."""
    from ..engine.indexer import Indexer
    from ..engine.walk import DEFAULT_MAX_BYTES
    from ..engine.writer import open_for_writing

    repo = make_repo(path, home)
    paths = repo.paths
    with one_shot_writer(repo) as holder:
        if holder is not None:  # a live writer keeps this index: report it, write nothing
            if rebuild:
                raise busy_writer(holder, "rebuild it")
            summary = _as_it_stands(repo)
        else:
            if rebuild:
                remove_index(paths.index_db)
            with open_for_writing(paths.index_db, repo.root) as store:
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
    from rich.console import Console

    from ..terminal_text import for_markup as escape  # paths and details from the repository

    console = Console(highlight=False)
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
    skipped = r["skipped_by_reason"]
    if skipped:
        reasons = ", ".join(f"{reason} {n}" for reason, n in skipped.items())
        console.print(f"skipped {sum(skipped.values())} file(s): {reasons}"
                      + ("" if list_skipped else " (--list-skipped to see them)"))
        if list_skipped:
            for s in r["skipped_files"]:
                console.print(f"  {escape(s['path'])}  [dim]{s['reason']}: {escape(s['detail'])}[/dim]")
    if r["files_with_errors"]:
        console.print(f"{r['files_with_errors']} file(s) had syntax errors; indexed what parses "
                      "(`dgtui stats --errors` lists them)")
    console.print(f"[dim]index: {escape(r['index'])}[/dim]")
