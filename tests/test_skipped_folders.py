"""No folder is skipped for its name alone: what is left out comes from the repository's ignore
files, a short list of folders that are never source, and the user's own patterns, and every
skipped folder is listed with its reason. Driven through the real `dgtui` in subprocesses."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest
from conftest import run_cli
from helpers import write


def index_json(root: Path, *options: str) -> dict:
    r = run_cli("index", str(root), "--json", "--list-skipped", *options)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def indexed_files(root: Path) -> set[str]:
    r = run_cli("query", "--kind", "module", "--path", str(root), "--json")
    assert r.returncode == 0, r.stderr
    return {row["file_path"] for row in json.loads(r.stdout)}


def skipped_folders(summary: dict) -> dict[str, tuple[str, str]]:
    return {s["path"]: (s["reason"], s["detail"]) for s in summary["skipped_folders"]}


def test_folders_named_like_build_output_are_indexed_anywhere(tmp_path: Path, home: Path):
    """pip's `operations/build/`, coverage.py's own `coverage/` package, and `env`, `dist`,
    `build` folders that nothing ignores hold source: indexed."""
    root = tmp_path / "r"
    for folder in ("src/pip/_internal/operations/build", "coverage", "env", "dist", "build",
                   "lib/.cache", "site-packages/x", "pkg.egg-info"):
        write(root / folder / "code.py", "def f():\n    return 1\n")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    write(root / "node_modules" / "dep" / "index.js", "function dep() {}\n")
    write(root / "web" / "node_modules" / "dep" / "index.js", "function dep() {}\n")
    write(root / "pkg" / "__pycache__" / "mod.py", "def cached(): pass\n")
    write(root / "tools" / "my-env" / "pyvenv.cfg", "home = /usr/bin\n")
    write(root / "tools" / "my-env" / "lib" / "site.py", "def in_venv(): pass\n")

    summary = index_json(root)
    expected = {f"{f}/code.py" for f in ("src/pip/_internal/operations/build", "coverage", "env",
                                         "dist", "build", "lib/.cache", "site-packages/x", "pkg.egg-info")}
    assert indexed_files(root) == expected
    assert skipped_folders(summary) == {
        ".git/": ("never-source", "git's own data"),
        "node_modules/": ("never-source", "installed JavaScript packages"),
        "web/node_modules/": ("never-source", "installed JavaScript packages"),
        "pkg/__pycache__/": ("never-source", "Python bytecode"),
        "tools/my-env/": ("virtual-environment", "holds pyvenv.cfg"),
    }
    assert summary["skipped_folders_by_reason"] == {"never-source": 4, "virtual-environment": 1}
    assert summary["skipped"] == 0  # files: none

    # The text summary lists them too, each with its reason.
    r = run_cli("index", str(root), "--list-skipped")
    assert "skipped 5 folder(s)" in r.stdout
    assert "tools/my-env/  virtual-environment: holds pyvenv.cfg" in r.stdout
    r = run_cli("stats", "--skipped", "--path", str(root))
    assert "web/node_modules/  never-source: installed JavaScript packages" in r.stdout
    assert "skipped files: none" in r.stdout


def test_ignore_files_decide_and_say_which_pattern(tmp_path: Path, home: Path):
    root = tmp_path / "r"
    for folder in ("dist", "out", "scratch", "keep", "a/generated"):
        write(root / folder / "code.py", "def f(): pass\n")
    write(root / ".gitignore", "dist/\nout/\nkeep/\n")
    write(root / ".ignore", "scratch/\n!keep/\n")  # ripgrep's file: wins in its folder
    write(root / "a" / ".gitignore", "generated/\n")

    summary = index_json(root)
    assert indexed_files(root) == {"keep/code.py"}
    assert skipped_folders(summary) == {
        "dist/": ("ignored", ".gitignore: dist/"), "out/": ("ignored", ".gitignore: out/"),
        "scratch/": ("ignored", ".ignore: scratch/"),
        "a/generated/": ("ignored", "a/.gitignore: generated/"),
    }


@pytest.mark.slow
def test_pyproject_patterns_are_read_never_written(tmp_path: Path, home: Path):
    root = tmp_path / "r"
    for folder in ("dist", "vendor", "src"):
        write(root / folder / "code.py", "def f(): pass\n")
    write(root / ".gitignore", "dist/\n")
    config = '[project]\nname = "x"\n\n[tool.dgtui]\nexclude = ["vendor/"]\ninclude = ["dist/"]\n'
    write(root / "pyproject.toml", config)
    before = hashlib.sha256((root / "pyproject.toml").read_bytes()).hexdigest()

    summary = index_json(root)
    assert indexed_files(root) == {"dist/code.py", "src/code.py"}
    assert skipped_folders(summary) == {"vendor/": ("ignored", "[tool.dgtui] in pyproject.toml: vendor/")}
    assert hashlib.sha256((root / "pyproject.toml").read_bytes()).hexdigest() == before
    assert sorted(p.name for p in root.iterdir()) == [".gitignore", "dist", "pyproject.toml", "src", "vendor"]

    # A table that is not what it should be is said, not silently ignored.
    write(root / "pyproject.toml", '[tool.dgtui]\nexclude = "vendor/"\ninclude = [1]\n')
    summary = index_json(root)
    bad = {s["path"]: s for s in summary["skipped_files"]}["pyproject.toml"]
    assert bad["reason"] == "bad-ignore-pattern" and "include must be a list" in bad["detail"]
    assert "src/code.py" in indexed_files(root) and "vendor/code.py" not in indexed_files(root)


@pytest.mark.slow
def test_exclude_and_include_options_are_remembered_and_undone(tmp_path: Path, home: Path):
    root = tmp_path / "r"
    for folder in ("legacy", "src", "build"):
        write(root / folder / "code.py", "def f(): pass\n")
    write(root / ".gitignore", "build/\n")

    summary = index_json(root, "--exclude", "legacy/", "--include", "build/")
    assert indexed_files(root) == {"src/code.py", "build/code.py"}
    assert skipped_folders(summary) == {"legacy/": ("ignored", "dgtui index --exclude/--include: legacy/")}

    # Remembered by the index: a plain run (and every other walk of it) skips the same.
    index_json(root)
    assert indexed_files(root) == {"src/code.py", "build/code.py"}
    r = run_cli("check", "--path", str(root))  # the checker walks with the same rules
    assert r.returncode == 0, r.stdout + r.stderr

    # A rebuilt index keeps them.
    index_json(root, "--rebuild")
    assert indexed_files(root) == {"src/code.py", "build/code.py"}

    # Each option undoes the other's pattern.
    summary = index_json(root, "--include", "legacy/", "--exclude", "build/")
    assert indexed_files(root) == {"src/code.py", "legacy/code.py"}
    assert skipped_folders(summary) == {"build/": ("ignored", ".gitignore: build/")}
