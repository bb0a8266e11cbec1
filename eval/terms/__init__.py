"""Term matching: Chinese by one Aho-Corasick automaton, English by documented rules.

Modules: ``matcher`` (``TermMatcher``: source occurrences and what the English did with
them), ``english`` (English forms: case, hyphens, plurals, possessives).
"""
