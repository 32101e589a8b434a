"""The explorer's plain-Python parts: history, recent changes, editor command, search syntax,
and the questions it adds to ``dgtui.query`` (on a real index in a temporary folder)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import index_repo, write
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dgtui import query
from dgtui.editor import NoEditor, editor_command
from dgtui.model import AtomChange, AtomFilter, Delta, EventFilter
from dgtui.query.search_syntax import describe_filters, parse_search, with_filter, without_filter
from dgtui.screens.navigation import NavHistory
from dgtui.screens.recent import RecentChanges


# -- history --------------------------------------------------------------------------------------
def test_history_back_forward_and_new_visits():
    h = NavHistory()
    for atom in "abc":
        h.visit(atom)
    assert (h.back(), h.back(), h.back()) == ("b", "a", None)
    assert h.forward() == "b"
    h.visit("d")  # a visit from the middle drops what was ahead
    assert h.entries == ["a", "b", "d"] and h.forward() is None
    h.visit("d")  # the same atom again is not a new step
    assert h.entries == ["a", "b", "d"]
    assert h.go(0) == "a" and h.go(9) is None and h.current == "a"


def test_previews_replace_each_other_until_a_visit():
    h = NavHistory()
    h.visit("a")
    for atom in "xyz":
        h.visit(atom, preview=True)
    assert h.entries == ["a", "z"]
    h.visit("z")  # confirming the preview keeps it
    h.visit("q", preview=True)
    assert h.entries == ["a", "z", "q"]


def test_history_rename_and_crumbs():
    h = NavHistory()
    for atom in "abcdefgh":
        h.visit(atom)
    h.rename("c", "c2")
    assert "c2" in h.entries and "c" not in h.entries
    crumbs = h.crumbs(4)
    assert [a for _, a in crumbs] == ["e", "f", "g", "h"] and crumbs[-1][0] == h.index


# -- recent changes -----------------------------------------------------------------------------
def delta(*changes: AtomChange, tx: int = 1, edges=()) -> Delta:
    return Delta(tx, "file-watcher", ("a.py",), changes, edges_added=tuple(edges))


def test_a_move_is_not_lit_up():
    r = RecentChanges()
    touched = r.add(delta(AtomChange("update", "a.py::g", "a.py", "g", "function", ("end_line", "line"))),
                    now=0.0)
    assert touched == {"a.py::g"}  # the panes still re-read its position
    assert r.operation("a.py::g", 1.0) is None


def test_callers_left_calling_nothing_until_fixed_or_back():
    r = RecentChanges()
    gone = Delta(3, "file-watcher", ("a.py",), (AtomChange("delete", "a.py::f", "a.py", "f", "function"),),
                 edges_removed=(("b.py::g", "a.py::f"), ("c.py::h", "a.py::f")))
    r.add(gone, now=0.0)
    assert r.broken_callers("a.py::f") == ["b.py::g", "c.py::h"]
    r.add(delta(AtomChange("update", "b.py::g", "b.py", "g", "function", ("body_hash", "calls"))), now=1.0)
    assert r.broken_callers("a.py::f") == ["c.py::h"]  # g was edited: no longer listed
    r.add(delta(AtomChange("create", "a.py::f", "a.py", "f", "function")), now=2.0)
    assert r.broken_callers("a.py::f") == [] and not r.broken  # back: h has its target again


def test_recent_changes_light_up_and_fade():
    r = RecentChanges(seconds=2.0)
    touched = r.add(delta(AtomChange("update", "a.py::f", "a.py", "f", "function", ("body_hash",)),
                          edges=[("a.py::f", "b.py::g")]), now=100.0)
    assert touched == {"a.py::f"}
    assert r.operation("a.py::f", 101.0) == "update"
    assert r.operation("b.py::g", 101.0) == "edges"
    assert r.may_break("a.py::f") is None  # the body changed, not the signature
    assert r.expire(103.0) and r.operation("a.py::f", 103.0) is None


def test_signature_changes_flag_callers_until_forgotten():
    r = RecentChanges()
    # a compatible change (a new parameter with a default) flags nothing
    r.add(delta(AtomChange("update", "a.py::f", "a.py", "f", "function", ("params", "signature")), tx=6),
          now=0.0)
    assert r.may_break("a.py::f") is None
    r.add(delta(AtomChange("update", "a.py::f", "a.py", "f", "function", ("params", "signature"),
                           breaking="new required parameter x"), tx=7), now=0.0)
    assert r.may_break("a.py::f") == 7 and r.breaking_change("a.py::f") == "new required parameter x"
    r.forget_signature("a.py::f")
    assert r.may_break("a.py::f") is None
    r.add(delta(AtomChange("delete", "a.py::f", "a.py", "f", "function", (), renamed_to="a.py::f2"),
                tx=8), now=0.0)
    assert r.may_break("a.py::f2") == 8


# -- editor ---------------------------------------------------------------------------------------
def test_editor_command_per_editor():
    assert editor_command("/r/a.py", 12, {"EDITOR": "vim"}) == ["vim", "+12", "/r/a.py"]
    assert editor_command("/r/a.py", 12, {"EDITOR": "code --wait"}) == ["code", "--wait", "--goto", "/r/a.py:12"]
    assert editor_command("/r/a.py", 3, {"VISUAL": "subl", "EDITOR": "vi"}) == ["subl", "/r/a.py:3"]
    with pytest.raises(NoEditor):
        editor_command("/r/a.py", 1, {})


# -- search syntax ---------------------------------------------------------------------------
def test_search_syntax():
    p = parse_search("save kind:meth is:async not:exported file:pkg/*.py user")
    assert p.text == "save user"
    assert (p.filters.kind, p.filters.is_async, p.filters.exported, p.filters.file_glob) == \
        ("method", True, False, "pkg/*.py")
    assert parse_search("x file:models").filters.file_glob == "*models*"
    assert parse_search("kind:nope").problems
    assert [label for _, label in describe_filters(p.filters)] == \
        ["kind method", "async", "not exported", "file pkg/*.py"]
    assert without_filter("save kind:method async", "async") == "save kind:method"
    assert with_filter("save kind:method", "kind", "kind:class") == "save kind:class"


@settings(deadline=None)
@given(st.text(max_size=60))
def test_any_text_parses(text):
    parse_search(text)


# -- questions ------------------------------------------------------------------------------
@pytest.fixture
def store(pyrepo: Path, tmp_path: Path):
    write(pyrepo / "rec.py", "def countdown(n):\n    return countdown(n - 1)\n")
    s, _ = index_repo(pyrepo, tmp_path / "index.db")
    yield s
    s.close()


def test_search_as_you_type_puts_name_prefixes_first(store):
    ids = [r["id"] for r in query.search_as_you_type(store, "sav")]
    assert ids[:2] == ["pkg/db.py::save", "pkg/models.py::Base.save"]  # shortest names first
    assert "pkg/db.py::save_atom" in ids
    rows = query.search_as_you_type(store, "save", AtomFilter(is_async=True))
    assert [r["id"] for r in rows] == ["pkg/db.py::save_atom"]
    assert (rows[0]["callers"], rows[0]["callees"]) == (2, 1)
    assert query.search_as_you_type(store, "") == []
    assert {r["id"] for r in query.search_as_you_type(store, "", AtomFilter(kind="class"))} >= {
        "pkg/models.py::User", "pkg/models.py::Base"}
    # full-text hits fill in after the names (a word inside a path or a docstring)
    assert "pkg/service.py::handle" in [r["id"] for r in query.search_as_you_type(store, "service")]


def test_windowed_ranking_matches_full_ranking_on_few_matches(store):
    full = [s.id for s in store.atoms.search("save", limit=50)]
    windowed = [s.id for s in store.atoms.search("save", limit=50, window=2000)]
    assert windowed == full


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=30))
def test_any_keystrokes_search_safely(store, text):  # read-only: sharing the index is fine
    query.search_as_you_type(store, text)
    query.fuzzy_atoms(store, text)


def test_call_children_counts_and_recursion(store):
    rows = query.call_children(store, "pkg/service.py::handle", upward=False)
    by = {r.get("id") or r["callee"]: r for r in rows}
    assert by["pkg/db.py::save_atom"]["callees"] == 1
    assert by["obj.save"]["resolution"] == "ambiguous" and by["obj.save"]["candidates"] == 2
    assert by["print"]["resolution"] == "builtin"
    rec = query.call_children(store, "rec.py::countdown", upward=False)
    assert [r["id"] for r in rec] == ["rec.py::countdown"] and rec[0]["resolution"] == "recursive"
    assert [r["id"] for r in query.call_children(store, "rec.py::countdown", upward=True)] == ["rec.py::countdown"]


def test_fuzzy_atoms_atom_view_totals(store):
    assert query.fuzzy_atoms(store, "syal")[0]["id"] == "pkg/service.py::sync_all"
    view = query.atom_view(store, "broken.py::after_error")
    assert view["file_error_count"] >= 1 and view["file_errors"] and view["language"] == "python"
    assert query.atom_view(store, "nope::x") is None
    totals = query.totals(store)
    assert totals["atoms"] == store.conn.execute("SELECT count(*) FROM atoms").fetchone()[0]
    assert totals["files_with_errors"] == 1 and totals["last_transaction"] == 1


def test_atom_as_it_was_and_event_globs(pyrepo: Path, tmp_path: Path):
    from dgtui.engine.indexer import Indexer

    store, _ = index_repo(pyrepo, tmp_path / "index.db")
    write(pyrepo / "pkg" / "util.py", "def fmt(value):\n    return str(value)\n")
    Indexer(str(pyrepo), store, workers=1).run(source="reconcile")
    ghost = query.atom_as_it_was(store, "pkg/util.py::only_helper_here")
    assert ghost["signature"] == "def only_helper_here(x):" and ghost["deleted_in"] == 2
    assert query.atom_as_it_was(store, "pkg/util.py::fmt")["deleted_in"] is None
    events = query.events(store, EventFilter(atom_glob="*only_helper*", limit=None))
    assert [e["operation"] for e in events] == ["delete", "create"]
    store.close()
