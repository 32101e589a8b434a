"""What an edit did and what it may break, in the brief shape of the other tools' answers.

Shared by the MCP edit tools and ``dgtui edit --json``: the transaction, each atom changed (with
its new version, the fields that changed, a breaking signature change), the callers now at risk
(they call an atom whose signature change is breaking), the callers left calling nothing (a
deleted or renamed-away atom), the tests that reach the edited atom, and for a rename the call
sites rewritten and those left alone (ambiguous, unresolved or guessed by name). Reads only
through ``dgtui.query``, after the edit's commit. Imports no MCP SDK (the CLI uses it).
"""

from __future__ import annotations

from typing import Any

from .. import query as q
from ..engine.edit import CallSite, EditResult
from ..query import Store

MAX_LISTED = 50


def edit_report(store: Store, result: EditResult) -> dict[str, Any]:
    out: dict[str, Any] = {"operation": result.operation, "atom": result.atom}
    if result.dry_run:
        return {**out, "dry_run": True, "files": result.files, "diff": result.diff}
    delta = result.delta
    if delta is None:
        return {**out, "changed": False, "note": "the edit changes nothing; nothing was written"}
    out.update(transaction=delta.transaction_id, source=delta.source, files=list(delta.files))
    atoms, moved, at_risk, tests = [], 0, {}, []
    for c in delta.changes:
        if c.moved_only:
            moved += 1
            continue
        row: dict[str, Any] = {"op": c.operation, "id": c.atom_id}
        if c.operation != "delete":
            row["version"] = q.atom_dict(q.resolve_atom(store, c.atom_id))["version"]
        for key in ("changed", "breaking", "renamed_from", "renamed_to"):
            value = getattr(c, key)
            if value:
                row[key] = list(value) if isinstance(value, tuple) else value
        atoms.append(row)
        if c.breaking:
            callers = sorted(r["id"] for r in q.callers(store, c.atom_id, 1) if r.get("id"))
            if callers:
                at_risk[c.atom_id] = callers[:MAX_LISTED]
    out["atoms"] = atoms
    if moved:
        out["moved_only"] = moved  # atoms below the edit: a new line number, the same version
    signature = _signature(store, result)
    if signature:
        out["signature"] = signature
    if at_risk:
        out["callers_at_risk"] = at_risk
    broken = delta.broken_callers()
    if broken:
        out["callers_calling_nothing"] = broken
    edited = _edited_id(result)
    if edited is not None:
        tests = [r["id"] for r in q.impact(store, edited)["tests"]]
        if tests:
            out["tests_reaching"] = tests[:MAX_LISTED]
    if result.operation == "rename":
        out["call_sites_rewritten"] = [_site(s) for s in result.rewritten[:MAX_LISTED]]
        out["call_sites_left"] = [_site(s) for s in result.left[:MAX_LISTED]]
        if result.imports:
            out["imports_renamed"] = sorted(set(result.imports))
        if result.mentions:
            out["old_name_still_in"] = result.mentions
        if result.overrides:
            out["overrides_keep_old_name"] = sorted(result.overrides)
    return out


def _edited_id(result: EditResult) -> str | None:
    """The edited atom's id after the edit (a rename or a replace may have given it a new one)."""
    delta = result.delta
    if result.operation == "delete" or delta is None:
        return None
    for c in delta.changes:
        if c.renamed_from == result.atom:
            return c.atom_id
    if any(c.atom_id == result.atom and c.operation != "delete" for c in delta.changes):
        return result.atom
    if result.operation == "insert":
        created = [c.atom_id for c in delta.changes if c.operation == "create"]
        return created[0] if created else None
    return None


def _signature(store: Store, result: EditResult) -> dict[str, Any] | None:
    """The edited atom's signature before and after, and whether the change is breaking."""
    edited = _edited_id(result)
    if result.before is None or edited is None or result.operation != "replace":
        return None
    now = q.atom_dict(q.resolve_atom(store, edited))
    if now["signature"] == result.before.signature and now["is_async"] == result.before.is_async:
        return None
    change = next((c for c in result.delta.changes if c.atom_id == edited), None)
    breaking = change.breaking if change is not None else None
    return {"old": result.before.signature, "new": now["signature"],
            "compatible": breaking is None, **({"breaking": breaking} if breaking else {})}


def _site(site: CallSite) -> dict[str, Any]:
    return {"caller": site.caller, "line": site.line, "callee": site.callee,
            "resolution": site.resolution}
