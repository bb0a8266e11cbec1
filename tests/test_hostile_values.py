"""Hostile values for every number a user can give, generated from the declarations (issue 23:
"integer bounds on every numeric flag and config key, declared once with the option").

Every numeric flag of every command (found by walking the parsers: its argparse type carries the
declared bounds) and every numeric key of a run config is given values that are no number, not
finite, out of its bounds or too long to convert. Each must end with exit 2 and one line, before
any work (the case's folder is unchanged). The totals are printed (``pytest -s``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from hostile_kit import Case, problems_of, run_main, snapshot

from unmt.pipeline.cli.main import BENCHES, COMMANDS, build_parser
from unmt.pipeline.run.config import all_specs

#: the smallest command line of each command (the value under test is appended)
BASE = {
    "segment": ["segment", "doc.zh.txt"],
    "translate": ["translate", "doc.zh.txt"],
    "align": ["align", "doc.zh.txt", "doc.en.txt"],
    "score": ["score", "--src", "doc.zh.txt", "--hyp", "doc.en.txt"],
    "glossary check": ["glossary", "check", "--src", "doc.zh.txt", "--ref", "doc.en.txt"],
    "export": ["export", "run", "-o", "out"],
    "run": ["run", "doc.zh.txt", "-o", "out"],
}


def _bounded_actions(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    """``(command words, option string, (kind, minimum, maximum))`` of every bounded number."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _bounded_actions(sub, (*path, name))
        elif action.option_strings and hasattr(action.type, "bounds"):
            yield path, action.option_strings[-1], action.type.bounds


def _values(kind: type, minimum: float | None, maximum: float | None) -> list[str]:
    values = ["nan", "inf", "-inf", "abc", "9" * 5000, ""]
    if kind is int:
        values += ["1.5", "2**63"]
    if minimum is not None:
        values.append(str(minimum - 1))
    if maximum is not None:
        values.append(str(int(maximum) + 1))
        values.append(str(2**63))
    return values


def _flag_cases() -> list[Case]:
    parser = build_parser()
    cases = []
    for path, flag, (kind, lo, hi) in _bounded_actions(parser):
        command = " ".join(path)
        base = BASE.get(command, list(path))
        for value in _values(kind, lo, hi):
            shown = value if len(value) < 12 else value[:8] + "..."
            cases.append(Case(f"{command} {flag} {shown!r}", [*base, flag, value], (2,)))
    return cases


def _config_cases() -> list[Case]:
    cases = []
    for name, spec in all_specs().items():
        if spec.type not in (int, float):
            continue
        values = [".nan", ".inf", "-.inf", "abc", "[1]", "{a: 1}", "true", "9" * 5000]
        if spec.minimum is not None:
            values.append(str(int(spec.minimum) - 1))
        if spec.maximum is not None:
            values.append(str(int(spec.maximum) + 1))
        for value in values:
            text = f"inputs: [doc.zh.txt]\noutput: out\n{name}: {value}\n"
            shown = value if len(value) < 12 else value[:8] + "..."
            cases.append(
                Case(
                    f"config {name}: {shown}",
                    ["run", "--config", "c.yaml"],
                    (2,),
                    setup=lambda r, t=text: (r / "c.yaml").write_text(t, "utf-8"),
                )
            )
    return cases


def _run(cases: list[Case], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "doc.zh.txt").write_text("会员国重申承诺。\n", "utf-8")
    (tmp_path / "doc.en.txt").write_text("Member States reaffirmed their commitment.\n")
    problems: list[str] = []
    for case in cases:
        if case.setup is not None:
            case.setup(tmp_path)
        before = snapshot(tmp_path)
        outcome = run_main(case.argv)
        problems += problems_of(case, tmp_path, outcome, before)
    print(f"\nhostile values: {len(cases)} cases, {len(problems)} problems")
    assert problems == [], "\n".join(problems)


def test_every_numeric_flag_refuses_hostile_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cases = _flag_cases()
    commands = {c.name.split(" --")[0] for c in cases}
    # every command with numbers is reached, the benchmarks too
    assert {"translate", "run", "score", "export", "glossary check"} <= commands
    assert {f"bench {b}" for b in ("align", "translate", "run", "export")} <= commands
    assert set(COMMANDS) and set(BENCHES)
    _run(cases, tmp_path, monkeypatch)


def test_every_numeric_config_key_refuses_hostile_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cases = _config_cases()
    assert len(cases) >= 50
    _run(cases, tmp_path, monkeypatch)
