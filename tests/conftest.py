"""Shared fixtures: real repositories in temporary folders, real SQLite files, real subprocesses."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


def add_awkward_files(root: Path) -> None:
    """Files a walk must skip or survive. Made here, not committed: our own git would honour
    the fixture's .gitignore files and leave the ignored files out of the repository."""
    (root / ".gitignore").write_text("ignored/\n*.gen.py\n")
    (root / "pkg" / ".gitignore").write_text("secret.py\n")
    (root / "pkg" / "secret.py").write_text("def secret(): pass\n")
    (root / "models.gen.py").write_text("def generated(): pass\n")
    (root / "ignored").mkdir()
    (root / "ignored" / "thing.py").write_text("def ignored(): pass\n")
    (root / "node_modules" / "dep").mkdir(parents=True)
    (root / "node_modules" / "dep" / "index.js").write_text("function dep() {}\n")
    (root / "venv-odd-name").mkdir()
    (root / "venv-odd-name" / "pyvenv.cfg").write_text("home = /usr\n")
    (root / "venv-odd-name" / "lib.py").write_text("def in_venv(): pass\n")
    (root / "binary.py").write_bytes(b"def x():\n    return 1\n\x00\x01\x02")
    (root / "latin1.py").write_bytes(b"def caf\xe9():\n    return 1\n")


def copy_fixture(name: str, dest: Path) -> Path:
    root = dest / name
    shutil.copytree(FIXTURES / name, root)
    if name == "pyrepo":
        add_awkward_files(root)
    return root


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private data home, so no test touches the user's."""
    h = tmp_path / "home"
    monkeypatch.setenv("DGTUI_HOME", str(h))
    return h


@pytest.fixture
def pyrepo(tmp_path: Path) -> Path:
    return copy_fixture("pyrepo", tmp_path)


@pytest.fixture
def jsrepo(tmp_path: Path) -> Path:
    return copy_fixture("jsrepo", tmp_path)


@pytest.fixture
def tsrepo(tmp_path: Path) -> Path:
    return copy_fixture("tsrepo", tmp_path)


@pytest.fixture
def gorepo(tmp_path: Path) -> Path:
    return copy_fixture("gorepo", tmp_path)


@pytest.fixture
def javarepo(tmp_path: Path) -> Path:
    return copy_fixture("javarepo", tmp_path)


@pytest.fixture
def rustrepo(tmp_path: Path) -> Path:
    return copy_fixture("rustrepo", tmp_path)


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None,
            input: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run the real `dgtui` in a subprocess."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "dgtui", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, input=input, timeout=timeout)
