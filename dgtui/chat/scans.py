"""Answers about a file, a folder or the whole repository: changes, unresolved calls, dead code,
complexity, and the search every unrecognised question falls back to."""

from __future__ import annotations

import re
import time
from dataclasses import replace
from typing import Any

from .. import query as q
from ..model import EventFilter
from . import findings as fnd
from .reply import MAX_LISTED, Reply

#: "What changed recently" with no time given: the events of this many last transactions.
RECENT_TRANSACTIONS = 5
#: Events read for a "what changed" answer (the text lists fewer).
EVENTS_READ = 500
#: Functions listed by "most complex functions".
COMPLEX_SHOWN = 10
#: Search hits listed by the fallback.
SEARCH_SHOWN = 10
_STOPWORDS = frozenset(
    "a an the is are was were be do does did how what why who which where when of in on to for "
    "and or not it its this that with from by about can could should would will i we you me my "
    "our your there here any all some me please tell show explain work works".split())


def recent_transactions(count: int) -> str:
    """"in the last 5 transactions", said as it is when there are fewer."""
    if count <= 0:
        return "yet (no transaction so far)"
    return "in the last transaction" if count == 1 else f"in the last {count} transactions"


def place(r: Reply) -> tuple[str | None, str]:
    """The GLOB an intent's path means, and how to name it in the answer."""
    if not r.intent.path:
        return None, "the repository"
    found = q.match_path(r.ctx.store, r.intent.path)
    if found is None:
        r.say(f"No indexed file or folder matches '{r.intent.path}'; looking at it as written.")
        return r.intent.path, r.intent.path
    glob, paths = found
    r.subject = glob
    r.data["path_glob"] = glob
    for p in paths[:MAX_LISTED]:
        r.use_file(p)
    return glob, glob.removesuffix("/*") + ("/" if glob.endswith("/*") else "")


def changes(r: Reply) -> None:
    glob, label = place(r)
    since = r.intent.since
    f = EventFilter(file_glob=glob, limit=EVENTS_READ)
    if since is None:
        f.since_transaction = max(0, r.version - RECENT_TRANSACTIONS)
        when = recent_transactions(r.version - f.since_transaction)
    elif since.transaction is not None:
        f.since_transaction, when = since.transaction, f"since {since.label}"
    else:
        f.since, when = since.time, f"since {since.label}"
    events: list[dict[str, Any]] = []
    for source in r.intent.sources or (None,):
        events += q.events(r.ctx.store, replace(f, source=source))
    events.sort(key=lambda e: e["event_id"], reverse=True)
    by = f" by {'/'.join(r.intent.sources)}" if r.intent.sources else ""
    r.data.update(since_transaction=f.since_transaction, since_time=f.since,
                  sources=list(r.intent.sources), events=len(events))
    if not events:
        r.say(f"Nothing changed in {label} {when}{by} (index at transaction {r.version}).")
        return
    r.say(f"{len(events)} change(s) in {label} {when}{by}:")
    atoms = q.stored_atoms(r.ctx.store, list({e["atom_id"] for e in events}))
    shown = 0
    for tx in dict.fromkeys(e["transaction_id"] for e in events):
        group = sorted((e for e in events if e["transaction_id"] == tx), key=lambda e: e["event_id"])
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(group[0]["time"]))
        r.say(f"transaction {tx} ({group[0]['source']}, {stamp}):")
        for e in group:
            stored = atoms.get(e["atom_id"])
            name = r.use(q.atom_dict(stored)) if stored else f"{e['atom_id']} (gone)"
            if stored is None:
                r.use_file(e["file_path"])
            if shown < MAX_LISTED:
                detail = f": {', '.join(e['changed'])}" if e["changed"] else ""
                renamed = f" -> renamed to {e['renamed_to']}" if e.get("renamed_to") else ""
                r.say(f"  {e['operation']} {name}{detail}{renamed}")
            shown += 1
    if shown > MAX_LISTED:
        r.say(f"  ... and {shown - MAX_LISTED} more")


def unresolved(r: Reply) -> None:
    glob, label = place(r)
    rows = q.unresolved(r.ctx.store, glob)
    r.data["calls"] = len(rows)
    if not rows:
        r.say(f"Every call in {label} resolves to one atom.")
        return
    ambiguous = sum(1 for x in rows if x["resolution"] == "ambiguous")
    r.say(f"{len(rows)} call(s) in {label} do not resolve to one atom "
          f"({ambiguous} ambiguous, {len(rows) - ambiguous} unresolved):")
    sources = q.stored_atoms(r.ctx.store, list({x["source_id"] for x in rows}))
    for i, x in enumerate(rows):
        stored = sources.get(x["source_id"])
        where = r.use(q.atom_dict(stored)) if stored else x["source_id"]
        if i >= MAX_LISTED:
            continue
        line = f"  {x['callee']} at line {x['line']} in {where}: {x['resolution']}"
        if x["resolution"] == "ambiguous":
            options = [c["id"] for c in q.candidates_for(r.ctx.store, x["short_name"], limit=5)]
            line += f" between {x['candidates']} atoms ({', '.join(options)})"
        r.say(line)
    if len(rows) > MAX_LISTED:
        r.say(f"  ... and {len(rows) - MAX_LISTED} more")


def dead_code(r: Reply) -> None:
    glob, label = place(r)
    rows = q.dead_code(r.ctx.store, glob)
    r.data["candidates"] = len(rows)
    if not rows:
        r.say(f"No dead-code candidates in {label}: every function that is neither exported nor "
              "a test has a caller (or a name some unresolved call may mean).")
        return
    r.say(f"{len(rows)} dead-code candidate(s) in {label}: nothing calls them and they are "
          "neither exported nor tests (a call by name at run time is invisible here):")
    r.listing(rows, lambda row: f"{r.use(row)}  [{row['kind']}]")
    r.find([fnd.dead_code(row) for row in rows])


def complexity(r: Reply) -> None:
    glob, label = place(r)
    rows = q.most_complex(r.ctx.store, glob, limit=COMPLEX_SHOWN)
    if not rows:
        r.say(f"No functions in {label}.")
        return
    r.say(f"The most complex functions in {label} (cyclomatic complexity):")
    r.listing(rows, lambda row: f"{row['complexity']:>3}  {r.use(row)}")
    for row in rows:
        r.find(fnd.complexity(row))


def search(r: Reply, text: str, *, unrecognised: bool = True) -> None:
    """Full-text search; with several words and no hit for all, the hits of each word."""
    r.fallback = True
    store = r.ctx.store
    hits = q.search(store, text, limit=SEARCH_SHOWN)
    if not hits:
        words = [w for w in re.findall(r"[A-Za-z_$][\w$]*", text)
                 if len(w) > 2 and w.lower() not in _STOPWORDS]
        seen: dict[str, dict[str, Any]] = {}
        for word in words:
            for hit in q.search(store, word, limit=SEARCH_SHOWN):
                seen.setdefault(hit["id"], hit)
        hits = list(seen.values())[:SEARCH_SHOWN]
    if unrecognised:
        r.say("I did not recognise a question about the call graph, so this is a full-text "
              f"search of the index for '{text}'.")
    if not hits:
        r.say("The search found nothing.")
    else:
        r.say(f"The search found {len(hits)} atom(s):")
        r.listing(hits, lambda row: f"{r.use(row)}  [{row['kind']}]")
    if unrecognised:
        r.say("I can answer: where is X defined; who calls X (to depth N); what does X call; "
              "impact of changing X; what changed recently (in a file, since 2h, by the agent); "
              "async functions that call X; unresolved calls in a file; dead code; cycles "
              "through X; most complex functions in a folder.")
