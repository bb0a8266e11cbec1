"""Option groups several commands share, derived from the settings' one declaration.

:func:`add_settings` turns declared settings (:func:`unmt.settings.specs`) into flags: the flag
name, type, choices, minimum, default and help all come from the field. ``unmt translate`` gets
the defaults filled in; ``unmt run`` leaves unset flags ``None`` so that a config file's value
is not overridden by a default the user never typed (its help still shows the default).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable
from typing import Any

from unmt.settings import Spec, number_problem


def number(
    kind: type = int, minimum: float | None = None, maximum: float | None = None
) -> Callable[[str], Any]:
    """An argparse ``type`` for a bounded number (``kind`` int or float): a value that is no
    number, not finite, or out of bounds is a usage error (exit 2, one line)."""

    def parse(value: str) -> Any:
        try:
            n = kind(value)
        except (ValueError, OverflowError):
            what = "whole number" if kind is int else "number"
            shown = value if len(value) <= 40 else value[:40] + "..."
            raise argparse.ArgumentTypeError(f"expected a {what}, got {shown!r}") from None
        problem = number_problem(n, minimum, maximum)
        if problem is not None:
            raise argparse.ArgumentTypeError(problem.replace("must be", "expected", 1))
        return n

    parse.__name__ = kind.__name__
    parse.bounds = (kind, minimum, maximum)  # type: ignore[attr-defined]  # for the tests
    return parse


def numbers(
    kind: type = int, minimum: float | None = None, maximum: float | None = None
) -> Callable[[str], list[Any]]:
    """An argparse ``type`` for a comma-separated list of bounded numbers (``N[,N...]``)."""
    one = number(kind, minimum, maximum)

    def parse(value: str) -> list[Any]:
        items = [one(x.strip()) for x in value.split(",") if x.strip()]
        if not items:
            raise argparse.ArgumentTypeError(f"expected N[,N...], got {value!r}")
        return items

    parse.__name__ = f"{kind.__name__} list"
    parse.bounds = (kind, minimum, maximum)  # type: ignore[attr-defined]
    return parse


def _number(spec: Spec) -> Callable[[str], Any]:
    return number(spec.type, spec.minimum, spec.maximum)


def _help(spec: Spec) -> str:
    if spec.kind == "flag" or spec.default is None:
        return spec.help
    default = spec.default if not isinstance(spec.default, list) else "none"
    return f"{spec.help} (default {default})"


def add_settings(
    parser: argparse.ArgumentParser | Any,
    settings: Iterable[Spec],
    *,
    fill_defaults: bool = True,
    help_overrides: dict[str, str] | None = None,
) -> None:
    """Add one flag per setting.

    Args:
        parser: the parser (or argument group).
        settings: the declared settings to expose.
        fill_defaults: put each setting's default into the namespace; ``False`` leaves flags
            that were not given at ``None``.
        help_overrides: a different help text for some settings (by name).
    """
    for spec in settings:
        text = (help_overrides or {}).get(spec.name) or _help(spec)
        if spec.kind == "flag":
            parser.add_argument(
                spec.flag,
                action="store_true",
                default=spec.default if fill_defaults else None,
                help=text,
            )
            continue
        kw: dict[str, Any] = {"help": text, "dest": spec.name}
        kw["default"] = spec.default if fill_defaults else None
        if spec.type in (int, float):
            kw["type"] = _number(spec)
        if spec.choices is not None:
            kw["choices"] = spec.choices
        if spec.metavar or spec.type is int:
            kw["metavar"] = spec.metavar or "N"
        parser.add_argument(spec.flag, **kw)


def given_settings(args: argparse.Namespace, settings: Iterable[Spec]) -> dict[str, Any]:
    """The settings given on the command line (``None`` and unset flags left out)."""
    out = {}
    for spec in settings:
        value = getattr(args, spec.name, None)
        if value is None or (spec.kind == "flag" and value is False):
            continue
        out[spec.name] = value
    return out


GLOSSARY_HELP = (
    "TSV/CSV/TBX glossary, repeatable, earlier wins; 'un' is the shipped UN glossary, which is "
    "always added last unless --no-default-glossary"
)


def add_glossary_option(
    parser: argparse.ArgumentParser,
    help: str = GLOSSARY_HELP,
    dest: str = "glossary",
    *,
    default_flag: bool = True,
) -> None:
    """Add the repeatable ``--glossary G`` option (a list, empty when not given) and, with
    ``default_flag``, ``--no-default-glossary``."""
    parser.add_argument(
        "--glossary", dest=dest, action="append", default=[], metavar="G", help=help
    )
    if default_flag:
        parser.add_argument(
            "--no-default-glossary",
            action="store_true",
            help="use only the glossaries given, not the shipped UN glossary as well",
        )


def declare_io(
    parser: argparse.ArgumentParser,
    inputs: Iterable[str],
    output: str | None = "output",
    *,
    folder: bool = False,
) -> None:
    """Declare which arguments of a command are its input files and which its output, so that
    :func:`check_io` refuses an output that is an input, a directory, or unwritable before the
    command does any work."""
    parser.set_defaults(io_inputs=tuple(inputs), io_output=output, io_folder=folder)


def check_io(args: argparse.Namespace) -> None:
    """Check the declared output of a parsed command against its declared inputs."""
    from unmt.fileio import check_output

    names = getattr(args, "io_inputs", None)
    if names is None:
        return
    inputs: list[Any] = []
    for name in names:
        value = getattr(args, name, None)
        inputs.extend(value if isinstance(value, list | tuple) else [value])
    if sum(str(v) == "-" for v in inputs if v is not None) > 1:
        from unmt.errors import UserError

        raise UserError(
            "standard input (-) is given as more than one input; it can be read once",
            hint="give at most one input as -, the others as files",
        )
    if args.io_output is not None:
        check_output(getattr(args, args.io_output, None), inputs, folder=args.io_folder)
