"""What dgtui touches: only the indexed repository and its data home are read, exports write only
where they were asked to, and nothing from the indexed repository is ever executed.

File access is watched with Python's audit hooks (PEP 578) in the real CLI: every ``open``,
folder listing, rename, removal and SQLite connection of the process is logged and checked
against the places it may touch.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest
from corpus_gen import make_corpus
from legacy_tree import write_atom

import dgtui

#: Runs the real CLI with an audit hook that logs every file the process touches.
AUDITED = textwrap.dedent("""
    import json, sys
    log = open(sys.argv[1], "w")
    WATCH = {"open", "os.listdir", "os.scandir", "os.rename", "os.replace", "os.remove",
             "os.unlink", "os.rmdir", "os.mkdir", "os.symlink", "os.chmod", "shutil.copyfile",
             "shutil.rmtree", "sqlite3.connect", "os.truncate", "os.utime"}
    def hook(event, args):
        if event in WATCH:
            n = 2 if event in ("os.rename", "os.replace", "os.symlink", "shutil.copyfile") else 1
            paths = [a for a in args[:n] if isinstance(a, (str, bytes))]
            mode = args[1] if event == "open" and len(args) > 1 else None
            flags = args[2] if event == "open" and len(args) > 2 else None
            log.write(json.dumps([event, [p if isinstance(p, str) else p.decode("utf-8", "replace")
                                          for p in paths], mode, flags]) + "\\n")
            log.flush()
    sys.addaudithook(hook)
    sys.argv = ["dgtui"] + sys.argv[2:]
    from dgtui.cli import main
    main()
""")

WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


def audited(log: Path, *args: str, home: Path, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, DGTUI_HOME=str(home))
    # -P: like the installed `dgtui` command, keep the working folder off sys.path
    return subprocess.run([sys.executable, "-P", "-c", AUDITED, str(log), *args], capture_output=True,
                          text=True, env=env, cwd=cwd, timeout=300)


def touched(log: Path, cwd: Path) -> list[tuple[str, str, bool]]:
    """(event, absolute path, writes?) for every path the process (run in ``cwd``) touched."""
    out = []
    for line in log.read_text().splitlines():
        event, paths, mode, flags = json.loads(line)
        writes = event != "open" or (isinstance(mode, str) and any(c in mode for c in "wax+")) or \
            (isinstance(flags, int) and bool(flags & WRITE_FLAGS))
        if event in ("os.listdir", "os.scandir", "sqlite3.connect"):
            writes = event == "sqlite3.connect"
        for p in paths:
            if p in (":memory:", "") or p.startswith("file:") and "mode=ro" in p:
                continue
            path = p.split("?")[0].removeprefix("file:")
            out.append((event, os.path.realpath(os.path.join(cwd, path)), writes))
    return out


def runtime_places(cwd: Path) -> list[str]:
    """Where Python and the installed packages live (read-only, like any program's own code).

    A relative ``sys.path`` entry is one too: an editable install adds a path-hook name
    (``__editable__.dgtui-….finder.__path_hook__``) that ``importlib.metadata`` lists, relative
    to the working folder, when a library (networkx) looks up its plug-ins' entry points."""
    places = {sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(dgtui.__file__),
              sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["purelib"], "/dev/null",
              "/dev/urandom", "/etc/localtime", "/usr/share/zoneinfo",
              "/proc/self/status"}  # the umask, read where Linux shows it (dgtui.targets.umask)
    places |= {str(cwd / p) for p in sys.path if p and not os.path.isabs(p) and p != "."}
    return [os.path.realpath(p) for p in places]


def within(path: str, places: list[str]) -> bool:
    return any(path == p or path.startswith(p.rstrip("/") + "/") for p in places)


@pytest.fixture
def setup(tmp_path: Path) -> dict:
    repo = tmp_path / "repo"
    make_corpus(repo, 20)
    write_atom(repo / ".omnysysdata" / "atoms", {"name": "legacy", "filePath": "old.js", "line": 1})
    elsewhere = tmp_path / "elsewhere"  # a neighbour the commands must leave alone
    elsewhere.mkdir()
    (elsewhere / "private.py").write_text("def private():\n    pass\n")
    os.symlink(elsewhere, repo / "link_out")
    os.symlink(elsewhere / "private.py", repo / "private_link.py")
    return {"repo": repo, "home": tmp_path / "home", "out": tmp_path / "exports",
            "elsewhere": elsewhere, "tmp": tmp_path}


@pytest.mark.slow
def test_commands_touch_only_the_repository_and_the_data_home(setup: dict):
    repo, home, out, tmp = setup["repo"], setup["home"], setup["out"], setup["tmp"]
    out.mkdir()
    r = str(repo)
    commands = [
        ["index", r, "--workers", "1"], ["check", "--path", r], ["search", "step", "--path", r],
        ["show", "f1_2", "--path", r], ["callers", "f1_3", "--depth", "3", "--path", r],
        ["callees", "f1_1", "--path", r], ["query", "--kind", "function", "--path", r],
        ["stats", "--skipped", "--errors", "--path", r], ["unresolved", "--path", r],
        ["events", "--path", r], ["history", "pkg/sub1/mod1.py::f1_3", "--path", r],
        ["replay", "--at", "1", "--path", r],
        ["import-json", str(repo / ".omnysysdata")],
        ["backup", str(out / "backup.db"), "--path", r],
        ["restore", str(out / "backup.db"), "--path", r],
        ["search", "step", "--path", r, "-o", str(out / "hits.csv")],
        ["events", "--path", r, "--json", "-o", str(out / "events.json")],
        ["graph", "f1_2", "--depth", "2", "--path", r, "-o", str(out / "g.dot")],
        ["brain", "add", "--kind", "decision", "--path", r, "writes go through the engine"],
        ["brain", "list", "--path", r, "-o", str(out / "brain.md")],
        ["chat", "ask", "who calls f1_3?", "--path", r],
        ["chat", "history", "--path", r, "-o", str(out / "chat.json")],
    ]
    reads = [os.path.realpath(repo), os.path.realpath(home), os.path.realpath(out)] + runtime_places(tmp)
    writes = [os.path.realpath(home), os.path.realpath(out)]
    seen = 0
    for i, args in enumerate(commands):
        log = tmp / f"audit{i}.log"
        result = audited(log, *args, home=home, cwd=tmp)
        assert result.returncode == 0, (args, result.stderr)
        for event, path, writing in touched(log, tmp):
            seen += 1
            assert within(path, reads), (args[0], event, path)
            assert not writing or within(path, writes), (args[0], event, path)
            assert not within(path, [os.path.realpath(setup["elsewhere"])]), (args[0], path)
    assert seen > 100  # the hook did see the files


def test_an_export_replaces_a_link_rather_than_writing_through_it(setup: dict):
    repo, home, tmp = setup["repo"], setup["home"], setup["tmp"]
    assert audited(tmp / "a.log", "index", str(repo), "--workers", "1", home=home, cwd=tmp).returncode == 0
    target = setup["elsewhere"] / "precious.txt"
    target.write_text("keep me\n")
    link = tmp / "export.csv"
    os.symlink(target, link)
    result = audited(tmp / "b.log", "search", "step", "--path", str(repo), "-o", str(link),
                     home=home, cwd=tmp)
    assert result.returncode == 1 and "use --force" in result.stderr  # it exists: not without asking
    result = audited(tmp / "b.log", "search", "step", "--path", str(repo), "-o", str(link),
                     "--force", home=home, cwd=tmp)
    assert result.returncode == 0, result.stderr
    assert target.read_text() == "keep me\n"
    assert not link.is_symlink() and link.read_text().startswith("name,kind")
    for event, path, writing in touched(tmp / "b.log", tmp):
        assert not writing or path.startswith(os.path.realpath(tmp)), (event, path)


@pytest.mark.slow
def test_nothing_from_the_repository_is_executed(tmp_path: Path):
    """A repository full of Python that would run if dgtui imported or executed it, indexed
    and queried with the repository as the working folder (the usual `dgtui index .`), by the
    installed `dgtui` command, with the parse pool (spawned interpreters) in use."""
    repo = tmp_path / "repo"
    make_corpus(repo, 60)  # more than the pool threshold
    marker = tmp_path / "EXECUTED"
    payload = f"open({str(marker)!r}, 'a').write(__name__ + '\\n')\n"
    for name in ("multiprocessing.py", "click.py", "sqlite3.py", "json.py", "tree_sitter.py",
                 "networkx.py", "rich.py", "sitecustomize.py", "usercustomize.py", "conftest.py",
                 "setup.py", "dgtui.py", "encodings.py", "_sqlite3.py", "pathspec.py", "io.py"):
        (repo / name).write_text(payload)
    (repo / "evil.js").write_text("require('child_process').execSync('touch " + str(marker) + "');\n")
    (repo / "pkg" / "__init__.py").write_text(payload)
    (repo / "package.json").write_text(json.dumps({"scripts": {"postinstall": f"touch {marker}"}}))
    exe = Path(sys.executable).parent / "dgtui"
    if not exe.exists():
        pytest.skip("the dgtui command is not installed next to this interpreter")
    env = dict(os.environ, DGTUI_HOME=str(tmp_path / "home"))
    env.pop("PYTHONSAFEPATH", None)
    for args in (["index", "."], ["index", ".", "--rebuild", "--json"], ["search", "f1"],
                 ["show", "f1_2"], ["stats"], ["callers", "f1_3"], ["events", "--limit", "3"]):
        result = subprocess.run([str(exe), *args], cwd=repo, env=env, capture_output=True,
                                text=True, timeout=300)
        assert result.returncode == 0, (args, result.stderr)
        assert not marker.exists(), (args, marker.read_text())
