"""Screenshots of each screen of the explorer on a real repository, for the README and docs/explorer.md.

    python screenshots/make_screenshots.py [REPO] [--home DIR] [--size 140x40]

REPO defaults to this repository itself (dgtui exploring dgtui). Writes ``screenshots/*.svg``
and, where ``rsvg-convert`` is installed (Debian: ``apt-get install librsvg2-bin``), a PNG of
each. The app runs headless with the real index, live index and watcher; the repository is only
read (the chat history used for the chat screen lives in a temporary data home).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


async def wait_for(predicate, timeout: float = 60.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise TimeoutError("the app did not get there in time")
        await asyncio.sleep(0.05)


async def shoot(repo: str, home: str, size: tuple[int, int], out: Path) -> list[Path]:
    from dgtui.app import make_app

    app = make_app(repo, home, chat_user="screenshots")
    written: list[Path] = []

    def save(name: str) -> None:
        for box in app.screen.query("Input"):
            box.cursor_blink = False
        path = out / f"{name}.svg"
        path.write_text(app.export_screenshot(title=f"dgtui — {name}"))
        written.append(path)

    async with app.run_test(size=size) as pilot:
        await wait_for(lambda: app.live_status.state in ("watching", "reading") and app.totals.get("atoms"))
        explorer = app.explorer
        explorer.search.query_one("#search-input")  # the box exists before typing
        for ch in "search":
            await pilot.press(ch)
        await wait_for(lambda: explorer.search.table.row_count and explorer.shown_seq == explorer._search_seq)
        await pilot.press("down", "enter")  # to the results, then open the first
        await wait_for(lambda: explorer.current_atom is not None)
        tree = explorer.tree(False)
        await wait_for(lambda: tree.root.children and tree.root.children[0].data.kind != "loading")
        expandable = next((n for n in tree.root.children if n.allow_expand and n.data.kind == "atom"), None)
        if expandable is not None:
            tree.move_cursor(expandable)
            await pilot.press("right")
            await wait_for(lambda: expandable.data.loaded)
        await pilot.pause(0.3)
        save("explorer")

        await pilot.press("question_mark")
        await pilot.pause(0.3)
        save("help")
        await pilot.press("escape")

        await pilot.press("ctrl+p")
        for ch in "callchil":
            await pilot.press(ch)
        await pilot.pause(1.0)
        save("palette")
        await pilot.press("escape")

        await app.run_action("pane(5)")
        timeline = app.get_screen("timeline")
        await wait_for(lambda: timeline.table.row_count)
        # What the timeline is for: changes as they land (in a thread: the app keeps running).
        edits = await asyncio.to_thread(edit_like_an_agent, Path(repo))
        await wait_for(lambda: sum(1 for e in timeline.table.events.values()
                                   if e["source"] == "file-watcher") >= edits)
        await pilot.press("g", "down", "down")  # the newest rows: the signature change
        await pilot.pause(0.3)
        save("timeline")

        await app.run_action("pane(6)")
        chat = app.get_screen("chat")
        await wait_for(lambda: chat.session is not None)
        chat.query_one("#chat-input").value = "who calls search_as_you_type?"
        await pilot.press("enter")
        await wait_for(lambda: len(chat.query_one("#conversation").entries) >= 2)
        chat.query_one("#conversation").focus()
        await pilot.press("p")
        await pilot.pause(0.5)
        await pilot.press("ctrl+s")
        await wait_for(lambda: chat.query_one("#brain").statuses)
        await pilot.pause(0.3)
        save("chat")
    return written


def edit_like_an_agent(root: Path) -> int:
    """Three saves in a Python file of the (copied) repository: a new function, a signature
    change, a rename. Returns how many atom events at least they make."""
    import re

    for path in sorted(root.rglob("*.py")):
        text = path.read_text(errors="replace")
        defs = re.findall(r"^def (\w+)\((.*?)\):$", text, re.M)
        if len(defs) >= 3 and "/tests/" not in str(path):
            break
    else:
        return 0
    (first, _), (second, params), (third, _) = defs[:3]
    path.write_text(text + f"\n\ndef {first}_twice(*args):\n    return {first}(*args), {first}(*args)\n")
    time.sleep(0.3)
    text = path.read_text().replace(f"def {second}({params}):",
                                    f"def {second}({params}{', ' if params else ''}strict=False):", 1)
    path.write_text(text)
    time.sleep(0.3)
    path.write_text(path.read_text().replace(f"def {third}(", f"def {third}_renamed(", 1))
    return 3


def to_png(svg: Path) -> Path | None:
    """rsvg-convert keeps the terminal grid; leading no-break spaces need xml:space."""
    tool = shutil.which("rsvg-convert")
    if tool is None:
        return None
    text = svg.read_text().replace("<svg ", '<svg xml:space="preserve" ', 1)
    with tempfile.NamedTemporaryFile("w", suffix=".svg", delete=False) as fh:
        fh.write(text)
    png = svg.with_suffix(".png")
    try:
        subprocess.run([tool, "-w", "1600", fh.name, "-o", str(png)], check=True)
    finally:
        os.unlink(fh.name)
    return png


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", nargs="?", default=str(HERE.parent))
    parser.add_argument("--home", default=None, help="data home (default: a temporary one)")
    parser.add_argument("--size", default="140x40")
    args = parser.parse_args()
    width, height = (int(n) for n in args.size.lower().split("x"))
    home = args.home or tempfile.mkdtemp(prefix="dgtui-shots-")
    # The pictures show live edits: they are made in a copy, never in the repository itself.
    work = Path(tempfile.mkdtemp(prefix="dgtui-shots-repo-"))
    copy = work / Path(os.path.abspath(args.repo)).name
    shutil.copytree(args.repo, copy, symlinks=True, ignore=shutil.ignore_patterns(
        ".git", ".venv", ".ci-venv", "__pycache__", "*.egg-info", ".hypothesis", ".pytest_cache"))
    try:
        written = asyncio.run(shoot(str(copy), home, (width, height), HERE))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for svg in written:
        png = to_png(svg)
        print(svg.relative_to(HERE.parent), "and", png.name if png else "(no PNG: install rsvg-convert)")
    if args.home is None:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
