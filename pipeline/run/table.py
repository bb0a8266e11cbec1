"""The declared stage table of ``unmt run``: every per-document stage as data.

Each :class:`StageDef` names the stage, the phase it runs in, the code packages that key it
(:data:`unmt.pipeline.run.codekey.STAGE_CODE`), its inputs and outputs by name, its settings,
the function that computes it, when it applies, and the check that follows it. The runner has
one mechanism for all of them (:meth:`unmt.pipeline.run.rundir.RunDir.stage`: skip when the key
-- stage, settings, code, input hashes -- and the recorded outputs are unchanged, else run and
record); the corpus report is the run-level stage (:mod:`unmt.pipeline.run.corpus`) keyed the
same way.

Phases: ``prepare`` (cheap, in ``--jobs`` processes or Ray tasks), ``translate`` (the run's one
translator, or Ray translator actors), ``finish`` (cheap again).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from unmt.pipeline.run import stages as st
from unmt.pipeline.run.config import RunConfig
from unmt.pipeline.run.inputs import DocInput

PHASES = ("prepare", "translate", "finish")


@dataclass(frozen=True)
class DocContext:
    """What the stages of one document see: the document, its folder, the run's settings, and
    (in the translate phase) the translator and its identity."""

    doc: DocInput
    folder: Path
    config: RunConfig
    context: Mapping[str, str] = field(default_factory=dict)
    translator: Any = None
    identity: Mapping[str, Any] = field(default_factory=dict)
    tick: Callable[[int], None] | None = None

    @property
    def lines(self) -> bool:
        """Whether the document's files are read one segment per line."""
        return self.config.lines if self.doc.lines is None else self.doc.lines

    @property
    def has_reference(self) -> bool:
        return self.doc.reference is not None

    def file(self, name: str) -> Path:
        """A stage file of the document."""
        return self.folder / name

    def glossaries(self) -> list[Path]:
        return st.run_glossary_files(self.config)

    def matcher(self) -> Any:
        return st.run_term_matcher(self.config)


@dataclass(frozen=True)
class StageDef:
    """One per-document stage.

    Attributes:
        name: the stage's name in the state store (``segment.zh``, ``translate``, ...).
        phase: one of :data:`PHASES`.
        code: the :data:`~unmt.pipeline.run.codekey.STAGE_CODE` entry whose packages key the
            stage, or None (translation: its cache is keyed by the translator's identity).
        outputs: output name -> file name in the document's folder.
        inputs: the input files by name (their hashes key the stage).
        settings: everything else that changes the outputs.
        run: computes the outputs into the paths given; returns the stage's info.
        applies: whether the document has this stage (alignment: only with a reference).
        check: a decision taken on the recorded results after the stage (``pairing``).
    """

    name: str
    phase: str
    code: str | None
    outputs: Mapping[str, str]
    inputs: Callable[[DocContext], dict[str, Path]]
    settings: Callable[[DocContext], dict[str, Any]]
    run: Callable[[DocContext, dict[str, Path]], dict[str, Any]]
    applies: Callable[[DocContext], bool] = lambda ctx: True
    check: str | None = None


def _segment_settings(lang: str) -> Callable[[DocContext], dict[str, Any]]:
    def settings(ctx: DocContext) -> dict[str, Any]:
        from unmt.pipeline.segment.segmenter import SEGMENTER_VERSION

        return {"lang": lang, "segmenter": "lines" if ctx.lines else SEGMENTER_VERSION}

    return settings


def _segment(lang: str) -> StageDef:
    def source(ctx: DocContext) -> Path:
        path = ctx.doc.source if lang == "zh" else ctx.doc.reference
        assert path is not None
        return path

    return StageDef(
        name=f"segment.{lang}",
        phase="prepare",
        code="segment",
        outputs={"segments": f"segments.{lang}.jsonl"},
        inputs=lambda ctx: {"source": source(ctx)},
        settings=_segment_settings(lang),
        run=lambda ctx, p: st.segment_stage(source(ctx), lang, ctx.doc.doc_id, p, lines=ctx.lines),
        applies=(lambda ctx: True) if lang == "zh" else (lambda ctx: ctx.has_reference),
        check=None if lang == "zh" else "pairing-before-translation",
    )


@functools.cache
def align_signature() -> str:
    """The aligner's own signature (version, similarity sources, lexicon) with the MT bridge."""
    from unmt.pipeline.align.aligner import alignment_signature

    return str(alignment_signature(mt=True))


def _score_inputs(ctx: DocContext) -> dict[str, Path]:
    inputs = {"zh": ctx.file("segments.zh.jsonl"), "mt": ctx.file("translations.jsonl")}
    if ctx.has_reference:
        inputs.update(en=ctx.file("segments.en.jsonl"), beads=ctx.file("beads.jsonl"))
    inputs.update({f"glossary{i}": g for i, g in enumerate(ctx.glossaries())})
    return inputs


def _score(ctx: DocContext, paths: dict[str, Path]) -> dict[str, Any]:
    pairs = st.load_pairs(ctx.folder, ctx.has_reference)
    return st.score_stage(pairs, ctx.has_reference, ctx.matcher(), dict(ctx.context), paths)


#: every per-document stage, in the order they run
STAGES: tuple[StageDef, ...] = (
    _segment("zh"),
    _segment("en"),
    StageDef(
        name="translate",
        phase="translate",
        code=None,
        outputs={"translations": "translations.jsonl"},
        inputs=lambda ctx: {"segments": ctx.file("segments.zh.jsonl")},
        settings=lambda ctx: {**ctx.config.translation_settings(), "identity": ctx.identity},
        run=lambda ctx, p: st.translate_stage(
            ctx.file("segments.zh.jsonl"), ctx.translator, p, ctx.tick
        ),
    ),
    StageDef(
        name="align",
        phase="finish",
        code="align",
        outputs={"beads": "beads.jsonl"},
        inputs=lambda ctx: {
            "zh": ctx.file("segments.zh.jsonl"),
            "en": ctx.file("segments.en.jsonl"),
            "mt": ctx.file("translations.jsonl"),
        },
        settings=lambda ctx: {
            "aligner": align_signature(),
            "lines": ctx.lines and not ctx.config.realign,
        },
        run=lambda ctx, p: st.align_stage(
            ctx.file("segments.zh.jsonl"),
            ctx.file("segments.en.jsonl"),
            ctx.file("translations.jsonl"),
            p,
            lines=ctx.lines,
            realign=ctx.config.realign,
        ),
        applies=lambda ctx: ctx.has_reference,
        check="pairing",
    ),
    StageDef(
        name="score",
        phase="finish",
        code="score",
        outputs={
            "terms": "terms.jsonl",
            "pairs": "pairs.jsonl",
            "stats": "stats.json",
            "html": "report.html",
            "md": "report.md",
            "json": "report.json",
        },
        inputs=_score_inputs,
        settings=lambda ctx: {"terms": str(ctx.matcher().signature), "context": dict(ctx.context)},
        run=_score,
    ),
)


def stages_of(phase: str) -> list[StageDef]:
    """The stages of one phase, in order."""
    return [s for s in STAGES if s.phase == phase]
