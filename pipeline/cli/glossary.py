"""``unmt glossary``: inspect glossaries and check them against a human translation.

``unmt glossary check --src SRC --ref REF [--glossary G]... [--json]`` reports, for every entry,
on how many SRC lines its Chinese term occurs and how often the line-aligned reference REF uses
the approved English or a variant there. ``unmt glossary info [G]...`` prints the entry count,
hash and issues (duplicates, conflicts, traditional characters) of the merged glossaries.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from unmt.errors import UserError
from unmt.fileio import is_jsonl, jsonl_records, read_text, split_lines
from unmt.pipeline.cli.options import add_glossary_option, declare_io, number


def _share(value: str) -> float:
    """A share between 0 and 1 (``0.8``), for argparse."""
    try:
        share = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a share such as 0.8, got {value!r}") from None
    if not 0.0 <= share <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a share from 0 to 1 (0.8 = 80%), got {value}")
    return share


def add_parser(subparsers: Any) -> None:
    """Register ``unmt glossary`` and its sub-commands."""
    parser = subparsers.add_parser(
        "glossary", help="inspect glossaries; check them against a human reference"
    )
    sub = parser.add_subparsers(dest="glossary_command", metavar="SUBCOMMAND", required=True)

    check = sub.add_parser(
        "check",
        help="how often a line-aligned reference uses each entry's approved English",
        description=(
            "For each glossary entry: the number of SRC lines containing the Chinese term "
            "(longest match first) and the share of those lines whose reference (REF, same "
            "line) contains the approved English or a variant."
        ),
    )
    check.add_argument("--src", required=True, help="Chinese text, one segment a line (or JSONL)")
    check.add_argument("--ref", required=True, help="English reference, line-aligned with SRC")
    add_glossary_option(check)
    check.add_argument("--json", action="store_true", help="print a JSON list of entries")
    check.add_argument("--all", action="store_true", help="include entries that never occur in SRC")
    check.add_argument(
        "--min-occurrences",
        type=number(int, 1, 1_000_000_000),
        default=3,
        metavar="N",
        help="entries occurring fewer times are not held to --require (default 3)",
    )
    check.add_argument(
        "--require",
        type=_share,
        default=None,
        metavar="SHARE",
        help="exit 1 when an entry occurring >= N times agrees less often (e.g. 0.8)",
    )
    declare_io(check, ["src", "ref", "glossary"], output=None)  # stdin is read once
    check.set_defaults(func=run_check)

    info = sub.add_parser("info", help="entries, hash and issues of (merged) glossaries")
    info.add_argument(
        "glossaries", nargs="*", metavar="G", help="files ('un': the shipped one); none: it too"
    )
    add_glossary_option(info, dest="glossary_flags", help="a glossary file, as in the other "
                        "commands (repeatable; added after the positional ones; 'un': the "
                        "shipped one)", default_flag=False)  # fmt: skip
    info.add_argument("--json", action="store_true", help="print one JSON object")
    info.set_defaults(func=run_info)


def read_lines(path: str | Path) -> list[str]:
    """Lines of a text file, or the ``text`` field of each record of a JSONL file."""
    lines = split_lines(read_text(path))
    if not is_jsonl(path, lines):
        return lines
    return [record["text"] for _, record in jsonl_records(path, lines, field="text")]


def run_check(args: argparse.Namespace) -> int:
    from unmt.eval.glossary.check import check_glossary, english_matcher
    from unmt.eval.glossary.load import load_glossaries
    from unmt.pipeline.cli.docfiles import refuse_document
    from unmt.script import require_lang

    fix = (
        "glossary check reads line-aligned text: align the documents first (`unmt align "
        f"--segment {args.src} {args.ref} --format tsv -o pairs.tsv`) and give its third and "
        "fourth columns (`cut -f3`, `cut -f4`) as --src and --ref"
    )
    refuse_document(args.src, "SRC", fix)
    refuse_document(args.ref, "REF", fix)
    glossary = load_glossaries(args.glossary, default=not args.no_default_glossary)
    src, ref = read_lines(args.src), read_lines(args.ref)
    require_lang(src, "zh", args.src, "SRC")
    require_lang(ref, "en", args.ref, "REF")
    if len(src) != len(ref):
        raise UserError(
            f"line counts differ: SRC has {len(src)} lines, REF has {len(ref)}",
            path=args.ref,
            hint="SRC and REF must be line-aligned",
        )
    matcher = english_matcher()
    results = check_glossary(glossary, src, ref, matcher)
    shown = [r for r in results if args.all or r.occurrences]
    shown.sort(key=lambda r: (-r.occurrences, r.id))
    failing = [
        r
        for r in shown
        if args.require is not None
        and r.occurrences >= args.min_occurrences
        and (r.agreement or 0.0) < args.require
    ]
    if args.json:
        json.dump([r.to_json() for r in shown], sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        out = sys.stdout
        out.write(f"# glossary {glossary.signature}: {len(glossary)} entries; ")
        out.write(f"{len(src)} lines; {len(shown)} entries occur; English matcher {matcher.name}\n")
        out.write("agree\tlines\tzh\ten\tmissed (first lines)\n")
        for r in shown:
            share = "-" if r.agreement is None else f"{r.agreement:.0%}"
            missed = ",".join(map(str, r.disagreeing_lines))
            out.write(f"{share}\t{r.occurrences}\t{r.zh}\t{r.en}\t{missed}\n")
    if failing:
        names = ", ".join(f"{r.zh} ({r.agreement:.0%})" for r in failing[:10])
        print(
            f"unmt: {len(failing)} entries agree less than {args.require:.0%}: {names}",
            file=sys.stderr,
        )
        return 1
    return 0


def run_info(args: argparse.Namespace) -> int:
    from unmt.eval.glossary.load import load_glossaries

    glossary = load_glossaries([*args.glossaries, *args.glossary_flags])
    if args.json:
        obj = {
            "name": glossary.name,
            "sha256": glossary.sha256,
            "signature": glossary.signature,
            "entries": len(glossary),
            "members": [{"name": n, "sha256": s} for n, s in glossary.members],
            "issues": list(glossary.issues),
        }
        json.dump(obj, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    print(f"{glossary.signature}: {len(glossary)} entries, {len(glossary.issues)} issues")
    if not args.glossaries and not args.glossary_flags:
        from unmt.eval.glossary.load import shipped_glossary_path

        print(f"  the shipped UN glossary: {shipped_glossary_path()}")
    for issue in glossary.issues:
        print(f"  {issue}")
    return 0
