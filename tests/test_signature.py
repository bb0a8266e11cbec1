"""The Signature value object: fields kept, rendered late, parsed back."""

from __future__ import annotations

import pytest

from unmt.signature import Signature


@pytest.mark.parametrize(
    "text",
    [
        "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0",
        "align-1.0|sources:anchors+dict|lexicon:cc-cedict:35589|mt:yes",
        "glossary:a@0123+b@4567|zh:longest|version:unmt-0.1.0|model:m@rev",
        "",
        "head-only",
    ],
)
def test_round_trip(text: str) -> None:
    assert str(Signature.parse(text)) == text


def test_fields_extend_and_get() -> None:
    sig = Signature.of("align-1.0", sources="len+dict", mt="no")
    assert str(sig) == "align-1.0|sources:len+dict|mt:no"
    more = sig.extend({"mt": "yes", "emb": "none"})
    assert str(more) == "align-1.0|sources:len+dict|mt:yes|emb:none"
    assert more.get("mt") == "yes" and sig.get("mt") == "no"  # frozen: sig unchanged
    assert "emb" in more and "emb" not in sig
    assert more.get("absent") is None
    assert Signature.parse("glossary:g@1|lexicon:cc-cedict:3").get("lexicon") == "cc-cedict:3"
