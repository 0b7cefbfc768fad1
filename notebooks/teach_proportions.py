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
# # Teaching: small samples and intervals for proportions
#
# Side effects of LDN are counted in small groups: a handful of events among a few dozen people. A proportion from such a group is uncertain, and the usual textbook interval (Wald) misbehaves exactly there. This notebook uses the adverse-event counts of the evidence base to show the rule of three for zero events and the Wilson interval for few events.
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

# %% [markdown]
# ## Zero events is not zero risk
#
# When no one in a group had an event, the observed rate is 0%, but the true rate could still be a few percent. The *rule of three* gives the approximate upper limit of the 95% confidence interval: 3 divided by the number of people.

# %%
ldn.teaching.ask("rule_of_three", evidence)

# %% tags=["answer"]
my_answer = None

# %%
ldn.teaching.feedback("rule_of_three", my_answer, evidence, p.mode)

# %% [markdown]
# Every LDN arm in the evidence base with zero events, with the rule of three beside two exact bounds. The smaller the group, the more a zero is compatible with a high true rate.

# %%
ldn.show_table(
    ldn.teaching.zero_event_table(evidence),
    caption="LDN arms with zero events: upper limits of the true rate",
)

# %% [markdown]
# ## Few events: Wilson against Wald
#
# The Wald interval, observed proportion plus or minus 1.96 standard errors, is symmetric around the observed proportion. With few events it is too narrow, and it can cross 0%. The Wilson score interval is not symmetric: it is centred nearer 50% and stays between 0% and 100%.

# %%
ldn.teaching.ask("wilson_vs_wald", evidence)

# %% tags=["answer"]
my_answer = None

# %%
ldn.teaching.feedback("wilson_vs_wald", my_answer, evidence, p.mode)

# %%
case = ldn.teaching.exercise_values("wilson_vs_wald", evidence)
ldn.teaching.interval_chart(case["x"], case["n"], case["study"]).show()

# %% [markdown]
# The same three intervals for every small count in LDN arms. Look for Wald intervals with a negative lower limit.

# %%
ldn.show_table(
    ldn.teaching.interval_table(evidence),
    caption="Small adverse-event counts on LDN: three 95% intervals",
)

# %% [markdown]
# ## How often is a 95% interval right?
#
# A 95% interval method should contain the true proportion in 95% of studies. For a group as small as the one in the exercise we can compute exactly how often each method succeeds, for every possible true proportion.

# %%
ldn.teaching.coverage_chart(case["n"]).show()

# %% [markdown]
# ## Discuss
#
# 1. A news story says a drug 'caused no serious side effects' in a trial. What would you ask before repeating it?
# 2. Why does the Wald interval fail most badly when the true proportion is near 0% or 100%?
# 3. Adverse events were also frequent on placebo in the larger trials (see `teach_designs`). Why do we need a comparison group to say a side effect is caused by LDN?
