"""Graded verdicts: the vocabulary on the command line, what "contradicted" may rest on, and
the two claims the journal-club review singled out (c011, c025), on the real evidence base."""

from __future__ import annotations

import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pandas as pd
import pytest

from ldn_analysis import claims as C
from ldn_analysis.data.evidence import load_evidence
from ldn_analysis.errors import DataValidationError
from ldn_analysis.paths import DATA_DIR

ROOT = Path(__file__).parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "claims"


@pytest.fixture(scope="module")
def evidence():
    return load_evidence(DATA_DIR)


@pytest.fixture(scope="module")
def claims_df():
    return C.load_claims(DATA_DIR)


@pytest.fixture(scope="module")
def evaluations(evidence, claims_df):
    return {
        r.claim_id: C.evaluate_claim(evidence, r.proposition, C.parse_args(r.proposition_args))
        for r in claims_df.itertuples()
    }


def _readable(sentence: str) -> None:
    """A sentence a student can read: words, a deciding number, no ids or '(s)'."""
    assert sentence[0].isupper() and sentence.rstrip().endswith("."), sentence
    assert re.search(r"\d", sentence), f"no deciding number: {sentence}"
    assert "(s)" not in sentence and "stud(ies)" not in sentence, sentence
    assert not re.search(r"\b(not_testable|no_difference|ldn_vs_placebo)\b", sentence), sentence


def test_command_line_csv_uses_the_graded_vocabulary():
    out = subprocess.run(
        [sys.executable, "-m", "ldn_analysis", "claims", "--format", "csv"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    table = pd.read_csv(StringIO(out), keep_default_na=False)
    assert list(table.columns) == list(C.RESULT_COLUMNS)
    assert set(table["verdict"]) <= set(C.VERDICTS)
    # the vocabulary is graded: evidence-free claims are no longer "not testable"
    assert {"unsupported", "false"} <= set(table["verdict"])
    assert set(C.VERDICTS) == set(C.VERDICT_DEFINITIONS) == set(C.VERDICT_LABELS)
    assert (table["explanation"].str.len() > 0).all()


def _check_contradicted(ev: C.Evaluation, where: str) -> None:
    """'contradicted' needs several trials or an interval that excludes the claimed effect."""
    if ev.verdict != "contradicted":
        return
    assert ev.trials >= 2 or ev.interval_excludes_claim, (
        f"{where}: contradicted on {ev.trials} trial(s) with interval {ev.interval} and "
        f"claimed effect {ev.claimed}: {ev.explanation}"
    )


def test_every_contradicted_verdict_rests_on_precise_or_repeated_evidence(evaluations):
    for cid, ev in evaluations.items():
        _check_contradicted(ev, cid)


def test_every_contradicted_verdict_on_the_fake_evidence_too(claims_df):
    fake = {
        name: pd.read_csv(FIXTURES / f"{name}.csv")
        for name in ("studies", "outcomes", "adverse_events", "registrations", "reviews")
    }
    ev = type("Fake", (), fake)()
    for r in claims_df.itertuples():
        _check_contradicted(
            C.evaluate_claim(ev, r.proposition, C.parse_args(r.proposition_args)), r.claim_id
        )


def _columns(table: str) -> list[str]:
    return list(pd.read_csv(FIXTURES / f"{table}.csv", nrows=0).columns)


def _one_trial(n_per_arm: int, mean_ldn: float) -> object:
    """Evidence with one placebo-controlled trial of function (SD 10 in both arms)."""
    studies = pd.DataFrame(
        [
            {
                "study_id": "solo_2020",
                "first_author": "Solo",
                "year": 2020,
                "condition": "gulf_war_illness",
                "design": "rct_parallel",
                "randomized": True,
                "blinding": "double_blind",
                "comparator": "placebo",
                "n_enrolled": 2 * n_per_arm,
                "duration_weeks": 12,
                "primary_outcome": "physical function",
                "primary_result": "no_difference",
            }
        ]
    )
    outcomes = pd.DataFrame(
        [
            {
                "study_id": "solo_2020",
                "outcome_id": "solo_2020_function",
                "outcome": "function",
                "better": "higher",
                "comparison": "ldn_vs_placebo",
                "timepoint_weeks": 12,
                "data_type": "arm_means",
                "n_ldn": n_per_arm,
                "mean_ldn": mean_ldn,
                "sd_ldn": 10.0,
                "n_ctrl": n_per_arm,
                "mean_ctrl": 50.0,
                "sd_ctrl": 10.0,
            }
        ]
    )
    studies = studies.reindex(columns=_columns("studies"))
    outcomes = outcomes.reindex(columns=_columns("outcomes"))
    return type(
        "One",
        (),
        {
            "studies": studies,
            "outcomes": outcomes,
            "adverse_events": pd.DataFrame(columns=["study_id", "event", "arm"]),
            "registrations": pd.DataFrame(columns=_columns("registrations")),
            "reviews": pd.DataFrame(columns=_columns("reviews")),
        },
    )()


def test_one_small_null_trial_is_unsupported_not_contradicted():
    ev = C.outcome_benefit(_one_trial(12, 50.0), "function")
    assert ev.verdict == "unsupported", ev
    assert ev.interval is None or not ev.interval_excludes_claim
    _readable(ev.explanation)


def test_one_large_precise_null_trial_contradicts_a_claimed_benefit():
    ev = C.outcome_benefit(_one_trial(400, 50.0), "function")
    assert ev.verdict == "contradicted", ev
    assert ev.interval_excludes_claim and ev.interval[1] < C.MINIMAL_IMPORTANT_SMD
    _check_contradicted(ev, "large trial")


def test_c011_function_is_not_contradicted(evaluations, claims_df):
    row = claims_df.set_index("claim_id").loc["c011"]
    assert row["proposition"] == "outcome_benefit" and "function" in row["proposition_args"]
    ev = evaluations["c011"]
    assert ev.verdict not in ("contradicted", "false"), ev
    _readable(ev.explanation)


def test_c025_side_effects_are_supported(evaluations, claims_df):
    row = claims_df.set_index("claim_id").loc["c025"]
    assert "dizziness" in row["proposition_args"]
    ev = evaluations["c025"]
    assert ev.verdict == "supported", ev
    assert "dizziness" in ev.explanation
    _readable(ev.explanation)


def test_every_explanation_is_readable(evaluations, claims_df):
    """Every verdict drawn from data explains itself with its deciding number."""
    proposition = dict(zip(claims_df["claim_id"], claims_df["proposition"], strict=True))
    for cid, ev in evaluations.items():
        if proposition[cid] not in ("untestable", "framing", "fact"):
            _readable(C.evaluate.plain_sentence(ev))


def test_a_wrong_trial_report_is_false_not_contradicted(evaluations, claims_df):
    final = claims_df[claims_df["proposition"] == "final_primary_significant"]
    assert len(final)
    for cid in final["claim_id"]:
        assert evaluations[cid].verdict == "false", evaluations[cid]


# ------------------------------------------------------------------ missed claims and framing


def _verdict_of(evaluations, claims_df, proposition, **args):
    for r in claims_df[claims_df["proposition"] == proposition].itertuples():
        parsed = C.parse_args(r.proposition_args)
        if all(parsed.get(k) == v for k, v in args.items()):
            return r, evaluations[r.claim_id]
    raise AssertionError(f"no {proposition} claim with {args}")


def test_missed_claims_are_extracted_and_graded(evaluations, claims_df):
    r, ev = _verdict_of(evaluations, claims_df, "fact", claimed="eases_alcohol_withdrawal")
    assert r.source_file.startswith("001") and ev.verdict == "false"
    r, ev = _verdict_of(evaluations, claims_df, "distinct_trials", claimed=3)
    assert r.source_file.startswith("001") and ev.verdict == "false"
    assert "counted 3 times" in ev.explanation
    r, ev = _verdict_of(evaluations, claims_df, "framing", reason="stitched")
    assert r.source_file.startswith("001") and ev.verdict == "not_testable"
    r, ev = _verdict_of(evaluations, claims_df, "framing", reason="award")
    assert r.source_file.startswith("004")
    r, ev = _verdict_of(evaluations, claims_df, "fact", claimed="new_study")
    assert r.source_file.startswith("000") and ev.verdict == "false"
    r, ev = _verdict_of(evaluations, claims_df, "practice_support")
    assert r.source_file.startswith("002") and ev.verdict in ("overstated", "unsupported")
    r, ev = _verdict_of(
        evaluations, claims_df, "fact", claimed="vivid_dreams_headache_diarrhea_nausea"
    )
    assert r.source_file.startswith("002") and ev.verdict == "false"
    r, ev = _verdict_of(evaluations, claims_df, "consort_item", item="outcome_result")
    assert r.source_file.startswith("003") and ev.verdict == "false"


def test_wrong_regulatory_and_formulation_facts_are_false(evaluations, claims_df):
    for claimed in ("fda_disapproves_ldn", "ldn_injected_into_the_deltoid_around_surgery"):
        _, ev = _verdict_of(evaluations, claims_df, "fact", claimed=claimed)
        assert ev.verdict == "false", ev


def test_news_criteria_score_sensational_language_and_availability():
    news = C.load_news_criteria(DATA_DIR)
    sens = news[news["criterion"] == "sensational_language"]
    assert set(sens["source_file"]) == set(C.SOURCE_FILES)
    assert sens["criteria_url"].str.contains("healthnewsreview.org").all()
    avail = news[(news["criterion"] == "availability") & news["source_file"].str.startswith("001")]
    assert not avail["met"].any()
    scores = C.score_sources(news).set_index("source_file")
    app = news[news["applicable"]]
    for src, g in app.groupby("source_file"):
        assert scores.loc[src, "met"] == int(g["met"].sum())
        assert scores.loc[src, "applicable"] == len(g)


def test_consort_for_abstracts_is_data_with_a_computed_score():
    check = C.consort_abstract()
    assert set(check["reported"]) <= {"true", "false", "not_applicable"}
    assert check["checklist_url"].str.startswith("https://").all()
    score = C.consort_score(check).set_index("source_file")
    for src, g in check.groupby("source_file"):
        app = g[g["reported"] != "not_applicable"]
        assert score.loc[src, "applicable"] == len(app)
        assert score.loc[src, "reported"] == int((app["reported"] == "true").sum())
        assert score.loc[src, "score"] == pytest.approx(
            (app["reported"] == "true").mean(), abs=1e-3
        )
    assert "outcome result" in score.loc["003_5ab7ced4c9d46c94.txt", "missing"]


def test_consort_file_problems_are_named(tmp_path):
    bad = C.consort_abstract().head(2).copy()
    bad.loc[bad.index[0], "reported"] = "maybe"
    path = tmp_path / "consort_abstract.csv"
    bad.to_csv(path, index=False)
    with pytest.raises(DataValidationError) as err:
        C.consort_abstract(path)
    assert "maybe" in str(err.value) and "reported" in str(err.value)


# ------------------------------------------------------------------ the claims page withholds


def test_student_evidence_text_withholds_the_verdict(evaluations, claims_df, evidence):
    table = C.evaluate_claims(evidence, claims_df.head(30))
    for cid in table["claim_id"]:
        student = C.evidence_text(table, cid, "student")
        instructor = C.evidence_text(table, cid, "instructor")
        verdict = table.set_index("claim_id").loc[cid, "verdict"]
        assert "Verdict" not in student and C.VERDICT_LABELS[verdict] not in student.split(":")[0]
        assert instructor.startswith(f"Verdict computed from the data: {C.VERDICT_LABELS[verdict]}")


def test_claims_notebook_withholds_in_student_mode():
    src = (ROOT / "notebooks" / "claims_vs_evidence.py").read_text(encoding="utf-8")
    assert "claim_evidence_text" not in src  # printed the verdict right after the question
    n_exercises = src.count('ldn.teaching.ask("claim_verdict"')
    assert src.count("ldn.claims.evidence_text(") == n_exercises
    # the verdict itself only behind the exercise's reveal (right answer or instructor mode)
    assert src.count("ldn.claims.verdict_text(") == n_exercises
    assert len(re.findall(r'if ldn\.teaching\.unlocked\(\s*"claim_verdict"', src)) == n_exercises
    first_exercise = src.index('ldn.teaching.ask("claim_verdict"')
    assert src.index("verdict_table()") < first_exercise  # the verdicts are defined first
    assert src.index("ldn.claims.verdicts_by_source(table, scores, p.mode)") > src.rindex(
        "ldn.teaching.feedback("
    )


def test_student_worksheet_lists_claims_without_verdicts(evidence, claims_df, capsys):
    table = C.evaluate_claims(evidence, claims_df.head(12))
    C.verdicts_by_source(table, None, "student")
    student = capsys.readouterr().out
    C.verdicts_by_source(table, None, "instructor")
    instructor = capsys.readouterr().out
    assert "your verdict" in student and "why (deciding numbers)" not in student
    for label in C.VERDICT_LABELS.values():
        assert f" {label} " not in student.replace("\n", " ")
    assert "why (deciding numbers)" in instructor and "curator's note" in instructor
