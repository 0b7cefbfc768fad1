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
#     answers: 'Regression to the mean, multiplicity and reporting bias: how an ineffective
#       treatment can look effective ({mode} version).'
#     expand:
#     - mode
#     group: teaching
#     order: 5
#     title: 'Teaching: regression to the mean, multiplicity and reporting bias ({mode}
#       version)'
# ---

# %% [markdown]
# # Teaching: improvement without a drug, findings without an effect, and trials that vanish
#
# Three traps that make an ineffective treatment look effective, with no fraud involved: *regression to the mean* (people enrol when they are at their worst, and bad days do not last), *multiplicity* (test enough outcomes and one will be "significant"), and *reporting bias* (trials that found nothing are less often published). The first two are shown with small simulations whose seed is fixed, so every run gives the same numbers; the third uses the trial registrations in the evidence base.
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
# ## Regression to the mean
#
# A pain score on one day is a person's usual level plus the day's ups and downs. Trials and clinics enrol people whose score is high *today*. Some of them are on a bad day, and on the next visit most will be closer to their usual level, with or without treatment. How far back they come depends on the *reliability* of the score: the share of its variation that is real differences between people rather than day-to-day noise. The expected follow-up average of a group selected on a high score is the population mean plus the reliability times how far the group's screening average was above the mean.

# %%
ldn.teaching.ask("regression_to_mean", evidence)

# %% tags=["answer"]
my_answer = None

# %%
ldn.teaching.feedback("regression_to_mean", my_answer, evidence, p.mode)

# %%
if ldn.teaching.unlocked("regression_to_mean", my_answer, evidence, p.mode):
    ldn.teaching.rtm_chart().show()
    ldn.show_table(
        ldn.teaching.rtm_table(),
        caption="Simulated pain scores (nobody treated): screening and follow-up averages",
    )

# %% [markdown]
# This is why a before-after study of LDN shows improvement even if LDN does nothing, and why the placebo arm of a randomized trial, enrolled the same way, is the comparison that counts (see `teach_designs`).
#
# ## Multiplicity
#
# A p value below 0.05 means: if the drug did nothing, a difference this large would turn up in fewer than one trial in twenty. Test many outcomes and the chances add up.

# %%
ldn.teaching.ask("multiplicity", evidence)

# %% tags=["answer"]
my_answer = None

# %%
ldn.teaching.feedback("multiplicity", my_answer, evidence, p.mode)

# %%
if ldn.teaching.unlocked("multiplicity", my_answer, evidence, p.mode):
    ldn.show_table(
        ldn.teaching.multiplicity_simulation(),
        caption="Simulated trials of a drug with no effect: at least one outcome with p < 0.05",
    )

# %% [markdown]
# A Bonferroni correction (testing each outcome at 0.05 divided by the number of outcomes) brings the chance of any false positive back to about the level of a single test, at the cost of power. The better protection is a single primary outcome named in the registration before the trial starts: then a reader can see whether the headline result is the one the trial was designed to test, or a secondary outcome promoted afterwards (outcome switching, a form of spin).
#
# ## Reporting bias: registered, finished, never published?
#
# Trials are expected to be registered before they start. A registration that says *completed* but has no publication is a trial whose result the reader cannot see. The table lists every completed or terminated registration of an LDN study in the evidence base, with the publication it is linked to, if any.

# %%
ldn.show_table(
    ldn.teaching.registration_table(evidence),
    caption="Completed or terminated registrations and their publications",
)

# %%
ldn.teaching.ask("unpublished_registrations", evidence)

# %% tags=["answer"]
my_answer = None

# %%
ldn.teaching.feedback("unpublished_registrations", my_answer, evidence, p.mode)

# %% [markdown]
# ## Studies cited on this page
#
# Each study the page names, linked to its DOI or PubMed record, with the page its numbers were read from.

# %%
ldn.studies.show_references(
    ldn.select(evidence), ldn.teaching.lesson_study_ids(evidence, "teach_bias_traps")
)

# %%
ldn.teaching.discuss("teach_bias_traps", p.mode)
