"""The project's files: reading inputs (bounded), writing outputs (one rule), owned folders.

- :mod:`unmt.fileio.read`: bounded bytes, UTF-8 text, line files, JSON and JSONL records;
- :mod:`unmt.fileio.write`: the output rule (atomic replacement of files, devices and named pipes
  written into as they are, links followed only where the user named them), output checks;
- :mod:`unmt.fileio.folders`: output folders unmt owns (created new, empty, or its own kind),
  publishing a folder's files without touching the user's.

Everything is importable from ``unmt.fileio``.
"""

from unmt.fileio.folders import atomic_directory, claim_folder, published_folder
from unmt.fileio.read import (
    JSONL_SUFFIXES,
    MAX_CONFIG_BYTES,
    MAX_INPUT_BYTES,
    MAX_JSON_DEPTH,
    STDIO,
    is_jsonl,
    json_depth,
    jsonl_records,
    loads_json,
    read_bytes,
    read_jsonl,
    read_lines,
    read_records,
    read_text,
    real_path,
    shown_path,
    split_lines,
)
from unmt.fileio.write import (
    WriteError,
    atomic_output,
    check_output,
    dump_jsonl,
    hash_checked_outputs,
    output_stream,
    output_target,
    staging_folder,
    write_error,
    write_jsonl,
)

__all__ = [
    "JSONL_SUFFIXES",
    "MAX_CONFIG_BYTES",
    "MAX_INPUT_BYTES",
    "MAX_JSON_DEPTH",
    "STDIO",
    "WriteError",
    "atomic_directory",
    "atomic_output",
    "check_output",
    "claim_folder",
    "dump_jsonl",
    "hash_checked_outputs",
    "is_jsonl",
    "json_depth",
    "jsonl_records",
    "loads_json",
    "output_stream",
    "output_target",
    "published_folder",
    "read_bytes",
    "read_jsonl",
    "read_lines",
    "read_records",
    "read_text",
    "real_path",
    "shown_path",
    "split_lines",
    "staging_folder",
    "write_error",
    "write_jsonl",
]
