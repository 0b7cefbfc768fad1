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
#     answers: Doses and treatment lengths across studies, and whether longer trials
#       report different {outcome} effects.
#     group: start
#     order: 3
#     title: How long, and how much, LDN was given ({outcome} trials)
# ---

# %% [markdown]
# # How long, and how much, LDN was given
#
# Chronic conditions need long treatment, but most LDN studies are short. This report shows treatment duration and dose per study, and whether studies that lasted longer reported larger effects (a between-study association, which cannot show that longer treatment works better).
#
# Hover over a point to see the study; in the HTML report, click it to open the page its numbers came from.

# %% [markdown]
# *Parameters: change them in the next cell (JupyterLab) or with `-p NAME VALUE` on the command line; the line under it shows the values this page used.*

# %% tags=["parameters"]
outcome = "pain"
method = "REML"
test = "z"
designs = []
min_n = 0

# %%
import ldn_analysis as ldn

p = ldn.use_parameters(outcome=outcome, method=method, test=test, designs=designs, min_n=min_n)

evidence = ldn.load_evidence()
selection = ldn.select(evidence, None, p.designs, p.min_n)
analysis = ldn.efficacy(selection, p.outcome, p.method, p.test, comparison=None)

# %% [markdown]
# ## Duration by condition
#
# Each point is a study; colour is its design. Studies that do not report a duration are counted under the chart.

# %%
ldn.figures.duration_chart(selection).show()

# %% [markdown]
# ## Dose and duration
#
# The marker is the highest daily dose; a bar to its left shows the titration range. Most studies use 4.5 mg/day, the dose that became customary.

# %%
ldn.figures.dose_chart(selection).show()

# %% [markdown]
# ## Does the effect grow with duration?
#
# Effect sizes for the chosen outcome (positive = better on LDN) against the weeks from the start of treatment to the outcome, with a meta-regression line only with 10 or more studies. Hollow grey points are before-after comparisons without a control group; their effects include placebo response and natural recovery.

# %%
ldn.figures.effect_duration_chart(analysis).show()
ldn.tables.effects_table(analysis).show()

# %% [markdown]
# ## Studies on this page

# %%
ldn.studies.show_references(selection)
