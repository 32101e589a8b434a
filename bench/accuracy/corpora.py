"""The accuracy corpora: real code no one here wrote, pinned, fetched once into the corpus cache.

Django comes from ``shared/corpus/fetch.sh`` (read-only to us). The rest is fetched here with the
registries' ordinary clients: three Python sdists (``pip download --no-binary :all:``), each
with its pinned run-time dependencies installed beside it (``pip install --target``) so that the
oracle sees the code a call leaves the repository for (a call into werkzeug is "external", not
"unknown"); rxjs's TypeScript sources and the TypeScript compiler from npm.

Each corpus is indexed from its root, as a user would index the unpacked project; ``measured``
says which of its files' call sites are judged (all of them, except for Django, whose full
oracle run would take an hour: a fixed list of its packages, named in the output).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass

from bench.common import CORPUS_DIR, corpus_root

#: Django's judged packages: the ORM, HTTP, utilities, core, templates, forms and auth.
DJANGO_MEASURED = ("django/db", "django/http", "django/utils", "django/core", "django/template",
                   "django/forms", "django/contrib/auth")
TYPESCRIPT = "typescript@5.7.3"
NODE_DIR = os.path.join(CORPUS_DIR, "accuracy-node")  # the TypeScript compiler for the oracle


@dataclass(frozen=True)
class Corpus:
    name: str
    language: str  # "python" or "typescript"
    fetch: tuple[str, ...]  # what to download: pip or npm specs
    deps: tuple[str, ...] = ()  # run-time dependencies the oracle may follow calls into
    measured: tuple[str, ...] = ()  # judged folders, relative to the root; empty: all files
    src: str = ""  # the folder holding the import root, when not the root itself
    index_dir: str = ""  # the folder indexed, relative to the unpacked package (TS: src)

    @property
    def root(self) -> str:
        if self.name == "django":
            return corpus_root("django") or os.path.join(CORPUS_DIR, "django")
        return os.path.join(CORPUS_DIR, "accuracy", self.name, self.index_dir)

    @property
    def deps_dir(self) -> str:
        return os.path.join(CORPUS_DIR, "accuracy", f"{self.name}-deps")

    def scope(self) -> str:
        """How much of the corpus is judged, for the output."""
        if not self.measured:
            return f"every {'.py' if self.language == 'python' else '.ts'} file under the root"
        return "call sites in " + ", ".join(f"{m}/" for m in self.measured) + " (the whole root is indexed)"

    def files(self) -> list[str]:
        """The judged source files, relative to the root, sorted."""
        ext = ".py" if self.language == "python" else ".ts"
        tops = [os.path.join(self.root, m) for m in self.measured] or [self.root]
        out = set()
        for top in tops:
            for path in glob.glob(os.path.join(top, "**", f"*{ext}"), recursive=True):
                if ext == ".ts" and path.endswith(".d.ts"):
                    continue
                out.add(os.path.relpath(path, self.root).replace(os.sep, "/"))
        return sorted(out)


CORPORA: dict[str, Corpus] = {c.name: c for c in (
    Corpus("django", "python", ("django==5.1.4",), deps=("asgiref==3.8.1", "sqlparse==0.5.3"),
           measured=DJANGO_MEASURED),
    Corpus("flask", "python", ("flask==3.1.0",), src="src",
           deps=("werkzeug==3.1.3", "jinja2==3.1.5", "itsdangerous==2.2.0", "click==8.1.8",
                 "blinker==1.9.0", "markupsafe==3.0.2")),
    Corpus("click", "python", ("click==8.1.8",), src="src"),
    Corpus("requests", "python", ("requests==2.32.3",), src="src",
           deps=("urllib3==2.2.3", "idna==3.10", "charset-normalizer==3.4.0", "certifi==2024.8.30")),
    Corpus("rxjs", "typescript", ("rxjs@7.8.2",), index_dir="src"),
)}


def _run(cmd: list[str], **kw) -> None:
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, **kw)


def fetch(corpus: Corpus) -> str:
    """Make sure the corpus (and what its oracle needs) is in the cache; its root."""
    if corpus.name == "django":
        if corpus_root("django") is None:
            raise RuntimeError("Django is absent: run shared/corpus/fetch.sh first")
    else:
        base = os.path.join(CORPUS_DIR, "accuracy", corpus.name)
        if not os.path.exists(os.path.join(base, ".complete")):
            _unpack(corpus, base)
    if corpus.deps and not os.path.exists(os.path.join(corpus.deps_dir, ".complete")):
        shutil.rmtree(corpus.deps_dir, ignore_errors=True)
        _run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
              "--no-deps", "--target", corpus.deps_dir, *corpus.deps])
        open(os.path.join(corpus.deps_dir, ".complete"), "w").close()
    if corpus.language == "typescript":
        typescript_dir()
    return corpus.root


def _unpack(corpus: Corpus, base: str) -> None:
    """Download the sdist (npm tarball) and unpack its top folder into ``base``."""
    shutil.rmtree(base, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix="dgtui-acc-fetch-") as tmp:
        if corpus.language == "python":
            _run([sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
                  "--no-deps", "--no-binary", ":all:", *corpus.fetch, "-d", tmp])
        else:
            _run(["npm", "pack", "--silent", *corpus.fetch], cwd=tmp)
        (archive,) = glob.glob(os.path.join(tmp, "*.tar.gz")) + glob.glob(os.path.join(tmp, "*.tgz"))
        out = os.path.join(tmp, "out")
        with tarfile.open(archive) as tar:
            tar.extractall(out, filter="data")
        (top,) = os.listdir(out)
        shutil.move(os.path.join(out, top), base)
    open(os.path.join(base, ".complete"), "w").close()


def typescript_dir() -> str:
    """``node_modules/typescript`` for the TypeScript oracle, installed once from npm."""
    path = os.path.join(NODE_DIR, "node_modules", "typescript")
    if not os.path.exists(os.path.join(NODE_DIR, ".complete")):
        os.makedirs(NODE_DIR, exist_ok=True)
        _run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", NODE_DIR, TYPESCRIPT])
        open(os.path.join(NODE_DIR, ".complete"), "w").close()
    return path
