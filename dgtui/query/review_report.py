"""A review (``query.review``) as data and as text: JSON-ready dicts, table rows, a Markdown
summary to paste into a pull request, and a brief answer for a model. No I/O."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from .review import CALLS_NOTHING, AtomReview, Review

TABLE_COLUMNS = ["change", "id", "aspects", "signature_change", "at_risk", "tests", "note"]


def review_dict(review: Review) -> dict[str, Any]:
    return {"base": review.base, "index_version": review.index_version, "counts": review.counts,
            "notes": list(review.notes), "files": list(review.files),
            "atoms": [atom_dict(a) for a in review.atoms]}


def atom_dict(a: AtomReview) -> dict[str, Any]:
    row = asdict(a)
    row["untested"] = a.change != "deleted" and a.untested
    return row


def table_rows(review: Review) -> list[dict[str, Any]]:
    rows = []
    for a in review.atoms:
        note = a.signature_note or ""
        if a.old_id:
            note = f"was {a.old_id}" + (f"; {note}" if note else "")
        if a.change != "deleted" and a.untested:
            note = (note + "; " if note else "") + "no test reaches it"
        rows.append({"change": a.change, "id": a.id, "aspects": ",".join(a.aspects),
                     "signature_change": a.signature_change or "", "at_risk": len(a.callers_at_risk),
                     "tests": len(a.tests), "note": note})
    return rows


def summary_line(review: Review) -> str:
    c = review.counts
    parts = [f"{c.get(k, 0)} {k}" for k in ("created", "changed", "renamed", "moved", "deleted")
             if c.get(k)]
    return (f"{', '.join(parts) or 'no atom changed'} since {review.base}; "
            f"{c.get('breaking', 0)} breaking signature(s), {c.get('left_calling_nothing', 0)} "
            f"caller(s) left calling nothing, {c.get('untested', 0)} changed atom(s) no test reaches")


def markdown(review: Review) -> str:
    """The review as a pull-request comment: the risks first, then every atom by file."""
    out = [f"## Function-level review against {review.base}", "", summary_line(review) + ".", ""]
    for note in review.notes:
        out += [f"> {note}", ""]
    risky = [a for a in review.atoms if a.callers_at_risk]
    if risky:
        out += ["### Callers at risk", ""]
        for a in risky:
            out.append(f"- `{a.old_id or a.id}` ({a.change}{_sig(a)}):")
            out += [f"  - `{c.id}`: {c.why}{' (changed too)' if c.also_changed else ''}"
                    for c in a.callers_at_risk]
        out.append("")
    untested = [a for a in review.atoms if a.change != "deleted" and a.untested]
    if untested:
        out += ["### Changed and reached by no test", ""]
        out += [f"- `{a.id}` ({a.change})" for a in untested]
        out.append("")
    out += ["### Changes by file", ""]
    by_file: dict[str, list[AtomReview]] = {}
    for a in review.atoms:
        by_file.setdefault(a.file_path, []).append(a)
    for path, atoms in by_file.items():
        out.append(f"**{path}**")
        out.append("")
        for a in atoms:
            detail = ", ".join(a.aspects)
            if a.old_id:
                detail = f"from `{a.old_id}`" + (f"; {detail}" if detail else "")
            tests = f"{len(a.tests)} test(s)" if a.tests else (
                "no test" if a.change != "deleted" and a.untested else "")
            bits = "; ".join(b for b in (detail, _sig(a).lstrip(", "), tests) if b)
            out.append(f"- {a.change} `{a.kind} {a.name}` (line {a.line})" + (f": {bits}" if bits else ""))
        out.append("")
    out.append(f"<sub>dgtui diff; callers and tests from index version {review.index_version}</sub>")
    return "\n".join(out) + "\n"


def _sig(a: AtomReview) -> str:
    if not a.signature_change:
        return ""
    return f", {a.signature_change} signature" + (f": {a.signature_note}" if a.signature_note else "")


def brief(review: Review, *, detail: bool = False, limit: int = 50) -> dict[str, Any]:
    """For a model: counts, the risks, and each atom in a few keys (ids to pass back)."""
    def atom(a: AtomReview) -> dict[str, Any]:
        row: dict[str, Any] = {"id": a.id, "change": a.change}
        if a.old_id:
            row["was"] = a.old_id
        if a.aspects:
            row["aspects"] = list(a.aspects)
        if a.signature_change:
            row["signature"] = a.signature_change + (f": {a.signature_note}" if a.signature_note else "")
        if a.callers_at_risk:
            row["at_risk"] = [{"id": c.id, "why": c.why} for c in a.callers_at_risk]
        if detail:
            row["tests"] = [t.id for t in a.tests]
        else:
            row["tests"] = len(a.tests)
        if a.change != "deleted" and a.untested:
            row["untested"] = True
        return row

    atoms = list(review.atoms)
    # what needs attention first: callers at risk, breaking, untested; then the rest
    atoms.sort(key=lambda a: (not a.callers_at_risk, a.signature_change != "breaking",
                              not (a.change != "deleted" and a.untested)))
    out: dict[str, Any] = {"base": review.base, "summary": summary_line(review),
                           "counts": review.counts, "atoms": [atom(a) for a in atoms[:limit]],
                           "truncated": len(atoms) > limit}
    if review.notes:
        out["notes"] = list(review.notes)
    return out


def impact_brief(review: Review, *, limit: int = 100) -> dict[str, Any]:
    """What the changes may break, for a model deciding whether it is done: breaking
    signatures with their callers, callers left calling nothing, the tests to run (those that
    reach a changed atom) and the changed atoms no test reaches."""
    breaking = [{"id": a.id, "why": a.signature_note,
                 "callers": [c.id for c in a.callers_at_risk if c.why != CALLS_NOTHING]}
                for a in review.atoms if a.signature_change == "breaking"]
    left = [{"caller": c.id, "called": a.old_id or a.id, "change": a.change,
             **({"now": a.id} if a.old_id else {}), **({"changed_too": True} if c.also_changed else {})}
            for a in review.atoms for c in a.callers_at_risk if c.why == CALLS_NOTHING]
    tests: dict[str, str] = {}
    for a in review.atoms:
        for t in a.tests:
            tests.setdefault(t.id, t.file_path)
    untested = [a.id for a in review.atoms if a.change != "deleted" and a.untested]
    out: dict[str, Any] = {
        "base": review.base, "summary": summary_line(review),
        "breaking": breaking[:limit], "calls_nothing_now": left[:limit],
        "tests_to_run": {"files": sorted(set(tests.values())), "tests": sorted(tests)[:limit],
                         "count": len(tests)},
        "untested": untested[:limit],
        "truncated": max(len(breaking), len(left), len(tests), len(untested)) > limit}
    if review.notes:
        out["notes"] = list(review.notes)
    return out
