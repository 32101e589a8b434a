"""Findings: risks and improvements measured on the graph against named thresholds."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .. import query as q
from .answer import Finding
from .context import GraphContext

#: More transitive callers than this and a change to a function is a wide-impact risk.
WIDE_IMPACT_CALLERS = 20
#: Cyclomatic complexity above this (McCabe's classic limit) suggests splitting a function.
COMPLEXITY_LIMIT = 10
#: Cycles looked for per atom (one is enough to report it; a few show the shape).
CYCLES_SHOWN = 5


def for_atoms(ctx: GraphContext, rows: Iterable[dict[str, Any]]) -> list[Finding]:
    """Every finding for the atoms of ``rows``: wide impact, cycles, complexity, dead code."""
    out: list[Finding] = []
    rows = [r for r in rows if r.get("id")]
    dead = {d["id"] for d in q.dead_code(ctx.store, atom_ids=[r["id"] for r in rows])}
    for row in rows:
        out.extend(_wide_impact(ctx, row))
        out.extend(_cycle(ctx, row))
        out.extend(complexity(row))
        if row["id"] in dead:
            out.append(dead_code(row))
    return out


def _wide_impact(ctx: GraphContext, row: dict[str, Any]) -> list[Finding]:
    n, exact = ctx.caller_count(row["id"], stop_after=WIDE_IMPACT_CALLERS)
    if n <= WIDE_IMPACT_CALLERS:
        return []
    return [Finding("risk", "wide-impact", row["id"],
                    f"{_name(row)} has {'' if exact else 'at least '}{n} transitive callers "
                    f"(more than {WIDE_IMPACT_CALLERS}): a change to it reaches far", n,
                    WIDE_IMPACT_CALLERS)]


def _cycle(ctx: GraphContext, row: dict[str, Any]) -> list[Finding]:
    length = ctx.cycle_length(row["id"])
    if length is None:
        return []
    what = "calls itself" if length == 1 else f"is in a call cycle of {length}"
    return [Finding("risk", "in-cycle", row["id"],
                    f"{_name(row)} {what}: changes can loop back to it", length)]


def complexity(row: dict[str, Any]) -> list[Finding]:
    c = row.get("complexity") or 0
    if c <= COMPLEXITY_LIMIT:
        return []
    return [Finding("improvement", "complex", row["id"],
                    f"{_name(row)} has cyclomatic complexity {c} (over {COMPLEXITY_LIMIT}): "
                    "consider splitting it", c, COMPLEXITY_LIMIT)]


def dead_code(row: dict[str, Any]) -> Finding:
    return Finding("improvement", "dead-code", row["id"],
                   f"{_name(row)} is never called and neither exported nor a test: "
                   "remove it, or check it is called by name at run time", 0)


def untested(row: dict[str, Any], callers: int) -> Finding:
    return Finding("risk", "untested", row["id"],
                   f"no test reaches {_name(row)} through its {callers} transitive caller(s): "
                   "a change to it is not covered", 0)


def _name(row: dict[str, Any]) -> str:
    return row.get("qualified_name") or row["name"]
