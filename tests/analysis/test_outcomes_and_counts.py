"""Each person counted once, labelled analysed or enrolled; outcomes with data; the default outcome.

Expected counts are read from data/studies.csv (never typed): a crossover's two arms are the
same people, so no n anywhere is the sum of its arms.
"""

from __future__ import annotations

import pandas as pd
import pytest

import ldn_analysis as ldn
from ldn_analysis.analysis.efficacy import effect_rows
from ldn_analysis.analysis.outcomes import REASONS, choose_outcome, outcomes_with_data
from ldn_analysis.analysis.selection import participant_counts, study_frame
from ldn_analysis.text.outcomes import outcome_choice_text, outcomes_table
from ldn_analysis.text.tables import study_table
from ldn_analysis.vocab import CROSSOVER_DESIGNS, condition_label, outcome_label


@pytest.fixture(scope="module")
def evidence():
    return ldn.load_evidence()


def _raw(evidence, study_id: str) -> pd.Series:
    s = evidence.studies
    return s[s["study_id"] == study_id].iloc[0]


def test_crossover_n_is_the_people_not_the_sum_of_arms(evidence):
    frame = study_frame(evidence.studies).set_index("study_id")
    raw = evidence.studies.set_index("study_id")
    for sid in raw.index[raw["design"].isin(CROSSOVER_DESIGNS)]:
        r = raw.loc[sid]
        arms = pd.to_numeric(pd.Series([r["n_ldn"], r["n_control"]]), errors="coerce")
        expected = next(
            (float(v) for v in (r["n_analyzed"], r["n_enrolled"]) if pd.notna(v)),
            arms.max() if arms.notna().any() else float("nan"),
        )
        got = frame.loc[sid, "n"]
        assert got == expected or (pd.isna(got) and pd.isna(expected)), sid


def test_study_frame_is_idempotent_so_tables_show_the_chart_n(evidence):
    frame = study_frame(evidence.studies)
    again = study_frame(frame)
    pd.testing.assert_series_equal(frame["n"], again["n"])
    pd.testing.assert_series_equal(frame["n_basis"], again["n_basis"])
    assert set(frame["n_basis"]) <= {"analysed", "enrolled", "arms", ""}


def test_cree_2010_has_one_n_everywhere(evidence):
    cree = _raw(evidence, "cree_2010")
    n = int(cree["n_analyzed"])  # the people analysed, from the data
    selection = ldn.select(evidence, "multiple_sclerosis")
    row = selection.studies.set_index("study_id").loc["cree_2010"]
    assert (row["n"], row["n_basis"]) == (n, "analysed")
    table = study_table(selection.studies)
    cells = table[table["Study"].str.contains("Cree")]["Participants"].tolist()
    assert cells == [f"{n} analysed"]
    ladder = ldn.figures.ladder_chart(selection).figure
    widths = [
        x
        for trace in ladder.data
        if trace.customdata is not None
        for x, cd in zip(trace.x, trace.customdata, strict=True)
        if cd[1] == "cree_2010"
    ]
    assert widths == [n]
    for outcome in outcomes_with_data(selection)["outcome"]:
        effects, _ = effect_rows(selection, outcome)
        assert set(effects.loc[effects["study_id"] == "cree_2010", "n"]) <= {n}


def test_participant_counts_say_how_they_were_counted():
    rows = pd.DataFrame(
        {
            "design": ["rct_crossover", "rct_parallel", "rct_parallel", "case_report"],
            "n_analyzed": [None, 30, None, None],
            "n_enrolled": [None, 40, 50, None],
            "n_ldn": [12, 15, 25, 1],
            "n_control": [12, 15, 25, None],
        }
    )
    got = participant_counts(rows)
    assert got["n"].tolist() == [12, 30, 50, 1]
    assert got["n_basis"].tolist() == ["arms", "analysed", "enrolled", "arms"]


def test_outcomes_with_data_count_studies_and_usable_ones(evidence):
    selection = ldn.select(evidence, "multiple_sclerosis")
    table = outcomes_with_data(selection)
    o = selection.outcomes
    placebo = o[o["comparison"] == "ldn_vs_placebo"]
    assert set(table["outcome"]) == set(placebo["outcome"])
    for r in table.itertuples():
        assert r.studies == placebo[placebo["outcome"] == r.outcome]["study_id"].nunique()
        assert 0 <= r.with_effect_size <= r.studies
    assert outcomes_with_data(selection) is table  # computed once per selection


@pytest.mark.parametrize("condition", ["multiple_sclerosis", "headache", "fibromyalgia", "crps"])
def test_the_default_outcome_has_data_when_any_outcome_has(evidence, condition):
    selection = ldn.select(evidence, condition)
    available = outcomes_with_data(selection)
    choice = choose_outcome(selection, "pain")
    assert choice.reason in REASONS
    if available.empty:
        assert (choice.chosen, choice.reason) == ("pain", "no_data")
    elif (available["with_effect_size"] > 0).any():
        best = available["with_effect_size"].max()
        _, k = choice.counts()
        assert k > 0 and (choice.chosen == "pain" or k == best)
    text = outcome_choice_text(choice)
    where = condition_label(condition)
    assert where in text
    for outcome in available["outcome"]:
        assert outcome_label(outcome) in text
    if choice.switched:
        assert "Pain was asked for" in text and outcome_label(choice.chosen) in text
    frame = outcomes_table(choice).frame
    assert frame["shown on this page"].tolist().count("yes") == (0 if available.empty else 1)


def test_a_picked_outcome_is_kept_even_without_an_effect_size(evidence):
    selection = ldn.select(evidence, "fibromyalgia")
    available = outcomes_with_data(selection)
    unusable = available[available["with_effect_size"] == 0]["outcome"]
    if unusable.empty:
        pytest.skip("every fibromyalgia outcome gives an effect size")
    outcome = unusable.iloc[0]
    assert choose_outcome(selection, outcome).chosen != outcome
    kept = choose_outcome(selection, outcome, keep=True)
    assert (kept.chosen, kept.reason) == (outcome, "kept")
    assert "nothing is pooled" in outcome_choice_text(kept)
