"""Reports of eval results: a terminal table, a self-contained HTML page, and a comparison of two runs."""

from __future__ import annotations

import html
import json
from pathlib import Path

from .metrics import percentile
from .scores import columns, legend

SCOPE = ("Answer, retrieval and citation scores are over answerable questions; in a row of unanswerable questions "
         "only (null_query), strict is the share that abstained. abst: how many abstained.")


# (key in the baselines' summary, column title)
BASELINES = [("always_yes", "always-Yes"), ("majority", "majority"), ("extractive", "extractive")]
BASELINE_LEGEND = (
    "Baselines without an LLM, scored strict on answerable questions: always-Yes says \"Yes\" to every yes/no "
    "question (scored on those only); majority gives each type's most common gold answer in the pack; extractive "
    "gives the top passage's sentence that shares most words with the question. Each is compared with the engine on "
    "the questions it answered; ! marks a baseline the engine does not beat."
)


def _value(agg: dict, key: str):
    """A group's score; for a group of unanswerable questions only, strict is the share of correct abstentions."""
    if key == "strict" and not agg["answerable"]:
        return agg["strict_all"]
    return agg.get(key)


def _f(value, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _columns(summary: dict) -> list[tuple[str, str]]:
    cols = [(metric.key, metric.title) for metric in columns(bool(summary.get("has_evidence")))]
    if summary.get("judge"):
        cols.append(("judge", "judge†"))
    return cols


def _table_rows(summary: dict) -> list[tuple[str, dict]]:
    metrics = summary["metrics"]
    return [*metrics["by_type"].items(), ("all", metrics["all"])]


def _baseline_rows(summary: dict) -> list[tuple[str, dict]]:
    """The baselines by question type, over all questions, and on the yes/no ones; none in results older than them."""
    found = summary["metrics"].get("baselines")
    if not found:
        return []
    return [*found["by_type"].items(), ("all", found["all"]), ("yes/no", found["yes_no"])]


def _baseline_cell(result: dict) -> str:
    """A baseline's strict, marked with ! where the engine does not beat it."""
    return _f(result["strict"]) + ("!" if result["beats"] is False else " ")


def settings_line(summary: dict) -> str:
    s = summary["settings"]
    commit = (s.get("commit") or "no git")[:10] + (" (uncommitted changes)" if s.get("dirty") else "")
    chunking = s["chunking"]
    return (f"backend {s['backend']}, model {s.get('model_used') or s['model']}, embedder {s['embedder']}, "
            f"chunks {chunking['size']}/{chunking['overlap']} tokens, k {s['k']}, commit {commit}")


def format_table(summary: dict) -> str:
    """The terminal summary: one row per question type and one for all, then abstention and latency."""
    cols = _columns(summary)
    width = max(len(name) for name, _ in _table_rows(summary)) + 2
    head = f"{'type':<{width}}{'n':>4}{'abst':>6}" + "".join(f"{t:>{max(len(t) + 1, 7)}}" for _, t in cols)
    lines = [
        f"newsqa eval: pack {summary['pack']}, {summary['questions']} of {summary['of']} questions, "
        f"corpus {summary['settings']['corpus']} ({summary['corpus_files']} files, {summary['corpus_chunks']} chunks)",
        settings_line(summary),
        "",
        head,
        "-" * len(head),
    ]
    for name, agg in _table_rows(summary):
        if name == "all":
            lines.append("-" * len(head))
        row = f"{name:<{width}}{agg['questions']:>4}{agg['abstention']['abstained']:>6}"
        row += "".join(f"{_f(_value(agg, k)):>{max(len(t) + 1, 7)}}" for k, t in cols)
        lines.append(row)
    lines += _baselines_block(summary)
    total = summary["metrics"]["all"]
    abst = total["abstention"]
    lines += [
        "",
        f"abstention: precision {_f(abst['precision'])}, recall {_f(abst['recall'])} "
        f"({abst['abstained']} abstained, {abst['unanswerable']} unanswerable); "
        f"strict counting correct abstentions {_f(total['strict_all'])}; "
        f"{total['cited_nothing']} answerable question(s) cited nothing",
        f"latency: retrieval p50 {_f(total['retrieval_s_p50'], 3)} s, p95 {_f(total['retrieval_s_p95'], 3)} s; "
        f"whole answer p50 {_f(total['total_s_p50'])} s, p95 {_f(total['total_s_p95'])} s; "
        f"run {summary['wall_s']:.0f} s ({summary['reused']} answers reused)",
        "* lenient = the MultiHop-RAG paper's any-shared-word score; read the strict column first.",
    ]
    if summary.get("judge"):
        lines.append(f"† judge = {summary['judge']['model']} said CORRECT ({total['judged']} judged); "
                     "an LLM's opinion, apart from the deterministic scores.")
    return "\n".join(lines)


def _baselines_block(summary: dict) -> list[str]:
    """The engine's strict beside each baseline's, one row per type, all and yes/no; ! where it does not beat one."""
    groups = _baseline_rows(summary)
    if not groups:
        return []
    width = max(len(name) for name, _ in groups) + 2
    head = f"{'baselines':<{width}}{'n':>4}{'engine':>9}" + "".join(f"{t:>12}" for _, t in BASELINES)
    lines = ["", head, "-" * len(head)]
    for name, group in groups:
        if name == "all":
            lines.append("-" * len(head))
        engine = group["engine"]
        row = f"{name:<{width}}{engine['n']:>4}{_f(engine['strict']) + ' ':>9}"
        lines.append((row + "".join(f"{_baseline_cell(group[key]):>12}" for key, _ in BASELINES)).rstrip())
    lines += ["baselines, no LLM: always-Yes says yes to the yes/no questions only; majority, each type's most common "
              "gold answer; extractive, the top passage's sentence most like the question.",
              "! the engine does not beat this baseline (strict, on the same questions)"]
    return lines


# ---------------------------------------------------------------------------------------------
# HTML

BAR_KEYS = [("strict", "strict", "#1f6feb"), ("lenient", "lenient*", "#9ecbff"), ("f1", "F1", "#2da44e"),
            ("file_hit@4", "hit@4", "#bf8700"), ("citation_recall", "cite recall", "#8250df")]


def bars_svg(summary: dict) -> str:
    """Grouped bars: for each question type (and all), the main scores, 0 to 1."""
    groups = _table_rows(summary)
    bar_w, gap, pad_l, pad_b, height = 14, 22, 36, 70, 260
    group_w = len(BAR_KEYS) * bar_w + gap
    width = pad_l + group_w * len(groups) + 10
    plot_h = height - pad_b - 12
    out = [f'<svg class="chart" width="{width}" height="{height + 22}" viewBox="0 0 {width} {height + 22}" '
           f'role="img" aria-label="scores by question type" xmlns="http://www.w3.org/2000/svg">']
    for tick in range(0, 11, 2):
        y = 12 + plot_h * (1 - tick / 10)
        out.append(f'<line x1="{pad_l}" x2="{width - 6}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
                   f'<text x="{pad_l - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="10">{tick / 10:.1f}</text>')
    for g, (name, agg) in enumerate(groups):
        x0 = pad_l + g * group_w + gap / 2
        for b, (key, title, colour) in enumerate(BAR_KEYS):
            value = _value(agg, key)
            h = plot_h * (value or 0)
            x = x0 + b * bar_w
            label = f"{name}: {title} {_f(value)}"
            out.append(f'<rect x="{x:.1f}" y="{12 + plot_h - h:.1f}" width="{bar_w - 2}" height="{h:.1f}" '
                       f'fill="{colour}"><title>{html.escape(label)}</title></rect>')
        cx = x0 + len(BAR_KEYS) * bar_w / 2
        out.append(f'<text x="{cx:.1f}" y="{height - pad_b + 26}" text-anchor="middle" font-size="11">'
                   f'{html.escape(name[:18])}</text>'
                   f'<text x="{cx:.1f}" y="{height - pad_b + 40}" text-anchor="middle" font-size="10" fill="#666">'
                   f'n={agg["questions"]}</text>')
    lx = pad_l
    for key, title, colour in BAR_KEYS:
        out.append(f'<rect x="{lx}" y="{height + 6}" width="10" height="10" fill="{colour}"/>'
                   f'<text x="{lx + 14}" y="{height + 15}" font-size="11">{html.escape(title)}</text>')
        lx += 26 + 7 * len(title)
    out.append("</svg>")
    return "".join(out)


def histogram_svg(values: list[float], label: str = "seconds per answer", bins: int = 16) -> str:
    """A histogram of latencies with the p50 and p95 marked."""
    width, height, pad_l, pad_b = 560, 220, 36, 34
    if not values:
        return '<p class="muted">No timings.</p>'
    top = max(values) or 1.0
    step = top / bins
    counts = [0] * bins
    for v in values:
        counts[min(int(v / step), bins - 1)] += 1
    highest = max(counts)
    plot_w, plot_h = width - pad_l - 10, height - pad_b - 10
    bw = plot_w / bins
    out = [f'<svg class="chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="latency histogram" xmlns="http://www.w3.org/2000/svg">']
    for i, c in enumerate(counts):
        h = plot_h * c / highest
        lo, hi = i * step, (i + 1) * step
        out.append(f'<rect x="{pad_l + i * bw:.1f}" y="{10 + plot_h - h:.1f}" width="{bw - 1:.1f}" height="{h:.1f}" '
                   f'fill="#57606a"><title>{lo:.2f}-{hi:.2f} s: {c}</title></rect>')
    out.append(f'<line x1="{pad_l}" x2="{width - 10}" y1="{10 + plot_h}" y2="{10 + plot_h}" stroke="#333"/>')
    for i in range(0, bins + 1, 4):
        x = pad_l + i * bw
        out.append(f'<text x="{x:.1f}" y="{height - pad_b + 16}" text-anchor="middle" font-size="10">'
                   f'{i * step:.1f}</text>')
    out.append(f'<text x="{pad_l + plot_w / 2:.1f}" y="{height - 4}" text-anchor="middle" font-size="11">'
               f'{html.escape(label)}</text>')
    out.append(f'<text x="{pad_l - 4}" y="16" text-anchor="end" font-size="10">{highest}</text>')
    for q, colour, y in ((50, "#1f6feb", 24), (95, "#cf222e", 38)):
        p = percentile(values, q)
        x = pad_l + plot_w * min(p / top, 1.0)
        out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="10" y2="{10 + plot_h}" stroke="{colour}" '
                   f'stroke-dasharray="4 3"/><text x="{x + 3:.1f}" y="{y}" font-size="10" fill="{colour}" '
                   f'stroke="#fff" stroke-width="3" paint-order="stroke">p{q} {p:.2f} s</text>')
    out.append("</svg>")
    return "".join(out)


CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#1f2328;max-width:1400px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}.muted{color:#656d76}
table{border-collapse:collapse;font-size:13px}th,td{border-bottom:1px solid #d0d7de;padding:4px 8px;text-align:left;
vertical-align:top}th{background:#f6f8fa;position:sticky;top:0}td.num,th.num{text-align:right;
font-variant-numeric:tabular-nums}tr.fail td:first-child{border-left:4px solid #cf222e}
tr.pass td:first-child{border-left:4px solid #2da44e}.charts{display:flex;gap:32px;flex-wrap:wrap}
.controls{display:flex;gap:12px;align-items:center;margin:8px 0;flex-wrap:wrap}.small{font-size:12px}
code{font-size:12px}.ok{color:#1a7f37}.bad{color:#cf222e}details{display:inline}summary{cursor:pointer}
#questions td{max-width:380px}#questions td:nth-child(3){min-width:260px}
"""

SCRIPT = """
(function () {
  var rows = Array.prototype.slice.call(document.querySelectorAll('#questions tbody tr'));
  var show = document.getElementById('show'), type = document.getElementById('type');
  var search = document.getElementById('search'), count = document.getElementById('count');
  function apply() {
    var text = search.value.toLowerCase(), shown = 0;
    rows.forEach(function (row) {
      var ok = (show.value === 'all' || row.dataset.status === show.value) &&
               (type.value === 'all' || row.dataset.type === type.value) &&
               (!text || row.textContent.toLowerCase().indexOf(text) !== -1);
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = shown + ' of ' + rows.length + ' questions';
  }
  [show, type].forEach(function (el) { el.addEventListener('change', apply); });
  search.addEventListener('input', apply);
  apply();
})();
"""


def _summary_table_html(summary: dict) -> str:
    cols = _columns(summary)
    head = "".join(f'<th class="num">{html.escape(t)}</th>' for _, t in cols)
    body = []
    for name, agg in _table_rows(summary):
        cells = "".join(f'<td class="num">{_f(_value(agg, k))}</td>' for k, _ in cols)
        style = ' style="font-weight:600"' if name == "all" else ""
        body.append(f'<tr{style}><td>{html.escape(name)}</td><td class="num">{agg["questions"]}</td>'
                    f'<td class="num">{agg["abstention"]["abstained"]}</td>{cells}</tr>')
    return (f'<table><thead><tr><th>type</th><th class="num">n</th><th class="num">abst</th>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>')


def _baselines_table_html(summary: dict) -> str:
    groups = _baseline_rows(summary)
    if not groups:
        return '<p class="muted">No baselines in these results (they predate them).</p>'
    head = "".join(f'<th class="num">{html.escape(t)}</th>' for _, t in BASELINES)
    body = []
    for name, group in groups:
        engine = group["engine"]
        cells = "".join(_baseline_cell_html(group[key]) for key, _ in BASELINES)
        style = ' style="font-weight:600"' if name in ("all", "yes/no") else ""
        body.append(f'<tr{style}><td>{html.escape(name)}</td><td class="num">{engine["n"]}</td>'
                    f'<td class="num">{_f(engine["strict"])}</td>{cells}</tr>')
    return (f'<table id="baselines"><thead><tr><th>type</th><th class="num">n</th><th class="num">engine strict</th>'
            f'{head}</tr></thead><tbody>{"".join(body)}</tbody></table>')


def _baseline_cell_html(result: dict) -> str:
    if result["n"] == 0:
        return '<td class="num">-</td>'
    css = "num" if result["beats"] else "num bad"
    tip = f"over {result['n']} question(s), engine {_f(result['engine'])} on them, delta {result['delta']:+.2f}"
    return f'<td class="{css}" title="{html.escape(tip)}">{html.escape(_baseline_cell(result).strip())}</td>'


def _kinds_table_html(summary: dict) -> str:
    kinds = summary["metrics"].get("by_kind")
    if not kinds:
        return '<p class="muted">The answers in these results carry no kind.</p>'
    body = "".join(f'<tr><td>{html.escape(kind)}</td><td class="num">{agg["questions"]}</td>'
                   f'<td class="num">{agg["answerable"]}</td><td class="num">{agg["abstention"]["abstained"]}</td>'
                   f'<td class="num">{_f(_value(agg, "strict"))}</td></tr>' for kind, agg in kinds.items())
    return ('<table id="kinds"><thead><tr><th>kind</th><th class="num">n</th><th class="num">answerable</th>'
            f'<th class="num">abst</th><th class="num">strict</th></tr></thead><tbody>{body}</tbody></table>')


def _question_rows_html(rows: list[dict]) -> str:
    out = []
    for r in rows:
        s, gold = r["scores"], r["gold"]
        status = "fail" if s["failed"] else "pass"
        golds = html.escape(gold["answer"]) + (
            f'<div class="muted small">also: {html.escape(" | ".join(gold["aliases"]))}</div>'
            if gold["aliases"] else "")
        none = '<span class="muted">none</span>'
        gold_files = "<br>".join(f"<code>{html.escape(f)}</code>" for f in gold["sources"]) or none
        cited = "<br>".join(
            f'<code class="{"ok" if f in gold["sources"] else "bad"}">{html.escape(f)}</code>' for f in r["cited_files"]
        ) or none
        answer = _long_text(r["answer"] or "")
        if r["abstained"]:
            answer = f'<span class="{"ok" if not gold["answerable"] else "bad"}">[abstained]</span> ' + answer
        judge = r.get("judge") or {}
        verdict = {True: "✓", False: "✗"}.get(judge.get("correct"), "")
        out.append(
            f'<tr class="{status}" data-status="{status}" data-type="{html.escape(r["type"])}">'
            f'<td><code>{html.escape(r["id"])}</code><div class="muted small">{html.escape(r["type"])}</div></td>'
            f'<td>{html.escape(r["question"])}</td><td>{answer}</td><td>{golds}</td>'
            f'<td class="small">{gold_files}</td><td class="small">{cited}</td>'
            f'<td class="num">{_f(s["strict"], 0)}</td><td class="num">{_f(s["f1"])}</td>'
            f'<td class="num">{_f(s["citation_recall"])}</td><td class="num">{_f(s["file_hit@4"], 0)}</td>'
            f'<td class="num">{verdict}</td><td class="num">{_f(r["timings"].get("total_s"))}</td></tr>')
    return "".join(out)


def _long_text(text: str, keep: int = 280) -> str:
    """Escaped text; past ``keep`` characters the rest folds away behind "more"."""
    if len(text) <= keep:
        return html.escape(text)
    cut = text.rfind(" ", 0, keep)
    cut = cut if cut > keep // 2 else keep
    return (f'{html.escape(text[:cut])}<details><summary class="muted small">more</summary>'
            f'{html.escape(text[cut:])}</details>')


def render_html(summary: dict, rows: list[dict]) -> str:
    """The whole report as one HTML page: no scripts, styles or fonts from elsewhere."""
    total = summary["metrics"]["all"]
    abst = total["abstention"]
    types = sorted({r["type"] for r in rows})
    type_options = "".join(f'<option value="{html.escape(t)}">{html.escape(t)}</option>' for t in types)
    judge = (f'<p>LLM judge ({html.escape(summary["judge"]["model"])}): {_f(total["judge"])} said correct over '
             f'{total["judged"]} answers. This is a model\'s opinion, kept apart from the scores above.</p>'
             if summary.get("judge") else "")
    totals = [r["timings"]["total_s"] for r in rows if r["timings"].get("total_s") is not None]
    settings_json = html.escape(json.dumps(summary["settings"], indent=2, ensure_ascii=False))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>newsqa eval: {html.escape(summary['pack'])}</title><style>{CSS}</style></head>
<body>
<h1>newsqa eval: {html.escape(summary['pack'])}</h1>
<p class="muted">{summary['questions']} of {summary['of']} questions ({total['answerable']} answerable), corpus
<code>{html.escape(summary['settings']['corpus'])}</code> ({summary['corpus_files']} files,
{summary['corpus_chunks']} chunks). {html.escape(settings_line(summary))}. Started {html.escape(summary['started'])},
{summary['wall_s']:.0f} s.</p>

<h2>Scores by question type</h2>
{_summary_table_html(summary)}
<p class="small muted">{html.escape(legend() + " " + SCOPE)}</p>
<p>Abstention: precision {_f(abst['precision'])}, recall {_f(abst['recall'])}
({abst['abstained']} abstained, {abst['unanswerable']} unanswerable). Latency: retrieval p50
{_f(total['retrieval_s_p50'], 3)} s, p95 {_f(total['retrieval_s_p95'], 3)} s; whole answer p50
{_f(total['total_s_p50'])} s, p95 {_f(total['total_s_p95'])} s.</p>
{judge}
<div class="charts">
<figure><figcaption>Scores by question type (answerable questions; null_query: correct abstentions)</figcaption>
{bars_svg(summary)}</figure>
<figure><figcaption>Whole-answer latency</figcaption>{histogram_svg(totals)}</figure>
</div>

<h2>Against baselines without an LLM</h2>
{_baselines_table_html(summary)}
<p class="small muted">{html.escape(BASELINE_LEGEND)}</p>

<h2>Strict by answer kind</h2>
{_kinds_table_html(summary)}
<p class="small muted">The kind of answer the engine took each question to want; strict over its answerable
questions (for a kind of unanswerable questions only, the share that abstained).</p>

<h2>Questions</h2>
<div class="controls">
<label>Show <select id="show"><option value="all">all</option><option value="fail">failures</option>
<option value="pass">passes</option></select></label>
<label>Type <select id="type"><option value="all">all</option>{type_options}</select></label>
<label>Search <input id="search" type="search" placeholder="words in any column"></label>
<span id="count" class="muted"></span>
</div>
<table id="questions"><thead><tr><th>id</th><th>question</th><th>answer</th><th>gold answer</th>
<th>gold sources</th><th>cited</th><th class="num">strict</th><th class="num">F1</th><th class="num">citeR</th>
<th class="num">hit@4</th><th class="num">judge</th><th class="num">s</th></tr></thead>
<tbody>{_question_rows_html(rows)}</tbody></table>
<p class="small muted">A failure: a wrong answer (strict), an abstention on an answerable question, or an answer to
an unanswerable one. Cited files in green are gold sources, in red are not.</p>

<h2>Settings</h2>
<pre class="small">{settings_json}</pre>
<script>{SCRIPT}</script>
</body></html>
"""


def write_html(summary: dict, rows: list[dict], path: str | Path) -> Path:
    path = Path(path)
    path.write_text(render_html(summary, rows), encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------
# Comparing two runs

COMPARED_BESIDE_METRICS = ["strict_all", "retrieval_s_p50", "total_s_p50", "total_s_p95"]


def compare(a: tuple[dict, list[dict]], b: tuple[dict, list[dict]]) -> dict:
    """What changed from run ``a`` to run ``b``: settings, metrics, and question by question."""
    (sa, rows_a), (sb, rows_b) = a, b
    skip = {"pack_dir"}
    keys = sorted(set(sa["settings"]) | set(sb["settings"]))
    settings = {k: (sa["settings"].get(k), sb["settings"].get(k)) for k in keys
                if k not in skip and sa["settings"].get(k) != sb["settings"].get(k)}
    ma, mb = sa["metrics"]["all"], sb["metrics"]["all"]
    keys = [metric.key for metric in columns(has_evidence=True)] + COMPARED_BESIDE_METRICS
    metrics = {k: (ma.get(k), mb.get(k)) for k in keys if ma.get(k) is not None or mb.get(k) is not None}
    metrics["abstention_recall"] = (ma["abstention"]["recall"], mb["abstention"]["recall"])
    metrics["abstention_precision"] = (ma["abstention"]["precision"], mb["abstention"]["precision"])
    by_a = {r["id"]: r for r in rows_a}
    by_b = {r["id"]: r for r in rows_b}
    better, worse, changed = [], [], []
    for qid in [i for i in by_a if i in by_b]:
        ra, rb = by_a[qid], by_b[qid]
        fa, fb = ra["scores"]["failed"], rb["scores"]["failed"]
        item = {"id": qid, "type": ra["type"], "question": ra["question"], "gold": ra["gold"]["answer"],
                "a": ra["answer"], "b": rb["answer"], "a_failed": fa, "b_failed": fb,
                "a_cited": ra["cited_files"], "b_cited": rb["cited_files"]}
        if fa and not fb:
            better.append(item)
        elif fb and not fa:
            worse.append(item)
        elif ra["answer"] != rb["answer"] or ra["cited_files"] != rb["cited_files"]:
            changed.append(item)
    return {"a": sa, "b": sb, "settings": settings, "metrics": metrics, "better": better, "worse": worse,
            "changed": changed, "only_a": sorted(set(by_a) - set(by_b)), "only_b": sorted(set(by_b) - set(by_a))}


def format_compare(diff: dict, names: tuple[str, str] = ("A", "B")) -> str:
    a, b = names
    lines = [f"A = {a}: {settings_line(diff['a'])}", f"B = {b}: {settings_line(diff['b'])}", ""]
    if diff["settings"]:
        lines.append("settings that differ:")
        lines += [f"  {k}: {va!r} -> {vb!r}" for k, (va, vb) in diff["settings"].items()]
        lines.append("")
    lines.append(f"{'metric':<22}{'A':>8}{'B':>8}{'B-A':>8}")
    for k, (va, vb) in diff["metrics"].items():
        delta = vb - va if va is not None and vb is not None else None
        digits = 3 if k.endswith(("_p50", "_p95")) else 2
        sign = "+" if delta is not None and delta > 0 else ""
        lines.append(f"{k:<22}{_f(va, digits):>8}{_f(vb, digits):>8}{sign + _f(delta, digits):>8}")
    for title, key in (("better in B (failed in A, passed in B)", "better"),
                       ("worse in B (passed in A, failed in B)", "worse"),
                       ("answer or citations changed, same verdict", "changed")):
        items = diff[key]
        lines += ["", f"{title}: {len(items)}"]
        for item in items[:50]:
            lines.append(f"  {item['id']} [{item['type']}] {_short(item['question'], 90)}  "
                         f"gold: {_short(item['gold'], 40)}")
            lines.append(f"      A: {_short(item['a'], 110)}")
            lines.append(f"      B: {_short(item['b'], 110)}")
    if diff["only_a"] or diff["only_b"]:
        lines += ["", f"questions only in A: {len(diff['only_a'])}, only in B: {len(diff['only_b'])}"]
    return "\n".join(lines)


def _short(text: str, n: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"
