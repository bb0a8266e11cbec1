"""Glossaries and term matching, BLEU/chrF/TER, alignment scoring and evaluation reports."""
