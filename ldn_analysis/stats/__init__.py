"""Statistics: arrays in, typed results out (validated against R metafor and lme4).

Nothing here knows CSV columns, prose or charts. Modules, lowest first:

- :mod:`.rma`: the random-effects and common-effect models (``pool``, ``pool_many``);
- :mod:`.diagnostics`: meta-regression, Egger's test, leave-one-out, cumulative,
  influence and subgroup analyses;
- :mod:`.escalc`: effect sizes and sampling variances (SMD, MD, SMCR, MC, log RR/OR, RD);
- :mod:`.proportions`: single proportions (Wilson, Clopper-Pearson, rule of three) and
  pooled prevalence (logit and GLMM).
"""
