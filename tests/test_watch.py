"""The watcher on its own (real files, real watchfiles): new folders get watches of their own
before their batch is handed on, and many such watches are merged into one without losing a save."""

from __future__ import annotations

import asyncio
from pathlib import Path

from dgtui.engine.ignore import IgnoreRules
from dgtui.engine.watch import MAX_NOTIFIERS, RepoWatcher


async def until(condition, what: str, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.01)


async def test_many_new_folders_are_watched_then_merged_into_one_watch(tmp_path: Path):
    root = tmp_path / "repo"
    root.mkdir()
    watcher = RepoWatcher(str(root), IgnoreRules(str(root)), [""], tick_ms=50)
    stop = asyncio.Event()
    seen: set[str] = set()
    watching = asyncio.Event()

    async def consume() -> None:
        async for batch in watcher.batches(stop, on_watching=watching.set):
            seen.update(batch.paths)

    task = asyncio.create_task(consume())
    await until(watching.is_set, "the watch")
    folders = [f"d{i:02}" for i in range(MAX_NOTIFIERS + 3)]
    for name in folders:
        (root / name).mkdir()
        (root / name / "a.py").write_text("def a():\n    pass\n")
        await until(lambda name=name: name in seen, f"new folder {name}")
        # its batch came after its own watch was in place: a save right now is seen
        (root / name / "b.py").write_text("def b():\n    pass\n")
        await until(lambda name=name: f"{name}/b.py" in seen, f"a save in {name}")
    await until(lambda: watcher.watch_count == 1, "the watches merged on a quiet tick")
    for name in folders:
        (root / name / "c.py").write_text("def c():\n    pass\n")
    await until(lambda: all(f"{n}/c.py" in seen for n in folders), "a save in every folder")
    stop.set()
    await asyncio.wait_for(task, 10)
