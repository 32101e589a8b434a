"""Answers built on the graph use only edges with a target, say what they could not follow, and
leave out of dead code what is called by name from outside the code."""

from __future__ import annotations

import textwrap
from pathlib import Path

from helpers import edge, index_repo

from dgtui import query as q


def make(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def test_dead_code_leaves_out_what_is_called_by_name_from_outside(tmp_path: Path):
    root = make(tmp_path / "repo", {
        "pyproject.toml": '[project]\nname = "tool"\n[project.scripts]\ntool = "tool.cli:run"\n',
        "tool/cli.py": """
            import functools

            def run():
                return 1

            def _unused():
                return 2

            @functools.cache
            def _registered():
                return 3

            class _Box:
                @property
                def _size(self):
                    return 4

                def _lonely(self):
                    return 5
        """,
    })
    store, _ = index_repo(root, tmp_path / "i.db")
    dead = {r["id"] for r in q.dead_code(store)}
    assert "tool/cli.py::_unused" in dead and "tool/cli.py::_Box._lonely" in dead
    assert "tool/cli.py::run" not in dead  # a console script
    assert "tool/cli.py::_registered" not in dead  # decorated: registered or wrapped
    assert "tool/cli.py::_Box._size" not in dead  # a property


def test_an_overloaded_function_owns_its_plain_id(tmp_path: Path):
    root = make(tmp_path / "repo", {"m.py": """
        from typing import overload

        def helper(x):
            return x

        @overload
        def main(x: int) -> int: ...
        @overload
        def main(x: str) -> str: ...
        def main(x):
            return helper(x)

        def caller():
            return main(1)
    """})
    store, _ = index_repo(root, tmp_path / "i.db")
    assert edge(store, "m.py::main", "helper").target_id == "m.py::helper"  # the implementation
    assert edge(store, "m.py::caller", "main").target_id == "m.py::main"
    assert {"m.py::main#2", "m.py::main#3"} <= {r[0] for r in store.conn.execute("SELECT id FROM atoms")}


def test_impact_says_how_many_calls_it_could_not_follow(tmp_path: Path):
    root = make(tmp_path / "repo", {
        "a.py": """
            class Store:
                def save(self):
                    return 1

            def direct(s: Store):
                return s.save()
        """,
        "b.py": """
            class Other:
                def save(self):
                    return 2

            def unknown(x):
                return x.save()
        """,
    })
    store, _ = index_repo(root, tmp_path / "i.db")
    found = q.impact(store, "a.py::Store.save")
    assert [r["id"] for r in found["callers"]] == ["a.py::direct"]  # only the typed call
    assert found["unfollowed"] == 1  # x.save() may reach it; no walk can follow it
