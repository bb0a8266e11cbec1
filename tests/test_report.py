"""score_segments and the HTML / Markdown / JSON reports."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from unmt.errors import UserError
from unmt.eval.glossary.load import Entry, Glossary
from unmt.eval.report.markdown import md
from unmt.eval.report.view import summary_rows
from unmt.eval.report.write import write_report
from unmt.eval.scoring import score_segments
from unmt.eval.terms.matcher import TermMatcher

GLOSSARY = Glossary(
    "mini",
    "cd" * 32,
    (
        Entry("ms", "会员国", "Member States", glossary="mini"),
        Entry("sg", "秘书长", "Secretary-General", glossary="mini"),
        Entry(
            "ct", "反恐怖主义", "counter-terrorism", forbidden=("anti-terrorism",), glossary="mini"
        ),
    ),
    (("mini", "cd" * 32),),
)
SRC = [
    "秘书长欢迎会员国的反恐怖主义措施。",
    "会员国<b>应当</b>合作。",
    "没有术语。",
    "秘书长发言。",
]
HYP = [
    "The Secretary-General welcomed the anti-terrorism measures of Member States.",
    "<script>alert('x')</script> States should cooperate.",
    "No terms.",
    "",
]
REF = [
    "The Secretary-General welcomed counter-terrorism measures by Member States.",
    "Member States should cooperate.",
    "No terms here.",
    "The Secretary-General spoke.",
]
IDS = ["docA:p1.s1", "docA:p2.s1", "docB:p1.s1", "docB:p2.s1"]


@pytest.fixture(scope="module")
def result():  # type: ignore[no-untyped-def]
    return score_segments(
        SRC, HYP, REF, GLOSSARY, seg_ids=IDS, metrics=("bleu", "chrf"), context={"model": "m@1"}
    )


def test_summary_figures(result) -> None:  # type: ignore[no-untyped-def]
    s = result.summary_json()
    for key in (
        "bleu",
        "chrf",
        "ter",
        "term_accuracy",
        "term_accuracy_ref",
        "consistency",
        "segments",
        "term_occurrences",
        "signature",
    ):
        assert key in s
    assert (s["segments"], s["documents"], s["term_occurrences"], s["term_hits"]) == (4, 2, 5, 2)
    assert s["term_accuracy"] == pytest.approx(2 / 5)
    # every occurrence's approved English is in the reference
    assert s["term_occurrences_ref"] == 5 and s["term_accuracy_ref"] == pytest.approx(2 / 5)
    assert s["consistency"] == pytest.approx(2 / 4)  # ms 1 of 2, sg 1 of 2
    assert s["forbidden"] == 1
    assert s["ter"] is None and 0 <= s["bleu"] <= 100 and 0 <= s["chrf"] <= 100
    assert s["signature"]["terms"].endswith("|model:m@1")
    assert s["signature"]["bleu"].startswith("nrefs:1|")
    assert json.loads(json.dumps(s)) == s


def test_documents_and_recut(result) -> None:  # type: ignore[no-untyped-def]
    assert [(d.doc, d.segments, d.terms.occurrences) for d in result.documents] == [
        ("docA", 2, 4),
        ("docB", 2, 1),
    ]
    b = result.for_document("docB")
    assert [s.id for s in b.segments] == ["docB:p1.s1", "docB:p2.s1"]
    assert b.terms.term_accuracy == 0.0 and b.scores == result.documents[1].scores
    assert [r.entry for r in b.table] == ["sg"]


def test_matcher_reuse_and_no_reference() -> None:
    r = score_segments(SRC, HYP, None, TermMatcher(GLOSSARY))
    s = r.summary_json()
    assert s["bleu"] is None and s["term_accuracy_ref"] is None
    assert [seg.id for seg in r.segments] == ["1", "2", "3", "4"]
    assert set(s["signature"]) == {"terms"}


def test_length_mismatch_is_an_error() -> None:
    with pytest.raises(ValueError, match="4 source segments but 3 hyp"):
        score_segments(SRC, HYP[:3], None, GLOSSARY)


def test_html_report(result, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write_report(result, tmp_path / "报告 dir" / "report.html")
    html = path.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    # self-contained: no external script, style sheet, image or font
    assert not re.search(r"<(link|img|iframe)\b|\bsrc=|@import|url\(", html)
    assert "<svg" in html and 'table class="sortable"' in html and "addEventListener" in html
    # everything escaped
    assert "<script>alert" not in html and "&lt;script&gt;alert(&#x27;x&#x27;)" in html
    assert "&lt;b&gt;应当&lt;/b&gt;" in html
    # highlights: found, missed, forbidden
    assert '<mark class="ok"' in html and '<mark class="miss"' in html
    assert '<mark class="bad"' in html and ">anti-terrorism</mark>" in html
    # the reference shows where it uses the approved English (p2.s1: the MT missed 会员国)
    assert 'title="reference for 会员国 → Member States">Member States</mark> should' in html
    for text in ("Secretary-General", "counter-terrorism", "anti-terrorism ×1", "docA:p2.s1"):
        assert text in html
    assert str(result.signature["chrf"]) in html
    assert [p.name for p in path.parent.iterdir()] == ["report.html"]  # no temp file left


def test_markdown_report(result, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = write_report(result, tmp_path / "r.md").read_text(encoding="utf-8")
    assert "## Terms (3)" in text and "## Segments" in text
    assert "**Secretary-General**" in text and "~~anti-terrorism~~" in text
    assert "*秘书长*发言" in text
    assert "&lt;script&gt;" in text and "<script>" not in text
    assert str(result.signature["terms"]) in text
    assert (
        "| 会员国 | Member States | 2 | 1 | 50.0% | 1/2 | 0 | Member States ×1; (none found) ×1 |"
        in text
    )


def test_json_report(result, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(write_report(result, tmp_path / "r.json").read_text(encoding="utf-8"))
    assert set(data) == {"summary", "details", "documents", "terms", "segments"}
    assert data["summary"] == result.summary_json()
    assert [t["entry"] for t in data["terms"]] == ["ms", "sg", "ct"]
    seg = data["segments"][0]
    assert seg["id"] == "docA:p1.s1" and len(seg["hits"]) == 3 and seg["forbidden"] == 1
    assert seg["hits"][2]["forbidden"] == [["anti-terrorism", 35, 49]]


def test_unknown_suffix(result, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UserError, match="unknown report format"):
        write_report(result, tmp_path / "r.pdf")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("text", "escaped"),
    [("a|b", "a\\|b"), ("*x*", "\\*x\\*"), ("<i>", "&lt;i&gt;"), ("line\nbreak", "line break")],
)
def test_markdown_escape(text: str, escaped: str) -> None:
    assert md(text) == escaped


@pytest.mark.parametrize(
    ("context", "expected"),
    [
        ({"model": "m@1"}, "m@1"),
        ({"model": "tiny@sha256:ab", "meaningless": "yes"}, "RANDOM WEIGHTS"),
        ({}, None),
    ],
)
def test_summary_names_the_model_and_warns_on_random_weights(
    context: dict[str, str], expected: str | None
) -> None:
    r = score_segments(SRC, HYP, None, GLOSSARY, context=context)
    rows = dict(summary_rows(r))
    if expected is None:
        assert "model" not in rows
    else:
        assert expected in rows["model"]
        assert ("RANDOM WEIGHTS" in rows["model"]) == (context.get("meaningless") == "yes")


def test_corpus_combined_from_documents_equals_scoring_at_once() -> None:
    """combine_documents: per-document hits and sufficient statistics give exactly the figures
    of scoring every segment in one call (BLEU, chrF, TER, terms, per-document rows)."""
    from unmt.eval.scoring import DocumentPart, combine_documents

    matcher = TermMatcher(GLOSSARY)
    whole = score_segments(SRC, HYP, REF, matcher, seg_ids=IDS, context={"model": "m@1"})
    parts = []
    for doc, idx in (("docA", [0, 1]), ("docB", [2, 3])):
        one = score_segments(
            [SRC[i] for i in idx], [HYP[i] for i in idx], [REF[i] for i in idx], matcher,
            seg_ids=[IDS[i] for i in idx],
        )  # fmt: skip
        assert one.ref_stats is not None
        stats = json.loads(json.dumps(one.ref_stats.stats_json()))  # as stats.json keeps them
        parts.append(DocumentPart(doc, len(idx), tuple(one.hits), stats))
    combined = combine_documents(iter(parts), matcher, context={"model": "m@1"})  # read once
    assert combined.scores == whole.scores and combined.details == whole.details
    assert combined.terms == whole.terms and combined.table == whole.table
    assert combined.documents == whole.documents
    assert combined.summary_json() == whole.summary_json()
    assert combined.reference_documents is None  # every document has a reference
    without = combine_documents([DocumentPart("x", 1, ()), *parts], matcher)
    assert without.scores == whole.scores  # a document without reference: over the others
    assert without.reference_documents == 2 and without.details == whole.details


def test_corpus_scores_over_the_documents_with_a_reference(tmp_path: Path) -> None:
    """Issue 23: with references for some documents only, corpus BLEU/chrF/TER are sacreBLEU's
    corpus scores of those documents' segments together, and the report says how many."""
    from sacrebleu.metrics import BLEU, CHRF, TER

    from unmt.eval.scoring import DocumentPart, combine_documents

    matcher = TermMatcher(GLOSSARY)
    docs = {"docA": [0, 1], "none1": [2], "docB": [2, 3], "none2": [0, 3], "docC": [1]}
    parts, hyps, refs = [], [], []
    for doc, idx in docs.items():
        stats = None
        if doc.startswith("doc"):
            one = score_segments([SRC[i] for i in idx], [HYP[i] for i in idx],
                                 [REF[i] for i in idx], matcher)  # fmt: skip
            assert one.ref_stats is not None
            stats = json.loads(json.dumps(one.ref_stats.stats_json()))
            hyps += [HYP[i] for i in idx]
            refs += [REF[i] for i in idx]
        parts.append(DocumentPart(doc, len(idx), (), stats))
    combined = combine_documents(parts, matcher)
    for name, metric in (("bleu", BLEU()), ("chrf", CHRF()), ("ter", TER())):
        expected = round(metric.corpus_score(hyps, [refs]).score, 2)
        assert combined.scores[name] == expected, name
    assert combined.reference_documents == 3 and combined.summary_json()["reference_documents"] == 3
    rows = dict(summary_rows(combined))
    bleu = f"{combined.scores['bleu']:.2f}"
    assert rows["BLEU"] == f"{bleu} over 3 of 5 documents with a reference"
    assert rows["TER"].endswith(" over 3 of 5 documents with a reference")
    assert [d.scores["bleu"] is None for d in combined.documents] == [False, True, False, True,
                                                                       False]  # fmt: skip
    write_report(combined, tmp_path / "r.md")
    assert "over 3 of 5 documents with a reference" in (tmp_path / "r.md").read_text("utf-8")


def test_titles_name_the_document_or_the_corpus(tmp_path: Path) -> None:
    from unmt.eval.report.view import report_title

    one = score_segments(SRC, HYP, REF, GLOSSARY, seg_ids=IDS, doc_ids=["A/75/1"] * len(SRC))
    assert report_title(one) == "A/75/1: unmt terminology and quality report"
    out = tmp_path / "r.html"
    write_report(one, out)
    assert "<title>A/75/1: unmt terminology and quality report</title>" in out.read_text("utf-8")
    named = dataclasses.replace(one, name="corpus of 3 documents")
    assert report_title(named).startswith("corpus of 3 documents: ")


def _dom_shim(page: str) -> str:
    """JavaScript building fake elements for the report's segments, term links and filter
    controls (read from the page with Python's HTML parser), so the page's own script runs in
    node as in a browser."""
    from html.parser import HTMLParser

    segs: list[dict[str, str]] = []
    links: list[dict[str, str]] = []

    class Reader(HTMLParser):
        link: dict[str, str] | None = None

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            a = {k: v or "" for k, v in attrs}
            if tag == "div" and "seg" in a.get("class", "").split():
                segs.append(a)
            if tag == "a" and a.get("class") == "term":
                self.link = a

        def handle_data(self, data: str) -> None:
            if self.link is not None:
                links.append({**self.link, "text": data})
                self.link = None

    Reader().feed(page)
    return (
        "function El(a){this.id=a.id||'';this.dataset={terms:a['data-terms'],miss:a['data-miss'],"
        "term:a['data-term']};this.cls=(a['class']||'').split(' ');this.style={};"
        "this.textContent=a.text||'';this.firstChild={textContent:''};this.on={};"
        "this.classList={contains:(c)=>this.cls.indexOf(c)>=0};}"
        "El.prototype.addEventListener=function(e,f){this.on[e]=f;};"
        "var box={kids:[],appendChild:function(s){this.kids.splice(this.kids.indexOf(s),1);"
        "this.kids.push(s);}};"
        f"var segs={json.dumps(segs)}.map(function(a){{var e=new El(a);e.parentNode=box;"
        "box.kids.push(e);return e;});"
        f"var links={json.dumps(links)}.map(function(a){{return new El(a);}});"
        "var ids={segfilter:new El({}),termnote:new El({}),termclear:new El({})};"
        "ids.segfilter.value='all';"
        "var document={getElementById:(i)=>ids[i]||null,querySelectorAll:function(q){"
        "return q==='.seg'?box.kids.slice():q==='a.term'?links:[];}};"
    )


def test_clicking_a_term_shows_its_segments_misses_first(tmp_path: Path) -> None:
    """The HTML report's script, run in node: by default the segments with terms; a term's
    link shows only the segments holding it, its misses first; 'every segment' shows all."""
    import shutil
    import subprocess

    from unmt.eval.report.engine import asset

    _JS = str(asset("report.js"))

    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    r = score_segments(SRC, HYP, REF, GLOSSARY, seg_ids=IDS, metrics=("bleu",))
    out = tmp_path / "r.html"
    write_report(r, out)
    driver = (
        "function seen(){return box.kids.filter((s)=>s.style.display!=='none').map((s)=>s.id);}"
        "console.log(JSON.stringify(seen()));"
        "links.filter((a)=>a.dataset.term==='ms')[0].on.click();"
        "console.log(JSON.stringify(seen()));"
        "ids.segfilter.value='every';ids.segfilter.on.change();"
        "console.log(JSON.stringify(seen()));"
    )
    script = _dom_shim(out.read_text(encoding="utf-8")) + _JS + driver
    proc = subprocess.run(["node", "-e", script], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    default, ms, every = (json.loads(line) for line in proc.stdout.splitlines())
    assert default == ["seg-docA:p1.s1", "seg-docA:p2.s1", "seg-docB:p2.s1"]  # terms only
    assert ms == ["seg-docA:p2.s1", "seg-docA:p1.s1"]  # 会员国 missed in p2.s1: first
    assert len(every) == 4  # the segment without terms too


def test_document_rows_live_in_a_file_and_read_back_in_order() -> None:
    """DocumentRows: what is appended reads back equal and in order, as often as asked; the
    metrics mask turns the figures not every document has into None; indexing and == work."""
    from unmt.eval.metrics import summarize_terms
    from unmt.eval.scoring import DocumentResult, DocumentRows

    rows = DocumentRows()
    made = [
        DocumentResult(f"d{i}", i, summarize_terms(()), {"bleu": i / 3, "chrf": 1.0, "ter": None})
        for i in range(500)
    ]
    for r in made:
        rows.append(r)
    assert len(rows) == 500 and list(rows) == made and list(rows) == made  # twice
    assert rows[0] == made[0] and rows[-1] == made[-1] and rows == tuple(made)
    with pytest.raises(IndexError):
        rows[500]
    rows.metrics = frozenset({"chrf"})
    assert [r.scores for r in rows][:1] == [{"bleu": None, "chrf": 1.0, "ter": None}]


@pytest.mark.parametrize("which", ["segments", "corpus", "empty"])
def test_json_report_streams_the_same_bytes(which: str) -> None:
    """iter_json writes exactly json.dumps(to_json(), indent=1): per-segment results, a corpus
    result whose document rows are in a temporary file, and empty lists."""
    from unmt.eval.report.write import iter_json
    from unmt.eval.scoring import DocumentPart, combine_documents

    matcher = TermMatcher(GLOSSARY)
    if which == "segments":
        r = score_segments(SRC, HYP, REF, matcher, seg_ids=IDS)
    elif which == "corpus":
        parts = [DocumentPart("docA", 2, ()), DocumentPart("<b>&'", 1, ())]
        r = combine_documents(parts, matcher)
    else:
        r = score_segments(["没有术语。"], ["No terms."], None, matcher)
        r = dataclasses.replace(r, segments=(), table=())
    whole = json.dumps(r.to_json(), ensure_ascii=False, indent=1) + "\n"
    assert "".join(iter_json(r)) == whole
    assert json.loads(whole)["documents"] is not None


def test_templates_escape_by_default(tmp_path: Path) -> None:
    """A glossary entry and document id full of markup come out escaped in HTML and Markdown
    wherever they appear (term table, chart, document table, segments)."""
    from unmt.eval.report.html import render_html
    from unmt.eval.report.markdown import render_markdown

    evil = Glossary(
        "x",
        "ab" * 32,
        (Entry("e1", "会员国", "<img src=x onerror=alert(1)>", glossary="<i>g</i>"),),
        (("x", "ab" * 32),),
    )
    r = score_segments(
        ["会员国<b>应当</b>合作。", "会员国。"], ["Member States", "x"], None, evil,
        seg_ids=["<d>:p1.s1", "e:p1.s1"],
    )  # fmt: skip
    page = render_html(r)
    assert "<img" not in page and "<i>g" not in page and "<b>应当" not in page and "<d>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "&lt;d&gt;:p1.s1" in page
    text = render_markdown(r)
    before, chart, after = text.split("```\n")  # the chart is a code block: shown verbatim
    assert "<img" not in before + after and "<b>" not in before + after
    assert "&lt;img src=x onerror=alert\\(1\\)&gt;" in after and "<img src" in chart
