"""``dgtui edit``: the MCP edit tools as commands for scripts (replace, insert, delete, rename).

Each command resolves the atom as ``dgtui show`` does, makes the edit through ``engine.edit``
(checked, written and indexed in one ``atomic-edit`` transaction) and prints what it did and
what it may break (``--json``: the MCP tools' answer). A refused edit writes nothing and exits
3 for a conflict (the file or the atom changed since it was read: read it again), 1 otherwise.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

import click

from ..terminal_text import inert
from .common import Repo, repo_options
from .errors import CliError

CONFLICT_EXIT = 3


def _edit_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed([
        click.option("--dry-run", is_flag=True, help="Check the edit and print its diff; write nothing."),
        click.option("--allow-parse-errors", is_flag=True,
                     help="Edit a file that already has parse errors (refused by default)."),
        click.option("--json", "as_json", is_flag=True, help="Print the answer as one JSON object."),
        repo_options,
    ]):
        fn = option(fn)
    return fn


expected = click.option("--expected-version", "expected_version", type=click.IntRange(0), required=True,
                        metavar="N", help="The atom's version as read (`dgtui show ATOM --json`): "
                        "refused as a conflict if it changed since.")
source_file = click.option("--source-file", "source_file", type=click.File("r", encoding="utf-8"),
                           default="-", show_default=True, metavar="FILE",
                           help="The new definition (header and body); '-' reads standard input.")


@click.group()
def edit() -> None:
    """Edit functions through dgtui: checked, written atomically, indexed as one transaction.

    \b
      dgtui edit replace ATOM --expected-version N < new_def.py
      dgtui edit insert after ATOM --source-file new_def.py
      dgtui edit delete ATOM --expected-version N
      dgtui edit rename ATOM NEW_NAME --expected-version N
    """


@edit.command()
@click.argument("atom")
@expected
@source_file
@_edit_options
def replace(atom: str, expected_version: int, source_file, repo: Repo, **options: Any) -> None:
    """Replace ATOM's definition with the source given (re-indented to fit)."""
    source = source_file.read()
    _run(repo, atom, lambda e, atom_id, o: e.replace(atom_id, source, expected_version, **o), **options)


@edit.command()
@click.argument("where", type=click.Choice(["after", "before"]))
@click.argument("atom")
@source_file
@_edit_options
def insert(where: str, atom: str, source_file, repo: Repo, **options: Any) -> None:
    """Insert a new definition after or before ATOM (after '<module>': at the file's end)."""
    source = source_file.read()
    _run(repo, atom, lambda e, atom_id, o: e.insert(atom_id, source, where, **o), **options)


@edit.command()
@click.argument("atom")
@expected
@_edit_options
def delete(atom: str, expected_version: int, repo: Repo, **options: Any) -> None:
    """Delete ATOM's definition (with its decorators)."""
    _run(repo, atom, lambda e, atom_id, o: e.delete(atom_id, expected_version, **o), **options)


@edit.command()
@click.argument("atom")
@click.argument("new_name")
@expected
@click.option("--no-update-callers", "keep_callers", is_flag=True,
              help="Rename the definition only; leave call sites and imports as they are.")
@_edit_options
def rename(atom: str, new_name: str, expected_version: int, keep_callers: bool, repo: Repo,
           **options: Any) -> None:
    """Rename ATOM, its resolved call sites and its imports, in one transaction."""
    _run(repo, atom, lambda e, atom_id, o: e.rename(atom_id, new_name, expected_version,
                                                    not keep_callers, **o), **options)


def _run(repo: Repo, ref: str, make: Callable, *, dry_run: bool, allow_parse_errors: bool,
         as_json: bool) -> None:
    from .. import query as q
    from ..engine.edit import EditError, Editor
    from ..mcp.edit_report import edit_report

    with repo.snapshot() as store:
        atom_id = q.resolve_atom(store, ref).id
    store = repo.open_store(write=True)
    try:
        result = make(Editor(repo.root, store, client="cli"), atom_id,
                      {"dry_run": dry_run, "allow_errors": allow_parse_errors})
    except EditError as exc:
        raise CliError(f"{exc.kind}: {exc}", CONFLICT_EXIT if exc.kind == "conflict" else 1) from None
    finally:
        store.close()
    with repo.snapshot() as store:
        report = edit_report(store, result)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    elif dry_run:
        sys.stdout.write(inert(result.diff, layout=True) if result.diff else "no change\n")
    else:
        for line in _lines(report):
            click.echo(inert(line))


def _lines(r: dict[str, Any]) -> list[str]:
    if "transaction" not in r:
        return [f"{r['operation']} {r['atom']}: no change; nothing was written"]
    out = [f"{r['operation']} {r['atom']}: transaction {r['transaction']} ({r['source']}), "
           f"{', '.join(r['files'])}"]
    for a in r["atoms"]:
        extra = [f"v{a['version']}"] if "version" in a else []
        extra += [f"from {a['renamed_from']}"] if "renamed_from" in a else []
        extra += [f"breaking: {a['breaking']}"] if "breaking" in a else []
        out.append(f"  {a['op']:<6} {a['id']}" + (f"  ({'; '.join(extra)})" if extra else ""))
    for atom_id, callers in r.get("callers_at_risk", {}).items():
        out.append(f"  callers at risk ({atom_id}): {', '.join(callers)}")
    for atom_id, callers in r.get("callers_calling_nothing", {}).items():
        out.append(f"  now calling nothing ({atom_id}): {', '.join(callers)}")
    if r.get("tests_reaching"):
        out.append(f"  tests reaching it: {', '.join(r['tests_reaching'])}")
    for s in r.get("call_sites_left", []):
        out.append(f"  left as is: {s['caller']} line {s['line']}: {s['callee']} ({s['resolution']})")
    for path, lines in r.get("old_name_still_in", {}).items():
        out.append(f"  old name still in {path}: lines {', '.join(map(str, lines))}")
    return out
