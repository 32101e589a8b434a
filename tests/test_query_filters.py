"""``dgtui query``'s call filters on a real index: a call is found by the name it is written
with and by the atom it reaches, so an import alias does not hide a caller."""

from __future__ import annotations

from pathlib import Path

from helpers import index_repo, write

from dgtui import query
from dgtui.model import AtomFilter


def _repo(root: Path) -> Path:
    write(root / "store.py", "def save_atom(atom):\n    return atom\n\n\n"
                             "class Cache:\n    def save_atom(self, atom):\n        return atom\n")
    write(root / "direct.py", "from store import save_atom\n\n\n"
                              "async def direct(a):\n    return save_atom(a)\n")
    write(root / "aliased.py", "from store import save_atom as persist\n\n\n"
                               "async def aliased(a):\n    return persist(a)\n\n\n"
                               "def plain(a):\n    return persist(a)\n")
    write(root / "other.py", "async def unrelated(a):\n    return len(a)\n")
    return root


def _ids(store, **filters) -> set[str]:
    return {r["id"] for r in query.query(store, AtomFilter(**filters))}


def test_calls_finds_callers_by_written_name_and_by_target(tmp_path: Path):
    store, _ = index_repo(_repo(tmp_path / "repo"), tmp_path / "index.db")
    with store:
        # by the name: the direct call, and the aliased ones through their resolved target
        assert _ids(store, calls="save_atom") == {
            "direct.py::direct", "aliased.py::aliased", "aliased.py::plain"}
        assert _ids(store, calls="save_atom", is_async=True) == {
            "direct.py::direct", "aliased.py::aliased"}
        # by id and by qualified name: only what reaches that atom
        assert _ids(store, calls="store.py::save_atom", is_async=True) == {
            "direct.py::direct", "aliased.py::aliased"}
        assert _ids(store, calls="Cache.save_atom") == set()
        # the name as written, resolved or not
        assert _ids(store, calls="persist") == {"aliased.py::aliased", "aliased.py::plain"}
        assert _ids(store, calls="len") == {"other.py::unrelated"}


def test_called_by_lists_resolved_callees(tmp_path: Path):
    store, _ = index_repo(_repo(tmp_path / "repo"), tmp_path / "index.db")
    with store:
        assert _ids(store, called_by="aliased") == {"store.py::save_atom"}
        assert _ids(store, called_by="aliased.py::plain") == {"store.py::save_atom"}
        assert _ids(store, called_by="unrelated") == set()  # len is not an atom
