"""The MCP edit tools: replace, insert, delete and rename atoms through dgtui (``engine.edit``).

Registered by ``build_server`` unless the server runs ``--read-only``. Each tool resolves the
atom as the read tools do, makes the edit (checked, written and indexed in one ``atomic-edit``
transaction, logged with the client's name), then answers from a read taken after the commit:
what changed and what it may break (``edit_report``). A refused edit is an error result whose
first word says why: ``conflict`` (read the atom again, redo the edit), ``invalid`` (fix the
source) or ``refused``; nothing was written.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Annotated, Literal

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from .. import query as q
from ..engine.edit import EditError, Editor, EditResult
from ..engine.writer import open_for_writing
from ..query import DatabaseError, StoreError, describe_error
from .edit_report import edit_report

log = logging.getLogger(__name__)
MAX_SOURCE = 1_000_000

Ref = Annotated[str, Field(min_length=1, max_length=4096, description=(
    "The atom: an id (path::Qualified.name, as get_atom and search_atoms return), a qualified "
    "name or a name."))]
Version = Annotated[int, Field(ge=0, le=2**63 - 1, description=(
    "The atom's 'version' as get_atom returned it: the edit is refused as a conflict if the "
    "atom changed since."))]
Source = Annotated[str, Field(min_length=1, max_length=MAX_SOURCE, description=(
    "The whole definition (header and body), at any indentation: it is re-indented to where it "
    "goes. Decorators at its start replace the old ones; without them the old ones stay."))]
DryRun = Annotated[bool, Field(description="Check the edit and return its diff; write nothing.")]
AllowErrors = Annotated[bool, Field(description=(
    "Edit a file that already has parse errors (refused by default). The edit itself may still "
    "add none."))]


class EditService:
    """One writing connection and editor for the server's edit tools, used one edit at a time."""

    def __init__(self, service):
        self.service = service
        self._lock = threading.Lock()
        self._editor: Editor | None = None

    def run(self, ctx: Context | None, ref: str, edit: Callable[[Editor, str], EditResult]) -> str:
        from .server import _client_name

        found: dict[str, str] = {}

        def resolve(store) -> dict:
            found["id"] = q.resolve_atom(store, ref).id
            return {}
        self.service.answer(resolve)  # errors as the read tools say them (ambiguous, missing)
        client = _client_name(ctx)
        try:
            with self._lock:
                editor = self._editor_for(client)
                result = edit(editor, found["id"])
        except EditError as exc:
            raise ToolError(f"{exc.kind}: {exc}") from None
        except (StoreError, OSError) as exc:
            raise ToolError(f"the edit failed and nothing was changed: {exc}") from None
        except DatabaseError as exc:
            raise ToolError(describe_error(exc, self.service.paths.index_db)) from None
        return self.service.answer(lambda store: edit_report(store, result))

    def _editor_for(self, client: str) -> Editor:
        if self._editor is None:
            store = open_for_writing(self.service.paths.index_db, self.service.root)
            self._editor = Editor(self.service.root, store)
        self._editor.client = client
        return self._editor

    def close(self) -> None:
        with self._lock:
            if self._editor is not None:
                self._editor.store.close()
                self._editor = None


def register_edit_tools(server: MCPServer, service) -> EditService:
    edits = EditService(service)
    tool = server.tool

    @tool(structured_output=False)
    def replace_atom_body(atom: Ref, new_source: Source, expected_version: Version,
                          dry_run: DryRun = False, allow_parse_errors: AllowErrors = False,
                          ctx: Context | None = None) -> str:
        """Replace an atom's definition (a function, method or class) in its file, checked and
        indexed in one transaction: refused if the file or atom changed since you read it, or if
        the result does not parse. Answers the new versions, the transaction, the signature
        change (compatible or breaking) and the callers it may break."""
        return edits.run(ctx, atom, lambda e, atom_id: e.replace(
            atom_id, new_source, expected_version, dry_run=dry_run, allow_errors=allow_parse_errors))

    @tool(structured_output=False)
    def insert_atom(where: Literal["after", "before"], atom: Ref, source: Source,
                    dry_run: DryRun = False, allow_parse_errors: AllowErrors = False,
                    ctx: Context | None = None) -> str:
        """Insert a new definition next to an atom (its sibling, at its indentation; after
        '<module>' appends it to the file). Answers the atoms created."""
        return edits.run(ctx, atom, lambda e, atom_id: e.insert(
            atom_id, source, where, dry_run=dry_run, allow_errors=allow_parse_errors))

    @tool(structured_output=False)
    def delete_atom(atom: Ref, expected_version: Version, dry_run: DryRun = False,
                    allow_parse_errors: AllowErrors = False, ctx: Context | None = None) -> str:
        """Delete an atom's definition (with its decorators). Answers the callers left calling
        nothing."""
        return edits.run(ctx, atom, lambda e, atom_id: e.delete(
            atom_id, expected_version, dry_run=dry_run, allow_errors=allow_parse_errors))

    @tool(structured_output=False)
    def rename_atom(atom: Ref, new_name: Annotated[str, Field(min_length=1, max_length=200)],
                    expected_version: Version,
                    update_callers: Annotated[bool, Field(description=(
                        "Also rewrite every call whose edge resolves to the atom, and the imports "
                        "of it, in the same transaction; calls of the same name that are "
                        "ambiguous, unresolved or guessed by name are listed, not touched."))] = True,
                    dry_run: DryRun = False, allow_parse_errors: AllowErrors = False,
                    ctx: Context | None = None) -> str:
        """Rename an atom, and (update_callers) its resolved call sites and imports across
        files, in one transaction. Answers the call sites rewritten and those left, and lines
        where the old name still appears (a value, a string)."""
        return edits.run(ctx, atom, lambda e, atom_id: e.rename(
            atom_id, new_name, expected_version, update_callers, dry_run=dry_run,
            allow_errors=allow_parse_errors))

    return edits
