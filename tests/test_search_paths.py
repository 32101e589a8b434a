"""The paths a ranked search takes: the name index first, then bm25 over all the full-text
matches when they are few and over the first ``FULL_RANK`` when the text is broad."""

from __future__ import annotations

import pytest
from helpers import index_repo

from dgtui import query
from dgtui.model import AtomFilter
from dgtui.store.search import FULL_RANK

MANY = FULL_RANK + 100  # more matches of "save" than bm25 ranks


@pytest.fixture(scope="module")
def broad(tmp_path_factory):
    root = tmp_path_factory.mktemp("broad")
    (root / "a.py").write_text(
        "def saveUser(u):\n    return u\n\n\n"
        "async def save(x):\n    return x\n\n\n"
        "def x(v):\n    return v\n\n\n"
        "def get_user(u):\n    return u\n\n\n"
        "class Store:\n    def save(self):\n        return 1\n")
    (root / "b.py").write_text("".join(
        f"def save_item_{i:04d}(v):\n    return v\n\n\n" for i in range(MANY)))
    store, _ = index_repo(root, tmp_path_factory.mktemp("db") / "index.db")
    yield store
    store.close()


def test_broad_text_lists_the_shortest_names_first(broad):
    hits = broad.atoms.search("save", limit=5)
    assert [h.id for h in hits[:2]] == ["a.py::save", "a.py::Store.save"]  # same name: file, line
    assert hits[2].atom.name == "saveUser"
    assert [h.atom.name for h in hits[3:]] == ["save_item_0000", "save_item_0001"]
    # the CLI's question and the search box's give the same page
    assert [r["id"] for r in query.search(broad, "save", limit=5)] == [h.id for h in hits]
    assert [r["id"] for r in query.search_as_you_type(broad, "save", limit=5)] == [h.id for h in hits]


def test_filters_apply_to_the_name_tier(broad):
    assert [h.id for h in broad.atoms.search("save", AtomFilter(is_async=True))] == ["a.py::save"]
    assert [h.id for h in broad.atoms.search("sav", AtomFilter(kind="method"))] == ["a.py::Store.save"]


def test_words_inside_names_still_match_when_the_names_do_not(broad):
    assert "a.py::saveUser" in [h.id for h in broad.atoms.search("user")]
    # the tokenizer cuts at "_": get_user is found by its words, not as one prefix
    assert broad.atoms.search("get_user")[0].id == "a.py::get_user"
    assert "a.py::get_user" in [h.id for h in broad.atoms.search("user get")]


def test_one_letter_words_match_whole_words(broad):
    assert [h.id for h in broad.atoms.search("x")][:1] == ["a.py::x"]
    for text in ("x", "_", "__", "s a", "x.y", "save-all", "'\"*", "é"):
        broad.atoms.search(text)  # never a syntax error
        query.search_as_you_type(broad, text)


def test_name_prefix_is_case_insensitive_and_escapes_like(broad):
    assert broad.atoms.name_prefix("SAVEu")[0].atom.name == "saveUser"
    assert broad.atoms.name_prefix("save_item_00%") == []
    assert len(broad.atoms.name_prefix("save_item_", limit=MANY + 10, window=MANY + 10)) == MANY
