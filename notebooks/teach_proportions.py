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
#     answers: 'What zero events in a small study can and cannot rule out: rule of three,
#       Wilson vs Wald ({mode} version).'
#     expand:
#     - mode
#     group: teaching
#     order: 4
#     title: 'Teaching: small samples and intervals for proportions ({mode} version)'
# ---

# %% [markdown]
# # Teaching: small samples and intervals for proportions
#
# Side effects of LDN are counted in small groups: a handful of events among a few dozen people. A proportion from such a group is uncertain, and the usual textbook interval (Wald) misbehaves exactly there. This notebook uses the adverse-event counts of the evidence base to show the rule of three for zero events and the Wilson interval for few events.
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

# %% [markdown]
# ## Zero events is not zero risk
#
# When no one in a group had an event, the observed rate is zero, but the true rate could still be a few percent. The *rule of three*: with no events among n people, 3/n is approximately the **one-sided** 95% upper bound of the true rate (we are 95% confident the rate is below it). It approximates the exact one-sided bound, 1 - 0.05^(1/n), and the approximation is good for large n. It needs a real count: the events must have been looked for in everyone, as in a prospective trial. A retrospective "no severe effects were reported" is not a zero count, and no bound can be computed from it.

# %%
ldn.teaching.ask("rule_of_three", evidence)

# %% tags=["answer"]
my_answer = None

# %%
ldn.teaching.feedback("rule_of_three", my_answer, evidence, p.mode)

# %% [markdown]
# Every LDN arm of a randomized trial with zero events, with the rule of three beside two exact bounds. The smaller the group, the more a zero is compatible with a high true rate.

# %%
if ldn.teaching.unlocked("rule_of_three", my_answer, evidence, p.mode):
    ldn.show_table(
        ldn.teaching.zero_event_table(evidence),
        caption="LDN arms of randomized trials with zero events: upper bounds of the true rate",
    )

# %% [markdown]
# ## Few events: Wilson against Wald
#
# The Wald interval, observed proportion plus or minus z standard errors, is symmetric around the observed proportion. With few events it is too narrow, and it can cross zero. The Wilson score interval is not symmetric: its centre is pulled towards one half and it stays between zero and one hundred percent. The question gives the formula.

# %%
ldn.teaching.ask("wilson_vs_wald", evidence)

# %% tags=["answer"]
my_answer = None

# %%
ldn.teaching.feedback("wilson_vs_wald", my_answer, evidence, p.mode)

# %%
case = ldn.teaching.exercise_values("wilson_vs_wald", evidence)
if ldn.teaching.unlocked("wilson_vs_wald", my_answer, evidence, p.mode):
    ldn.teaching.interval_chart(case["x"], case["n"], case["study"]).show()
    ldn.show_table(
        ldn.teaching.interval_table(evidence),
        caption="Small adverse-event counts on LDN: three 95% intervals",
    )

# %% [markdown]
# ## All-cause adverse events and what LDN adds
#
# A trial records every adverse event in both arms, whatever caused it: headaches, poor sleep and nausea happen on placebo too, partly because people expect side effects (the *nocebo* response). The rate on LDN is therefore not LDN's side-effect rate. What the drug adds is the difference between the arms, LDN minus placebo.

# %%
ldn.teaching.ask("harm_difference", evidence)

# %% tags=["answer"]
my_answer = None

# %%
ldn.teaching.feedback("harm_difference", my_answer, evidence, p.mode)

# %%
if ldn.teaching.unlocked("harm_difference", my_answer, evidence, p.mode):
    ldn.show_table(
        ldn.teaching.nocebo_table(evidence),
        caption="Any adverse event in the LDN and placebo arms of the same trials",
    )

# %% [markdown]
# ## How often is a 95% interval right?
#
# A 95% interval method should contain the true proportion in 95% of studies. For a group as small as the one in the exercise we can compute exactly how often each method succeeds, for every possible true proportion.

# %%
ldn.teaching.coverage_chart(case["n"]).show()

# %% [markdown]
# ## Studies cited on this page
#
# Each study the page names, linked to its DOI or PubMed record, with the page its numbers were read from.

# %%
ldn.studies.show_references(
    ldn.select(evidence), ldn.teaching.lesson_study_ids(evidence, "teach_proportions")
)

# %%
ldn.teaching.discuss("teach_proportions", p.mode)
