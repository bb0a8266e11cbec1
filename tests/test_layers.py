"""The import rules between layers, checked on every module's AST (upward imports fail).

Layers, lowest first: the kernel ``unmt`` (src/unmt); ``unmt.models`` and ``unmt.eval``, which
import only the kernel and themselves; ``unmt.pipeline.segment`` (kernel only) and
``unmt.pipeline.align`` (kernel, and ``unmt.eval.glossary`` for glossary phrases); the run layer
``unmt.pipeline.run`` (everything below it); ``unmt.pipeline.export`` (the run layer's files);
``unmt.pipeline.bench`` and ``unmt.pipeline.cli`` on top (the CLI imports commands lazily).
Imports inside functions count the same as module-level ones.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ROOTS = {"unmt": REPO / "src" / "unmt", "unmt.pipeline": REPO / "pipeline",
         "unmt.models": REPO / "models", "unmt.eval": REPO / "eval"}  # fmt: skip

#: layer -> the layers its modules may import (besides their own)
ALLOWED: dict[str, set[str]] = {
    "kernel": set(),
    "models": {"kernel"},
    "eval": {"kernel"},
    "segment": {"kernel"},
    "align": {"kernel", "eval.glossary"},
    "run": {"kernel", "models", "eval", "segment", "align"},
    "export": {"kernel", "run"},
    "bench": {"kernel", "models", "eval", "segment", "align", "run", "export", "cli"},
    "cli": {"kernel", "models", "eval", "segment", "align", "run", "export", "bench"},
}


def layer_of(module: str) -> str:
    """The layer of a dotted ``unmt`` module name."""
    if module == "unmt.__main__":
        return "cli"  # ``python -m unmt`` is the command line
    parts = module.split(".")
    if len(parts) < 2 or parts[1] not in ("pipeline", "models", "eval"):
        return "kernel"
    if parts[1] in ("models", "eval"):
        return parts[1]
    if len(parts) < 3:
        return "pipeline"
    return parts[2]


def allows(importer: str, imported: str) -> bool:
    """Whether a module of layer ``importer`` may import module ``imported``."""
    src, dst = layer_of(importer), layer_of(imported)
    if src == dst:
        return True
    ok = ALLOWED.get(src, set())
    if dst in ok:
        return True
    return any(imported == f"unmt.{p}" or imported.startswith(f"unmt.{p}.") for p in ok if "." in p)


def modules() -> list[tuple[str, Path]]:
    """Every module of the package: (dotted name, file)."""
    out = []
    for prefix, root in ROOTS.items():
        for path in sorted(root.rglob("*.py")):
            rel = path.relative_to(root).with_suffix("")
            parts = [p for p in rel.parts if p != "__init__"]
            out.append((".".join([prefix, *parts]), path))
    return out


def imports_of(path: Path, module: str) -> list[tuple[int, str]]:
    """(line, imported module) of every ``unmt`` import in ``path``, relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            if base == "unmt" or base.startswith("unmt."):
                # ``from unmt.pipeline import run`` imports the subpackage ``run``
                found += [(node.lineno, f"{base}.{a.name}") for a in node.names]
    return [(ln, m) for ln, m in found if m == "unmt" or m.startswith("unmt.")]


def violations() -> list[str]:
    bad = []
    for module, path in modules():
        for line, imported in imports_of(path, module):
            if not allows(module, imported):
                rel = path.relative_to(REPO)
                bad.append(f"{rel}:{line}: {layer_of(module)} imports {imported}")
    return bad


def test_no_upward_imports() -> None:
    assert violations() == []


@pytest.mark.parametrize(
    ("importer", "imported", "ok"),
    [
        ("unmt.eval.scoring", "unmt.records", True),
        ("unmt.eval.scoring", "unmt.pipeline.run.stages", False),
        ("unmt.models.translate", "unmt.eval.terms.matcher", False),
        ("unmt.eval.terms.matcher", "unmt.models.resolve", False),
        ("unmt.pipeline.align.lexicon", "unmt.eval.glossary.load", True),
        ("unmt.pipeline.align.lexicon", "unmt.eval.scoring", False),
        ("unmt.pipeline.segment.segmenter", "unmt.pipeline.align.aligner", False),
        ("unmt.pipeline.run.stages", "unmt.models.translate", True),
        ("unmt.pipeline.run.stages", "unmt.pipeline.cli.options", False),
        ("unmt.records", "unmt.pipeline.segment.clean", False),
        ("unmt.pipeline.cli.run", "unmt.pipeline.run.runner", True),
    ],
)
def test_rule_table(importer: str, imported: str, ok: bool) -> None:
    assert allows(importer, imported) is ok


def test_checker_sees_an_upward_import(tmp_path: Path) -> None:
    """The checker is not blind: an upward import written into a module is reported."""
    f = tmp_path / "bad.py"
    f.write_text("def g():\n    from unmt.pipeline.run.stages import load_segments\n")
    found = imports_of(f, "unmt.eval.bad")
    assert found == [(2, "unmt.pipeline.run.stages.load_segments")]
    assert not allows("unmt.eval.bad", "unmt.pipeline.run.stages")


def test_every_package_is_installed() -> None:
    """Each folder with an ``__init__.py`` is listed in pyproject's packages (else not shipped)."""
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    for module, path in modules():
        if path.name == "__init__.py":
            assert f'"{module}"' in text, f"{module} missing from [tool.setuptools] packages"
