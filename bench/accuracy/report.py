"""The accuracy results as text: one table set per corpus (printed and in ``accuracy.md``), and
the misses file the resolver work reads (``accuracy-misses.txt``): the most frequent wrong
edges and missed calls, and the callee forms they take."""

from __future__ import annotations

TOP = 20
_HEADLINE = ("call sites", "truth: repo", "right", "wrong", "ambiguous, truth among candidates",
             "ambiguous, truth not among candidates", "ambiguous", "unresolved", "dropped",
             "false edge, truth external", "false edge, truth not an atom",
             "truth: repo, not an atom", "truth: external", "truth: unknown")


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f}%"


def _table(head: list[str], rows: list[list]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    return out + ["| " + " | ".join(str(x) for x in row) + " |" for row in rows]


def corpus_markdown(name: str, r: dict) -> list[str]:
    if "status" in r:
        return [f"## {name}", "", r["status"], ""]
    c = r["counts"]
    t = r["timings"]
    out = [f"## {name}", "",
           f"Judged: {r['scope']}. Oracle: {r['oracle']}. Indexed root: `{r['root']}`.", "",
           f"**recall {_pct(r['recall'])}** (right {r['right']:,} / into the repository "
           f"{r['into_repository']:,}) · **precision {_pct(r['precision'])}** (right {r['right']:,}"
           f" / judged edges with a target {r['judged_edges']:,})", "",
           f"Time: oracle {t['oracle_seconds']:.1f} s ({r['oracle_files']['asked']} files asked, "
           f"{r['oracle_files']['cached']} cached), dgtui index {t['index_seconds']:.1f} s "
           f"({r['atoms']:,} atoms, {r['edges']:,} edge rows), judging {t['judge_seconds']:.1f} s, "
           f"peers {t['peers_seconds']:.1f} s.", ""]
    out += _table(["count", "n"], [[k, f"{c.get(k, 0):,}"] for k in _HEADLINE])
    rest = sorted(k for k in c if k not in _HEADLINE)
    out += ["", "Exclusions and details:", ""] + [f"- {k}: {c[k]:,}" for k in rest]
    cols = ["sites", "into repository", "with a target", "right", "wrong",
            "unjudged (truth unknown)", "ambiguous", "unresolved", "dropped"]
    rows = []
    for kind, k in r["by_kind"].items():
        amb = sum(v for key, v in k.items() if key.startswith("ambiguous"))
        rows.append([kind] + [f"{(amb if col == 'ambiguous' else k.get(col, 0)):,}" for col in cols]
                    + [_pct(k["precision"])])
    out += ["", "By dgtui resolution kind (wrong includes false edges to external code):", ""]
    out += _table(["kind"] + cols + ["precision"], rows)
    peers = r.get("peers")
    if peers:
        out += ["", f"Pairs (caller, callee), against the oracle's {peers['oracle pairs']:,} pairs:", ""]
        prow = []
        for tool, p in peers.items():
            if tool == "oracle pairs":
                continue
            if "status" in p:
                prow.append([tool, p["status"], "", "", "", "", ""])
                continue
            note = (f"{p['files analysed']} files, {len(p['files left out'])} left out, "
                    f"{p['unmapped edges']:,} unmapped edges" if "files analysed" in p else "")
            prow.append([tool, f"{p['pairs']:,}", f"{p['right']:,}", f"{p['unjudged']:,}",
                         _pct(p["precision"]), _pct(p["recall"]), note])
        out += _table(["tool", "pairs", "right", "unjudged", "precision", "recall", "notes"], prow)
    return out + [""]


def markdown(results: dict) -> str:
    out = ["# Call-graph accuracy (`python -m bench.accuracy`)", "",
           "Every call site in the judged files (Python's `ast`; the TypeScript parser) against "
           "where a type-inferring oracle (jedi; the TypeScript checker) says it goes; "
           "definitions in `bench/accuracy/compare.py`.", ""]
    for name, r in results["corpora"].items():
        out += corpus_markdown(name, r)
    return "\n".join(out)


def misses(results: dict) -> str:
    out = []
    for name, r in results["corpora"].items():
        if "status" in r:
            continue
        out += [f"=== {name}: {TOP} most frequent wrong edges "
                "(count | callee | kind | dgtui target | oracle | example)"]
        out += [f"{p['count']:6} | {p['callee']} | {p['kind']} | {p['dgtui']} | {p['oracle']} | "
                f"{p['example']}" for p in r["wrong_patterns"][:TOP]]
        out += ["", f"=== {name}: {TOP} most frequent missed calls, truth in the repository "
                "(count | callee | kind | oracle | example)"]
        out += [f"{p['count']:6} | {p['callee']} | {p['kind']} | {p['oracle']} | {p['example']}"
                for p in r["missed_patterns"][:TOP]]
        out += ["", f"=== {name}: misses by callee form (count | form | outcome)"]
        out += [f"{s['count']:6} | {s['shape']} | {s['outcome']}" for s in r["shapes"][:TOP]]
        out += [""]
    return "\n".join(out)
