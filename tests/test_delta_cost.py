"""Regression guard (issue 7), no timing: the work of a one-file delta must not grow with the
repository. The same file is edited the same ways in a small and a ten times larger generated
repository; the SQL statements run (sqlite3 trace callback: one per statement execution,
executemany rows included) and the files parsed must be the same in both."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from helpers import write

import dgtui.parse.files as parse_files
from bench.delta import KINDS, edit
from bench.generate import generate
from dgtui.engine.indexer import Indexer
from dgtui.store import Store

PROBE = '''"""A file edited the same way in every repository."""
import os

from pkg0.sub0 import mod0


class Probe:
    def run(self, value):
        return self.check(value) or os.path.join(value)

    def check(self, value):
        return len(value)


def probe_main(value):
    """Entry point."""
    return Probe().run(value) or probe_helper(value)


def probe_helper(value):
    return [probe_main(v) for v in value if v]


def probe_last(value, other):
    return mod0 and probe_helper(other)
'''


def delta_costs(root: Path, db: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Counter]:
    write(root / "probe.py", PROBE)
    store = Store.open(str(db))
    indexer = Indexer(str(root), store, workers=1)
    indexer.run()
    parsed: list[str] = []
    real = parse_files.parse_file

    def counting_parse_file(root_: str, rel: str, max_bytes: int, encode=None):
        parsed.append(rel)
        return real(root_, rel, max_bytes, encode)

    monkeypatch.setattr(parse_files, "parse_file", counting_parse_file)
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    costs = {}
    text = PROBE
    for n, kind in enumerate(("body",) + KINDS):  # the first edit warms what a live index keeps
        text = edit(text, kind, n)
        write(root / "probe.py", text)
        statements.clear()
        parsed.clear()
        delta = indexer.sync_paths(["probe.py"])
        assert delta is not None and delta.files == ("probe.py",), kind
        costs[f"{n}:{kind}"] = Counter(s.split()[0].upper() for s in statements)
        costs[f"{n}:{kind}"]["files parsed"] = len(parsed)
    store.conn.set_trace_callback(None)
    store.close()
    monkeypatch.undo()
    return costs


@pytest.mark.slow
def test_one_file_delta_costs_the_same_in_a_ten_times_larger_repository(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch):
    small = generate(str(tmp_path / "small"), 150)
    large = generate(str(tmp_path / "large"), 1500)
    assert large["functions"] > 8 * small["functions"]
    small_costs = delta_costs(tmp_path / "small", tmp_path / "small.db", monkeypatch)
    large_costs = delta_costs(tmp_path / "large", tmp_path / "large.db", monkeypatch)
    assert all(c["files parsed"] == 1 for c in small_costs.values())
    assert small_costs == large_costs
