"""The search pane after a commit: asked again only when the commit may change its answer.

``query.search_may_change`` is held against the real search on a real index: real edits applied
by the engine, and for every search, an answer that differs after the commit must have been
announced. Then the explorer under Pilot, with a real watcher: an edit that cannot change the
results leaves them as they are (not asked again), one that can shows up.
"""

from __future__ import annotations

from pathlib import Path

from helpers import index_repo, write
from tui_support import explorer, open_and_wait, result_ids, type_search, wait_for

from dgtui import query
from dgtui.engine.indexer import Indexer
from dgtui.model import AtomFilter

# (file, old text, new text): applied one after the other
EDITS = {
    "body": ("pkg/util.py", "    return str(value)", "    return repr(value)"),
    "branch": ("pkg/util.py", "    return repr(value)", "    return repr(value) if value else ''"),
    "docstring": ("pkg/util.py", "def only_helper_here(x):\n",
                  'def only_helper_here(x):\n    """Polish the glitter."""\n'),
    "new call": ("pkg/db.py", "def save(thing):\n    return thing", "def save(thing):\n    return write(thing)"),
    "move": ("pkg/db.py", "def write(record):", "# a comment above\n\n\ndef write(record):"),
    "new function": ("pkg/util.py", "def fmt(value):", "def glittering():\n    return 1\n\n\ndef fmt(value):"),
    "deleted function": ("pkg/db.py", "\n\ndef save(thing):\n    return write(thing)\n", "\n"),
}
SEARCHES = [("fmt", AtomFilter(), 50), ("glitter", AtomFilter(), 50), ("save", AtomFilter(), 50),
            ("write", AtomFilter(), 50), ("s", AtomFilter(), 2), ("", AtomFilter(kind="function"), 50),
            ("", AtomFilter(kind="function"), 3), ("", AtomFilter(calls="write"), 50),
            ("", AtomFilter(min_complexity=2), 50), ("fmt", AtomFilter(min_complexity=2), 50),
            ("", AtomFilter(), 50)]


def test_a_changed_answer_is_always_announced(pyrepo: Path, tmp_path: Path):
    store, _ = index_repo(pyrepo, tmp_path / "i.db")
    indexer = Indexer(str(pyrepo), store, workers=1)
    said: dict[tuple[str, str, str], bool] = {}  # (edit, text, filters) -> announced
    for name, (path, old, new) in EDITS.items():
        before = [query.search_as_you_type(store, t, f, n) for t, f, n in SEARCHES]
        text = (pyrepo / path).read_text()
        assert old in text, name
        write(pyrepo / path, text.replace(old, new))
        delta = indexer.sync_paths([path])
        assert delta is not None, name
        for (t, f, n), rows in zip(SEARCHES, before, strict=True):
            may = query.search_may_change([delta], t, f, {r["id"] for r in rows}, full=len(rows) >= n)
            if query.search_as_you_type(store, t, f, n) != rows:
                assert may, f"{name}: the answer to {t!r} {f} changed unannounced"
            said[(name, t, repr(f))] = may
    # and it is not "always": edits that cannot change an answer say so
    plain, complex_ = repr(AtomFilter()), repr(AtomFilter(min_complexity=2))
    assert not said[("body", "save", plain)] and not said[("body", "glitter", plain)]
    assert not said[("new call", "fmt", plain)] and not said[("move", "glitter", plain)]
    # a new branch changes the complexity: only a filter on it reads that
    assert not said[("branch", "save", plain)] and said[("branch", "fmt", complex_)]
    assert said[("docstring", "glitter", plain)] and said[("new call", "write", plain)]
    assert not any(may for (_, t, f), may in said.items() if not t and f == plain)  # lists nothing

async def test_the_explorer_asks_its_search_again_only_when_it_may_change(pyrepo: Path, home: Path):
    async with explorer(pyrepo, home) as (app, pilot):
        screen = app.explorer
        await open_and_wait(app, pilot, "pkg/db.py::save")  # a pane that shows each edit below
        await type_search(app, pilot, "glitter")
        assert result_ids(app) == []
        asked = screen.shown_seq
        util = pyrepo / "pkg" / "util.py"
        db = pyrepo / "pkg" / "db.py"
        # An edit inside a body: no answer about "glitter" can change. The atom pane shows it,
        # the search is not asked again.
        write(db, db.read_text().replace("def save(thing):\n    return thing",
                                         "def save(thing):\n    return thing or None"))
        await wait_for(pilot, lambda: "thing or None" in screen.atom_pane.query_one("#source").text,
                       "the atom pane to show the edit")
        assert screen.shown_seq == asked
        # A docstring that now matches: asked again, and the atom is found.
        write(util, util.read_text().replace("def only_helper_here(x):\n",
                                             'def only_helper_here(x):\n    """Polish the glitter."""\n'))
        await wait_for(pilot, lambda: result_ids(app) == ["pkg/util.py::only_helper_here"],
                       "the newly matching docstring in the results")
        assert screen.shown_seq > asked
