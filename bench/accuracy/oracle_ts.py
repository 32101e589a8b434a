"""The TypeScript oracle: ``ts_oracle.js`` (the compiler's checker) over the corpus' files.

The checker needs the whole program to answer for any file, so one Node process builds it and
prints the sites of the files not cached yet; answers are cached per file as for Python.
"""

from __future__ import annotations

import json
import os
import subprocess
import time

from bench.accuracy.cache import OracleCache, code_hash
from bench.accuracy.corpora import Corpus, typescript_dir

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ts_oracle.js")
#: rxjs imports itself by name from its own sources (its tsconfig's ``paths``).
PATHS = {"rxjs": {"rxjs": ["./"], "rxjs/*": ["./*"]}}


def oracle_id(corpus: Corpus) -> str:
    with open(os.path.join(typescript_dir(), "package.json")) as fh:
        ts_version = json.load(fh)["version"]
    return f"typescript-{ts_version}-{code_hash(SCRIPT, PATHS)}-{corpus.name}"


def run(corpus: Corpus, files: list[str], log) -> tuple[dict[str, dict], dict]:
    """Per file, ``{"sites": [...], "unparsable": bool}``: cached, or asked now."""
    cache = OracleCache(oracle_id(corpus))
    out, todo = cache.split(corpus.root, files)
    stats = {"files_cached": len(out), "files_asked": len(todo)}
    t0 = time.perf_counter()
    if todo:
        log(f"{corpus.name}: the TypeScript checker on {len(todo)} files ({len(out)} cached)")
        config = {"typescript": typescript_dir(), "root": corpus.root, "files": files,
                  "report": sorted(todo), "paths": PATHS.get(corpus.name, {})}
        proc = subprocess.run(["node", SCRIPT], input=json.dumps(config), capture_output=True,
                              text=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"ts_oracle.js failed:\n{proc.stderr[-4000:]}")
        for line in proc.stdout.splitlines():
            entry = json.loads(line)
            # Stable: the checker's walk visits an outer call before the calls inside it.
            entry["sites"].sort(key=lambda s: (s["line"], s["col"]))
            out[entry["file"]] = {"sites": entry["sites"], "unparsable": entry["unparsable"]}
            cache.put(todo[entry["file"]], out[entry["file"]])
    stats["seconds"] = time.perf_counter() - t0
    return out, stats
