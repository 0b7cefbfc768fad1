"""Answer checking for the teaching notebooks.

Every exercise takes its numbers from the evidence base and computes the correct answer
with the bundle's statistics at check time; nothing here stores an answer. A notebook
shows :func:`question`, the student types an answer, and :func:`check` returns a
:class:`Feedback` (``ok``, a message, a hint). Instructors can call :func:`answer`.

>>> from ldn_analysis.exercises import check, question   # doctest: +SKIP
>>> print(question("rule_of_three", ev))                  # doctest: +SKIP
>>> check("rule_of_three", 6.1, ev)                       # doctest: +SKIP
Feedback(ok=True, ...)

Parameters that a notebook wants to fix (``condition="fibromyalgia"``, ``n=49``) are
passed as keyword arguments to all three functions; otherwise each exercise picks its
numbers from the data with a documented, deterministic rule.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ldn_analysis.claims import (
    _effect_rows,
    _is_randomized,
    _num,
    _pool,
    _rule_of_three,
    _text,
    _wald,
    _wilson,
    evaluate_claim,
    parse_args,
)
from ldn_analysis.errors import ChoiceError, LDNError

__all__ = ["EXERCISES", "Exercise", "Feedback", "answer", "check", "question"]

I2_BANDS = {
    "low": (0.0, 40.0),
    "moderate": (30.0, 60.0),
    "substantial": (50.0, 90.0),
    "considerable": (75.0, 100.0),
}
EGGER_MIN_K = 10


@dataclass(frozen=True)
class Feedback:
    """What a student sees after answering.

    Attributes
    ----------
    ok : bool
        Whether the answer is correct within the exercise's tolerance.
    message : str
        Verdict on the answer, naming a typical mistake when one is recognized.
    hint : str
        A nudge towards the method (empty when the answer is correct).
    """

    ok: bool
    message: str
    hint: str


@dataclass(frozen=True)
class Exercise:
    """One exercise: how to pick its numbers, compute its answer and compare answers.

    Attributes
    ----------
    exercise_id : str
        Registry key.
    question : str
        Template filled with the values returned by ``setup``.
    setup : callable
        ``setup(evidence, **params) -> dict`` choosing the numbers from the data.
    compute_answer : callable
        ``compute_answer(values) -> answer`` using the statistics engine.
    tolerance : float
        Accepted distance from the correct answer (see ``relative``).
    hint : str
        Shown after a wrong answer.
    kind : str
        ``number``, ``interval``, ``pair``, ``choice`` or ``boolean``.
    relative : bool
        Whether ``tolerance`` is a fraction of the correct answer.
    diagnose : callable, optional
        ``diagnose(values, given) -> str`` naming a recognizable mistake.
    explain : callable, optional
        ``explain(values) -> str`` context added after the verdict (e.g. the pooled CI).
    """

    exercise_id: str
    question: str
    setup: Callable[..., dict]
    compute_answer: Callable[[dict], Any]
    tolerance: float
    hint: str
    kind: str
    relative: bool = False
    diagnose: Callable[[dict, Any], str] | None = field(default=None)
    explain: Callable[[dict], str] | None = field(default=None)


# --------------------------------------------------------------------------------------
# Choosing numbers from the data.
# --------------------------------------------------------------------------------------


def _studies(evidence: Any) -> pd.DataFrame:
    df = getattr(evidence, "studies", None)
    return pd.DataFrame() if df is None else df


def _ae(evidence: Any) -> pd.DataFrame:
    df = getattr(evidence, "adverse_events", None)
    if df is None or df.empty:
        return pd.DataFrame()
    return df.assign(
        _e=_num(df, "events"),
        _n=_num(df, "n_at_risk"),
        _arm=_text(df, "arm"),
        _sid=_text(df, "study_id"),
        _event=_text(df, "event"),
    )


_EVENT_LABELS = {
    "serious_ae": "a serious adverse event",
    "any_ae": "any adverse event",
    "withdrawal_ae": "to stop because of side effects",
}


def _setup_rule_of_three(evidence: Any, n: int | None = None, **_: Any) -> dict:
    """Largest LDN arm reporting zero serious adverse events (any zero count otherwise)."""
    if n is not None:
        return {"n": int(n), "study": "a trial", "event": "serious adverse events"}
    ae = _ae(evidence)
    if not ae.empty:
        zero = ae[(ae["_arm"] == "ldn") & (ae["_e"] == 0) & (ae["_n"] > 0)]
        for events in (zero[zero["_event"] == "serious_ae"], zero):
            if len(events):
                r = events.sort_values(["_n", "_sid"], ascending=[False, True]).iloc[0]
                label = _EVENT_LABELS.get(r["_event"], str(r["_event"]).replace("_", " "))
                return {"n": int(r["_n"]), "study": r["_sid"], "event": label}
    raise LDNError("no LDN arm with zero events in the data; pass n=... to the exercise")


def _setup_wilson(evidence: Any, x: int | None = None, n: int | None = None, **_: Any) -> dict:
    """Smallest positive LDN-arm event count with n <= 60 (fewest events, then smallest n)."""
    if x is not None and n is not None:
        return {"x": int(x), "n": int(n), "study": "a trial", "event": "an adverse event"}
    ae = _ae(evidence)
    if not ae.empty:
        small = ae[(ae["_arm"] == "ldn") & (ae["_e"] > 0) & (ae["_n"] > 0) & (ae["_n"] <= 60)]
        small = small[small["_e"] < small["_n"]]
        if len(small):
            r = small.sort_values(["_e", "_n", "_sid"]).iloc[0]
            event = str(r.get("reported_term") or r["_event"]).replace("_", " ")
            return {"x": int(r["_e"]), "n": int(r["_n"]), "study": r["_sid"], "event": event}
    raise LDNError("no small adverse-event count in the data; pass x=... and n=...")


def _rct_counts(evidence: Any) -> pd.Series:
    s = _studies(evidence)
    if s.empty:
        return pd.Series(dtype=int)
    rand = s[_is_randomized(s)]
    return _text(rand, "condition").value_counts()


def _setup_count_rcts(evidence: Any, condition: str | None = None, **_: Any) -> dict:
    """Pick the condition with most randomized trials (ties: alphabetical) unless given."""
    if condition is None:
        counts = _rct_counts(evidence)
        if counts.empty:
            raise LDNError("no randomized trial in the data")
        best = counts.max()
        condition = sorted(c for c, k in counts.items() if k == best)[0]
    return {"condition": condition, "evidence": evidence}


def _pain_meta(evidence: Any, condition: str) -> pd.DataFrame:
    s = _studies(evidence)
    rand = s[_is_randomized(s) & (_text(s, "comparator") == "placebo")]
    eff = _effect_rows(evidence, condition, "pain", ("ldn_vs_placebo",))
    return eff[eff["study_id"].isin(set(_text(rand, "study_id")))]


def _setup_meta(evidence: Any, condition: str | None = None, **_: Any) -> dict:
    """Placebo-controlled randomized pain effects; the condition with most (k >= 2)."""
    if condition is None:
        s = _studies(evidence)
        best, best_k = None, 1
        for c in sorted(set(_text(s, "condition"))):
            k = len(_pain_meta(evidence, c))
            if k > best_k:
                best, best_k = c, k
        if best is None:
            raise LDNError("no condition has two placebo-controlled pain effects to pool")
        condition = best
    eff = _pain_meta(evidence, condition)
    if len(eff) < 2:
        raise LDNError(f"{condition}: fewer than two placebo-controlled pain effects to pool")
    p = _pool(eff["yi"], eff["vi"])
    return {
        "condition": condition,
        "k": p.k,
        "estimate": p.estimate,
        "ci_low": p.ci_low,
        "ci_high": p.ci_high,
        "i2": p.i2,
        "studies": ", ".join(eff["study_id"]),
    }


def _setup_egger(evidence: Any, k: int | None = None, condition: str | None = None, **_: Any):
    """``k`` as given, else the number of studies in the pooled pain analysis."""
    if k is not None:
        return {"k": int(k), "condition": condition or "a condition"}
    values = _setup_meta(evidence, condition)
    return {"k": values["k"], "condition": values["condition"]}


def _setup_crossover(
    evidence: Any, crossover: str | None = None, parallel: str | None = None, **_: Any
) -> dict:
    """Largest crossover RCT and largest parallel RCT with arm sizes (or the given ids)."""
    s = _studies(evidence)
    s = s.assign(_nl=_num(s, "n_ldn"), _nc=_num(s, "n_control"), _sid=_text(s, "study_id"))
    s = s[s["_nl"].notna() & s["_nc"].notna()]

    def pick(design: str, sid: str | None) -> pd.Series:
        rows = s[_text(s, "design") == design] if sid is None else s[s["_sid"] == sid]
        if rows.empty:
            raise LDNError(f"no {design} study with n_ldn and n_control in the data")
        return rows.sort_values(["_nl", "_sid"], ascending=[False, True]).iloc[0]

    x, p = pick("rct_crossover", crossover), pick("rct_parallel", parallel)
    return {
        "cx": x["_sid"],
        "cx_ldn": int(x["_nl"]),
        "cx_ctrl": int(x["_nc"]),
        "px": p["_sid"],
        "px_ldn": int(p["_nl"]),
        "px_ctrl": int(p["_nc"]),
    }


def _setup_claim(
    evidence: Any, claim_id: str | None = None, claims: pd.DataFrame | None = None, **_: Any
) -> dict:
    """Pick a claim row (default: the one about the FINAL trial's primary result)."""
    if claims is None:
        from ldn_analysis.claims import load_claims

        claims = load_claims()
    rows = (
        claims[claims["claim_id"] == claim_id]
        if claim_id
        else claims[claims["proposition"] == "final_primary_significant"]
    )
    if rows.empty:
        raise LDNError(f"claim {claim_id or 'about FINAL'} not found in claims.csv")
    r = rows.iloc[0]
    return {
        "claim_id": r["claim_id"],
        "claim_text": r["claim_text"],
        "proposition": r["proposition"],
        "args": r["proposition_args"],
        "evidence": evidence,
    }


# --------------------------------------------------------------------------------------
# Computing the answers (always through the statistics helpers) and diagnosing mistakes.
# --------------------------------------------------------------------------------------


def _ans_rule_of_three(v: dict) -> float:
    return 100 * _rule_of_three(v["n"])


def _diag_rule_of_three(v: dict, given: Any) -> str:
    n = v["n"]
    if _close(float(given), 100 / n, 0.1 * 100 / n):
        return "That is 1/n; with zero events the 95% upper bound is about 3/n."
    if abs(float(given)) < 1e-9:
        return "Zero observed events do not make the true rate zero; give the upper bound."
    return ""


def _ans_wilson(v: dict) -> tuple[float, float]:
    lo, hi = _wilson(v["x"], v["n"])
    return 100 * lo, 100 * hi


def _diag_wilson(v: dict, given: Any) -> str:
    lo, hi = _wald(v["x"], v["n"])
    if _close(given[0], 100 * lo, 0.5) and _close(given[1], 100 * hi, 0.5):
        return (
            f"That is the Wald interval ({100 * lo:.1f}% to {100 * hi:.1f}%); with few events "
            "it is too narrow and can even go below 0%. Use the Wilson score interval."
        )
    return ""


def _ans_count_rcts(v: dict) -> int:
    s = _studies(v["evidence"])
    if s.empty:
        return 0
    sel = s[_text(s, "condition") == v["condition"]]
    return int(_is_randomized(sel).sum())


def _ans_direction(v: dict) -> str:
    if v["ci_low"] > 0:
        return "favours_ldn"
    if v["ci_high"] < 0:
        return "favours_control"
    return "inconclusive"


def _diag_direction(v: dict, given: Any) -> str:
    if _ans_direction(v) == "inconclusive" and given in ("favours_ldn", "favours_control"):
        return (
            "The point estimate leans one way, but its 95% confidence interval includes 0, "
            "so the data do not show which treatment is better."
        )
    if given == "inconclusive":
        return "Check whether the 95% confidence interval really includes 0."
    return ""


def _ans_i2(v: dict) -> tuple[str, ...]:
    return tuple(b for b, (lo, hi) in I2_BANDS.items() if lo <= v["i2"] <= hi)


def _ans_egger(v: dict) -> bool:
    return v["k"] >= EGGER_MIN_K


def _ans_crossover(v: dict) -> tuple[int, int]:
    return v["cx_ldn"], v["px_ldn"] + v["px_ctrl"]


def _diag_crossover(v: dict, given: Any) -> str:
    if int(given[0]) == v["cx_ldn"] + v["cx_ctrl"]:
        return (
            "In a crossover every participant takes both LDN and placebo, so n_ldn and "
            "n_control are the same people: do not add them."
        )
    return ""


def _ans_claim(v: dict) -> str:
    ev = evaluate_claim(v["evidence"], v["proposition"], parse_args(v["args"]))
    return ev.verdict


def _explain_meta(v: dict) -> str:
    return (
        f"pooled SMD {v['estimate']:+.2f} (95% CI {v['ci_low']:+.2f} to {v['ci_high']:+.2f}, "
        f"k={v['k']}, I2={v['i2']:.0f}%; positive favours LDN)"
    )


def _close(a: float, b: float, tol: float) -> bool:
    return abs(float(a) - float(b)) <= tol + 1e-12


EXERCISES: dict[str, Exercise] = {
    "rule_of_three": Exercise(
        "rule_of_three",
        "In {study}, none of the {n} participants on LDN had {event}. What is the approximate "
        "upper limit of the 95% confidence interval for the true rate, in percent?",
        _setup_rule_of_three,
        _ans_rule_of_three,
        0.1,
        "With 0 events in n people, the 'rule of three' gives an upper bound of about 3/n.",
        "number",
        relative=True,
        diagnose=_diag_rule_of_three,
    ),
    "wilson_vs_wald": Exercise(
        "wilson_vs_wald",
        "In {study}, {x} of {n} participants on LDN reported {event}. Give the 95% Wilson "
        "score interval for the proportion, as (lower %, upper %).",
        _setup_wilson,
        _ans_wilson,
        0.5,
        "The Wilson interval is centred on (x + z^2/2)/(n + z^2), not on x/n; unlike the "
        "Wald interval it stays inside 0-100% for small counts.",
        "interval",
        diagnose=_diag_wilson,
    ),
    "count_rcts": Exercise(
        "count_rcts",
        "How many randomized controlled trials (any comparator) of LDN for {condition} are "
        "in the evidence base?",
        _setup_count_rcts,
        _ans_count_rcts,
        0,
        "Filter studies by condition and keep designs rct_parallel / rct_crossover (or "
        "randomized = true); single-blind, open-label and case reports do not count.",
        "number",
    ),
    "pooled_direction": Exercise(
        "pooled_direction",
        "Pool the placebo-controlled randomized pain results for {condition} (k={k}: "
        "{studies}) with a random-effects model. Does the pooled estimate favour LDN, "
        "favour the control, or is it inconclusive (95% CI includes 0)? Answer "
        "'favours_ldn', 'favours_control' or 'inconclusive'.",
        _setup_meta,
        _ans_direction,
        0,
        "Look at the whole 95% CI, not only the point estimate; here a positive "
        "standardized difference favours LDN (pain scores were sign-flipped because lower "
        "is better).",
        "choice",
        diagnose=_diag_direction,
        explain=_explain_meta,
    ),
    "i2_interpretation": Exercise(
        "i2_interpretation",
        "The pain meta-analysis for {condition} (k={k}) has I2 = {i2:.0f}%. Using the "
        "Cochrane Handbook's rough guide, is the heterogeneity low, moderate, substantial "
        "or considerable?",
        _setup_meta,
        _ans_i2,
        0,
        "Cochrane's overlapping bands: 0-40% might not be important (low), 30-60% "
        "moderate, 50-90% substantial, 75-100% considerable.",
        "choice",
        explain=_explain_meta,
    ),
    "egger_appropriate": Exercise(
        "egger_appropriate",
        "The meta-analysis for {condition} pools k={k} studies. Is Egger's regression test "
        "for funnel-plot asymmetry appropriate? Answer yes or no.",
        _setup_egger,
        _ans_egger,
        0,
        f"Tests for funnel-plot asymmetry are only advised with at least {EGGER_MIN_K} "
        "studies; with fewer they have too little power to tell asymmetry from chance.",
        "boolean",
    ),
    "crossover_vs_parallel_n": Exercise(
        "crossover_vs_parallel_n",
        "{cx} is a crossover trial reporting n_ldn={cx_ldn} and n_control={cx_ctrl}; {px} is "
        "a parallel trial reporting n_ldn={px_ldn} and n_control={px_ctrl}. How many "
        "different people contributed to each comparison? Answer (crossover, parallel).",
        _setup_crossover,
        _ans_crossover,
        0,
        "A crossover gives every participant both treatments; a parallel trial gives each "
        "participant one.",
        "pair",
        diagnose=_diag_crossover,
    ),
    "claim_verdict": Exercise(
        "claim_verdict",
        "Claim {claim_id}: '{claim_text}'. Is it supported, overstated, contradicted or "
        "not_testable against the evidence base?",
        _setup_claim,
        _ans_claim,
        0,
        "Look at the trial's design and its primary result (estimate, CI, p value) before "
        "the authors' or the press's wording.",
        "choice",
    ),
}


def _exercise(exercise_id: str) -> Exercise:
    if exercise_id not in EXERCISES:
        raise ChoiceError("exercise", exercise_id, sorted(EXERCISES))
    return EXERCISES[exercise_id]


def question(exercise_id: str, evidence: Any, **params: Any) -> str:
    """Return the question text with the numbers chosen from ``evidence``.

    Parameters
    ----------
    exercise_id : str
        Key of :data:`EXERCISES`.
    evidence : Evidence
        The loaded evidence base (``ldn_analysis.data.load_evidence()``).
    **params
        Optional fixed values (``condition=``, ``n=``, ``x=``, ``k=``, ``claim_id=``...).
    """
    ex = _exercise(exercise_id)
    values = ex.setup(evidence, **params)
    return ex.question.format(**values)


def answer(exercise_id: str, evidence: Any, **params: Any) -> Any:
    """Return the correct answer, computed now from the data (instructor mode)."""
    ex = _exercise(exercise_id)
    return ex.compute_answer(ex.setup(evidence, **params))


_YES = {"yes", "y", "true", "t", "1"}
_NO = {"no", "n", "false", "f", "0"}
_ALIASES = {
    "ldn": "favours_ldn",
    "favors_ldn": "favours_ldn",
    "favours_ldn": "favours_ldn",
    "ldn_better": "favours_ldn",
    "control": "favours_control",
    "placebo": "favours_control",
    "favors_control": "favours_control",
    "favours_control": "favours_control",
    "favours_placebo": "favours_control",
    "favors_placebo": "favours_control",
    "not testable": "not_testable",
    "unclear": "inconclusive",
    "neither": "inconclusive",
    "no_difference": "inconclusive",
    "ci_includes_0": "inconclusive",
}


def _norm_choice(given: Any) -> str:
    text = str(given).strip().lower().replace("-", "_")
    text = _ALIASES.get(text, text)
    return _ALIASES.get(text.replace(" ", "_"), text.replace(" ", "_"))


def _pair(given: Any, keys: tuple[str, str]) -> tuple[float, float]:
    if isinstance(given, Mapping):
        return float(given[keys[0]]), float(given[keys[1]])
    a, b = given
    return float(a), float(b)


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple) and all(isinstance(v, str) for v in value):
        return " or ".join(value)
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, tuple):
        return "(" + ", ".join(_fmt(v) for v in value) + ")"
    return str(value)


def check(exercise_id: str, answer: Any, evidence: Any, reveal: bool = False, **params) -> Feedback:
    """Check a student's answer against the answer computed now from the data.

    Parameters
    ----------
    exercise_id : str
        Key of :data:`EXERCISES`.
    answer : object
        The student's answer: a number, a pair ``(low, high)`` / ``{"low":, "high":}``,
        a choice string or yes/no, depending on the exercise.
    evidence : Evidence
        The loaded evidence base.
    reveal : bool, optional
        Show the correct answer in the message when the answer is wrong (instructor
        mode). Default False.
    **params
        The same fixed values given to :func:`question`.

    Returns
    -------
    Feedback
        ``ok`` plus a message and, when wrong, a hint.
    """
    ex = _exercise(exercise_id)
    values = ex.setup(evidence, **params)
    expected = ex.compute_answer(values)
    try:
        ok, note, given = _compare(ex, expected, answer)
    except (TypeError, ValueError, KeyError) as exc:
        return Feedback(
            False,
            f"Could not read the answer {answer!r} as a {ex.kind} answer ({exc}).",
            ex.hint,
        )
    context = f" Context: {ex.explain(values)}." if ex.explain is not None else ""
    if ok:
        return Feedback(True, f"Correct: {_fmt(expected)}{note}.{context}", "")
    message = "Not quite."
    if ex.diagnose is not None:
        diagnosis = ex.diagnose(values, given)
        if diagnosis:
            message += " " + diagnosis
    if reveal:
        message += f" The answer computed from the data is {_fmt(expected)}.{context}"
    return Feedback(False, message, ex.hint)


def _compare(ex: Exercise, expected: Any, given: Any) -> tuple[bool, str, Any]:
    if ex.kind == "number":
        value = float(given)
        if math.isnan(value):
            raise ValueError("not a number")
        tol = ex.tolerance * abs(expected) if ex.relative else ex.tolerance
        if _close(value, expected, tol):
            return True, "", value
        if 0 < value < 1 <= expected and _close(100 * value, expected, tol):
            return True, " (read as a proportion; give percent next time)", value
        return False, "", value
    if ex.kind in ("interval", "pair"):
        pair = _pair(given, ("low", "high") if ex.kind == "interval" else ("crossover", "parallel"))
        ok = all(_close(g, e, ex.tolerance) for g, e in zip(pair, expected, strict=True))
        return ok, "", pair
    if ex.kind == "boolean":
        text = str(given).strip().lower()
        if isinstance(given, bool):
            value = given
        elif text in _YES:
            value = True
        elif text in _NO:
            value = False
        else:
            raise ValueError("answer yes or no")
        return value == expected, "", value
    choice = _norm_choice(given)
    accepted = expected if isinstance(expected, tuple) else (expected,)
    note = f" (any of: {', '.join(accepted)})" if len(accepted) > 1 else ""
    return choice in accepted, note, choice
