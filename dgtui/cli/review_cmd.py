"""``dgtui diff``: the atoms created, changed and deleted since a git revision or a point of
the event log, with the callers each change puts at risk and the tests that reach it."""

from __future__ import annotations

import click

from .common import Repo, ask_to_replace, emit, repo_options
from .errors import CliError


@click.command()
@click.argument("rev", required=False)
@click.option("--since", default=None, metavar="TX|TIME|SESSION",
              help="Compare with the index as it was after transaction TX, at TIME (2h, ISO) or "
                   "when a session began (s42, last) instead of a git revision.")
@click.option("--gap", default=None, metavar="DURATION", help="The session gap for --since SESSION.")
@click.option("--depth", type=click.IntRange(1, 100), default=None,
              help="How many calls up to look for tests (default 12).")
@click.option("--json", "fmt", flag_value="json", help="The whole review as one JSON object.")
@click.option("--ndjson", "fmt", flag_value="ndjson", help="One JSON object per changed atom.")
@click.option("--md", "fmt", flag_value="md", help="A review summary in Markdown (for a pull request).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write to FILE (atomically) instead of standard output (by its name: .json, "
                   ".ndjson, else Markdown).")
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@repo_options
def diff(rev, since, gap, depth, fmt, output, force, repo: Repo) -> None:
    """Function-level diff of the work tree against REV (default HEAD; a commit, branch or tag),
    or since a transaction, time or edit session (--since). Read-only: the repository and the
    index are not written."""
    import json
    import sys

    from ..query import review as rv
    from ..query import review_report as report
    from ..terminal_text import inert

    if rev and since:
        raise CliError("give a revision or --since, not both")
    seconds = _gap(gap)
    kwargs = {"test_depth": depth} if depth else {}
    with repo.snapshot() as store:
        if since is not None:
            review = rv.review_since(store, since, gap=seconds, **kwargs)
        else:
            review = rv.review_revision(store, repo.root, rev or "HEAD",
                                        ignored=_ignore_rules(repo.root, store), **kwargs)
    if fmt is None and output is not None:  # from the file's name; Markdown by default
        ext = output.rsplit(".", 1)[-1].lower()
        fmt = {"json": "json", "ndjson": "ndjson", "jsonl": "ndjson"}.get(ext, "md")
    if fmt == "json":
        text = json.dumps(report.review_dict(review), ensure_ascii=False, indent=2) + "\n"
    elif fmt == "ndjson":
        text = "".join(json.dumps(report.atom_dict(a), ensure_ascii=False) + "\n" for a in review.atoms)
    elif fmt == "md":
        text = report.markdown(review)
    else:
        emit(report.table_rows(review), report.TABLE_COLUMNS, None, None,
             title=f"atoms changed since {review.base}", repo=repo)
        for note in review.notes:
            click.echo(inert(f"dgtui: {note}"), err=True)
        click.echo(inert(report.summary_line(review)), err=True)
        return
    if output is None:
        # on a terminal, a path or a revision's name cannot send escape sequences to it
        click.echo(inert(text, layout=True) if sys.stdout.isatty() else text, nl=False)
        return
    from ..output import write_text

    write_text(output, text, home=repo.home, force=force, confirm=ask_to_replace)


def _gap(gap: str | None) -> float | None:
    from .. import query as q

    if gap is None:
        return None
    seconds = q.parse_gap(gap)
    if seconds is None:
        raise CliError(f"--gap {gap!r} is not a duration: use seconds (300) or 10m, 1h")
    return seconds


def _ignore_rules(root: str, store):
    """The indexing's ignore rules as a predicate (a path dgtui does not index is not reviewed)."""
    from ..engine.patterns import rules_for

    rules = rules_for(root, store)
    return rules.is_ignored
