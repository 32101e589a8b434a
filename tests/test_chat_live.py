"""A front end's use: answers that follow the engine's commits, answers from worker threads."""

from __future__ import annotations

import threading
from pathlib import Path

from chat_support import index, paths_for
from helpers import write

from dgtui.chat import ChatSession
from dgtui.engine.indexer import Indexer
from dgtui.engine.writer import Engine
from dgtui.store import Store


def test_answers_follow_the_index_and_history_reports_the_change(pyrepo: Path, home: Path):
    paths = index(pyrepo)
    writer = Store.open(paths.index_db)
    indexer = Indexer(paths.root, writer, Engine(writer), workers=1)
    with ChatSession.open(paths_for(pyrepo), "ann") as session:
        before = session.ask("is fmt_local recursive?")
        assert "in no call cycle" in before.text and before.graph_version == 1
        write(pyrepo / "pkg" / "service.py", (pyrepo / "pkg" / "service.py").read_text()
              .replace("def fmt_local():\n    return 1", "def fmt_local():\n    return fmt_local()"))
        delta = indexer.sync_paths(["pkg/service.py"])
        assert delta is not None and delta.transaction_id == 2
        after = session.ask("is fmt_local recursive?")
        assert after.graph_version == 2 and "calls itself" in after.text
        history = session.history()
        assert history[1].summary == "answered at transaction 1; 1 of its 1 atoms changed since"
        assert history[3].summary == "answered at transaction 2; 0 of its 1 atoms changed since"
    writer.close()


def test_asking_from_threads_while_reading_history(pyrepo: Path, home: Path):
    index(pyrepo)
    errors: list[BaseException] = []
    questions = ["who calls write?", "impact of changing write", "dead code", "what does handle call?"]
    with ChatSession.open(paths_for(pyrepo), "ann") as session:
        def worker(q: str) -> None:
            try:
                for _ in range(5):
                    session.ask(q)
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=worker, args=(q,)) for q in questions]
        for t in threads:
            t.start()
        while any(t.is_alive() for t in threads):
            session.history()
        for t in threads:
            t.join()
        assert not errors, errors
        entries = session.history()
        assert len(entries) == 2 * 5 * len(questions)
        # every answer follows its own question
        by_id = {e.message.id: e.message for e in entries}
        for e in entries:
            if e.message.role == "assistant":
                assert by_id[e.message.reply_to].role == "user"
                assert by_id[e.message.reply_to].intent == e.message.intent
