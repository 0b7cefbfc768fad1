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
#     answers: Why crossover trials need fewer patients, and what the placebo response
#       looks like in LDN trials ({mode} version).
#     expand:
#     - mode
#     group: teaching
#     order: 1
#     title: 'Teaching: crossover and parallel trials, and the placebo response ({mode}
#       version)'
# ---

# %% [markdown]
# # Teaching: crossover and parallel trials, and the placebo response
#
# Two design questions that change how numbers should be read: how many people a trial really compared (a crossover uses each person twice), and how much of the improvement seen on LDN also happens without it (the placebo response, which open-label studies cannot separate from the drug's effect).
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
# ## Crossover versus parallel
#
# In a *parallel* trial each participant is randomized to LDN or placebo and stays there. In a *crossover* trial each participant takes both, one after the other in random order, often with a washout between. Each person is their own control, so fewer people are needed, but the arm sizes reported are the same people counted twice.

# %%
ldn.teaching.ask("crossover_vs_parallel_n", evidence)

# %% tags=["answer"]
my_answer = None

# %%
ldn.teaching.feedback("crossover_vs_parallel_n", my_answer, evidence, p.mode)

# %%
if ldn.teaching.unlocked("crossover_vs_parallel_n", my_answer, evidence, p.mode):
    ldn.show_table(
        ldn.teaching.randomized_trials_table(evidence),
        caption="Randomized trials: arm sizes and the number of different people",
    )

# %% [markdown]
# ## Why crossovers are efficient, and what they assume
#
# A crossover compares each person with themselves, so its precision depends on how strongly a person's outcomes on LDN and on placebo are correlated. The table gives the standard error of an SMD from the crossover and parallel trials of the exercise, for three correlations, and the size of a parallel trial that would be as precise. The price: the condition must be stable, the drug's effect must wash out (no carry-over), and period effects must be small. LDN's typical side effect, vivid dreams, can also tell participants which period is which.

# %%
trials = ldn.teaching.exercise_values("crossover_vs_parallel_n", evidence)
if ldn.teaching.unlocked("crossover_vs_parallel_n", my_answer, evidence, p.mode):
    ldn.show_table(
        ldn.teaching.crossover_precision_table(
            trials["cx_ldn"], trials["px_ldn"], trials["px_ctrl"]
        ),
        caption=f"{trials['cx']} (crossover) and {trials['px']} (parallel): "
        "standard error of an SMD near zero",
    )

# %% [markdown]
# ## The placebo response
#
# In randomized placebo-controlled trials both arms usually improve. The improvement on placebo is what an open-label study would wrongly credit to LDN: expectation, regression to the mean and natural recovery. Only randomized trials are shown: in a fixed-order design (placebo first, then LDN) the "placebo arm" is an earlier period, not a concurrent control. Improvements are oriented so that positive = better.

# %%
placebo = ldn.teaching.placebo_response_table(evidence)
ldn.show_table(
    placebo.round(2), caption="Improvement in each arm of randomized placebo-controlled trials"
)
ldn.teaching.placebo_response_chart(placebo).show()

# %% [markdown]
# Side effects show the mirror image, the *nocebo* response: people on placebo report adverse events too, because they expect them and because symptoms come and go. These are all-cause adverse events, not side effects attributed to the drug: only the difference between the arms estimates what LDN causes.

# %%
ldn.show_table(
    ldn.teaching.nocebo_table(evidence),
    caption="Any adverse event in the LDN and placebo arms of the same trials",
)

# %% [markdown]
# ## Open-label before-after studies against placebo-controlled trials
#
# The same outcome, pain, measured as a standardized change without a control group (right = better after LDN) and as a standardized difference from placebo (right = better on LDN than on placebo). Before-after effects contain the placebo response; the placebo-controlled ones do not.

# %%
ldn.teaching.design_contrast_chart(evidence).show()

# %% [markdown]
# ## Studies cited on this page
#
# Each study the page names, linked to its DOI or PubMed record, with the page its numbers were read from.

# %%
ldn.studies.show_references(
    ldn.select(evidence), ldn.teaching.lesson_study_ids(evidence, "teach_designs")
)

# %%
ldn.teaching.discuss("teach_designs", p.mode)
