"""The accuracy benchmark's judging (bench/accuracy): a tiny repository, a real dgtui index.

The edge rows judged here are written by the test, not taken from dgtui's resolver (which is
being rewritten): each must land in its category whatever the resolver does today. Only the
line conventions are checked against dgtui's real rows: every call ``ast`` sees must meet
dgtui's row at the same line and name, or the benchmark would count calls as dropped.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bench.accuracy import compare, index, oracle_python
from bench.accuracy.index import Edge

APP = '''\
from pkg.store import Store, helper


def register(name):
    return lambda f: f


class Cache:
    def update(self, key):
        return key


@register("run")
def run(callback):
    s = Store("x")
    helper()
    s.update(1)
    options = {}
    options.items()
    callback()
    chained = (
        Store("y")
        .update(2)
    )
    return s, chained
'''

STORE = '''\
class Store:
    def __init__(self, path):
        self.path = path

    def update(self, key):
        return key


def helper():
    return 1
'''


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, list[Edge]]:
    root = tmp_path_factory.mktemp("acc") / "repo"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "store.py").write_text(STORE)
    (root / "pkg" / "app.py").write_text(APP)
    db, _seconds = index.index(str(root), str(root.parent / "home"))
    atoms, edges = index.read(db)
    return root, atoms, edges


def line_of(text: str) -> int:
    """The 1-based line of app.py holding ``text``."""
    return next(i for i, line in enumerate(APP.splitlines(), 1) if text in line)


def handwritten_oracle(answers: dict[tuple[int, str], list[dict]]) -> dict:
    """app.py's call sites from ``ast``, answered from ``answers`` (by line and name): unknown
    when absent, as jedi would leave them."""
    sites = oracle_python.call_sites(ast.parse(APP), APP.encode())
    for site in sites:
        site.pop("query", None)
        if site["short"] is not None:
            site["answers"] = answers.get((site["line"], site["short"]), [])
    return {"pkg/app.py": {"sites": sites, "unparsable": False}}


def repo_answer(file: str, line: int, name: str) -> dict:
    return {"file": file, "module": file[:-3].replace("/", "."), "line": line, "name": name,
            "type": "function"}


EXTERNAL = {"file": None, "module": "builtins", "line": 1, "name": "items", "type": "function"}


def oracle_answers() -> dict:
    return {
        (line_of('Store("x")'), "Store"): [repo_answer("pkg/store.py", 1, "Store")],
        (line_of("helper()"), "helper"): [repo_answer("pkg/store.py", 9, "helper")],
        (line_of("s.update(1)"), "update"): [repo_answer("pkg/store.py", 5, "update")],
        (line_of("options.items()"), "items"): [EXTERNAL],
    }


def row(file: str, line: int, short: str, target: str | None, kind: str = "test",
        candidates: int = 0, candidate_ids: tuple[str, ...] | None = None) -> Edge:
    return Edge(0, "pkg/app.py::run", file, target, short, short, line, kind, candidates, candidate_ids)


def judge(repo, rows: list[Edge]) -> dict:
    _root, atoms, _edges = repo
    result, _pairs = compare.judge(handwritten_oracle(oracle_answers()), compare.AtomIndex(atoms), rows)
    return result


def test_dgtui_rows_meet_ast_call_sites_line_for_line(repo):
    """Decorator calls, chained calls over several lines: every call has its row."""
    _root, atoms, edges = repo
    result, _pairs = compare.judge(handwritten_oracle({}), compare.AtomIndex(atoms), edges)
    counts = result["counts"]
    assert counts["call sites"] == 8
    assert "dgtui rows with no named ast call at that line (excluded)" not in counts
    assert counts["truth: unknown"] == 8 and result["into_repository"] == 0


def test_right_wrong_dropped_and_constructor_convention(repo):
    f = "pkg/app.py"
    rows = [
        row(f, line_of('Store("x")'), "Store", "pkg/store.py::Store.__init__"),  # a constructor
        row(f, line_of("helper()"), "helper", "pkg/store.py::helper"),
        row(f, line_of("s.update(1)"), "update", "pkg/app.py::Cache.update"),  # wrong class
        # no row for options.items(): correct for an external call, and nothing is dropped
    ]
    result = judge(repo, rows)
    c = result["counts"]
    assert (c["right"], c["wrong"]) == (2, 1)
    assert result["recall"] == result["precision"] == round(2 / 3, 4)
    assert result["wrong_patterns"][0]["dgtui"] == "pkg/app.py::Cache.update"
    assert result["wrong_patterns"][0]["oracle"] == "pkg/store.py::Store.update"
    assert result["by_kind"]["test"]["wrong"] == 1

    dropped = judge(repo, rows[:2])
    assert dropped["counts"]["dropped"] == 1 and dropped["missed_patterns"][0]["kind"] == "(no row)"


def test_false_edge_to_external_code_and_unknown_truth(repo):
    f = "pkg/app.py"
    rows = [row(f, line_of("options.items()"), "items", "pkg/app.py::Cache.update"),
            row(f, line_of("callback()"), "callback", "pkg/store.py::helper")]
    result = judge(repo, rows)
    c = result["counts"]
    assert c["false edge, truth external"] == 1 and result["false_edges"] == 1
    assert result["precision"] == 0.0  # the unknown one is not judged either way
    assert result["by_kind"]["test"]["unjudged (truth unknown)"] == 1


def test_ambiguous_with_and_without_the_truth_among_candidates(repo):
    f, line = "pkg/app.py", line_of("s.update(1)")
    truth, other = "pkg/store.py::Store.update", "pkg/app.py::Cache.update"
    among = judge(repo, [row(f, line, "update", None, "ambiguous", 2, (truth, other))])
    assert among["counts"]["ambiguous, truth among candidates"] == 1
    not_among = judge(repo, [row(f, line, "update", None, "ambiguous", 1, (other,))])
    assert not_among["counts"]["ambiguous, truth not among candidates"] == 1
    count_only = judge(repo, [row(f, line, "update", None, "ambiguous", 2)])
    assert count_only["counts"]["ambiguous"] == 1
    unresolved = judge(repo, [row(f, line, "update", None, "whatever-kind")])
    assert unresolved["counts"]["unresolved"] == 1 and unresolved["recall"] == 0.0


def test_candidate_ids_column_is_read_when_present(repo, tmp_path):
    import shutil
    import sqlite3

    root, _atoms, _edges = repo
    (db,) = (root.parent / "home").rglob("index.db")
    copy = tmp_path / "index.db"
    shutil.copy(db, copy)
    con = sqlite3.connect(copy)
    # as an index of an older dgtui held them: a table of edges, with a column of candidates
    con.executescript("CREATE TABLE edges_table AS SELECT * FROM edges; DROP VIEW graph_edges; "
                      "DROP VIEW edges; ALTER TABLE edges_table RENAME TO edges;")
    con.execute("ALTER TABLE edges ADD COLUMN candidate_ids TEXT")
    con.execute("UPDATE edges SET candidate_ids = '[\"a::x\", \"b::y\"]' WHERE short_name = 'update'")
    con.commit()
    con.close()
    _atoms, edges = index.read(str(copy))
    assert {e.candidate_ids for e in edges if e.short == "update"} == {("a::x", "b::y")}
    assert {e.candidate_ids for e in edges if e.short == "helper"} == {()}


def test_jedi_answers_as_the_benchmark_expects(repo):
    """The real oracle: a class for a constructor call, a function through an import, a
    method through a local's inferred type, external code for a dict, nothing for a parameter."""
    pytest.importorskip("jedi")
    root, atoms, _edges = repo
    entry = oracle_python.Asker(str(root), [str(root)]).file("pkg/app.py")
    ix = compare.AtomIndex(atoms)
    by_key = {(s["line"], s["short"]): compare.truth(s, ix) for s in entry["sites"]}
    assert by_key[(line_of('Store("x")'), "Store")][:2] == ("repo", {"pkg/store.py::Store"})
    assert by_key[(line_of("helper()"), "helper")][:2] == ("repo", {"pkg/store.py::helper"})
    assert by_key[(line_of("s.update(1)"), "update")][:2] == ("repo", {"pkg/store.py::Store.update"})
    assert by_key[(line_of("options.items()"), "items")][0] == "external"
    assert by_key[(line_of("callback()"), "callback")][0] == "unknown"
    assert by_key[(line_of("Store(\"y\")"), "update")][:2] == ("repo", {"pkg/store.py::Store.update"})


def test_super_in_a_class_of_several_bases_is_left_unknown():
    """jedi resolves super() through the first base only: with a mixin first it would be a
    wrong truth, so such sites are not asked; with one base they are."""
    src = ("class A(Mixin, Base):\n    def f(self):\n        super().f()\n\n\n"
           "class D(Base):\n    def f(self):\n        super().f()\n")
    sites = {s["line"]: s for s in oracle_python.call_sites(ast.parse(src), src.encode())
             if s["short"] == "f"}
    assert compare.truth(sites[3], compare.AtomIndex({}))[0] == "unknown"
    assert "query" in sites[8] and "answers" not in sites[8]
