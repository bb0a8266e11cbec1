"""The anchor of ``unmt bench export``: a direct Parquet + TMX writer, nothing of unmt.

What a careful engineer would write by hand to turn a run directory's ``pairs.jsonl`` files
into Parquet and TMX: ``json.loads`` per line, columns gathered in lists and written as pyarrow
record batches of 2,000 rows (the dataset's schema: a ``translation`` struct, a list of term
structs), TMX units as f-strings with XML escaping. No filter but one-sided beads, no card, no
check of what was written: the floor ``unmt export`` is measured against (start-up included).

Run as a script by the benchmark::

    python direct_export.py RUN_DIR OUT_DIR

It prints one JSON line: ``rows`` read, ``units`` written and ``peak_mib``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

_GROUP = 2000
_COLUMNS = ("id", "doc", "para", "block", "en_origin", "mt", "bead")


def _schema() -> Any:
    import pyarrow as pa

    term = pa.struct([("zh", pa.string()), ("en", pa.string()), ("found", pa.bool_())])
    return pa.schema(
        [
            *((name, pa.string()) for name in ("id", "doc", "para", "block")),
            ("translation", pa.struct([("zh", pa.string()), ("en", pa.string())])),
            *((name, pa.string()) for name in ("en_origin", "mt", "bead")),
            ("terms", pa.list_(term)),
            ("chrf", pa.float64()),
            ("align", pa.float64()),
        ]
    )


def main(run_dir: str, out_dir: str) -> dict[str, float]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    schema = _schema()
    writer = pq.ParquetWriter(str(out / "data.parquet"), schema)
    tmx = open(out / "direct.tmx", "w", encoding="utf-8")  # noqa: SIM115
    tmx.write('<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4">\n<header/>\n<body>\n')
    cols: dict[str, list] = {name: [] for name in schema.names}
    rows = units = 0

    def flush() -> None:
        if cols["id"]:
            writer.write_batch(pa.RecordBatch.from_pydict(cols, schema=schema))
            for values in cols.values():
                values.clear()

    for path in sorted(Path(run_dir).glob("docs/*/pairs.jsonl")):
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                rows += 1
                zh, en = row["zh"].strip(), row["en"].strip()
                if not zh or not en:
                    continue
                for name in _COLUMNS:
                    cols[name].append(row[name])
                cols["translation"].append({"zh": row["zh"], "en": row["en"]})
                cols["terms"].append(row["terms"])
                cols["chrf"].append(row["chrf"])
                cols["align"].append(row.get("align"))
                if len(cols["id"]) >= _GROUP:
                    flush()
                tmx.write(
                    f'<tu tuid={quoteattr(row["id"])}><tuv xml:lang="zh-CN"><seg>{escape(zh)}'
                    f'</seg></tuv><tuv xml:lang="en"><seg>{escape(en)}</seg></tuv></tu>\n'
                )
                units += 1
    flush()
    writer.close()
    tmx.write("</body>\n</tmx>\n")
    tmx.close()
    with open("/proc/self/status") as status:
        peak = next((int(x.split()[1]) / 1024 for x in status if x.startswith("VmHWM")), 0.0)
    return {"rows": rows, "units": units, "peak_mib": peak}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2])))
