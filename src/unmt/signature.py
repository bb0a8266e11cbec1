"""Signatures as values: the settings that decide a figure, kept as fields and rendered late.

A signature names every setting that changes a score or an output, in sacreBLEU's form
``name:value|name:value`` (optionally after a bare head such as ``align-1.0``). Code builds and
reads :class:`Signature` values, never strings: ``sig.get("model")`` instead of splitting text,
``sig.extend(context)`` instead of concatenating, and ``str(sig)`` only where it is shown or
stored. :meth:`Signature.parse` reads a rendered one back (sacreBLEU's own signatures included).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Signature:
    """An ordered set of ``name:value`` fields, with an optional bare head.

    Attributes:
        fields: ``(name, value)`` pairs in display order; names are unique.
        head: a bare leading token (``align-1.0``), or empty.
    """

    fields: tuple[tuple[str, str], ...] = ()
    head: str = ""

    @classmethod
    def of(cls, head: str = "", /, **fields: object) -> Signature:
        """A signature from keyword fields (values rendered with ``str``)."""
        return cls(tuple((k, str(v)) for k, v in fields.items()), head)

    @classmethod
    def parse(cls, text: str) -> Signature:
        """Read a rendered signature back; a first part without ``:`` is the head."""
        parts = [p for p in text.split("|") if p] if text else []
        head = ""
        if parts and ":" not in parts[0]:
            head = parts.pop(0)
        return cls(tuple(tuple(p.split(":", 1)) for p in parts if ":" in p), head)  # type: ignore[misc]

    def extend(self, more: Mapping[str, object]) -> Signature:
        """This signature with ``more`` fields appended (an existing name is replaced in place)."""
        if not more:
            return self
        new = {k: str(v) for k, v in more.items()}
        kept = tuple((k, new.pop(k) if k in new else v) for k, v in self.fields)
        return Signature(kept + tuple(new.items()), self.head)

    def get(self, name: str, default: str | None = None) -> str | None:
        """The value of field ``name``."""
        return next((v for k, v in self.fields if k == name), default)

    def __contains__(self, name: object) -> bool:
        return any(k == name for k, _ in self.fields)

    def __str__(self) -> str:
        body = "|".join(f"{k}:{v}" for k, v in self.fields)
        return f"{self.head}|{body}" if self.head and body else self.head or body
