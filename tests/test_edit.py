"""Edits through dgtui (engine/edit.py): real files, a real index, the real watcher running.

Each edit is checked before anything is written (the version the caller read, the file as the
index holds it, the parse of the result), lands as one ``atomic-edit`` transaction that the
watcher does not record again, and a refused edit leaves the file and the index as they were.
"""

from __future__ import annotations

import os
import stat
import threading
import time
from pathlib import Path

import pytest
from helpers import index_repo, snapshot, write

from dgtui import query
from dgtui.engine.edit import EditError, Editor
from dgtui.engine.indexer import Indexer
from dgtui.engine.live import LiveIndex
from dgtui.engine.writer import open_for_writing
from dgtui.model import EventFilter

DB = "pkg/db.py"
NEW_WRITE = "def write(record, flush):\n    return (record, flush)\n"
TIMEOUT = 30.0  # a bound for what must happen, not a speed check


def editor_on(root: Path, db: Path) -> tuple[Editor, object]:
    store, _ = index_repo(root, db)
    return Editor(str(root), store, client="test"), store


def unchanged(root: Path, path: str):
    """The file's bytes and modification time, to compare after a refused edit."""
    st = os.stat(root / path)
    return (root / path).read_bytes(), st.st_mtime_ns, stat.S_IMODE(st.st_mode)


def refused(call, kind: str, *words: str) -> EditError:
    with pytest.raises(EditError) as info:
        call()
    assert info.value.kind == kind, info.value
    assert all(w in str(info.value) for w in words), str(info.value)
    return info.value


def test_an_edit_lands_once_while_the_watcher_runs(pyrepo: Path, home: Path):
    os.chmod(pyrepo / DB, 0o640)
    live = LiveIndex(str(pyrepo), str(home))
    seen, cond = [], threading.Condition()

    def on_delta(delta):
        with cond:
            seen.append(delta)
            cond.notify_all()

    def wait(predicate, what: str):
        deadline = time.monotonic() + TIMEOUT
        with cond:
            while not predicate():
                assert cond.wait(max(0.0, deadline - time.monotonic())) or predicate(), what
    live.subscribe(on_delta)
    live.start()
    try:
        assert live.ready.wait(TIMEOUT), live.status
        store = open_for_writing(live.paths.index_db, str(pyrepo))
        editor = Editor(str(pyrepo), store, client="test")
        result = editor.replace("pkg/db.py::write", NEW_WRITE, 1)
        tx = result.delta.transaction_id
        assert result.delta.source == "atomic-edit" and result.delta.files == (DB,)
        [change] = [c for c in result.delta.changes if c.atom_id == "pkg/db.py::write"]
        assert change.breaking == "new required parameter flush"
        assert (pyrepo / DB).read_text().startswith(NEW_WRITE)
        assert stat.S_IMODE(os.stat(pyrepo / DB).st_mode) == 0o640  # its mode kept
        assert not [p for p in os.listdir(pyrepo / "pkg") if "dgtui-edit" in p]  # no temporary left
        # the live writer publishes the edit (another connection committed it) ...
        wait(lambda: any(d.transaction_id == tx for d in seen), "the edit's delta")
        assert next(d for d in seen if d.transaction_id == tx).source == "atomic-edit"
        # ... and its watcher, which saw the file change, records nothing more: a later save by
        # a person is the next transaction, and the only one after the edit.
        write(pyrepo / "pkg/util.py", (pyrepo / "pkg/util.py").read_text() + "\n\ndef late():\n    return 2\n")
        wait(lambda: any(c.atom_id == "pkg/util.py::late" for d in seen for c in d.changes), "the save")
        after = [(t.source, tuple(t.files)) for t in store.events.transactions(since=tx - 1)]
        assert after == [("atomic-edit", (DB,)), ("file-watcher", ("pkg/util.py",))]
        events = query.events(store, EventFilter(source="atomic-edit"))
        assert [(e["operation"], e["atom_id"]) for e in events] == [("update", "pkg/db.py::write")]
        store.close()
    finally:
        live.stop()


def test_a_save_between_read_and_edit_is_a_conflict(pyrepo: Path, tmp_path: Path):
    editor, store = editor_on(pyrepo, tmp_path / "i.db")
    before = snapshot(store)
    person = (pyrepo / DB).read_text().replace("return thing", "return [thing]")
    write(pyrepo / DB, person)  # a person saves; the index has not taken it in yet
    refused(lambda: editor.replace("pkg/db.py::write", NEW_WRITE, 1), "conflict", "changed on disk")
    assert (pyrepo / DB).read_text() == person and snapshot(store) == before
    # once indexed, the atom the edit is about is still at the version read: the edit goes on
    # top of the person's save, which it keeps
    Indexer(str(pyrepo), store, workers=1).sync_paths([DB])
    editor.replace("pkg/db.py::write", NEW_WRITE, 1)
    assert NEW_WRITE in (pyrepo / DB).read_text() and "return [thing]" in (pyrepo / DB).read_text()
    # a version read before that edit is stale now
    refused(lambda: editor.replace("pkg/db.py::write", "def write(r):\n    return r\n", 1),
            "conflict", "at version 2, not 1")
    refused(lambda: editor.delete("pkg/db.py::gone", None), "conflict", "no longer in the index")


def test_a_refused_edit_leaves_file_and_index_as_they_were(pyrepo: Path, tmp_path: Path):
    editor, store = editor_on(pyrepo, tmp_path / "i.db")
    write(pyrepo / "k.js", "const a = () => 1; const b = () => 2;\n")
    Indexer(str(pyrepo), store, workers=1).sync_paths(["k.js"])
    before, last = snapshot(store), store.events.last_transaction_id()
    files = {p: unchanged(pyrepo, p) for p in (DB, "broken.py", "k.js")}
    table = editor.engine.load_symbols()
    refused(lambda: editor.replace("pkg/db.py::write", "def write(:\n    pass\n", 1), "invalid",
            "syntax error", "nothing was written")
    # a file with parse errors already: refused unless asked for
    refused(lambda: editor.replace("broken.py::fine", "def fine():\n    return 2\n", 1), "refused",
            "parse error")
    # an atom sharing its line with other code: the neighbour would change
    refused(lambda: editor.replace("k.js::b", "const b = () => 3;", 1), "invalid",
            "would also change k.js::")
    refused(lambda: editor.rename("pkg/db.py::write", "save", 1), "refused", "pkg/db.py::save already exists")
    refused(lambda: editor.rename("pkg/db.py::write", "not a name", 1), "refused")
    refused(lambda: editor.delete("pkg/db.py::<module>", 1), "refused", "the whole file")
    refused(lambda: editor.replace("pkg/db.py::<module>", "x = 1", 1), "refused", "the whole file")
    assert {p: unchanged(pyrepo, p) for p in files} == files
    assert snapshot(store) == before and store.events.last_transaction_id() == last
    assert editor.engine.symbols is table  # a refusal does not cost the next edit a reload
    # a dry run checks and shows the diff, and writes nothing either
    preview = editor.replace("pkg/db.py::write", NEW_WRITE, 1, dry_run=True)
    assert preview.delta is None and "+def write(record, flush):" in preview.diff
    assert unchanged(pyrepo, DB) == files[DB] and store.events.last_transaction_id() == last
    # asked for explicitly, a file with errors can be edited (the edit adds none)
    done = editor.replace("broken.py::fine", "def fine():\n    return 2\n", 1, allow_errors=True)
    assert done.delta.source == "atomic-edit" and "return 2" in (pyrepo / "broken.py").read_text()


def test_insert_and_delete_fit_where_they_go(pyrepo: Path, tmp_path: Path):
    editor, store = editor_on(pyrepo, tmp_path / "i.db")
    models = pyrepo / "pkg/models.py"
    # sent unindented, placed as a method: four spaces in, one blank line either side
    done = editor.insert("pkg/models.py::Base.save", "def reload(self):\n    return self.name\n", "after")
    assert "        self.validate()\n        audit(\"save\")\n\n    def reload(self):\n" \
           "        return self.name\n\n    def validate(self):" in models.read_text()
    created = [c.atom_id for c in done.delta.changes if c.operation == "create"]
    assert created == ["pkg/models.py::Base.reload"]
    assert store.atoms.get("pkg/models.py::Base.reload").atom.parent_id == "pkg/models.py::Base"
    # at a module's top level: two blank lines; after <module>: at the end of the file
    editor.insert("pkg/db.py::save", "def first():\n    return 0", "before")
    editor.insert("pkg/db.py::<module>", "    def last():\n        return 9\n", "after")
    assert (pyrepo / DB).read_text().endswith(
        "\n\n\ndef first():\n    return 0\n\n\ndef save(thing):\n    return thing\n\n\ndef last():\n    return 9\n")
    # a deleted classmethod takes its decorator; a caller left calling nothing is said
    deleted = editor.delete("pkg/models.py::User.build", 1)
    assert deleted.delta.broken_callers() == {"pkg/models.py::User.build": ["pkg/models.py::User.create"]}
    text = models.read_text()
    assert "def build" not in text and text.endswith("        return cls.build(name)\n")
    assert text.count("@classmethod") == 1
    # line endings are the file's own
    write(pyrepo / "crlf.py", "")
    (pyrepo / "crlf.py").write_bytes(b"def a():\r\n    return 1\r\n")
    Indexer(str(pyrepo), store, workers=1).sync_paths(["crlf.py"])
    editor.replace("crlf.py::a", "def a():\n    return 2\n", 1)
    assert (pyrepo / "crlf.py").read_bytes() == b"def a():\r\n    return 2\r\n"


CORE = """def compute(x):
    return x + 1


def twice(x):
    return compute(compute(x))


class Other:
    def compute(self):
        return 0
"""
USE_ONE = """from app.core import compute as calc, twice
from app.core import compute


def first(v):
    return compute(v) + calc(v) + twice(v)
"""
USE_TWO = """import app.core as core


def second(obj, v):
    obj.compute()
    return core.compute(v)


def mention():
    return "compute"
"""


def three_files(root: Path) -> Path:
    write(root / "app/__init__.py", "")
    write(root / "app/core.py", CORE)
    write(root / "app/one/use_one.py", USE_ONE)
    write(root / "app/two/use_two.py", USE_TWO)
    return root


def test_rename_rewrites_resolved_calls_across_three_files(tmp_path: Path):
    root = three_files(tmp_path / "repo")
    editor, store = editor_on(root, tmp_path / "i.db")
    done = editor.rename("app/core.py::compute", "calculate", 1, True)
    assert done.delta.source == "atomic-edit"
    assert sorted(done.delta.files) == ["app/core.py", "app/one/use_one.py", "app/two/use_two.py"]
    assert (root / "app/core.py").read_text() == CORE.replace("def compute(x)", "def calculate(x)").replace(
        "compute(compute(x))", "calculate(calculate(x))")
    assert (root / "app/one/use_one.py").read_text() == USE_ONE.replace(
        "import compute as calc", "import calculate as calc").replace(
        "import compute\n", "import calculate\n").replace("return compute(v)", "return calculate(v)")
    assert (root / "app/two/use_two.py").read_text() == USE_TWO.replace("core.compute(v)", "core.calculate(v)")
    assert done.imports == ["app/one/use_one.py"]
    assert {(s.caller, s.resolution) for s in done.rewritten} == {
        ("app/core.py::twice", "local"), ("app/one/use_one.py::first", "import"),
        ("app/two/use_two.py::second", "import")}
    # `obj.compute()` names no target: listed, not touched; the string is still there
    assert [(s.caller, s.callee) for s in done.left] == [("app/two/use_two.py::second", "obj.compute")]
    assert done.mentions == {"app/two/use_two.py": [10]}
    # the index: every call that went to compute goes to calculate
    callers = {r["id"] for r in query.callers(store, "app/core.py::calculate", 1)}
    assert callers == {"app/core.py::twice", "app/one/use_one.py::first", "app/two/use_two.py::second"}
    assert store.atoms.get("app/core.py::compute") is None
    assert store.atoms.get("app/core.py::Other.compute") is not None  # the method stays
    # the index is what indexing the files from scratch gives
    fresh, _ = index_repo(root, tmp_path / "fresh.db")
    assert snapshot(fresh) == snapshot(store)


def test_a_file_swapped_for_a_link_is_not_followed_out(pyrepo: Path, tmp_path: Path):
    editor, store = editor_on(pyrepo, tmp_path / "i.db")
    outside = tmp_path / "outside.py"
    original = (pyrepo / DB).read_text()
    outside.write_text(original)
    (pyrepo / DB).unlink()
    (pyrepo / DB).symlink_to(outside)
    refused(lambda: editor.replace("pkg/db.py::write", NEW_WRITE, 1), "refused", "pkg/db.py")
    assert outside.read_text() == original and (pyrepo / DB).is_symlink()


def test_rename_in_javascript_keeps_an_alias(tmp_path: Path):
    root = tmp_path / "repo"
    write(root / "lib/m.js", "export function compute(x) {\n  return x + 1;\n}\n")
    use = ("import { compute } from './m';\nimport { compute as c } from './m';\n\n"
           "export function run(v) {\n  return compute(v) + c(v);\n}\n")
    write(root / "lib/use.js", use)
    editor, store = editor_on(root, tmp_path / "i.db")
    done = editor.rename("lib/m.js::compute", "calculate", 1)
    assert (root / "lib/m.js").read_text().startswith("export function calculate(x) {")
    assert (root / "lib/use.js").read_text() == use.replace("{ compute }", "{ calculate }").replace(
        "{ compute as c }", "{ calculate as c }").replace("return compute(v)", "return calculate(v)")
    assert done.imports == ["lib/use.js"] and not done.mentions
    assert {r["id"] for r in query.callers(store, "lib/m.js::calculate", 1)} == {"lib/use.js::run"}


def test_renaming_an_overridden_method_names_the_overrides(tmp_path: Path):
    root = tmp_path / "repo"
    write(root / "shapes.py", "class Shape:\n    def area(self):\n        return 0\n\n"
                              "    def describe(self):\n        return self.area()\n\n\n"
                              "class Square(Shape):\n    def area(self):\n        return 4\n")
    editor, store = editor_on(root, tmp_path / "i.db")
    done = editor.rename("shapes.py::Shape.area", "surface", 1)
    text = (root / "shapes.py").read_text()
    assert "def surface(self):" in text and "return self.surface()" in text
    assert "class Square(Shape):\n    def area(self):" in text  # the override keeps its name
    assert done.overrides == ["shapes.py::Square.area"]
