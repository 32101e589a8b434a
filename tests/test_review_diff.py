"""Each reviewed atom's source diff (``query.review_diff``), on a real git repository indexed
by the real engine: hunks counted in file lines, renames and deletions against the revision,
the body now with a note since a point of the event log, and the Markdown it exports."""

from __future__ import annotations

from pathlib import Path

from helpers import write
from test_review import FILES, committed_repo

from dgtui.engine.indexer import Indexer
from dgtui.engine.writer import Engine, open_for_writing
from dgtui.paths import RepoPaths
from dgtui.query import open_index
from dgtui.query.review import review_revision, review_since
from dgtui.query.review_diff import NO_OLD_TEXT, body_diffs, diff_markdown


def make_repo(tmp_path: Path) -> Path:
    return committed_repo(tmp_path / "repo", FILES)


def test_diffs_against_a_revision_and_since_a_session(tmp_path: Path):
    root, home = make_repo(tmp_path), tmp_path / "home"
    db = RepoPaths.for_root(str(root), str(home)).index_db
    writer = open_for_writing(db, str(root))
    indexer = Indexer(str(root), writer, Engine(writer), workers=1)
    indexer.run(source="index")
    # save: a body line changed below the docstring; fmt renamed; write deleted
    write(root / "pkg/db.py", "def save_atom(atom):\n    return atom\n\n\n"
                              "def save(thing, flag=False):\n    \"\"\"Save a thing.\"\"\"\n    return [thing]\n")
    write(root / "pkg/util.py", "def format_text(x):\n    return str(x) + '!'\n")
    indexer.sync_paths(["pkg/db.py", "pkg/util.py"])
    writer.close()

    store = open_index(db, str(root))
    try:
        review = review_revision(store, str(root), "HEAD")
        diffs = body_diffs(str(root), review)
        save = diffs["pkg/db.py::save"].lines
        assert save[:2] == (f"--- pkg/db.py::save ({review.base})", "+++ pkg/db.py::save (now)")
        assert "-    return thing" in save and "+    return [thing]" in save
        assert save[2].startswith("@@ -9,") and save[2].split()[2].startswith("+5,")  # file lines
        deleted = diffs["pkg/db.py::write"].lines
        assert deleted[1] == "+++ /dev/null" and "-def write(record):" in deleted
        renamed = diffs["pkg/util.py::format_text"].lines
        assert "-def fmt(x):" in renamed and "+def format_text(x):" in renamed
        text = diff_markdown(review, diffs)
        assert "#### changed `pkg/db.py::save`" in text and "```diff\n--- pkg/db.py::save" in text

        # Since the session: no text as it was in the log, so the body now with a note.
        since = review_since(store, "last")
        logged = body_diffs(str(root), since)
        assert logged["pkg/db.py::save"].note == NO_OLD_TEXT
        assert "      return [thing]" in logged["pkg/db.py::save"].lines
    finally:
        store.close()
