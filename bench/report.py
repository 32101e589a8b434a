"""The suite's results as a Markdown table (each figure beside its anchor and target) and an
SVG plot of the scaling curves (written by hand: no plotting dependency)."""

from __future__ import annotations

import math
import time

# The origin document's targets and its own measurement (seeds/delta-graph-architecture.es.md).
ORIGIN_FULL_S = (22, 26)  # its full analysis of 2,813 files
ORIGIN_BYTES_PER_ATOM = 111e6 / 12_640  # 111 MB of JSON for 12,640 atoms


TREND = "trend (targets stop at 100k atoms)"


def _s(x: float | None) -> str:
    return "–" if x is None else (f"{x:.2f} s" if x < 100 else f"{x:.0f} s")


def _ms(p: dict | None, key: str = "p50") -> str:
    return "–" if not p or key not in p else f"{p[key]:.1f} ms"


def _mark(ok: bool | None) -> str:
    return "" if ok is None else (" ✅" if ok else " ❌")


def markdown(r: dict) -> str:
    m = r["machine"]
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(r["started"]))
    out = [f"Measured {when} on {m['cores']} cores ({m['cpu']}), {m['system']}, Python {m['python']}, "
           f"SQLite {m['sqlite']}, tree-sitter {m['tree_sitter']}; load average at start "
           f"{m['load_average']}. Suite time {r['seconds']:.0f} s{' (--quick)' if r['quick'] else ''}.",
           "", "| figure | dgtui | anchor (same run) | ratio | target |", "|---|---|---|---|---|"]
    for name, c in r["corpora"].items():
        if "status" in c:
            out.append(f"| {name} | {c['status']} | | | |")
            continue
        label = f"{name} ({c['files']:,} files, {c['atoms']:,} atoms, {c['edges']:,} calls)"
        cpu = sum(c["cold_cpu_seconds"].values())
        out.append(f"| {label}: cold full index | {_s(c['cold_seconds'])} (CPU {cpu:.1f} s) | "
                   f"tree-sitter parse-only, 1 process: {_s(c['floor_seconds'])} (CPU "
                   f"{c['floor_cpu_seconds']:.1f} s) | {c['ratio_to_floor']:.2f}× (CPU "
                   f"{c['cpu_ratio_to_floor']:.2f}×){_mark(c['ratio_to_floor'] <= 1.5)} | ≤ 1.5× parse-only |")
        if c.get("ctags_seconds") is not None:
            out.append(f"| {name}: cold full index vs ctags | {_s(c['cold_seconds'])} | `ctags` "
                       f"(symbols only, {c['ctags_tags']:,} tags): {_s(c['ctags_seconds'])} | "
                       f"{c['ratio_to_ctags']:.1f}× | an anchor, not a peer |")
        if name == "django":
            out.append(f"| django: cold full index vs the origin system | {_s(c['cold_seconds'])} | "
                       f"origin's own full analysis of 2,813 files: {ORIGIN_FULL_S[0]}–{ORIGIN_FULL_S[1]} s | "
                       f"{c['cold_seconds'] / ORIGIN_FULL_S[0]:.2f}× | |")
        out.append(f"| {name}: no-change re-index | {_s(c['nochange_seconds'])} | | |"
                   f" < 0.5 s{_mark(c['nochange_seconds'] < 0.5)} |")
        if "touch_1pct_seconds" in c:
            out.append(f"| {name}: re-index after editing 1% ({c['touch_1pct_files']} files) | "
                       f"{_s(c['touch_1pct_seconds'])} | cold: {_s(c['cold_seconds'])} | "
                       f"{c['touch_1pct_seconds'] / c['cold_seconds']:.2f}× | |")
        out.append(f"| {name}: peak memory (indexing process / largest worker) | "
                   f"{c['peak_rss_mb']['self']:.0f} MB / {c['peak_rss_mb']['children']:.0f} MB | | | |")
        if "delta" in c:
            out += _live_delta_rows(name, c["delta"])
        out.append(f"| {name}: index size | {c['db_bytes'] / 1e6:.1f} MB, {c['bytes_per_atom']:,.0f} "
                   f"bytes per atom | origin: {ORIGIN_BYTES_PER_ATOM:,.0f} bytes per atom of JSON | "
                   f"{c['bytes_per_atom'] / ORIGIN_BYTES_PER_ATOM:.2f}× | |")
    for g in r["scaling"]:
        n = f"gen {g['functions']:,} ({g['atoms']:,} atoms)"
        cpu = sum(g["cold_cpu_seconds"].values())
        target = " < 5 s (origin, ~12k functions)" if 5_000 <= g["atoms"] <= 20_000 else ""
        ok = g["cold_seconds"] < 5 if target else None
        out.append(f"| {n}: cold full index | {_s(g['cold_seconds'])} (CPU {cpu:.1f} s) | parse-only: "
                   f"{_s(g['floor_seconds'])} | {g['ratio_to_floor']:.2f}× |{target}{_mark(ok)} |")
        # The issues' targets are for repositories up to ~100k atoms (queries: "at 10k/100k");
        # larger ones show the trend, and the table says so rather than leaving a blank.
        within = g["atoms"] <= 200_000
        out.append(f"| {n}: no-change re-index | {_s(g['nochange_seconds'])} | | | "
                   + (f"< 0.5 s{_mark(g['nochange_seconds'] < 0.5)} |" if within else f"{TREND} |"))
        q = g["queries"]
        for label, value in q.items():
            if not isinstance(value, dict) or "p50" not in value:
                continue
            strict = label.startswith(("search", "callers depth 1")) and 50_000 <= g["atoms"] <= 200_000
            limit = 10 if strict else 50
            target = (f"< {limit} ms{' (issue 2, 100k atoms)' if strict else ' (origin)'}"
                      f"{_mark(value['p95'] < limit)}" if within else TREND)
            out.append(f"| {n}: {label} | p50 {_ms(value)}, p95 {_ms(value, 'p95')} | | | {target} |")
        d = g["delta"]
        out.append(f"| {n}: write → commit ({d['edits']} edits) | p50 {_ms(d['write_to_commit_ms'])}, "
                   f"p95 {_ms(d['write_to_commit_ms'], 'p95')}, max {_ms(d['write_to_commit_ms'], 'max')} "
                   f"| | | flat as the repository grows |")
        out.append(f"| {n}: write → subscriber | p50 {_ms(d['write_to_subscriber_ms'])}, "
                   f"p95 {_ms(d['write_to_subscriber_ms'], 'p95')}, max "
                   f"{_ms(d['write_to_subscriber_ms'], 'max')} | | | < 300 ms save-to-visible (origin)"
                   f"{_mark(d['write_to_subscriber_ms']['p95'] < 300)} |")
    out += _tui_rows(r["tui"])
    return "\n".join(out) + "\n"


def _live_delta_rows(name: str, d: dict) -> list[str]:
    """Issue 3's figures on a real repository: one edit at a time, then a burst."""
    if "status" in d:
        return [f"| {name}: delta latency | {d['status']} | | | |"]
    c, n = d["write_to_commit_ms"], d["write_to_subscriber_ms"]
    return [
        f"| {name}: write → commit ({d['edits']} edits of 5 kinds, watcher included) | p50 "
        f"{_ms(c)}, p95 {_ms(c, 'p95')}, max {_ms(c, 'max')} | | | p50 ≤ 30 ms, p95 ≤ 60 ms"
        f"{_mark(c['p50'] <= 30 and c['p95'] <= 60)} |",
        f"| {name}: write → subscriber | p50 {_ms(n)}, p95 {_ms(n, 'p95')}, max {_ms(n, 'max')} | "
        f"origin design: 300 ms | {n['p95'] / 300:.2f}× | p95 ≤ 100 ms{_mark(n['p95'] <= 100)} |",
        f"| {name}: burst of {d['burst_files']} new files | committed {_s(d['burst_seconds'])} after "
        f"the first write, in {d['burst_transactions']} transaction(s) | | | ≤ 2 s"
        f"{_mark(d['burst_seconds'] <= 2)} |",
    ]


def _tui_rows(t: dict) -> list[str]:
    """Issue 4's figures: the real app, headless, on a real repository."""
    if "status" in t:
        return [f"| explorer | {t['status']} | | | |"]
    name = f"explorer on {t['corpus']} ({t['atoms']:,} atoms)"
    return [
        f"| {name}: start → first results | {_s(t['start_s'])} | an empty Textual app: "
        f"{_s(t['empty_app_s'])} | {t['start_s'] / t['empty_app_s']:.1f}× | < 1 s"
        f"{_mark(t['start_s'] < 1)} |",
        f"| {name}: keystroke → results ({t['keystrokes']} keys) | p50 {t['keystroke_p50_ms']:.1f} ms, "
        f"p95 {t['keystroke_p95_ms']:.1f} ms | the query alone, p95: {t['query_p95_ms']:.1f} ms | "
        f"{t['keystroke_p95_ms'] / max(t['query_p95_ms'], 0.1):.1f}× | p95 < 50 ms"
        f"{_mark(t['keystroke_p95_ms'] < 50)} |",
        f"| {name}: write → timeline ({t['writes']} writes) | p50 {t['write_p50_ms']:.1f} ms, p95 "
        f"{t['write_p95_ms']:.1f} ms | the engine's detect → commit, p95: {t['engine_p95_ms']:.1f} ms | "
        f"{t['write_p95_ms'] / max(t['engine_p95_ms'], 0.1):.1f}× | p95 < 150 ms"
        f"{_mark(t['write_p95_ms'] < 150)} |",
        f"| {name}: peak memory | {t['peak_mb']:.0f} MB | the process before the app: "
        f"{t['baseline_mb']:.0f} MB | | < 300 MB{_mark(t['peak_mb'] < 300)} |",
    ]


# -- the plot -----------------------------------------------------------------------------------
_W, _H, _PAD = 420, 300, 56
_COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]


def scaling_svg(r: dict) -> str:
    rows = sorted(r["scaling"], key=lambda g: g["atoms"])
    xs = [g["atoms"] for g in rows]
    left = {"cold full index (s)": [g["cold_seconds"] for g in rows],
            "tree-sitter parse-only (s)": [g["floor_seconds"] for g in rows]}
    right = {
        "write → subscriber p50": [g["delta"]["write_to_subscriber_ms"].get("p50") for g in rows],
        "write → subscriber p95": [g["delta"]["write_to_subscriber_ms"].get("p95") for g in rows],
        "search p50": [g["queries"]["search (ranked, raw text)"]["p50"] for g in rows],
        "callers depth 3 p50": [g["queries"]["callers depth 3"]["p50"] for g in rows],
        "impact p50": [g["queries"]["impact"]["p50"] for g in rows],
    }
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * _W + 20}" height="{_H + 30}" '
             f'font-family="sans-serif" font-size="11">',
             '<rect width="100%" height="100%" fill="white"/>']
    parts += _panel(0, "Cold full index vs size", xs, left, "seconds")
    parts += _panel(_W + 20, "Latency vs size (ms)", xs, right, "milliseconds")
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _panel(x0: int, title: str, xs: list[int], series: dict[str, list], unit: str) -> list[str]:
    vals = [v for ys in series.values() for v in ys if v]
    if not xs or not vals:
        return []
    lx = [math.log10(x) for x in xs]
    x_lo, x_hi = min(lx) - 0.1, max(lx) + 0.1
    y_lo, y_hi = math.floor(math.log10(min(vals))), math.ceil(math.log10(max(vals)))
    y_hi = max(y_hi, y_lo + 1)

    def px(v):
        return x0 + _PAD + (math.log10(v) - x_lo) / (x_hi - x_lo) * (_W - _PAD - 10)

    def py(v):
        return 20 + (1 - (math.log10(v) - y_lo) / (y_hi - y_lo)) * (_H - 60)

    out = [f'<text x="{x0 + _W / 2}" y="14" text-anchor="middle" font-weight="bold">{title}</text>']
    for e in range(y_lo, y_hi + 1):
        y = py(10 ** e)
        out.append(f'<line x1="{x0 + _PAD}" x2="{x0 + _W - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{x0 + _PAD - 4}" y="{y + 4:.1f}" text-anchor="end">{10 ** e:g}</text>')
    for x in xs:
        out.append(f'<text x="{px(x):.1f}" y="{_H - 24}" text-anchor="middle">{x:,}</text>')
    out.append(f'<text x="{x0 + _W / 2}" y="{_H - 8}" text-anchor="middle">atoms (log scale); '
               f'{unit} (log scale)</text>')
    for i, (label, ys) in enumerate(series.items()):
        color = _COLORS[i % len(_COLORS)]
        pts = [(px(x), py(y)) for x, y in zip(xs, ys) if y]
        if not pts:
            continue
        out.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="'
                   + " ".join(f"{a:.1f},{b:.1f}" for a, b in pts) + '"/>')
        out += [f'<circle cx="{a:.1f}" cy="{b:.1f}" r="3" fill="{color}"/>' for a, b in pts]
        out.append(f'<text x="{x0 + _PAD + 8}" y="{34 + 14 * i}" fill="{color}">{label}</text>')
    return out
