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
from unmt.pipeline.export.filters import RowFilter
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


def to_columns(rows: list[Pair]) -> dict[str, list[Any]]:
    """Rows as the dataset's columns (zh and en become one ``translation``)."""
    return {
        "id": [r.id for r in rows],
        "doc": [r.doc for r in rows],
        "para": [r.para for r in rows],
        "block": [r.block for r in rows],
        "translation": [{"zh": r.zh, "en": r.en} for r in rows],
        "en_origin": [r.en_origin for r in rows],
        "mt": [r.mt for r in rows],
        "bead": [r.bead for r in rows],
        "terms": [[{"zh": t.zh, "en": t.en, "found": t.found} for t in r.terms] for r in rows],
        "chrf": [None if r.chrf is None else float(r.chrf) for r in rows],
        "align": [None if r.align is None else float(r.align) for r in rows],
    }


#: the card's licence unless ``--license`` says otherwise: UN documents come with the
#: Organization's terms of use, which the publisher must state (hub id ``other``)
DEFAULT_LICENSE = "other"


@dataclass
class RowCounts:
    """What the card says about the rows, counted as they are written."""

    rows: int = 0
    shapes: Counter[str] = field(default_factory=Counter)
    origins: Counter[str] = field(default_factory=Counter)
    terms: int = 0
    found: int = 0

    def add(self, rows: list[Pair]) -> None:
        """Count ``rows``."""
        self.rows += len(rows)
        self.shapes.update(r.bead for r in rows)
        self.origins.update(r.en_origin for r in rows)
        self.terms += sum(len(r.terms) for r in rows)
        self.found += sum(t.found for r in rows for t in r.terms)


class _ShardWriter:
    """Parquet shards of at most ``shard_rows`` rows, named ``-of-N`` once N is known."""

    def __init__(self, folder: Path, schema: Any, shard_rows: int) -> None:
        self.folder, self.schema, self.shard_rows = folder, schema, max(1, shard_rows)
        self.parts: list[Path] = []
        self.nbytes = 0
        self._writer: Any = None
        self._in_shard = 0

    def write(self, table: Any) -> None:
        """Write a pyarrow table of rows, starting a new shard where one is full."""
        import pyarrow.parquet as pq

        while table.num_rows:
            if self._writer is None or self._in_shard >= self.shard_rows:
                self.close()
                path = self.folder / f".part-{len(self.parts):05d}.parquet"
                self.parts.append(path)
                self._writer = pq.ParquetWriter(str(path), self.schema)
                self._in_shard = 0
            take = table.slice(0, self.shard_rows - self._in_shard)
            table = table.slice(take.num_rows)
            self.nbytes += take.nbytes
            self._writer.write_table(take)
            self._in_shard += take.num_rows

    def close(self) -> None:
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
        self.close()
        n = len(self.parts)
        final = []
        for i, part in enumerate(self.parts):
            path = self.folder / f"{SPLIT}-{i:05d}-of-{n:05d}.parquet"
            part.rename(path)
            final.append(path)
        return final


class HfWriter:
    """The dataset as rows come: Parquet shards of row groups, then the card (:meth:`finish`).

    Args:
        export: the finished documents (for the card).
        out: the folder (normally the export's staging folder).
        row_filter: the rows this format leaves out (the card says which and why).
        shard_rows: the most rows per Parquet file.
        license: the dataset card's ``license:`` (a hub licence id).
    """

    name = "hf"

    def __init__(
        self,
        export: ExportSet,
        out: Path,
        row_filter: RowFilter,
        *,
        shard_rows: int = DEFAULT_SHARD_ROWS,
        license: str = DEFAULT_LICENSE,
    ) -> None:
        import datasets

        self.export, self.out, self.filter, self.license = export, out, row_filter, license
        self.left_out: Counter[str] = Counter()
        self.features = features()
        (out / DATA_DIR).mkdir(parents=True, exist_ok=True)
        self.writer = _ShardWriter(out / DATA_DIR, self.features.arrow_schema, shard_rows)
        self.counts = RowCounts()
        self.batch: list[Pair] = []
        self._bars = datasets.is_progress_bar_enabled()
        datasets.disable_progress_bars()  # one short step per shard: the bars are only noise

    def add(self, row: Pair) -> None:
        self.batch.append(row)
        if len(self.batch) >= ROW_GROUP:
            self._flush()

    def _flush(self) -> None:
        """The batch as one row group: a column at a time (:func:`to_columns`)."""
        import pyarrow as pa

        rows, self.batch = self.batch, []
        self.counts.add(rows)
        self.writer.write(pa.Table.from_pydict(to_columns(rows), schema=self.writer.schema))

    def close(self) -> None:
        """Let go of the open shard (an export that failed: its staging folder goes)."""
        import datasets

        self.writer.close()
        if self._bars:
            datasets.enable_progress_bars()
            self._bars = False

    def finish(self) -> HfExport:
        """Write the last rows, name the shards and write the card."""
        import datasets

        try:
            self._flush()
            shards = self.writer.finish()
            card = self.out / "README.md"
            with atomic_output(card) as fh:
                fh.write(dataset_card(self.export, self.counts, self.features,
                                      num_bytes=self.writer.nbytes, license=self.license,
                                      row_filter=self.filter, left_out=self.left_out))  # fmt: skip
        finally:
            if self._bars:
                datasets.enable_progress_bars()
                self._bars = False
        return HfExport(rows=self.counts.rows, shards=shards, card=card)


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
    row_filter: RowFilter | None = None,
    left_out: Counter[str] | None = None,
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
    lines += _left_out(export, row_filter or RowFilter(), left_out or Counter())
    lines += _provenance(export)
    lines += [
        "## Loading\n",
        "```python",
        "from datasets import load_dataset",
        'ds = load_dataset("path/to/this/folder", split="train")',
        "```\n",
    ]
    return "\n".join(lines)


def _left_out(export: ExportSet, row_filter: RowFilter, left_out: Counter[str]) -> list[str]:
    """The card's account of what the export leaves out, and why."""
    lines = ["## Left out\n"]
    rules = row_filter.rules()
    if rules:
        lines.append("Rows of these kinds are not in this export (`unmt export --leave-out`,")
        lines.append("`--min-chrf`, `--min-align`):\n")
        lines += [f"- {rule}" for rule in rules]
    else:
        lines.append("No row was left out by a rule (`--leave-out none`).")
    if export.meaningless:
        lines.append("- rows whose English would be the machine translation of a random-weight "
                     "model (meaningless)")  # fmt: skip
    if left_out:
        lines.append("\nRows left out: " + ", ".join(
            f"{why}: {n}" for why, n in sorted(left_out.items())
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
