"""``dgtui check``: do the index, the graph, the event log and the disk agree?"""

from __future__ import annotations

import json
import sys

import click

from ..terminal_text import inert
from .common import Repo, busy_writer, one_shot_writer, repo_options


@click.command()
@repo_options
@click.option("--repair", is_flag=True, help="Rebuild what differs (FTS, edges, files, event log).")
@click.option("--force", is_flag=True,
              help="With --repair: repair even when that empties the index (the code is absent).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def check(repo: Repo, repair: bool, force: bool, as_json: bool) -> None:
    """Check SQLite vs graph, SQLite vs disk, FTS vs atoms and events vs atoms.

    It reads one snapshot, so it can run beside a live writer (a watcher, the explorer); a repair
    takes the writer lock, and refuses while another dgtui writes.
    Exits 0 when everything agrees (after --repair, when the repair worked), 1 otherwise."""
    from ..engine.check import run_checks

    if repair:
        with one_shot_writer(repo) as holder:
            if holder is not None:
                raise busy_writer(holder, "repair the index (a check without --repair reads "
                                          "beside it)")
            with repo.open_store(write=True) as store:
                report = run_checks(store, repo.root, repair=True, force=force)
    else:
        with repo.open_store() as store:
            report = run_checks(store, repo.root, live_writer=_someone_writes(repo))
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2))
    else:
        for r in report.results:
            mark = "ok" if r.ok else ("repaired" if r.repaired else "FAILED")
            click.echo(f"{mark:>8}  {r.name:<7} {inert(r.detail)}")
            for problem in r.problems[:10]:  # they name files and atoms of the repository
                click.echo(f"          - {inert(problem)}")
    sys.exit(0 if report.ok else 1)


def _someone_writes(repo: Repo) -> bool:
    """Whether another process holds the writer lock now (taken and let go at once if free)."""
    from ..engine.lock import ReadOnlyIndex

    try:
        with one_shot_writer(repo) as holder:
            return holder is not None
    except ReadOnlyIndex:  # no one can be writing where no one may write
        return False
