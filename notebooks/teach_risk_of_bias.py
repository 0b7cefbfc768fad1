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
#     answers: Risk of bias of two trials with RoB 2, spin and copying between the source
#       texts, and surrogate outcomes ({mode} version).
#     expand:
#     - mode
#     group: teaching
#     order: 6
#     title: 'Teaching: risk of bias, spin and surrogate outcomes ({mode} version)'
# ---

# %% [markdown]
# # Teaching: how far can a result be trusted, and how is it told?
#
# A randomized trial can still be biased: by how participants were allocated, by who knew which treatment they got, by missing data, by how the outcome was measured, and by which result was chosen for the report. The Cochrane tool RoB 2 asks about each of these in turn. This lesson compares two placebo-controlled trials of LDN in fibromyalgia with it, then looks at two ways a result can be oversold after the trial: *spin and copying* in the texts that retell it, and *surrogate outcomes* (a laboratory marker standing in for how patients fare).
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
# ## Risk of bias with RoB 2
#
# RoB 2 judges one result of a trial (here the primary pain outcome), domain by domain: the randomisation process, deviations from the intended treatment, missing outcome data, measurement of the outcome, and selection of the reported result. Each domain is judged *low risk*, *some concerns* or *high risk* from what the report and the registration say; a judgement of some concerns often means the report does not say enough to rule a bias out. The table gives the domain judgements of the two trials, with the assessor's reason and the page it was read on.

# %%
ldn.show_table(
    ldn.teaching.rob_domain_table(evidence),
    caption="RoB 2 domain judgements of the two fibromyalgia trials (overall judgement not shown)",
)

# %%
ldn.teaching.ask("risk_of_bias_overall", evidence)

# %% tags=["answer"]
my_answer = None

# %%
ldn.teaching.feedback("risk_of_bias_overall", my_answer, evidence, p.mode)

# %%
if ldn.teaching.unlocked("risk_of_bias_overall", my_answer, evidence, p.mode):
    ldn.teaching.rob_pair_chart(evidence).show()
    ldn.show_text(
        ldn.teaching.rob_overall_text(evidence), heading="The assessors' overall judgements"
    )

# %% [markdown]
# The overall judgement is not an average: one domain with a problem is enough to lower trust in the whole result. A review shows each trial's judgement beside its result and checks whether the pooled estimate changes when the trials at higher risk are left out.
#
# ## Spin and copying between the five texts
#
# The five source texts about LDN retell a handful of studies. Some of what goes wrong is not a wrong number but the way evidence is presented. Things to look for: one trial described several times as if it were several, sentences lifted from trial abstracts and repeated word for word, a review of earlier studies called a "new study", an award presented as if it were evidence. The claims below are paraphrased (never quoted) from the texts, each with the verdict the rules compute and the curator's note.

# %%
ldn.show_table(
    ldn.teaching.spin_table(evidence),
    caption="Claims about copying, repetition and framing in the five texts, with their verdicts",
)

# %% [markdown]
# Count independent studies and participants, not sentences or headlines. Identical wording across outlets usually means one press release copied without checking, not several reports that agree.
#
# ## Surrogate outcomes
#
# A *surrogate outcome* is a measurement that stands in for what matters to patients: a laboratory value instead of illness, hospital stays, death or how people feel. Surrogates are quicker and cheaper to measure, but a treatment can move the marker while patients fare no better. The table lists every outcome row that a trial of LDN in people with HIV has in the evidence base; the text under it counts which are laboratory markers and which are clinical outcomes, and says what the trial registered.

# %%
ldn.show_table(
    ldn.teaching.surrogate_table(evidence),
    caption="Every outcome the HIV trial reports in the evidence base",
)
ldn.show_text(
    ldn.teaching.surrogate_text(evidence), heading="What was measured, and what was reported"
)

# %% [markdown]
# When a favourable marker is picked from several outcomes and time points, a second problem compounds the first: selective reporting. Ask what was registered, and what happens to patients.

# %% [markdown]
# ## Studies cited on this page
#
# Each study the page names, linked to its DOI or PubMed record, with the page its numbers were read from.

# %%
ldn.studies.show_references(
    ldn.select(evidence), ldn.teaching.lesson_study_ids(evidence, "teach_risk_of_bias")
)

# %%
ldn.teaching.discuss("teach_risk_of_bias", p.mode)
