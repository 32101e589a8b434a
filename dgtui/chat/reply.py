"""Building an answer: its lines, and every atom, file and finding it used, in order."""

from __future__ import annotations

from typing import Any

from .. import query as q
from .answer import Answer, AtomRef, Finding
from .context import GraphContext
from .intents import Intent

#: Rows listed in an answer's text; the rest are counted ("... and 12 more").
MAX_LISTED = 25
#: Atoms an answer records as used (and the history follows); the rest are only counted.
MAX_USED = 100


class Reply:
    def __init__(self, ctx: GraphContext, intent: Intent):
        self.ctx = ctx
        self.intent = intent
        self.lines: list[str] = []
        self._atoms: dict[str, dict[str, Any]] = {}
        self._files: dict[str, None] = {}
        self.findings: list[Finding] = []
        self.data: dict[str, Any] = {}
        self.subject: str | None = intent.subject or intent.path
        self.fallback = False
        # Read first: a transaction committed while answering makes the data newer, never older.
        self.version, self.epoch = ctx.version()

    def say(self, line: str = "") -> None:
        self.lines.append(line)

    def use(self, row: dict[str, Any]) -> str:
        """Record an atom row as used; returns how to show it: ``name (path:line)``."""
        if row.get("id") and row.get("file_path"):
            if row["id"] not in self._atoms:
                if len(self._atoms) < MAX_USED:
                    self._atoms[row["id"]] = row
                else:
                    self.data["atoms_not_recorded"] = self.data.get("atoms_not_recorded", 0) + 1
            self._files.setdefault(row["file_path"], None)
        where = f"{row['file_path']}:{row['line']}" if row.get("file_path") else "?"
        return f"{row.get('qualified_name') or row.get('name')} ({where})"

    def use_file(self, path: str) -> None:
        self._files.setdefault(path, None)

    def listing(self, rows: list[dict[str, Any]], show) -> None:
        """List up to ``MAX_LISTED`` rows as ``show(row)`` lines; every row counts as used."""
        for row in rows[:MAX_LISTED]:
            self.say("  " + show(row))
        for row in rows[MAX_LISTED:]:
            self.use(row)
        if len(rows) > MAX_LISTED:
            self.say(f"  ... and {len(rows) - MAX_LISTED} more")

    def find(self, findings: list[Finding]) -> None:
        seen = {(f.code, f.atom_id) for f in self.findings}
        self.findings += [f for f in findings if (f.code, f.atom_id) not in seen]

    def build(self, answerer: str) -> Answer:
        stored = q.stored_atoms(self.ctx.store, list(self._atoms))
        refs = tuple(AtomRef.of(row, q.fingerprint(stored[i].atom) if i in stored else None)
                     for i, row in self._atoms.items())
        if self.findings:
            self.say()
            self.say("Findings:")
            for f in self.findings:
                self.say(f"  [{f.kind}] {f.message}")
        return Answer(question=self.intent.text, intent=self.intent.name,
                      text="\n".join(self.lines).strip(), atoms=refs, files=tuple(self._files),
                      findings=tuple(self.findings), graph_version=self.version, index_epoch=self.epoch,
                      subject=self.subject, fallback=self.fallback, answerer=answerer,
                      data=self.data)
