"""Writing trees of legacy JSON atom files in the origin system's layout, for import tests.

``.omnysysdata/atoms/<dir>/<file-stem>/<function>.json``, one atom per file, as the origin's
``saveAtom`` wrote them (``JSON.stringify(atom, null, 2)``), with the fields its atoms carried.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from dgtui.model import Atom


def sanitize(name: str) -> str:
    """The origin's ``sanitizeFileName`` for atom file names."""
    name = re.sub(r'[<>:"/\\|?*]', "_", name)
    name = re.sub(r"\s+", "_", name)
    return re.sub(r"_{2,}", "_", name)[:200]


def atom_file(atoms_root: Path, file_path: str, function: str) -> Path:
    folder, base = os.path.split(file_path)
    stem = base[: base.rfind(".")] if base.rfind(".") > 0 else base
    return atoms_root / folder / stem / f"{sanitize(function)}.json"


def write_atom(atoms_root: Path, obj: dict, function: str | None = None) -> Path:
    path = atom_file(atoms_root, obj["filePath"], function or obj["name"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False))
    return path


def legacy_object(atom: Atom, n: int = 0) -> dict:
    """What the origin stored for an atom it extracted (plus the fields it kept around)."""
    class_name = atom.qualified_name.rsplit(".", 1)[0] if atom.kind == "method" else None
    name = atom.name if class_name else atom.qualified_name.split("#")[0]
    return {
        "id": f"{atom.file_path}::{name}",
        "name": name,
        "type": "atom",
        "filePath": atom.file_path,
        "line": atom.line,
        "endLine": atom.end_line,
        "className": class_name,
        "functionType": {"method": "method", "arrow": "arrow"}.get(atom.kind, "declaration"),
        "isAsync": atom.is_async,
        "isExported": atom.is_exported,
        "complexity": atom.complexity,
        "linesOfCode": (atom.end_line or atom.line) - atom.line + 1,
        "calls": [{"name": c.callee, "type": "internal", "line": atom.line + c.offset}
                  for c in atom.calls],
        "calledBy": [],
        "archetype": {"type": "utility", "severity": 2, "confidence": 0.8},
        "dna": {"hash": f"{n:016x}", "lineage": []},
        "derived": {"fragilityScore": 0.1 * (n % 7), "couplingScore": 0.5},
        "extractedAt": "2026-02-11T19:35:00.000Z",
    }


def synthetic_tree(atoms_root: Path, count: int, per_file: int = 6, distinct: bool = False) -> list[str]:
    """``count`` atom files of ``count / per_file`` source files; returns the source paths.
    Every file defines ``fn0``... unless ``distinct``: then names differ from file to file."""
    paths: list[str] = []
    for n in range(count):
        f = n // per_file
        file_path = f"src/layer-{f % 7}/mod{f // 7}/file{f}.js"
        if not paths or paths[-1] != file_path:
            paths.append(file_path)
        k = n % per_file
        name = (lambda j: f"fn{j}_{f}" if distinct else f"fn{j}")
        obj = {
            "id": f"{file_path}::{name(k)}", "name": name(k), "filePath": file_path,
            "line": 1 + 10 * k, "endLine": 9 + 10 * k, "className": None,
            "functionType": "arrow" if k % 3 == 0 else "declaration", "isAsync": k % 2 == 0,
            "isExported": k == 0, "complexity": 1 + k,
            "calls": [{"name": name((k + 1) % per_file), "type": "internal", "line": 3 + 10 * k},
                      {"name": "console.log", "type": "external", "line": 4 + 10 * k}],
            "archetype": {"type": "utility", "severity": k, "confidence": 0.5},
            "semantic": {"sharedState": [f"state{n % 13}"]},
            "extractedAt": "2026-02-11T19:35:00.000Z",
        }
        write_atom(atoms_root, obj)
    return paths
