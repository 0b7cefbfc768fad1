"""What a reader sees: one wording of a pooled effect everywhere, the summary-of-findings box,
citations, study cards for thin evidence, grammatical counts and readable labels.

Expected texts are never typed: each is produced by :func:`ldn_analysis.text.format.effect_text`
(or the vocabulary) from the same analysis object the page reads.
"""

from __future__ import annotations

import html
import inspect
import re

import pandas as pd
import pytest

import ldn_analysis as ldn
from ldn_analysis import figures, paths, vocab
from ldn_analysis.claims.efficacy import condition_rct_benefit
from ldn_analysis.text import format as F
from ldn_analysis.text.sof import summary_of_findings
from ldn_analysis.text.studies import citation_html, comparator_text, study_card_text

BAD_COUNTS = re.compile(r"\b1 (studies|participants|trials|reports)\b|\(s\)|stud\(ies\)")
SAME_RANGE = re.compile(r"\brange (\d+(?:\.\d+)?) to \1\b")


@pytest.fixture(scope="module")
def evidence():
    return ldn.load_evidence()


@pytest.fixture(scope="module")
def fibro(evidence):
    selection = ldn.select(evidence, "fibromyalgia")
    return selection, ldn.efficacy(selection, "pain")


# --------------------------------------------------------------------------- one number


def test_one_default_interval_method():
    """Efficacy pages, claims and the parameter registry share Knapp-Hartung."""
    default = inspect.signature(ldn.efficacy).parameters["test"].default
    assert default == "knha"
    notebook = (paths.NOTEBOOKS_DIR / "efficacy.py").read_text()
    assert 'test = "knha"' in notebook


def test_fibromyalgia_pain_effect_reads_the_same_on_efficacy_condition_and_claims(evidence, fibro):
    selection, eff = fibro
    expected = F.effect_text(eff.result, eff.measure)
    assert "Knapp-Hartung" in expected and "95% CI" in expected
    # efficacy and condition pages: the summary-of-findings box and the summary sentence
    assert expected in summary_of_findings(eff, selection).text()
    assert expected in ldn.summaries.efficacy_summary(eff)
    # the forest plot names the measure in full on its axis; the effect text is the same
    forest = figures.forest(eff)
    assert expected.removeprefix(f"{eff.measure} ") in forest.alt
    # claims page and `claims` CLI: the same analysis object, the same words
    assert expected in condition_rct_benefit(evidence, "fibromyalgia").deciding_numbers


def test_fibromyalgia_pain_effect_reads_the_same_on_the_teaching_page(fibro):
    _, eff = fibro
    notebook = (paths.NOTEBOOKS_DIR / "teach_heterogeneity.py").read_text()
    assert '"REML", "z")' not in notebook
    assert F.effect_text(eff.result, eff.measure) in ldn.teaching.forest_reading_text(eff)


def test_every_pooled_interval_names_its_method(fibro):
    _, eff = fibro
    for test in ("z", "knha"):
        r = ldn.pool(eff.effects["yi"], eff.effects["vi"], method="REML", test=test)
        assert F.effect_text(r).endswith(f"; REML, {vocab.test_label(test)})")


# --------------------------------------------------------------------------- the box


def test_summary_of_findings_box(fibro):
    selection, eff = fibro
    box = summary_of_findings(eff, selection)
    rows = dict(box.rows)
    assert list(rows) == [
        "Outcome",
        "Studies",
        "Participants",
        "Effect (95% CI)",
        "Certainty",
        "In plain language",
    ]
    assert rows["Studies"].startswith(f"{eff.k} of ")
    for sid in eff.skipped["study_id"]:  # why each unusable study could not be used
        row = selection.studies[selection.studies["study_id"] == sid].iloc[0]
        assert F.citation(row) in rows["Studies"]
    c = ldn.certainty.certainty(eff, selection)
    assert rows["Certainty"].lower().startswith(c.rating)
    assert rows["Participants"] == f"{eff.participants} participants analysed"
    html = box.html()
    assert "<script" not in html and "ldn-sof" in html


def test_diabetic_neuropathy_names_amitriptyline(evidence):
    selection = ldn.select(evidence, "diabetic_neuropathy")
    eff = ldn.efficacy(selection, "pain")
    row = selection.studies.iloc[0]
    assert comparator_text(row) == "amitriptyline"
    assert "amitriptyline" in study_card_text(row)
    assert "amitriptyline" in summary_of_findings(eff, selection).text()


# --------------------------------------------------------------------------- thin evidence


def test_thin_evidence_gets_cards_not_one_point_charts(evidence):
    selection = ldn.select(evidence, "diabetic_neuropathy")
    assert selection.k <= 2
    for chart in (
        figures.ladder_chart(selection),
        figures.timeline_chart(selection),
        figures.duration_chart(selection),
        figures.dose_chart(selection),
    ):
        assert chart.empty and chart.alt == ""  # the study card says it once
    card = study_card_text(selection.studies.iloc[0])
    for label in ("Design", "Compared with", "Blinding", "Participants", "Dose", "Duration"):
        assert f"{label}: " in card


def test_counts_and_ranges_read_as_english(evidence):
    texts = []
    for condition in sorted(evidence.studies["condition"].dropna().unique()):
        selection = ldn.select(evidence, condition)
        eff = ldn.efficacy(selection, "pain")
        texts += [
            ldn.summaries.evidence_summary(selection),
            ldn.summaries.efficacy_summary(eff),
            ldn.summaries.safety_summary(selection),
            ldn.summaries.small_k_text(eff),
            summary_of_findings(eff, selection).text(),
        ]
        for chart in (
            figures.duration_chart(selection),
            figures.dose_chart(selection),
            figures.ae_chart(selection),
            figures.risk_ratio_chart(selection),
            figures.forest(eff),
            figures.funnel(eff),
            figures.leave_one_out_chart(eff),
            figures.cumulative_chart(eff),
        ):
            texts += [chart.alt, *chart.notes]
    for text in texts:
        assert not BAD_COUNTS.search(text), text
        assert not SAME_RANGE.search(text), text
    assert F.plural(1, "study") == "1 study" and F.plural(3, "study") == "3 studies"
    assert F.range_text(6, 6, "weeks") == "6 weeks" and F.range_text(6, 12) == "6 to 12"


# --------------------------------------------------------------------------- citations


def test_citation_and_links():
    row = pd.Series(
        {
            "study_id": "younger_2013",
            "first_author": "Younger",
            "year": 2013,
            "journal": "Arthritis Rheum",
            "doi": "10.1002/art.37734",
            "pmid": 23359310,
            "source_url": "https://example.org/page",
        }
    )
    assert F.citation(row) == "Younger 2013, Arthritis Rheum"
    html = citation_html(row)
    assert html.index("https://doi.org/10.1002/art.37734") < html.index("https://example.org/page")
    assert "extracted from" in html
    no_doi = row.drop("doi")
    assert "https://pubmed.ncbi.nlm.nih.gov/23359310/" in citation_html(no_doi)
    own = pd.concat([row, pd.Series({"primary_url": "https://journal.example/x"})])
    assert F.primary_url(own) == "https://journal.example/x"
    # no author recorded: the journal, never the internal id
    anon = row.drop("first_author")
    assert "younger_2013" not in F.citation(anon) and "Arthritis Rheum 2013" in F.citation(anon)


def test_study_table_links_every_doi_and_sorts_strongest_first(evidence):
    selection = ldn.select(evidence, "fibromyalgia")
    table = ldn.tables.study_list(selection).frame
    ranks = [vocab.DESIGN_ORDER.index(d) for d in selection.studies["design"]]
    shown = [
        min(i for i, d in enumerate(vocab.DESIGN_ORDER) if vocab.design_label(d) == label)
        for label in table["Design"]
    ]
    assert shown == sorted(shown) and len(shown) == len(ranks)
    for _, row in selection.studies.iterrows():
        link = F.primary_url(row)
        if link:
            href = html.escape(link)  # an href attribute carries & as &amp;
            assert any(href in cell for cell in table["Study"]), link
    assert not any(c.islower() for c in (h[0] for h in table.columns))


# --------------------------------------------------------------------------- labels


def test_vocabulary_labels():
    assert vocab.condition_label("me_cfs") == "ME/CFS"
    assert vocab.condition_label("ibd_mixed").startswith("IBD")
    assert vocab.condition_label("crps").startswith("CRPS")
    assert vocab.status_label("recruiting") == "Recruiting"
    assert "_" not in vocab.status_label("authorised_recruitment_may_be_ongoing_or_finished")
    assert (vocab.yes_no("true"), vocab.yes_no(False), vocab.yes_no(None)) == ("Yes", "No", "")
    assert vocab.test_label("knha") == "Knapp-Hartung"
    assert {"SMD", "τ²", "I²", "REML", "Knapp-Hartung"} <= set(vocab.GLOSSARY)


def test_registration_table_is_readable(evidence):
    table = ldn.tables.registration_list(ldn.select(evidence)).frame
    assert "registry_id" not in table.columns and "Status" in table.columns
    assert not table["Status"].str.contains("_").any()
    assert set(table["Results posted"]) <= {"Yes", "No", ""}
