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
#     answers: A summary-of-findings row for fibromyalgia pain with the effect in points,
#       the minimal important difference and the number needed to treat ({mode} version).
#     expand:
#     - mode
#     group: teaching
#     order: 7
#     title: 'Teaching: absolute effects, the NNT and the minimal important difference
#       ({mode} version)'
# ---

# %% [markdown]
# # Teaching: is the effect large enough to matter?
#
# A pooled standardized mean difference (SMD) says how far apart LDN and placebo are in standard-deviation units. Patients and clinicians think in points on a pain scale and in how many people are helped. This lesson completes one GRADE summary-of-findings row for pain in fibromyalgia: the relative effect the efficacy pages show, the same effect in points next to the *minimal important difference* (the smallest change patients notice as a real improvement), and a responder analysis turned into a *number needed to treat* (NNT).
#
# **How to use this notebook.** Each exercise shows a question. In JupyterLab, write your
# answer in the cell under it (`my_answer = None`: replace `None`), run that cell, then run
# the check cell after it; the feedback starts with what you answered. Tables, charts and
# sentences that would give an answer away stay hidden until your answer is right. On a
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
# ## The relative effect: the summary-of-findings box of the efficacy pages
#
# This is the same box, from the same pooled analysis (random effects, REML with the Knapp-Hartung interval), that opens the fibromyalgia efficacy page. The pooled effect is an SMD, because the trials measured pain on different scales; its certainty is rated with the automatic GRADE-style aid.

# %%
ldn.teaching.sof_box(evidence).show()

# %% [markdown]
# ## From standard deviations to points
#
# An SMD is a difference divided by a standard deviation (SD). Multiplying it by a typical SD of one familiar scale gives the difference back in that scale's points (Cochrane Handbook, section on re-expressing SMDs using a familiar instrument). The SD should describe the same kind of patients: here it is pooled from the trials of the same analysis that measured pain on the zero-to-ten numerical rating scale, each recovered from its own reported difference and its SMD. *J* is the small-sample correction of Hedges' g. The trials reported their differences as LDN minus placebo, where a negative difference means less pain on LDN; each SMD is turned round so that positive is a benefit.

# %%
ldn.show_table(
    ldn.teaching.sd_table(evidence),
    caption="The SD of the zero-to-ten pain scale, recovered from each trial's difference and SMD",
    link_column="",
)

# %%
ldn.teaching.ask("sof_points", evidence)

# %% tags=["answer"]
my_answer = None

# %%
ldn.teaching.feedback("sof_points", my_answer, evidence, p.mode)

# %% [markdown]
# ## The minimal important difference
#
# How many points matter? A *minimal important difference* (MID) is usually estimated by asking patients whether they feel better (an *anchor*, such as a global impression of change) and finding the change in score that goes with "much improved"; consensus panels such as IMMPACT also propose thresholds, often as a percentage of the starting score. The table lists those recorded in the evidence base for pain, each with the page it was read on.

# %%
ldn.show_table(
    ldn.teaching.mid_table(evidence),
    caption="Minimal important differences and other thresholds for pain scales",
)

# %%
ldn.teaching.ask("sof_mid", evidence)

# %% tags=["answer"]
my_answer = None

# %%
ldn.teaching.feedback("sof_mid", my_answer, evidence, p.mode)

# %%
if ldn.teaching.unlocked("sof_mid", my_answer, evidence, p.mode):
    ldn.teaching.points_chart(evidence).show()

# %% [markdown]
# A statistically clear difference can still be smaller than the MID, and an interval that includes zero can still include effects that matter: read both limits of the interval against the MID, not the point estimate against zero. The MID is also a change within one patient; a difference between group means below it can hide some patients who improve by that much. That is what a responder analysis counts.
#
# ## Responders and the number needed to treat
#
# A responder analysis counts the participants in each arm who reached a threshold, such as a reduction of pain by at least the moderately important share of the starting score. The difference between the two arms' proportions (the *risk difference*) and its inverse, the NNT, say how many patients must be treated for one more to respond than on placebo. The trial in the next exercise reported such an analysis only as rounded percentages in a published summary, not as counts.

# %%
ldn.teaching.ask("sof_nnt", evidence)

# %% tags=["answer"]
my_answer = None

# %%
ldn.teaching.feedback("sof_nnt", my_answer, evidence, p.mode)

# %%
if ldn.teaching.unlocked("sof_nnt", my_answer, evidence, p.mode):
    ldn.show_table(
        ldn.teaching.responder_table(evidence),
        caption="The responder analysis: reported percentages and the counts that round to them",
        link_column="",
    )
    ldn.show_text(ldn.teaching.responder_text(evidence), heading="Risk difference and NNT")
    ldn.show_table(
        ldn.teaching.sof_row(evidence),
        caption="The completed summary-of-findings row (positive = less pain on LDN)",
        link_column="",
    )

# %% [markdown]
# An NNT needs three things beside it: the time frame (over how many weeks), the control risk (how many responded on placebo: the same relative benefit gives a larger NNT when fewer respond on placebo) and its confidence interval. When the interval of the risk difference includes zero, the NNT's interval passes through infinity: from a number needed to treat for benefit, through "no difference", to a number needed to harm. Percentages from a summary are rounded; rebuild the counts before computing anything from them, and say which denominator you assumed.

# %% [markdown]
# ## Studies cited on this page
#
# Each study the page names, linked to its DOI or PubMed record, with the page its numbers were read from.

# %%
ldn.studies.show_references(
    ldn.select(evidence), ldn.teaching.lesson_study_ids(evidence, "teach_summary_of_findings")
)

# %%
ldn.teaching.discuss("teach_summary_of_findings", p.mode)
