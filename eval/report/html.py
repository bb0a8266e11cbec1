"""The HTML report: one self-contained page (inline CSS, JS and SVG; no external asset).

Sections: summary with every signature, a chart of the most frequent terms, per-document figures,
a per-term table that sorts on a click of its header, and a per-segment view in which source
terms are highlighted (found, missed, forbidden) and the renderings in the English are marked.
Every piece of text goes through :func:`html.escape`.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from unmt import __version__
from unmt.eval.report.view import (
    fmt,
    pct,
    reference_spans,
    report_title,
    segment_spans,
    summary_rows,
)

if TYPE_CHECKING:
    from unmt.eval.metrics import TermRow
    from unmt.eval.scoring import ScoreResult

_CSS = """
body{font:14px/1.45 system-ui,"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;
margin:1.5em auto;max-width:1200px;padding:0 1em;
color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:3px 7px;
vertical-align:top;text-align:left}th{background:#f3f3f3}td.n{text-align:right}
table.sortable th{cursor:pointer;user-select:none}
table.sortable th:after{content:" \\2195";color:#999}
code{font-size:12px;word-break:break-all}td,.seg div{overflow-wrap:anywhere}
mark.ok{background:#c8f0c8}mark.miss{background:#ffd0d0}mark.bad{background:#ffb347;
text-decoration:line-through}.seg{border:1px solid #e4e4e4;margin:.6em 0;padding:.4em .7em}
.seg .h{color:#666;font-size:12px}.seg div{margin:.15em 0}.lab{display:inline-block;width:2.5em;
color:#888;font-size:12px}.missing{color:#b00;font-size:12px}.rend{font-size:12px}
"""

_JS = """
document.querySelectorAll('table.sortable th').forEach(function(th){
 th.addEventListener('click',function(){
  var table=th.closest('table'),body=table.tBodies[0],col=th.cellIndex;
  var asc=th.dataset.dir!=='asc';th.dataset.dir=asc?'asc':'desc';
  var rows=Array.prototype.slice.call(body.rows);
  function key(r){var c=r.cells[col],v=c.dataset.v!==undefined?c.dataset.v:c.textContent;
   var n=parseFloat(v);return isNaN(n)?v.toLowerCase():n;}
  rows.sort(function(a,b){var x=key(a),y=key(b);
   if(typeof x!==typeof y){x=String(x);y=String(y);}return (x<y?-1:x>y?1:0)*(asc?1:-1);});
  rows.forEach(function(r){body.appendChild(r);});
 });
});
var f=document.getElementById('segfilter'),term=null,note=document.getElementById('termnote');
function show(){var segs=Array.prototype.slice.call(document.querySelectorAll('.seg'));
 segs.forEach(function(s){var ids=(s.dataset.terms||'').split('\t');
  var ok=term?ids.indexOf(term)>=0:(f.value==='all'?s.classList.contains('has-terms'):
   f.value==='every'||s.classList.contains(f.value));
  s.style.display=ok?'':'none';});
 if(term){var box=segs.length?segs[0].parentNode:null;  /* misses of the term first */
  segs.filter(function(s){return (s.dataset.miss||'').split('\t').indexOf(term)>=0;})
   .concat(segs.filter(function(s){return (s.dataset.miss||'').split('\t').indexOf(term)<0;}))
   .forEach(function(s){box.appendChild(s);});}
 if(note){note.style.display=term?'':'none';}}
if(f){f.addEventListener('change',function(){term=null;show();});show();}
document.querySelectorAll('a.term').forEach(function(a){a.addEventListener('click',function(){
 term=a.dataset.term;if(note){note.firstChild.textContent='segments with '+a.textContent+
  ' (misses first) ';}show();});});
var clear=document.getElementById('termclear');
if(clear){clear.addEventListener('click',function(e){e.preventDefault();term=null;show();});}
"""


def _v(value: float | None) -> str:
    """A sort key for a cell: the number, or -1 for n/a."""
    return "-1" if value is None else f"{value:.6f}"


def _chart(rows: list[TermRow], limit: int = 20) -> str:
    """Horizontal bars: occurrences of the most frequent terms, split into found and missed."""
    top = rows[:limit]
    if not top:
        return "<p>No glossary term occurs in the source.</p>"
    width, label_w, bar_h = 900, 400, 16
    biggest = max(r.occurrences for r in top)
    scale = (width - label_w - 60) / biggest
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{len(top) * (bar_h + 4) + 24}" role="img" '
        'aria-label="most frequent terms: found and missed">'
    ]
    for i, r in enumerate(top):
        y = i * (bar_h + 4)
        ok = r.hits * scale
        miss = (r.occurrences - r.hits) * scale
        label = f"{r.zh} — {r.en}"
        label = escape(label if len(label) <= 44 else label[:43] + "…")
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 12}" font-size="11" text-anchor="end">'
            f"{label}</text>"
            f'<rect x="{label_w}" y="{y}" width="{ok:.1f}" height="{bar_h}" fill="#5cb85c">'
            f"<title>{escape(r.en)}: {r.hits} found</title></rect>"
            f'<rect x="{label_w + ok:.1f}" y="{y}" width="{miss:.1f}" height="{bar_h}" '
            f'fill="#d9534f"><title>{escape(r.en)}: {r.occurrences - r.hits} missed</title></rect>'
            f'<text x="{label_w + ok + miss + 4:.1f}" y="{y + 12}" font-size="11">'
            f"{r.hits}/{r.occurrences}</text>"
        )
    y = len(top) * (bar_h + 4) + 14
    parts.append(
        f'<rect x="{label_w}" y="{y - 9}" width="10" height="10" fill="#5cb85c"/>'
        f'<text x="{label_w + 14}" y="{y}" font-size="11">found (approved or variant)</text>'
        f'<rect x="{label_w + 190}" y="{y - 9}" width="10" height="10" fill="#d9534f"/>'
        f'<text x="{label_w + 204}" y="{y}" font-size="11">missed</text></svg>'
    )
    return "".join(parts)


def _marked(text: str, spans: list[tuple[int, int, str, str]]) -> str:
    out, pos = [], 0
    for start, end, cls, title in spans:
        out.append(escape(text[pos:start]))
        out.append(f'<mark class="{cls}" title="{escape(title)}">{escape(text[start:end])}</mark>')
        pos = end
    out.append(escape(text[pos:]))
    return "".join(out)


def _segments(result: ScoreResult) -> str:
    if not result.segments and result.n_segments:
        links = "".join(
            f"<li><a href='{escape(href)}'>{escape(doc)}</a></li>"
            for doc, href in result.document_links.items()
        )
        return f"<p>Each document's segments are in its own report:</p><ul>{links}</ul>"
    with_terms = sum(1 for s in result.segments if s.hits)
    out = [
        f"<p>{with_terms} of {len(result.segments)} segments contain glossary terms. Show "
        '<select id="segfilter"><option value="all">segments with terms</option>'
        '<option value="has-miss">with a missed term</option>'
        '<option value="has-bad">with a forbidden rendering</option>'
        '<option value="every">every segment</option></select> '
        "(click a term in the table to see its segments)</p>"
        '<p id="termnote" style="display:none"><b>segments with a term</b> '
        '<a href="#" id="termclear">show all</a></p>'
    ]
    for seg in result.segments:
        src_spans, hyp_spans, missing = segment_spans(seg)
        classes = ["seg"]
        if seg.hits:
            classes.append("has-terms")
        if missing:
            classes.append("has-miss")
        if any(h.forbidden for h in seg.hits):
            classes.append("has-bad")
        found = sum(h.found for h in seg.hits)
        chrf = f" · chrF {seg.chrf:.2f}" if seg.chrf is not None else ""
        terms = "\t".join(dict.fromkeys(h.entry for h in seg.hits))
        missed = "\t".join(dict.fromkeys(h.entry for h in seg.hits if not h.found))
        out.append(
            f'<div class="{" ".join(classes)}" id="seg-{escape(seg.id)}" '
            f'data-terms="{escape(terms)}" data-miss="{escape(missed)}">'
            f'<div class="h">{escape(seg.id)}{escape(" · " + seg.doc) if seg.doc else ""}'
            f" · terms {found}/{len(seg.hits)}{chrf}</div>"
            f'<div><span class="lab">zh</span>{_marked(seg.src, src_spans)}</div>'
            f'<div><span class="lab">mt</span>{_marked(seg.hyp, hyp_spans)}</div>'
        )
        if seg.ref is not None:
            ref = _marked(seg.ref, reference_spans(seg))
            out.append(f'<div><span class="lab">ref</span>{ref}</div>')
        if missing:
            items = "; ".join(f"{escape(zh)} → {escape(en)}" for zh, en in missing)
            out.append(f'<div class="missing">missing: {items}</div>')
        out.append("</div>")
    return "".join(out)


def _term_link(row: TermRow, segments: bool) -> str:
    """The term's Chinese, a link that filters the segments to it where they are shown."""
    if not segments:
        return escape(row.zh)
    return f'<a class="term" href="#segments" data-term="{escape(row.entry)}">{escape(row.zh)}</a>'


def _term_table(rows: list[TermRow], segments: bool = False) -> str:
    head = (
        "<tr><th>Chinese</th><th>approved English</th><th>glossary</th><th>occurrences</th>"
        "<th>hits</th><th>accuracy</th><th>ref-confirmed</th><th>forbidden</th>"
        "<th>renderings produced</th></tr>"
    )
    body = []
    for r in rows:
        rend = "; ".join(
            f"{escape(text) if text else '<i>none found</i>'} ×{n}" for text, n in r.renderings
        )
        acc = r.accuracy
        body.append(
            f"<tr><td>{_term_link(r, segments)}</td><td>{escape(r.en)}</td>"
            f"<td>{escape(r.glossary)}</td>"
            f'<td class="n">{r.occurrences}</td><td class="n">{r.hits}</td>'
            f'<td class="n" data-v="{_v(acc)}">{pct(acc)}</td>'
            f'<td class="n" data-v="{r.ref_hits}">{r.ref_hits}/{r.ref_occurrences}</td>'
            f'<td class="n">{r.forbidden}</td><td class="rend">{rend}</td></tr>'
        )
    return f'<table class="sortable"><thead>{head}</thead><tbody>{"".join(body)}</tbody></table>'


def _doc_cell(result: ScoreResult, doc: str) -> str:
    href = result.document_links.get(doc)
    name = escape(doc or "(none)")
    return f"<a href='{escape(href)}'>{name}</a>" if href else name


def render_html(result: ScoreResult, title: str | None = None) -> str:
    """The whole report as one HTML string (``title``: :func:`report_title` by default)."""
    title = title or report_title(result)
    summary = "".join(
        f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in summary_rows(result)
    )
    sigs = "".join(
        f"<tr><th>{escape(k)}</th><td><code>{escape(str(v))}</code></td></tr>"
        for k, v in result.signature.items()
    )
    details = "".join(f"<li><code>{escape(v)}</code></li>" for v in result.details.values())
    docs = ""
    if len(result.documents) > 1:
        drows = "".join(
            f"<tr><td>{_doc_cell(result, d.doc)}</td><td class='n'>{d.segments}</td>"
            f"<td class='n'>{fmt(d.scores.get('bleu'))}</td>"
            f"<td class='n'>{fmt(d.scores.get('chrf'))}</td>"
            f"<td class='n'>{d.terms.occurrences}</td>"
            f"<td class='n' data-v='{_v(d.terms.term_accuracy)}'>{pct(d.terms.term_accuracy)}</td>"
            f"<td class='n' data-v='{_v(d.terms.consistency)}'>{pct(d.terms.consistency)}</td>"
            f"<td class='n'>{d.terms.forbidden}</td></tr>"
            for d in result.documents
        )
        opened = " open" if len(result.documents) <= 30 else ""
        docs = (
            f"<h2>Documents ({len(result.documents)})</h2><details{opened}>"
            "<summary>per-document figures</summary><table class='sortable'><thead><tr>"
            "<th>document</th>"
            "<th>segments</th><th>BLEU</th><th>chrF</th><th>term occurrences</th>"
            "<th>term accuracy</th><th>consistency</th><th>forbidden</th></tr></thead>"
            f"<tbody>{drows}</tbody></table></details>"
        )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{escape(title)}</h1>"
        f"<h2>Summary</h2><table>{summary}</table>"
        f"<h3>Signatures</h3><table>{sigs}</table>"
        + (f"<ul>{details}</ul>" if details else "")
        + f"<h2>Most frequent terms</h2>{_chart(list(result.table))}"
        + docs
        + f"<h2>Terms ({len(result.table)})</h2><p>Click a column header to sort.</p>"
        + _term_table(list(result.table), segments=bool(result.segments))
        + f"<h2 id='segments'>Segments</h2>{_segments(result)}"
        + f"<p class='h'>unmt {escape(__version__)}</p><script>{_JS}</script></body></html>\n"
    )
