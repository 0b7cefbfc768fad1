# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Teaching: forest plots, heterogeneity and small-study effects
#
# How to read a forest plot, what I², tau² and the prediction interval say, why two or three studies say little about any of them, and why Egger's test for small-study effects needs ten or more studies. The data are the placebo-controlled randomized pain results of the condition with the most of them, pooled as standardized mean differences (SMD, positive = less pain on LDN) with a random-effects model.
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
condition = ldn.teaching.exercise_values("pooled_direction", evidence)["condition"]
selection = ldn.select(evidence, condition)
analysis = ldn.efficacy(selection, "pain", "REML", "z")

# %% [markdown]
# ## Reading a forest plot
#
# Each row is a study: the square is its estimate (its size is the study's weight) and the line its 95% confidence interval. The dotted vertical line is no effect. The diamond at the bottom is the pooled estimate; its width is the pooled 95% CI. The orange bar is the prediction interval: where the true effect of a new, similar study would probably lie. Hover over a square to see the study; in the HTML report, click it to open its source.

# %%
ldn.figures.forest(analysis).show()

# %%
ldn.teaching.ask("pooled_direction", evidence, condition=condition)

# %% tags=["answer"]
my_answer = None

# %%
ldn.teaching.feedback("pooled_direction", my_answer, evidence, p.mode, condition=condition)

# %% [markdown]
# The plot, read aloud from the numbers:

# %%
ldn.show_text(ldn.teaching.forest_reading_text(analysis))

# %% [markdown]
# ## Heterogeneity: do the studies agree?
#
# Three statistics describe disagreement beyond chance. *Cochran's Q* tests whether the studies share one true effect; *tau²* is the variance of the true effects between studies (on the SMD scale); *I²* is the share of the observed variation that is due to real differences rather than chance. I² is easy to quote and easy to over-read.

# %%
ldn.teaching.ask("i2_interpretation", evidence, condition=condition)

# %% tags=["answer"]
my_answer = None

# %%
ldn.teaching.feedback("i2_interpretation", my_answer, evidence, p.mode, condition=condition)

# %%
ldn.show_text(ldn.teaching.heterogeneity_text(analysis.result))

# %% [markdown]
# ## Why two or three studies say little
#
# The same pooling with two kinds of interval: the z interval treats the estimated tau² as known; the Knapp-Hartung interval accounts for its uncertainty with a t distribution on k - 1 degrees of freedom. The second set pools the before-after pain results in the evidence base (different conditions, no control group) to show what one more study buys.

# %%
before_after = ldn.efficacy(ldn.select(evidence), "pain", "REML", "z", comparison="ldn_pre_post")
sets = {
    analysis.title: analysis.effects,
    before_after.title: before_after.effects,
}
ldn.show_table(
    ldn.teaching.few_studies_table(sets),
    caption="The same studies pooled with z and Knapp-Hartung intervals",
)
ldn.figures.forest(before_after).show()

# %% [markdown]
# How far a 95% interval reaches, in standard errors, depends on the number of studies when the uncertainty in tau² is taken into account. With three studies the prediction interval multiplier is several times the familiar 1.96.

# %%
ldn.show_table(
    ldn.teaching.t_multiplier_table(),
    caption="Multipliers of the standard error for a 95% interval",
)

# %% [markdown]
# ## Small-study effects and Egger's test
#
# When small studies report larger effects than large ones, a funnel plot (effect against precision) is asymmetric. Publication bias is one cause: small studies with null results stay unpublished. Egger's regression test looks for this asymmetry, but it needs many studies.

# %%
ldn.figures.funnel(analysis).show()

# %%
ldn.teaching.ask("egger_appropriate", evidence, condition=condition)

# %% tags=["answer"]
my_answer = None

# %%
ldn.teaching.feedback("egger_appropriate", my_answer, evidence, p.mode, condition=condition)

# %% [markdown]
# How often does Egger's test detect a real small-study effect? Below, meta-analyses are simulated with study sizes drawn from the effect sizes in the evidence base, with and without a small-study effect, and each is tested.

# %%
power = ldn.teaching.egger_power(evidence)
ldn.show_table(power, caption="Egger's test on simulated meta-analyses")
ldn.show_text(ldn.teaching.egger_power_text(power))

# %% [markdown]
# ## Discuss
#
# 1. If the trials in a forest plot point in opposite directions, is a pooled estimate near zero evidence that LDN does nothing?
# 2. Why is a prediction interval more useful to a patient than the confidence interval of the pooled estimate?
# 3. A review reports 'no evidence of publication bias (Egger p > 0.1)' from five studies. What would you reply?
