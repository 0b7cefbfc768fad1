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
#     answers: 'Everything on LDN for {condition}: designs, studies over time, outcomes
#       with placebo-controlled data and any pooled effect, side effects, certainty.'
#     expand:
#     - condition
#     group: condition
#     scope: condition
#     title: 'LDN for {condition}: the whole evidence (pooled outcome: {outcome})'
#     title_outcome: pooled
#     title_unpooled: 'LDN for {condition}: the whole evidence (nothing pooled)'
# ---

# %% [markdown]
# # LDN for one condition: the whole evidence
#
# Everything the evidence base holds on low-dose naltrexone for one condition: what was studied and how, a pooled estimate against placebo where trials allow one, side effects, and a certainty profile per outcome. `make report` builds this page once for every condition present in the data.
#
# Hover over a point to see the study; in the HTML report, click it to open the page its numbers came from.

# %% [markdown]
# *Parameters: change them in the next cell (JupyterLab) or with `-p NAME VALUE` on the command line; the line under it shows the values this page used.*

# %% tags=["parameters"]
condition = "fibromyalgia"
outcome = "pain"
method = "REML"
test = "knha"
designs = []
min_n = 0

# %%
import ldn_analysis as ldn

p = ldn.use_parameters(
    condition=condition, outcome=outcome, method=method, test=test, designs=designs, min_n=min_n
)

evidence = ldn.load_evidence()
selection = ldn.select(evidence, p.condition, p.designs, p.min_n)
choice = ldn.choose_outcome(selection, p.outcome)
analysis = ldn.efficacy(selection, choice.chosen, p.method, p.test)

# %% [markdown]
# ## Bottom line
#
# The answer first, from the same analysis as every table and chart below.

# %%
ldn.sof.summary_of_findings(analysis, selection).show()
ldn.sof.show_glossary()

# %% [markdown]
# ## Outcomes with placebo-controlled data
#
# What the trials of this condition measured against placebo, and which outcome this page
# analyses: the one asked for when a study gives an effect size for it, otherwise the
# outcome with the most usable studies (the sentence says which and why).

# %%
ldn.show_text(ldn.outcomes.outcome_choice_text(choice))
ldn.outcomes.outcomes_table(choice).show()

# %% [markdown]
# ## In plain language

# %%
ldn.show_text(ldn.summaries.evidence_summary(selection), heading=f"LDN for {selection.label}")
ldn.studies.show_study_cards(selection)
ldn.show_text(ldn.summaries.efficacy_summary(analysis))

# %% [markdown]
# ## The evidence
#
# Participants by study design (strongest design on top), studies over time, registered
# trials, and how long and at what dose LDN was given. With one or two studies, the study
# cards above replace these charts.

# %%
ldn.figures.ladder_chart(selection).show()
ldn.figures.timeline_chart(selection).show()
ldn.figures.registrations_chart(selection).show()
ldn.figures.duration_chart(selection).show()
ldn.figures.dose_chart(selection).show()

# %% [markdown]
# ## Risk of bias
#
# RoB 2 judgements of this condition's randomised trials, domain by domain (hover a light for the reason and its source); other designs get a tier from their design alone. The certainty profile below takes its risk-of-bias rating from these judgements.

# %%
ldn.figures.risk_of_bias_chart(selection).show()
ldn.figures.risk_of_bias_summary_chart(selection).show()

# %% [markdown]
# ## The pooled effect
#
# Squares are study effects (size = weight), the diamond is the random-effects pooled
# estimate; with 3 or more studies the orange bar is the 95% prediction interval.

# %%
ldn.figures.forest(analysis).show()
ldn.tables.effects_table(analysis).show()

# %% [markdown]
# Is the result robust? Every tau² estimator with z and Knapp-Hartung intervals, each study
# left out in turn, studies added by year, small-study effects and effect against time to
# outcome, each shown only when there are enough studies for it to mean something.

# %%
ldn.show_text(ldn.summaries.small_k_text(analysis))
ldn.figures.sensitivity_chart(analysis).show()
ldn.effects_report.assumptions_table(analysis).show()
ldn.figures.leave_one_out_chart(analysis).show()
ldn.figures.cumulative_chart(analysis).show()
ldn.figures.funnel(analysis).show()
ldn.figures.effect_duration_chart(analysis).show()

# %% [markdown]
# ## Our estimate beside the published meta-analyses
#
# Published estimates are put on the same scale as ours (positive = LDN better). Mean differences (MD) and standardized mean differences (SMD) are on different scales and are drawn in separate panels. The text below explains the differences from the numbers: which studies were pooled, which measure, which model.

# %%
ldn.figures.reconciliation_chart(analysis).show()
ldn.effects_report.reconciliation_table(analysis).show()
ldn.show_text(ldn.summaries.reconciliation_text(analysis), heading="Why the estimates differ")

# %% [markdown]
# ## Side effects
#
# Adverse-event counts for this condition, and LDN against placebo in words; counts of zero
# are drawn apart, as upper bounds of the true rate (rule of three, 3/n).

# %%
ldn.show_text(ldn.summaries.safety_summary(selection))
ldn.figures.ae_chart(selection).show()
ldn.figures.risk_ratio_chart(selection).show()

# %% [markdown]
# ## Certainty per outcome
#
# Every outcome with a placebo-controlled effect size, rated with fixed GRADE-style rules. This is an automatic aid, not a GRADE assessment: each cell gives the downgrade and the number behind it.

# %%
ldn.show_text(
    ldn.certainty.certainty_text(ldn.certainty.certainty(analysis, selection), choice.chosen)
)
ldn.certainty.certainty_report(selection, ldn.outcome_analyses(selection, p.method, p.test)).show()

# %% [markdown]
# ## Every study

# %%
ldn.tables.study_list(selection).show()
