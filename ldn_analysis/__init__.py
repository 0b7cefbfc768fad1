"""Low-dose naltrexone evidence bundle: data, statistics, figures and reports.

The public API is the names in ``__all__``; notebooks use only these. Names are imported
lazily from their stage module (data -> effects/pooling -> figures -> report), so
``import ldn_analysis`` stays cheap in every kernel.
"""

from __future__ import annotations

from importlib import import_module

__version__ = "0.1.0"

# name -> module that defines it. One line per public name, grouped by stage.
_EXPORTS = {
    # paths and errors
    "paths": ".paths",
    "LDNError": ".errors",
    "DataValidationError": ".errors",
    "ParameterError": ".errors",
    "ChoiceError": ".errors",
    # evidence base: load and validate
    "load_evidence": ".data.evidence",
    "Evidence": ".data.evidence",
    "validate_package": ".data.validation",
    "summarize": ".data.check",
    "check_command": ".data.check",
    # statistics (validated against metafor: tests/fixtures/metafor)
    "compute_effects": ".analysis.effects",
    "compute_ae_effects": ".stats.escalc",
    "rho_sensitivity": ".analysis.effects",
    "smd": ".stats.escalc",
    "md": ".stats.escalc",
    "smcr": ".stats.escalc",
    "mc": ".stats.escalc",
    "se_from_ci": ".stats.escalc",
    "se_from_p": ".stats.escalc",
    "pool": ".stats.rma",
    "pool_many": ".stats.rma",
    "PoolResult": ".stats.rma",
    "METHODS": ".stats.rma",
    "TESTS": ".stats.rma",
    "pool_proportions": ".stats.proportions",
    "ProportionPoolResult": ".stats.proportions",
    "wilson": ".stats.proportions",
    "clopper_pearson": ".stats.proportions",
    "rule_of_three": ".stats.proportions",
    "proportion_table": ".stats.proportions",
    "metareg": ".stats.diagnostics",
    "MetaRegResult": ".stats.diagnostics",
    "egger": ".stats.diagnostics",
    "EggerResult": ".stats.diagnostics",
    "leave1out": ".stats.diagnostics",
    "cumul": ".stats.diagnostics",
    "influence": ".stats.diagnostics",
    "subgroup": ".stats.diagnostics",
    "SubgroupResult": ".stats.diagnostics",
    # display and run card
    "show": ".text.display",
    "show_table": ".text.display",
    "show_text": ".text.display",
    "run_card": ".report.runcard",
    "show_run_card": ".report.runcard",
    "views": ".analysis",
    "figures": ".figures",
    "summary": ".text.summaries",
    "Chart": ".figures",
    # teaching: claims versus evidence, exercises
    "claims": ".claims",
    "exercises": ".teaching.exercises",
    "evaluate_claims": ".claims",
    "score_sources": ".claims",
    "load_claims": ".claims",
    "Evaluation": ".claims",
    "check": ".teaching.exercises",
    "question": ".teaching.exercises",
    "answer": ".teaching.exercises",
    "Feedback": ".teaching.exercises",
    "teaching": ".teaching",
    # report runner
    "run_reports": ".report.runner",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str):
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'ldn_analysis' has no attribute {name!r}") from None
    value = import_module(module, __name__)
    if name != module.rsplit(".", 1)[-1] and hasattr(value, name):
        value = getattr(value, name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(__all__)
