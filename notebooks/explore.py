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
#     answers: The explorer's first view ({condition}, {outcome}); in JupyterLab its
#       controls switch condition, outcome, method, interval, designs and minimum size.
#     group: other
#     order: 1
#     title: 'Explorer: LDN for {condition}, {outcome} (first view)'
# ---

# %% [markdown]
# # Explore the evidence: one condition at a time
#
# Run all cells (JupyterLab: **Run > Run All Cells**), then use the controls: condition,
# outcome, the tau² method, how the 95% interval is made, which study designs to keep and
# the smallest study size. Every change redraws the summary of findings, the forest plot,
# the evidence ladder and the side-effect chart below from the same analysis objects the
# condition reports use, and shows the command line that builds the same view as a report
# page. The outcome list says, for each outcome, how many placebo-controlled studies
# report it and how many give a usable effect size.
#
# In an HTML export (a report page) there is no kernel to answer the controls: they are
# left out and the page shows the first view, set by the parameters below.

# %% [markdown]
# ## Parameters
#
# The first view. Change them here (then Run All) or use the controls; the cell after
# this one checks them against the same registry as the command line.

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

# %% [markdown]
# ## The explorer

# %%
explorer = ldn.explorer.explore(**vars(p))
