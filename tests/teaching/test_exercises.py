"""Exercise checker: right answers pass, wrong ones fail, answers follow the data."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from ldn_analysis.claims import VERDICTS, load_claims
from ldn_analysis.errors import ChoiceError, LDNError
from ldn_analysis.paths import DATA_DIR
from ldn_analysis.teaching import exercises as X

FIXTURES = Path(__file__).parents[1] / "fixtures" / "claims"
TABLES = ("studies", "outcomes", "adverse_events", "registrations", "reviews")


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


def _params(eid, claims):
    return {"claims": claims} if eid == "claim_verdict" else {}


def _wrong(eid, right):
    if isinstance(right, bool):
        return not right
    if isinstance(right, int | float):
        return right * 2 + 5
    if eid == "i2_interpretation":
        return next(b for b in X.I2_BANDS if b not in right)
    if eid == "pooled_direction":
        return "favours_control" if right != "favours_control" else "favours_ldn"
    if eid == "claim_verdict":
        return next(v for v in VERDICTS if v != right)
    a, b = right
    return (a + 7, b + 7)


@pytest.mark.parametrize("eid", sorted(X.EXERCISES))
def test_right_answer_passes_and_wrong_answer_fails(ev, claims, eid):
    params = _params(eid, claims)
    right = X.answer(eid, ev, **params)
    given = right[0] if eid == "i2_interpretation" else right
    good = X.check(eid, given, ev, **params)
    assert good.ok, good
    assert good.hint == ""
    bad = X.check(eid, _wrong(eid, right), ev, **params)
    assert not bad.ok, bad
    assert bad.hint == X.EXERCISES[eid].hint
    assert X.question(eid, ev, **params)


def test_answers_are_computed_from_the_data(ev):
    before = X.answer("count_rcts", ev, condition="fibromyalgia")
    extra = pd.DataFrame(
        [{"study_id": "new_2025", "condition": "fibromyalgia", "design": "rct_parallel"}]
    )
    ev.studies = pd.concat([ev.studies, extra], ignore_index=True)
    assert X.answer("count_rcts", ev, condition="fibromyalgia") == before + 1


def test_rule_of_three_uses_largest_zero_event_arm(ev):
    assert X.answer("rule_of_three", ev) == pytest.approx(300 / 49)
    assert X.answer("rule_of_three", ev, n=300) == pytest.approx(1.0)
    assert "49 participants" in X.question("rule_of_three", ev)


def test_rule_of_three_tolerance_and_forms(ev):
    assert X.check("rule_of_three", 5.9, ev).ok  # exact binomial bound 1-0.05**(1/49)
    assert X.check("rule_of_three", 0.0612, ev).ok  # proportion accepted
    one_over_n = X.check("rule_of_three", 100 / 49, ev)
    assert not one_over_n.ok and "1/n" in one_over_n.message
    assert not X.check("rule_of_three", 0, ev).ok


def test_wald_answer_is_recognized(ev):
    x, n = 1, 10
    p = x / n
    half = 1.959964 * (p * (1 - p) / n) ** 0.5
    wald = (100 * (p - half), 100 * (p + half))
    fb = X.check("wilson_vs_wald", wald, ev)
    assert not fb.ok and "Wald" in fb.message
    assert X.check("wilson_vs_wald", {"low": 1.79, "high": 40.4}, ev).ok


def test_crossover_double_count_is_recognized(ev):
    fb = X.check("crossover_vs_parallel_n", (134, 99), ev)
    assert not fb.ok and "same people" in fb.message
    assert X.check("crossover_vs_parallel_n", {"crossover": 67, "parallel": 99}, ev).ok


def test_i2_overlapping_bands_accept_either():
    assert X._ans_i2({"i2": 55.0}) == ("moderate", "substantial")
    assert X._ans_i2({"i2": 10.0}) == ("low",)
    assert X._ans_i2({"i2": 80.0}) == ("substantial", "considerable")


def test_egger_threshold(ev):
    assert X.answer("egger_appropriate", ev, k=12) is True
    assert X.check("egger_appropriate", "yes", ev, k=10).ok
    assert X.check("egger_appropriate", "no", ev, k=9).ok
    assert not X.check("egger_appropriate", "yes", ev).ok  # fixture pools k=3


def test_pooled_direction_reads_the_whole_interval():
    base = {"estimate": 0.2, "k": 3, "i2": 0.0}
    assert X._ans_direction({**base, "ci_low": 0.05, "ci_high": 0.4}) == "favours_ldn"
    assert X._ans_direction({**base, "ci_low": -0.4, "ci_high": -0.05}) == "favours_control"
    assert X._ans_direction({**base, "ci_low": -0.1, "ci_high": 0.5}) == "inconclusive"
    msg = X._diag_direction({**base, "ci_low": -0.1, "ci_high": 0.5}, "favours_ldn")
    assert "includes 0" in msg


def test_choice_aliases(ev):
    right = X.answer("pooled_direction", ev)
    alias = {"favours_ldn": "favors LDN", "favours_control": "placebo"}.get(right, "unclear")
    assert X.check("pooled_direction", alias, ev).ok


def test_reveal_shows_computed_answer(ev):
    fb = X.check("count_rcts", 99, ev, reveal=True, condition="fibromyalgia")
    assert not fb.ok and "computed from the data is 3" in fb.message


def test_unreadable_answer_is_feedback_not_crash(ev):
    fb = X.check("egger_appropriate", "maybe", ev)
    assert not fb.ok and "Could not read" in fb.message
    assert not X.check("wilson_vs_wald", "narrow", ev).ok


def test_unknown_exercise_and_missing_data(ev):
    with pytest.raises(ChoiceError):
        X.check("nonexistent", 1, ev)
    ev.adverse_events = ev.adverse_events.iloc[0:0]
    with pytest.raises(LDNError):
        X.question("rule_of_three", ev)
