"""The oracles' answers on disk, so a re-run after a resolver change costs only dgtui's index.

One JSON file per source file, under ``{corpus cache}/accuracy-oracle/{oracle id}/``, named by a
hash of the file's path and content. The oracle id names the oracle's version and a hash of the
code that asks it and reads its answers (``code_hash``), so a change to that code misses the
cache instead of serving stale answers, while a change elsewhere keeps it. The corpora are pinned, so a file's answers depend only on
its own content and the oracle: an edited file, and only that file, is asked again.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os

from bench.common import CORPUS_DIR


def code_hash(*parts: object) -> str:
    """A short hash of the code that makes the answers (part of the cache key): functions and
    classes by their source, files by their content, anything else by its repr."""
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, str) and os.path.isfile(part):
            with open(part, "rb") as fh:
                digest.update(fh.read())
        elif callable(part):
            digest.update(inspect.getsource(part).encode())
        else:
            digest.update(repr(part).encode())
    return digest.hexdigest()[:12]


class OracleCache:
    def __init__(self, oracle_id: str):
        self.dir = os.path.join(CORPUS_DIR, "accuracy-oracle", oracle_id)
        os.makedirs(self.dir, exist_ok=True)

    @staticmethod
    def key(rel: str, data: bytes) -> str:
        return hashlib.sha256(rel.encode() + b"\0" + data).hexdigest()[:32]

    def _path(self, key: str) -> str:
        return os.path.join(self.dir, key + ".json")

    def get(self, key: str) -> dict | None:
        try:
            with open(self._path(key)) as fh:
                return json.load(fh)
        except (OSError, ValueError):
            return None

    def split(self, root: str, files: list[str]) -> tuple[dict[str, dict], dict[str, str]]:
        """(answers already cached, per file; the files still to ask, with their cache keys)."""
        cached: dict[str, dict] = {}
        todo: dict[str, str] = {}
        for rel in files:
            with open(os.path.join(root, rel), "rb") as fh:
                key = self.key(rel, fh.read())
            hit = self.get(key)
            if hit is None:
                todo[rel] = key
            else:
                cached[rel] = hit
        return cached, todo

    def put(self, key: str, entry: dict) -> None:
        tmp = self._path(key) + ".tmp"
        with open(tmp, "w") as fh:
            json.dump(entry, fh)
        os.replace(tmp, self._path(key))  # a run stopped half-way leaves no torn entry
