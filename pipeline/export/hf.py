"""Export finished runs as a Hugging Face dataset: Parquet shards plus a ``README.md`` card.

Layout written into the output folder::

    README.md                               dataset card, YAML header (configs, features, splits)
    data/train-00000-of-0000N.parquet       the rows, in document order

It loads with ``datasets.load_dataset(OUT)`` (the card's ``configs`` name the files) and with
``load_dataset("parquet", data_files=f"{OUT}/data/*.parquet")``. ``datasets`` is imported lazily.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
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


def _export(export: ExportSet, out: Path, shard_rows: int, license: str) -> HfExport:
    from datasets import Dataset

    examples = [to_example(r) for r in export.rows()]
    feats = features()
    ds = Dataset.from_list(examples, features=feats)
    n_shards = max(1, -(-len(examples) // max(1, shard_rows)))
    shards = []
    (out / DATA_DIR).mkdir(parents=True, exist_ok=True)
    for i in range(n_shards):
        path = out / DATA_DIR / f"{SPLIT}-{i:05d}-of-{n_shards:05d}.parquet"
        ds.shard(num_shards=n_shards, index=i, contiguous=True).to_parquet(str(path))
        shards.append(path)
    card = out / "README.md"
    with atomic_output(card) as fh:
        fh.write(dataset_card(export, examples, feats, num_bytes=ds.data.nbytes, license=license))
    return HfExport(rows=len(examples), shards=shards, card=card)


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
    examples: list[dict[str, Any]],
    feats: Any,
    *,
    num_bytes: int = 0,
    license: str = "other",
) -> str:
    """The ``README.md`` dataset card: YAML header, then description, counts and signatures."""
    shapes = Counter(e["bead"] for e in examples)
    origins = Counter(e["en_origin"] for e in examples)
    n_terms = sum(len(e["terms"]) for e in examples)
    n_found = sum(t["found"] for e in examples for t in e["terms"])
    lines = [
        _card_header(len(examples), feats, num_bytes, license),
        "# unmt Chinese-English UN document translations\n",
        "Chinese United Nations documents segmented, machine-translated into English, aligned",
        "with their human English version where one was given, and scored against UN",
        f"terminology, by unmt {__version__}.\n",
        "Each row is one alignment bead (one segment when a document had no reference).",
        "`translation.en` is the human reference where the document was aligned with one",
        "(`en_origin` = `reference`), else the machine translation (`en_origin` = `mt`).",
        "`mt` is always the machine translation; `bead` is the shape (`1-1`, `2-1`, `1-0`...);",
        "`terms` are the glossary terms found in the Chinese, with whether the MT used the",
        "approved English; `chrf` is sentence chrF of `mt` against the reference (null without).\n",
        "## Counts\n",
        f"- documents: {len(export.docs)}",
        f"- rows: {len(examples)}",
        f"- English from reference / MT: {origins.get('reference', 0)} / {origins.get('mt', 0)}",
        "- bead shapes: " + ", ".join(f"{k}: {v}" for k, v in sorted(shapes.items())),
        f"- glossary term occurrences: {n_terms}, approved English used: {n_found}",
        f"- run directories merged: {len(export.runs)}\n",
    ]
    lines += _provenance(export)
    lines += [
        "## Loading\n",
        "```python",
        "from datasets import load_dataset",
        'ds = load_dataset("path/to/this/folder", split="train")',
        "```\n",
    ]
    return "\n".join(lines)


def _provenance(export: ExportSet) -> list[str]:
    lines = ["## Model\n"]
    if not export.translators:
        lines.append("- (not recorded)")
    for t in export.translators:
        lines.append("- " + ", ".join(f"{k}: {v}" for k, v in sorted(t.items())))
    if any(t.get("meaningless") for t in export.translators):
        lines.append("\n**The tiny random-weight test model was used: the MT is meaningless.**")
    lines.append("\n## Glossaries\n")
    glossaries = export.settings.get("glossaries") or []
    lines += [f"- `{Path(g).name}`" for g in glossaries] or ["- the UN glossary shipped with unmt"]
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
