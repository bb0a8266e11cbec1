"""Export finished runs as a Hugging Face dataset: Parquet shards plus a ``README.md`` card.

Layout written into the output folder::

    README.md                               dataset card, YAML header (configs, features, splits)
    data/train-00000-of-0000N.parquet       the rows, in document order

It loads with ``datasets.load_dataset(OUT)`` (the card's ``configs`` name the files) and with
``load_dataset("parquet", data_files=f"{OUT}/data/*.parquet")``. ``datasets`` is imported lazily.

Rows stream: they are read one document at a time and written in row groups of
:data:`ROW_GROUP` rows with a pyarrow writer (the schema is ``datasets``' own, features in its
metadata), so memory stays flat however many rows a corpus has; the card's counts are kept as
the rows go by.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from unmt import __version__
from unmt.fileio import atomic_output
from unmt.pipeline.export.rows import ExportSet
from unmt.records import Pair

log = logging.getLogger(__name__)

SPLIT = "train"
DATA_DIR = "data"
DEFAULT_SHARD_ROWS = 50_000
#: rows buffered before they are written (one Parquet row group)
ROW_GROUP = 2_000


@dataclass(frozen=True)
class HfExport:
    """What ``export_hf`` wrote."""

    rows: int
    shards: list[Path]
    card: Path


def features() -> Any:
    """The dataset's ``datasets.Features``."""
    from datasets import Features, List, Translation, Value

    return Features(
        {
            "id": Value("string"),
            "doc": Value("string"),
            "para": Value("string"),
            "block": Value("string"),
            "translation": Translation(languages=["zh", "en"]),
            "en_origin": Value("string"),
            "mt": Value("string"),
            "bead": Value("string"),
            "terms": List({"zh": Value("string"), "en": Value("string"), "found": Value("bool")}),
            "chrf": Value("float64"),
            "align": Value("float64"),
        }
    )


def to_example(row: Pair) -> dict[str, Any]:
    """One ``pairs.jsonl`` row as a dataset example (zh/en become one ``translation``)."""
    return {
        "id": row.id,
        "doc": row.doc,
        "para": row.para,
        "block": row.block,
        "translation": {"zh": row.zh, "en": row.en},
        "en_origin": row.en_origin,
        "mt": row.mt,
        "bead": row.bead,
        "terms": [t.to_json() for t in row.terms],
        "chrf": None if row.chrf is None else float(row.chrf),
        "align": None if row.align is None else float(row.align),
    }


#: the card's licence unless ``--license`` says otherwise: UN documents come with the
#: Organization's terms of use, which the publisher must state (hub id ``other``)
DEFAULT_LICENSE = "other"


def export_hf(
    export: ExportSet,
    out_dir: str | Path,
    *,
    shard_rows: int = DEFAULT_SHARD_ROWS,
    license: str = DEFAULT_LICENSE,
) -> HfExport:
    """Write the Parquet shards and the dataset card of ``export`` into ``out_dir``.

    Args:
        export: the finished documents (``export_rows.collect``).
        out_dir: the folder to write into (normally a fresh staging folder).
        shard_rows: the most rows per Parquet file.
        license: the dataset card's ``license:`` (a hub licence id).
    """
    import datasets

    was_disabled = datasets.is_progress_bar_enabled() is False
    datasets.disable_progress_bars()  # one short step per shard: the bars are only noise
    try:
        return _export(export, Path(out_dir), shard_rows, license)
    finally:
        if not was_disabled:
            datasets.enable_progress_bars()


@dataclass
class RowCounts:
    """What the card says about the rows, counted as they are written."""

    rows: int = 0
    shapes: Counter[str] = field(default_factory=Counter)
    origins: Counter[str] = field(default_factory=Counter)
    terms: int = 0
    found: int = 0

    def add(self, example: dict[str, Any]) -> None:
        self.rows += 1
        self.shapes[example["bead"]] += 1
        self.origins[example["en_origin"]] += 1
        self.terms += len(example["terms"])
        self.found += sum(t["found"] for t in example["terms"])


class _ShardWriter:
    """Parquet shards of at most ``shard_rows`` rows, named ``-of-N`` once N is known."""

    def __init__(self, folder: Path, schema: Any, shard_rows: int) -> None:
        self.folder, self.schema, self.shard_rows = folder, schema, max(1, shard_rows)
        self.parts: list[Path] = []
        self.nbytes = 0
        self._writer: Any = None
        self._in_shard = 0

    def write(self, examples: list[dict[str, Any]]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        while examples:
            if self._writer is None or self._in_shard >= self.shard_rows:
                self._close()
                path = self.folder / f".part-{len(self.parts):05d}.parquet"
                self.parts.append(path)
                self._writer = pq.ParquetWriter(str(path), self.schema)
                self._in_shard = 0
            take = examples[: self.shard_rows - self._in_shard]
            examples = examples[len(take) :]
            table = pa.Table.from_pylist(take, schema=self.schema)
            self.nbytes += table.nbytes
            self._writer.write_table(table)
            self._in_shard += len(take)

    def _close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def finish(self) -> list[Path]:
        """Close the last shard and give every shard its final name."""
        if not self.parts:  # no row: one empty shard, as ``datasets`` writes
            import pyarrow.parquet as pq

            path = self.folder / ".part-00000.parquet"
            self.parts.append(path)
            pq.ParquetWriter(str(path), self.schema).close()
        self._close()
        n = len(self.parts)
        final = []
        for i, part in enumerate(self.parts):
            path = self.folder / f"{SPLIT}-{i:05d}-of-{n:05d}.parquet"
            part.rename(path)
            final.append(path)
        return final


def _export(export: ExportSet, out: Path, shard_rows: int, license: str) -> HfExport:
    feats = features()
    (out / DATA_DIR).mkdir(parents=True, exist_ok=True)
    writer = _ShardWriter(out / DATA_DIR, feats.arrow_schema, shard_rows)
    counts = RowCounts()
    batch: list[dict[str, Any]] = []
    for row in export.rows():
        example = to_example(row)
        counts.add(example)
        batch.append(example)
        if len(batch) >= ROW_GROUP:
            writer.write(batch)
            batch = []
    writer.write(batch)
    shards = writer.finish()
    card = out / "README.md"
    with atomic_output(card) as fh:
        fh.write(dataset_card(export, counts, feats, num_bytes=writer.nbytes, license=license))
    return HfExport(rows=counts.rows, shards=shards, card=card)


def _size_category(n: int) -> str:
    for limit, name in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K")):
        if n < limit:
            return name
    return "100K<n<1M" if n < 1_000_000 else "n>1M"


def _card_header(n_rows: int, feats: Any, num_bytes: int, license: str) -> str:
    from datasets import DatasetInfo, SplitDict, SplitInfo
    from datasets.info import DatasetInfosDict
    from huggingface_hub import DatasetCardData

    splits = SplitDict()
    splits.add(SplitInfo(name=SPLIT, num_examples=n_rows, num_bytes=num_bytes))
    data = DatasetCardData(
        license=license,
        language=["zh", "en"],
        task_categories=["translation"],
        size_categories=[_size_category(n_rows)],
        pretty_name="unmt Chinese-English UN document translations",
        tags=["united-nations", "terminology", "machine-translation", "unmt"],
        configs=[
            {
                "config_name": "default",
                "data_files": [{"split": SPLIT, "path": f"{DATA_DIR}/{SPLIT}-*.parquet"}],
            }
        ],
    )
    DatasetInfosDict({"default": DatasetInfo(features=feats, splits=splits)}).to_dataset_card_data(
        data
    )
    return f"---\n{data.to_yaml()}\n---\n"


def dataset_card(
    export: ExportSet,
    counts: RowCounts,
    feats: Any,
    *,
    num_bytes: int = 0,
    license: str = "other",
) -> str:
    """The ``README.md`` dataset card: YAML header, then description, counts, what was left
    out and signatures."""
    shapes, origins = counts.shapes, counts.origins
    lines = [
        _card_header(counts.rows, feats, num_bytes, license),
        "# unmt Chinese-English UN document translations\n",
        "Chinese United Nations documents segmented, machine-translated into English, aligned",
        "with their human English version where one was given, and scored against UN",
        f"terminology, by unmt {__version__}.\n",
        "Each row is one alignment bead (one segment when a document had no reference).",
        "`translation.en` is the human reference where the document was aligned with one",
        "(`en_origin` = `reference`), else the machine translation (`en_origin` = `mt`).",
        "`mt` is always the machine translation; `bead` is the shape (`1-1`, `2-1`, `1-0`...);",
        "`terms` are the glossary terms found in the Chinese, with whether the MT used the",
        "approved English; `chrf` is sentence chrF of `mt` against the reference (null without);",
        "`align` is the aligner's 0-1 similarity of the bead's two sides (null without a",
        "reference and for one-sided beads).\n",
        "## Counts\n",
        f"- documents: {len(export.docs)}",
        f"- rows: {counts.rows}",
        f"- English from reference / MT: {origins.get('reference', 0)} / {origins.get('mt', 0)}",
        "- bead shapes: " + ", ".join(f"{k}: {v}" for k, v in sorted(shapes.items())),
        f"- glossary term occurrences: {counts.terms}, approved English used: {counts.found}",
        f"- run directories merged: {len(export.runs)}\n",
    ]
    lines += _left_out(export)
    lines += _provenance(export)
    lines += [
        "## Loading\n",
        "```python",
        "from datasets import load_dataset",
        'ds = load_dataset("path/to/this/folder", split="train")',
        "```\n",
    ]
    return "\n".join(lines)


def _left_out(export: ExportSet) -> list[str]:
    """The card's account of what the export leaves out, and why."""
    lines = ["## Left out\n"]
    rules = export.filter.rules()
    if rules:
        lines.append("Rows of these kinds are not in this export (`unmt export --leave-out`,")
        lines.append("`--min-chrf`, `--min-align`):\n")
        lines += [f"- {rule}" for rule in rules]
    else:
        lines.append("No row was left out by a rule (`--leave-out none`).")
    if export.left_out:
        lines.append("\nRows left out: " + ", ".join(
            f"{why}: {n}" for why, n in sorted(export.left_out.items())
        ) + ".")  # fmt: skip
    if export.skipped:
        lines.append(
            f"\n{len(export.skipped)} document(s) are not in this export (failed, unfinished or"
            " flagged as not matching their reference); the table below says why."
        )
    lines.append("")
    return lines


def _provenance(export: ExportSet) -> list[str]:
    lines = ["## Model\n"]
    if not export.translators:
        lines.append("- (not recorded)")
    for t in export.translators:
        lines.append("- " + ", ".join(f"{k}: {v}" for k, v in sorted(t.items())))
    if any(t.get("meaningless") for t in export.translators):
        lines.append("\n**The tiny random-weight test model was used: the MT is meaningless.**")
    lines.append("\n## Glossaries\n")
    lines += [f"- `{Path(g).name}`" for g in export.glossaries] or [
        "- the UN glossary shipped with unmt"
    ]
    lines.append("\n## Signatures\n")
    lines += [f"- {k}: `{v}`" for k, v in sorted(export.signatures.items())] or ["- (none)"]
    lines.append("\n## Documents\n")
    lines.append("| doc | source sha256 | reference | rows status |")
    lines.append("|---|---|---|---|")
    for doc_id, entry in export.docs.items():
        ref = "yes" if entry.reference else "no"
        sha = (entry.sha256 or "")[:12]
        lines.append(f"| {_cell(doc_id)} | {sha} | {ref} | exported |")
    for doc_id, why in export.skipped.items():
        lines.append(f"| {_cell(doc_id)} | | | not exported: {_cell(why)} |")
    if export.skipped:
        lines.append(
            f"\n**Incomplete:** {len(export.skipped)} document(s) of the run(s) are not in"
            " this export (failed or unfinished)."
        )
    lines.append("")
    return lines


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
