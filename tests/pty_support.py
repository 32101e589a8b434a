"""Running the real CLI on a pseudo-terminal: what a person at a terminal sees (and answers)."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path


def on_a_terminal(args: list[str], home: Path, prompt: bytes | None = None,
                  answer: bytes = b"", timeout: float = 60) -> tuple[int, bytes]:
    """Run ``dgtui ARGS`` with a terminal as stdin, stdout and stderr; answer ``prompt`` when it
    appears. Returns (exit status, every byte the terminal received)."""
    master, slave = pty.openpty()
    env = dict(os.environ, DGTUI_HOME=str(home), COLUMNS="200", LINES="50", TERM="xterm-256color")
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen([sys.executable, "-m", "dgtui", *args], stdin=slave, stdout=slave,
                            stderr=slave, env=env, close_fds=True)
    os.close(slave)
    said = b""
    answered = prompt is None
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the child closed the terminal (EIO on Linux)
                    break
                if not chunk:
                    break
                said += chunk
            if not answered and prompt in said:
                os.write(master, answer)
                answered = True
            if not ready and proc.poll() is not None:
                break
        return proc.wait(timeout=timeout), said
    finally:
        os.close(master)
