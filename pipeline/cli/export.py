"""``unmt export``: finished run directories -> a Hugging Face dataset and/or a TMX file.

Everything is written into a staging folder inside OUT and moved into place at the end, file by
file, replacing the files of the previous export (which its mark lists) and nothing else: files
the user added to OUT stay. An existing OUT that is neither empty nor a unmt export is left
alone (an error). Several run directories merge into one export.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import re
import sys
from pathlib import Path
from typing import Any

from unmt.errors import UserError
from unmt.fileio import WriteError, atomic_output, published_folder, write_error
from unmt.pipeline.cli.options import declare_io, number
from unmt.pipeline.export.formats import FORMATS

log = logging.getLogger(__name__)

MARKER = ".unmt-export.json"
TMX_NAME = "unmt.zh-en.tmx"


def add_parser(subparsers: Any) -> None:
    """Register ``unmt export``."""
    p = subparsers.add_parser(
        "export",
        help="export finished runs as a Hugging Face dataset and/or TMX",
        description=(
            "Export the finished documents of one or more run directories (runs sharded over "
            "inputs merge) as Parquet shards with a dataset card, and/or TMX 1.4b."
        ),
    )
    p.add_argument("run_dirs", nargs="+", metavar="RUN_DIR", help="run directories of `unmt run`")
    p.add_argument("-o", "--output", required=True, metavar="OUT", help="output folder")
    p.add_argument(
        "--format",
        type=_formats,
        default=DEFAULT_FORMATS,
        metavar="F[,F...]",
        help="comma-separated: hf (Parquet + card), tmx, tsv and xlsx (a bilingual review "
        "table: id, zh, MT, reference, terms missed, chrF), moses (line-aligned .zh/.en), or "
        "all (every one of them) (default: hf,tmx)",
    )
    p.add_argument(
        "--shard-rows",
        type=number(int, 1, 100_000_000),
        default=50_000,
        metavar="N",
        help="rows per Parquet shard (default 50000)",
    )
    p.add_argument(
        "--license",
        default="other",
        metavar="ID",
        help="the dataset card's licence, a hub licence id such as cc-by-4.0 (default 'other': "
        "UN documents come with the Organization's terms of use; state them in the card)",
    )
    p.add_argument("--push-to-hub", metavar="REPO", help="upload the dataset to this hub repo")
    p.add_argument("--private", action="store_true", help="create the hub repo as private")
    p.add_argument(
        "--include-flagged",
        action="store_true",
        help="also export documents kept with `unmt run --accept-mismatch` (their reference "
        "did not look like their translation)",
    )
    p.add_argument(
        "--leave-out",
        default=None,
        metavar="KINDS",
        help="rows to leave out of every format, comma-separated: one-sided (beads with an "
        "empty side), mt (rows whose English is machine translation), or none (default: each "
        "format's own: hf one-sided; tmx and moses one-sided,mt; tsv and xlsx none)",
    )
    p.add_argument(
        "--min-chrf",
        type=number(float, 0, 100),
        default=None,
        metavar="X",
        help="also leave out rows whose sentence chrF is under X (rows without chrF are kept)",
    )
    p.add_argument(
        "--min-align",
        type=number(float, 0, 1),
        default=None,
        metavar="X",
        help="also leave out rows whose alignment score (0-1, the aligner's similarity of the "
        "bead's two sides) is under X (rows without a score are kept; default: no threshold)",
    )
    p.add_argument("--quiet", action="store_true", help="print nothing on success")
    declare_io(p, ["run_dirs"], folder=True)
    p.set_defaults(func=run_export)


#: what ``unmt export`` writes without ``--format``: the corpus, not the review tables
DEFAULT_FORMATS = ("hf", "tmx")


def _formats(text: str) -> tuple[str, ...]:
    """``--format``: a comma-separated list of :data:`FORMATS` (``all``: every one)."""
    names: list[str] = []
    for name in (n.strip() for n in text.split(",")):
        for one in FORMATS if name == "all" else (name,):
            if one not in FORMATS:
                raise argparse.ArgumentTypeError(
                    f"unknown format {one!r} (choose from {', '.join(FORMATS)}, all)"
                )
            if one not in names:
                names.append(one)
    return tuple(names)


def _legacy_files(folder: Path) -> list[str]:
    """The files an export made before its mark listed them: the names ``unmt export`` writes
    (the dataset's shards by their exact pattern), nothing else."""
    from unmt.pipeline.export import review

    names = [
        "README.md",
        TMX_NAME,
        review.TSV_NAME,
        review.XLSX_NAME,
        f"{review.MOSES_STEM}.zh",
        f"{review.MOSES_STEM}.en",
    ]
    shards = sorted(
        f"data/{p.name}"
        for p in (folder / "data").glob("train-*-of-*.parquet")
        if re.fullmatch(r"train-\d{5}-of-\d{5}\.parquet", p.name)
    )
    return [n for n in names if (folder / n).is_file()] + shards


def staged_dir(out: Path) -> contextlib.AbstractContextManager[Path]:
    """A staging folder whose files replace the export's own files in ``out`` when the block
    succeeds (:func:`unmt.fileio.published_folder`): ``out`` is new, empty or an earlier
    export, and files the user added to it stay."""
    return published_folder(
        out,
        kind="export folder",
        mark=MARKER,
        hint="give -o a new or empty folder, or an earlier export",
        legacy=_legacy_files,
    )


def push_to_hub(folder: Path, repo_id: str, *, private: bool) -> str:
    """Upload ``folder`` as a dataset repo with huggingface_hub; return the repo URL."""
    from huggingface_hub import HfApi, constants

    if constants.HF_HUB_OFFLINE:
        raise UserError(
            f"cannot push to {repo_id}: Hugging Face offline mode is on (HF_HUB_OFFLINE=1)",
            hint=f"unset it, log in (`hf auth login`) and upload {folder} again",
        )
    api = HfApi()
    try:
        url = api.create_repo(repo_id, repo_type="dataset", private=private, exist_ok=True)
        api.upload_folder(
            folder_path=str(folder),
            repo_id=repo_id,
            repo_type="dataset",
            commit_message="Upload dataset exported by unmt",
            ignore_patterns=[MARKER],
        )
    except Exception as exc:  # network, auth and HTTP errors all become one clear line
        log.debug("push failed", exc_info=True)
        raise UserError(
            f"cannot push to {repo_id}: {type(exc).__name__}: {exc}",
            path=folder,
            hint="check the network and your token (`hf auth login`); the export is kept",
        ) from exc
    return str(url)


def _nothing_to_export(skipped: dict[str, str], flagged: list[str], where: str) -> UserError:
    """The one-line error when no document can be exported: the flagged documents and the fix
    (``--include-flagged``) apart from the failed or unfinished ones (``unmt run`` again)."""

    def some(ids: list[str]) -> str:
        return ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")

    include = "add --include-flagged to export them"
    kept = "kept by `unmt run --accept-mismatch`: their reference did not look like a translation"
    others = {d: w for d, w in skipped.items() if d not in flagged}
    if flagged and not others:
        what = f"nothing to export: every document is flagged ({some(flagged)}; {kept})"
        return UserError(what, path=where, hint=include)
    why = "; ".join(f"{d}: {w}" for d, w in others.items()) or "no documents"
    hint = "run `unmt run` to completion first"
    if flagged:
        hint += f"; {some(flagged)} flagged ({kept}): {include}"
    return UserError(f"nothing finished to export ({why})", path=where, hint=hint)


def run_export(args: argparse.Namespace) -> int:
    """The ``unmt export`` command; returns the exit code."""
    from unmt.pipeline.export.rows import collect

    if args.push_to_hub and "hf" not in args.format:
        raise UserError("--push-to-hub needs the dataset", hint="use --format hf or all")
    from unmt.pipeline.export.formats import row_filters

    filters = row_filters(args.format, args.leave_out, args.min_chrf, args.min_align)
    export = collect(args.run_dirs, include_flagged=args.include_flagged)
    if not export.docs:
        raise _nothing_to_export(export.skipped, export.flagged, args.run_dirs[0])
    out = Path(args.output)
    runs = [str(p) for p in export.runs]
    marker: dict[str, Any] = {"runs": runs, "format": ",".join(args.format)}
    try:
        lines, marker = _write(export, out, args, marker, filters)
    except OSError as exc:  # pyarrow and the writers: a full disk, a read-only folder
        error = write_error(exc, out)
        if error is None:
            raise
        raise error from None
    except WriteError as exc:  # name the export folder, not its staging copy
        raise WriteError(exc.what, path=out, hint=exc.hint) from None
    if not args.quiet:
        print(f"exported {len(export.docs)} document(s) to {out}")
        for line in lines:
            print(f"  {line}")
    if export.skipped:
        print(
            f"unmt: warning: {len(export.skipped)} document(s) not exported (unfinished, "
            "failed or flagged): " + "; ".join(f"{d}: {w}" for d, w in export.skipped.items()),
            file=sys.stderr,
        )
    if args.push_to_hub:
        url = push_to_hub(out, args.push_to_hub, private=args.private)
        if not args.quiet:
            print(f"pushed to {url}")
    return 0


def _write(
    export: Any, out: Path, args: argparse.Namespace, marker: dict[str, Any], filters: Any
) -> tuple[list[str], dict[str, Any]]:
    """Write every format in one pass over the rows, into a staging folder whose files replace
    the export's own files in ``out`` at the end; the summary lines and the mark's fields."""
    from unmt.pipeline.export import review
    from unmt.pipeline.export.formats import open_writers, write_all
    from unmt.progress import Progress

    bar = Progress("exporting", unit="row", enabled=not args.quiet)
    export.progress = bar.update
    with bar, staged_dir(out) as stage:
        writers = open_writers(export, stage, args.format, filters, shard_rows=args.shard_rows,
                               license=args.license, tmx_name=TMX_NAME)  # fmt: skip
        done = write_all(export, writers)
        lines = []
        for name in args.format:
            result, left = done.results[name], done.left_out[name]
            if name == "hf":
                marker["rows"] = result.rows
                line = f"dataset: {result.rows} rows in {len(result.shards)} Parquet shard(s), card"
            elif name == "tmx":
                marker["tmx_units"] = result.units
                line = f"TMX: {result.units} translation units"
            elif name == "moses":
                line = f"Moses text: {result.rows} line pairs in {review.MOSES_STEM}.zh / .en"
            else:
                line = f"review table: {result.rows} rows in {result.path.name}"
            if left:
                line += "; left out: " + ", ".join(f"{n} ({why})" for why, n in left.items())
            lines.append(line)
        with atomic_output(stage / MARKER) as fh:
            json.dump(marker, fh, indent=1)
    return lines, marker
