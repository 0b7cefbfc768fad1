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
# Public texts about low-dose naltrexone (news stories and summaries) make checkable claims. Each claim is paraphrased in `data/claims.csv` and tied to a rule that tests it against the evidence base; the verdict (supported, overstated, contradicted or not testable) is recomputed from the data every time, with the numbers that decided it. This is the same table as `python -m ldn_analysis claims`. We walk two headlines from the claim to the evidence, then list every claim by source text with each text's score on the health-news review criteria.
#
# **How to use this notebook.** Each exercise has three cells: the question, a cell
# where you write your answer (`my_answer = None`: replace `None`), and a cell that checks it
# against the answer computed from the evidence base and gives a hint. Run them in order;
# nothing is sent anywhere. With `mode = "instructor"` the worked solution is shown under
# each check; with `mode = "student"` it is not.

# %% [markdown]
# ## Parameters
#
# Change them in the next cell (JupyterLab) or on the command line
# (`python -m ldn_analysis report --notebook NAME -p NAME VALUE`). The cell after it checks
# them against the same registry as the command line and lists the values this page used.

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
ldn.show_text(ldn.teaching.claim_evidence_text(table, headline["final"]))

# %% [markdown]
# **Step 5, the verdict.** Compare the interval with the shaded area. A trial that finds no significant difference does not prove that LDN has no effect, but it cannot support a claim of significant relief; and a significant secondary outcome does not make a claim about the primary outcome true.

# %% [markdown]
# ## Headline two: side effects in a range
#
# A claimed range for how many people get side effects can be checked against every LDN arm that counted any adverse event. An arm whose whole 95% Wilson interval lies outside the claimed range is incompatible with it.

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
ldn.show_text(ldn.teaching.claim_evidence_text(table, headline["side_effect_range"]))

# %% [markdown]
# Placebo arms (hollow) are drawn for context only: compare each with the LDN arm of the same trial. A side-effect rate means little without a comparison group, because people on placebo report adverse events too.

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
# ## Every claim, by source text
#
# First the verdicts per text, then every claim.

# %%
ldn.show_table(
    ldn.teaching.verdict_counts(table),
    caption="Verdicts per source text",
    link_column="",
)
ldn.teaching.show_claims_by_source(table, scores)

# %% [markdown]
# ## Discuss
#
# 1. Which source text scores best on the criteria, and does it also make the fewest overstated claims?
# 2. Many claims are *not testable*: mechanisms, costs, regulatory status. Are they less important, or only outside this evidence base?
# 3. Pick an *overstated* claim and rewrite it so that it would be supported.
