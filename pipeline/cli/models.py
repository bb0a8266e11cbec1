"""``unmt models``: build the tiny test model, list cached models, convert for CTranslate2."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

#: what ``unmt models tiny --family`` builds
TINY_FAMILIES: tuple[str, ...] = ("marian", "m2m100", "nllb")


def add_parser(subparsers: Any) -> None:
    """Register ``unmt models tiny|list|convert``."""
    p = subparsers.add_parser("models", help="build, list and convert MT models")
    sub = p.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    tiny = sub.add_parser("tiny", help="build a tiny random-weight model (meaningless output)")
    tiny.add_argument("dir", type=Path, help="folder to create")
    tiny.add_argument(
        "--family",
        default="marian",
        choices=TINY_FAMILIES,
        help="marian (default; what --model tiny uses), m2m100 (M2M100 tokenizer, __zh__/__en__ "
        "codes) or nllb (the same model with an NLLB tokenizer, zho_Hans/eng_Latn codes)",
    )
    tiny.set_defaults(func=run_tiny)
    lst = sub.add_parser("list", help="models in the caches (hub, converted, tiny)")
    lst.add_argument("--json", action="store_true", help="one JSON object per line")
    lst.set_defaults(func=run_list)
    conv = sub.add_parser("convert", help="convert a model for CTranslate2 ahead of time")
    conv.add_argument("model", help="hub id, local folder, or 'tiny'")
    conv.add_argument(
        "--quantization",
        default="float32",
        choices=("float32", "int8"),
        help="weights of the converted model (default float32)",
    )
    conv.set_defaults(func=run_convert)


def run_tiny(args: argparse.Namespace) -> int:
    """``unmt models tiny DIR [--family marian|m2m100|nllb]``."""
    family = getattr(args, "family", "marian")
    if family == "marian":
        from unmt.models.tiny.marian import build_tiny_model

        build_tiny_model(args.dir)
        name = "MarianMT"
    else:
        from unmt.models.tiny.m2m import build_tiny_m2m100

        build_tiny_m2m100(args.dir, nllb=family == "nllb")
        name = "M2M100 (NLLB tokenizer)" if family == "nllb" else "M2M100"
    print(
        f"built the tiny random-weight {name} in {args.dir} "
        "(for tests and demos only: its translations are meaningless)"
    )
    return 0


def cached_models() -> list[dict[str, Any]]:
    """Rows for every model found in the hub cache, the CTranslate2 cache and the tiny cache."""
    from unmt.cachedirs import cache_root
    from unmt.models.backends.ct2 import list_conversions
    from unmt.models.tiny.marian import is_tiny_model

    rows: list[dict[str, Any]] = []
    try:
        from huggingface_hub import scan_cache_dir

        for repo in scan_cache_dir().repos:
            if repo.repo_type != "model":
                continue
            for rev in repo.revisions:
                rows.append(
                    {
                        "kind": "hub",
                        "model": repo.repo_id,
                        "revision": rev.commit_hash,
                        "size": rev.size_on_disk,
                        "path": str(rev.snapshot_path),
                        "meaningless": False,
                    }
                )
    except Exception:  # no hub cache yet (CacheNotFound) or an unreadable one
        pass
    for folder in sorted((cache_root() / "models").glob("tiny-*")):
        if is_tiny_model(folder):
            rows.append(
                {
                    "kind": "tiny",
                    "model": "tiny",
                    "revision": folder.name[5:],
                    "path": str(folder),
                    "meaningless": True,
                }
            )
    for info in list_conversions():
        rows.append(
            {
                "kind": f"ct2-{info.get('quantization')}",
                "model": info.get("model_id"),
                "revision": info.get("revision"),
                "path": info["path"],
                "meaningless": bool(info.get("meaningless")),
            }
        )
    return rows


def run_list(args: argparse.Namespace) -> int:
    """``unmt models list``."""
    rows = cached_models()
    for row in rows:
        if args.json:
            print(json.dumps(row, ensure_ascii=False))
            continue
        note = "  (random weights: output meaningless)" if row["meaningless"] else ""
        print(f"{row['kind']:<12} {row['model']}  {str(row['revision'])[:16]}  {row['path']}{note}")
    if not rows and not args.json:
        print("no cached models")
    return 0


def run_convert(args: argparse.Namespace) -> int:
    """``unmt models convert ID|DIR``."""
    from unmt.models.backends.ct2 import convert_model
    from unmt.models.resolve import resolve_model

    model = resolve_model(args.model)
    path = convert_model(model, args.quantization)
    note = " (random weights: output meaningless)" if model.meaningless else ""
    print(f"{model.model_id} {model.revision} -> {path}{note}")
    return 0
