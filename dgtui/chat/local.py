"""The local answerer: every answer computed from the index and the call graph, no network.

It detects the intent, finds the atoms the question names (fuzzily: "saveatom" is
``save_atom``), runs the matching question of the query layer or the graph, and writes what it
found with the atoms, files and findings it used. The same question on the same index always
gets the same answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import query as q
from . import findings as fnd
from . import intents as it
from . import scans
from .answer import Answer
from .context import GraphContext
from .reply import Reply

#: A name that matches more atoms than this is answered for the first few only.
MAX_SUBJECTS = 5


class LocalAnswerer:
    name = "local"

    def answer(self, question: str, ctx: GraphContext) -> Answer:
        intent = it.detect(question)
        r = Reply(ctx, intent)
        if intent.name in _ABOUT_ATOM:
            subjects = _subjects(r)
            if subjects:
                _ABOUT_ATOM[intent.name](r, subjects)
        elif intent.name == it.SEARCH:
            scans.search(r, intent.subject or question)
        else:
            _ABOUT_PLACE[intent.name](r)
        return r.build(self.name)


def _subjects(r: Reply) -> list[dict[str, Any]]:
    """The atoms the question names; when none, say so and fall back to a search."""
    subject = r.intent.subject or ""
    found, how = r.ctx.match(subject, file_hint=r.intent.path, limit=50)
    r.data["match"] = how
    if not found:
        r.say(f"I found no atom named '{subject}', so this is a full-text search for it.")
        scans.search(r, subject, unrecognised=False)
        return []
    rows = [q.atom_dict(s) for s in found]
    if how in ("normalized", "fuzzy"):
        names = ", ".join(sorted({row["qualified_name"] for row in rows}))
        r.say(f"(Taking '{subject}' to mean {names}.)")
    if len(rows) > MAX_SUBJECTS:
        r.say(f"'{subject}' names {len(rows)} atoms; answering for the first {MAX_SUBJECTS} "
              "(ask with an id such as " + rows[0]["id"] + " to pick one).")
    elif len(rows) > 1:
        r.say(f"'{subject}' names {len(rows)} atoms; answering for each.")
    r.subject = rows[0]["id"] if len(rows) == 1 else subject
    return rows[:MAX_SUBJECTS]


def definition(r: Reply, subjects: list[dict[str, Any]]) -> None:
    counts = q.call_counts(r.ctx.store, [s["id"] for s in subjects])
    for row in subjects:
        flags = " ".join(f for f, on in (("async", row["is_async"]),
                                         ("exported", row["is_exported"])) if on)
        end = f"-{row['end_line']}" if row["end_line"] else ""
        what = f"{flags} {row['kind']}".strip()
        article = "an" if what[0] in "aeiou" else "a"
        r.say(f"{r.use(row)} is {article} {what} in {row['file_path']}, lines "
              f"{row['line']}{end}, complexity {row['complexity']}; id {row['id']}")
        if row["signature"]:
            r.say(f"  {row['signature']}")
        if row["docstring"]:
            r.say(f"  \"{row['docstring'].strip().splitlines()[0]}\"")
        callers, callees = counts[row["id"]]
        r.say(f"  called by {callers} atom(s); calls {callees} name(s)")
    r.find(fnd.for_atoms(r.ctx, subjects))


def callers(r: Reply, subjects: list[dict[str, Any]]) -> None:
    depth = r.intent.depth or 1
    r.data["depth"] = depth
    deep = " (at any depth)" if depth >= it.DEEP else f" (to depth {depth})" if depth > 1 else ""
    for row in subjects:
        head = r.use(row)
        rows = q.callers(r.ctx.store, row["id"], depth)
        if rows:
            r.say(f"{head} is called by {len(rows)} atom(s){deep}:")
            r.listing(rows, lambda c: f"{'  ' * (c['depth'] - 1)}{r.use(c)}  [{c['resolution']}"
                      f"{', depth ' + str(c['depth']) if depth > 1 else ''}]")
        else:
            r.say(f"Nothing calls {head} (no resolved call).")
        _loose(r, row)
    r.find(fnd.for_atoms(r.ctx, subjects))


def _loose(r: Reply, row: dict[str, Any]) -> None:
    loose = q.loose_calls_to(r.ctx.store, row["name"])
    if loose:
        r.say(f"  {len(loose)} unresolved or ambiguous call(s) named {row['name']} may reach it "
              f"too, e.g. {loose[0]['callee']} in {loose[0]['source_id']} line {loose[0]['line']}.")


def callees(r: Reply, subjects: list[dict[str, Any]]) -> None:
    depth = r.intent.depth or 1
    r.data["depth"] = depth
    for row in subjects:
        head = r.use(row)
        rows = q.callees(r.ctx.store, row["id"], depth)
        rows.sort(key=lambda c: (c["depth"], c.get("id") is None))  # atoms first, then the rest
        if not rows:
            r.say(f"{head} calls nothing.")
            continue
        resolved = sum(1 for c in rows if c.get("id"))
        r.say(f"{head} makes {len(rows)} call(s){f' (to depth {depth})' if depth > 1 else ''}, "
              f"{resolved} resolved to an atom:")
        r.listing(rows, lambda c: f"{'  ' * (c['depth'] - 1)}" + (
            f"{r.use(c)}  [{c['resolution']}]" if c.get("id") else
            f"{c['callee']}  [{c['resolution']}"
            f"{', ' + str(c['candidates']) + ' candidates' if c['candidates'] else ''}]"))
    r.find(fnd.for_atoms(r.ctx, subjects))


def impact(r: Reply, subjects: list[dict[str, Any]]) -> None:
    tested_repo = q.has_tests(r.ctx.store)
    for row in subjects:
        head = r.use(row)
        imp = q.impact(r.ctx.store, row["id"], max_depth=it.DEEP)
        rows, tests = imp["callers"], imp["tests"]
        r.data.setdefault("impact", {})[row["id"]] = {
            "callers": len(rows), "files": len(imp["files"]), "tests": len(tests),
            "max_depth": imp["max_depth"], "unfollowed": imp["unfollowed"]}
        unfollowed = (f" {imp['unfollowed']} call(s) on the way could not be resolved to one atom "
                      "and were not followed." if imp["unfollowed"] else "")
        if not rows:
            r.say(f"Nothing calls {head}: a change to it reaches no other atom (resolved calls)."
                  + unfollowed)
        else:
            r.say(f"Changing {head} reaches {len(rows)} atom(s) in {len(imp['files'])} file(s), "
                  f"up to {imp['max_depth']} call(s) away." + unfollowed)
            r.say(f"Tests among them: {len(tests)}" + (":" if tests else "."))
            r.listing(tests, lambda c: f"{r.use(c)}  [depth {c['depth']}]")
            r.say("Callers, nearest first:")
            r.listing(rows, lambda c: f"{r.use(c)}  [depth {c['depth']}]")
            for path in imp["files"]:
                r.use_file(path)
        _loose(r, row)
        if tested_repo and not tests:
            r.find([fnd.untested(row, len(rows))])
    r.find(fnd.for_atoms(r.ctx, subjects))


def async_callers(r: Reply, subjects: list[dict[str, Any]]) -> None:
    depth = r.intent.depth or 1
    r.data["depth"] = depth
    reach = ("directly" if depth == 1 else "at any depth" if depth >= it.DEEP
             else f"within {depth} calls")
    for row in subjects:
        head = r.use(row)
        rows = q.async_callers(r.ctx.store, row["id"], depth)
        if rows:
            r.say(f"{len(rows)} async function(s) call {head} {reach}:")
            r.listing(rows, lambda c: f"{r.use(c)}  [{c['resolution']}, depth {c['depth']}]")
        else:
            r.say(f"No async function calls {head} {reach}"
                  + (" (ask 'transitively' to look further)." if depth == 1 else "."))
    r.find(fnd.for_atoms(r.ctx, subjects))


def cycles(r: Reply, subjects: list[dict[str, Any]]) -> None:
    for row in subjects:
        head = r.use(row)
        # the cheap walk first: listing cycles needs the atom's whole strongly connected part
        found = (r.ctx.cycles_through(row["id"], limit=fnd.CYCLES_SHOWN)
                 if r.ctx.cycle_length(row["id"]) is not None else [])
        if not found:
            r.say(f"{head} is in no call cycle (resolved calls only).")
            continue
        r.say(f"{head} is in {len(found)}{'+' if len(found) == fnd.CYCLES_SHOWN else ''} "
              "call cycle(s):")
        members = q.stored_atoms(r.ctx.store, list({i for c in found for i in c}))
        for cycle in found:
            names = [r.use(q.atom_dict(members[i])) if i in members else i for i in cycle]
            r.say("  " + " -> ".join(names + names[:1]))
    r.find(fnd.for_atoms(r.ctx, subjects))


_ABOUT_ATOM: dict[str, Callable[[Reply, list[dict[str, Any]]], None]] = {
    it.DEFINITION: definition, it.CALLERS: callers, it.CALLEES: callees, it.IMPACT: impact,
    it.ASYNC_CALLERS: async_callers, it.CYCLES: cycles,
}
_ABOUT_PLACE: dict[str, Callable[[Reply], None]] = {
    it.CHANGES: scans.changes, it.UNRESOLVED: scans.unresolved, it.DEAD_CODE: scans.dead_code,
    it.COMPLEXITY: scans.complexity,
}
