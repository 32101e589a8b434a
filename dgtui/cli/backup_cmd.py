"""``dgtui backup FILE`` and ``dgtui restore FILE``: the index as one consistent file."""

from __future__ import annotations

import json

import click

from .common import Repo, ask_to_replace, busy_writer, one_shot_writer, repo_options
from .errors import CliError


@click.command()
@click.argument("file", type=click.Path(dir_okay=False), metavar="FILE")
@repo_options
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@click.option("--verify", is_flag=True, help="Check the copy too (PRAGMA quick_check; twice as long).")
@click.option("--force", is_flag=True, help="Replace FILE if it exists (on a terminal dgtui asks instead).")
def backup(file: str, repo: Repo, as_json: bool, verify: bool, force: bool) -> None:
    """Copy the index to FILE: a consistent snapshot, even while the index is being written.

    FILE may not be in dgtui's data home nor one of its stores; a device or a FIFO
    (`/dev/stdout`, `>(gzip > b.db.gz)`) gets the copy written into it."""
    from ..store.backup import backup as run_backup

    db = repo.paths.index_db
    if not _exists(db):
        raise CliError(f"no index for {repo.root} yet; run `dgtui index` first")
    done = run_backup(db, file, verify=verify, home=repo.home, force=force, confirm=ask_to_replace)
    result = done.as_dict()
    err = done.in_place  # `dgtui backup /dev/stdout | gzip`: the copy owns standard output
    if as_json:
        click.echo(json.dumps(result, indent=2), err=err)
        return
    click.echo(f"backed up {result['atoms']:,} atoms and {result['events']:,} events (transaction "
               f"{result['transaction']}) to {result['path']}: {result['bytes'] / 1e6:.1f} MB "
               f"in {result['seconds']:.2f}s", err=err)


@click.command()
@click.argument("file", type=click.Path(dir_okay=False), metavar="FILE")
@repo_options
@click.option("--force", is_flag=True, help="Restore even a backup of another repository.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
def restore(file: str, repo: Repo, force: bool, as_json: bool) -> None:
    """Replace the index with the backup in FILE (checked first); `dgtui index` then brings it up
    to date with the files."""
    from ..store.backup import inspect_backup
    from ..store.backup import restore as run_restore

    _atoms, _events, _tx, root, _pages = inspect_backup(file)
    if root is not None and root != repo.root and not force:
        raise CliError(f"{file} is a backup of {root}, not of {repo.root}; use --force to restore "
                       "it here anyway")
    with one_shot_writer(repo) as holder:
        if holder is not None:
            raise busy_writer(holder, "restore, then start it again")
        result = run_restore(file, repo.paths.index_db).as_dict()
    result["backup"] = file
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    click.echo(f"restored {result['atoms']:,} atoms and {result['events']:,} events (transaction "
               f"{result['transaction']}) from {file} in {result['seconds']:.2f}s; run "
               "`dgtui index` to catch up with the files")


def _exists(path: str) -> bool:
    import os

    return os.path.exists(path)
