# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     notebook_metadata_filter: ldn
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
#   ldn:
#     answers: 'Each public claim about LDN tested against the data: supported, overstated,
#       unsupported, contradicted, false or not testable ({mode} version).'
#     expand:
#     - mode
#     group: claims
#     order: 1
#     title: Claims versus evidence ({mode} version)
# ---

# %% [markdown]
# # Claims versus evidence
#
# Public texts about low-dose naltrexone (news stories and summaries) make checkable claims. Each claim is paraphrased in `data/claims.csv` and tied to a rule that tests it against the evidence base; the verdict (one of six, defined below) is recomputed from the data every time, with the numbers that decided it and one plain sentence saying why. This is the same table as `python -m ldn_analysis claims`. We walk two headlines from the claim to the evidence, then list every claim by source text with each text's score on the health-news review criteria.
#
# **How to use this notebook.** Each exercise has three cells: the question, a cell
# where you write your answer (`my_answer = None`: replace `None`), and a cell that checks it
# against the answer computed from the evidence base and gives a hint. Run them in order;
# nothing is sent anywhere. With `mode = "instructor"` the worked solution and the verdict are
# shown under each check; with `mode = "student"` the evidence follows the exercise and the
# verdicts are listed only at the end of the page.

# %% [markdown]
# *Parameters: change them in the next cell (JupyterLab) or with `-p NAME VALUE` on the command line; the line under it shows the values this page used.*

# %% tags=["parameters"]
mode = "student"

# %%
import ldn_analysis as ldn

p = ldn.use_parameters(mode=mode)

evidence = ldn.load_evidence()
claims = ldn.load_claims()
table = ldn.teaching.claims_table(evidence)
scores = ldn.score_sources()
headline = ldn.teaching.headline_claims(claims)

# %% [markdown]
# ## Six verdicts
#
# A claim is graded by the evidence, not by a single trial: efficacy claims are read from the placebo-controlled trials pooled exactly as on the efficacy pages (with their certainty profile and, when recorded, the risk-of-bias table); side-effect claims compare LDN arms with placebo arms and with reviews, because adverse events of any cause are not the same as side effects caused by the drug.

# %%
ldn.show_table(ldn.teaching.verdict_table(), caption="The six verdicts", link_column="")

# %% [markdown]
# ## Headline one: the FINAL trial
#
# **Step 1, the claim.** Read what the text says.

# %%
ldn.show_text(ldn.teaching.claim_card_text(claims, headline["final"]), heading="The claim")

# %% [markdown]
# **Step 2, what would have to be true.** 'Significantly more than placebo' means that in a randomized placebo-controlled trial, the primary outcome's difference between LDN and placebo has a 95% confidence interval that excludes no difference (p below 0.05). **Step 3, predict** the verdict before looking at the data.

# %%
ldn.teaching.ask("claim_verdict", evidence, claim_id=headline["final"])

# %% tags=["answer"]
my_answer = None

# %%
ldn.teaching.feedback("claim_verdict", my_answer, evidence, p.mode, claim_id=headline["final"])

# %% [markdown]
# **Step 4, the evidence.** The trial's primary result, oriented so that right means more improvement on LDN. The shaded area is where the whole interval would have to lie for the claim to hold.

# %%
ldn.teaching.final_trial_chart(evidence, claims, headline["final"]).show()
ldn.show_text(ldn.claims.evidence_text(table, headline["final"], p.mode))

# %%
if ldn.teaching.unlocked("claim_verdict", my_answer, evidence, p.mode, claim_id=headline["final"]):
    ldn.show_text(ldn.claims.verdict_text(table, headline["final"]), heading="The verdict")

# %% [markdown]
# **Step 5, the verdict.** Compare the interval with the shaded area. A trial that finds no significant difference does not prove that LDN has no effect, but it cannot support a claim of significant relief; and a significant secondary outcome does not make a claim about the primary outcome true.

# %% [markdown]
# ## Headline two: side effects in a range
#
# A claimed range for how many people get side effects needs side effects caused by the drug. Most trials count adverse events of any cause, and people on placebo report them too: the share that LDN adds is the difference between the LDN arm and the placebo arm of the same trial. An uncontrolled arm's rate is only an upper bound for side effects.

# %%
ldn.show_text(
    ldn.teaching.claim_card_text(claims, headline["side_effect_range"]), heading="The claim"
)

# %%
ldn.teaching.ask("claim_verdict", evidence, claim_id=headline["side_effect_range"])

# %% tags=["answer"]
my_answer = None

# %%
ldn.teaching.feedback(
    "claim_verdict", my_answer, evidence, p.mode, claim_id=headline["side_effect_range"]
)

# %%
ldn.teaching.side_effect_range_chart(evidence, claims, headline["side_effect_range"]).show()
ldn.show_text(ldn.claims.evidence_text(table, headline["side_effect_range"], p.mode))

# %%
if ldn.teaching.unlocked(
    "claim_verdict", my_answer, evidence, p.mode, claim_id=headline["side_effect_range"]
):
    ldn.show_text(
        ldn.claims.verdict_text(table, headline["side_effect_range"]), heading="The verdict"
    )

# %% [markdown]
# Compare each placebo arm (hollow) with the LDN arm of the same trial: where they are about equal, the drug itself added few of those events, however high both rates are. The right-hand panel draws that difference, LDN minus placebo, the share of patients with adverse events that LDN added: it is the rate the verdict grades against the claimed range. Grey arms have no placebo arm beside them, so their all-cause rate cannot separate side effects from everything else that happens to patients.

# %% [markdown]
# ## How well does each text report? Health-news criteria
#
# Each source text was scored on the HealthNewsReview.org criteria: does it discuss costs, quantify benefits and harms, judge the quality of the evidence, avoid disease-mongering, use independent sources and disclose conflicts, compare alternatives, say whether the treatment is available and new, and go beyond a news release? Stars are the share of applicable criteria met, on a five-star scale.

# %%
ldn.show_table(
    ldn.teaching.scores_table(scores),
    caption="Health-news criteria met by each source text",
)

# %% [markdown]
# ## How complete is the abstract page? CONSORT for Abstracts
#
# One of the five texts is an abstract page. The CONSORT for Abstracts checklist (Hopewell and colleagues, PLoS Medicine) lists what an abstract of a trial should report; each item below is judged from the page, with where the text falls short. The score is the share of applicable items reported.

# %%
ldn.show_text(ldn.claims.consort_summary())
ldn.show_table(
    ldn.claims.consort_table(),
    caption="CONSORT for Abstracts, item by item (text 003)",
    link_column="checklist_url",
)

# %% [markdown]
# ## Every claim, by source text
#
# In the instructor version: the verdicts per text, then every claim with the reason for its verdict and the curator's note on how the claim was read. In the student version: every claim, to grade yourself.

# %%
ldn.claims.verdicts_by_source(table, scores, p.mode)

# %%
ldn.claims.discuss(p.mode)

# %% [markdown]
# ## Studies cited on this page
#
# Each study the verdicts rest on, linked to its DOI or PubMed record, with the page its numbers were read from.

# %%
ldn.studies.show_references(ldn.select(evidence), ldn.claims.cited_study_ids(table))
