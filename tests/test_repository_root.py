"""Any folder of a repository is that repository: commands and the explorer started in a
subfolder find the root (the git work tree, else the nearest indexed folder above), say so on
standard error, and use the one index. Driven through the real `dgtui` in subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import run_cli

from dgtui.paths import RepoPaths, find_repository


def git_init(root: Path) -> None:
    subprocess.run(["git", "init", "-q", str(root)], check=True, capture_output=True)


def indexes(home: Path) -> list[str]:
    """The repositories the data home holds an index for."""
    repos = home / "repos"
    return sorted(p.name for p in repos.iterdir() if (p / "index.db").exists()) if repos.is_dir() else []


def test_a_subfolder_of_a_git_work_tree_is_the_work_tree(pyrepo: Path, home: Path):
    git_init(pyrepo)
    sub = pyrepo / "pkg"
    r = run_cli("index", cwd=sub)
    assert r.returncode == 0, r.stderr
    assert f"dgtui: using {pyrepo} (the enclosing git work tree of pkg)" in r.stderr
    assert indexes(home) == [RepoPaths.for_root(str(pyrepo)).repo_id]  # one index, the root's

    # A search there uses that index, and looks in the subfolder first (said on stderr).
    r = run_cli("search", "handle", "--json", cwd=sub)
    assert r.returncode == 0, r.stderr
    assert "files under pkg/ only" in r.stderr
    assert [row["id"] for row in json.loads(r.stdout)] == ["pkg/service.py::handle"]
    assert all(row["file_path"].startswith("pkg/") for row in json.loads(
        run_cli("search", "main", "--json", cwd=sub).stdout))
    whole = json.loads(run_cli("search", "main", "--file", "*", "--json", cwd=sub).stdout)
    assert any(not row["file_path"].startswith("pkg/") for row in whole)

    # Other commands answer from the root's index too, with ids relative to the root.
    r = run_cli("callers", "pkg/db.py::write", "--json", cwd=sub)
    assert r.returncode == 0, r.stderr
    assert "pkg/service.py::handle" in {row["id"] for row in json.loads(r.stdout)}
    assert indexes(home) == [RepoPaths.for_root(str(pyrepo)).repo_id]


def test_without_git_the_nearest_indexed_folder_above(pyrepo: Path, home: Path):
    assert run_cli("index", str(pyrepo)).returncode == 0
    r = run_cli("stats", "--json", "--path", str(pyrepo / "pkg"))
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["root"] == str(pyrepo)
    assert "(the nearest folder above with an index of pkg)" in r.stderr
    # At the root itself nothing is said.
    r = run_cli("stats", "--json", cwd=pyrepo)
    assert r.returncode == 0 and r.stderr == ""


def test_neither_git_nor_an_index_the_folder_given(pyrepo: Path, home: Path):
    r = run_cli("index", "--json", cwd=pyrepo / "pkg")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["root"] == str(pyrepo / "pkg")
    assert "using" not in r.stderr


def test_find_repository_prefers_the_git_work_tree_over_a_nearer_index(tmp_path: Path, home: Path):
    """An index made of a subfolder before (the old behaviour) no longer splits the repository."""
    root = tmp_path / "repo"
    (root / "src" / "pkg").mkdir(parents=True)
    git_init(root)
    sub_index = RepoPaths.for_root(str(root / "src" / "pkg"))
    os.makedirs(sub_index.index_dir)
    Path(sub_index.index_db).write_bytes(b"")
    found = find_repository(str(root / "src" / "pkg"))
    assert (found.root, found.subfolder) == (str(root), "src/pkg")
    # A linked work tree or a submodule has a `.git` file, not a folder.
    (root / "src" / "pkg" / ".git").write_text("gitdir: elsewhere\n")
    assert find_repository(str(root / "src" / "pkg")).root == str(root / "src" / "pkg")


@pytest.mark.parametrize("where", ["before", "after"])
def test_global_options_before_or_after_the_command(pyrepo: Path, tmp_path: Path, where: str):
    home = tmp_path / "elsewhere"
    opts = ["--home", str(home), "--path", str(pyrepo)]
    r = run_cli(*opts, "index") if where == "before" else run_cli("index", str(pyrepo), "--home", str(home))
    assert r.returncode == 0, r.stderr
    assert indexes(home)
    args = [*opts, "search", "handle", "--json"] if where == "before" else \
        ["search", "handle", "--json", *opts]
    r = run_cli(*args, env={"DGTUI_HOME": str(tmp_path / "not-this-one")})
    assert r.returncode == 0, r.stderr
    assert "pkg/service.py::handle" in {row["id"] for row in json.loads(r.stdout)}


def test_the_command_own_option_wins_over_the_global_one(pyrepo: Path, tmp_path: Path):
    home = tmp_path / "h"
    assert run_cli("--home", str(home), "index", str(pyrepo)).returncode == 0
    r = run_cli("--home", str(tmp_path / "empty"), "stats", "--home", str(home), "--path", str(pyrepo))
    assert r.returncode == 0, r.stderr
    r = run_cli("--home", str(home), "--path", str(tmp_path), "stats", "--path", str(pyrepo), "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["root"] == str(pyrepo)


HEADLESS = {"TEXTUAL_DRIVER": "textual.drivers.headless_driver:HeadlessDriver"}


def test_the_explorer_from_a_subfolder_opens_the_root(pyrepo: Path, home: Path):
    """`dgtui --home H --path pkg` (no command) opens the explorer on the work tree; it quits
    at once (Textual's own autopilot presses the key) and leaves the root's index behind."""
    git_init(pyrepo)
    r = run_cli("--home", str(home), "--path", str(pyrepo / "pkg"),
                env={**HEADLESS, "TEXTUAL_PRESS": "ctrl+q"}, timeout=120)
    assert r.returncode == 0, r.stderr
    assert f"using {pyrepo} (the enclosing git work tree of pkg)" in r.stderr
    assert indexes(home) == [RepoPaths.for_root(str(pyrepo)).repo_id]
