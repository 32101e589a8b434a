"""The MCP tools an agent asks for its own review: ``review_changes`` and
``impact_of_changes``, the answers of ``dgtui diff`` shaped for a model (``query.review_report``).
"""

from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field

from ..query import Store

if TYPE_CHECKING:
    from .server import IndexService

Limit = Annotated[int, Field(ge=1, le=1000, description="At most this many results.")]
Point = Annotated[str | None, Field(max_length=200, description=(
    "What to compare with: a git revision (HEAD, main, a commit hash, HEAD~2), an edit "
    "session (s42, or 'last'), a transaction number (the 'version' of an earlier answer), "
    "or a time (an age like 30m, 2h, or ISO 8601). Default: HEAD in a git repository, "
    "else the latest edit session."))]


def register_review_tools(tool, service: "IndexService") -> None:
    """Add the two tools to a server (``tool`` is its decorator)."""

    def review_of(store: Store, since: str | None):
        from ..engine.patterns import rules_for
        from ..query.review import review_any

        return review_any(store, service.root, since, ignored=rules_for(service.root, store).is_ignored)

    @tool(structured_output=False)
    def review_changes(since: Point = None,
                       detail: Annotated[bool, Field(description=(
                           "List the tests reaching each atom by id, not only their number."))] = False,
                       limit: Limit = 50) -> str:
        """Your own review, function by function: the atoms created, changed (which aspects:
        body, signature, docstring, flags), renamed, moved and deleted since a git revision or
        a point of the event log; each with its signature change (compatible or breaking), the
        callers it puts at risk and how many tests reach it. Atoms that need attention come
        first. Read-only. Call it before saying your work is done."""
        from ..query import review_report

        def work(store: Store) -> dict[str, Any]:
            return review_report.brief(review_of(store, since), detail=detail, limit=limit)
        return service.answer(work)

    @tool(structured_output=False)
    def impact_of_changes(since: Point = None, limit: Limit = 100) -> str:
        """What your changes since a point may break: breaking signature changes with their
        callers, callers that now call nothing (a function deleted or renamed under them), the
        tests to run (every test that reaches a changed function, with their files) and the
        changed functions no test reaches. Read-only."""
        from ..query import review_report

        def work(store: Store) -> dict[str, Any]:
            return review_report.impact_brief(review_of(store, since), limit=limit)
        return service.answer(work)
