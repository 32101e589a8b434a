"""Every intent of the local answerer against the fixture repositories (real index files)."""

from __future__ import annotations

from pathlib import Path

import pytest
from chat_support import index, session
from helpers import write
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dgtui.chat import findings as fnd
from dgtui.chat.intents import DEEP


@pytest.fixture
def py(pyrepo: Path, home: Path):
    index(pyrepo)
    with session(pyrepo) as s:
        yield s


@pytest.fixture
def js(jsrepo: Path, home: Path):
    index(jsrepo)
    with session(jsrepo) as s:
        yield s


def ids(answer) -> set[str]:
    return {a.id for a in answer.atoms}


def codes(answer) -> set[tuple[str, str]]:
    return {(f.code, f.atom_id) for f in answer.findings}


def test_where_is_defined(py):
    a = py.ask("Where is save_atom defined?")
    assert a.intent == "definition" and not a.fallback
    assert a.atom_ids == ["pkg/db.py::save_atom"] and a.files == ("pkg/db.py",)
    assert "pkg/db.py, lines 5-6" in a.text and "an async exported function" in a.text
    assert a.subject == "pkg/db.py::save_atom"


def test_who_calls_matches_names_fuzzily(py):
    a = py.ask("who calls saveatom?")
    assert a.intent == "callers" and a.data["match"] == "normalized"
    assert ids(a) == {"pkg/db.py::save_atom", "pkg/service.py::handle", "pkg/service.py::sync_all"}
    assert "Taking 'saveatom' to mean save_atom" in a.text
    typo = py.ask("who calls save_atm")  # a misspelling: the closest name
    assert typo.data["match"] == "fuzzy" and ids(typo) == ids(a)


def test_who_calls_to_a_depth(py):
    one = ids(py.ask("who calls write"))
    two = ids(py.ask("who calls write to depth 2"))
    deep = py.ask("who calls write transitively")
    assert one == {"pkg/db.py::write", "pkg/db.py::save_atom", "pkg/service.py::handle"}
    assert two - one == {"pkg/service.py::sync_all", "main.py::main"}
    assert ids(deep) - two == {"main.py::<module>"} and deep.data["depth"] == DEEP


def test_an_ambiguous_name_is_answered_for_each_atom(py):
    a = py.ask("who calls save?")
    assert {"pkg/db.py::save", "pkg/models.py::Base.save", "pkg/models.py::User.save"} <= ids(a)
    assert "'save' names 3 atoms" in a.text
    assert "obj.save in pkg/service.py::handle line 16" in a.text  # the ambiguous call


def test_what_does_x_call(py):
    a = py.ask("what does handle call?")
    assert a.intent == "callees"
    assert {"pkg/models.py::User", "pkg/db.py::save_atom", "pkg/db.py::write", "pkg/util.py::fmt",
            "pkg/service.py::sync_all"} <= ids(a)
    assert "obj.save  [ambiguous, 2 candidates]" in a.text and "print  [builtin]" in a.text


def test_impact_counts_tests_among_transitive_callers(js):
    a = js.ask("what breaks if I change App.run?")
    assert a.intent == "impact"
    assert "test/app.test.js::test(app).test(runs)" in ids(a)
    assert "Tests among them: 1" in a.text and "test/app.test.js" in a.files
    assert a.data["impact"]["lib/app.js::App.run"]["tests"] == 1
    assert not any(f.code == "untested" for f in a.findings)
    lonely = js.ask("impact of changing orphanOnce")  # reached only through handler: no test
    assert ("untested", "lib/lonely.js::orphanOnce") in codes(lonely)


def test_what_changed_in_a_file_since_a_time_and_by_a_source(pyrepo: Path, home: Path):
    index(pyrepo)
    write(pyrepo / "pkg" / "db.py", (pyrepo / "pkg" / "db.py").read_text()
          .replace("return write(atom)", "return write(atom) or None"))
    index(pyrepo, source="file-watcher")
    with session(pyrepo) as s:
        recent = s.ask("what changed recently?")
        assert "transaction 2 (file-watcher" in recent.text and "transaction 1 (index" in recent.text
        assert "in the last 2 transactions" in recent.text  # not "5" when there are 2
        in_file = s.ask("what changed in db.py since transaction 1")
        assert in_file.intent == "changes" and in_file.data["path_glob"] == "pkg/db.py"
        assert in_file.data["events"] >= 1 and "update save_atom" in in_file.text
        assert "pkg/db.py::save_atom" in ids(in_file) and "transaction 1 (" not in in_file.text
        assert s.ask("what changed by the watcher in the last 2 hours").data["events"] >= 1
        by_agent = s.ask("what changed by the agent today")
        assert by_agent.data["sources"] == ["mcp", "atomic-edit"] and by_agent.data["events"] == 0
        assert "Nothing changed" in by_agent.text


def test_recent_changes_count_the_transactions_there_are(py):
    recent = py.ask("what changed recently?")
    assert "in the last transaction:" in recent.text or "in the last transaction " in recent.text
    assert "last 5" not in recent.text


def test_async_functions_that_call_x(py):
    direct = py.ask("which async functions call write?")
    assert direct.intent == "async-callers"
    assert ids(direct) == {"pkg/db.py::write", "pkg/db.py::save_atom", "pkg/service.py::handle"}
    deep = py.ask("async functions that call write transitively")
    assert "pkg/service.py::sync_all" in ids(deep) and "main.py::main" not in ids(deep)


def test_unresolved_and_ambiguous_calls_in_a_file(py):
    a = py.ask("unresolved calls in service.py")
    assert a.intent == "unresolved" and a.data["calls"] == 2  # builtin and external calls are known
    assert "obj.save at line 16" in a.text and "ambiguous between 2 atoms" in a.text
    assert ids(a) == {"pkg/service.py::handle"}


def test_dead_code_candidates(py, tmp_path: Path):
    a = py.ask("any dead code?")
    assert a.intent == "dead-code" and ids(a) == {"pkg/__init__.py::_internal"}
    assert ("dead-code", "pkg/__init__.py::_internal") in codes(a)
    assert all(f.kind == "improvement" for f in a.findings)


def test_dead_code_leaves_out_names_an_unresolved_call_may_mean(tmp_path: Path, home: Path):
    root = tmp_path / "r"
    write(root / "m.py", "def _lonely():\n    pass\n\n\ndef _maybe():\n    pass\n\n\n"
                         "def run(obj):\n    obj._maybe()\n")
    index(root)
    with session(root) as s:
        assert ids(s.ask("functions nobody calls")) == {"m.py::_lonely"}


def test_cycles_through_x(js, tmp_path: Path):
    a = js.ask("cycles through res.send")
    assert a.intent == "cycles"
    assert ids(a) == {"lib/response.js::res.send", "lib/response.js::res.json"}
    assert ("in-cycle", "lib/response.js::res.send") in codes(a)
    assert "res.send (lib/response.js:10) -> res.json" in a.text
    assert "in no call cycle" in js.ask("cycles through helper").text


def test_recursion_is_a_cycle(tmp_path: Path, home: Path):
    root = tmp_path / "r"
    write(root / "f.py", "def fact(n):\n    return 1 if n < 2 else n * fact(n - 1)\n")
    index(root)
    with session(root) as s:
        a = s.ask("is fact recursive?")
        assert a.intent == "cycles" and "calls itself" in a.findings[0].message


def test_most_complex_functions_and_the_complexity_finding(py, tmp_path: Path, home: Path):
    a = py.ask("most complex functions in pkg")
    assert a.intent == "complexity" and a.data["path_glob"] == "pkg/*"
    assert a.atoms[0].id == "pkg/models.py::Base.validate"
    assert not a.findings  # nothing in the fixture is over the limit
    root = tmp_path / "r"
    branches = "".join(f"    if x == {i}:\n        return {i}\n" for i in range(fnd.COMPLEXITY_LIMIT + 2))
    write(root / "big.py", f"def tangled(x):\n{branches}    return -1\n\n\ndef calm():\n    return 1\n")
    index(root)
    with session(root) as s:
        b = s.ask("which are the most complex functions?")
        assert b.atoms[0].id == "big.py::tangled"
        assert [(f.code, f.value) for f in b.findings] == [("complex", fnd.COMPLEXITY_LIMIT + 3)]


def test_wide_impact_is_a_risk_over_the_threshold(tmp_path: Path, home: Path):
    root = tmp_path / "r"
    n = fnd.WIDE_IMPACT_CALLERS + 1
    callers = "".join(f"def c{i}():\n    return core()\n\n\n" for i in range(n))
    write(root / "w.py", f"def core():\n    return 1\n\n\n{callers}")
    write(root / "few.py", "def edge():\n    return 1\n\n\ndef one():\n    return edge()\n")
    index(root)
    with session(root) as s:
        a = s.ask("impact of changing core")
        risk = [f for f in a.findings if f.code == "wide-impact"]
        assert risk and risk[0].value == n and risk[0].threshold == fnd.WIDE_IMPACT_CALLERS
        assert not [f for f in s.ask("impact of changing edge").findings if f.code == "wide-impact"]


def test_anything_else_falls_back_to_search_and_says_so(py):
    a = py.ask("how does the user get saved?")
    assert a.intent == "search" and a.fallback
    assert "full-text search" in a.text and "pkg/models.py::User.save" in ids(a)
    missing = py.ask("who calls frobnicate_everything")
    assert missing.intent == "callers" and missing.fallback and not missing.atoms
    assert "I found no atom named 'frobnicate_everything'" in missing.text


def test_answers_are_deterministic_and_their_atoms_exist(py):
    for question in ("who calls saveatom?", "impact of changing write", "what does handle call",
                     "dead code", "unresolved calls in pkg/service.py"):
        first, second = py.ask(question), py.ask(question)
        assert (first.text, first.atoms, first.findings) == (second.text, second.atoms, second.findings)
        assert first.message_id != second.message_id
        found = py.index.atoms.get_many(first.atom_ids)
        assert set(found) == set(first.atom_ids)
        assert all(a.file_path in first.files for a in first.atoms)
        assert first.graph_version == py.index.events.last_transaction_id() == 1


AWKWARD = ["?", "who calls", "who calls ?", "where is", "impact of", "what changed since",
           "in in in", "who calls ../../etc/passwd", "who calls *", 'who calls "', "cycles through []",
           "'; DROP TABLE atoms; --", "¿quién llama a save_atom?", "who calls " + "x" * 5000,
           "what changed in ../../ since forever", "unresolved calls in [", "dead code in *",
           "most complex functions in NEAR(", "who calls save_atom to depth 0",
           "who calls save_atom to depth 99999999999999999999"]


def test_awkward_questions_get_answers_not_errors(py):
    for question in AWKWARD:
        a = py.ask(question)
        assert a.text and a.intent and a.message_id
    assert len(py.history(with_changes=False)) == 2 * len(AWKWARD)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=80))
def test_any_question_is_answered(py, text):
    if not text.strip():
        with pytest.raises(ValueError):
            py.ask(text)
        return
    answer = py.ask(text)
    assert answer.text and set(py.index.atoms.get_many(answer.atom_ids)) == set(answer.atom_ids)
