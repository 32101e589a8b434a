"""Judge dgtui's edge rows against the oracle's call sites, one call site at a time.

A site is keyed by (file, line where the callee starts, callee's last identifier): dgtui's edge
rows carry exactly that (no column), so sites and rows sharing a key are paired in source order.

The oracle's answer becomes the truth:
- ``repo``: a definition in the indexed folder that maps to a dgtui atom (the atom of that
  name whose span holds the definition's line);
- ``repo, not an atom``: in the folder, but dgtui models no atom there (a lambda, a callable
  assigned to a name, an interface member): no recall is asked for it, an edge is wrong;
- ``external``: the standard library, a dependency, a builtin: an edge to an atom is wrong;
- ``unknown``: no answer; excluded from recall and precision, and counted.

Constructors: dgtui resolves ``C()`` (``new C()``) to the class atom ``C``. Both sides are
folded the same way: a ``__init__``/``constructor`` method counts as its class. A name defined
more than once in one file (``typing.overload`` stubs and their implementation, definitions
under ``if``: dgtui's ids ``f``, ``f#2``...) is one target: which runs is not static.

Outcomes of a ``repo`` site: ``right`` (dgtui's target is the truth, or one of the oracle's
answers when it gives several), ``wrong``, ``ambiguous`` (no target, candidates kept: with or
without the truth among them when the index keeps candidate ids), ``unresolved`` (no target
and no candidates, whatever the kind says), ``dropped`` (no edge row at that line and name).
recall = right / repo; precision = right / (edges with a target whose site has a known truth).
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from bench.accuracy.index import Atom, Edge

CONSTRUCTORS = ("__init__", "constructor")
OUTCOMES_REPO = ("right", "wrong", "ambiguous, truth among candidates",
                 "ambiguous, truth not among candidates", "ambiguous", "unresolved", "dropped")


class AtomIndex:
    """dgtui's atoms by file: where a definition the oracle names is, who holds a line."""

    def __init__(self, atoms: dict[str, Atom]):
        self.atoms = atoms
        self.by_name: dict[tuple[str, str], list[Atom]] = defaultdict(list)
        self.by_qualified: dict[tuple[str, str], str] = {}
        spans: dict[str, list[Atom]] = defaultdict(list)
        self.modules: dict[str, str] = {}
        for a in atoms.values():
            if a.kind == "module":
                self.modules[a.file_path] = a.id
                continue
            self.by_name[(a.file_path, a.name)].append(a)
            self.by_qualified.setdefault((a.file_path, a.qualified_name), a.id)
            spans[a.file_path].append(a)
        self.spans = {f: sorted(xs, key=lambda a: a.line) for f, xs in spans.items()}
        self.starts = {f: [a.line for a in xs] for f, xs in self.spans.items()}

    def locate(self, file: str, line: int | None, name: str, qualname: str | None = None) -> str | None:
        """The atom defined at ``file:line`` under ``name``: the same line, else the innermost
        atom of that name whose span holds the line (a decorator or a multi-line header). With
        no line but a qualified name (an answer mapped back from a stub), the atom of that name."""
        if line is None and qualname:
            return self.by_qualified.get((file, qualname))
        found = self.by_name.get((file, name), ())
        exact = [a for a in found if a.line == line]
        if exact:
            return exact[0].id
        holding = [a for a in found if line is not None and a.line <= line <= (a.end_line or a.line)]
        return max(holding, key=lambda a: a.line).id if holding else None

    def holder(self, file: str, line: int) -> str | None:
        """The innermost atom holding ``line``: the caller of a call dgtui has no row for."""
        xs = self.spans.get(file, [])
        best = None
        for a in xs[:bisect.bisect_right(self.starts.get(file, []), line)]:
            if line <= (a.end_line or a.line) and (best is None or a.line >= best.line):
                best = a
        return best.id if best is not None else self.modules.get(file)

    def canonical(self, atom_id: str) -> str:
        """One id per call target: a name defined again in its file (``f#2``: an overload, a
        conditional definition) is its first definition; a constructor is its class."""
        base, sep, n = atom_id.rpartition("#")
        if sep and n.isdigit() and base in self.atoms:
            atom_id = base
        a = self.atoms.get(atom_id)
        if a is not None and a.name in CONSTRUCTORS and a.parent_id in self.atoms \
                and self.atoms[a.parent_id].kind == "class":
            return a.parent_id
        return atom_id


@dataclass
class Pairs:
    """(caller, callee) pairs for the peers' comparison, all restricted to the judged files."""

    oracle: set = field(default_factory=set)
    dgtui: set = field(default_factory=set)
    unknown_names: dict = field(default_factory=lambda: defaultdict(set))  # caller -> names


def truth(site: dict, ix: AtomIndex) -> tuple[str, set[str], str]:
    """(status, target atom ids, what the oracle said, for the reports)."""
    answers = site.get("answers")
    if answers is None:
        return "not a name", set(), site.get("why", "")
    repo = [a for a in answers if a["file"]]
    if repo:
        ids = {ix.canonical(x) for a in repo
               if (x := ix.locate(a["file"], a["line"], a["name"], a.get("qualname")))}
        if ids:
            return "repo", ids, " | ".join(sorted(ids))
        return "repo, not an atom", set(), " | ".join(f"{a['file']}:{a['line']} {a['name']}" for a in repo)
    if answers:
        return "external", set(), " | ".join(sorted({f"{a['module']}.{a['name']}" for a in answers}))
    return "unknown", set(), site.get("why", "no answer")


def shape(callee: str) -> str:
    """The callee's form, names blanked: ``self.x.save`` -> ``self.name.name``."""
    parts = callee.split(".")
    out = [p if p in ("self", "cls", "this", "super()") else
           "<expr>" if not p.isidentifier() else "name" for p in parts]
    return ".".join(out) if len(out) <= 3 else ".".join(out[:3]) + ".…"


def _outcome(row: Edge | None, target: str | None, truths: set[str], ix: AtomIndex) -> str:
    """What dgtui made of a call whose truth is in the repository."""
    if row is None:
        return "dropped"
    if target is not None:
        return "right" if target in truths else "wrong"
    if row.candidates or row.candidate_ids:
        if row.candidate_ids is None:  # the index keeps only the count
            return "ambiguous"
        among = truths & {ix.canonical(x) for x in row.candidate_ids}
        return f"ambiguous, truth {'among' if among else 'not among'} candidates"
    return "unresolved"


def judge(oracle: dict[str, dict], ix: AtomIndex, edges: list[Edge]) -> tuple[dict, Pairs]:
    """Every site of ``oracle`` ({file: {"sites", "unparsable"}}) against dgtui's rows."""
    atoms = ix.atoms
    rows: dict[str, dict[tuple, list[Edge]]] = defaultdict(lambda: defaultdict(list))
    for e in edges:
        if e.file_path in oracle:
            rows[e.file_path][(e.line, e.short)].append(e)
    c: Counter = Counter()
    kinds: dict[str, Counter] = defaultdict(Counter)
    wrong, missed, shapes = Counter(), Counter(), Counter()
    where: dict[tuple, str] = {}
    pairs = Pairs()
    indexed = {a.file_path for a in atoms.values()}
    for file, entry in sorted(oracle.items()):
        if entry["unparsable"]:
            c["files the oracle could not parse (excluded)"] += 1
            continue
        if file not in indexed:
            c["files: not in dgtui's index (excluded)"] += 1
            c["sites in files not in the index (excluded)"] += len(entry["sites"])
            continue
        c["files judged"] += 1
        by_key = rows.get(file, {})
        pairs.dgtui.update((e.source_id, ix.canonical(e.target_id))
                           for group in by_key.values() for e in group if e.target_id)
        seen: Counter = Counter()
        for site in entry["sites"]:
            c["call sites"] += 1
            status, targets, said = truth(site, ix)
            key = (site["line"], site["short"])
            group = by_key.get(key, [])
            row = group[seen[key]] if seen[key] < len(group) else None
            seen[key] += 1
            kind = row.kind if row is not None else "(no row)"
            caller = row.source_id if row is not None else ix.holder(file, site["line"])
            target = ix.canonical(row.target_id) if row is not None and row.target_id else None
            loc = f"{file}:{site['line']}"
            if status == "not a name":
                c["excluded: callee is not a name (f()(), a[0]())"] += 1
                continue
            c[f"truth: {status}"] += 1
            k = kinds[kind]
            k["sites"] += 1
            k["with a target"] += target is not None
            if status == "unknown":
                c[f"unknown: {said}"] += 1
                k["unjudged (truth unknown)"] += target is not None
                if caller:
                    pairs.unknown_names[caller].add(site["short"])
                    if target is not None:  # a call through a value: its target has another name
                        pairs.unknown_names[caller].add(ix.atoms[target].name)
                continue
            if status != "repo":
                if target is not None:
                    outcome = "false edge, truth external" if status == "external" else \
                        "false edge, truth not an atom"
                    c[outcome] += 1
                    k["wrong"] += 1
                    wrong[(site["callee"], kind, target, f"{status}: {said}")] += 1
                    where.setdefault(("w", site["callee"], kind, target), loc)
                    shapes[(shape(site["callee"]), outcome)] += 1
                else:
                    c[f"{status}: no edge (correct)"] += 1
                continue
            c["oracle gave several targets"] += len(targets) > 1
            k["into repository"] += 1
            if caller:
                pairs.oracle.update((caller, t) for t in targets)
            outcome = _outcome(row, target, targets, ix)
            c[outcome] += 1
            k[outcome] += 1
            if outcome == "wrong":
                wrong[(site["callee"], kind, target, said)] += 1
                where.setdefault(("w", site["callee"], kind, target), loc)
            elif outcome != "right":
                missed[(site["callee"], kind, said)] += 1
                where.setdefault(("m", site["callee"], kind), loc)
            if outcome != "right":
                shapes[(shape(site["callee"]), outcome)] += 1
        for key, group in by_key.items():
            extra = len(group) - seen.get(key, 0)
            if extra > 0:
                c["dgtui rows with no named ast call at that line (excluded)"] += extra
    result = _summary(c, kinds)
    result["wrong_patterns"] = [
        {"count": n, "callee": ce, "kind": kd, "dgtui": tg, "oracle": said,
         "example": where[("w", ce, kd, tg)]} for (ce, kd, tg, said), n in wrong.most_common()]
    result["missed_patterns"] = [
        {"count": n, "callee": ce, "kind": kd, "oracle": said, "example": where[("m", ce, kd)]}
        for (ce, kd, said), n in missed.most_common()]
    result["shapes"] = [{"shape": s, "outcome": o, "count": n} for (s, o), n in shapes.most_common()]
    return result, pairs


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def _summary(c: Counter, kinds: dict[str, Counter]) -> dict:
    false_edges = c["false edge, truth external"] + c["false edge, truth not an atom"]
    judged = c["right"] + c["wrong"] + false_edges
    by_kind = {}
    for kind, k in sorted(kinds.items(), key=lambda kv: -kv[1]["sites"]):
        judged_k = k["right"] + k["wrong"]
        by_kind[kind] = {**dict(sorted(k.items())), "precision": _ratio(k["right"], judged_k)}
    return {"counts": dict(sorted(c.items())), "into_repository": c["truth: repo"],
            "right": c["right"], "judged_edges": judged, "false_edges": false_edges,
            "recall": _ratio(c["right"], c["truth: repo"]), "precision": _ratio(c["right"], judged),
            "by_kind": by_kind}
