"""One event of the log as a readable diff: what was created, deleted, or which fields changed."""

from __future__ import annotations

import json
from typing import Any

from textual.content import Content
from textual.widgets import Static

from ..query import broken_callers_note
from ..terminal_text import inert
from . import clock

_SHOWN_STATE = ("signature", "line", "end_line", "is_async", "is_exported", "complexity", "docstring")


def _value(v: Any) -> str:
    if isinstance(v, str):
        return inert(v if len(v) <= 200 else v[:199] + "…")
    text = json.dumps(v, ensure_ascii=False, default=str)
    return inert(text if len(text) <= 200 else text[:199] + "…")


def headline(event: dict[str, Any]) -> Content:
    stamp = clock.clock(event["time"])
    op_style = {"create": "bold $success", "delete": "bold $error"}.get(event["operation"], "bold $warning")
    return Content.assemble((event["operation"], op_style), " ", (inert(event["atom_id"]), "bold"),
                            (f"  tx {event['transaction_id']} · {event['source']} · {stamp}", "$text-muted"))


def change_lines(event: dict[str, Any], limit: int = 40) -> list[Content]:
    """The diff of an event: ``- old`` / ``+ new`` per changed field."""
    delta = event.get("delta") or {}
    lines: list[Content] = []
    if event.get("renamed_from"):
        lines.append(Content.styled(inert(f"renamed from {event['renamed_from']}"), "$text-muted"))
    if event.get("renamed_to"):
        lines.append(Content.styled(inert(f"renamed to {event['renamed_to']}"), "$text-muted"))
    if event.get("broken_callers"):
        callers = event["broken_callers"]
        lines.append(Content.styled(f"{broken_callers_note(len(callers))}: {inert(', '.join(callers[:8]))}"
                                    + (" …" if len(callers) > 8 else ""), "bold $warning"))
    if event.get("breaking"):
        lines.append(Content.styled(f"⚠ may break its callers: {event['breaking']}", "bold $warning"))
    if event["operation"] == "update":
        for name, pair in sorted((delta.get("changed") or {}).items()):
            old, new = pair
            if name == "body_hash":
                lines.append(Content.styled("body: changed", "$text-muted"))
                continue
            if name == "calls":
                before = {c[0] for c in old or []}
                after = {c[0] for c in new or []}
                if before == after:
                    lines.append(Content.styled("calls: moved within the body", "$text-muted"))
                    continue
                for c in sorted(before - after):
                    lines.append(Content.styled(inert(f"- calls {c}"), "$error"))
                for c in sorted(after - before):
                    lines.append(Content.styled(inert(f"+ calls {c}"), "$success"))
                continue
            lines.append(Content.styled(f"{name}:", "bold"))
            lines.append(Content.styled(f"  - {_value(old)}", "$error"))
            lines.append(Content.styled(f"  + {_value(new)}", "$success"))
    else:
        state = delta.get("atom") or {}
        sign, style = ("+", "$success") if event["operation"] == "create" else ("-", "$error")
        where = inert(f"{state.get('file_path', event.get('file_path'))}:{state.get('line', '?')}")
        lines.append(Content.styled(f"{sign} {where}", style))
        for name in _SHOWN_STATE:
            value = state.get(name)
            if value not in (None, "", False) and name not in ("line",):
                lines.append(Content.styled(f"{sign} {name}: {_value(value)}", style))
        if event["operation"] == "delete":
            lines.append(Content.styled("Enter shows what it was.", "$text-muted"))
    return lines[:limit]


class ChangeView(Static):
    """The selected event's diff (under the timeline)."""

    def show(self, event: dict[str, Any] | None) -> None:
        if event is None:
            self.update(Content.styled("Move through the log to see what each change did.",
                                       "$text-disabled"))
            return
        self.update(Content("\n").join([headline(event), *change_lines(event)]))
