"""Atom rows and states as the parse workers make them: the hand-made JSON is exactly what the
``json`` module writes, a stored atom reads back equal, and the search words are the regex's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dgtui.engine.ignore import IgnoreRules
from dgtui.engine.walk import walk
from dgtui.model import Atom, Call, Import
from dgtui.parse.files import parse_file
from dgtui.store import Store
from dgtui.store.records import _CAMEL, RECORD_COLUMNS, atom_row, atom_state, identifier_words

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)  # no lone surrogates
NAME = st.one_of(TEXT, st.sampled_from(["save", "saveUser", "HTTPServer.get", "a.b.c", "x1y",
                                        "test(saves a user)", "", "."]))


def reference_json(atom: Atom) -> str:
    return json.dumps(atom.to_state(), ensure_ascii=False, separators=(",", ":"))


atoms = st.builds(
    Atom,
    id=NAME, file_path=NAME, name=NAME, qualified_name=NAME,
    kind=st.sampled_from(["module", "function", "method", "class", "arrow", "test"]),
    line=st.integers(1, 10**6), end_line=st.none() | st.integers(1, 10**6),
    signature=TEXT, params=st.lists(TEXT, max_size=3).map(tuple), is_async=st.booleans(),
    is_exported=st.booleans(), docstring=TEXT, complexity=st.integers(1, 99), body_hash=TEXT,
    calls=st.lists(st.builds(Call, TEXT, TEXT, st.integers(-5, 500)), max_size=4).map(tuple),
    parent_id=st.none() | NAME, owner=st.none() | NAME,
    bases=st.lists(TEXT, max_size=2).map(tuple),
    imports=st.lists(st.builds(Import, TEXT, TEXT, st.none() | TEXT, st.booleans()),
                     max_size=3).map(tuple),
    extra=st.none() | st.fixed_dictionaries({}, optional={
        "generator": st.just(True), "exports": st.lists(TEXT, max_size=3),
        "default": TEXT}).filter(bool),
)


def read_back(db: Path, atom: Atom) -> Atom:
    """The atom after a trip through a real index file."""
    with Store.open(str(db)) as store:
        store.conn.execute("DELETE FROM edge_rows")
        store.conn.execute("DELETE FROM atoms")
        store.atoms.insert_atoms([atom_row(atom)], 1.0, 1)
        # its calls are its rows of the edges table
        store.atoms.insert_edge_rows([(atom.id, None, c.callee, c.short, atom.line + c.offset,
                                       "unresolved", 0, None) for c in atom.calls])
        return store.atoms.get(atom.id).atom


@settings(max_examples=300, deadline=None)
@given(atoms)
def test_row_and_state_are_what_json_writes(atom: Atom):
    row = atom_row(atom)
    assert atom_state(atom) == reference_json(atom)
    assert len(row) == len(RECORD_COLUMNS.split(","))
    state = atom.to_state()
    data = {k: state[k] for k in ("params", "bases", "imports", "extra") if state[k]}
    assert row[-1] == json.dumps(data, ensure_ascii=False, separators=(",", ":"))


@settings(max_examples=60, deadline=None)
@given(atoms)
def test_an_atom_reads_back_equal(tmp_path_factory, atom: Atom):
    assert read_back(tmp_path_factory.mktemp("db") / "i.db", atom) == atom


@pytest.mark.parametrize("fixture", ["pyrepo", "jsrepo", "tsrepo"])
def test_parsed_atoms_match_the_reference(fixture: str, request, tmp_path: Path):
    root = request.getfixturevalue(fixture)
    n = 0
    for f in walk(str(root), IgnoreRules(str(root))).files:
        pf = parse_file(str(root), f.path, 2 << 20, atom_row)
        for atom, row in zip(pf.atoms, pf.rows, strict=True):
            assert row == atom_row(atom)
            assert json.loads(row[-1]).keys() <= {"params", "bases", "imports", "extra"}
            assert read_back(tmp_path / "i.db", atom) == atom
            n += 1
    assert n > 10


@settings(max_examples=500, deadline=None)
@given(NAME)
def test_identifier_words_match_the_regex_on_the_whole_name(name: str):
    assert identifier_words(name) == " ".join(w.lower() for w in _CAMEL.findall(name))


def _atom(qualified: str, name: str, kind: str, parent: str | None, suffix: str = "") -> Atom:
    return Atom(id=f"m/a.py::{qualified}{suffix}", file_path="m/a.py", name=name,
                qualified_name=qualified, kind=kind, line=3, end_line=9, parent_id=parent)


# An id and parent id are stored only where the name does not say them (schema 4): each case
# reads back as it was, whether or not the name says it.
@pytest.mark.parametrize("atom", [
    _atom("<module>", "<module>", "module", None),
    _atom("<module>", "<module>", "module", "m/a.py::elsewhere"),
    _atom("run", "run", "function", "m/a.py::<module>"),
    _atom("run", "run", "function", None),
    _atom("run", "run", "function", "m/a.py::<module>", suffix="#2"),
    _atom("Box.get", "get", "method", "m/a.py::Box"),
    _atom("Box.get", "get", "method", "m/a.py::<module>"),  # an object literal's method (JS)
    _atom("Box.get", "get", "method", "m/a.py::Box#2"),
    _atom("Box.get", "other", "method", "m/a.py::Box"),
    _atom("a.b.c", "c", "function", "m/a.py::a.b"),
    _atom("a.b.c", "c", "function", ""),
])
def test_ids_and_parents_read_back_as_written(tmp_path: Path, atom: Atom):
    assert read_back(tmp_path / "i.db", atom) == atom
    with Store.open(str(tmp_path / "i.db")) as store:  # and after an update of the row
        moved = atom._replace(parent_id="m/a.py::<module>", kind="function")
        store.atoms.update_atoms([(atom_row(moved), 2)], 2.0, 2)
        assert store.atoms.get(atom.id).atom == moved
