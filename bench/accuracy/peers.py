"""The peers on the Python corpora: pyan3 (its "uses" edges) and code2flow (its call edges).

Neither records call sites, so they are compared with the oracle and with dgtui per
(caller, callee) pair of atoms. Each peer's nodes are mapped to dgtui atoms by file, ``def``
line and name (a module's own code to the module atom); nodes that map to no atom are counted,
not guessed. Constructors fold into their class, as in ``compare.py``. pyan3's uses-edges also
hold references that are not calls (``isinstance(x, C)``, a function passed as an argument):
that is what pyan3 offers, and it costs it precision here.

A pair outside the oracle's pairs is not judged when its caller has a call the oracle could not
answer under the callee's name (it may be that call). precision = right / judged pairs,
recall = right / the oracle's pairs. Both peers analyse the same files; a file a peer cannot
process is left out of its run and named. Their raw edges are cached like the oracle's.
"""

from __future__ import annotations

import ast
import hashlib
import logging
import os
import time
from importlib.metadata import version

from bench.accuracy.cache import OracleCache, code_hash
from bench.accuracy.compare import AtomIndex, Pairs
from bench.accuracy.corpora import Corpus

Node = tuple[str, int, str]  # (file relative to the root, def line (0: module), name)


def peer_files(corpus: Corpus) -> list[str]:
    """What the peers analyse: Django's package (its tests and docs would triple pyan3's
    time and are never the oracle's targets); for the small corpora, every .py file."""
    top = os.path.join(corpus.root, "django") if corpus.name == "django" else corpus.root
    out = []
    for folder, _dirs, files in os.walk(top):
        out += [os.path.join(folder, f) for f in files if f.endswith(".py")]
    return sorted(out)


def _parses(paths: list[str]) -> list[str]:
    ok = []
    for path in paths:
        try:
            with open(path, "rb") as fh:
                ast.parse(fh.read())
            ok.append(path)
        except (SyntaxError, ValueError):
            pass
    return ok


def pyan_edges(root: str, paths: list[str]) -> tuple[list[tuple[Node, Node]], list[str]]:
    """pyan3's uses-edges between defined functions, classes and modules. pyan3 analyses all
    files as one set and stops at its first internal error: drop that file, run again."""
    from pyan.analyzer import CallGraphVisitor

    quiet = logging.getLogger("accuracy.pyan")
    quiet.addHandler(logging.NullHandler())
    quiet.propagate = False
    left_out: list[str] = []
    paths = list(paths)
    while True:
        try:
            visitor = CallGraphVisitor(paths, root=root, logger=quiet)
            break
        except Exception:  # pyan3 names no file: find it, leave it out
            bad = _failing_file(root, paths)
            if bad is None:
                raise
            left_out.append(os.path.relpath(bad, root))
            paths.remove(bad)

    def node(n) -> Node | None:
        if not n.defined or not n.filename or n.namespace is None:
            return None
        flavor = str(n.flavor).lower()
        if "module" in flavor:
            return (os.path.relpath(n.filename, root), 0, n.name)
        if not any(f in flavor for f in ("function", "method", "class")):
            return None
        return (os.path.relpath(n.filename, root), getattr(n.ast_node, "lineno", 0), n.name)

    out = []
    for src, uses in visitor.uses_edges.items():
        a = node(src)
        if a is None:
            continue
        out += [(a, b) for b in map(node, uses) if b is not None]
    return out, left_out


def _failing_file(root: str, paths: list[str]) -> str | None:
    """pyan3's errors name no file: the first file that fails alone (cheap next to a whole run)."""
    from pyan.analyzer import CallGraphVisitor

    quiet = logging.getLogger("accuracy.pyan")
    for path in paths:
        try:
            CallGraphVisitor([path], root=root, logger=quiet)
        except Exception:  # noqa: BLE001
            return path
    return None


def code2flow_edges(root: str, paths: list[str]) -> tuple[list[tuple[Node, Node]], list[str]]:
    """code2flow's call edges. Its parser asserts on some call forms: such files are left out."""
    from code2flow import engine

    logging.disable(logging.WARNING)
    try:
        usable, left_out = [], []
        for path in paths:
            try:
                engine.make_file_group(engine.LANGUAGES["py"].get_tree(path, None), path, "py")
                usable.append(path)
            except Exception:  # noqa: BLE001 - code2flow's own assertion errors
                left_out.append(os.path.relpath(path, root))
        groups, _nodes, edges = engine.map_it(usable, "py", True, None, None, None, None, False,
                                              engine.LanguageParams())
    finally:
        logging.disable(logging.NOTSET)
    file_of = {id(g): os.path.relpath(p, root) for p, g in zip(usable, groups)}

    def node(n) -> Node:
        name = n.token if n.line_number else "<module>"
        return (file_of[id(n.file_group())], n.line_number or 0, name)

    return [(node(e.node0), node(e.node1)) for e in edges], left_out


PEERS = {"pyan3": ("pyan3", pyan_edges), "code2flow": ("code2flow", code2flow_edges)}


def run(corpus: Corpus, log) -> dict[str, dict]:
    """Each peer's raw edges (cached by peer version and the analysed files' content)."""
    paths = _parses(peer_files(corpus))
    digest = hashlib.sha256()
    for path in paths:
        with open(path, "rb") as fh:
            digest.update(path.encode() + b"\0" + fh.read())
    out = {}
    for name, (dist, fn) in PEERS.items():
        cache = OracleCache(f"{name}-{version(dist)}-{code_hash(fn, _failing_file)}-{corpus.name}")
        key = digest.hexdigest()[:32]
        hit = cache.get(key)
        if hit is None:
            log(f"{corpus.name}: {name} on {len(paths)} files")
            t0 = time.perf_counter()
            try:
                edges, left_out = fn(corpus.root, paths)
                hit = {"edges": edges, "left_out": left_out, "seconds": time.perf_counter() - t0}
            except Exception as exc:  # noqa: BLE001 - a peer that fails is reported, not fatal
                hit = {"error": f"{type(exc).__name__}: {exc}"[:300], "seconds": time.perf_counter() - t0}
            cache.put(key, hit)
        out[name] = {**hit, "files": len(paths)}
    return out


def _map(node: list, ix: AtomIndex) -> str | None:
    file, line, name = node
    file = file.replace(os.sep, "/")
    if not line:
        return ix.modules.get(file)
    found = ix.locate(file, line, name)
    return ix.canonical(found) if found else None


def score(pairs: set, truth: Pairs, ix: AtomIndex) -> dict:
    """Pair precision and recall of ``pairs`` against the oracle's."""
    right = pairs & truth.oracle
    unjudged = {(a, b) for a, b in pairs - truth.oracle
                if ix.atoms[b].name in truth.unknown_names.get(a, ())}
    judged = len(pairs) - len(unjudged)
    return {"pairs": len(pairs), "right": len(right), "unjudged": len(unjudged),
            "precision": round(len(right) / judged, 4) if judged else None,
            "recall": round(len(right) / len(truth.oracle), 4) if truth.oracle else None}


def compare(raw: dict[str, dict], truth: Pairs, ix: AtomIndex, judged_files: set[str]) -> dict:
    """dgtui's and each peer's pair scores; pairs whose caller is outside the judged files, or
    whose callee is a module (no call target), are out of scope; unmapped nodes are counted."""
    out = {"oracle pairs": len(truth.oracle), "dgtui": score(truth.dgtui, truth, ix)}
    for name, peer in raw.items():
        if "error" in peer:
            out[name] = {"status": f"failed: {peer['error']}"}
            continue
        pairs, unmapped = set(), 0
        for a, b in peer["edges"]:
            if a[0].replace(os.sep, "/") not in judged_files:
                continue
            src, dst = _map(a, ix), _map(b, ix)
            if src is None or dst is None:
                unmapped += 1
            elif ix.atoms[dst].kind != "module":
                pairs.add((src, dst))
        out[name] = {**score(pairs, truth, ix), "unmapped edges": unmapped,
                     "files analysed": peer["files"] - len(peer["left_out"]),
                     "files left out": peer["left_out"], "seconds": round(peer["seconds"], 1)}
    return out
