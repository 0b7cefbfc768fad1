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
#     answers: How often people on LDN and on placebo reported {event}, study by study
#       and pooled.
#     group: safety
#     order: 1
#     title: 'Side effects of LDN: {event}, all conditions'
# ---

# %% [markdown]
# # Side effects of LDN
#
# How often people taking LDN report adverse events, across every study that counts them, and how that compares with placebo. Vivid dreams and sleep problems are the effects most often described; serious adverse events are rare, and zero counts are data too: they are shown with an upper bound (the rule of three), not left out.
#
# Hover over a point to see the study; in the HTML report, click it to open the page its numbers came from.

# %% [markdown]
# *Parameters: change them in the next cell (JupyterLab) or with `-p NAME VALUE` on the command line; the line under it shows the values this page used.*

# %% tags=["parameters"]
event = "any_ae"
designs = []
min_n = 0

# %%
import ldn_analysis as ldn

p = ldn.use_parameters(event=event, designs=designs, min_n=min_n)

evidence = ldn.load_evidence()
selection = ldn.select(evidence, None, p.designs, p.min_n)

# %% [markdown]
# ## Summary

# %%
ldn.show_text(ldn.summaries.safety_summary(selection, p.event))

# %% [markdown]
# ## Every count, per study and arm
#
# Dots are the share of participants with the event; lines are 95% Wilson intervals. Counts of zero are drawn apart, in the lower panel, as the upper bound of the true rate (rule of three, 3/n): a case report with one patient and no event says only that the rate is below 100%.

# %%
ldn.figures.ae_chart(selection).show()

# %% [markdown]
# ## The chosen event
#
# The same, for the event named in the parameters.

# %%
ldn.figures.ae_chart(selection, p.event).show()

# %% [markdown]
# ## Pooled prevalence on LDN
#
# Proportions pooled on the logit scale with a random-effects model; events seen in one study only are shown hollow and not pooled.

# %%
ldn.figures.pooled_ae_chart(selection).show()

# %% [markdown]
# ## LDN versus placebo
#
# Risk ratios from trials that count the same event in both arms (1/2 added to every cell of a table with a zero). Left of 1 = less frequent on LDN, right of 1 = more frequent.

# %%
ldn.show_text(ldn.summaries.placebo_comparison_text(selection))
ldn.figures.risk_ratio_chart(selection).show()

# %% [markdown]
# ## Studies on this page
#
# Each study links to its DOI or PubMed record; "extracted from" opens the page the counts
# were read from.

# %%
ldn.studies.show_references(selection, selection.adverse_events["study_id"])
