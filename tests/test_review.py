"""`dgtui diff`: the function-level review against git revisions (commits, branches, renames, a
merge) and since points of the event log, through the real CLI in a subprocess, on real git
repositories made here. The repository and the index must come out untouched."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import run_cli
from helpers import write

from dgtui.engine.indexer import Indexer
from dgtui.engine.writer import Engine, open_for_writing
from dgtui.paths import RepoPaths

FILES = {
    "pkg/__init__.py": "",
    "pkg/db.py": "def write(record):\n    return record\n\n\ndef save_atom(atom):\n    return write(atom)\n\n\n"
                 "def save(thing, flag=False):\n    \"\"\"Save a thing.\"\"\"\n    return thing\n",
    "pkg/util.py": "def fmt(x):\n    return str(x) + '!'\n",
    "pkg/models.py": "class User:\n    def __init__(self, name):\n        self.name = name\n",
    "pkg/service.py": "from . import db\nfrom .util import fmt\n\n\ndef handle(request):\n"
                      "    db.write(request)\n    return fmt(request)\n",
    "tests/test_db.py": "from pkg.db import save\nfrom pkg.service import handle\n\n\n"
                        "def test_save():\n    assert save(1) == 1\n\n\ndef test_handle():\n    assert handle(2)\n",
    ".gitignore": "gen/\n",
}


def git(root: Path, *args: str) -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@t")
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True,
                          text=True, env=env).stdout


def committed_repo(root: Path, files: dict[str, str]) -> Path:
    """A git work tree at ``root`` holding ``files`` in one commit on ``main``."""
    for path, text in files.items():
        write(root / path, text)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "one")
    return root


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return committed_repo(tmp_path / "repo", FILES)


def agent_edits(root: Path) -> None:
    """An agent's change: a deletion still called, a breaking signature, a rename, a file moved,
    a new untracked file, and a file the ignore rules leave out."""
    write(root / "pkg/db.py", "def save_atom(atom):\n    return atom\n\n\n"
                              "def save(thing, flag):\n    \"\"\"Save a thing, with a flag.\"\"\"\n    return thing\n")
    write(root / "pkg/util.py", "def format_text(x):\n    return str(x) + '!'\n")
    git(root, "mv", "pkg/models.py", "pkg/entities.py")
    write(root / "pkg/new.py", "def brand_new(y):\n    return y\n")
    write(root / "gen/made.py", "def generated():\n    return 0\n")


def index(root: Path) -> None:
    result = run_cli("index", str(root))
    assert result.returncode == 0, result.stderr


def diff(root: Path, *args: str) -> dict:
    result = run_cli("diff", "--path", str(root), "--json", *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def by_id(review: dict) -> dict[str, dict]:
    return {a["id"]: a for a in review["atoms"]}


def git_state(root: Path) -> dict[str, tuple[int, int]]:
    """Every file of .git with its size and mtime: a read-only review changes none."""
    out = {}
    for folder, _dirs, names in os.walk(root / ".git"):
        for name in names:
            st = os.stat(os.path.join(folder, name))
            out[os.path.join(folder, name)] = (st.st_size, st.st_mtime_ns)
    return out


@pytest.mark.slow
def test_diff_against_head_names_each_change_its_risks_and_tests(repo: Path, home: Path):
    agent_edits(repo)
    index(repo)
    before_git, before_status = git_state(repo), git(repo, "--no-optional-locks", "status", "--porcelain")
    index_db = Path(RepoPaths.for_root(str(repo), str(home)).index_db)
    before_index = index_db.stat().st_mtime_ns

    review = diff(repo)
    atoms = by_id(review)
    changes = {i: a["change"] for i, a in atoms.items()}
    assert changes == {
        "pkg/db.py::save_atom": "changed", "pkg/db.py::write": "deleted", "pkg/db.py::save": "changed",
        "pkg/entities.py::<module>": "moved", "pkg/entities.py::User": "moved",
        "pkg/entities.py::User.__init__": "moved", "pkg/new.py::<module>": "created",
        "pkg/new.py::brand_new": "created", "pkg/util.py::format_text": "renamed"}
    assert not any(p.startswith("gen/") for p in review["files"])  # ignored, as indexing does
    save = atoms["pkg/db.py::save"]
    assert save["signature_change"] == "breaking" and "flag lost its default" in save["signature_note"]
    assert set(save["aspects"]) == {"body", "docstring", "signature"}
    assert [c["id"] for c in save["callers_at_risk"]] == ["tests/test_db.py::test_save"]
    assert [t["id"] for t in save["tests"]] == ["tests/test_db.py::test_save"]
    # a deleted function still called: its caller calls nothing now, and the tests above it
    write_ = atoms["pkg/db.py::write"]
    assert [(c["id"], c["why"]) for c in write_["callers_at_risk"]] == [
        ("pkg/service.py::handle", "calls nothing now")]
    assert [t["id"] for t in write_["tests"]] == ["tests/test_db.py::test_handle"]
    # a rename is one change; the caller of the old name is left calling nothing
    renamed = atoms["pkg/util.py::format_text"]
    assert renamed["old_id"] == "pkg/util.py::fmt" and renamed["aspects"] == []
    assert [c["id"] for c in renamed["callers_at_risk"]] == ["pkg/service.py::handle"]
    assert atoms["pkg/entities.py::User"]["old_id"] == "pkg/models.py::User"
    # a compatible change (save_atom's body) with no test flagged; new code no test reaches
    assert atoms["pkg/db.py::save_atom"]["signature_change"] is None
    assert atoms["pkg/new.py::brand_new"]["untested"] and not save["untested"]
    assert review["counts"]["left_calling_nothing"] == 2 and review["counts"]["breaking"] == 1

    # read-only: git's files, the work tree's status and the index are as they were
    assert git_state(repo) == before_git and git(repo, "--no-optional-locks", "status", "--porcelain") == before_status
    assert index_db.stat().st_mtime_ns == before_index

    # the other outputs
    lines = run_cli("diff", "--path", str(repo), "--ndjson").stdout.splitlines()
    assert {json.loads(x)["id"] for x in lines} == set(atoms)
    md = run_cli("diff", "--path", str(repo), "--md").stdout
    assert md.startswith("## Function-level review against HEAD")
    assert "`pkg/service.py::handle`: calls nothing now" in md
    assert "### Changed and reached by no test" in md and "`pkg/new.py::brand_new`" in md
    table = run_cli("diff", "--path", str(repo))
    assert "pkg/db.py::write" in table.stdout and "1 breaking" in table.stderr
    out = repo.parent / "review.md"
    assert run_cli("diff", "--path", str(repo), "--md", "-o", str(out)).returncode == 0
    assert out.read_text() == md
    as_json = repo.parent / "review.json"
    assert run_cli("diff", "--path", str(repo), "-o", str(as_json)).returncode == 0
    assert json.loads(as_json.read_text())["atoms"] == review["atoms"]
    refused = run_cli("diff", "--path", str(repo), "-o", str(as_json))
    assert refused.returncode != 0 and len(refused.stderr.strip().splitlines()) == 1


def test_diff_against_branches_and_a_merge(repo: Path, home: Path):
    git(repo, "checkout", "-q", "-b", "feature")
    write(repo / "pkg/util.py", "def fmt(x, sep=''):\n    return str(x) + sep + '!'\n")
    git(repo, "commit", "-qam", "feature: fmt takes a separator")
    git(repo, "checkout", "-q", "main")
    write(repo / "pkg/db.py", FILES["pkg/db.py"] + "\n\ndef load(key):\n    return key\n")
    git(repo, "commit", "-qam", "main: load")
    git(repo, "merge", "-q", "--no-edit", "feature")
    index(repo)

    assert diff(repo)["atoms"] == []  # nothing since HEAD
    # against main before the merge: the feature's compatible change
    since_main = by_id(diff(repo, "HEAD^1"))
    assert list(since_main) == ["pkg/util.py::fmt"]
    fmt = since_main["pkg/util.py::fmt"]
    assert fmt["signature_change"] == "compatible" and "sep with a default" in fmt["signature_note"]
    assert fmt["callers_at_risk"] == [] and [t["id"] for t in fmt["tests"]] == ["tests/test_db.py::test_handle"]
    # against the feature branch (by name): main's new function
    assert list(by_id(diff(repo, "feature"))) == ["pkg/db.py::load"]
    # against the first commit: both
    first = git(repo, "rev-list", "--max-parents=0", "HEAD").strip()
    assert set(by_id(diff(repo, first))) == {"pkg/util.py::fmt", "pkg/db.py::load"}


@pytest.mark.slow
def test_bad_revisions_are_one_line_errors(repo: Path, home: Path):
    index(repo)
    for args, said in [(["no-such-branch"], "not a revision"), (["--bogus-option"], "no such option"),
                       (["-x"], "no such option"), (["HEAD", "--since", "1"], "not both"),
                       (["--since", "s999"], "no session s999")]:
        result = run_cli("diff", "--path", str(repo), *args)
        assert result.returncode != 0, args
        assert said in result.stderr.lower() and len(result.stderr.strip().splitlines()) == 1, result.stderr
    result = run_cli("diff", "--path", str(repo), "--", "--output=x")  # never an option of git's
    assert result.returncode != 0 and len(result.stderr.strip().splitlines()) == 1
    assert not (repo / "x").exists()


def test_since_a_session_without_git(tmp_path: Path, home: Path):
    root = tmp_path / "plain"
    for path, text in FILES.items():
        write(root / path, text)
    store = open_for_writing(RepoPaths.for_root(str(root), str(home)).index_db, str(root))
    engine = Engine(store)
    indexer = Indexer(str(root), store, engine, workers=1)
    indexer.run(source="index")
    write(root / "pkg/util.py", "def fmt(x):\n    return str(x) + '?'\n")
    indexer.sync_paths(["pkg/util.py"])
    engine.client = "mcp:agent-z"  # the agent's session: deletes write, renames nothing
    write(root / "pkg/db.py", FILES["pkg/db.py"].replace("def write(record):\n    return record\n\n\n", ""))
    agent = indexer.sync_paths(["pkg/db.py"])
    store.close()

    result = run_cli("diff", "--path", str(root))
    assert result.returncode != 0 and "--since" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    review = diff(root, "--since", "last")
    assert review["base"].startswith(f"session s{agent.transaction_id} (file-watcher (mcp:agent-z)")
    atoms = by_id(review)
    assert {i: a["change"] for i, a in atoms.items()} == {"pkg/db.py::write": "deleted"}
    assert [c["id"] for c in atoms["pkg/db.py::write"]["callers_at_risk"]] == [
        "pkg/db.py::save_atom", "pkg/service.py::handle"]
    # since the index was built: both sessions; the same answer by transaction number
    everything = diff(root, "--since", "1")
    assert set(by_id(everything)) == {"pkg/db.py::write", "pkg/util.py::fmt"}
    assert by_id(everything)["pkg/util.py::fmt"]["aspects"] == ["body"]


def test_odd_file_names_are_reviewed_or_left_out_never_a_crash(repo: Path, home: Path):
    write(repo / "odd dir/café.py", "def naïve(x):\n    return x\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "odd")
    write(repo / "odd dir/café.py", "def naïve(x, y=1):\n    return x + y\n")
    write(repo / "new\nline.py", "def on_two_lines():\n    return 2\n")
    os.makedirs(repo / "raw", exist_ok=True)
    with open(os.path.join(bytes(repo / "raw"), b"not-utf8-\xff.py"), "w") as fh:
        fh.write("def undecodable_name():\n    return 3\n")
    index(repo)
    atoms = by_id(diff(repo))
    assert atoms["odd dir/café.py::naïve"]["signature_change"] == "compatible"
    assert "new\nline.py::on_two_lines" in atoms  # read from the disk, not through git's batch
    assert not any("undecodable" in i for i in atoms)


def test_what_reaches_a_terminal_is_inert(repo: Path, home: Path):
    """A file name written to send an escape sequence is shown escaped, in every format that
    prints to a terminal (the Markdown summary, the table, the summary line)."""
    from pty_support import on_a_terminal

    write(repo / "evil\x1b[2J.py", "def wipe():\n    return 0\n")
    index(repo)
    for args in (["--md"], []):
        status, said = on_a_terminal(["diff", "--path", str(repo), *args], home)
        assert status == 0, said
        assert b"\x1b[2J" not in said and b"evil\\x1b[2J.py" in said, said
