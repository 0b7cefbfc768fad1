"""Statistics: arrays in, typed results out (validated against R metafor and lme4).

Nothing here knows CSV columns, prose or charts. Modules, lowest first:

- :mod:`.inference`: critical values (the one ``Z95``), p-values, option look-up, the
  NaN policy and the warnings every fit shares;
- :mod:`.tau2`: every tau^2 estimator, written once for G data sets and a design matrix;
- :mod:`.rma`: the random-effects and common-effect models (``pool``, ``pool_many``);
- :mod:`.metareg`: meta-regression on the same engine;
- :mod:`.diagnostics`: Egger's test, leave-one-out, cumulative, influence and subgroup
  analyses, each refitting a fitted result with its own settings;
- :mod:`.escalc`: effect sizes and sampling variances (SMD, MD, SMCR, MC, log RR/OR, RD);
- :mod:`.proportions` and :mod:`.glmm`: single proportions (Wilson, Clopper-Pearson, rule
  of three) and pooled prevalence (logit and binomial-normal GLMM);
- :mod:`.risk_difference`: a difference of two proportions with Newcombe's interval, the
  NNT with its interval through infinity, counts that round to a reported percentage.
"""
