"""Nothing lost by an ordinary command (issue 14): where `-o FILE` and `dgtui backup FILE` may
write. Each trial runs the real CLI on a real index, the way a user would: an output aimed at
dgtui's own stores (directly, through a link, a hard link), special files (a character device, a
FIFO, a socket, a descriptor held by the process), an existing file, the mode of what is written.
"""

from __future__ import annotations

import hashlib
import os
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import copy_fixture
from pty_support import on_a_terminal

SIDECAR = "-metadata.json"


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One indexed repository with a brain insight and a chat, shared by the trials (which only
    read it, or check that an attempt to overwrite it left it alone)."""
    tmp = tmp_path_factory.mktemp("targets")
    repo = copy_fixture("pyrepo", tmp)
    home = tmp / "home"
    for args in (["index", str(repo)], ["brain", "add", "--path", str(repo), "a decision"],
                 ["chat", "ask", "who calls save?", "--path", str(repo), "--user", "ann"]):
        r = run(*args, home=home)
        assert r.returncode == 0, r.stderr
    return {"repo": repo, "home": home, "index": next(home.glob("repos/*/index.db")),
            "brain": next(home.glob("project-brains/*/brain.db")),
            "chat": next(home.glob("chat-history/ann/*/chat.db"))}


def run(*args: str, home: Path, umask: int | None = None, pass_fds: tuple[int, ...] = (),
        **kwargs) -> subprocess.CompletedProcess:
    env = dict(os.environ, DGTUI_HOME=str(home))
    preexec = (lambda: os.umask(umask)) if umask is not None else None
    return subprocess.run([sys.executable, "-m", "dgtui", *args], capture_output=True, text=True,
                          env=env, timeout=120, preexec_fn=preexec, pass_fds=pass_fds, **kwargs)


def refused(r: subprocess.CompletedProcess, words: str) -> None:
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr, r.stderr
    assert words in r.stderr, r.stderr


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def stores(indexed: dict) -> dict[str, str]:
    return {k: digest(indexed[k]) for k in ("index", "brain", "chat")}


@pytest.mark.slow
def test_outputs_and_backups_into_the_data_home_are_refused(indexed: dict, tmp_path: Path):
    repo, home = str(indexed["repo"]), indexed["home"]
    before = stores(indexed)
    link = tmp_path / "looks-harmless"
    os.symlink(indexed["index"].parent, link)  # a link into the data home
    file_link = tmp_path / "export.csv"
    os.symlink(indexed["brain"], file_link)
    attempts = [
        ["search", "save", "--path", repo, "-o", str(indexed["index"]), "--force"],
        ["search", "save", "--path", repo, "-o", str(indexed["index"]) + "-wal", "--force"],
        ["search", "save", "--path", repo, "-o", str(home / "new.csv")],
        ["events", "--path", repo, "--json", "-o", str(link / "index.db"), "--force"],
        ["graph", "pkg/db.py::save", "--path", repo, "-o", str(link / "graph.dot")],
        ["brain", "list", "--path", repo, "-o", str(file_link), "--force"],
        ["backup", str(indexed["brain"]), "--path", repo, "--force"],
        ["backup", str(indexed["index"]), "--path", repo, "--force"],
        ["backup", str(link / "copy.db"), "--path", repo],
    ]
    for args in attempts:
        refused(run(*args, home=home), "inside dgtui's data home")
    assert stores(indexed) == before
    assert not (home / "new.csv").exists() and not list(home.rglob("*.dot"))
    assert not list(home.rglob(".dgtui-*")) and not list(home.rglob("*" + SIDECAR))
    # the store's own events are all still there: the index answers as before
    r = run("events", "--path", repo, "--json", home=home)
    assert r.returncode == 0 and r.stdout.count('"atom_id"') == 37


@pytest.mark.slow
def test_a_store_outside_the_data_home_is_recognised(indexed: dict, tmp_path: Path):
    """A hard link to the index, a copy of a brain or a chat: one of dgtui's stores wherever it is."""
    repo, home = str(indexed["repo"]), indexed["home"]
    hard = tmp_path / "index-hardlink.db"
    os.link(indexed["index"], hard)
    brain = tmp_path / "brain-copy.db"
    brain.write_bytes(indexed["brain"].read_bytes())
    chat = tmp_path / "chat-copy.db"
    chat.write_bytes(indexed["chat"].read_bytes())
    before = stores(indexed)
    for path, kind in ((hard, "dgtui index"), (brain, "dgtui project brain"),
                       (chat, "dgtui chat history")):
        refused(run("search", "save", "--path", repo, "-o", str(path), "--force", home=home), kind)
        refused(run("backup", str(path), "--path", repo, "--force", home=home), kind)
    assert stores(indexed) == before
    # a backup is an index too: an export may not replace it, a backup may with --force
    saved = tmp_path / "saved.db"
    assert run("backup", str(saved), "--path", repo, home=home).returncode == 0
    refused(run("search", "save", "--path", repo, "--csv", "-o", str(saved), "--force", home=home),
            "dgtui index backup")
    refused(run("backup", str(saved), "--path", repo, home=home), "use --force")
    assert run("backup", str(saved), "--path", repo, "--force", home=home).returncode == 0


@pytest.mark.slow
def test_an_existing_file_is_replaced_only_with_force_and_keeps_its_mode(indexed: dict,
                                                                         tmp_path: Path):
    repo, home = str(indexed["repo"]), indexed["home"]
    out = tmp_path / "hits.csv"
    out.write_text("my own work\n")
    os.chmod(out, 0o640)
    refused(run("search", "save", "--path", repo, "-o", str(out), home=home), "use --force")
    refused(run("graph", "pkg/db.py::save", "--path", repo, "-o", str(out), home=home),
            "use --force")
    assert out.read_text() == "my own work\n" and not Path(str(out) + SIDECAR).exists()
    r = run("search", "save", "--path", repo, "-o", str(out), "--force", home=home)
    assert r.returncode == 0, r.stderr
    assert out.read_text().startswith("name,kind") and stat.S_IMODE(out.stat().st_mode) == 0o640
    # the sidecar of an earlier export is an existing file too
    fresh = tmp_path / "fresh.csv"
    Path(str(fresh) + SIDECAR).write_text("{}")
    refused(run("search", "save", "--path", repo, "-o", str(fresh), home=home), "use --force")
    assert not fresh.exists()
    # a backup onto an earlier backup: the same rule, and the same mode kept
    saved = tmp_path / "b.db"
    assert run("backup", str(saved), "--path", repo, home=home).returncode == 0
    os.chmod(saved, 0o604)
    refused(run("backup", str(saved), "--path", repo, home=home), "use --force")
    assert run("backup", str(saved), "--path", repo, "--force", home=home).returncode == 0
    assert stat.S_IMODE(saved.stat().st_mode) == 0o604
    assert not list(tmp_path.glob(".dgtui-*"))


@pytest.mark.parametrize("mask", [0o022, pytest.param(0o077, marks=pytest.mark.slow),
                                  pytest.param(0o002, marks=pytest.mark.slow)])
def test_new_files_follow_the_umask(indexed: dict, tmp_path: Path, mask: int):
    repo, home = str(indexed["repo"]), indexed["home"]
    made = {tmp_path / "a.csv": ["search", "save", "--path", repo, "-o"],
            tmp_path / "g.dot": ["graph", "pkg/db.py::save", "--path", repo, "-o"],
            tmp_path / "b.db": ["backup", "--path", repo]}
    for path, args in made.items():
        r = run(*args, str(path), home=home, umask=mask)
        assert r.returncode == 0, r.stderr
    for path in [*made, Path(str(tmp_path / "a.csv") + SIDECAR)]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask, path
    # the private stores stay private whatever the umask
    user = f"mask{mask:o}"
    r = run("chat", "ask", "who calls save?", "--path", repo, "--user", user, home=home, umask=mask)
    assert r.returncode == 0, r.stderr
    assert stat.S_IMODE(next(home.glob(f"chat-history/{user}/*/chat.db")).stat().st_mode) == 0o600


@pytest.mark.slow
def test_a_character_device_is_written_in_place(indexed: dict, tmp_path: Path):
    """`-o /dev/null` as root used to turn the device into a regular file with a sidecar. The
    trial uses its own /dev/null (same major and minor) so a failure cannot harm the machine's."""
    null = tmp_path / "null"
    try:
        os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        with open(null, "w") as fh:
            fh.write("x")
    except OSError as exc:  # not root, or a file system mounted nodev
        pytest.skip(f"cannot make a character device here: {exc}")
    repo, home = str(indexed["repo"]), indexed["home"]
    for args in (["search", "save", "-o", str(null)], ["graph", "pkg/db.py::save", "-o", str(null)],
                 ["events", "--md", "-o", str(null)], ["backup", str(null)]):
        r = run(*args, "--path", repo, home=home)
        assert r.returncode == 0, (args, r.stderr)
        assert stat.S_ISCHR(null.lstat().st_mode), args
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null"]


def test_a_fifo_is_written_in_place(indexed: dict, tmp_path: Path):
    repo, home = str(indexed["repo"]), indexed["home"]
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for args in (["search", "save", "--csv"], ["backup"]):
        received: list[bytes] = []
        reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
        reader.start()
        cmd = ["backup", str(fifo)] if args == ["backup"] else [*args, "-o", str(fifo)]
        r = run(*cmd, "--path", repo, home=home)
        reader.join(timeout=60)
        assert r.returncode == 0, r.stderr
        if args == ["backup"]:
            assert received[0].startswith(b"SQLite format 3\x00")
            assert "backed up 37 atoms" in r.stderr and r.stdout == ""
        else:
            assert received[0].decode().startswith("name,kind,file_path")
        assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


def test_a_socket_is_written_in_place(indexed: dict, tmp_path: Path):
    repo, home = str(indexed["repo"]), indexed["home"]
    path = tmp_path / "s.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(1)
    received = bytearray()

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            while chunk := conn.recv(65536):
                received.extend(chunk)

    thread = threading.Thread(target=serve)
    thread.start()
    r = run("search", "save", "--ndjson", "-o", str(path), "--path", repo, home=home)
    thread.join(timeout=60)
    server.close()
    assert r.returncode == 0, r.stderr
    reference = run("search", "save", "--ndjson", "--path", repo, home=home).stdout
    assert received.decode() == reference and reference.count("\n") >= 2
    assert stat.S_ISSOCK(path.lstat().st_mode) and not Path(str(path) + SIDECAR).exists()


@pytest.mark.slow
def test_descriptors_the_process_holds_are_written_through(indexed: dict, tmp_path: Path):
    """`-o /dev/stdout`, `-o >(cmd)` (a `/dev/fd/N`): the data goes where the shell pointed it."""
    repo, home = str(indexed["repo"]), indexed["home"]
    r = run("search", "save", "--csv", "-o", "/proc/self/fd/1", "--path", repo, home=home)
    assert r.returncode == 0 and r.stdout.startswith("name,kind,file_path"), r.stderr
    read_end, write_end = os.pipe()
    with os.fdopen(read_end, "rb") as reading:
        try:
            r = run("search", "save", "--json", "-o", f"/dev/fd/{write_end}", "--path", repo,
                    home=home, pass_fds=(write_end,))
        finally:
            os.close(write_end)
        piped = reading.read().decode()
    assert r.returncode == 0 and r.stdout == "", r.stderr
    assert piped == run("search", "save", "--json", "--path", repo, home=home).stdout
    # the shell's own process substitution, as a user types it
    out = tmp_path / "counted"
    script = f"{sys.executable} -m dgtui search save --csv -o >(wc -l > {out}) --path {repo}"
    subprocess.run(["bash", "-c", script + "; wait"], env=dict(os.environ, DGTUI_HOME=str(home)),
                   check=True, timeout=120)
    deadline = time.monotonic() + 30
    while not (out.exists() and out.read_text().strip()) and time.monotonic() < deadline:
        time.sleep(0.05)  # bash does not wait for a process substitution's command
    lines = run("search", "save", "--csv", "--path", repo, home=home).stdout.count("\n")
    assert int(out.read_text()) == lines > 1


def test_dev_stdout_names_the_held_descriptor():
    """`/dev/stdout` takes the same path as `/dev/fd/1` (checked without writing, so a failure
    here cannot replace the machine's /dev/stdout)."""
    from dgtui.targets import check_target

    for name, fd in (("/dev/stdout", 1), ("/dev/stderr", 2), ("/dev/fd/1", 1), ("/proc/self/fd/2", 2)):
        target = check_target(name)
        assert target.fd == fd and target.in_place


def test_a_terminal_is_asked_before_replacing(indexed: dict, tmp_path: Path):
    repo, home = str(indexed["repo"]), indexed["home"]
    out = tmp_path / "hits.csv"
    for answer, replaced in ((b"n\n", False), (b"y\n", True)):
        out.write_text("mine\n")
        status, said = on_a_terminal(["search", "save", "--path", repo, "-o", str(out)], home,
                                     prompt=b"Replace it?", answer=answer)
        assert b"exists. Replace it?" in said
        assert (status == 0) == replaced, said
        assert out.read_text().startswith("name,kind") == replaced
