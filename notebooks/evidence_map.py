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
#     answers: 'What has been studied: every study by condition, design, size and result.'
#     group: start
#     order: 1
# ---

# %% [markdown]
# # The LDN evidence map
#
# Which conditions low-dose naltrexone (LDN) has been studied in, with which designs, how many people took part, and which registered trials never reported. Start here to see how much of the evidence is randomised and placebo-controlled, and how much rests on case reports and chart reviews.
#
# Hover over a point to see the study; in the HTML report, click it to open the page its numbers came from.

# %% [markdown]
# *Parameters: change them in the next cell (JupyterLab) or with `-p NAME VALUE` on the command line; the line under it shows the values this page used.*

# %% tags=["parameters"]
designs = []
min_n = 0

# %%
import ldn_analysis as ldn

p = ldn.use_parameters(designs=designs, min_n=min_n)

evidence = ldn.load_evidence()
selection = ldn.select(evidence, None, p.designs, p.min_n)

# %% [markdown]
# ## The evidence at a glance

# %%
ldn.show_text(ldn.summaries.evidence_summary(selection))

# %% [markdown]
# ## Conditions by design
#
# Each bubble is one study, placed in its condition's row and its design's column (strongest designs on the left). Bubble area is the number of participants; colour is what the study's own authors concluded about their primary outcome. A column of green bubbles on the right is a pattern worth noticing: uncontrolled designs rarely report no effect.

# %%
ldn.figures.map_chart(selection).show()

# %% [markdown]
# ## Studies and participants over time
#
# One block per study, coloured by design; the line counts participants so far.

# %%
ldn.figures.timeline_chart(selection).show()

# %% [markdown]
# ## Registered trials and missing results
#
# Trials registered in advance can be checked for results. Hollow markers are registrations with no linked publication and no results posted: unpublished trials are one way the published record can look better than the truth.

# %%
ldn.figures.registrations_chart(selection).show()
ldn.tables.registration_list(selection).show()

# %% [markdown]
# ## Risk of bias
#
# How far each randomised trial's result can be trusted, judged with the Cochrane RoB 2 tool in five domains (hover a light for the reason and its source). Studies that were not randomised get a tier from their design alone, one row per design; the bars weight each assessed trial by its participants.

# %%
ldn.figures.risk_of_bias_chart(selection).show()
ldn.figures.risk_of_bias_summary_chart(selection).show()

# %% [markdown]
# ## Every study in the selection

# %%
ldn.tables.study_list(selection).show()
