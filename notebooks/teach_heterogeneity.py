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
#     answers: How to read a forest plot, tau-squared and I-squared, and a funnel plot
#       ({mode} version).
#     expand:
#     - mode
#     group: teaching
#     order: 3
#     title: 'Teaching: forest plots, heterogeneity and small-study effects ({mode}
#       version)'
# ---

# %% [markdown]
# # Teaching: forest plots, heterogeneity and small-study effects
#
# How to read a forest plot, what I², tau² and the prediction interval say, why a handful of studies say little about any of them, and why a funnel plot and Egger's test need many studies. The data are the placebo-controlled randomized pain results of the condition with the most of them, pooled as standardized mean differences (SMD) with a random-effects model and a Knapp-Hartung interval. Trials report LDN minus placebo, where a negative difference means less pain; here the sign is flipped so that **positive = less pain on LDN = benefit**.
#
# **How to use this notebook.** Each exercise shows a question. In JupyterLab, write your
# answer in the cell under it (`my_answer = None`: replace `None`), run that cell, then run
# the check cell after it; the feedback starts with what you answered. Tables, charts and
# verdicts that would give an answer away stay hidden until your answer is right. On a
# printed or HTML page, write your answer on the blank line under each question; the
# instructor version of the page shows the worked answers. Effects are oriented one way in
# every lesson: **positive = less pain on LDN = benefit**; when a paper reports a
# difference the other way round, the page says so in words.
#
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
condition = ldn.teaching.exercise_values("pooled_direction", evidence)["condition"]
selection = ldn.select(evidence, condition)
analysis = ldn.efficacy(selection, "pain")

# %% [markdown]
# ## Reading a forest plot
#
# Each row is a study: the square is its estimate (its size is the study's weight) and the line its 95% confidence interval. The dotted vertical line is no effect. The diamond at the bottom is the pooled estimate; its width is the pooled 95% CI. The orange bar, drawn only with three or more studies, is the prediction interval: where the true effect of a new, similar study would probably lie. This course uses one method for it (Higgins and colleagues): pooled estimate plus or minus t with k - 2 degrees of freedom times the square root of (SE² + tau²); with two studies it is undefined. Hover over a square to see the study; in the HTML report, click it to open its source. The plot appears once you have read the pooled estimate in the exercise below.

# %%
ldn.teaching.ask("pooled_direction", evidence, condition=condition)

# %% tags=["answer"]
my_answer = None

# %%
ldn.teaching.feedback("pooled_direction", my_answer, evidence, p.mode, condition=condition)

# %%
if ldn.teaching.unlocked("pooled_direction", my_answer, evidence, p.mode, condition=condition):
    ldn.teaching.forest(analysis).show()
    ldn.show_text(ldn.teaching.forest_reading_text(analysis), heading="The plot, read aloud")

# %% [markdown]
# ## Heterogeneity: do the studies agree?
#
# Three statistics describe disagreement beyond chance. *Cochran's Q* tests whether the studies share one true effect; *tau²* is the variance of the true effects between studies (on the SMD scale); *I²* is the share of the observed variation that is due to real differences rather than chance. I² is easy to quote and easy to over-read: with few studies its confidence interval is very wide, so always read it with its interval, and with tau² and its interval.

# %%
ldn.teaching.ask("i2_interpretation", evidence, condition=condition)

# %% tags=["answer"]
my_answer = None

# %%
ldn.teaching.feedback("i2_interpretation", my_answer, evidence, p.mode, condition=condition)

# %%
if ldn.teaching.unlocked("i2_interpretation", my_answer, evidence, p.mode, condition=condition):
    ldn.show_text(ldn.teaching.heterogeneity_text(analysis.result))

# %% [markdown]
# ## Why a few studies say little: Knapp-Hartung
#
# The pooled intervals on these pages are Knapp-Hartung intervals. A z interval would treat the estimated tau² as if it were known. The Knapp-Hartung method does two things instead: it rescales the variance of the pooled estimate by the weighted spread of the studies around it, and it uses a t distribution with k - 1 degrees of freedom. The second set below pools the before-after pain results (different conditions, no control group; right = better after LDN) to show what one more study buys.

# %%
ldn.show_text(ldn.teaching.knapp_hartung_text(analysis.effects))
before_after = ldn.efficacy(ldn.select(evidence), "pain", comparison="ldn_pre_post")
sets = {
    analysis.title: analysis.effects,
    before_after.title: before_after.effects,
}
ldn.show_table(
    ldn.teaching.few_studies_table(sets),
    caption="The same studies pooled with z and Knapp-Hartung intervals",
)
ldn.teaching.forest(before_after).show()

# %% [markdown]
# How far a 95% interval reaches, in standard errors, depends on the number of studies when the uncertainty in tau² is taken into account. With three studies the prediction interval multiplier is several times the familiar 1.96.

# %%
ldn.show_table(
    ldn.teaching.t_multiplier_table(),
    caption="Multipliers of the standard error for a 95% interval",
)

# %% [markdown]
# ## Small-study effects, funnel plots and Egger's test
#
# A funnel plot draws each study's effect against its standard error, small studies at the bottom. Without bias the points form a symmetric funnel around the pooled effect. When small studies with disappointing results stay unpublished, the bottom of the funnel loses one side. The LDN analyses have too few studies for a funnel plot, so here is a simulated one: a treatment with no effect, studies sized like those in the evidence base, and small unfavourable studies mostly left unpublished.

# %%
ldn.teaching.funnel_demo_chart(evidence).show()

# %% [markdown]
# Egger's regression test looks for this asymmetry. How often does it detect a real small-study effect? Below, meta-analyses of several sizes are simulated with and without one, and each is tested. The Cochrane Handbook advises asymmetry tests only with at least ten studies.

# %%
power = ldn.teaching.egger_power(evidence)
ldn.show_table(power, caption="Egger's test on simulated meta-analyses")
ldn.show_text(ldn.teaching.egger_power_text(power))

# %%
ldn.teaching.ask("egger_appropriate", evidence, condition=condition)

# %% tags=["answer"]
my_answer = None

# %%
ldn.teaching.feedback("egger_appropriate", my_answer, evidence, p.mode, condition=condition)

# %%
if ldn.teaching.unlocked("egger_appropriate", my_answer, evidence, p.mode, condition=condition):
    ldn.figures.funnel(analysis).show()

# %% [markdown]
# ## Studies in this lesson

# %%
ldn.studies.show_references(selection, analysis.effects["study_id"])

# %%
ldn.teaching.discuss("teach_heterogeneity", p.mode)
