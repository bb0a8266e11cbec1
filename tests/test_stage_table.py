"""The declared stage table: well-formed, and what a run records is what it declares."""

from __future__ import annotations

from pathlib import Path

from conftest import EXAMPLES

from unmt.pipeline.cli.main import main
from unmt.pipeline.run.codekey import STAGE_CODE, code_files
from unmt.pipeline.run.rundir import RunDir
from unmt.pipeline.run.table import PHASES, STAGES


def test_the_table_is_well_formed() -> None:
    names = [s.name for s in STAGES]
    assert len(names) == len(set(names))
    files = [f for s in STAGES for f in s.outputs.values()]
    assert len(files) == len(set(files))  # no two stages write one file
    for stage in STAGES:
        assert stage.phase in PHASES
        assert stage.code is None or stage.code in STAGE_CODE
    for packages in STAGE_CODE.values():
        assert code_files(packages)  # every package named imports and has files
    order = [PHASES.index(s.phase) for s in STAGES]
    assert order == sorted(order)


def test_a_run_records_exactly_the_declared_stages(tmp_path: Path, tiny_model_dir: Path) -> None:
    out = tmp_path / "run"
    zh, en = EXAMPLES / "un-report.zh.txt", EXAMPLES / "un-report.en.txt"
    argv = ["run", str(zh), str(zh), "--reference", str(en), "", "-o", str(out), "--model",
            str(tiny_model_dir), "--quiet"]  # fmt: skip
    assert main(argv) == 0
    run = RunDir(out, create=False)
    try:
        docs = run.documents()
    finally:
        run.close()
    with_ref, without = docs["un-report"], docs["un-report-2"]
    assert list(with_ref.stages) == [s.name for s in STAGES]
    assert list(without.stages) == [s.name for s in STAGES if s.name not in ("segment.en", "align")]
    for entry in (with_ref, without):
        for stage in STAGES:
            if stage.name in entry.stages:
                recorded = {Path(rel).name for rel in entry.stages[stage.name].outputs}
                assert recorded == set(stage.outputs.values())
