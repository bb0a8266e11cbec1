"""``unmt eval``: evaluations against gold data; ``unmt eval align`` scores alignments."""

from __future__ import annotations

import argparse
import json
from typing import Any

from unmt.errors import UserError


def add_parser(subparsers: Any) -> None:
    """Register ``unmt eval`` and its sub-command ``align``."""
    p = subparsers.add_parser("eval", help="evaluate against gold data (alignments)")
    sub = p.add_subparsers(dest="eval_command", metavar="WHAT", required=True)
    a = sub.add_parser(
        "align",
        help="strict and lax precision/recall/F1 of alignments against gold",
        description=(
            "Score predicted bead files against gold bead files ([0,1]:[0] per line), Vecalign "
            "convention: strict = exact bead match, lax = overlap on both sides; recall ignores "
            "1-0/0-1 beads. Several --gold/--pred pairs are scored together (summed counts)."
        ),
    )
    a.add_argument("--gold", action="append", required=True, metavar="G", help="gold beads")
    a.add_argument("--pred", action="append", required=True, metavar="P", help="predicted beads")
    a.add_argument(
        "--src-units",
        metavar="FILE",
        help="unit (e.g. verse id) of each source line: merge predicted beads inside one unit",
    )
    a.add_argument(
        "--tgt-units", metavar="FILE", help="unit of each target line (with --src-units)"
    )
    a.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    a.set_defaults(func=run_align)


def _units(path: str) -> list[str]:
    from unmt.pipeline.align.beadio import read_text_lines

    return read_text_lines(path)


def run_align(args: argparse.Namespace) -> int:
    """Print strict and lax P/R/F1 of ``args.pred`` against ``args.gold``."""
    from unmt.eval.align_score import merge_by_units, score_alignments
    from unmt.pipeline.align.beadio import read_beads

    if len(args.gold) != len(args.pred):
        raise UserError(
            f"{len(args.gold)} --gold files but {len(args.pred)} --pred files",
            hint="give one --pred after each --gold",
        )
    if (args.src_units is None) != (args.tgt_units is None):
        raise UserError("--src-units and --tgt-units go together")
    units = None
    if args.src_units is not None:
        if len(args.gold) != 1:
            raise UserError("--src-units/--tgt-units need exactly one --gold/--pred pair")
        units = (_units(args.src_units), _units(args.tgt_units))
    pairs = []
    for gold_path, pred_path in zip(args.gold, args.pred, strict=True):
        gold = [(b.src, b.tgt) for b in read_beads(gold_path)]
        pred = [(b.src, b.tgt) for b in read_beads(pred_path)]
        if units is not None:
            top_s = max((i for s, _ in pred for i in s), default=-1)
            top_t = max((j for _, t in pred for j in t), default=-1)
            if top_s >= len(units[0]) or top_t >= len(units[1]):
                raise UserError(
                    "a bead refers to a line beyond the units files",
                    path=pred_path,
                    hint="give one unit per line of the aligned texts",
                )
            pred = merge_by_units(pred, units[0], units[1])
        pairs.append((gold, pred))
    score = score_alignments(pairs)
    if args.json:
        print(json.dumps(score.as_dict()))
        return 0
    print(f"{'':8}{'P':>8}{'R':>8}{'F1':>8}")
    print(f"{'strict':8}{score.strict_p:8.4f}{score.strict_r:8.4f}{score.strict_f1:8.4f}")
    print(f"{'lax':8}{score.lax_p:8.4f}{score.lax_r:8.4f}{score.lax_f1:8.4f}")
    print(f"beads: {score.n_pred} predicted, {score.n_gold} gold, {len(pairs)} file pair(s)")
    return 0
