"""The manifest that owns a source file: Go's ``go.mod`` (its module path) and Rust's
``Cargo.toml`` (its crate's name).

A Go import names a package by its module path (``example.com/app/store``), and Rust code outside
a crate's ``src`` (its ``tests/``, ``examples/``) names the crate by its name (``tokio::spawn``);
the resolver maps both to the repository's folders through the nearest manifest above the file.
Read when a file is parsed and kept in its module atom (``extra["package"]``): after changing a
manifest, ``dgtui index --rebuild`` reads it again for every file.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib

from ..paths import inside

_MODULE_LINE = re.compile(rb"^\s*module\s+\"?([^\s\"/][^\s\"]*)\"?\s*(?://.*)?$", re.M)
_MAX_MANIFEST = 1 << 20
_read: dict[str, tuple[tuple[int, int], str | None]] = {}  # manifest -> ((mtime, size), name)


def go_module_of(root: str, rel: str) -> tuple[str, str] | None:
    """(module path, folder of its go.mod relative to ``root``) for the Go file ``rel``, or None
    when no go.mod above it (inside the repository) declares a module."""
    return _nearest(root, rel, "go.mod", _go_module)


def rust_crate_of(root: str, rel: str) -> tuple[str, str] | None:
    """(crate name as code writes it, folder of its Cargo.toml) for the Rust file ``rel``."""
    return _nearest(root, rel, "Cargo.toml", _crate_name)


def _nearest(root: str, rel: str, manifest: str, read) -> tuple[str, str] | None:
    folder = rel.rpartition("/")[0]
    while True:
        found = _named_in(root, f"{folder}/{manifest}" if folder else manifest, read)
        if found is not None:
            return found, folder
        if not folder:
            return None
        folder = folder.rpartition("/")[0]


def _go_module(data: bytes) -> str | None:
    m = _MODULE_LINE.search(data)
    return m.group(1).decode("utf-8", "replace") if m else None


def _crate_name(data: bytes) -> str | None:
    try:
        table = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    lib, package = table.get("lib"), table.get("package")
    name = (lib.get("name") if isinstance(lib, dict) else None) or (
        package.get("name") if isinstance(package, dict) else None)
    return name.replace("-", "_") if isinstance(name, str) and name else None


def _named_in(root: str, rel: str, read) -> str | None:
    full = os.path.join(root, rel)
    try:
        st = os.stat(full, follow_symlinks=False)
    except OSError:
        return None
    key = (st.st_mtime_ns, st.st_size)
    cached = _read.get(full)
    if cached is not None and cached[0] == key:
        return cached[1]
    name = None
    if stat.S_ISREG(st.st_mode) and st.st_size <= _MAX_MANIFEST and inside(root, rel):  # no link
        try:
            with open(full, "rb") as fh:
                name = read(fh.read(_MAX_MANIFEST))
        except OSError:
            name = None
    _read[full] = (key, name)
    return name
