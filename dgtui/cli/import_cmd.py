"""``dgtui import-json``: bring the origin system's JSON atom files into an index."""

from __future__ import annotations

import json
import sys

import click

from .common import busy_writer, make_repo, one_shot_writer

#: Exit status when the import finished but some atom files could not be read.
EXIT_MALFORMED = 3


@click.command("import-json")
@click.argument("directory", type=click.Path(exists=True, file_okay=False), metavar="DIR")
@click.option("--path", "path", default=None, metavar="REPO",
              help="The repository whose index receives the atoms (default: the folder that "
                   "holds DIR).")
@click.option("--home", default=None, metavar="DIR", help="dgtui's data home (default: $DGTUI_HOME).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
def import_json(directory: str, path: str | None, home: str | None, as_json: bool) -> None:
    """Import a tree of legacy JSON atom files (DIR: `.omnysysdata` or its `atoms` folder).

    Importing the same tree again changes nothing. Unreadable or malformed files are listed
    with their reason and the rest is imported (exit status 3). A later `dgtui index` brings the
    imported atoms in line with the code.
    """
    from ..engine.json_import import default_repository, import_tree
    from ..engine.writer import open_for_writing

    repo = make_repo(path if path is not None else default_repository(directory), home)
    with one_shot_writer(repo) as holder:
        if holder is not None:
            raise busy_writer(holder, "import, then start it again")
        with open_for_writing(repo.paths.index_db, repo.root) as store:
            summary = import_tree(store, directory)
    result = summary.as_dict()
    result["root"] = repo.root
    result["index"] = repo.paths.index_db
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        _print(result)
    if result["malformed"]:
        sys.exit(EXIT_MALFORMED)


def _print(r: dict) -> None:
    click.echo(f"imported {r['imported']:,} atom(s) ({r['created']:,} new, {r['updated']:,} "
               f"changed), {r['unchanged']:,} unchanged, {r['malformed']:,} malformed, from "
               f"{r['atom_files']:,} atom file(s) of {r['files']:,} source file(s) "
               f"in {r['seconds']:.2f}s")
    if r["removed"]:
        click.echo(f"removed {r['removed']:,} atom(s) no longer in the tree")
    if r["superseded"]:
        click.echo(f"left {r['superseded']:,} atom(s) of {len(r['superseded_files']):,} file(s) "
                   "alone: the index holds them from the code")
    for m in r["malformed_files"]:
        click.echo(f"  malformed: {_printable(m['path'])}: {m['reason']}", err=True)
    click.echo(f"index: {r['index']}  (run `dgtui index` to reconcile with the code)")


def _printable(path: str) -> str:
    return path.encode("unicode_escape").decode("ascii") if not path.isprintable() else path


__all__ = ["import_json"]
