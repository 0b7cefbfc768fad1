"""Claims helpers computed once per evidence object: copies out, new tables give new results."""

import dataclasses

import pandas as pd

from ldn_analysis.claims._base import _studies, study_label
from ldn_analysis.claims.evaluate import _evaluate_claims, evaluate_claims
from ldn_analysis.claims.load import load_claims
from ldn_analysis.claims.reviews import review_harms


def test_returned_frames_are_copies(real_evidence):
    first = review_harms(real_evidence)
    first.loc[:, "text"] = "changed"
    assert (review_harms(real_evidence)["text"] != "changed").all()
    studies = _studies(real_evidence, "any")
    studies.loc[:, "study_id"] = "changed"
    assert (_studies(real_evidence, "any")["study_id"] != "changed").all()


def test_a_replaced_table_is_read_again(real_evidence):
    sid = str(real_evidence.studies["study_id"].iloc[0])
    before = study_label(real_evidence, sid)
    studies = real_evidence.studies.copy()
    studies.loc[studies["study_id"] == sid, "first_author"] = "Zzz"
    other = dataclasses.replace(real_evidence, studies=studies)
    assert study_label(other, sid).startswith("Zzz ")
    assert study_label(real_evidence, sid) == before
    assert study_label(real_evidence, "no_such_study") == "no_such_study"


def test_evaluate_claims_is_computed_once_and_copied(real_evidence):
    claims = load_claims()
    first = evaluate_claims(real_evidence, claims)
    first.loc[:, "verdict"] = "changed"
    again = evaluate_claims(real_evidence, claims)
    pd.testing.assert_frame_equal(again, _evaluate_claims(real_evidence, claims))
    other = claims.head(3)  # other claims content: computed for it
    assert list(evaluate_claims(real_evidence, other)["claim_id"]) == list(other["claim_id"])
