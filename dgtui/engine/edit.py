"""Edits through dgtui: replace, insert, delete or rename one atom, checked, written and indexed
in one transaction recorded with source ``atomic-edit``.

Everything happens inside the engine's ``BEGIN IMMEDIATE`` transaction (``Engine.apply_within``),
so no other writer commits between the check and the write:

1. the atom is still in the index at the version the caller read (``expected_version``), and each
   file to change is on disk what the index holds (its content hash): anything else is a
   ``conflict``, never an overwrite;
2. the new text is made (``edit_text``: whole lines, indentation fitted to where it goes) and
   parsed: no new parse error, and no atom but the ones the edit is about changes (an atom that
   shares a line with the edited one would); a file that had parse errors is refused unless
   ``allow_errors``;
3. the files are written atomically (``edit_files``) and handed to the engine, as parsed for the
   check, as the transaction's batch. Any failure puts the files back before the rollback: the files
   and the index are left as they were. The watcher sees the write, waits for the commit, finds
   the index already matching the disk, and records nothing.
"""

from __future__ import annotations

import difflib
import json
import keyword
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ..graph.resolve import Resolver
from ..model import Atom, Delta, ParsedFile
from ..parse.extract import Extraction, extract
from ..parse.files import content_hash
from ..parse.registry import language_for, load
from ..store import FileRow, Store
from ..store.records import atom_row
from . import edit_text as et
from .batch import Batch
from .edit_files import JOURNAL, AtomicWrite, FileRefused, FileState, read_state
from .walk import DEFAULT_MAX_BYTES
from .writer import Engine, finish_interrupted_edit

log = logging.getLogger(__name__)
SOURCE = "atomic-edit"
#: Call sites a rename rewrites: edges the code resolves. ``unique`` is a guess by name, and
#: ambiguous or unresolved calls name no target: those are listed, never touched.
REWRITTEN = ("self", "local", "import", "typed")
_NAME = re.compile(r"[A-Za-z_$][\w$]*\Z")


class EditError(Exception):
    """An edit that did not happen: the files and the index are as they were. ``kind``:
    ``conflict`` (the file or atom changed since it was read: read again, redo), ``invalid``
    (the new source or the result does not parse, or would change other code), ``refused``
    (not allowed here), ``failed`` (the write itself failed: the files were put back)."""

    def __init__(self, message: str, kind: str = "invalid"):
        super().__init__(message)
        self.kind = kind


@dataclass
class CallSite:
    caller: str
    file: str
    line: int
    callee: str
    resolution: str


@dataclass
class EditResult:
    operation: str
    atom: str  # the atom edited (for an insert: the anchor)
    before: Atom | None = None  # that atom as the index held it before the edit
    delta: Delta | None = None  # None: a dry run, or nothing changed
    files: list[str] = field(default_factory=list)
    diff: str = ""  # a unified diff of the files, as they were -> as the edit makes them
    rewritten: list[CallSite] = field(default_factory=list)  # call sites a rename rewrote
    left: list[CallSite] = field(default_factory=list)  # same name, not resolved to it: untouched
    imports: list[str] = field(default_factory=list)  # files whose import of it was renamed
    mentions: dict[str, list[int]] = field(default_factory=dict)  # old name still in these lines
    overrides: list[str] = field(default_factory=list)  # a renamed method's overrides: not renamed
    dry_run: bool = False


@dataclass
class _Plan:
    texts: dict[str, str]  # path -> its new text
    changeable: set[str]  # old atom ids the edit may change or remove
    new_ranges: dict[str, list[tuple[int, int]]]  # path -> lines where new atoms may appear


class Editor:
    """Edits one repository's files through its index (``store``: a writing connection)."""

    def __init__(self, root: str, store: Store, engine: Engine | None = None, *, client: str = "cli",
                 max_bytes: int = DEFAULT_MAX_BYTES):
        self.root = root
        self.store = store
        self.engine = engine or Engine(store)
        self.client = client
        self.max_bytes = max_bytes
        self._states: dict[str, FileState] = {}  # the files an edit reads, as read
        self._rows: dict[str, FileRow] = {}  # ... and as the index holds them

    # -- the four edits ----------------------------------------------------------------------
    def replace(self, atom_id: str, new_source: str, expected_version: int | None, **options) -> EditResult:
        def plan(target: Atom) -> _Plan:
            self._definition(target)
            state = self._file(target.file_path)
            lines = et.lines_of(state.text)
            first, last = target.line - 1, target.end_line - 1
            fitted = et.fit(new_source, et.indent_of(lines[first]), et.newline_of(state.text))
            start = et.decorators_above(lines, first) if fitted[0].lstrip().startswith("@") else first
            if not lines[last].endswith("\n"):
                fitted[-1] = fitted[-1].rstrip("\r\n")
            text = "".join(lines[:start] + fitted + lines[last + 1:])
            return _Plan({target.file_path: text}, self._subtree(target),
                         {target.file_path: [(start + 1, start + len(fitted))]})
        return self._run("replace", atom_id, expected_version, plan, **options)

    def insert(self, anchor_id: str, source: str, where: str = "after", **options) -> EditResult:
        if where not in ("after", "before"):
            raise EditError(f"where must be 'after' or 'before', not {where!r}", "refused")

        def plan(anchor: Atom) -> _Plan:
            state = self._file(anchor.file_path)
            lines, nl = et.lines_of(state.text), et.newline_of(state.text)
            language = language_for(anchor.file_path).name
            if anchor.kind == "module":
                if where == "before":
                    raise EditError("insert before a definition, or after <module> (the end of the "
                                    "file)", "refused")
                indent, pos, tail = "", len(lines), []
            else:
                indent = et.indent_of(lines[anchor.line - 1])
                pos = anchor.end_line if where == "after" else et.decorators_above(lines, anchor.line - 1)
            fitted = et.fit(source, indent, nl)
            gap = [nl] * et.separation(indent, language)
            if lines and not lines[-1].endswith("\n") and pos == len(lines):
                lines[-1] += nl
            if where == "before":
                head, block, tail = lines[:pos], fitted, gap
            else:
                follows = pos < len(lines) and not et.is_blank(lines[pos]) and et.indent_of(lines[pos]) == indent
                head, block, tail = lines[:pos] + (gap if pos else []), fitted, gap if follows else []
            start = len(head) + 1
            text = "".join(head + block + tail + lines[pos:])
            parent = {anchor.id} if anchor.kind == "module" else {anchor.parent_id or ""}
            return _Plan({anchor.file_path: text}, parent,
                         {anchor.file_path: [(start, start + len(block) - 1)]})
        return self._run("insert", anchor_id, None, plan, **options)

    def delete(self, atom_id: str, expected_version: int | None, **options) -> EditResult:
        def plan(target: Atom) -> _Plan:
            self._definition(target)
            state = self._file(target.file_path)
            lines = et.lines_of(state.text)
            start, end = et.decorators_above(lines, target.line - 1), target.end_line
            rest = lines[:start] + lines[end:]
            if start == 0 or et.is_blank(rest[start - 1]) or start == len(rest):
                while start < len(rest) and et.is_blank(rest[start]):  # the blank lines after it
                    del rest[start]
            if start == len(rest):
                while rest and et.is_blank(rest[-1]):  # it ended the file: so do its gap
                    rest.pop()
            return _Plan({target.file_path: "".join(rest)},
                         self._subtree(target) | {target.parent_id or ""}, {})
        return self._run("delete", atom_id, expected_version, plan, **options)

    def rename(self, atom_id: str, new_name: str, expected_version: int | None,
               update_callers: bool = True, **options) -> EditResult:
        if not _NAME.match(new_name) or keyword.iskeyword(new_name):
            raise EditError(f"{new_name!r} is not a name a definition can have", "refused")
        result_extra: dict[str, list] = {"rewritten": [], "left": [], "imports": [], "overrides": []}

        def plan(target: Atom) -> _Plan:
            return self._rename_plan(target, new_name, update_callers, result_extra)
        result = self._run("rename", atom_id, expected_version, plan, **options)
        result.rewritten, result.left, result.imports, result.overrides = (
            result_extra["rewritten"], result_extra["left"], result_extra["imports"],
            result_extra["overrides"])
        return result

    # -- rename --------------------------------------------------------------------------------
    def _rename_plan(self, target: Atom, new: str, update_callers: bool, out: dict) -> _Plan:
        for found in out.values():  # a transaction tried again plans again
            found.clear()
        old = target.name
        if target.kind in ("module", "test"):
            raise EditError(f"a {target.kind} has no name to rename", "refused")
        if new == old:
            raise EditError(f"{target.id} is already named {new!r}", "refused")
        if "$" in new and language_for(target.file_path).name == "python":
            raise EditError(f"{new!r} is not a Python name", "refused")
        qualified = target.qualified_name.rpartition(".")[0]
        symbols = self.engine.load_symbols()
        taken = symbols.in_file(target.file_path, f"{qualified}.{new}" if qualified else new)
        if taken is not None:
            raise EditError(f"{taken.id} already exists: pick another name", "refused")
        lines = {target.file_path: et.lines_of(self._file(target.file_path).text)}
        lines[target.file_path][target.line - 1] = et.rename_definition(
            lines[target.file_path][target.line - 1], old, new)
        changeable = self._subtree(target)
        if update_callers:
            sites: dict[tuple[str, int, str], list[CallSite]] = {}
            for _, e in self.store.atoms.edges_to([target.id]):
                if e.resolution in REWRITTEN:
                    path = e.source_id.partition("::")[0]
                    sites.setdefault((path, e.line, e.callee), []).append(
                        CallSite(e.source_id, path, e.line, e.callee, e.resolution))
            for (path, line, callee), found in sorted(sites.items()):
                if path not in lines:
                    lines[path] = et.lines_of(self._file(path).text)
                try:
                    et.rename_calls(lines[path], line - 1, callee, old, new, len(found))
                except et.TextError as exc:
                    raise EditError(f"{path}: {exc}; nothing was written") from None
                out["rewritten"] += found
                changeable |= {s.caller for s in found}
            for _, e in self.store.atoms.edges_to([target.id]):  # overrides that may run instead
                if e.detail and e.resolution in ("typed", "self"):
                    out["overrides"] += [o for o in json.loads(e.detail) if o not in out["overrides"]]
            for _, e in self.store.atoms.edges_named([old]):
                if e.target_id != target.id or e.resolution not in REWRITTEN:
                    if e.resolution in ("ambiguous", "unresolved") or e.target_id == target.id:
                        path = e.source_id.partition("::")[0]
                        out["left"].append(CallSite(e.source_id, path, e.line, e.callee, e.resolution))
            if target.parent_id and target.parent_id.endswith("::<module>"):
                self._rename_imports(target, new, symbols, lines, changeable, out)
        texts = {path: "".join(ls) for path, ls in lines.items()}
        return _Plan(texts, changeable, {target.file_path: [(target.line, target.end_line)]})

    def _rename_imports(self, target: Atom, new: str, symbols, lines: dict[str, list[str]],
                        changeable: set[str], out: dict) -> None:
        """Rename the import statements whose name resolves to ``target`` (``from m import x``)."""
        resolver = Resolver(symbols)
        done: set[tuple[str, str]] = set()  # one rewrite renames every statement of a module
        for path, module in sorted(symbols.modules.items()):
            for imp in module.imports:
                if imp.name != target.name or (path, imp.module) in done:
                    continue
                hit = resolver.reference(module, imp.local)
                if not (isinstance(hit, tuple) and hit[0] == "import" and hit[1].id == target.id):
                    continue
                if path not in lines:
                    lines[path] = et.lines_of(self._file(path).text)
                style = language_for(path).module_style
                try:
                    text = et.rename_import("".join(lines[path]), imp.module, target.name, new, style)
                except et.TextError as exc:
                    raise EditError(f"{path}: {exc}; nothing was written") from None
                lines[path] = et.lines_of(text)
                done.add((path, imp.module))
                changeable.add(module.id)
                out["imports"].append(path)

    # -- the transaction -----------------------------------------------------------------------
    def _run(self, operation: str, atom_id: str, expected_version: int | None,
             plan_of: Callable[[Atom], _Plan], *, dry_run: bool = False,
             allow_errors: bool = False) -> EditResult:
        result = EditResult(operation, atom_id, dry_run=dry_run)
        finish_interrupted_edit(self.store, self.root)  # a killed edit's files first
        writer = AtomicWrite(self.root, journal=os.path.join(os.path.dirname(self.store.path), JOURNAL))

        def work() -> Batch | None:
            self._states, self._rows = {}, {}
            target = result.before = self._current(atom_id, expected_version)
            plan = plan_of(target)
            changed = {p: t for p, t in plan.texts.items() if t != self._states[p].text}
            result.files = sorted(changed)
            result.diff = _diff(self._states, changed)
            parses = self._check(plan, changed, allow_errors)
            if dry_run or not changed:
                return None
            states = [self._states[p] for p in result.files]
            try:
                writer.write(states, changed)
                parsed = [self._parsed(p, changed[p], parses[p]) for p in result.files]
            except BaseException:
                writer.restore()
                raise
            return Batch(parsed=parsed)
        self.engine.client = self.client  # the transaction's summary names who edited
        try:
            result.delta = self.engine.apply_within(work, SOURCE)
        except FileRefused as exc:
            writer.restore()
            raise EditError(str(exc), "refused") from None
        except et.TextError as exc:
            writer.restore()
            raise EditError(str(exc)) from None
        except OSError as exc:  # a folder refusing the temporary file, a rename that failed
            writer.restore()
            where = os.path.relpath(os.path.dirname(exc.filename), self.root) if exc.filename else "?"
            raise EditError(f"the files could not be written ({exc.strerror or exc} in {where}/); "
                            "nothing was changed", "failed") from None
        except BaseException:
            writer.restore()
            raise
        writer.done()  # committed (or nothing to write): no journal to keep
        if result.delta is not None:
            log.info("%s: %s %s (transaction %d)", self.client, operation, atom_id,
                     result.delta.transaction_id)
        result.mentions = self._mentions(result) if operation == "rename" and result.delta else {}
        return result

    def _current(self, atom_id: str, expected_version: int | None) -> Atom:
        stored = self.store.atoms.get(atom_id)
        if stored is None:
            raise EditError(f"{atom_id} is no longer in the index (changed or removed since it "
                            "was read): look it up again", "conflict")
        if expected_version is not None and stored.version != expected_version:
            raise EditError(f"{atom_id} is at version {stored.version}, not {expected_version}: "
                            "it changed since it was read; read it again and redo the edit",
                            "conflict")
        if language_for(stored.atom.file_path) is None:
            raise EditError(f"{stored.atom.file_path} is not a file dgtui parses", "refused")
        return stored.atom

    @staticmethod
    def _definition(target: Atom) -> Atom:
        """``target`` if it has lines of its own to replace or delete (a module is the file)."""
        if target.end_line is None:
            raise EditError(f"{target.id} is the whole file: edit the definitions in it, or insert "
                            "after it to add one at the end", "refused")
        return target

    def _file(self, path: str) -> FileState:
        """The file as on disk, which must be what the index holds."""
        if path in self._states:
            return self._states[path]
        state = read_state(self.root, path)
        row = self.store.atoms.file_rows([path]).get(path)
        if row is None or row.content_hash != state.digest:
            raise EditError(f"{path} changed on disk since it was indexed (a save the index has "
                            "not taken in yet): read the atom again and redo the edit", "conflict")
        self._states[path], self._rows[path] = state, row
        return state

    def _subtree(self, target: Atom) -> set[str]:
        """The atom and the atoms nested in it (by their lines)."""
        return {s.atom.id for s in self.store.atoms.in_files([target.file_path])
                if s.atom.id == target.id or (s.atom.end_line is not None and target.end_line is not None
                                              and target.line <= s.atom.line <= s.atom.end_line <= target.end_line)}

    def _check(self, plan: _Plan, changed: dict[str, str], allow_errors: bool) -> dict[str, Extraction]:
        """Parse every changed file as it would be: no new error, no other atom changed. The
        file as it is is what the index holds (``_file`` checked): its atoms and errors are read
        from there, not parsed again."""
        parses = {}
        for path, text in changed.items():
            data = text.encode("utf-8")
            if len(data) > self.max_bytes or b"\0" in data:
                raise EditError(f"the edit would make {path} a file dgtui does not index (larger "
                                f"than {self.max_bytes} bytes, or with NUL bytes)", "refused")
            row = self._rows[path]
            before = [s.atom for s in self.store.atoms.in_files([path])]
            after = parses[path] = extract(data, path, load(language_for(path).name))
            if row.error_count and not allow_errors:
                raise EditError(f"{path} has {row.error_count} parse error(s) already ("
                                f"{'; '.join(row.errors[:2])}); fix them first, or allow "
                                "errors explicitly", "refused")
            if after.error_count > row.error_count:
                raise EditError(f"the edit leaves {path} with a syntax error: "
                                f"{'; '.join(after.errors[:3]) or 'unparsable'}; nothing was written")
            new_by_id = {a.id: a for a in after.atoms}
            old_ids = {a.id for a in before}
            for a in before:
                if a.id in plan.changeable:
                    continue
                b = new_by_id.get(a.id)
                if b is None or (b.body_hash, b.signature, b.kind) != (a.body_hash, a.signature, a.kind):
                    raise EditError(f"the edit would also change {a.id} (it shares lines with the "
                                    "edited code?); nothing was written")
            ranges = plan.new_ranges.get(path, [])
            for b in after.atoms:
                if b.id not in old_ids and not any(lo <= b.line <= hi for lo, hi in ranges):
                    raise EditError(f"the edit would add {b.id} outside the edited lines; nothing "
                                    "was written")
        return parses

    def _parsed(self, path: str, text: str, parse: Extraction) -> ParsedFile:
        """The written file as the engine takes it: the parse the check made, the stat of the
        file now on disk (the indexer would read the same bytes and find the same atoms)."""
        data = text.encode("utf-8")
        st = os.stat(os.path.join(self.root, path), follow_symlinks=False)
        return ParsedFile(path, language_for(path).name, len(data), st.st_mtime_ns, content_hash(data),
                          atoms=tuple(parse.atoms), rows=tuple(atom_row(a) for a in parse.atoms),
                          error_count=parse.error_count,
                          errors=tuple(parse.errors), line_count=parse.line_count)

    def _mentions(self, result: EditResult) -> dict[str, list[int]]:
        """Lines of the renamed files where the old name is still a word (not after a dot), but
        for the definitions of other atoms of that name."""
        old = result.atom.rpartition("::")[2].rpartition(".")[2].partition("#")[0]
        out = {}
        for path in result.files:
            try:
                text = read_state(self.root, path).text
            except FileRefused:
                continue
            other_defs = {s.atom.line for s in self.store.atoms.in_files([path]) if s.atom.name == old}
            found = [n for n in et.mentions(text, old) if n not in other_defs]
            if found:
                out[path] = found
        return out


def _diff(states: dict[str, FileState], changed: dict[str, str]) -> str:
    parts = []
    for path in sorted(changed):
        parts += difflib.unified_diff(states[path].text.splitlines(keepends=True),
                                      changed[path].splitlines(keepends=True),
                                      f"a/{path}", f"b/{path}")
    return "".join(p if p.endswith("\n") else p + "\n" for p in parts)
