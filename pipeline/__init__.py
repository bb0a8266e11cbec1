"""Records, ingest and segmentation, alignment, run orchestration, export and the CLI."""
