"""A call subgraph (``query.subgraph``) as DOT, GraphML, Mermaid or node-link JSON.

Nodes carry the atom's attributes, edges the call's resolution, first line and call count; the
export's record (``output.export_meta``) goes where each format keeps such things: graph
attributes in GraphML and JSON, ``//`` comments in DOT, ``%%`` comments in Mermaid. GraphML and
JSON come from networkx's writers; DOT and Mermaid are written here, because networkx's DOT
writer needs pydot at run time and neither quotes for every renderer.
"""

from __future__ import annotations

import json
from typing import Any

import networkx as nx

from ..model import UNRESOLVED_PREFIX

FORMATS = ("dot", "graphml", "mermaid", "json")
EXTENSIONS = {".dot": "dot", ".gv": "dot", ".graphml": "graphml", ".mmd": "mermaid",
              ".mermaid": "mermaid", ".json": "json"}
NODE_FIELDS = ("name", "qualified_name", "kind", "file_path", "line", "end_line", "signature",
               "is_async", "is_exported", "complexity", "depth", "start", "candidates")
EDGE_FIELDS = ("resolution", "line", "callee", "calls", "candidates")


def to_networkx(sub: dict[str, Any], meta: dict[str, Any] | None = None) -> nx.DiGraph:
    """The subgraph as a DiGraph; attributes that are None (unknown) are left out."""
    g = nx.DiGraph()
    g.graph.update({k: v for k, v in (meta or {}).items() if v is not None})
    for node in sub["nodes"]:
        g.add_node(node["id"], **{f: node[f] for f in NODE_FIELDS if node.get(f) is not None})
    for edge in sub["edges"]:
        g.add_edge(edge["source"], edge["target"],
                   **{f: edge[f] for f in EDGE_FIELDS if edge.get(f) is not None})
    return g


def render(sub: dict[str, Any], fmt: str, meta: dict[str, Any] | None = None) -> str:
    """The subgraph as text in ``fmt`` (one of ``FORMATS``)."""
    g = to_networkx(sub, meta)
    if fmt == "json":
        data = nx.node_link_data(g, edges="edges")
        return json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"
    if fmt == "graphml":
        flat = nx.DiGraph(g)  # GraphML values are scalars: nested metadata becomes JSON text
        flat.graph = {k: v if isinstance(v, (str, int, float, bool)) else _compact(v)
                      for k, v in g.graph.items()}
        return "\n".join(nx.generate_graphml(flat, prettyprint=True)) + "\n"
    if fmt == "dot":
        return to_dot(g)
    if fmt == "mermaid":
        return to_mermaid(g)
    raise ValueError(f"unknown graph format {fmt!r}; use one of {', '.join(FORMATS)}")


def format_for(path: str | None, fmt: str | None) -> str:
    """``--format`` if given, else the output file's extension, else DOT."""
    if fmt:
        return fmt
    if path:
        import os

        return EXTENSIONS.get(os.path.splitext(path)[1].lower(), "dot")
    return "dot"


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def _headline(g: nx.DiGraph) -> str:
    m = g.graph
    what = m.get("title") or m.get("command") or "call graph"
    return (f"{what}: {g.number_of_nodes()} nodes, {g.number_of_edges()} edges, "
            f"graph version {m.get('graph_version')}")


def _one_line(text: str) -> str:
    return " ".join(str(text).splitlines())


# -- DOT -------------------------------------------------------------------------------------
def dot_quote(text: str) -> str:
    """A DOT double-quoted string. Values are escStrings: ``\\`` is written ``\\\\`` and a
    newline ``\\n``, so Graphviz shows them as they are; ``"`` is the one DOT escape."""
    return '"' + (str(text).replace("\\", "\\\\").replace('"', '\\"')
                  .replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")) + '"'


def _dot_value(value: Any) -> str:
    if isinstance(value, bool):
        return dot_quote("true" if value else "false")
    if isinstance(value, int):
        return str(value)
    return dot_quote(value)


def to_dot(g: nx.DiGraph) -> str:
    lines = [f"// dgtui {_one_line(_headline(g))}"]
    if g.graph:
        lines.append("// dgtui-export " + _compact(g.graph))
    lines += ["digraph dgtui {", "  graph [rankdir=LR];",
              '  node [shape=box, fontname="Helvetica", fontsize=10];',
              '  edge [fontname="Helvetica", fontsize=9];']
    for node, attrs in g.nodes(data=True):
        style = _dot_style(node, attrs)
        fields = [f"label={dot_quote(_label(node, attrs))}"] + style + [
            f"{_DOT_NAMES.get(k, k)}={_dot_value(v)}" for k, v in attrs.items()]
        lines.append(f"  {dot_quote(node)} [{', '.join(fields)}];")
    for source, target, attrs in g.edges(data=True):
        fields = [f"{k}={_dot_value(v)}" for k, v in attrs.items()]
        if attrs.get("resolution") in ("unresolved", "ambiguous"):
            fields.append("style=dashed")
        lines.append(f"  {dot_quote(source)} -> {dot_quote(target)} [{', '.join(fields)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


# ``name`` is the node's id to most DOT tools (pydot refuses it as an attribute).
_DOT_NAMES = {"name": "atom_name"}


def _dot_style(node: str, attrs: dict[str, Any]) -> list[str]:
    if node.startswith(UNRESOLVED_PREFIX):
        return ["style=dashed", 'color="gray40"']
    if attrs.get("start"):
        return ['style="bold,filled"', 'fillcolor="lightyellow"']
    return []


def _label(node: str, attrs: dict[str, Any]) -> str:
    """What a reader sees: the qualified name, then where it is (or why it has no place)."""
    name = attrs.get("qualified_name") or attrs.get("name") or node
    if node.startswith(UNRESOLVED_PREFIX):
        return f"{name}\n({attrs.get('kind', 'unresolved')})"
    return f"{name}\n{attrs.get('file_path', '')}:{attrs.get('line', '')}"


# -- Mermaid ---------------------------------------------------------------------------------
# Inside a quoted Mermaid label, '"' ends the label and '#...;' is an entity code; '<' '>' '&'
# are read as HTML when labels are HTML (the default), and a leading '`' starts a Markdown
# string. Each is written as a numeric entity code, which Mermaid turns back into the character.
_MERMAID_ENTITIES = {c: f"#{ord(c)};" for c in '"#<>&`'}


def mermaid_text(text: str) -> str:
    return "".join(_MERMAID_ENTITIES.get(c, c) for c in _one_line(text))


def to_mermaid(g: nx.DiGraph) -> str:
    lines = [f"%% dgtui {_one_line(_headline(g)).replace('%%', '% %')}"]
    if g.graph:  # '%' as a JSON escape: '%%{' anywhere would be read as a directive
        lines.append("%% dgtui-export " + _compact(g.graph).replace("%", "\\u0025"))
    lines.append("flowchart LR")
    ids = {node: f"n{i}" for i, node in enumerate(g.nodes)}  # atom ids are not Mermaid ids
    classes: dict[str, list[str]] = {"start": [], "unresolved": []}
    for node, attrs in g.nodes(data=True):
        first, _, second = _label(node, attrs).partition("\n")
        lines.append(f'  {ids[node]}["{mermaid_text(first)}<br/>{mermaid_text(second)}"]')
        if node.startswith(UNRESOLVED_PREFIX):
            classes["unresolved"].append(ids[node])
        elif attrs.get("start"):
            classes["start"].append(ids[node])
    for source, target, attrs in g.edges(data=True):
        arrow = "-.->" if attrs.get("resolution") in ("unresolved", "ambiguous") else "-->"
        label = mermaid_text(f"{attrs.get('resolution', '')} · line {attrs.get('line', '')}")
        lines.append(f'  {ids[source]} {arrow}|"{label}"| {ids[target]}')
    lines.append("  classDef start stroke-width:3px,fill:#ffffe0")
    lines.append("  classDef unresolved stroke-dasharray:4 3,color:#666")
    for name, members in classes.items():
        if members:
            lines.append(f"  class {','.join(members)} {name}")
    return "\n".join(lines) + "\n"
