"""Reading a question: its intent and parameters, from the text alone."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dgtui.chat.intents import DEEP, INTENTS, detect
from dgtui.chat.when import parse_since

CASES = [
    # question, intent, subject, path, depth
    ("Where is save_atom defined?", "definition", "save_atom", None, None),
    ("where's User.save", "definition", "User.save", None, None),
    ("show me make_user", "definition", "make_user", None, None),
    ("what is handle", "definition", "handle", None, None),
    ("save_atom", "definition", "save_atom", None, None),
    ("who calls saveatom?", "callers", "saveatom", None, None),
    ("What calls `handle`?", "callers", "handle", None, None),
    ("which functions call fmt", "callers", "fmt", None, None),
    ("where is write called", "callers", "write", None, None),
    ("callers of the User.save method", "callers", "User.save", None, None),
    ("who calls write to depth 3", "callers", "write", None, 3),
    ("who calls write, 2 levels up", "callers", "write", None, 2),
    ("who calls write transitively?", "callers", "write", None, DEEP),
    ("who calls save in pkg/db.py", "callers", "save", "pkg/db.py", None),
    ("what does handle call?", "callees", "handle", None, None),
    ("what handle calls", "callees", "handle", None, None),
    ("what is called by handle", "callees", "handle", None, None),
    ("impact of changing write", "impact", "write", None, None),
    ("what breaks if I change save_atom()", "impact", "save_atom", None, None),
    ("if I rename fmt, what breaks?", "impact", "fmt", None, None),
    ("what depends on Router.add", "impact", "Router.add", None, None),
    ("which async functions call save_atom?", "async-callers", "save_atom", None, None),
    ("async functions that call write transitively", "async-callers", "write", None, DEEP),
    ("unresolved calls in pkg/service.py", "unresolved", None, "pkg/service.py", None),
    ("ambiguous calls in service.py", "unresolved", None, "service.py", None),
    ("dead code", "dead-code", None, None, None),
    ("unused functions in pkg", "dead-code", None, "pkg", None),
    ("functions nobody calls", "dead-code", None, None, None),
    ("cycles through res.send", "cycles", "res.send", None, None),
    ("is send recursive?", "cycles", "send", None, None),
    ("most complex functions in pkg", "complexity", None, "pkg", None),
    ("most complex functions of lib/response.js", "complexity", None, "lib/response.js", None),
    ("what changed recently", "changes", None, None, None),
    ("what changed in pkg/service.py since 2h", "changes", None, "pkg/service.py", None),
    ("how does authentication work", "search", "how does authentication work", None, None),
]


@pytest.mark.parametrize("question,intent,subject,path,depth", CASES)
def test_detect(question, intent, subject, path, depth):
    got = detect(question)
    assert (got.name, got.subject, got.path, got.depth) == (intent, subject, path, depth)
    assert got.text == question.strip()


def test_every_intent_is_covered():
    assert {c[1] for c in CASES} == set(INTENTS)


def test_changes_read_when_and_who():
    got = detect("what changed by the agent today?")
    assert got.sources == ("mcp", "atomic-edit") and got.since.label == "today"
    assert detect("what changed by the watcher").sources == ("file-watcher",)
    assert detect("changes since transaction 3").since.transaction == 3
    last = detect("what changed in the last 10 minutes")
    assert last.since.label == "last 10 minutes" and last.path is None


NOW = datetime(2026, 3, 4, 15, 30).timestamp()


@pytest.mark.parametrize("phrase,seconds_ago", [
    ("2h", 7200), ("10 minutes", 600), ("3 days ago", 3 * 86400), ("the last 3 days", 3 * 86400),
    ("30m", 1800), ("1 week", 604800), ("today", 15.5 * 3600), ("yesterday", 39.5 * 3600),
])
def test_parse_since_ages(phrase, seconds_ago):
    assert NOW - parse_since(phrase, NOW).time == pytest.approx(seconds_ago)


def test_parse_since_dates_transactions_and_nonsense():
    assert parse_since("2026-01-31", NOW).time == datetime(2026, 1, 31).timestamp()
    assert parse_since("2026-01-31T10:00", NOW).time == datetime(2026, 1, 31, 10).timestamp()
    assert parse_since("transaction 812", NOW).transaction == 812
    assert parse_since("the dawn of time", NOW) is None
    assert parse_since("5 fortnights", NOW) is None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_any_text_gets_an_intent_and_never_raises(text):
    got = detect(text)
    assert got.name in INTENTS
    assert detect(text) == got  # deterministic
