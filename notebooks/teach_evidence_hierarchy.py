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
#     answers: 'Why study design matters: results by design, from case reports to randomised
#       trials ({mode} version).'
#     expand:
#     - mode
#     group: teaching
#     order: 2
#     title: 'Teaching: the evidence hierarchy ({mode} version)'
# ---

# %% [markdown]
# # Teaching: the evidence hierarchy
#
# Why a case report, an open-label study and a placebo-controlled trial of the same drug for the same condition can give different answers, and which answer to believe. We use the condition with the most randomized trials of low-dose naltrexone (LDN) in the evidence base, then every condition together, and end with a headline about one study.
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
claims = ldn.load_claims()
condition = ldn.teaching.focus_condition(evidence)
selection = ldn.select(evidence, condition)

# %% [markdown]
# ## The ladder of designs
#
# A study can only show that LDN *caused* an improvement if something else could not explain it. Climbing the ladder removes alternative explanations one by one:
#
# - **case reports and case series** describe people who were treated; people who did not improve are rarely written up;
# - **retrospective cohorts and prescription databases** look back at records, with no control over who got LDN or how outcomes were measured;
# - **uncontrolled prospective studies** follow everyone who starts LDN, but improvement over time includes the placebo response, regression to the mean (people enrol when symptoms are worst) and natural recovery;
# - **controlled, non-randomized studies** add a comparison group, but the groups may differ from the start;
# - **randomized controlled trials** let chance decide who gets LDN, and with a placebo and blinding, expectations are the same in both groups.
#
# Below is every study of the condition with its design, size, dose, duration and a link to the page the numbers were taken from. Count what is there.

# %%
ldn.tables.study_list(selection).show()

# %%
ldn.teaching.ask("count_rcts", evidence, condition=condition)

# %% tags=["answer"]
my_answer = None

# %%
ldn.teaching.feedback("count_rcts", my_answer, evidence, p.mode, condition=condition)

# %% [markdown]
# ## One condition, every design
#
# The ladder puts each study of the condition on its design's rung; block width is the number of participants and colour is what the study's own authors concluded. Then the same in numbers.

# %%
if ldn.teaching.unlocked("count_rcts", my_answer, evidence, p.mode, condition=condition):
    ldn.figures.ladder_chart(selection).show()
    ldn.show_text(ldn.teaching.hierarchy_text(evidence, condition))
    ldn.show_table(
        ldn.teaching.design_results(evidence, condition).drop(columns="share_benefit"),
        caption="Studies per rung and the result their authors reported",
    )

# %% [markdown]
# ## Every condition: does the rung change the answer?
#
# If uncontrolled designs reported benefit about as often as randomized trials, the ladder would not matter much. Compare the share of studies reporting benefit on each rung.

# %%
ldn.teaching.design_results_chart(evidence).show()
ldn.show_text(ldn.teaching.hierarchy_text(evidence))

# %% [markdown]
# ## From a headline to the evidence
#
# Public texts about LDN often cite one study. A claim is judged with one of the verdict words below; read their meanings first.

# %%
ldn.show_table(ldn.teaching.verdict_table(), caption="The verdict words and what they mean")

# %% [markdown]
# Read the claim below, find the study's design in the list of studies above, and decide what the claim is worth.

# %%
headline = ldn.teaching.uncontrolled_claim(evidence, claims)
ldn.show_text(ldn.teaching.claim_card_text(claims, headline), heading="The headline")

# %%
ldn.teaching.ask("claim_verdict", evidence, claim_id=headline)

# %% tags=["answer"]
my_answer = None

# %%
ldn.teaching.feedback("claim_verdict", my_answer, evidence, p.mode, claim_id=headline)

# %%
ldn.teaching.discuss("teach_evidence_hierarchy", p.mode)
