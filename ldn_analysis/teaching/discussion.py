"""Discuss questions of each teaching notebook, with model answers for instructors.

:func:`discuss` shows a lesson's questions; in instructor mode each is followed by a model
answer (the points a good answer makes). The answers are reasoning, not results: any
number a lesson needs is computed in the notebook.
"""

from __future__ import annotations

import pandas as pd

from ldn_analysis.errors import ChoiceError
from ldn_analysis.teaching.exercise_defs import verdict_meaning, verdict_words
from ldn_analysis.text.display import show_text
from ldn_analysis.vocab import MODES

MODEL_ANSWER = "Model answer"

DISCUSS: dict[str, list[tuple[str, str]]] = {
    "teach_evidence_hierarchy": [
        (
            "Why might case reports of LDN almost always report benefit?",
            "Selection and publication: clinicians write up patients who did well; a "
            "non-responder is not news. Case reports have no comparison, so improvement from "
            "natural course, regression to the mean or other treatments looks like a drug effect.",
        ),
        (
            "An open-label study reports that most participants improved. List three "
            "explanations other than the drug.",
            "Placebo response (expectation, attention); regression to the mean (people enrol "
            "when symptoms are worst); natural fluctuation or recovery; co-interventions; "
            "biased outcome assessment by unblinded participants and staff; drop-out of people "
            "who did not improve.",
        ),
        (
            "When randomized trials of the same condition disagree, what would you need to "
            "know to decide which to trust?",
            "Size and precision (the CI, not the p value); risk of bias: randomization and "
            "concealment, blinding, missing data, selective reporting (was the result the "
            "pre-registered primary outcome?); population, dose and duration; whether the "
            "difference between the trials is itself larger than chance.",
        ),
    ],
    "teach_proportions": [
        (
            "A news story says a drug 'caused no serious side effects' in a trial. What would "
            "you ask before repeating it?",
            "How many people, for how long, and were events collected systematically? With "
            "zero events in n people the one-sided 95% upper bound is about 3/n, so a small "
            "trial cannot rule out a rate of several percent. And compared with what: how "
            "many serious events on placebo?",
        ),
        (
            "Why does the Wald interval fail most badly when the true proportion is near 0% "
            "or 100%?",
            "Its standard error sqrt(p(1-p)/n) shrinks to zero at the edges, so it is too "
            "narrow and symmetric where the sampling distribution is skewed; it can cross 0% "
            "or 100%. Wilson inverts the score test and stays inside 0-100%.",
        ),
        (
            "Adverse events are also frequent on placebo in the larger trials. Why do we need "
            "a comparison group to say a side effect is caused by LDN?",
            "Headache, nausea and poor sleep are common anyway and are reported more when "
            "people expect side effects (nocebo). Only the difference between LDN and "
            "placebo arms, not the rate on LDN, estimates what the drug causes.",
        ),
    ],
    "teach_heterogeneity": [
        (
            "If the trials in a forest plot point in opposite directions, is a pooled "
            "estimate near zero evidence that LDN does nothing?",
            "No. It may average a benefit in some settings and harm or nothing in others; "
            "heterogeneity must be explained (population, dose, outcome, risk of bias) before "
            "a pooled number is read. A wide CI around zero is absence of evidence, not "
            "evidence of no effect.",
        ),
        (
            "Why is a prediction interval more useful to a patient than the confidence "
            "interval of the pooled estimate?",
            "The CI describes the average effect across settings; the prediction interval "
            "describes the effect to expect in a new setting, including between-study "
            "variation. It needs at least three studies (t with k - 2 df).",
        ),
        (
            "A review reports 'no evidence of publication bias (Egger p > 0.1)' from five "
            "studies. What would you reply?",
            "With so few studies the test has almost no power, so a large p value says "
            "nothing; Cochrane advises asymmetry tests only with ten or more. Look instead "
            "for registered but unpublished trials and for outcomes missing from reports.",
        ),
    ],
    "teach_designs": [
        (
            "A crossover trial reports n_ldn and n_control. Why must a meta-analysis not "
            "treat them as two independent groups?",
            "They are the same people. Treating them as independent double-counts "
            "participants and ignores the within-person correlation, which gets the "
            "standard error wrong (usually too large for a paired analysis, or the weights "
            "wrong when mixed with parallel trials).",
        ),
        (
            "Which conditions suit a crossover design, and which do not?",
            "Stable, chronic conditions with a quick-acting, quickly reversible treatment "
            "(chronic pain, itch). Not conditions that progress, remit or are cured, nor "
            "treatments with long carry-over; LDN's vivid dreams may also unblind periods.",
        ),
        (
            "An open-label study reports a large improvement in pain. Using the placebo arms, "
            "how much of it might you expect without any drug?",
            "Often most of it: in the randomized trials the placebo arm improves by a "
            "substantial share of the LDN arm's improvement. The uncontrolled change is an "
            "upper bound on the drug effect, not an estimate of it.",
        ),
    ],
    "teach_bias_traps": [
        (
            "A clinic reports that patients who started LDN at their worst flare improved "
            "within a month. What would you want before believing LDN caused it?",
            "A concurrent control enrolled the same way (ideally randomized and blinded), "
            "because flares settle on their own: regression to the mean and natural course "
            "produce improvement with no treatment. Also several baseline measurements, not "
            "one, and the share who got worse.",
        ),
        (
            "A trial's abstract highlights one of many secondary outcomes with p < 0.05 while "
            "the primary outcome was null. How should a reader weigh it?",
            "As hypothesis-generating at most. With many outcomes a false positive is "
            "likely; check the registration for the pre-specified primary outcome and "
            "whether the others were corrected for multiplicity. Reporting the secondary as "
            "the finding is spin.",
        ),
        (
            "How could a registration record protect readers from both traps?",
            "It fixes the primary outcome, the time point and the analysis before the data "
            "exist, so switching outcomes or picking the best of many is visible; and a "
            "completed registration without results is a sign of reporting bias.",
        ),
    ],
    "teach_risk_of_bias": [
        (
            "Two placebo-controlled trials of LDN in fibromyalgia disagree, and one has some "
            "concerns about its risk of bias while the other is at low risk. Should a reader "
            "simply believe the low-risk trial?",
            "Give it more weight, but not for its risk of bias alone: also size and precision, "
            "the population, dose and duration, and the outcome measured. Some concerns are "
            "not proof of bias: they say the report does not let us rule it out (for example a "
            "randomization method that is never described). A review shows the "
            "judgement beside each result and checks whether the pooled estimate changes "
            "without the trials at higher risk.",
        ),
        (
            "One text counts the same trial three times, repeats sentences word for word and "
            "calls a review of earlier studies a 'new study'. Why does this matter if each "
            "sentence is roughly accurate?",
            "Because readers weigh evidence by how much of it there seems to be. Repetition "
            "and copied abstracts make one trial look like several consistent ones; 'new "
            "study' suggests new patients where there were none; an award suggests quality it "
            "does not measure. Count independent studies and participants, trace each "
            "statement to its source, and be wary of identical wording across outlets (press "
            "releases copied without checking).",
        ),
        (
            "A trial reports that LDN raised the CD4 count in people with HIV. What would you "
            "need before telling patients that LDN helps them?",
            "Evidence on outcomes patients care about (illness, hospital stay, death, quality "
            "of life), or proof that changing this marker by this treatment changes those "
            "outcomes; a surrogate can move while patients fare no better. Check also that the "
            "marker and time point reported are the registered primary outcome: a favourable "
            "marker picked from several, at the one time point where it was significant, is "
            "selective reporting on top of a surrogate.",
        ),
    ],
    "teach_summary_of_findings": [
        (
            "A large trial finds a difference in mean pain between drug and placebo that is "
            "statistically clear but smaller than the minimal important difference. Is the "
            "drug useless?",
            "Not necessarily. The MID describes a change one patient notices; a difference "
            "between group means averages patients who improve a lot with patients who do "
            "not improve at all, so a mean difference below the MID can still hide some "
            "patients who gain more than the MID (the IMMPACT group distinguishes judging "
            "individual improvements from judging group differences). Look at the responder "
            "analysis (how many more reach a 30% or 50% reduction, with its NNT and "
            "interval), the harms, the cost and the other treatments. Conversely, a mean "
            "difference above the MID does not mean every patient benefits.",
        ),
        (
            "A headline turns the responder result above into 'for every few women with "
            "fibromyalgia who take LDN, one more has her pain cut by a third'. What would you "
            "need to know before repeating it?",
            "Compared with what: how many responded on placebo (the NNT comes from the "
            "difference, not the LDN arm alone); over what time; the interval of the NNT "
            "(when the difference could be zero it runs from benefit through infinity to "
            "harm); whether the responder outcome was the trial's primary outcome "
            "or one of many secondary ones, and whether the trial was powered for it; the "
            "counts behind the percentages; and how certain the overall body of evidence is "
            "(the certainty column of the summary-of-findings row).",
        ),
    ],
}


def _check(lesson: str, mode: str) -> None:
    if lesson not in DISCUSS:
        raise ChoiceError("lesson", lesson, sorted(DISCUSS))
    if mode not in MODES:
        raise ChoiceError("mode", mode, MODES)


def discuss_text(lesson: str, mode: str = "student") -> str:
    """Return a lesson's Discuss questions; in instructor mode each with its model answer."""
    _check(lesson, mode)
    parts = []
    for i, (q, a) in enumerate(DISCUSS[lesson], start=1):
        parts.append(f"{i}. {q}")
        if mode == "instructor":
            parts.append(f"{MODEL_ANSWER}: {a}")
    return "\n\n".join(parts)


def discuss(lesson: str, mode: str = "student") -> None:
    """Show a lesson's Discuss questions (and model answers in instructor mode)."""
    show_text(discuss_text(lesson, mode), heading="Discuss")


def verdict_table() -> pd.DataFrame:
    """Return the verdict words of the claims rules with their plain meanings."""
    return pd.DataFrame(
        {"verdict": list(verdict_words()), "meaning": [verdict_meaning(w) for w in verdict_words()]}
    )
