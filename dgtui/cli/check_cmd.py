"""``dgtui check``: do the index, the graph, the event log and the disk agree?"""

from __future__ import annotations

import json
import sys

import click

from ..terminal_text import inert
from .common import Repo, repo_options


@click.command()
@repo_options
@click.option("--repair", is_flag=True, help="Rebuild what differs (FTS, edges, files, event log).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def check(repo: Repo, repair: bool, as_json: bool) -> None:
    """Check SQLite vs graph, SQLite vs disk, FTS vs atoms and events vs atoms.

    Exits 0 when everything agrees (after --repair, when the repair worked), 1 otherwise."""
    from ..engine.check import run_checks

    with repo.open_store(write=repair) as store:
        report = run_checks(store, repo.root, repair=repair)
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2))
    else:
        for r in report.results:
            mark = "ok" if r.ok else ("repaired" if r.repaired else "FAILED")
            click.echo(f"{mark:>8}  {r.name:<7} {inert(r.detail)}")
            for problem in r.problems[:10]:  # they name files and atoms of the repository
                click.echo(f"          - {inert(problem)}")
    sys.exit(0 if report.ok else 1)
