"""Graph exports: the subgraph question, and DOT/GraphML/Mermaid/JSON read back by real parsers
(pydot, networkx) or checked against Mermaid's flowchart grammar, on awkward names."""

from __future__ import annotations

import json
import re
from pathlib import Path

import networkx as nx
import pydot
import pytest
from conftest import run_cli
from helpers import index_repo, write

from dgtui import query as q

# pydot's parser still calls pyparsing's old names
pytestmark = pytest.mark.filterwarnings("ignore:'setParseAction' deprecated")

ODD = 'odd dir/we"ird, [1].py'
HASH = "odd dir/h#a<s>h&`q`.py"


def make_oddrepo(root: Path) -> Path:
    """Names every format must quote: quotes, commas, brackets, ``::``, ``#``, ``<>&``,
    backticks, backslashes and non-ASCII letters in paths, names and signatures."""
    write(root / ODD, '''def café(s="a\\"b", t='\\\\n', v="<b>&</b> #35; `x` | y::z"):
    """Doc with "quotes", a | pipe,
    and a second line."""
    return naïve(s) + café_helper()


def naïve(x):
    return x


class Kø:
    def __call__(self):
        return café()

    def end(self):
        return self.__call__()


def café_helper():
    return unknown_thing() + obj.maybe()
''')
    write(root / HASH, "def ünïcode_ß():\n    return naïve(1)\n")
    write(root / "x.js", "const $x = () => y_();\nfunction y_() { return $x(); }\n")
    return root


@pytest.fixture
def oddrepo(tmp_path: Path, home: Path) -> Path:
    root = make_oddrepo(tmp_path / "odd")
    r = run_cli("index", str(root))
    assert r.returncode == 0, r.stderr
    return root


def graph_text(root: Path, *args: str) -> str:
    r = run_cli("graph", *args, "--path", str(root))
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    return r.stdout


def expected(root: Path, *args: str) -> nx.DiGraph:
    """The graph as JSON (node-link), the reference the other formats are compared with."""
    data = json.loads(graph_text(root, *args, "--format", "json"))
    return nx.node_link_graph(data, directed=True, multigraph=False, edges="edges")


# -- the question --------------------------------------------------------------------------
def test_subgraph_directions_depth_and_induced_edges(pyrepo: Path, tmp_path: Path):
    store, _ = index_repo(pyrepo, tmp_path / "i.db")
    up = q.subgraph(store, ["pkg/db.py::write"], depth=2, direction="callers")
    assert {n["id"]: n["depth"] for n in up["nodes"]} == {
        "pkg/db.py::write": 0, "pkg/db.py::save_atom": 1, "pkg/service.py::handle": 1,
        "pkg/service.py::sync_all": 2, "main.py::main": 2}
    pairs = {(e["source"], e["target"]): e for e in up["edges"]}
    # induced: sync_all -> save_atom is in although the walk reached sync_all through handle
    assert ("pkg/service.py::sync_all", "pkg/db.py::save_atom") in pairs
    assert pairs[("pkg/service.py::handle", "pkg/db.py::write")]["resolution"] == "import"
    assert pairs[("pkg/service.py::handle", "pkg/db.py::write")]["line"] == 12
    assert [n["id"] for n in up["nodes"] if n["start"]] == ["pkg/db.py::write"]

    down = q.subgraph(store, ["pkg/service.py::handle"], 1, "callees", include_unresolved=True)
    kinds = {n["id"]: n["kind"] for n in down["nodes"]}
    assert kinds[q.UNRESOLVED_PREFIX + "print"] == "builtin"
    assert kinds[q.UNRESOLVED_PREFIX + "obj.save"] == "ambiguous"
    assert "main.py::main" not in kinds  # a caller: not in a callees walk
    both = q.subgraph(store, ["pkg/service.py::handle"], 1, "both")
    assert "main.py::main" in {n["id"] for n in both["nodes"]}
    assert not any(n["id"].startswith(q.UNRESOLVED_PREFIX) for n in both["nodes"])

    cut = q.subgraph(store, ["pkg/service.py::handle"], 3, "both", max_nodes=3)
    assert cut["truncated"] and len(cut["nodes"]) == 3
    for bad in ({"depth": 0}, {"direction": "sideways"}):
        with pytest.raises(q.QueryError):
            q.subgraph(store, ["pkg/db.py::write"], **{"depth": 1, "direction": "both", **bad})
    with pytest.raises(q.QueryError):
        q.subgraph(store, [], 1, "both")
    store.close()


# -- DOT -------------------------------------------------------------------------------------
def dot_unquote(text: str) -> str:
    """A DOT quoted string back to its text, reading our escStrings (\\\\, \\", \\n)."""
    assert text.startswith('"') and text.endswith('"'), text
    out, i, body = [], 0, text[1:-1]
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body):
            out.append({"n": "\n", "\\": "\\", '"': '"'}.get(body[i + 1], "\\" + body[i + 1]))
            i += 2
        else:
            out.append(body[i])
            i += 1
    return "".join(out)


@pytest.mark.slow
def test_dot_parses_back_with_pydot(oddrepo: Path):
    args = (f"{ODD}::café", "--depth", "2", "--include-unresolved")
    ref = expected(oddrepo, *args)
    text = graph_text(oddrepo, *args, "--format", "dot")
    assert text.startswith("// dgtui ")
    meta = json.loads(text.splitlines()[1].removeprefix("// dgtui-export "))
    assert meta["graph_version"] == 1 and meta["query"] == {"atom": f"{ODD}::café"}
    assert meta["options"]["depth"] == 2 and meta["repository"] == str(oddrepo.resolve())

    graphs = pydot.graph_from_dot_data(text)
    assert graphs is not None and len(graphs) == 1
    g = graphs[0]
    nodes = {dot_unquote(n.get_name()): n.get_attributes() for n in g.get_nodes()
             if n.get_name() not in ("graph", "node", "edge")}
    assert set(nodes) == set(ref.nodes)
    for node, attrs in nodes.items():
        want = ref.nodes[node]
        assert dot_unquote(attrs["qualified_name"]) == want["qualified_name"]
        label = dot_unquote(attrs["label"]).split("\n")
        assert label[0] == want["qualified_name"]
        if "signature" in want:
            assert dot_unquote(attrs["signature"]) == want["signature"]
            assert int(attrs["line"]) == want["line"]
    sig = ref.nodes[f"{ODD}::café"]["signature"]
    assert '\\"' in sig and "\\\\" in sig and "<b>&" in sig  # the awkward ones were there
    edges = {(dot_unquote(e.get_source()), dot_unquote(e.get_destination())): e.get_attributes()
             for e in g.get_edges()}
    assert set(edges) == set(ref.edges)
    for pair, attrs in edges.items():
        assert dot_unquote(attrs["resolution"]) == ref.edges[pair]["resolution"]
        assert int(attrs["line"]) == ref.edges[pair]["line"]


# -- Mermaid ---------------------------------------------------------------------------------
_ID = r"[A-Za-z][A-Za-z0-9_]*"
_LABEL = r'"((?:[^"#<>&`]|#\d+;|<br/>)*)"'
_RESERVED = {"end", "graph", "subgraph", "flowchart", "style", "class", "classDef", "click",
             "linkStyle", "direction", "default"}


def parse_mermaid(text: str) -> tuple[dict[str, str], list[tuple[str, str, str, str]], list[str]]:
    """Check a flowchart line by line against the grammar rules we rely on; returns node
    labels (decoded), edges (source, arrow, label, target) and the comment lines."""
    nodes: dict[str, str] = {}
    edges: list[tuple[str, str, str, str]] = []
    comments: list[str] = []
    header_seen = False
    for line in text.splitlines():
        if line.startswith("%%"):
            assert not line.startswith("%%{"), "a directive, not a comment"
            assert "%%{" not in line, "would be read as a directive"
            comments.append(line)
            continue
        if not header_seen:
            assert re.fullmatch(r"flowchart (LR|RL|TB|TD|BT)", line), line
            header_seen = True
            continue
        if m := re.fullmatch(rf"  ({_ID})\[{_LABEL}\]", line):
            assert m[1] not in nodes and m[1] not in _RESERVED
            nodes[m[1]] = decode_mermaid(m[2])
        elif m := re.fullmatch(rf"  ({_ID}) (-->|-\.->)\|{_LABEL}\| ({_ID})", line):
            assert m[1] in nodes and m[4] in nodes, line
            edges.append((m[1], m[2], decode_mermaid(m[3]), m[4]))
        elif re.fullmatch(r"  classDef \w+ [\w:#,. -]+", line):
            pass
        elif m := re.fullmatch(rf"  class ({_ID}(?:,{_ID})*) \w+", line):
            assert all(i in nodes for i in m[1].split(","))
        else:
            raise AssertionError(f"not flowchart grammar: {line!r}")
    assert header_seen
    return nodes, edges, comments


def decode_mermaid(label: str) -> str:
    return re.sub(r"#(\d+);", lambda m: chr(int(m[1])), label.replace("<br/>", "\n"))


@pytest.mark.slow
def test_mermaid_follows_the_flowchart_grammar(oddrepo: Path):
    args = ("--file", "odd dir/*", "--include-unresolved", "--direction", "callees")
    ref = expected(oddrepo, *args)
    text = graph_text(oddrepo, *args, "--format", "mermaid")
    nodes, edges, comments = parse_mermaid(text)
    meta = json.loads(comments[1].removeprefix("%% dgtui-export "))
    assert meta["options"]["file_glob"] == "odd dir/*" and meta["graph_version"] == 1
    by_label = {label: mid for mid, label in nodes.items()}
    for node, attrs in ref.nodes(data=True):
        where = (f"{attrs['file_path']}:{attrs['line']}" if "file_path" in attrs
                 else f"({attrs['kind']})")
        assert f"{attrs['qualified_name']}\n{where}" in by_label, (node, by_label)
    assert any(HASH in label for label in nodes.values())  # '#', '<', '&', '`' decoded back
    assert any("Kø.__call__" in label for label in nodes.values())
    assert len(edges) == ref.number_of_edges()
    dashed = {e for e in edges if e[1] == "-.->"}
    assert dashed and all(e[2].startswith(("unresolved", "ambiguous")) for e in dashed)


def test_mermaid_label_escaping_unit():
    from dgtui.graph.export import mermaid_text

    for text in ['a "quoted" [x] ::y', "#35; & <b> `tick`", "ünï ✓ 名前", "a\nb"]:
        encoded = mermaid_text(text)
        assert re.fullmatch(r'(?:[^"#<>&`\n]|#\d+;)*', encoded)
        assert decode_mermaid(encoded) == " ".join(text.splitlines())


# -- GraphML and JSON --------------------------------------------------------------------------
@pytest.mark.slow
def test_graphml_reads_back_with_networkx(oddrepo: Path, tmp_path: Path):
    args = (f"{ODD}::café", "--depth", "3", "--include-unresolved")
    ref = expected(oddrepo, *args)
    out = tmp_path / "g.graphml"
    r = run_cli("graph", *args, "--path", str(oddrepo), "-o", str(out))
    assert r.returncode == 0 and r.stdout == "", r.stderr  # format from the extension
    g = nx.read_graphml(out)
    assert set(g.nodes) == set(ref.nodes) and set(g.edges) == set(ref.edges)
    for node in ref.nodes:
        assert g.nodes[node] == ref.nodes[node]
    for pair in ref.edges:
        assert g.edges[pair] == ref.edges[pair]
    assert g.graph["graph_version"] == 1 and g.graph["command"] == "graph"
    assert json.loads(g.graph["options"])["depth"] == 3
    assert not list(tmp_path.glob(".dgtui-*"))  # no temporary file left behind


def test_json_round_trip_and_query_starts(pyrepo: Path, home: Path, tmp_path: Path):
    assert run_cli("index", str(pyrepo)).returncode == 0
    out = tmp_path / "g.json"
    r = run_cli("graph", "--file", "pkg/db.py", "--direction", "callers", "--path", str(pyrepo),
                "-o", str(out))
    assert r.returncode == 0, r.stderr
    data = json.loads(out.read_text())
    g = nx.node_link_graph(data, directed=True, multigraph=False, edges="edges")
    assert nx.node_link_data(g, edges="edges") == data
    starts = {n for n, a in g.nodes(data=True) if a["start"]}
    assert starts == {"pkg/db.py::<module>", "pkg/db.py::write", "pkg/db.py::save_atom",
                      "pkg/db.py::save"}
    assert g.edges["pkg/service.py::handle", "pkg/db.py::write"]["resolution"] == "import"
    assert data["graph"]["starts"] == sorted(starts, key=data["graph"]["starts"].index)
    assert data["graph"]["graph_version"] == 1 and data["graph"]["truncated"] is False


@pytest.mark.slow
def test_graph_command_errors_and_truncation(pyrepo: Path, home: Path):
    assert run_cli("index", str(pyrepo)).returncode == 0
    p = ("--path", str(pyrepo))
    for args in (("write", "--kind", "function"), (), ("nothing_like_this",),
                 ("write", "--format", "png"), ("write", "--depth", "0"),
                 ("--name", "zzz*")):
        r = run_cli("graph", *args, *p)
        assert r.returncode != 0 and r.stderr.strip() and "Traceback" not in r.stderr, args
    r = run_cli("graph", "handle", "--depth", "3", "--max-nodes", "2", "--format", "json", *p)
    assert r.returncode == 0 and "cut at 2" in r.stderr
    data = json.loads(r.stdout)
    assert len(data["nodes"]) == 2 and data["graph"]["truncated"] is True
