"""Evaluation: glossary/ (loading, checking), terms/ (matching), scoring (term figures and
BLEU/chrF/TER of a set of segments: ``score_segments``), metrics, alignment scoring
(``align_score``) and report/ (HTML, Markdown, JSON). Imports only the kernel (:mod:`unmt`).
"""
