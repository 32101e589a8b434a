"""The Python oracle: every call in a file (Python's ``ast``), and where jedi says it goes.

Call sites come from ``ast``, not from dgtui, so calls dgtui dropped are counted. A site is
keyed as dgtui keys its edge rows: the line where the callee expression starts (1-based) and
the callee's last identifier (``f`` in ``f()``, ``m`` in ``a.b.m()``). jedi is asked at that
identifier: ``goto(follow_imports=True)`` first (it lands on the ``def`` even when a decorator
wraps it), ``infer`` when goto stops at an assignment or a parameter. Only functions and
classes are answers; a callable instance, no answer, or a query over the time limit leaves the
site "unknown", with the reason. jedi's bundled Django stubs are switched off (their members
hide the source's overrides); an answer in another shipped stub of the repository's own code
(typeshed's requests) is mapped back to the module's file by name when it is module-level,
and is no answer when it is a class member, for the same reason.

Answers are cached per file (``cache.py``); files not cached are asked in ``--jobs`` processes.
"""

from __future__ import annotations

import ast
import importlib.util
import multiprocessing
import os
import signal
import tempfile
import time

from bench.accuracy.cache import OracleCache, code_hash
from bench.accuracy.corpora import Corpus

QUERY_SECONDS = 20  # one jedi query over this is "unknown (timeout)"
_TARGETS = ("function", "class")


def _supers_of_several_bases(tree: ast.AST) -> set[int]:
    """The ``super().x`` callees in classes with several bases. jedi resolves ``super()``
    through the first base alone (its ``SuperInstance``), which is right for one base and may
    be wrong for more (a mixin first): those sites are left "unknown", not judged."""
    out: set[int] = set()

    def visit(node: ast.AST, cls: ast.ClassDef | None) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                visit(child, child)
                continue
            if (cls is not None and len(cls.bases) > 1 and isinstance(child, ast.Attribute)
                    and isinstance(child.value, ast.Call) and isinstance(child.value.func, ast.Name)
                    and child.value.func.id == "super"):
                out.add(id(child))
            visit(child, cls)

    visit(tree, None)
    return out


def call_sites(tree: ast.AST, source: bytes) -> list[dict]:
    """Every call in the tree, in source order, with where to ask the oracle about it."""
    lines = source.splitlines()
    supers = _supers_of_several_bases(tree)
    sites = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        fn = node.func
        site = {"line": fn.lineno, "col": fn.col_offset, "end": (fn.end_lineno, fn.end_col_offset),
                "callee": " ".join((ast.unparse(fn)).split())[:120], "short": None}
        if isinstance(fn, ast.Name):
            site["short"], qline, qcol = fn.id, fn.lineno, fn.col_offset
        elif isinstance(fn, ast.Attribute):
            site["short"], qline, qcol = fn.attr, fn.end_lineno, fn.end_col_offset - len(fn.attr.encode())
        else:  # f()(), a[0](), (lambda: 0)(): no name to ask about
            site["why"] = "callee is not a name"
            sites.append(site)
            continue
        if id(fn) in supers:
            site.update(answers=[], why="super() in a class of several bases (jedi follows the first)")
            sites.append(site)
            continue
        # ast columns are UTF-8 byte offsets; jedi's are characters.
        site["query"] = (qline, len(lines[qline - 1][:qcol].decode("utf-8", "replace")))
        sites.append(site)
    # Outer calls first where two callees start at one place (a.b(x).c(): a.b(x).c, then a.b),
    # which is the order dgtui's rows have.
    sites.sort(key=lambda s: (s["line"], s["col"], (-s["end"][0], -s["end"][1])))
    for s in sites:
        del s["end"]
    return sites


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout


class Asker:
    """jedi over one project, asked file by file (one per process: jedi's caches are not
    shared)."""

    def __init__(self, root: str, sys_path: list[str]):
        import jedi
        from jedi.inference.gradual import typeshed

        # jedi types Django from the stubs it ships and answers in them; a stub declares a
        # method on the base class even where the source overrides it (Func.as_sql is
        # BaseExpression.as_sql there), so its answers are not the truth: read Django's source.
        typeshed.DJANGO_INIT_PATH = typeshed.DJANGO_INIT_PATH.with_name("(not used by the bench)")
        self.root = os.path.realpath(root)
        self.project = jedi.Project(root, sys_path=sys_path, smart_sys_path=True)
        #: Where the repository's own modules are imported from (a stub maps back through these).
        self.bases = [p for p in map(os.path.realpath, sys_path) if self._rel(p) is not None]
        self.bases.append(self.root)

    def _rel(self, real: str) -> str | None:
        if real == self.root or real.startswith(self.root + os.sep):
            return os.path.relpath(real, self.root).replace(os.sep, "/")
        return None

    def _source_of(self, module: str) -> str | None:
        """The repository's file of a module, for an answer jedi gave in a stub: jedi ships
        typeshed's stubs of some packages (requests') and may stop in them, not the source."""
        for base in self.bases:
            stem = os.path.join(base, *module.split("."))
            for path in (stem + ".py", os.path.join(stem, "__init__.py")):
                if os.path.isfile(path):
                    return self._rel(path)
        return None

    def _answer(self, name) -> dict | None:
        real = os.path.realpath(name.module_path) if name.module_path else None
        file = self._rel(real) if real else None
        out = {"file": file, "module": name.module_name, "line": name.line, "name": name.name,
               "type": name.type}
        if file is None and real and real.endswith(".pyi") and name.module_name and name.full_name:
            source = self._source_of(name.module_name)
            if source is not None:
                qualname = name.full_name[len(name.module_name) + 1:]
                if "." in qualname:  # a member: the source may override it below the stub's class
                    return None
                # The line is the stub's: the module-level definition is found by its name.
                out.update(file=source, line=None, qualname=qualname)
        return out

    def file(self, rel: str) -> dict:
        """``{"sites": [...], "unparsable": bool}`` for one file (relative to the root)."""
        import jedi

        path = os.path.join(self.root, rel)
        with open(path, "rb") as fh:
            data = fh.read()
        try:
            tree = ast.parse(data)
        except (SyntaxError, ValueError):
            return {"sites": [], "unparsable": True}
        code = importlib.util.decode_source(data)

        def fresh():
            return jedi.Script(code, path=path, project=self.project)

        script = fresh()
        sites = call_sites(tree, data)
        previous = signal.signal(signal.SIGALRM, _alarm)
        try:
            for site in sites:
                query = site.pop("query", None)
                if query is None:
                    continue
                # An error inside jedi can leave its caches torn, failing every later query of
                # the file: each failure gets a fresh script, and an error (not a timeout)
                # one more try.
                for _attempt in (1, 2):
                    signal.setitimer(signal.ITIMER_REAL, QUERY_SECONDS)
                    try:
                        names, why = _ask(script, *query, site["short"])
                        break
                    except _Timeout:
                        names, why = [], "timeout"
                        script = fresh()
                        break
                    except Exception as exc:  # noqa: BLE001 - jedi's internal errors
                        names, why = [], f"oracle error: {type(exc).__name__}"
                        script = fresh()
                    finally:
                        signal.setitimer(signal.ITIMER_REAL, 0)
                mapped = [self._answer(n) for n in names]
                if names and not any(mapped):
                    why = "a member in a stub of the repository's own code"
                answers = {(a["file"], a["module"], a["line"], a["name"]): a for a in mapped if a}
                site["answers"] = sorted(answers.values(), key=lambda a: (a["file"] or "", a["line"] or 0))
                if why:
                    site["why"] = why
        finally:
            signal.signal(signal.SIGALRM, previous)
        return {"sites": sites, "unparsable": False}


def _ask(script, line: int, col: int, short: str) -> tuple[list, str | None]:
    """jedi's functions and classes for the name at ``line:col``. A ``__get__`` answer for
    another name is a descriptor jedi stopped at: the call runs what ``__get__`` returns."""
    def targets(names):
        return [n for n in names if n.type in _TARGETS and (n.name != "__get__" or short == "__get__")]

    names = targets(script.goto(line, col, follow_imports=True))
    if names:
        return names, None
    inferred = script.infer(line, col)
    names = targets(inferred)
    if names:
        return names, None
    return [], "callable instance" if any(n.type == "instance" for n in inferred) else "no answer"


_WORKER: dict[str, Asker] = {}


def _init_worker(root: str, sys_path: list[str], cache_dir: str) -> None:
    """One process of the pool. Each gets its own jedi cache folder: two processes pickling
    the same module into the shared one tear it, and every later load of it fails."""
    import jedi

    jedi.settings.cache_directory = os.path.join(cache_dir, str(os.getpid()))
    _WORKER["asker"] = Asker(root, sys_path)


def _work(rel: str) -> tuple[str, dict]:
    return rel, _WORKER["asker"].file(rel)


def sys_path(corpus: Corpus) -> list[str]:
    """The import path jedi resolves against: the corpus' own source folder first (an installed
    copy of the same package must never win), then its pinned dependencies, then the bench's
    environment (the standard library, and what is installed there)."""
    import jedi

    first = [os.path.join(corpus.root, corpus.src)] if corpus.src else []
    deps = [corpus.deps_dir] if corpus.deps else []
    return first + deps + list(jedi.get_default_environment().get_sys_path())


def oracle_id(corpus: Corpus) -> str:
    import jedi

    answering = code_hash(call_sites, Asker, _ask, sys_path, QUERY_SECONDS, _TARGETS,
                          _installed())
    return f"jedi-{jedi.__version__}-{answering}-{corpus.name}"


def _installed() -> tuple[tuple[str, str], ...]:
    """What is installed where jedi looks: its answers follow calls into these packages (the
    corpora's tests into pytest's fixtures), so answers cached beside other packages are not
    taken for these."""
    from importlib.metadata import distributions

    return tuple(sorted((d.metadata["Name"] or "", d.version) for d in distributions()))


def run(corpus: Corpus, files: list[str], jobs: int, log) -> tuple[dict[str, dict], dict]:
    """The oracle's answers for ``files`` (relative to the root), cached or asked now: per file,
    ``{"sites": [...], "unparsable": bool}``."""
    cache = OracleCache(oracle_id(corpus))
    out, todo = cache.split(corpus.root, files)
    stats = {"files_cached": len(out), "files_asked": len(todo)}
    t0 = time.perf_counter()
    if todo:
        log(f"{corpus.name}: jedi on {len(todo)} files ({len(out)} cached), {jobs} processes")
        # Largest first, so one big file does not finish alone at the end.
        order = sorted(todo, key=lambda r: -os.path.getsize(os.path.join(corpus.root, r)))
        ctx = multiprocessing.get_context("fork")
        with tempfile.TemporaryDirectory(prefix="dgtui-accuracy-jedi-") as cache_dir, \
                ctx.Pool(jobs, _init_worker, (corpus.root, sys_path(corpus), cache_dir)) as pool:
            for done, (rel, entry) in enumerate(pool.imap_unordered(_work, order), 1):
                out[rel] = entry
                cache.put(todo[rel], entry)
                if done % 50 == 0:
                    log(f"{corpus.name}: jedi {done}/{len(todo)} files, {time.perf_counter() - t0:.0f}s")
    stats["seconds"] = time.perf_counter() - t0
    return out, stats
