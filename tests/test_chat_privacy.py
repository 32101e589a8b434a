"""The chat history is private: folders 0700, files 0600 (WAL and SHM too), ids validated."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from chat_support import index, paths_for, session
from conftest import run_cli
from reliability import dgtui, permissions_apply

from dgtui.chat import ChatSession
from dgtui.paths import PathError, RepoPaths, default_user

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def mode(path: str) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def repo(pyrepo: Path, home: Path) -> Path:
    index(pyrepo)
    return pyrepo


@pytest.mark.parametrize("umask", [0o022, 0o000])
def test_chat_folders_are_0700_and_files_0600_whatever_the_umask(repo: Path, home: Path, umask: int):
    old = os.umask(umask)
    try:
        with session(repo) as s:
            s.ask("who calls write?")
            db = s.chat_path
            files = [db + suffix for suffix in ("", "-wal", "-shm")]
            assert all(os.path.exists(f) for f in files)  # WAL and SHM exist while open
            assert [mode(f) for f in files] == [0o600] * 3
    finally:
        os.umask(old)
    user_dir, repo_dir = home / "chat-history" / "ann", Path(db).parent
    assert mode(str(home / "chat-history")) == 0o700
    assert mode(str(user_dir)) == 0o700 and mode(str(repo_dir)) == 0o700
    assert mode(db) == 0o600
    # the brain is shared, not private
    with session(repo) as s:
        s.brain.add("context", "shared note", "ann")
    assert mode(paths_for(repo).brain_db) & 0o044 == 0o044


def test_a_too_open_chat_folder_is_tightened(repo: Path, home: Path):
    paths = paths_for(repo)
    folder = Path(paths.chat_dir("ann"))
    folder.mkdir(parents=True)
    os.chmod(folder.parent, 0o755)
    os.chmod(folder, 0o777)
    with session(repo) as s:
        s.ask("who calls write?")
    assert mode(str(folder.parent)) == 0o700 and mode(str(folder)) == 0o700
    os.chmod(paths.chat_db("ann"), 0o644)
    with session(repo) as s:
        s.history()
    assert mode(paths.chat_db("ann")) == 0o600


def test_a_shared_chat_history_root_is_left_as_the_administrator_made_it(repo: Path, home: Path):
    root = home / "chat-history"
    root.mkdir(parents=True)
    os.chmod(root, 0o1733)  # a drop box: every account may create its own private folder
    with session(repo) as s:
        s.ask("who calls write?")
    assert mode(str(root)) == 0o1733 and mode(str(root / "ann")) == 0o700


@pytest.mark.skipif(os.name != "posix" or os.geteuid() != 0, reason="needs root to chown")
def test_a_chat_folder_owned_by_another_account_is_refused(repo: Path, home: Path):
    from dgtui.store import StoreError

    folder = Path(paths_for(repo).chat_dir("ann"))
    folder.mkdir(parents=True, mode=0o700)
    os.chown(folder, 65534, 65534)
    with pytest.raises(StoreError, match="belongs to another account"), session(repo) as s:
        s.ask("who calls write?")
    assert os.listdir(folder) == []


BAD_IDS = ["../evil", "a/b", "..", "a\\b", "x\ny", "tab\there", "", ".hidden", "a..b", "nul\x00",
           "bob\n", "ok\n"]  # `$` matched before a final newline: ids are anchored with \Z


@pytest.mark.parametrize("bad", BAD_IDS)
def test_bad_user_ids_are_refused(repo: Path, home: Path, bad: str):
    with pytest.raises(PathError, match="invalid user id"):
        ChatSession.open(paths_for(repo), bad)
    assert not (home / "chat-history").exists()
    assert not (home / "evil").exists() and not (home.parent / "evil").exists()


def test_a_bad_repository_id_is_refused(repo: Path):
    paths = paths_for(repo)
    forged = RepoPaths(paths.root, paths.home, "../../etc")
    with pytest.raises(PathError, match="invalid repository id"):
        ChatSession.open(forged, "ann")


def test_the_user_defaults_to_the_login_name_or_dgtui_user(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DGTUI_USER", "carol")
    assert default_user() == "carol"
    monkeypatch.delenv("DGTUI_USER")
    assert default_user()  # the operating-system login name
    monkeypatch.setenv("DGTUI_USER", "../x")
    with pytest.raises(PathError):
        default_user()


def test_the_cli_refuses_bad_user_ids_in_one_line(repo: Path, home: Path):
    for args, env in ((["--user", "../x"], {}), ([], {"DGTUI_USER": "a/b"}), (["--user", "bob\n"], {})):
        r = run_cli("chat", "ask", "who calls write?", "--path", str(repo), *args, env=env)
        assert r.returncode != 0 and "Traceback" not in r.stderr
        assert r.stderr.startswith("dgtui: invalid user id") and len(r.stderr.strip().splitlines()) == 1
    assert not (home / "chat-history").exists()


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0 or not permissions_apply(),
                    reason="needs root to make a folder another account's, and to drop the "
                           "capabilities that let root read it")
def test_reading_another_accounts_history_fails_like_writing_it(repo: Path, home: Path):
    """`chat history --user X` by an account that cannot see X's folder said "(no messages)",
    exit 0, while `chat ask` gave the ownership error. Both now give that error, and so does
    `chat clear`. The other account is simulated the way it looks from the file system: X's
    folder belongs to uid 65534, and the command runs bound by permission bits."""
    r = dgtui("chat", "ask", "who calls write?", "--path", str(repo), "--user", "ann", home=home)
    assert r.returncode == 0, r.stderr
    folder = home / "chat-history" / "ann"
    for path in [folder, *folder.rglob("*")]:
        os.chown(path, 65534, 65534)
    said = set()
    for args in (["history"], ["ask", "who calls write?"], ["clear", "--yes"],
                 ["history", "--json"]):
        r = dgtui("chat", *args, "--path", str(repo), "--user", "ann", home=home,
                  obey_permissions=True)
        assert r.returncode == 1 and "Traceback" not in r.stderr, (args, r.stdout, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1 and "(no messages)" not in r.stdout
        said.add(r.stderr)
    assert said == {f"dgtui: {folder} belongs to another account; dgtui keeps chat history "
                    "private and will not use it\n"}
