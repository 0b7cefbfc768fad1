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
    "load_evidence": ".data",
    "Evidence": ".data",
    "validate_package": ".validate",
    "summarize": ".validate",
    "check_command": ".validate",
    # statistics (validated against metafor: tests/fixtures/metafor)
    "compute_effects": ".effects",
    "compute_ae_effects": ".effects",
    "rho_sensitivity": ".effects",
    "smd": ".effects",
    "md": ".effects",
    "smcr": ".effects",
    "mc": ".effects",
    "se_from_ci": ".effects",
    "se_from_p": ".effects",
    "pool": ".pooling",
    "pool_many": ".pooling",
    "PoolResult": ".pooling",
    "METHODS": ".pooling",
    "TESTS": ".pooling",
    "pool_proportions": ".proportions",
    "ProportionPoolResult": ".proportions",
    "wilson": ".proportions",
    "clopper_pearson": ".proportions",
    "rule_of_three": ".proportions",
    "proportion_table": ".proportions",
    "metareg": ".diagnostics",
    "MetaRegResult": ".diagnostics",
    "egger": ".diagnostics",
    "EggerResult": ".diagnostics",
    "leave1out": ".diagnostics",
    "cumul": ".diagnostics",
    "influence": ".diagnostics",
    "subgroup": ".diagnostics",
    "SubgroupResult": ".diagnostics",
    # display and run card
    "show": ".display",
    "show_table": ".display",
    "show_text": ".display",
    "run_card": ".runcard",
    "show_run_card": ".runcard",
    "views": ".views",
    "figures": ".figures",
    "summary": ".summary",
    "Chart": ".figures",
    # teaching: claims versus evidence, exercises
    "claims": ".claims",
    "exercises": ".exercises",
    "evaluate_claims": ".claims",
    "score_sources": ".claims",
    "load_claims": ".claims",
    "Evaluation": ".claims",
    "check": ".exercises",
    "question": ".exercises",
    "answer": ".exercises",
    "Feedback": ".exercises",
    "teaching": ".teaching",
    # report runner
    "run_reports": ".report",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str):
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'ldn_analysis' has no attribute {name!r}") from None
    value = import_module(module, __name__)
    value = value if name == module.lstrip(".") else getattr(value, name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(__all__)
