"""The real `dgtui` command in subprocesses: outputs, filters, and one-line errors."""

from __future__ import annotations

import csv
import io
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import copy_fixture, run_cli


@pytest.fixture(scope="module")
def shared_index(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The fixture repository indexed once, for the tests that only read it (a test that
    writes indexes its own copy)."""
    base = tmp_path_factory.mktemp("cli")
    root, home = copy_fixture("pyrepo", base), base / "home"
    r = run_cli("index", str(root), "--json", env={"DGTUI_HOME": str(home)})
    assert r.returncode == 0, r.stderr
    return root, home


@pytest.fixture
def indexed(shared_index: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    root, home = shared_index
    monkeypatch.setenv("DGTUI_HOME", str(home))
    return root


def ok(*args: str, cwd: Path | None = None) -> str:
    r = run_cli(*args, cwd=cwd)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    return r.stdout


def fails(*args: str, cwd: Path | None = None, code: int | None = None) -> str:
    r = run_cli(*args, cwd=cwd)
    assert r.returncode != 0, r.stdout
    if code is not None:
        assert r.returncode == code
    assert "Traceback" not in r.stderr and r.stderr.strip()
    return r.stderr


def test_index_json_summary(pyrepo: Path, home: Path):
    out = json.loads(ok("index", str(pyrepo), "--json"))
    assert out["files"] == 8 and out["atoms"] == 37 and out["edges"] == 37
    assert out["skipped"] == 2 and out["seconds"] >= 0
    assert out["edges_by_resolution"]["import"] == 8
    again = json.loads(ok("index", str(pyrepo), "--json"))
    assert again["parsed"] == 0 and again["transactions"] == []
    # nothing written into the repository
    assert not any(p.name.endswith((".db", ".db-wal")) for p in pyrepo.rglob("*"))
    assert (home / "repos").is_dir()


@pytest.mark.slow
def test_search_json_and_raw_text(indexed: Path):
    rows = json.loads(ok("search", "user", "--path", str(indexed), "--json"))
    ids = [r["id"] for r in rows]
    assert "pkg/models.py::User" in ids and "pkg/__init__.py::make_user" in ids
    for row in rows:
        assert {"id", "file_path", "name", "kind", "line", "end_line"} <= set(row)
    # raw user text with FTS syntax never raises
    for text in ("this.save", "save-all", '"unbalanced', "NEAR(", "a AND OR", "*", "()"):
        ok("search", text, "--path", str(indexed), "--json")


def test_camel_case_search(tmp_path: Path, home: Path):
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "a.js").write_text("function saveUser() {}\nfunction save_user() {}\n")
    ok("index", str(tmp_path / "r"))
    names = {r["name"] for r in json.loads(ok("search", "user", "--path", str(tmp_path / "r"), "--json"))}
    assert names == {"saveUser", "save_user"}


def test_callers_and_callees_with_depth(indexed: Path):
    rows = json.loads(ok("callers", "pkg/db.py::write", "--depth", "2", "--path", str(indexed), "--json"))
    got = {(r["id"], r["depth"], r["resolution"]) for r in rows}
    assert ("pkg/db.py::save_atom", 1, "local") in got
    assert ("pkg/service.py::handle", 1, "import") in got
    assert ("pkg/service.py::sync_all", 2, "import") in got
    callees = json.loads(ok("callees", "handle", "--path", str(indexed), "--json"))
    assert {"depth", "resolution"} <= set(callees[0])
    kinds = {r["resolution"] for r in callees}
    assert {"import", "ambiguous", "unresolved", "local", "builtin", "external"} <= kinds


def test_query_filters(indexed: Path):
    rows = json.loads(ok("query", "--async", "--calls", "save_atom", "--path", str(indexed), "--json"))
    assert {r["id"] for r in rows} == {"pkg/service.py::handle", "pkg/service.py::sync_all"}
    rows = json.loads(ok("query", "--kind", "class", "--path", str(indexed), "--json"))
    assert {r["name"] for r in rows} == {"Base", "User"}
    rows = json.loads(ok("query", "--file", "pkg/*", "--name", "save*", "--path", str(indexed), "--json"))
    assert {r["id"] for r in rows} == {"pkg/db.py::save", "pkg/db.py::save_atom",
                                       "pkg/models.py::Base.save", "pkg/models.py::User.save"}
    rows = json.loads(ok("query", "--called-by", "handle", "--path", str(indexed), "--json"))
    assert "pkg/models.py::User" in {r["id"] for r in rows}
    rows = json.loads(ok("query", "--min-complexity", "3", "--path", str(indexed), "--json"))
    assert [r["id"] for r in rows] == ["pkg/models.py::Base.validate"]
    assert json.loads(ok("query", "--unresolved", "--exported", "--path", str(indexed), "--json"))


@pytest.mark.slow
def test_output_formats(indexed: Path, tmp_path: Path):
    text = ok("search", "save", "--path", str(indexed), "--csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and "id" in rows[0]
    nd = ok("search", "save", "--path", str(indexed), "--ndjson").splitlines()
    assert all(json.loads(line)["id"] for line in nd)
    md = ok("search", "save", "--path", str(indexed), "--md")
    assert md.splitlines()[1].startswith("|")
    out = tmp_path / "out.tsv"
    ok("search", "save", "--path", str(indexed), "--tsv", "-o", str(out))
    assert out.read_text().splitlines()[0].split("\t")[:2] == ["name", "kind"]
    table = ok("search", "save", "--path", str(indexed))
    assert "pkg/db.py::save" in table


def test_show_events_stats(indexed: Path):
    shown = json.loads(ok("show", "Base.validate", "--path", str(indexed), "--json"))
    assert shown["id"] == "pkg/models.py::Base.validate"
    assert "raise ValueError" in shown["source"]["text"]
    assert {c["id"] for c in shown["callers"]} == {"pkg/models.py::Base.save",
                                                  "pkg/models.py::User.check.inner"}
    ok("show", "Base.validate", "--path", str(indexed))
    evs = json.loads(ok("events", "--path", str(indexed), "--json", "--limit", "5"))
    assert len(evs) == 5 and {e["operation"] for e in evs} == {"create"}
    stats = json.loads(ok("stats", "--path", str(indexed), "--json", "--skipped", "--errors"))
    assert stats["atoms"] == 37 and stats["skipped_by_reason"] == {"binary": 1, "not-utf8": 1}
    assert {s["path"] for s in stats["skipped_files"]} == {"binary.py", "latin1.py"}
    assert stats["error_files"][0]["path"] == "broken.py"
    assert "pkg/service.py::handle" in ok("unresolved", "--path", str(indexed))


def test_errors_are_one_line_and_non_zero(pyrepo: Path, home: Path, tmp_path: Path):
    assert "no index" in fails("search", "x", "--path", str(pyrepo))
    assert "no such folder" in fails("index", str(tmp_path / "missing"))
    ok("index", str(pyrepo))
    assert "no atom named" in fails("show", "nothing_like_this", "--path", str(pyrepo))
    err = fails("callers", "save", "--path", str(pyrepo), code=2)  # several atoms named save
    assert "pkg/db.py::save" in err and "pkg/models.py::Base.save" in err
    fails("callers", "write", "--depth", "0", "--path", str(pyrepo))
    assert "cannot read" in fails("events", "--since", "yesterday-ish", "--path", str(pyrepo))
    fails("search", "--path", str(pyrepo))  # missing text: click usage error, exit 2
    not_a_db = tmp_path / "home2"
    (not_a_db / "repos").mkdir(parents=True)
    env_home = ["--home", str(not_a_db)]
    ok("index", str(pyrepo), *env_home)
    db = next((not_a_db / "repos").glob("*/index.db"))
    db.write_bytes(b"this is not a database at all" * 100)
    err = fails("search", "x", "--path", str(pyrepo), *env_home)
    assert "rebuild" in err


def test_headless_commands_do_not_import_textual(indexed: Path):
    code = ("import sys; from dgtui.cli import cli; "
            "cli.main(['search', 'save', '--path', sys.argv[1], '--json'], standalone_mode=False); "
            "heavy = [m for m in ('textual', 'tree_sitter', 'networkx') if m in sys.modules]; "
            "print('HEAVY', heavy, file=sys.stderr)")
    r = subprocess.run([sys.executable, "-c", code, str(indexed)], capture_output=True, text=True,
                       env=dict(os.environ))
    assert r.returncode == 0, r.stderr
    assert "HEAVY []" in r.stderr


@pytest.mark.slow
def test_index_with_few_file_descriptors(tmp_path: Path, home: Path):
    """The origin system died of EMFILE; dgtui opens one file at a time per worker."""
    root = tmp_path / "many"
    for i in range(400):
        (root / f"d{i % 20}").mkdir(parents=True, exist_ok=True)
        (root / f"d{i % 20}" / f"m{i}.py").write_text(f"def f{i}():\n    return g{i}()\n")

    def limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))

    r = subprocess.run([sys.executable, "-m", "dgtui", "index", str(root), "--json"],
                       capture_output=True, text=True, preexec_fn=limit, env=dict(os.environ))
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["files"] == 400


def test_history_replay_and_watch(pyrepo: Path, home: Path):
    ok("index", str(pyrepo))
    util = pyrepo / "pkg" / "util.py"
    util.write_text(util.read_text().replace("def fmt(value)", "def render(value)"))
    os.utime(util, (1e9, 2e9))
    ok("index", str(pyrepo))
    hist = json.loads(ok("history", "pkg/util.py::render", "--path", str(pyrepo), "--json"))
    assert [(h["operation"], h["atom_id"]) for h in hist] == [
        ("create", "pkg/util.py::fmt"), ("delete", "pkg/util.py::fmt"), ("create", "pkg/util.py::render")]
    # a deleted atom still has a history
    assert json.loads(ok("history", "pkg/util.py::fmt", "--path", str(pyrepo), "--json"))
    then = {r["id"] for r in json.loads(ok("replay", "--at", "1", "--path", str(pyrepo), "--json"))}
    now = {r["id"] for r in json.loads(ok("replay", "--at", "2", "--path", str(pyrepo), "--json"))}
    assert "pkg/util.py::fmt" in then and "pkg/util.py::render" not in then
    assert "pkg/util.py::render" in now and "pkg/util.py::fmt" not in now
    edges = json.loads(ok("replay", "--at", "1", "--edges", "--path", str(pyrepo), "--json"))
    assert {"source_id": "pkg/service.py::handle", "target_id": "pkg/util.py::fmt"}.items() <= \
        next(e for e in edges if e["callee"] == "util.fmt").items()
    evs = json.loads(ok("events", "--transaction", "2", "--source", "index", "--path", str(pyrepo), "--json"))
    assert {e["atom_id"] for e in evs} == {"pkg/util.py::fmt", "pkg/util.py::render"}
    assert json.loads(ok("events", "--since", "1h", "--file", "pkg/util.py", "--path", str(pyrepo), "--json"))
    diff = json.loads(ok("events", "--edges", "--transaction", "2", "--path", str(pyrepo), "--json"))
    assert {"transaction_id": 2, "operation": "remove", "source_id": "pkg/service.py::handle",
            "target_id": "pkg/util.py::fmt"} in diff


def test_watch_prints_one_json_line_per_transaction(pyrepo: Path, home: Path):
    import select
    import signal

    proc = subprocess.Popen([sys.executable, "-m", "dgtui", "watch", str(pyrepo), "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def next_line() -> dict:
        ready, _, _ = select.select([proc.stdout], [], [], 60)
        assert ready, proc.stderr.read() if proc.poll() is not None else "no output"
        return json.loads(proc.stdout.readline())

    try:
        # The first line is the first index, committed once the watch is on. A save made from
        # then on is seen by the watch, or by the walk that ends the reconcile (a line without
        # a latency): then save again.
        first = next_line()
        assert first["created"] > 2 and first["latency_ms"] is None
        for n in range(5):
            (pyrepo / "pkg" / f"late{n}.py").write_text("def late():\n    return 1\n")
            line = next_line()
            assert line["files"] == [f"pkg/late{n}.py"] and line["created"] == 2
            if line["latency_ms"] is not None:
                break
        assert isinstance(line["transaction_id"], int) and line["latency_ms"] >= 0
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
