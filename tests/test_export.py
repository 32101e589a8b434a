"""Table exports: every table command, every format, correct quoting, atomic files, and the
record of what each export is (sidecar or in-file comment), through the real CLI."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from conftest import run_cli
from test_graph_export import ODD, make_oddrepo

from dgtui import output

FORMATS = {"csv": "csv", "tsv": "tsv", "json": "json", "ndjson": "ndjson", "md": "md"}


@pytest.fixture
def oddrepo(tmp_path: Path, home: Path) -> Path:
    root = make_oddrepo(tmp_path / "odd")
    assert run_cli("index", str(root)).returncode == 0
    return root


def ok(*args: str) -> str:
    r = run_cli(*args)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    return r.stdout


def read_rows(text: str, fmt: str) -> list[dict]:
    """Rows back from an export, with each format's own reader."""
    if fmt == "json":
        return json.loads(text)
    if fmt == "ndjson":
        return [json.loads(line) for line in text.splitlines()]
    if fmt in ("csv", "tsv"):
        return list(csv.DictReader(io.StringIO(text, newline=""),
                                   dialect="excel" if fmt == "csv" else "excel-tab"))
    lines = [line for line in text.splitlines() if line.startswith("|")]
    head = md_cells(lines[0])
    return [dict(zip(head, md_cells(line))) for line in lines[2:]]


def md_cells(line: str) -> list[str]:
    """A GFM table row: split on unescaped pipes, then undo backslash escapes."""
    cells = re.split(r"(?<!\\)\|", line.strip())[1:-1]
    return [re.sub(r"\\(.)", r"\1", c.strip()) for c in cells]


TABLE_COMMANDS = [
    ("search", "café"),
    ("query", "--file", "odd dir/*"),
    ("callers", f"{ODD}::naïve", "--depth", "2"),
    ("callees", f"{ODD}::café"),
    ("unresolved",),
    ("events", "--limit", "50"),
    ("history", f"{ODD}::café"),
    ("replay", "--at", "1"),
]


#: Two commands in the quick lane; every command in the full run (`pytest -m slow`).
QUICK_COMMANDS = {"search", "callees"}


@pytest.mark.parametrize("command", [
    pytest.param(c, id=c[0], marks=() if c[0] in QUICK_COMMANDS else pytest.mark.slow)
    for c in TABLE_COMMANDS])
def test_every_table_command_exports_every_format(oddrepo: Path, tmp_path: Path, command):
    p = ("--path", str(oddrepo))
    reference = json.loads(ok(*command, *p, "--json"))
    assert isinstance(reference, list) and reference  # stdout --json: a bare array
    for fmt, ext in FORMATS.items():
        out = tmp_path / f"{command[0]}.{ext}"
        assert ok(*command, *p, f"--{fmt}", "-o", str(out)) == ""
        text = out.read_text(encoding="utf-8")
        rows = read_rows(text, fmt)
        assert len(rows) == len(reference), (fmt, text)
        if fmt in ("json", "ndjson"):
            assert rows == reference
        key = "id" if "id" in rows[0] else "source_id" if "source_id" in rows[0] else "atom_id"
        if key in reference[0]:
            assert [r[key] for r in rows] == [str(r[key]) for r in reference]
        meta = export_record(out, fmt, text)
        assert meta["command"] == command[0] and meta["format"] == fmt
        assert meta["repository"] == str(oddrepo.resolve())
        assert meta["graph_version"] == 1 and meta["rows"] == len(reference)
        assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$", meta["exported_at"])
    assert not list(tmp_path.glob(".dgtui-*"))


def export_record(out: Path, fmt: str, text: str) -> dict:
    """The export's record: an HTML comment in Markdown, else the CSVW-style sidecar."""
    sidecar = Path(str(out) + output.SIDECAR_SUFFIX)
    if fmt == "md":
        assert not sidecar.exists()
        first = text.splitlines()[0]
        m = re.fullmatch(r"<!-- dgtui export (.*) -->", first)
        assert m and "--" not in m[1]
        return json.loads(m[1])
    doc = json.loads(sidecar.read_text(encoding="utf-8"))
    assert doc["url"] == out.name
    if fmt in ("csv", "tsv"):
        assert doc["@context"] == "http://www.w3.org/ns/csvw"
        assert doc["dialect"]["delimiter"] == ("," if fmt == "csv" else "\t")
        header = next(csv.reader(io.StringIO(text), delimiter=doc["dialect"]["delimiter"]))
        assert [c["titles"] for c in doc["tableSchema"]["columns"]] == header
    return doc["dgtui"]


@pytest.mark.slow
def test_quoting_of_awkward_values(oddrepo: Path, tmp_path: Path):
    p = ("--path", str(oddrepo))
    want = json.loads(ok("search", "café", *p, "--json"))
    assert any('"' in r["file_path"] and "," in r["file_path"] for r in want)
    for fmt in ("csv", "tsv"):
        got = read_rows(ok("search", "café", *p, f"--{fmt}"), fmt)
        assert [(r["id"], r["file_path"], int(r["line"])) for r in got] == \
            [(r["id"], r["file_path"], r["line"]) for r in want]
    md = ok("search", "__call__", *p, "--md")
    assert "\\_\\_call\\_\\_" in md  # not bold in a renderer
    assert [r["id"] for r in read_rows(md, "md")] == \
        [r["id"] for r in json.loads(ok("search", "__call__", *p, "--json"))]
    # standard output carries the data only: no comment, no metadata
    assert not ok("search", "café", *p, "--md").startswith("<!--")
    assert not list(tmp_path.glob("*" + output.SIDECAR_SUFFIX))


@pytest.mark.slow
def test_record_says_what_was_asked(oddrepo: Path, tmp_path: Path):
    out = tmp_path / "q.csv"
    ok("query", "--file", "odd dir/*", "--kind", "method", "--path", str(oddrepo), "-o", str(out))
    meta = export_record(out, "csv", out.read_text())
    assert meta["options"] == {"kind": "method", "file_glob": "odd dir/*"}
    assert meta["query"] is None and meta["rows"] == 2
    out = tmp_path / "c.md"
    ok("callers", f"{ODD}::naïve", "--path", str(oddrepo), "-o", str(out))  # md from the name
    meta = export_record(out, "md", out.read_text())
    assert meta["query"] == {"atom": f"{ODD}::naïve"} and meta["options"] == {"depth": 1}
    assert meta["title"] == f"callers of {ODD}::naïve"
    # the version moves with the index
    (oddrepo / "x.js").write_text("function y_() { return 2; }\n")
    ok("index", str(oddrepo))
    out = tmp_path / "after.json"
    ok("search", "y_", "--path", str(oddrepo), "-o", str(out))
    assert export_record(out, "json", out.read_text())["graph_version"] == 2


class Boom:
    def __str__(self) -> str:
        raise RuntimeError("disk on fire")


def test_failed_export_leaves_the_old_file_whole(tmp_path: Path):
    target = tmp_path / "keep.csv"
    target.write_text("old,content\n")
    rows = [{"a": 1}, {"a": Boom()}]
    for fmt in ("csv", "json", "md"):
        with pytest.raises(RuntimeError):
            output.emit(rows, ["a"], fmt, str(target), meta=output.export_meta("test"), force=True)
        assert target.read_text() == "old,content\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.csv"]


def test_emit_contract_for_the_tui(tmp_path: Path):
    """``emit(rows, columns, fmt, output, title)`` as the TUI calls it, with and without meta."""
    rows = [{"name": "a|b", "n": 1, "tags": ["x", "y"], "none": None, "flag": True}]
    cols = ["name", "n", "tags", "none", "flag"]
    plain = tmp_path / "plain.csv"
    assert output.emit(rows, cols, "csv", str(plain), "T") == [str(plain)]
    assert plain.read_text() == 'name,n,tags,none,flag\na|b,1,"[""x"", ""y""]",,true\n'
    meta = output.export_meta("tui:search", query={"text": "a"}, repository="/r", graph_version=7)
    written = output.emit(rows, cols, None, str(tmp_path / "m.tsv"), "T", meta=meta)
    assert written == [str(tmp_path / "m.tsv"), str(tmp_path / "m.tsv") + output.SIDECAR_SUFFIX]
    side = json.loads(Path(written[1]).read_text())
    assert side["dgtui"]["graph_version"] == 7 and side["dgtui"]["title"] == "T"
    assert side["dgtui"]["command"] == "tui:search" and side["dialect"]["delimiter"] == "\t"


@pytest.mark.slow
def test_brain_and_chat_tables_export_with_their_record(oddrepo: Path, tmp_path: Path):
    p = ("--path", str(oddrepo))
    ok("brain", "add", "--kind", "risk", "--atom", f"{ODD}::café", *p, "--user", "ann",
       'quotes " and, commas | pipes')
    ok("chat", "ask", "who calls naïve?", *p, "--user", "ann")
    for command in (("brain", "list"), ("chat", "history", "--user", "ann")):
        for fmt in ("csv", "md", "ndjson"):
            out = tmp_path / f"{command[0]}.{fmt}"
            ok(*command, *p, f"--{fmt}", "-o", str(out))
            text = out.read_text(encoding="utf-8")
            rows = read_rows(text, fmt)
            meta = export_record(out, fmt, text)
            assert meta["command"] == command[1] and meta["graph_version"] == 1
            assert meta["rows"] == len(rows) and rows
            if command[0] == "brain":
                assert rows[0]["text"] == 'quotes " and, commas | pipes'
