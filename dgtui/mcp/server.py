"""The repository's index served to AI agents over MCP (stdio), kept live while it runs.

Tools answer from ``dgtui.query`` (the one place that answers questions) through one read
connection, each inside a read transaction so that an answer is one commit's view; a
``LiveIndex`` keeps the index in step with the disk (as the writer, or as a reader following
another dgtui process that writes). Answers are compact JSON: atom ids (``path::Qualified.name``)
can be passed back to any tool, and ``version`` is the last transaction the answer reflects. A
bad argument is an error result (``isError``) whose message says what to change: the MCP
specification reports input errors that way so that the model can correct itself.

Standard output is the protocol channel: nothing here prints (logs go to standard error), and
the SDK points file descriptor 1 at standard error while it serves, so a stray print in a
library or a parse worker cannot corrupt the stream. This module imports the optional ``mcp``
package; ``dgtui mcp`` checks that it is installed first.
"""

import contextlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from typing import Annotated, Any, Literal

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from pydantic import Field, ValidationError

from .. import __version__
from .. import query as q
from ..chat.brain import MAX_INSIGHT_TEXT, InsightStatus, ProjectBrain
from ..engine.live import LiveIndex
from ..model import CONFIDENCES, INSIGHT_KINDS, UNRESOLVED_KINDS, AtomFilter, EventFilter
from ..paths import PathError, RepoPaths, default_user, validate_id
from ..query import DatabaseError, Store, StoreError, describe_error, open_index, snapshot
from ..query.search_syntax import KINDS, path_glob
from .review_tools import register_review_tools

log = logging.getLogger(__name__)
READY_SECONDS = 30.0  # how long a tool waits for the index to be reconciled before answering
CHUNK_FILES = 500  # a first index commits this often, so partial answers are possible
MAX_ROWS = 1000
# The limits of the arguments (docs/mcp.md, "Limits"): checked by the SDK
# against the tool's schema before a tool runs, so a client reads the reason in the error.
MAX_INT = 2**63 - 1  # SQLite integers are 64-bit; Python's are not
MAX_REF = 4096  # an atom id: a path and a qualified name
MAX_ITEMS = 100  # atoms or files one insight is about

AtomRef = Annotated[str, Field(min_length=1, max_length=MAX_REF, description=(
    "An atom id (path::Qualified.name, as other tools return), a qualified name (User.save) "
    "or a name (save); a name that matches several atoms is an error listing their ids."))]
Depth = Annotated[int, Field(ge=1, le=50, description="How many calls to follow (1 = direct).")]
Limit = Annotated[int, Field(ge=1, le=MAX_ROWS, description="At most this many results.")]
Glob = Annotated[str | None, Field(max_length=q.MAX_PATTERN, description=(
    "Only files matching this glob, e.g. 'pkg/*.py'; words without a wildcard match anywhere "
    "in the path ('models' is '*models*')."))]
Kind = Annotated[Literal[KINDS] | None, Field(description="Only atoms of this kind.")]  # type: ignore[valid-type]


def files(glob: str | None) -> str | None:
    """A ``file_glob`` argument read as the CLI and the explorer read a file filter."""
    return path_glob(glob) if glob else None


class IndexService:
    """A live index of one repository and a read connection the tools share."""

    def __init__(self, root: str, home: str | None = None, *, watch: bool = True,
                 force_polling: bool = False, ready_seconds: float = READY_SECONDS):
        self.root = root
        self.paths = RepoPaths.for_root(root, home)
        self.live = LiveIndex(root, home, watch=watch, chunk_files=CHUNK_FILES,
                              force_polling=force_polling)
        self.ready_seconds = ready_seconds
        self._lock = threading.Lock()  # one sqlite connection, tools on several worker threads
        self._store: Store | None = None

    def start(self) -> None:
        self.live.start()

    def stop(self) -> None:
        self.live.stop()
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None

    @contextlib.contextmanager
    def reading(self) -> Iterator[tuple[Store, int]]:
        """The index inside one read transaction, with its version."""
        with self._lock:
            if self._store is None:  # query_only: only the engine writes the index
                self._store = open_index(self.paths.index_db, self.root)
            with snapshot(self._store) as version:
                yield self._store, version

    def answer(self, work: Callable[[Store], dict[str, Any]]) -> str:
        """Run ``work`` on the index and return its result as compact JSON, or raise a
        ``ToolError`` whose message the agent can act on."""
        note = self._wait()
        try:
            with self.reading() as (store, version):
                payload = work(store)
        except q.AmbiguousAtom as exc:
            ids = ", ".join(c.id for c in exc.candidates[:20])
            raise ToolError(f"{exc.ref!r} matches {len(exc.candidates)} atoms: {ids}; call again "
                            "with one of these ids") from None
        except q.NoSuchAtom as exc:
            raise ToolError(f"{exc}; call search_atoms with text={exc.ref!r} (or part of the "
                            "name) to find the atom's id, then call again with it") from None
        except (q.QueryError, PathError, StoreError) as exc:
            raise ToolError(str(exc)) from None
        except DatabaseError as exc:
            raise ToolError(describe_error(exc, self.paths.index_db)) from None
        except OverflowError:  # a number past what SQLite holds, from a path the schema missed
            raise ToolError(f"a number is out of range: at most {MAX_INT}") from None
        except Exception as exc:  # a bug: the client gets the reason, stderr one line, no traceback
            log.error("internal error in a tool: %s: %s", type(exc).__name__, exc)
            raise ToolError(f"internal error: {type(exc).__name__}: {exc}") from None
        reply = {"version": version, **payload}
        if note:
            reply["note"] = note
        return compact(reply)

    def _wait(self) -> str | None:
        """Wait for the reconcile at start; a note when answers may still be partial."""
        ready = self.live.ready.wait(self.ready_seconds)
        status = self.live.status
        if status.state == "error":
            raise ToolError(f"the live index of {self.root} failed: "
                            f"{status.errors[-1] if status.errors else 'unknown error'}")
        if ready:
            return None
        done, total = status.progress
        if not os.path.exists(self.paths.index_db):
            raise ToolError(f"the index of {self.root} is being built ({done}/{total} files); "
                            "call index_status to follow it, and call this tool again when its "
                            "state is 'watching'")
        return f"the index is still being built ({done}/{total} files): results may be partial"

    def status(self) -> dict[str, Any]:
        s = self.live.status
        return {"root": self.root, "state": s.state, "role": s.role,
                "progress": list(s.progress), "pending": s.pending,
                "last_transaction": s.last_transaction, "errors": s.errors[-5:]}


def compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def brief(row: dict[str, Any], *extra: str) -> dict[str, Any]:
    """An atom row cut to what an agent needs to decide whether to look closer."""
    out = {k: row.get(k) for k in ("id", "kind", "line", "end_line", "signature", *extra)}
    if row.get("is_async"):
        out["async"] = True
    return {k: v for k, v in out.items() if v not in (None, "", [], ())}


def walk_rows(rows: list[dict[str, Any]], limit: int) -> dict[str, Any]:
    """Callers/callees rows: atoms with how they are reached; calls with no single target."""
    out = []
    for r in rows[:limit]:
        if r.get("id") is None:  # an unresolved or ambiguous call
            out.append({k: v for k, v in (("callee", r["callee"]), ("resolution", r["resolution"]),
                                          ("line", r["line"]), ("candidates", r["candidates"]),
                                          ("from", r["via"]), ("depth", r["depth"])) if v})
        else:
            row = brief(r, "depth", "resolution")
            row["call_line"] = r.get("call_line")
            if r["depth"] > 1:
                row["via"] = r.get("via")
            out.append(row)
    return {"count": len(rows), "results": out, "truncated": len(rows) > limit}


def event_brief(e: dict[str, Any]) -> dict[str, Any]:
    row = {"tx": e["transaction_id"], "time": _iso(e["time"]), "source": e["source"],
           "op": e["operation"], "atom": e["atom_id"], "file": e["file_path"],
           "changed": e["changed"], "renamed_from": e["renamed_from"],
           "renamed_to": e["renamed_to"]}
    return {k: v for k, v in row.items() if v not in (None, [], "")}


def insight_brief(status: InsightStatus) -> dict[str, Any]:
    i = status.insight
    row = {"id": i.id, "kind": i.kind, "text": i.text, "confidence": i.confidence,
           "author": i.author, "provenance": i.provenance, "tool": i.tool,
           "created": _iso(i.created_at), "graph_version": i.graph_version,
           "atoms": i.atom_ids, "files": list(i.files), "stale": status.stale,
           "status": status.summary()}
    return {k: v for k, v in row.items() if v not in (None, [], "")}


def _client_name(ctx: Context | None) -> str:
    """The MCP client's own name (``claude-code``...), to say which tool added an insight."""
    try:
        name = ctx.session.client_params.client_info.name  # type: ignore[union-attr]
    except AttributeError:
        return "mcp"
    return f"mcp:{name}" if name else "mcp"


def _iso(when: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(when))


class DgtuiServer(MCPServer):
    """The SDK's server, with arguments that fail validation said in one sentence: the SDK
    passes pydantic's report on (several lines, the model's name, a link to pydantic's docs).
    The client that calls a tool is named to ``on_client`` (the live index records it in the
    transactions it writes: edit sessions say whose edits they were)."""

    on_client: Callable[[str], None] | None = None

    async def call_tool(self, name: str, arguments: dict[str, Any], context: Context | None = None):
        if self.on_client is not None and context is not None:
            client = _client_name(context)
            if client != "mcp":
                self.on_client(client)
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            cause = exc.__cause__
            if isinstance(cause, ValidationError) and not isinstance(exc, UnexpectedToolError):
                raise ToolError(bad_arguments(name, cause)) from cause
            raise


def bad_arguments(tool: str, error: ValidationError) -> str:
    """``Bad argument for callers: depth should be greater than or equal to 1 (got 0).``"""
    said = []
    for e in error.errors():
        field = ".".join(str(part) for part in e["loc"]) or "the arguments"
        message = e["msg"]
        if e["type"] == "missing":
            said.append(f"{field} is required")
            continue
        if message.startswith("Input should"):
            message = field + message.removeprefix("Input")
        else:
            message = f"{field}: {message[:1].lower()}{message[1:]}"
        said.append(f"{message} (got {json.dumps(e.get('input'), default=str)[:60]})")
    return f"Bad argument{'s' if len(said) > 1 else ''} for {tool}: {'; '.join(said)}."


def build_server(service: IndexService, *, read_only: bool = False) -> MCPServer:
    """The MCP server and its tools, answering from ``service``; with the edit tools
    (``edit_tools.py``) unless ``read_only``."""
    closing: list[Callable[[], None]] = []

    @contextlib.asynccontextmanager
    async def lifespan(_server: MCPServer):
        service.start()
        try:
            yield {}
        finally:
            for close in closing:
                await anyio.to_thread.run_sync(close)
            await anyio.to_thread.run_sync(service.stop)

    server = DgtuiServer(
        name="dgtui", version=__version__, lifespan=lifespan, log_level="WARNING",
        instructions=(
            f"The functions ('atoms') of the repository at {service.root} and the calls between "
            "them, kept live while files change. Atom ids look like path::Qualified.name and can "
            "be passed back to any tool. 'version' in each answer is the index's last "
            "transaction; recent_changes(since_transaction=version) lists what changed since."))
    server.on_client = service.live.set_client
    tool = server.tool

    @tool(structured_output=False)
    def search_atoms(text: Annotated[str, Field(min_length=1, max_length=q.MAX_PATTERN,
                                                description="Words to look for.")],
                     kind: Kind = None, file_glob: Glob = None, limit: Limit = 20) -> str:
        """Full-text search over atom names, qualified names, signatures, docstrings and paths
        (prefix matching, best first)."""
        def work(store: Store) -> dict[str, Any]:
            rows = q.search(store, text, AtomFilter(kind=kind, file_glob=files(file_glob)), limit=limit)
            return {"count": len(rows), "results": [brief(r) for r in rows]}
        return service.answer(work)

    @tool(structured_output=False)
    def get_atom(atom: AtomRef, source: bool = True,
                 max_lines: Annotated[int, Field(ge=1, le=2000)] = 200,
                 neighbours: Annotated[int, Field(ge=0, le=MAX_ROWS, description=(
                     "At most this many direct calls and callers each (all are counted)."))] = 50) -> str:
        """One atom: its fields, direct calls and callers, and its source as it is on disk now."""
        def work(store: Store) -> dict[str, Any]:
            stored = q.resolve_atom(store, atom)
            row = q.atom_dict(stored)
            data = {k: row[k] for k in ("id", "name", "qualified_name", "kind", "file_path",
                                        "line", "end_line", "signature", "params", "is_async",
                                        "is_exported", "complexity", "docstring", "version")}
            calls = walk_rows(q.callees(store, stored.id, 1), neighbours)
            called_by = walk_rows(q.callers(store, stored.id, 1), neighbours)
            out = {"atom": {k: v for k, v in data.items() if v not in (None, "", [])},
                   "calls": calls["results"], "calls_count": calls["count"],
                   "callers": called_by["results"], "callers_count": called_by["count"]}
            if source:
                start, lines = q.source_lines(service.root, stored, max_lines=max_lines + 1)
                out["source"] = {"start_line": start, "text": "\n".join(lines[:max_lines]),
                                 "truncated": len(lines) > max_lines}
            return out
        return service.answer(work)

    @tool(structured_output=False)
    def callers(atom: AtomRef, depth: Depth = 1, limit: Limit = 200) -> str:
        """Atoms that call ATOM, breadth first to DEPTH, each with how it calls (resolution,
        call line) and, beyond depth 1, the atom it calls on the way ('via')."""
        def work(store: Store) -> dict[str, Any]:
            stored = q.resolve_atom(store, atom)
            return {"atom": stored.id, **walk_rows(q.callers(store, stored.id, depth), limit)}
        return service.answer(work)

    @tool(structured_output=False)
    def callees(atom: AtomRef, depth: Depth = 1, include_unresolved: bool = True,
                limit: Limit = 200) -> str:
        """What ATOM calls, to DEPTH; unresolved and ambiguous calls are listed as calls with
        no target (callee text, resolution, candidate count)."""
        def work(store: Store) -> dict[str, Any]:
            stored = q.resolve_atom(store, atom)
            rows = q.callees(store, stored.id, depth, include_unresolved=include_unresolved)
            return {"atom": stored.id, **walk_rows(rows, limit)}
        return service.answer(work)

    @tool(structured_output=False)
    def impact(atom: AtomRef, max_depth: Annotated[int, Field(ge=1, le=100)] = 20,
               limit: Limit = 200) -> str:
        """What changing ATOM may affect: every atom that calls it directly or transitively
        (with its distance), the files they are in, and the tests among them. Only calls with
        a target are followed; unfollowed_calls counts the ambiguous or unresolved calls of the
        same names that might reach these atoms too."""
        def work(store: Store) -> dict[str, Any]:
            stored = q.resolve_atom(store, atom)
            found = q.impact(store, stored.id, max_depth)
            rows = found["callers"]
            return {"atom": stored.id, "count": len(rows), "files": found["files"],
                    "tests": q.ids(found["tests"]), "max_depth": found["max_depth"],
                    "unfollowed_calls": found["unfollowed"],
                    "callers": [brief(r, "depth") for r in rows[:limit]],
                    "truncated": len(rows) > limit}
        return service.answer(work)

    @tool(structured_output=False)
    def query_atoms(kind: Kind = None, is_async: bool | None = None,
                    calls: Annotated[str | None, Field(max_length=MAX_REF, description=(
                        "Atoms that call this name or id."))] = None,
                    called_by: Annotated[str | None, Field(max_length=MAX_REF, description=(
                        "Atoms called by this name or id."))] = None,
                    file_glob: Glob = None,
                    name_glob: Annotated[str | None, Field(max_length=q.MAX_PATTERN, description=(
                        "Names matching this glob, e.g. 'save*'."))] = None,
                    exported: bool | None = None,
                    unresolved: Annotated[bool, Field(description="Only atoms with unresolved or ambiguous calls.")] = False,
                    min_complexity: Annotated[int | None, Field(ge=1, le=MAX_INT)] = None,
                    limit: Limit = 100) -> str:
        """Atoms matching every filter given (the filters of `dgtui query`), by file and line."""
        def work(store: Store) -> dict[str, Any]:
            f = AtomFilter(kind=kind, is_async=is_async, exported=exported, file_glob=files(file_glob),
                           name_glob=name_glob, calls=calls, called_by=called_by,
                           unresolved=unresolved, min_complexity=min_complexity)
            rows = q.query(store, f, limit=limit + 1)
            return {"count": min(len(rows), limit), "truncated": len(rows) > limit,
                    "results": [brief(r, "complexity") for r in rows[:limit]]}
        return service.answer(work)

    @tool(structured_output=False)
    def recent_changes(since: Annotated[str | None, Field(max_length=100, description=(
                           "A time: ISO 8601 (2026-11-21T10:00, 0001-01-01 to 9999-12-31), unix "
                           "seconds, or an age like 10m, 2h, 3d; or an edit session: s42, or "
                           "'last' (from its start)."))] = None,
                       since_transaction: Annotated[int | None, Field(ge=0, le=MAX_INT, description=(
                           "Only changes after this transaction (a 'version' from an earlier answer)."))] = None,
                       file_glob: Glob = None,
                       atom: Annotated[str | None, Field(max_length=MAX_REF, description=(
                           "Only this atom id."))] = None,
                       source: Annotated[str | None, Field(max_length=100, description=(
                           "index, reconcile, file-watcher, atomic-edit, mcp, user or import."))] = None,
                       limit: Limit = 100) -> str:
        """Atom-level changes (create, update with the fields changed, delete, renames), newest
        first, since a time or a transaction."""
        def work(store: Store) -> dict[str, Any]:
            session = bool(since) and q.is_session_ref(since)
            after = q.since_point(store, since).after_tx if session else None
            if after is not None and since_transaction is not None:
                after = max(after, since_transaction)
            f = EventFilter(since=q.parse_time(since) if since and not session else None,
                            since_transaction=after if session else since_transaction,
                            file_glob=files(file_glob), atom=atom, source=source, limit=limit + 1)
            rows = q.events(store, f)
            return {"count": min(len(rows), limit), "truncated": len(rows) > limit,
                    "events": [event_brief(e) for e in rows[:limit]]}
        return service.answer(work)

    register_review_tools(tool, service)

    @tool(structured_output=False)
    def unresolved_calls(file_glob: Glob = None, limit: Limit = 200,
                         include_known: Annotated[bool, Field(description=(
                             "Also calls known to leave the repository: builtin and external "
                             "(with the module)."))] = False) -> str:
        """Calls no one atom can be named for: 'ambiguous' (with the candidate ids) and
        'unresolved' (nothing in the code says what it is: a value of unknown type, a dynamic
        call). Builtin and external calls are known, listed with include_known."""
        def work(store: Store) -> dict[str, Any]:
            kinds = UNRESOLVED_KINDS if include_known else q.UNKNOWN_KINDS
            rows = q.unresolved(store, files(file_glob), limit + 1, kinds)
            return {"count": min(len(rows), limit), "truncated": len(rows) > limit,
                    "results": [{k: v for k, v in r.items() if k != "short_name"}
                                for r in rows[:limit]]}
        return service.answer(work)

    @tool(structured_output=False)
    def brain_insights(kind: Literal[INSIGHT_KINDS] | None = None,  # type: ignore[valid-type]
                       atom: Annotated[str | None, Field(max_length=MAX_REF, description=(
                           "Only insights about this atom id."))] = None,
                       stale_only: Annotated[bool, Field(description=(
                           "Only insights one of whose atoms changed or vanished since."))] = False,
                       limit: Limit = 100) -> str:
        """The project brain: insights people and agents recorded about this repository
        (architecture, decisions, patterns, risks, context), each marked current or stale
        (an atom it is about changed or vanished since it was written)."""
        def work(store: Store) -> dict[str, Any]:
            brain = ProjectBrain.open(service.paths, store)
            try:
                found = brain.list(stale_only=stale_only, kind=kind, atom_id=atom)
            finally:
                brain.close()
            return {"count": len(found), "truncated": len(found) > limit,
                    "insights": [insight_brief(s) for s in found[:limit]]}
        return service.answer(work)

    @tool(structured_output=False)
    def add_insight(text: Annotated[str, Field(min_length=1, max_length=MAX_INSIGHT_TEXT, description=(
                        "The insight, in a sentence or two."))],
                    kind: Literal[INSIGHT_KINDS] = "context",  # type: ignore[valid-type]
                    atoms: Annotated[list[Annotated[str, Field(max_length=MAX_REF)]] | None, Field(
                        max_length=MAX_ITEMS, description=(
                            "Atom ids (or names) it is about; it turns stale when one changes."))] = None,
                    files: Annotated[list[Annotated[str, Field(max_length=MAX_REF)]] | None, Field(
                        max_length=MAX_ITEMS, description="Repository files it is about.")] = None,
                    confidence: Literal[CONFIDENCES] = "medium",  # type: ignore[valid-type]
                    author: Annotated[str | None, Field(max_length=128, description=(
                        "Who it is from: letters, digits and . _ @ + - (default: the user "
                        "running the server)."))] = None,
                    ctx: Context | None = None) -> str:
        """Record an insight in the project brain, shared by everyone who works on this
        repository; the brain's log records it with source 'mcp'."""
        tool_name = _client_name(ctx)
        about, paths = atoms or [], files or []

        def work(store: Store) -> dict[str, Any]:
            unknown = q.unindexed_files(store, paths)
            if unknown:
                raise q.QueryError(f"not indexed files of this repository: {', '.join(unknown)} "
                                   "(give paths relative to the repository root, as the file_path "
                                   "of get_atom's answer; search_atoms finds them)")
            who = validate_id(author, "author") if author else default_user()
            brain = ProjectBrain.open(service.paths, store)
            try:
                added = brain.add(kind, text, who, atoms=about, files=paths,
                                  confidence=confidence, provenance="tool", tool=tool_name,
                                  source="mcp")
                return {"insight": insight_brief(brain.status(added))}
            finally:
                brain.close()
        return service.answer(work)

    @tool(structured_output=False)
    def index_status() -> str:
        """The index: whether it is live (watching as the writer, or reading another dgtui's
        commits), its counts, and recent errors."""
        def work(store: Store) -> dict[str, Any]:
            counts = q.counts(store)
            # last_transaction from the snapshot the answer reads (its 'version'), not the live
            # index's count of commits since it started (0 after a reconcile with nothing new).
            return {**service.status(), "last_transaction": q.version(store), "files": counts["files"], "atoms": counts["atoms"],
                    "calls": counts["edges"], "calls_by_resolution": counts["edges_by_resolution"],
                    "skipped_files": counts["skipped"]}
        return service.answer(work)

    if not read_only:
        from .edit_tools import register_edit_tools

        closing.append(register_edit_tools(server, service).close)
    return server


def serve(root: str, home: str | None = None, *, force_polling: bool = False,
          read_only: bool = False) -> None:
    """Serve ``root``'s index over stdio until the client closes the connection."""
    build_server(IndexService(root, home, force_polling=force_polling),
                 read_only=read_only).run("stdio")

