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
#     answers: 'Pooled placebo-controlled trials for {condition}, outcome {outcome}:
#       effect, interval and certainty.'
#     group: start
#     order: 2
#     scope: condition
#     title: Does LDN work better than placebo for {condition} ({outcome})?
# ---

# %% [markdown]
# # Does LDN work better than placebo?
#
# A random-effects meta-analysis of the placebo-controlled trials of LDN for one condition and outcome, recomputed from the extracted numbers, checked for robustness, set beside the published meta-analyses and rated with a GRADE-style certainty aid.
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
rho = 0.5

# %%
import ldn_analysis as ldn

p = ldn.use_parameters(
    condition=condition,
    outcome=outcome,
    method=method,
    test=test,
    designs=designs,
    min_n=min_n,
    rho=rho,
)

evidence = ldn.load_evidence()
selection = ldn.select(evidence, p.condition, p.designs, p.min_n)
analysis = ldn.efficacy(selection, p.outcome, p.method, p.test, rho=p.rho)

# %% [markdown]
# ## Bottom line
#
# The answer first, computed from the same analysis as every chart below: how many of
# the eligible trials could be pooled, the effect with its 95% CI and the method that made
# it, the certainty with its reasons, and one plain sentence.

# %%
ldn.sof.summary_of_findings(analysis, selection).show()
ldn.sof.show_glossary()

# %% [markdown]
# ## The pooled effect
#
# Squares are study effects (size = weight), the diamond is the random-effects pooled
# estimate; with 3 or more studies the orange bar is the 95% prediction interval, where the
# true effect of a new, similar study would likely fall. Heterogeneity is in the subtitle.

# %%
ldn.show_text(ldn.summaries.efficacy_summary(analysis))
ldn.figures.forest(analysis).show()
ldn.tables.effects_table(analysis).show()

# %% [markdown]
# ## Is the result robust?
#
# The same studies pooled with every tau² estimator and with z and Knapp-Hartung intervals
# (red marks a different conclusion); each study left out in turn; studies added in order of
# publication; small-study effects; effect against time to outcome. Each is shown only when
# there are enough studies for it to mean something.

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
# ## How certain is it?
#
# A GRADE-style profile computed with fixed rules: each downgrade comes with the number that triggered it. It is an automatic aid, not a GRADE assessment.

# %%
ldn.show_text(ldn.certainty.certainty_text(ldn.certainty.certainty(analysis, selection), p.outcome))
