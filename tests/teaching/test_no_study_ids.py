"""Reader-facing text names studies by citation ("Younger J 2013"), never by internal id.

Fast and without a browser: the claims texts (the CSV's human-readable columns, the page's
evidence and verdict texts) and every teaching exercise's question, feedback and worked
solution, plus the lesson tables and texts, rendered for the real evidence base. The
built pages are checked the same way in tests/report/test_browser_reports.py.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

import ldn_analysis as ldn
from ldn_analysis import claims as C
from ldn_analysis import teaching as T
from ldn_analysis.teaching import exercises as X
from ldn_analysis.text.format import name_ids_in_text, name_studies, study_names


def _id_pattern(evidence) -> re.Pattern:
    ids = sorted(set(evidence.studies["study_id"].astype(str)), key=len, reverse=True)
    return re.compile(r"(?<![\w])(" + "|".join(map(re.escape, ids)) + r")(?![\w])")


@pytest.fixture(scope="module")
def ids(real_evidence):
    return _id_pattern(real_evidence)


@pytest.fixture(scope="module")
def claims():
    return ldn.load_claims()


def _found(rx: re.Pattern, texts: dict[str, str]) -> list[str]:
    return [f"{where}: {m.group(0)!r}" for where, t in texts.items() for m in rx.finditer(str(t))]


def test_study_names_are_short_citations_with_namesakes_apart(real_evidence):
    names = study_names(real_evidence.studies)
    assert set(names) == set(real_evidence.studies["study_id"].astype(str))
    assert len(set(names.values())) == len(names)  # two studies never read the same
    sid = "younger_2013" if "younger_2013" in names else next(iter(names))
    assert names[sid] != sid and not re.search(r"_\d{4}|_nd\b", names[sid])
    assert name_studies(f"{sid}; unknown_id", names) == f"{names[sid]}, unknown_id"
    assert name_ids_in_text(f"FINAL ({sid}) counted", names) == f"FINAL ({names[sid]}) counted"
    assert name_ids_in_text(f"{sid}_extra", names) == f"{sid}_extra"  # whole words only


def test_claims_text_columns_name_studies_by_citation(real_evidence, claims, ids):
    table = C.evaluate_claims(real_evidence, claims)
    texts = {
        f"{r.claim_id} {col}": getattr(r, col)
        for r in table.itertuples()
        for col in ("deciding_numbers", "explanation")
    }
    assert not _found(ids, texts)
    # the machine-readable ids stay in their own column
    cited = {s for cell in table["deciding_sources"].dropna() for s in cell.split("; ")}
    assert cited & set(real_evidence.studies["study_id"])


def test_claims_page_texts_name_studies_by_citation(real_evidence, ids):
    table = T.claims_table(real_evidence)
    texts = {}
    for cid in table["claim_id"]:
        texts[f"{cid} evidence"] = C.evidence_text(table, cid, "instructor")
        texts[f"{cid} student"] = C.evidence_text(table, cid, "student")
        texts[f"{cid} claim evidence"] = T.claim_evidence_text(table, cid)
    texts.update(
        {f"{c} from": s for c, s in zip(table["claim_id"], table["deciding_studies"], strict=True)}
    )
    assert not _found(ids, texts)


def _exercise_params(evidence, claims) -> list[tuple[str, dict]]:
    """Every exercise with default parameters, and the claim exercise for every claim."""
    out = [(eid, {}) for eid in sorted(X.EXERCISES) if eid != "claim_verdict"]
    out += [("claim_verdict", {"claim_id": cid}) for cid in claims["claim_id"]]
    return out


def test_exercise_texts_name_studies_by_citation(real_evidence, claims, ids):
    texts = {}
    for eid, params in _exercise_params(real_evidence, claims):
        key = f"{eid} {params}" if params else eid
        texts[f"{key} question"] = X.question(eid, real_evidence, **params)
        texts[f"{key} solution"] = T.solution_text(eid, real_evidence, **params)
        wrong = "maybe" if X.EXERCISES[eid].kind in ("choice", "boolean") else -1
        texts[f"{key} feedback"] = T.feedback_text(eid, wrong, real_evidence, "student", **params)
    assert not _found(ids, texts)


def _cells(df: pd.DataFrame) -> str:
    shown = df.drop(columns=[c for c in df.columns if "url" in c], errors="ignore")
    return " | ".join(str(v) for v in shown.to_numpy().ravel())


def test_lesson_tables_and_texts_name_studies_by_citation(real_evidence, ids):
    ev = real_evidence
    analysis = ldn.efficacy(
        ldn.select(ev, T.exercise_values("pooled_direction", ev)["condition"]), "pain"
    )
    texts = {
        "rob_domain_table": _cells(T.rob_domain_table(ev)),
        "rob_overall_text": T.rob_overall_text(ev),
        "surrogate_text": T.surrogate_text(ev),
        "zero_event_table": _cells(T.zero_event_table(ev)),
        "interval_table": _cells(T.interval_table(ev)),
        "nocebo_table": _cells(T.nocebo_table(ev)),
        "randomized_trials_table": _cells(T.randomized_trials_table(ev)),
        "placebo_response_table": _cells(T.placebo_response_table(ev)),
        "registration_table": _cells(T.registration_table(ev)),
        "spin_table": _cells(T.spin_table(ev)),
        "forest_reading_text": T.forest_reading_text(analysis),
        "hierarchy_text": T.hierarchy_text(ev),
        "design_contrast_chart labels": " ".join(
            str(y) for t in T.design_contrast_chart(ev).figure.data for y in t.y
        ),
        "placebo_response_chart labels": " ".join(
            str(y)
            for t in T.placebo_response_chart(T.placebo_response_table(ev)).figure.data
            for y in t.y
        ),
    }
    assert not _found(ids, texts)


@pytest.mark.parametrize(
    "lesson", ["teach_bias_traps", "teach_designs", "teach_proportions", "teach_risk_of_bias"]
)
def test_each_lesson_lists_the_studies_it_names(real_evidence, lesson):
    got = T.lesson_study_ids(real_evidence, lesson)
    assert got and len(got) == len(set(got))
    assert set(got) <= set(real_evidence.studies["study_id"])


def test_reference_list_keeps_the_namesake_suffix_of_the_text(real_evidence):
    """Two studies that read the same ("Toledano AC 2021") are told apart in the list too."""
    from ldn_analysis.text.studies import references_html

    names = study_names(real_evidence.studies)
    twins = [s for s, n in names.items() if n[-1:] in "ab" and n[-2:-1].isdigit()]
    if not twins:
        pytest.skip("no namesake studies in the data")
    _, plain = references_html(ldn.select(real_evidence), twins[:1])
    assert plain.startswith(names[twins[0]] + ", ") or plain.startswith(names[twins[0]] + " (")


def test_claims_command_table_names_no_study_id(real_evidence, ids, capsys):
    from ldn_analysis.claims.cli import claims_command

    assert claims_command("table", evidence=real_evidence) == 0
    out = capsys.readouterr().out
    assert "    from:  " in out
    assert not _found(ids, {"claims table": out})
