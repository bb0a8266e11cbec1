"""Settings declared once: a dataclass field carries its type, default, choices and help.

A settings class (``TranslateOptions``, ``RunConfig``) declares each field with :func:`option`;
:func:`specs` reads the declarations back as :class:`Spec` values, from which the command line
flags, the YAML validation and the help texts are all derived. Adding a setting is one field.
"""

from __future__ import annotations

import dataclasses
import math
import typing
from dataclasses import dataclass
from typing import Any

#: what a field's ``kind`` may be: plain value, a path (made absolute in config files), a list
#: of paths, or an on/off flag
KINDS = ("value", "path", "paths", "flag")


def option(
    default: Any = None,
    *,
    help: str,
    choices: tuple[str, ...] | None = None,
    minimum: float | None = None,
    maximum: float | None = None,
    kind: str = "value",
    metavar: str | None = None,
) -> Any:
    """A dataclass field declaring one setting (a list default is copied per instance).

    A number setting declares its bounds here (``minimum``, ``maximum``, both inclusive): the
    command line and the config file check the same ones.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown setting kind {kind!r}")
    meta = {
        "help": help,
        "choices": choices,
        "minimum": minimum,
        "maximum": maximum,
        "kind": kind,
        "metavar": metavar,
    }
    if isinstance(default, list):
        return dataclasses.field(default_factory=lambda: list(default), metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


@dataclass(frozen=True)
class Spec:
    """One declared setting, as read back from its dataclass field.

    Attributes:
        name: the field name (``batch_size``); the flag is ``--batch-size``.
        type: ``int``, ``float``, ``str``, ``bool`` or ``list`` (of strings).
        default: the default value.
        help: what it does.
        choices: the allowed values, when limited.
        minimum: the smallest allowed number.
        maximum: the largest allowed number.
        kind: ``value``, ``path``, ``paths`` or ``flag``.
        optional: whether ``None`` is allowed.
        metavar: the value's name in help texts.
    """

    name: str
    type: type
    default: Any
    help: str
    choices: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    kind: str = "value"
    optional: bool = False
    metavar: str | None = None

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    def check(self, value: Any) -> str | None:
        """Why ``value`` is not allowed for this setting, or ``None`` when it is."""
        if value is None:
            return None if self.optional or self.kind == "paths" else "must be given"
        want = self.type
        ok = isinstance(value, want) and not (want in (int, float) and isinstance(value, bool))
        if want is float and isinstance(value, int) and not isinstance(value, bool):
            ok = True
        if not ok:
            return f"must be {want.__name__}, not {type(value).__name__}"
        if want is list and not all(isinstance(v, str) for v in value):
            return "must be a list of paths"
        if self.choices is not None and value not in self.choices:
            return f"must be one of {', '.join(self.choices)}, not {value!r}"
        if want in (int, float):
            return number_problem(value, self.minimum, self.maximum)
        return None


def number_problem(value: float, minimum: float | None, maximum: float | None) -> str | None:
    """Why a number is not allowed between ``minimum`` and ``maximum`` (inclusive; ``None``:
    unbounded), or ``None``. Not-a-number and infinity are never allowed."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"must be a finite number, not {value}"
    if minimum is not None and value < minimum:
        return f"must be at least {minimum:g}, not {value:g}"
    if maximum is not None and value > maximum:
        shown = f"{value:g}" if abs(value) < 1e15 else "a larger number"
        return f"must be at most {maximum:g}, not {shown}"
    return None


def _base_type(hint: Any) -> tuple[type, bool]:
    """The plain type of a field annotation and whether ``None`` is allowed."""
    args = typing.get_args(hint)
    origin = typing.get_origin(hint)
    if origin is list:
        return list, False
    if args and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        base = rest[0]
        if typing.get_origin(base) is list:
            return list, True
        return (str if base not in (int, float, bool, str) else base), True
    return hint, False


def specs(cls: type) -> dict[str, Spec]:
    """The declared settings of dataclass ``cls``, by name, in declaration order.

    Fields declared without :func:`option` (no ``help``) are not settings and are left out.
    """
    hints = typing.get_type_hints(cls)
    out: dict[str, Spec] = {}
    for f in dataclasses.fields(cls):
        meta = f.metadata
        if "help" not in meta:
            continue
        base, optional = _base_type(hints[f.name])
        factory = f.default_factory
        default = factory() if factory is not dataclasses.MISSING else f.default
        out[f.name] = Spec(
            name=f.name,
            type=base,
            default=default,
            help=meta["help"],
            choices=meta["choices"],
            minimum=meta["minimum"],
            maximum=meta["maximum"],
            kind=meta["kind"],
            optional=optional or default is None,
            metavar=meta["metavar"],
        )
    return out
