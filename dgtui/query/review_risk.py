"""What a reviewed change may break, read from the index: callers left calling nothing, callers
of a breaking signature, and the tests that reach each changed atom.

A caller "calls nothing now" only when the resolver says so: its call resolved to the removed
atom in the code as it was (resolved again here over the files involved, as they were, with
the engine's own resolver) and has no target in the index now. A call that reached it by name
alone (``unique``) is not taken as proof. Callers of a breaking signature are the index's
resolved callers; one found by name alone says so.
"""

from __future__ import annotations

from dataclasses import replace

from ..graph.resolve import Resolver
from ..graph.symbols import SymbolTable
from ..model import Atom, SymbolInfo
from ..store import Store
from .review import CALLS_NOTHING, AtomReview, CallerAtRisk, CoveringTest, is_test_id

#: Resolutions that are facts of the code, not guesses by name.
PROVEN = ("self", "local", "import", "typed")
#: What a call whose target went away resolves to now (not a builtin, not another module's).
UNKNOWN = ("ambiguous", "unresolved")


class Risks:
    """Answers for one review; caches the callers it reads (reviews ask about neighbours)."""

    def __init__(self, store: Store, old: list[Atom], new: list[Atom], test_depth: int):
        self.store = store
        self.old = {a.id: a for a in old}
        self.new_ids = {a.id for a in new}
        self.test_depth = test_depth
        self._callers: dict[str, list[tuple[str, str]]] = {}
        self._left: dict[str, list[str]] | None = None

    def assess(self, row: AtomReview, changed: set[str]) -> AtomReview:
        at_risk: list[CallerAtRisk] = []
        if row.change in ("deleted", "renamed", "moved"):
            gone = row.id if row.change == "deleted" else row.old_id
            for caller in self.left_calling_nothing().get(gone or "", []):
                at_risk.append(CallerAtRisk(caller, _path(caller), CALLS_NOTHING, caller in changed))
        if row.signature_change == "breaking" and row.change != "deleted":
            self._fill([row.id])
            for caller, resolution in self._callers.get(row.id, []):
                if caller == row.id or any(c.id == caller for c in at_risk):
                    continue
                why = f"may break: {row.signature_note}"
                if resolution not in PROVEN:
                    why += " (a call found by name)"
                at_risk.append(CallerAtRisk(caller, _path(caller), why, caller in changed))
        starts = [c.id for c in at_risk] if row.change == "deleted" else [row.id]
        tests = () if is_test_id(row.id) else self.tests_reaching(starts)
        return replace(row, callers_at_risk=tuple(sorted(at_risk, key=lambda c: c.id)), tests=tests)

    # -- callers left calling nothing ------------------------------------------------------
    def left_calling_nothing(self) -> dict[str, list[str]]:
        """Removed atom id (deleted, or renamed away) -> callers that called it and now call
        nothing."""
        if self._left is None:
            self._left = self._find_left()
        return self._left

    def _find_left(self) -> dict[str, list[str]]:
        gone = {i: a for i, a in self.old.items() if i not in self.new_ids and a.kind != "module"}
        if not gone:
            return {}
        names = sorted({a.name for a in gone.values()})
        # Callers now: calls of those names with no target (or a target that is gone).
        now = [e for _, e in self.store.atoms.edges_named(names)
               if e.target_id in gone or e.target_id is None and e.resolution in UNKNOWN]
        callers = {e.source_id for e in now}
        if not callers:
            return {}
        table = self._table_as_it_was({_path(c) for c in callers} | {a.file_path for a in gone.values()})
        resolver = Resolver(table)
        stored = {i: s.atom for i, s in self.store.atoms.get_many(sorted(callers)).items()}
        out: dict[str, list[str]] = {}
        for caller in sorted(callers):
            before = self.old.get(caller) or (stored.get(caller) if caller not in self.new_ids else None)
            if before is None or caller not in stored:  # new since, or gone itself
                continue
            for edge in resolver.edges_for(before, before.calls):
                if edge.target_id in gone and edge.resolution in PROVEN:
                    out.setdefault(edge.target_id, [])
                    if caller not in out[edge.target_id]:
                        out[edge.target_id].append(caller)
        return out

    def _table_as_it_was(self, paths: set[str]) -> SymbolTable:
        """The symbols of ``paths`` as they were: the reviewed old atoms, and the stored atoms
        the review did not touch."""
        touched = set(self.old) | self.new_ids
        table = SymbolTable()
        for a in self.old.values():
            table.add(SymbolInfo.of(a))
        for info in self.store.atoms.symbol_infos(sorted(paths)):
            if info.id not in touched:
                table.add(info)
        return table

    # -- tests -----------------------------------------------------------------------------
    def tests_reaching(self, starts: list[str]) -> tuple[CoveringTest, ...]:
        """The tests among the transitive callers of ``starts`` (breadth first)."""
        seen = set(starts)
        frontier = list(starts)
        found: dict[str, int] = {}
        for depth in range(1, self.test_depth + 1):
            if not frontier:
                break
            self._fill(frontier)
            nxt = []
            for node in frontier:
                for caller, _resolution in self._callers.get(node, []):
                    if caller in seen:
                        continue
                    seen.add(caller)
                    if is_test_id(caller):
                        found[caller] = depth  # a test's own callers are not followed
                    else:
                        nxt.append(caller)
            frontier = nxt
        return tuple(CoveringTest(t, _path(t), d) for t, d in sorted(found.items(), key=lambda x: (x[1], x[0])))

    def _fill(self, ids: list[str]) -> None:
        missing = [i for i in ids if i not in self._callers]
        if not missing:
            return
        for i in missing:
            self._callers[i] = []
        for source, target, resolution in self.store.atoms.caller_pairs(missing):
            self._callers[target].append((source, resolution))


def _path(atom_id: str) -> str:
    return atom_id.partition("::")[0]
