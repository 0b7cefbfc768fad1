"""The registry of cross-table rules, filled by the rule modules imported here.

Import :data:`RULES` from this package (not from :mod:`.registry`), so that every rule
module has registered its rules. Add a rule by decorating a function with :func:`rule` in
one of the modules below (or a new one imported here) and give it a failing fixture in
``tests/test_data_package.py``; ``tools/codebook.py`` lists it in the codebook.
"""

from ldn_analysis.data.validation.rules import counts, estimates, identifiers, mids, provenance
from ldn_analysis.data.validation.rules.registry import (
    RULES,
    Finding,
    Rule,
    Tables,
    rule,
    run_rules,
)

__all__ = [
    "RULES",
    "Finding",
    "Rule",
    "Tables",
    "counts",
    "estimates",
    "identifiers",
    "mids",
    "provenance",
    "rule",
    "run_rules",
]
