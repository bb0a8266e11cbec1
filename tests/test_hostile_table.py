"""A table of hostile inputs run through every command that reads them.

Each case must end with exit 0 (a harmless input), 1 (``unmt run``: the document failed, the
run went on) or 2 (refused), never a traceback or a crash, and must leave every file that was
there before as it was. ``UNMT_FAULTS=long`` adds the large inputs (a 20 MB line, 200,000
lines) to every command; the short version gives them to ``segment`` and ``score`` only.
The totals are printed (``pytest -s``).
"""

from __future__ import annotations

import binascii
import io
import os
import time
import zipfile
import zlib
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from conftest import EXAMPLES
from hostile_kit import snapshot

from unmt.pipeline.cli.main import main

LONG = os.environ.get("UNMT_FAULTS") == "long"
BIG_LINE = (20 if LONG else 2) * 1_000_000


def _zip_bomb(path: Path) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w", force_zip64=True) as fh:
            for _ in range(300):
                fh.write(b"\0" * 2**20)


def _zeros_deflated(size: int) -> bytes:
    """``size`` zero bytes, deflated (about 1 KB per MiB), made a chunk at a time."""
    z = zlib.compressobj(9)
    chunk = bytes(2**20)
    return b"".join(z.compress(chunk) for _ in range(size // 2**20)) + z.flush()


def _pdf_bombs() -> dict[str, Callable[[Path], None]]:
    """PDFs whose streams inflate past the 512 MiB bound in ways the first check missed."""
    from test_pdfbomb import TEXT, _pdf, _stream

    zeros = _zeros_deflated(600 * 2**20)
    hexed = binascii.hexlify(zeros) + b">"
    loop = b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>"
    return {
        "bomb-cr-eol.pdf": _pdf(_stream(zeros, b"/Filter /FlateDecode ", eol=b"\r")),
        "bomb-hex-flate.pdf": _pdf(_stream(hexed, b"/Filter [/ASCIIHexDecode /FlateDecode] ")),
        "page-tree-loop.pdf": _pdf(_stream(TEXT), loop, kids=b"2 0 R"),
    }


def _more_documents() -> dict[str, Callable[[Path], None]]:
    """The hostile .docx files, PDFs and Japanese texts of the document tests, as files."""
    from test_hostile_documents import DOCX_CASES, JAPANESE

    made: dict[str, bytes] = {
        f"{name.replace(' ', '-').replace('.', '')}.docx": data
        for name, (data, _) in DOCX_CASES.items()
    }
    made.update(_pdf_bombs())
    made["japanese-euc.txt"] = JAPANESE.encode("euc_jp")
    made["japanese-sjis.txt"] = JAPANESE.encode("shift_jis")
    return {name: (lambda p, d=data: p.write_bytes(d)) for name, data in made.items()}


#: name -> writes the hostile document
DOCUMENTS: dict[str, Callable[[Path], None]] = {
    "empty.txt": lambda p: p.write_bytes(b""),
    "blank.txt": lambda p: p.write_bytes(b" \n\t\n\n"),
    "binary.txt": lambda p: p.write_bytes(bytes(range(256)) * 64),
    "nul.txt": lambda p: p.write_bytes("会员国\x00重申。\n".encode() * 50),
    "bad-utf8.txt": lambda p: p.write_bytes(
        "会员国重申承诺。\n".encode() * 200 + b"\xff\xfe\xfa" + "秘书长。\n".encode() * 200
    ),
    "latin1.txt": lambda p: p.write_bytes("Grüße aus Köln, schöne Äpfel.\n".encode("cp1252") * 50),
    "english.txt": lambda p: p.write_text("Member States reaffirmed their commitment.\n" * 40),
    "big-line.txt": lambda p: p.write_text("会员国重申打击恐怖主义，" * (BIG_LINE // 36), "utf-8"),
    "many-lines.txt": lambda p: p.write_text("会员国重申承诺。\n" * 200_000, "utf-8"),
    "bomb.docx": _zip_bomb,
    "broken.docx": lambda p: p.write_bytes(b"PK\x03\x04 this is no zip"),
    "broken.pdf": lambda p: p.write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog"),
    "dev-zero.txt": lambda p: os.symlink("/dev/zero", p),
    "link-loop.txt": lambda p: os.symlink(p.name, p),
    **_more_documents(),
}
BIG = {"big-line.txt", "many-lines.txt"}

XXE = """<?xml version="1.0"?>
<!DOCTYPE martif [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<martif type="TBX"><text><body><termEntry id="c1">
<langSet xml:lang="zh"><tig><term>&xxe;</term></tig></langSet>
<langSet xml:lang="en"><tig><term>x</term></tig></langSet>
</termEntry></body></text></martif>
"""
_ENTITIES = "".join(
    f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10)
)
LAUGHS = (
    f'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">{_ENTITIES}]>\n'
    '<martif type="TBX"><text><body><termEntry id="c1"><langSet xml:lang="zh"><tig>'
    '<term>&lol9;</term></tig></langSet><langSet xml:lang="en"><tig><term>x</term></tig>'
    "</langSet></termEntry></body></text></martif>\n"
)


#: name -> writes the hostile glossary
GLOSSARIES: dict[str, Callable[[Path], None]] = {
    "xxe.tbx": lambda p: p.write_text(XXE, "utf-8"),
    "laughs.tbx": lambda p: p.write_text(LAUGHS, "utf-8"),
    "huge-term.tsv": lambda p: p.write_text("zh\ten\n" + "恐" * 1_000_000 + "\tterror\n", "utf-8"),
    "binary.tsv": lambda p: p.write_bytes(bytes(range(256)) * 16),
    "empty.tsv": lambda p: p.write_bytes(b""),
}


def _doc_commands(doc: str, tiny: str) -> dict[str, list[str]]:
    return {
        "segment": ["segment", doc, "-o", "out.jsonl"],
        "translate": ["translate", doc, "--model", tiny, "--no-cache", "-o", "out.txt"],
        "align": ["align", doc, "ref.en.txt", "-o", "out.align"],
        "align-segment": ["align", "--segment", doc, "ref.en.txt", "-o", "out.align"],
        "score": ["score", "--src", doc, "--hyp", "ref.en.txt", "-o", "out.json"],
        "glossary-check": ["glossary", "check", "--src", doc, "--ref", "ref.en.txt"],
        "run": ["run", doc, "-o", "run", "--model", tiny, "--quiet"],
    }


def _glossary_commands(g: str, tiny: str) -> dict[str, list[str]]:
    return {
        "score": ["score", "--src", "ok.zh.txt", "--hyp", "ref.en.txt", "--glossary", g],
        "glossary-check": [
            "glossary",
            "check",
            "--src",
            "ok.zh.txt",
            "--ref",
            "ref.en.txt",
            "--glossary",
            g,
        ],
        "glossary-info": ["glossary", "info", g],
        "run": ["run", "ok.zh.txt", "-o", "run", "--model", tiny, "--glossary", g, "--quiet"],
    }


def _snapshot(root: Path) -> dict[str, tuple[str, str]]:
    return snapshot(root, skip=("run",))  # the run directory is the run's own output


def _cases() -> list[tuple[str, str, str]]:
    cases = []
    for doc in DOCUMENTS:
        for cmd in _doc_commands(doc, "tiny"):
            if doc in BIG and not LONG and cmd not in ("segment", "score"):
                continue
            cases.append(("document", doc, cmd))
    cases += [("glossary", g, cmd) for g in GLOSSARIES for cmd in _glossary_commands(g, "tiny")]
    return cases


def test_hostile_inputs_through_every_command(
    tmp_path: Path, tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ref.en.txt").write_text("Member States reaffirmed their commitment.\n" * 3)
    (tmp_path / "ok.zh.txt").write_text((EXAMPLES / "un-report.zh.txt").read_text("utf-8"), "utf-8")
    for name, make in {**DOCUMENTS, **GLOSSARIES}.items():
        make(tmp_path / name)
    tiny = str(tiny_model_dir)
    totals = {"cases": 0, "clean errors": 0, "accepted": 0, "crashes": 0, "files changed": 0}
    problems = []
    for kind, name, cmd in _cases():
        commands = _doc_commands if kind == "document" else _glossary_commands
        argv = commands(name, tiny)[cmd]
        before = _snapshot(tmp_path)
        err, out = io.StringIO(), io.StringIO()
        try:
            t0 = time.perf_counter()
            with redirect_stderr(err), redirect_stdout(out):
                code = main(argv)
            if os.environ.get("UNMT_HOSTILE_TRACE"):
                print(f"{time.perf_counter() - t0:6.2f} s {name} {cmd}", flush=True)
        except BaseException as exc:  # any escape is a crash of the command
            code, crash = -1, f"{type(exc).__name__}: {exc}"
        else:
            crash = "Traceback" if "Traceback" in err.getvalue() else ""
        totals["cases"] += 1
        after = _snapshot(tmp_path)
        changed = [k for k, v in before.items() if after.get(k) != v]
        if changed:
            totals["files changed"] += 1
            problems.append(f"{name} {cmd}: changed {changed}")
        if crash or code not in (0, 1, 2):
            totals["crashes"] += 1
            problems.append(f"{name} {cmd}: exit {code} {crash} {err.getvalue()[-300:]}")
        elif code == 0:
            totals["accepted"] += 1
        else:
            totals["clean errors"] += 1
            lines = [ln for ln in err.getvalue().splitlines() if ln.startswith("unmt: error")]
            if code == 2 and len(lines) != 1:
                problems.append(f"{name} {cmd}: exit 2 without one error line: {err.getvalue()}")
        for leftover in ("out.jsonl", "out.txt", "out.align", "out.json"):
            (tmp_path / leftover).unlink(missing_ok=True)
    print("\nhostile inputs:", ", ".join(f"{k} {v}" for k, v in totals.items()))
    assert problems == []
    assert totals["clean errors"] >= 0.7 * totals["cases"]
