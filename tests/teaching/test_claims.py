"""Claims checker: the claims table, the verdict rules (on fake evidence) and the CLI."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from ldn_analysis import claims as C
from ldn_analysis.data.validation import validate_package
from ldn_analysis.errors import ChoiceError, DataValidationError, ParameterError
from ldn_analysis.paths import DATA_DIR, SOURCES_DIR

FIXTURES = Path(__file__).parents[1] / "fixtures" / "claims"
SOURCE_NGRAMS = Path(__file__).parents[1] / "fixtures" / "source_ngrams.txt"
TABLES = ("studies", "outcomes", "adverse_events", "registrations", "reviews")


def load_fixture_evidence() -> SimpleNamespace:
    frames = {name: pd.read_csv(FIXTURES / f"{name}.csv") for name in TABLES}
    return SimpleNamespace(**frames, conditions=pd.DataFrame())


@pytest.fixture()
def ev() -> SimpleNamespace:
    return load_fixture_evidence()


@pytest.fixture(scope="module")
def claims_df() -> pd.DataFrame:
    return C.load_claims(DATA_DIR)


# ------------------------------------------------------------------ the claims table


def test_claims_table_validates(claims_df):
    assert list(claims_df.columns) == list(C.CLAIMS_COLUMNS)
    assert C.validate_claims(claims_df) == []
    assert len(claims_df) >= 80


def test_every_claim_has_known_proposition_and_source(claims_df):
    assert set(claims_df["proposition"]) <= set(C.PROPOSITIONS)
    assert set(claims_df["source_file"]) <= set(C.SOURCE_FILES)
    # every source text contributes claims
    assert set(claims_df["source_file"]) == set(C.SOURCE_FILES)


def test_claim_ids_are_sequential(claims_df):
    assert list(claims_df["claim_id"]) == [f"c{i:03d}" for i in range(1, len(claims_df) + 1)]


def test_source_urls_are_web_pages(claims_df):
    assert all(u.startswith(("http://", "https://")) for u in claims_df["source_url"])
    assert not any("file://" in u for u in claims_df["source_url"])


def test_condition_column_matches_args(claims_df):
    for r in claims_df.itertuples():
        cond = C.parse_args(r.proposition_args).get("condition")
        if cond is not None and "|" not in str(cond):
            assert cond == r.condition, r.claim_id


def test_required_claims_are_present(claims_df):
    def has(prop, **args):
        for r in claims_df[claims_df["proposition"] == prop].itertuples():
            parsed = C.parse_args(r.proposition_args)
            if all(parsed.get(k) == v for k, v in args.items()):
                return True
        return False

    assert has("final_primary_significant")
    assert has("ae_any_range", low=0, high=33)
    assert has("duration_range", low=4.35, high=52.2)
    assert has("review_n_studies", n=47)
    assert has("conditions_helped")
    assert has("ae_most_common")
    assert has("dose_range")
    assert has("untestable", reason="mechanism")


def test_claim_types_by_proposition(claims_df):
    # untestable propositions must never hide a testable claim type of frequency/effect
    for r in claims_df.itertuples():
        if r.claim_type in ("effect", "side_effect_frequency", "discontinuation", "dose"):
            assert r.proposition != "untestable", r.claim_id


def test_source_list_matches_folder():
    if not SOURCES_DIR.is_dir():
        pytest.skip(f"source texts not found at {SOURCES_DIR}")
    assert {p.name for p in SOURCES_DIR.glob("*.txt")} == set(C.SOURCE_FILES)


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower().replace("\u2019", "").replace("'", ""))


def _ngrams(words: list[str], n: int = 12) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def _hashes(grams: set[tuple[str, ...]]) -> set[str]:
    return {hashlib.sha1(" ".join(g).encode()).hexdigest()[:16] for g in grams}


def _source_hashes() -> set[str]:
    out: set[str] = set()
    for path in sorted(SOURCES_DIR.glob("*.txt")):
        out |= _hashes(_ngrams(_words(path.read_text(encoding="utf-8"))))
    return out


def test_committed_source_hashes_match_the_texts():
    """The hashes the paraphrase check uses are those of the five texts (where present)."""
    if not SOURCES_DIR.is_dir():
        pytest.skip(f"source texts not found at {SOURCES_DIR}; hashes checked where they are")
    assert set(SOURCE_NGRAMS.read_text().split()) == _source_hashes(), (
        f"regenerate {SOURCE_NGRAMS.name}: the source texts changed"
    )


def test_no_text_copies_a_source_sentence(claims_df):
    """No 12-word window of our prose appears in any source text (paraphrase rule).

    The texts live outside the repository; their 12-word windows are committed as short
    sha1 hashes (``tests/fixtures/source_ngrams.txt``), so this runs in any clone.
    """
    source_hashes = set(SOURCE_NGRAMS.read_text().split())
    news = pd.read_csv(DATA_DIR / C.NEWS_CRITERIA_FILE, dtype=str, keep_default_na=False)
    texts = [
        (f"claims {r.claim_id} {col}", getattr(r, col))
        for r in claims_df.itertuples()
        for col in ("claim_text", "notes")
    ]
    texts += [
        (f"news_criteria row {i} {col}", getattr(r, col))
        for i, r in enumerate(news.itertuples(), 1)
        for col in ("evidence", "notes")
    ]
    copied = [where for where, text in texts if _hashes(_ngrams(_words(text))) & source_hashes]
    assert copied == []


def test_validate_claims_reports_every_problem(claims_df):
    bad = claims_df.head(3).copy()
    bad.loc[bad.index[0], "proposition"] = "no_such_rule"
    bad.loc[bad.index[1], "source_url"] = "file://shared/sources/x.txt"
    bad.loc[bad.index[2], "proposition_args"] = "nonsense"
    problems = C.validate_claims(bad)
    columns = {p.column for p in problems}
    assert {"proposition", "source_url", "proposition_args"} <= columns


def test_load_claims_raises_with_all_problems(tmp_path, claims_df):
    bad = claims_df.copy()
    bad.loc[bad.index[0], "claim_type"] = "gossip"
    bad.loc[bad.index[1], "condition"] = "hiccups"
    bad.to_csv(tmp_path / C.CLAIMS_FILE, index=False)
    with pytest.raises(DataValidationError) as err:
        C.load_claims(tmp_path)
    assert len(err.value.problems) == 2


# ------------------------------------------------------------------ verdict rules

CASES = [
    ("ae_any_range", {"low": 0, "high": 33}, "supported"),
    ("ae_any_range", {"low": 0, "high": 33, "condition": "crohns_disease"}, "supported"),
    ("ae_any_range", {"low": 0, "high": 33, "condition": "me_cfs"}, "unsupported"),
    ("ae_any_range", {"low": 0, "high": 33, "condition": "crps"}, "unsupported"),
    (
        "ae_most_common",
        {"kinds": "insomnia/sleep_disturbance|vivid_dreams|headache|nausea"},
        "supported",
    ),
    ("ae_most_common", {"kinds": "vomit|cramp"}, "overstated"),
    ("ae_most_common", {"kinds": "priapism|hallucinat"}, "unsupported"),
    ("ae_kinds_reported", {"kinds": "headache|nausea"}, "supported"),
    ("ae_kinds_reported", {"kinds": "headache|nausea|dizziness"}, "overstated"),
    ("ae_kinds_reported", {"kinds": "priapism"}, "unsupported"),
    ("serious_ae_rare", {"high": 5}, "supported"),
    ("serious_ae_rare", {"high": 2}, "overstated"),
    ("withdrawal_ae_max", {"high": 25}, "supported"),
    ("withdrawal_ae_max", {"high": 5}, "overstated"),
    ("withdrawal_ae_max", {"high": 2}, "contradicted"),
    ("withdrawal_ae_max", {"high": 5, "condition": "crps"}, "unsupported"),
    ("ae_similar_to_placebo", {}, "supported"),
    ("ae_similar_to_placebo", {"condition": "crohns_disease"}, "overstated"),
    ("ae_similar_to_placebo", {"condition": "crps"}, "unsupported"),
    ("condition_rct_benefit", {"condition": "multiple_sclerosis"}, "overstated"),
    ("condition_rct_benefit", {"condition": "fibromyalgia"}, "overstated"),
    ("condition_rct_benefit", {"condition": "crohns_disease"}, "unsupported"),
    ("condition_rct_benefit", {"condition": "crps"}, "unsupported"),
    ("condition_rct_benefit", {"condition": "diabetic_neuropathy"}, "unsupported"),
    ("condition_rct_benefit", {"condition": "rheumatoid_arthritis"}, "contradicted"),
    ("condition_rct_benefit", {"condition": "interstitial_cystitis"}, "unsupported"),
    ("outcome_benefit", {"outcome": "function", "condition": "multiple_sclerosis"}, "supported"),
    ("outcome_benefit", {"outcome": "mood", "condition": "fibromyalgia"}, "overstated"),
    ("outcome_benefit", {"outcome": "fatigue", "condition": "fibromyalgia"}, "unsupported"),
    ("outcome_benefit", {"outcome": "sleep", "condition": "fibromyalgia"}, "unsupported"),
    ("outcome_benefit", {"outcome": "quality_of_life"}, "unsupported"),
    ("conditions_helped", {"conditions": "multiple_sclerosis"}, "overstated"),
    ("conditions_helped", {"conditions": "fibromyalgia|multiple_sclerosis|crps"}, "overstated"),
    ("conditions_helped", {"conditions": "rheumatoid_arthritis"}, "contradicted"),
    ("conditions_helped", {"conditions": "interstitial_cystitis"}, "unsupported"),
    ("final_primary_significant", {}, "false"),
    ("study_primary_benefit", {"author": "Alpha", "year": 2013}, "supported"),
    ("study_primary_benefit", {"author": "Metyas"}, "overstated"),
    ("study_primary_benefit", {"nct": "NCT04270877"}, "false"),
    ("study_primary_benefit", {"study": "nobody_1999"}, "unsupported"),
    ("study_design", {"author": "Metyas", "designs": "open_label_single_arm"}, "supported"),
    ("study_design", {"author": "Metyas", "designs": "rct_parallel|rct_crossover"}, "false"),
    ("study_design", {"author": "Nobody", "designs": "rct_parallel"}, "unsupported"),
    ("study_duration", {"nct": "NCT04270877", "weeks": 12}, "supported"),
    ("study_duration", {"nct": "NCT04270877", "weeks": 24}, "false"),
    ("study_dose", {"nct": "NCT04270877", "dose": 6}, "supported"),
    ("study_dose", {"nct": "NCT04270877", "dose": 4.5}, "false"),
    ("dose_range", {"low": 0, "high": 10}, "supported"),
    ("dose_range", {"low": 0, "high": 4.5, "condition": "fibromyalgia"}, "overstated"),
    ("dose_range", {"low": 0, "high": 3}, "false"),
    ("duration_range", {"low": 4.35, "high": 12}, "supported"),
    ("duration_range", {"low": 4.35, "high": 52.2}, "overstated"),
    ("duration_range", {"low": 1, "high": 500}, "false"),
    ("review_n_studies", {"author": "Rupp", "n": 47}, "supported"),
    ("review_n_studies", {"author": "Rupp", "n": 50}, "false"),
    ("review_n_studies", {"author": "Nobody", "n": 3}, "unsupported"),
    ("n_studies", {"condition": "fibromyalgia", "n": 2, "year_max": 2016}, "supported"),
    ("n_studies", {"condition": "fibromyalgia", "n": 3, "year_max": 2016}, "false"),
    ("design_share", {"designs": "case_report|case_series", "max_share": 0.5}, "supported"),
    ("design_share", {"designs": "case_report|case_series", "min_share": 0.5}, "false"),
    ("small_studies", {"max_median_n": 100}, "supported"),
    ("small_studies", {"max_median_n": 50}, "false"),
    ("few_large_rcts", {"min_n": 100, "max_count": 1}, "supported"),
    ("few_large_rcts", {"min_n": 50, "max_count": 1}, "false"),
    ("design_variety", {"min_designs": 3}, "supported"),
    ("design_variety", {"min_designs": 20}, "false"),
    ("ongoing_registrations", {"condition": "fibromyalgia", "min_count": 2}, "supported"),
    ("ongoing_registrations", {"condition": "diabetic_neuropathy", "min_count": 2}, "overstated"),
    ("ongoing_registrations", {"condition": "interstitial_cystitis"}, "false"),
    ("ongoing_registrations", {"condition": "crps"}, "unsupported"),
    ("untestable", {"reason": "mechanism"}, "not_testable"),
    ("untestable", {"reason": "time_course"}, "unsupported"),
    ("practice_support", {"conditions": "fibromyalgia|crps"}, "overstated"),
    ("practice_support", {"conditions": "crps|interstitial_cystitis"}, "unsupported"),
    ("fact", {"topic": "indication", "claimed": "a", "recorded": "a|b"}, "supported"),
    ("fact", {"topic": "indication", "claimed": "c", "recorded": "a|b"}, "false"),
    (
        "distinct_trials",
        {
            "claimed": 3,
            "condition": "fibromyalgia",
            "design": "rct_parallel",
            "weeks": 12,
            "dose": 6,
        },
        "false",
    ),
    (
        "distinct_trials",
        {
            "claimed": 1,
            "condition": "fibromyalgia",
            "design": "rct_parallel",
            "weeks": 12,
            "dose": 6,
        },
        "supported",
    ),
    ("framing", {"reason": "award"}, "not_testable"),
    ("consort_item", {"item": "outcome_result"}, "false"),
    ("consort_item", {"item": "conclusions"}, "supported"),
]


@pytest.mark.parametrize(("proposition", "args", "verdict"), CASES)
def test_verdict_rules_on_fake_evidence(ev, proposition, args, verdict):
    result = C.evaluate_claim(ev, proposition, args)
    assert result.verdict == verdict, result
    assert result.deciding_numbers and result.explanation


def test_every_proposition_is_exercised():
    assert {c[0] for c in CASES} == set(C.PROPOSITIONS)


def _add_rows(ev, table, rows):
    extra = pd.DataFrame(rows)
    setattr(ev, table, pd.concat([getattr(ev, table), extra], ignore_index=True))


def test_large_exposure_turns_absent_kinds_into_contradiction(ev):
    _add_rows(
        ev,
        "adverse_events",
        [
            {
                "study_id": "big_2020",
                "event": "headache",
                "reported_term": "headache",
                "arm": "ldn",
                "events": "20",
                "n_at_risk": "400",
            },
        ],
    )
    assert C.ae_kinds_reported(ev, "priapism").verdict == "contradicted"


def test_frequent_serious_events_contradict_rarity(ev):
    _add_rows(
        ev,
        "adverse_events",
        [
            {
                "study_id": "bad_2020",
                "event": "serious_ae",
                "arm": "ldn",
                "events": "60",
                "n_at_risk": "200",
            },
        ],
    )
    assert C.serious_ae_rare(ev, high=5).verdict == "contradicted"


def test_excess_events_on_ldn_contradict_placebo_like_tolerability(ev):
    rows, studies = [], []
    for sid, e_ldn, e_pbo in (("x_2020", "80", "20"), ("y_2021", "30", "10")):
        studies.append({"study_id": sid, "condition": "gulf_war_illness"})
        rows.append(
            {"study_id": sid, "event": "any_ae", "arm": "ldn", "events": e_ldn, "n_at_risk": "100"}
        )
        rows.append(
            {
                "study_id": sid,
                "event": "any_ae",
                "arm": "placebo",
                "events": e_pbo,
                "n_at_risk": "100",
            }
        )
    _add_rows(ev, "studies", studies)
    _add_rows(ev, "adverse_events", rows)
    result = C.ae_similar_to_placebo(ev, condition="gulf_war_illness")
    assert result.verdict == "contradicted"
    assert result.deciding_sources == ("x_2020", "y_2021")


def test_new_trial_can_change_a_verdict(ev):
    """Verdicts are computed: MS function is supported by two concordant trials; a third,
    null trial with a precise interval around zero turns it into mixed evidence."""
    assert C.outcome_benefit(ev, "function", "multiple_sclerosis").verdict == "supported"
    _add_rows(
        ev,
        "studies",
        [
            {
                "study_id": "msc_2022",
                "first_author": "Msc",
                "year": 2022,
                "condition": "multiple_sclerosis",
                "design": "rct_parallel",
                "randomized": True,
                "blinding": "double_blind",
                "comparator": "placebo",
                "n_enrolled": 400,
                "primary_outcome": "function",
                "primary_result": "no_difference",
            },
        ],
    )
    _add_rows(
        ev,
        "outcomes",
        [
            {
                "study_id": "msc_2022",
                "outcome_id": "msc_2022_function",
                "outcome": "function",
                "better": "higher",
                "comparison": "ldn_vs_placebo",
                "timepoint_weeks": 12,
                "data_type": "arm_means",
                "n_ldn": 200,
                "mean_ldn": 50.0,
                "sd_ldn": 10.0,
                "n_ctrl": 200,
                "mean_ctrl": 50.0,
                "sd_ctrl": 10.0,
            },
        ],
    )
    after = C.outcome_benefit(ev, "function", "multiple_sclerosis")
    assert after.verdict != "supported"
    assert "msc_2022" in after.deciding_sources


def test_deciding_sources_name_studies(ev):
    result = C.final_primary_significant(ev)
    assert result.deciding_sources == ("bruun_2024",)
    assert "p = 0.27" in result.deciding_numbers


def test_missing_tables_give_unsupported():
    """Without data a checkable claim is unsupported (no evidence), never contradicted."""
    empty = SimpleNamespace()
    for prop, args, _ in CASES:
        if prop in ("untestable", "fact", "framing", "consort_item"):
            continue
        assert C.evaluate_claim(empty, prop, args).verdict == "unsupported", prop


def test_unknown_proposition_and_bad_args(ev):
    with pytest.raises(ChoiceError):
        C.evaluate_claim(ev, "vibes", {})
    with pytest.raises(ParameterError):
        C.evaluate_claim(ev, "ae_any_range", {"lo": 1})
    with pytest.raises(ChoiceError):
        C.untestable(ev, reason="because")


def test_parse_args():
    assert C.parse_args("low=0;high=33") == {"low": 0, "high": 33}
    assert C.parse_args("low=4.35;x=a|b;flag=true") == {"low": 4.35, "x": "a|b", "flag": True}
    assert C.parse_args("") == {}
    with pytest.raises(ParameterError):
        C.parse_args("oops")


def test_evaluation_rejects_unknown_verdict():
    with pytest.raises(ChoiceError):
        C.Evaluation("probably", "", (), "")


def test_evaluate_claims_on_real_claims_with_fake_evidence(ev, claims_df):
    result = C.evaluate_claims(ev, claims_df)
    assert list(result.columns) == list(C.RESULT_COLUMNS)
    assert len(result) == len(claims_df)
    assert set(result["verdict"]) <= set(C.VERDICTS)
    final = result[claims_df["proposition"] == "final_primary_significant"]
    assert set(final["verdict"]) == {"false"}
    assert (result["curator_note"] == claims_df["notes"].fillna("")).all()


# ------------------------------------------------------------------ statistics helpers


def test_wilson_matches_textbook_values():
    lo, hi = C.wilson_interval(0, 10)
    assert lo == pytest.approx(0.0, abs=1e-9)
    assert hi == pytest.approx(0.2775, abs=1e-4)
    z = 1.959963984540054
    x, n = 41, 49
    centre = (x + z * z / 2) / (n + z * z)
    half = z / (n + z * z) * (x * (n - x) / n + z * z / 4) ** 0.5
    assert C.wilson_interval(x, n) == pytest.approx((centre - half, centre + half), abs=1e-9)


def test_rule_of_three_and_wald():
    assert C.rule_of_three_bound(300) == pytest.approx(0.01)
    lo, _ = C.wald(1, 10)
    assert lo < 0  # the reason Wilson is preferred for small counts


def test_pool_of_identical_effects_has_no_heterogeneity():
    p = C.pool_effects([0.5, 0.5, 0.5], [0.04, 0.05, 0.06])
    assert p.estimate == pytest.approx(0.5)
    assert p.tau2 == pytest.approx(0.0, abs=1e-8)
    assert p.i2 == pytest.approx(0.0, abs=1e-6)
    assert p.k == 3


# ------------------------------------------------------------------ news criteria


def test_news_criteria_cover_every_source_and_criterion():
    df = C.load_news_criteria(DATA_DIR)
    assert list(df.columns) == list(C.NEWS_CRITERIA_COLUMNS)
    pairs = set(zip(df["source_file"], df["criterion"], strict=True))
    assert len(pairs) == len(df) == len(C.SOURCE_FILES) * len(C.NEWS_CRITERIA)
    assert all("healthnewsreview.org" in u for u in df["criteria_url"])
    assert not (df["met"] & ~df["applicable"]).any()


def test_score_sources_summarizes_each_source():
    scores = C.score_sources(data_dir=DATA_DIR)
    assert list(scores["source_file"]) == sorted(C.SOURCE_FILES)
    assert (scores["met"] <= scores["applicable"]).all()
    assert scores["score"].between(0, 1).all()
    assert scores["stars"].between(0, 5).all()


def test_score_sources_accepts_a_frame():
    df = pd.DataFrame(
        {
            "source_file": ["a", "a", "a", "b"],
            "criterion": ["costs", "novelty", "alternatives", "costs"],
            "met": ["true", "false", "false", "true"],
            "applicable": ["true", "true", "false", "true"],
        }
    )
    scores = C.score_sources(df).set_index("source_file")
    assert scores.loc["a", "applicable"] == 2
    assert scores.loc["a", "score"] == 0.5
    assert scores.loc["a", "not_met"] == "novelty"
    assert scores.loc["b", "stars"] == 5


# ------------------------------------------------------------------ command


@pytest.fixture()
def claims_dir(tmp_path):
    shutil.copy(DATA_DIR / C.CLAIMS_FILE, tmp_path / C.CLAIMS_FILE)
    return tmp_path


def test_claims_command_csv(claims_dir, ev, capsys):
    assert C.claims_command("csv", claims_dir, evidence=ev) == 0
    out = pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out))
    assert list(out.columns) == list(C.RESULT_COLUMNS)
    assert set(out["verdict"]) <= set(C.VERDICTS)


def test_claims_command_table(claims_dir, ev, capsys):
    assert C.claims_command("table", claims_dir, evidence=ev) == 0
    out = capsys.readouterr().out
    assert "c001" in out and "Verdicts per source" in out


def test_claims_command_rejects_unknown_format(claims_dir):
    with pytest.raises(ChoiceError):
        C.claims_command("xml", claims_dir)


# ------------------------------------------------------------------ data package schema

DESCRIPTOR = DATA_DIR / "datapackage.json"


def _resources() -> dict:
    return {r["name"]: r for r in json.loads(DESCRIPTOR.read_text())["resources"]}


def test_packaged_resources_match_the_module_vocabularies():
    """The claims schemas in data/datapackage.json (no fixture copy) match the module."""
    resources = _resources()
    fields = {f["name"]: f for f in resources["claims"]["schema"]["fields"]}
    assert [f["name"] for f in resources["claims"]["schema"]["fields"]] == list(C.CLAIMS_COLUMNS)
    assert fields["proposition"]["constraints"]["enum"] == sorted(C.PROPOSITIONS)
    assert fields["claim_type"]["constraints"]["enum"] == list(C.CLAIM_TYPES)
    news = [f["name"] for f in resources["news_criteria"]["schema"]["fields"]]
    assert news == list(C.NEWS_CRITERIA_COLUMNS)


def test_claims_files_validate_against_the_data_package():
    """Our two CSVs pass the bundle's validator with the real descriptor.

    Problems in the other tables (curation in progress) are not this test's business.
    """
    try:
        validate_package(DATA_DIR)
        problems = []
    except DataValidationError as err:
        problems = err.problems
    mine = [str(p) for p in problems if p.file in ("claims.csv", "news_criteria.csv")]
    assert mine == []


def test_claims_command_prefers_the_packaged_claims(tmp_path, ev, claims_df, capsys):
    ev.claims = claims_df.head(2)
    assert (
        C.claims_command("csv", tmp_path, evidence=ev) == 0
    )  # no claims.csv in tmp_path: not read
    out = pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out))
    assert list(out["claim_id"]) == ["c001", "c002"]


def test_source_origins_cover_every_source():
    assert set(C.SOURCE_ORIGINS) == set(C.SOURCE_FILES)
    assert all(u == "" or u.startswith("https://") for u in C.SOURCE_ORIGINS.values())
