"""The template engine of the reports: Jinja2, escaping every value by default.

Two environments over ``templates/``:

- HTML (``*.html.j2``): autoescaped. Values are escaped with the standard library's
  :func:`html.escape` (``&quot;``/``&#x27;`` for quotes, as the pages always had) before
  Jinja2's own autoescape sees them; a value the view built as markup is :class:`Markup` and
  passes unchanged. Line breaks, with the indentation after them, are layout of the template
  file and are taken out when it loads (:class:`JoinLines`): write ``{{ newline }}`` for a real
  one and ``{{ " " }}`` for a space at a line's end.
- Markdown (``*.md.j2``): every value goes through :func:`md` (HTML- and Markdown-escaped) unless
  marked ``|safe``; the template's lines are the output's lines.

Templates are rendered with ``generate()``, so a report streams to its file piece by piece.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from jinja2.ext import Extension
from markupsafe import Markup

from unmt.eval.report.view import fmt, pct, sort_key

TEMPLATES = Path(__file__).with_name("templates")

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~])")
_LAYOUT_BREAK = re.compile(r"\n[ \t]*")


def md(text: str) -> str:
    """Escape ``text`` for a Markdown table cell or paragraph (HTML and Markdown syntax)."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False)).replace("\n", " ")


class JoinLines(Extension):
    """Take a template's line breaks (and the indentation after them) out as it loads."""

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        return _LAYOUT_BREAK.sub("", source)


def _html_value(value: Any) -> Any:
    return value if isinstance(value, Markup) else Markup(html.escape(str(value)))


def _md_value(value: Any) -> Any:
    return value if isinstance(value, Markup) else md(str(value))


@cache
def environment(kind: str) -> Environment:
    """The environment for ``html`` or ``md`` templates (built once per process)."""
    if kind == "html":
        return Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=True,
            finalize=_html_value,
            extensions=[JoinLines],
            undefined=StrictUndefined,
        )
    if kind == "md":
        return Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=False,
            finalize=_md_value,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            undefined=StrictUndefined,
        )
    raise ValueError(f"no template environment {kind!r}")


def asset(name: str) -> Markup:
    """A file of ``templates/`` (the page's CSS or JS), inlined as is."""
    return Markup((TEMPLATES / name).read_text(encoding="utf-8"))


def stream(kind: str, template: str, context: Mapping[str, Any]) -> Iterator[str]:
    """The rendered template, piece by piece."""
    return environment(kind).get_template(template).generate(**context)


def helpers(**more: Callable[..., Any]) -> dict[str, Callable[..., Any]]:
    """The number formats every template may call."""
    return {"fmt": fmt, "pct": pct, "sort_key": sort_key, **more}
