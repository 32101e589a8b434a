"""Go, Java and Rust on real code: ``python -m bench.languages`` (``--fetch-only`` to fetch).

The corpora are Debian's source packages, pinned by version and fetched once into the corpus
cache with Debian's own client (``apt-get download``, then ``dpkg-deb -x``): no one here wrote
them, and every machine of the project reaches the same archive.

- go: go-git 5.4.2 (``golang-github-go-git-go-git-dev``), a mid-size Go library with go.mod;
- java: OpenJDK 17's ``java.lang``, ``java.util`` and ``java.io`` (``openjdk-17-source``);
- rust: tokio 1.24.2 (``librust-tokio-dev``).

For each: tree-sitter's parse-only time of the same files in one process (the floor, measured
before and after), a cold full index, and what the calls resolved to. Django's ``contrib`` (335
Python files, from ``shared/corpus/fetch.sh``), when present, is measured the same way in the same
run: an anchor of a similar size, since a small corpus's ratio is mostly the fixed cost of a cold
index (the worker pool, the SQLite indexes) and a loaded machine moves every figure. Prints a table and writes
``bench/results/languages.md`` and ``languages.json``. A pinned version that the archive no
longer serves (Debian replaces security updates) is a clear error: pin the current one.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass

from bench.common import CORPUS_DIR, corpus_root, machine, run_child

HERE = os.path.dirname(os.path.abspath(__file__))
RESOLVED = ("self", "local", "import", "typed", "unique")


@dataclass(frozen=True)
class Corpus:
    language: str
    title: str
    package: str
    version: str
    tree: str  # the folder indexed, inside the unpacked package
    members: tuple[str, ...] = ()  # for a zip of sources: the folders taken out of it

    @property
    def root(self) -> str:
        return os.path.join(CORPUS_DIR, "languages", self.language, self.tree)


CORPORA = {c.language: c for c in (
    Corpus("go", "go-git 5.4.2", "golang-github-go-git-go-git-dev", "5.4.2-3",
           "usr/share/gocode/src/github.com/go-git/go-git"),
    Corpus("java", "OpenJDK 17 java.base: java.lang, java.util, java.io", "openjdk-17-source",
           "17.0.21.1+2-1~deb12u1", "java.base",
           ("java.base/java/lang/", "java.base/java/util/", "java.base/java/io/")),
    Corpus("rust", "tokio 1.24.2", "librust-tokio-dev", "1.24.2-1",
           "usr/share/cargo/registry/tokio-1.24.2"),
)}


def fetch(corpus: Corpus) -> str:
    """The corpus's root, fetched and unpacked first if it is not in the cache."""
    base = os.path.join(CORPUS_DIR, "languages", corpus.language)
    if os.path.exists(os.path.join(base, ".complete")):
        return corpus.root
    shutil.rmtree(base, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix="dgtui-lang-fetch-") as tmp:
        os.chmod(tmp, 0o755)  # apt's own user writes the download
        spec = f"{corpus.package}={corpus.version}"
        done = subprocess.run(["apt-get", "download", "-q", spec], cwd=tmp, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"cannot fetch {spec} ({(done.stderr.strip().splitlines() or ['?'])[-1]}); "
                             "`apt-cache policy` shows the version to pin in bench/languages.py")
        (deb,) = [f for f in os.listdir(tmp) if f.endswith(".deb")]
        unpacked = os.path.join(tmp, "x")
        subprocess.run(["dpkg-deb", "-x", os.path.join(tmp, deb), unpacked], check=True)
        if corpus.members:
            (archive,) = [os.path.join(d, f) for d, _, fs in os.walk(unpacked) for f in fs if f == "src.zip"]
            with zipfile.ZipFile(archive) as zf:
                zf.extractall(base, [n for n in zf.namelist() if n.startswith(corpus.members)])
        else:
            shutil.copytree(os.path.join(unpacked, corpus.tree), corpus.root, symlinks=True)
    open(os.path.join(base, ".complete"), "w").close()
    return corpus.root


def measure(corpus: Corpus, tmp: str, root: str | None = None) -> dict:
    root = root or fetch(corpus)
    before = run_child("floor", root=root)
    cold = run_child("index_home", root=root, home=os.path.join(tmp, f"home-{corpus.language}"))
    after = run_child("floor", root=root)
    floor = (before["seconds"] + after["seconds"]) / 2
    kinds = cold["edges_by_resolution"]
    edges = max(1, cold["edges"])
    return {
        "corpus": corpus.title, "package": f"{corpus.package} {corpus.version}".strip(),
        "files": before["files"], "bytes": before["bytes"], "atoms": cold["atoms"], "edges": cold["edges"],
        "floor_seconds": floor, "cold_seconds": cold["wall_seconds"],
        "ratio_to_floor": cold["wall_seconds"] / floor, "resolutions": kinds,
        "resolved_share": sum(kinds.get(k, 0) for k in RESOLVED) / edges,
        "outside_share": sum(kinds.get(k, 0) for k in ("builtin", "external")) / edges,
        "ambiguous_share": kinds.get("ambiguous", 0) / edges,
        "unresolved_share": kinds.get("unresolved", 0) / edges,
        "peak_rss_mb": cold["peak_rss_mb"],
    }


def markdown(results: dict) -> str:
    m = results["machine"]
    out = [f"On {m['cores']} cores ({m['cpu']}), Python {m['python']}, tree-sitter {m['tree_sitter']}; "
           f"load average at start {m['load_average']}.", "",
           "| language | corpus | files | atoms | calls | tree-sitter parse-only | cold full index | ratio |"
           " to a target | builtin/external | ambiguous | unresolved |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for language, r in results["languages"].items():
        out.append(f"| {language} | {r['corpus']} | {r['files']:,} | {r['atoms']:,} | {r['edges']:,} | "
                   f"{r['floor_seconds']:.2f} s | {r['cold_seconds']:.2f} s | {r['ratio_to_floor']:.1f}× | "
                   f"{r['resolved_share']:.0%} | {r['outside_share']:.0%} | {r['ambiguous_share']:.0%} | "
                   f"{r['unresolved_share']:.0%} |")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.languages", description=__doc__.split("\n\n")[0])
    ap.add_argument("languages", nargs="*", metavar="LANGUAGE", help=f"{', '.join(CORPORA)} (default: all)")
    ap.add_argument("--fetch-only", action="store_true")
    ap.add_argument("--out", default=os.path.join(HERE, "results"))
    args = ap.parse_args(argv)
    names = args.languages or list(CORPORA)
    unknown = [n for n in names if n not in CORPORA]
    if unknown:
        ap.error(f"no corpus for {', '.join(unknown)}: choose among {', '.join(CORPORA)}")
    if args.fetch_only:
        for name in names:
            print(fetch(CORPORA[name]))
        return 0
    results = {"machine": machine(), "languages": {}}
    with tempfile.TemporaryDirectory(prefix="dgtui-bench-lang-") as tmp:
        for name in names:
            print(f"{name}: {CORPORA[name].title}", file=sys.stderr, flush=True)
            results["languages"][name] = measure(CORPORA[name], tmp)
        django = corpus_root("django")
        if django and os.path.isdir(os.path.join(django, "django", "contrib")):
            print("python (anchor): Django's contrib", file=sys.stderr, flush=True)
            anchor = Corpus("python (anchor)", "Django 5.1.4 django/contrib", "", "", "")
            results["languages"]["python (anchor)"] = measure(anchor, tmp, os.path.join(django, "django", "contrib"))
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "languages.json"), "w") as fh:
        json.dump(results, fh, indent=2)
    md = markdown(results)
    with open(os.path.join(args.out, "languages.md"), "w") as fh:
        fh.write(md)
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
