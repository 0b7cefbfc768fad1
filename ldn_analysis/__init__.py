"""Low-dose naltrexone evidence bundle: data, statistics, figures and reports.

The public API is the names in ``__all__``; notebooks use only these. Names are imported
lazily from their layer (data -> stats -> analysis -> text/figures -> report), so
``import ldn_analysis`` stays cheap in every kernel. ``docs/architecture.md`` draws the
layers.
"""

from __future__ import annotations

from importlib import import_module

__version__ = "0.1.0"

# name -> module that defines it: the notebook-facing API, grouped by stage (data ->
# analysis -> text and figures -> report). Everything else is imported from its package.
_EXPORTS = {
    # evidence base
    "paths": ".paths",
    "LDNError": ".errors",
    "load_evidence": ".data.evidence",
    # statistics (validated against metafor: tests/fixtures/metafor)
    "pool": ".stats.rma",
    "pool_proportions": ".stats.proportions",
    # analysis objects: each computed once per page
    "select": ".analysis.selection",
    "efficacy": ".analysis.efficacy",
    "outcome_analyses": ".analysis.efficacy",
    "outcomes_with_data": ".analysis.outcomes",
    "choose_outcome": ".analysis.outcomes",
    # words, tables and charts of those objects
    "summaries": ".text.summaries",
    "certainty": ".text.certainty",
    "tables": ".text.tables",
    "effects_report": ".text.effects_report",
    "outcomes": ".text.outcomes",
    "sof": ".text.sof",
    "studies": ".text.studies",
    "figures": ".figures",
    "show": ".text.display",
    "show_text": ".text.display",
    "show_table": ".text.display",
    # teaching and claims
    "claims": ".claims",
    "teaching": ".teaching",
    "load_claims": ".claims",
    "score_sources": ".claims",
    # reports: parameters checked in the kernel, run card
    "use_parameters": ".report.parameters",
    "show_run_card": ".report.runcard",
    "explorer": ".report.explorer",
}

# Names above that stand for a whole module (the rest are attributes of their module).
_MODULES = frozenset(
    {
        "paths",
        "summaries",
        "certainty",
        "tables",
        "effects_report",
        "outcomes",
        "explorer",
        "sof",
        "studies",
        "figures",
        "claims",
        "teaching",
    }
)

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str):
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'ldn_analysis' has no attribute {name!r}") from None
    value = import_module(module, __name__)
    if name not in _MODULES:
        value = getattr(value, name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(__all__)
