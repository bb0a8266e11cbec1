"""Reading TBX term bases (TBX-Basic 2008 ``martif`` and TBX v3 / ISO 30042:2019 ``tbx``).

Both dialects are read by local element names, so namespaces do not matter: a concept is a
``termEntry`` (2008) or ``conceptEntry`` (v3); a language section is ``langSet`` or ``langSec``
with ``xml:lang``; a term sits in ``tig``, ``ntig`` or ``termSec``, with an optional
``termNote type="administrativeStatus"`` (or the older ``normativeAuthorization``).

Status mapping for English terms: preferred (or no status, first one) -> approved form;
admitted (and further terms without a status) -> variants; deprecated / superseded ->
forbidden. Chinese: the preferred (else first non-deprecated) term is the entry's ``zh``; other
non-deprecated Chinese terms become ``zh_variants``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from unmt.errors import UserError

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CONCEPT_TAGS = ("termEntry", "conceptEntry")
LANG_TAGS = ("langSet", "langSec")
TERM_TAGS = ("tig", "ntig", "termSec")
STATUS_TYPES = ("administrativeStatus", "normativeAuthorization")


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _status(term_group: Any) -> str:
    """'approved', 'variant', 'forbidden' or '' (no status given)."""
    for el in term_group.iter():
        if _local(el.tag) == "termNote" and el.get("type") in STATUS_TYPES:
            value = (el.text or "").strip().lower()
            if "deprecated" in value or "superseded" in value:
                return "forbidden"
            if "admitted" in value:
                return "variant"
            if "preferred" in value or "legal" in value:
                return "approved"
    return ""


def _terms(lang_section: Any) -> list[tuple[str, str]]:
    """(term text, status) of each term group in a language section, in document order."""
    out = []
    for group in lang_section.iter():
        if _local(group.tag) not in TERM_TAGS:
            continue
        term = next((el for el in group.iter() if _local(el.tag) == "term"), None)
        text = "".join(term.itertext()).strip() if term is not None else ""
        if text:
            out.append((text, _status(group)))
    return out


def _split(terms: list[tuple[str, str]]) -> tuple[str, list[str], list[str]]:
    """(approved, variants, forbidden) from one language's terms."""
    usable = [t for t, s in terms if s != "forbidden"]
    forbidden = [t for t, s in terms if s == "forbidden"]
    preferred = [t for t, s in terms if s == "approved"]
    main = preferred[0] if preferred else (usable[0] if usable else "")
    variants = [t for t in usable if t != main]
    return main, list(dict.fromkeys(variants)), list(dict.fromkeys(forbidden))


def _descrip(concept: Any, kinds: tuple[str, ...]) -> str:
    for el in concept.iter():
        if _local(el.tag) in ("descrip", "note", "admin") and (
            el.get("type") in kinds or (_local(el.tag) == "note" and "note" in kinds)
        ):
            text = " ".join("".join(el.itertext()).split())
            if text:
                return text
    return ""


def parse_tbx(path: Path, raw: bytes, name: str) -> tuple[list[Any], list[str]]:
    """Entries and issues of a TBX file's bytes.

    Raises:
        UserError: the XML is not well-formed (with the line), or it has no term entries.
    """
    from lxml import etree

    from unmt.eval.glossary.load import Entry

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(raw, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else None
        raise UserError(f"invalid XML: {exc.msg}", path=path, line=line) from None
    if _local(root.tag) not in ("martif", "tbx"):
        raise UserError(
            f"not a TBX file: the root element is <{_local(root.tag)}>",
            path=path,
            line=root.sourceline,
            hint="expected <martif> (TBX 2008) or <tbx> (TBX v3)",
        )
    entries: list[Entry] = []
    issues: list[str] = []
    for concept in root.iter():
        if _local(concept.tag) not in CONCEPT_TAGS:
            continue
        line = concept.sourceline or 0
        zh_terms: list[tuple[str, str]] = []
        en_terms: list[tuple[str, str]] = []
        for section in concept:
            if _local(section.tag) not in LANG_TAGS:
                continue
            lang = (section.get(XML_LANG) or section.get("lang") or "").lower()
            if lang == "zh" or lang.startswith(("zh-", "zh_")):
                zh_terms += _terms(section)
            elif lang == "en" or lang.startswith(("en-", "en_")):
                en_terms += _terms(section)
        zh, zh_variants, _ = _split(zh_terms)
        en, variants, forbidden = _split(en_terms)
        cid = concept.get("id") or f"{name}:{line}"
        if not zh or not en:
            missing = "Chinese" if not zh else "English"
            issues.append(f"{name}:{line}: concept {cid} skipped, no {missing} term")
            continue
        entries.append(
            Entry(
                id=cid,
                zh=zh,
                en=en,
                variants=tuple(variants),
                forbidden=tuple(forbidden),
                note=_descrip(concept, ("definition", "note")),
                domain=_descrip(concept, ("subjectField",)),
                glossary=name,
                line=line,
                zh_variants=tuple(zh_variants),
            )
        )
    return entries, issues
