"""Exercise checker: right answers pass, wrong ones fail, and feedback a student can trust.

Feedback starts with "You answered ..."; a word that is not an option is not graded and
the options are listed; the same slip (a fraction for a percent, reversed bounds) is read
the same way in every exercise; a wrong choice gets the distinction behind it; the caveat
of the instructor's solution travels with the answer. Numbers come from the data: the
expectations below are recomputed from the fixture or the evidence base, never typed.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from scipy import stats

from ldn_analysis.claims import load_claims
from ldn_analysis.errors import ChoiceError, LDNError
from ldn_analysis.paths import DATA_DIR
from ldn_analysis.stats.inference import Z95
from ldn_analysis.teaching import answers as A
from ldn_analysis.teaching import bias_traps as B
from ldn_analysis.teaching import exercise_defs as D
from ldn_analysis.teaching import exercise_feedback as F
from ldn_analysis.teaching import exercises as X

FIXTURES = Path(__file__).parents[1] / "fixtures" / "claims"
TABLES = ("studies", "outcomes", "adverse_events", "registrations", "reviews")
META = {"pooled_direction", "i2_interpretation", "egger_appropriate", "harm_difference"}


@pytest.fixture()
def ev():
    frames = {
        name: pd.read_csv(FIXTURES / f"{name}.csv", dtype=str, keep_default_na=False)
        for name in TABLES
    }
    return SimpleNamespace(**frames)


@pytest.fixture(scope="module")
def claims():
    return load_claims(DATA_DIR)


def _source(eid, ev, real):
    real_only = {"unpublished_registrations", "count_rcts", "risk_of_bias_overall"}
    real_only |= {"sof_points", "sof_mid", "sof_nnt"}
    return real if eid in META | real_only else ev


def _params(eid, claims):
    return {"claims": claims} if eid == "claim_verdict" else {}


def _wrong(ex, right, opts):
    if ex.kind == "boolean":
        return "no" if right is True else "yes"
    if ex.kind == "choice":
        accepted = right if isinstance(right, tuple) else (right,)
        return next(o for o in opts if o not in accepted)
    if ex.kind in ("interval", "pair"):
        return (right[0] + 7, right[1] + 7)
    return right * 2 + 5


@pytest.mark.parametrize("eid", sorted(X.EXERCISES))
def test_right_answer_passes_wrong_fails_and_both_are_echoed(ev, real_evidence, claims, eid):
    src, params = _source(eid, ev, real_evidence), _params(eid, claims)
    ex = X.EXERCISES[eid]
    values = ex.setup(src, **params)
    right = F.model_answer(eid, src, **params)
    good = X.check(eid, right, src, **params)
    assert good.ok, good
    assert good.message.startswith(f"You answered {A.echo(right)}.")
    assert good.hint == ""
    if ex.caveat is not None:  # the caveat of the instructor's solution comes with it
        assert ex.caveat(values) in good.message
        assert ex.caveat(values) in F.solution_text(eid, src, **params)
    wrong = _wrong(ex, X.answer(eid, src, **params), X.options(eid, src, **params))
    bad = X.check(eid, wrong, src, **params)
    assert not bad.ok and bad.readable, bad
    assert bad.message.startswith(f"You answered {A.echo(wrong)}. Not right")
    assert bad.hint == ex.hint
    assert X.question(eid, src, **params)


@pytest.mark.parametrize(
    "eid", sorted(e for e, x in X.EXERCISES.items() if x.kind in ("choice", "boolean"))
)
def test_unknown_word_is_not_graded_and_options_are_listed(ev, real_evidence, claims, eid):
    src, params = _source(eid, ev, real_evidence), _params(eid, claims)
    fb = X.check(eid, "maybe", src, **params)
    assert not fb.ok and not fb.readable
    assert fb.message.startswith('You answered "maybe". That is not one of the options')
    for option in X.options(eid, src, **params):
        assert f'"{option}"' in fb.message
    assert fb.hint == ""  # no content feedback on an answer that was not graded


def test_choice_questions_list_their_options(real_evidence, claims):
    for eid, ex in X.EXERCISES.items():
        if ex.kind == "choice":
            src = real_evidence
            q = X.question(eid, src, **_params(eid, claims))
            assert "Options: " in q and all(
                f'"{o}"' in q for o in X.options(eid, src, **_params(eid, claims))
            )


def test_fraction_for_percent_is_read_the_same_in_every_percent_exercise(ev):
    n = 49  # the fixture's largest zero-event randomized LDN arm (asserted below)
    right = X.answer("rule_of_three", ev)
    assert right == pytest.approx(300 / n)
    frac = X.check("rule_of_three", right / 100, ev)
    assert frac.ok and "read as a fraction" in frac.message
    lo, hi = X.answer("wilson_vs_wald", ev)
    both = X.check("wilson_vs_wald", (lo / 100, hi / 100), ev)
    assert both.ok and "read as fraction" in both.message
    multi = X.answer("multiplicity", ev)
    assert X.check("multiplicity", multi / 100, ev).ok
    # a count is never read as a fraction
    assert not X.check("count_rcts", 0.03, ev, condition="fibromyalgia").ok


def test_reversed_bounds_are_read_in_order_and_said(ev):
    lo, hi = X.answer("wilson_vs_wald", ev)
    fb = X.check("wilson_vs_wald", (hi, lo), ev)
    assert fb.ok and "upper bound first" in fb.message
    fb = X.check("wilson_vs_wald", (hi / 100, lo / 100), ev)
    assert fb.ok and "upper bound first" in fb.message and "fraction" in fb.message


def test_rule_of_three_is_a_one_sided_bound_from_a_randomized_trial(ev, real_evidence):
    v = X.EXERCISES["rule_of_three"].setup(real_evidence)
    s = real_evidence.studies.set_index("study_id")
    assert s.loc[v["study_id"], "design"] in ("rct_parallel", "rct_crossover")
    q = X.question("rule_of_three", real_evidence)
    assert "one-sided 95% upper bound" in q and "randomized trial" in q
    exact = 100 * (1 - 0.05 ** (1 / v["n"]))
    assert X.check("rule_of_three", exact, real_evidence).ok
    cp = 100 * stats.beta.ppf(0.975, 1, v["n"])  # two-sided exact upper limit, 0 events
    fb = X.check("rule_of_three", cp, real_evidence)
    assert "two-sided" in fb.message or fb.ok
    sol = F.solution_text("rule_of_three", real_evidence)
    assert "one-sided" in sol and "retrospective" in sol
    one_over_n = X.check("rule_of_three", 100 / v["n"], real_evidence)
    assert not one_over_n.ok and "1/n" in one_over_n.message
    assert not X.check("rule_of_three", 0, real_evidence).ok
    # a retrospective cohort's zero is never used
    retro = set(s.index[s["design"] == "retrospective_cohort"])
    assert v["study_id"] not in retro


def test_wald_answer_is_recognized(ev):
    v = X.EXERCISES["wilson_vs_wald"].setup(ev)
    p = v["x"] / v["n"]
    half = Z95 * (p * (1 - p) / v["n"]) ** 0.5
    fb = X.check("wilson_vs_wald", (100 * (p - half), 100 * (p + half)), ev)
    assert not fb.ok and "Wald" in fb.message
    assert "half-width" in X.question("wilson_vs_wald", ev)  # solvable from the question


def test_crossover_double_count_is_recognized(ev):
    v = X.EXERCISES["crossover_vs_parallel_n"].setup(ev)
    fb = X.check(
        "crossover_vs_parallel_n", (v["cx_ldn"] + v["cx_ctrl"], v["px_ldn"] + v["px_ctrl"]), ev
    )
    assert not fb.ok and "same people" in fb.message
    right = {"crossover": v["cx_ldn"], "parallel": v["px_ldn"] + v["px_ctrl"]}
    assert X.check("crossover_vs_parallel_n", right, ev).ok


def test_i2_band_needs_its_interval():
    base = {"k": 2, "tau2": 0.1, "tau2_ci_low": 0.0, "tau2_ci_high": 2.0}
    wide = {**base, "i2": 61.0, "i2_ci_low": 0.0, "i2_ci_high": 100.0}
    assert D._ans_i2(wide) == ("uncertain",)
    assert "every band" in D._diag_i2(wide, "substantial")
    narrow = {**base, "i2": 55.0, "i2_ci_low": 35.0, "i2_ci_high": 70.0}
    assert D._ans_i2(narrow) == ("moderate", "substantial")
    assert "0%" in D._cav_i2(wide) and "tau2" in D._cav_i2(wide)


def test_i2_on_the_real_analysis_carries_its_interval(real_evidence):
    v = X.EXERCISES["i2_interpretation"].setup(real_evidence)
    q = X.question("i2_interpretation", real_evidence)
    assert f"{v['i2_ci_low']:.0f}% to {v['i2_ci_high']:.0f}%" in q
    band = next(b for b, (lo, hi) in D.I2_BANDS.items() if lo <= v["i2"] <= hi)
    fb = X.check("i2_interpretation", band, real_evidence)
    assert f"95% CI {v['i2_ci_low']:.0f}%" in fb.message  # never a bare band


def test_egger_threshold(ev):
    assert X.answer("egger_appropriate", ev, k=12) is True
    assert X.check("egger_appropriate", "yes", ev, k=10).ok
    assert X.check("egger_appropriate", "no", ev, k=9).ok


def test_pooled_direction_reads_the_whole_interval():
    base = {"estimate": 0.2, "k": 3, "i2": 0.0}
    assert D._ans_direction({**base, "ci_low": 0.05, "ci_high": 0.4}) == "favours_ldn"
    assert D._ans_direction({**base, "ci_low": -0.4, "ci_high": -0.05}) == "favours_control"
    assert D._ans_direction({**base, "ci_low": -0.1, "ci_high": 0.5}) == "inconclusive"
    msg = D._diag_direction({**base, "ci_low": -0.1, "ci_high": 0.5}, "favours_ldn")
    assert "includes 0" in msg


def test_choice_spelling_variants(real_evidence):
    right = X.answer("pooled_direction", real_evidence)
    variant = {"favours_ldn": "Favors-LDN", "favours_control": "placebo"}.get(
        right, "Inconclusive "
    )
    assert X.check("pooled_direction", variant, real_evidence).ok


def test_claim_verdict_explains_the_distinction(ev, claims):
    right = X.answer("claim_verdict", ev, claims=claims)
    wrong = next(w for w in D.verdict_words() if w != right)
    fb = X.check("claim_verdict", wrong, ev, claims=claims)
    assert D.verdict_meaning(wrong) in fb.message and D.verdict_meaning(right) in fb.message
    assert "trial results" not in fb.message  # no effect-claim hint for every claim


def test_every_verdict_word_has_a_meaning():
    for word in D.verdict_words():
        assert D.verdict_meaning(word) != word.replace("_", " "), word


def test_reveal_shows_computed_answer(real_evidence):
    right = X.answer("count_rcts", real_evidence, condition="fibromyalgia")
    fb = X.check("count_rcts", right + 40, real_evidence, reveal=True, condition="fibromyalgia")
    assert not fb.ok and f"computed from the data is {right}" in fb.message


def test_unreadable_answer_is_feedback_not_crash(ev):
    fb = X.check("wilson_vs_wald", "narrow", ev)
    assert not fb.ok and not fb.readable and fb.message.startswith('You answered "narrow".')
    assert not X.check("rule_of_three", "", ev).readable


def test_simulations_are_seeded_and_the_answers_follow_them():
    assert B.rtm_table().equals(B.rtm_table())
    v = B.rtm_values()
    assert X.answer("regression_to_mean", None) == pytest.approx(
        v["mean"] + v["reliability"] * (v["screen_mean"] - v["mean"])
    )
    assert X.check("regression_to_mean", v["screen_mean"], None).message.count("bad day") == 1
    assert X.answer("multiplicity", None) == pytest.approx(100 * (1 - 0.95**B.MULTI_OUTCOMES))


def test_unpublished_registrations_are_counted_from_the_table(real_evidence):
    r = real_evidence.registrations
    done = r[r["status"].isin(("completed", "terminated"))]
    assert X.answer("unpublished_registrations", real_evidence) == int(
        done["linked_study_id"].isna().sum()
    )


def test_unknown_exercise_and_missing_data(ev):
    with pytest.raises(ChoiceError):
        X.check("nonexistent", 1, ev)
    ev.adverse_events = ev.adverse_events.iloc[0:0]
    with pytest.raises(LDNError):
        X.question("rule_of_three", ev)


def test_harm_difference_is_ldn_minus_placebo_of_all_cause_events(real_evidence):
    v = X.EXERCISES["harm_difference"].setup(real_evidence)
    rd = 100 * (v["e1"] / v["n1"] - v["e0"] / v["n0"])
    assert X.answer("harm_difference", real_evidence) == pytest.approx(rd)
    rate = X.check("harm_difference", 100 * v["e1"] / v["n1"], real_evidence)
    assert not rate.ok and "all-cause" in rate.message
    assert X.check("harm_difference", rd / 100, real_evidence).ok  # fraction read as percent
    assert "95% CI" in X.check("harm_difference", rd, real_evidence).message
