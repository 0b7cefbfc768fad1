#!/usr/bin/env Rscript
# Reference values from R metafor for tests/test_metafor_alignment.py.
#
# Usage: Rscript validation/metafor/run_metafor.R [output-dir]
#   (default output dir: tests/fixtures/metafor next to this repository's tests/)
#
# Every JSON file holds: `source` (R, metafor and lme4 versions and every R call that
# produced the numbers, as strings), `data` (the inputs, so the tests need no R) and
# `results`. Numbers are written with sprintf("%.17g"), so they round-trip exactly.
# Iterative fits use tight control settings (metafor's defaults stop Fisher scoring at a
# change of 1e-5 and uniroot at ~1.2e-4, e.g. default PM on dat.bcg is good to ~1e-5 only).

suppressPackageStartupMessages({
  library(metafor)
  library(lme4)
})

args <- commandArgs(trailingOnly = TRUE)
file_arg <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
here <- if (length(file_arg)) dirname(normalizePath(file_arg)) else getwd()
outdir <- if (length(args)) args[1] else file.path(here, "..", "..", "tests", "fixtures", "metafor")
dir.create(outdir, showWarnings = FALSE, recursive = TRUE)

# ---- the exact JSON writer shared with the other reference scripts ----------------------
source(file.path(here, "..", "R", "json.R"))  # num(), to_json()

calls <- character()
run <- function(code) {
  calls <<- c(calls, code)
  eval(parse(text = code), envir = globalenv())
}
write_case <- function(name, data, results) {
  force(data)
  force(results)  # evaluate the calls before recording them
  src <- list(
    R = R.version.string,
    metafor = as.character(packageVersion("metafor")),
    lme4 = as.character(packageVersion("lme4")),
    script = "validation/metafor/run_metafor.R",
    calls = I(calls)
  )
  writeLines(to_json(list(source = src, data = data, results = results)),
             file.path(outdir, paste0(name, ".json")))
  calls <<- character()
  cat("wrote", name, "\n")
}

# ---- helpers -----------------------------------------------------------------------------
methods <- c("FE", "DL", "REML", "PM", "ML", "HE", "SJ")
tests <- c("z", "knha", "adhoc")
run("ctl <- list(threshold = 1e-12, tol = 1e-12, maxiter = 1000)")

rma_vals <- function(r) {
  p <- predict(r)
  out <- list(
    method = r$method, test = r$test, k = r$k,
    estimate = c(r$beta), se = r$se, zval = r$zval, pval = r$pval,
    ci_lb = r$ci.lb, ci_ub = r$ci.ub, pi_lb = p$pi.lb, pi_ub = p$pi.ub,
    tau2 = r$tau2, I2 = r$I2, H2 = r$H2, QE = r$QE, QEp = r$QEp, s2w = r$s2w,
    ddf = r$ddf, weights = I(unname(weights(r)))
  )
  if (!r$method %in% c("FE", "EE", "CE")) {
    cf <- confint(r, control = list(tol = 1e-12, tau2.max = 1e6))$random
    out$tau2_ci_lb <- cf["tau^2", "ci.lb"]
    out$tau2_ci_ub <- cf["tau^2", "ci.ub"]
    out$I2_ci_lb <- cf["I^2(%)", "ci.lb"]
    out$I2_ci_ub <- cf["I^2(%)", "ci.ub"]
  }
  out
}
grid <- function(dname, tsts = tests) {
  res <- list()
  for (m in methods) for (t in tsts) {
    code <- sprintf(
      'res <- suppressWarnings(rma(yi, vi, data = %s, method = "%s", test = "%s", control = ctl)); predict(res); if (res$method != "FE") confint(res, control = list(tol = 1e-12, tau2.max = 1e6))',
      dname, m, t)
    r <- run(code)
    res[[length(res) + 1]] <- rma_vals(get("res", envir = globalenv()))
  }
  res
}
coefs <- function(r) {
  list(term = I(rownames(r$beta)), estimate = I(c(r$beta)), se = I(r$se), zval = I(r$zval),
       pval = I(r$pval), ci_lb = I(r$ci.lb), ci_ub = I(r$ci.ub))
}

# ---- 1. dat.bcg: every estimator x test ------------------------------------------------------
run('bcg <- escalc(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)')
bcg_data <- list(tpos = I(dat.bcg$tpos), tneg = I(dat.bcg$tneg), cpos = I(dat.bcg$cpos),
                 cneg = I(dat.bcg$cneg), ablat = I(dat.bcg$ablat), year = I(dat.bcg$year),
                 alloc = I(as.character(dat.bcg$alloc)), yi = I(c(bcg$yi)), vi = I(bcg$vi))
bcg_res <- grid("bcg")
bcg_res <- c(bcg_res, grid("bcg", "t"))  # plain t (k - p df, no Knapp-Hartung), added later
write_case("bcg_grid", bcg_data, bcg_res)

# ---- 2. k = 2, and a homogeneous set where tau^2 truncates at 0 ------------------------------
run("k2 <- bcg[1:2, ]")
k2_res <- grid("k2")
k2_calls <- calls
calls <- character()
run("homog <- data.frame(yi = c(0.10, 0.12, 0.09, 0.11, 0.13), vi = c(0.04, 0.05, 0.03, 0.06, 0.05))")
homog_res <- grid("homog")
calls <- c(k2_calls, calls)
k2_res <- c(k2_res, grid("k2", "t"))  # plain t, appended so the earlier entries stay as they were
homog_res <- c(homog_res, grid("homog", "t"))
write_case("small_and_zero_tau2",
           list(k2 = list(yi = I(c(k2$yi)), vi = I(k2$vi)),
                homog = list(yi = I(homog$yi), vi = I(homog$vi))),
           list(k2 = k2_res, homog = homog_res))

# ---- 3. continuous outcomes: SMD / MD (dat.normand1999), SMCR / MC (pre/post, crossover) ----
run('smd <- escalc(measure = "SMD", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i, data = dat.normand1999)')
run('mdd <- escalc(measure = "MD", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i, data = dat.normand1999)')
run('pp <- data.frame(m_pre = c(6.1, 5.8, 7.0, 6.4), sd_pre = c(1.5, 2.0, 1.8, 1.2), m_post = c(4.2, 5.1, 5.5, 4.9), sd_post = c(1.9, 2.2, 2.0, 1.6), n = c(12, 30, 8, 25))')
run('pp_smcr <- escalc(measure = "SMCR", m1i = m_post, m2i = m_pre, sd1i = sd_pre, ni = n, ri = rep(0.5, 4), data = pp)')
run('pp_mc <- escalc(measure = "MC", m1i = m_post, m2i = m_pre, sd1i = sd_post, sd2i = sd_pre, ni = n, ri = rep(0.5, 4), data = pp)')
run('xo <- data.frame(m_ldn = c(3.1, 4.0, 5.2), sd_ldn = c(1.8, 2.1, 2.4), m_pbo = c(3.9, 4.3, 6.0), sd_pbo = c(2.0, 1.9, 2.2), n = c(10, 28, 16))')
run('xo_smcr <- escalc(measure = "SMCR", m1i = m_ldn, m2i = m_pbo, sd1i = sqrt((sd_ldn^2 + sd_pbo^2) / 2), ni = n, ri = rep(0.5, 3), data = xo)')
run('xo_mc <- escalc(measure = "MC", m1i = m_ldn, m2i = m_pbo, sd1i = sd_ldn, sd2i = sd_pbo, ni = n, ri = rep(0.5, 3), data = xo)')
run('smd_reml <- rma(yi, vi, data = smd, control = ctl); smd_dl <- rma(yi, vi, data = smd, method = "DL")')
write_case("continuous",
           list(normand1999 = as.list(dat.normand1999[, c("n1i", "m1i", "sd1i", "n2i", "m2i", "sd2i")]),
                pre_post = as.list(pp), crossover = as.list(xo)),
           list(smd = list(yi = I(c(smd$yi)), vi = I(smd$vi)),
                md = list(yi = I(c(mdd$yi)), vi = I(mdd$vi)),
                pre_post_smcr = list(yi = I(c(pp_smcr$yi)), vi = I(pp_smcr$vi)),
                pre_post_mc = list(yi = I(c(pp_mc$yi)), vi = I(pp_mc$vi)),
                crossover_smcr = list(yi = I(c(xo_smcr$yi)), vi = I(xo_smcr$vi)),
                crossover_mc = list(yi = I(c(xo_mc$yi)), vi = I(xo_mc$vi)),
                smd_reml = rma_vals(smd_reml), smd_dl = rma_vals(smd_dl)))

# ---- 4. proportions: logit (PLO + rma) and GLMM (rma.glmm, lme4) ----------------------------
run('glmm_ctl <- list(glmerCtrl = list(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-12, maxfun = 1e5)))')
prop_case <- function(setup) {
  run(setup)
  x <- get("px", globalenv()); n <- get("pn", globalenv())
  run('pl <- escalc(measure = "PLO", xi = px, ni = pn)')
  run('lg <- rma(yi, vi, data = pl, control = ctl); lgp <- predict(lg, transf = transf.ilogit)')
  run('gm <- rma.glmm(measure = "PLO", xi = px, ni = pn, control = glmm_ctl); gmp <- predict(gm, transf = transf.ilogit)')
  run('gd <- rma.glmm(measure = "PLO", xi = px, ni = pn)')
  e <- globalenv()
  pl <- e$pl; lg <- e$lg; lgp <- e$lgp; gm <- e$gm; gmp <- e$gmp; gd <- e$gd
  pv <- function(r, p) list(logit_estimate = c(r$beta), logit_se = r$se, tau2 = r$tau2, I2 = r$I2,
                            estimate = p$pred, ci_lb = p$ci.lb, ci_ub = p$ci.ub,
                            pi_lb = p$pi.lb, pi_ub = p$pi.ub)
  list(data = list(events = I(x), n = I(n)),
       results = list(plo = list(yi = I(c(pl$yi)), vi = I(pl$vi)), logit = pv(lg, lgp),
                      glmm = pv(gm, gmp),
                      glmm_default = list(logit_estimate = c(gd$beta), logit_se = gd$se, tau2 = gd$tau2)))
}
pr <- list()
pr$pritz1997 <- prop_case("px <- dat.pritz1997$xi; pn <- dat.pritz1997$ni")
pr$ldn_like_homogeneous <- prop_case("px <- c(0, 3, 5, 1, 8, 2); pn <- c(20, 31, 45, 12, 60, 25)")
pr$ldn_like_heterogeneous <- prop_case("px <- c(0, 3, 12, 1, 15, 2); pn <- c(20, 31, 40, 12, 50, 25)")
write_case("proportions", lapply(pr, `[[`, "data"), lapply(pr, `[[`, "results"))

# ---- 5. per-study binomial intervals ----------------------------------------------------------
run("bx <- c(0, 1, 5, 10, 3, 0, 12, 57); bn <- c(10, 10, 10, 10, 31, 58, 40, 60)")
run("cp <- t(mapply(function(x, n) binom.test(x, n)$conf.int, bx, bn))")
run("wi <- t(mapply(function(x, n) suppressWarnings(prop.test(x, n, correct = FALSE))$conf.int, bx, bn))")
write_case("binomial_ci", list(events = I(bx), n = I(bn)),
           list(clopper_pearson_low = I(cp[, 1]), clopper_pearson_high = I(cp[, 2]),
                wilson_low = I(wi[, 1]), wilson_high = I(wi[, 2])))

# ---- 6. meta-regression: dat.bcg ~ ablat ------------------------------------------------------
mr_out <- list()
for (m in c("REML", "DL", "FE", "ML", "PM")) for (t in c("z", "knha")) {
  run(sprintf('mr <- suppressWarnings(rma(yi, vi, mods = ~ ablat, data = bcg, method = "%s", test = "%s", control = ctl))', m, t))
  r <- get("mr", globalenv())
  mr_out[[length(mr_out) + 1]] <- c(list(method = m, test = t), coefs(r),
                            list(tau2 = r$tau2, I2 = r$I2, H2 = r$H2, R2 = r$R2, QE = r$QE, QEp = r$QEp,
                                 QM = r$QM, QMp = r$QMp, QMdf = I(r$QMdf)))
}
write_case("metareg", list(yi = I(c(bcg$yi)), vi = I(bcg$vi), ablat = I(dat.bcg$ablat)), mr_out)

# ---- 7. Egger (regtest), leave1out, cumul, rstudent, cooks.distance --------------------------
dg <- list()
for (spec in list(c("REML", "z"), c("REML", "knha"), c("DL", "z"))) {
  run(sprintf('fit <- rma(yi, vi, data = bcg, method = "%s", test = "%s", control = ctl)', spec[1], spec[2]))
  run("eg <- regtest(fit); l1 <- leave1out(fit); cu <- cumul(fit, order = dat.bcg$year); rs <- rstudent(fit); cd <- cooks.distance(fit)")
  eg <- get("eg", globalenv()); l1 <- get("l1", globalenv()); cu <- get("cu", globalenv())
  rs <- get("rs", globalenv()); cd <- get("cd", globalenv())
  stat <- if (spec[2] == "z") "zval" else "tval"
  dg[[length(dg) + 1]] <- list(
    method = spec[1], test = spec[2],
    regtest = list(zval = eg$zval, pval = eg$pval, ddf = eg$ddf, est = eg$est, ci_lb = eg$ci.lb, ci_ub = eg$ci.ub),
    leave1out = list(estimate = I(l1$estimate), se = I(l1$se), zval = I(l1[[stat]]), pval = I(l1$pval),
                     ci_lb = I(l1$ci.lb), ci_ub = I(l1$ci.ub), Q = I(l1$Q), Qp = I(l1$Qp),
                     tau2 = I(l1$tau2), I2 = I(l1$I2), H2 = I(l1$H2)),
    cumul = list(slab = I(as.character(cu$slab)), estimate = I(cu$estimate), se = I(cu$se),
                 ci_lb = I(cu$ci.lb), ci_ub = I(cu$ci.ub), Q = I(cu$Q), tau2 = I(cu$tau2), I2 = I(cu$I2)),
    rstudent = list(resid = I(rs$resid), se = I(rs$se), z = I(rs$z)),
    cooks_distance = I(unname(cd)))
}
run('fitm <- rma(yi, vi, mods = ~ ablat, data = bcg, control = ctl); rsm <- rstudent(fitm); cdm <- cooks.distance(fitm)')
rsm <- get("rsm", globalenv()); cdm <- get("cdm", globalenv())
dg[[length(dg) + 1]] <- list(method = "REML", test = "z", mods = "ablat",
                             rstudent = list(resid = I(rsm$resid), se = I(rsm$se), z = I(rsm$z)),
                             cooks_distance = I(unname(cdm)))
write_case("diagnostics", list(yi = I(c(bcg$yi)), vi = I(bcg$vi), year = I(dat.bcg$year),
                               ablat = I(dat.bcg$ablat)), dg)

# ---- 8. subgroups: dat.bcg by allocation --------------------------------------------------------
sg <- list()
for (t in c("z", "knha")) {
  lev <- sort(unique(as.character(dat.bcg$alloc)))
  per <- lapply(lev, function(l) {
    run(sprintf('sub <- rma(yi, vi, data = bcg, subset = alloc == "%s", test = "%s", control = ctl)', l, t))
    s <- get("sub", globalenv())
    list(group = l, k = s$k, estimate = c(s$beta), se = s$se, tau2 = s$tau2)
  })
  run(sprintf('seps <- lapply(split(bcg, bcg$alloc), function(d) rma(yi, vi, data = d, test = "%s", control = ctl))', t))
  run('sepfe <- rma(sapply(seps, coef), sei = sapply(seps, `[[`, "se"), mods = ~ factor(names(seps)), method = "FE")')
  sepfe <- get("sepfe", globalenv())
  run(sprintf('com <- rma(yi, vi, mods = ~ factor(alloc), data = bcg, test = "%s", control = ctl)', t))
  com <- get("com", globalenv())
  sg[[length(sg) + 1]] <- list(test = t, separate = list(groups = per, QM = sepfe$QM, QMp = sepfe$QMp),
                               common = c(coefs(com), list(tau2 = com$tau2, QM = com$QM, QMp = com$QMp,
                                                           QMdf = I(com$QMdf))))
}
write_case("subgroup", list(yi = I(c(bcg$yi)), vi = I(bcg$vi), alloc = I(as.character(dat.bcg$alloc))), sg)

# ---- 9. 2x2 tables with zero cells (dat.nielweise2007) -----------------------------------------
zc_out <- list()
for (m in c("RR", "OR", "RD")) for (d00 in c(FALSE, TRUE)) {
  run(sprintf('zc <- escalc(measure = "%s", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = dat.nielweise2007, drop00 = %s)', m, d00))
  z <- get("zc", globalenv())
  zc_out[[length(zc_out) + 1]] <- list(measure = m, drop00 = d00, yi = I(c(z$yi)), vi = I(z$vi))
}
write_case("escalc_binary", as.list(dat.nielweise2007[, c("ai", "n1i", "ci", "n2i")]), zc_out)

# ---- 10. Fisher scoring that oscillates with full steps (metafor fails; stepadj = 0.5 works) ---
run("osc <- data.frame(yi = c(0.398170, 0.344318, 0.046212, 0.582807, 0.085756, 0.593650, 0.119625, 0.208858, 0.717367, 0.312795), vi = c(0.046773, 0.029756, 0.017368, 0.136884, 0.135018, 0.137482, 0.137945, 0.120728, 0.188934, 0.097369))")
run("osc_default <- try(rma(yi, vi, data = osc), silent = TRUE)")
run("osc_fix <- rma(yi, vi, data = osc, control = list(threshold = 1e-12, maxiter = 1000, stepadj = 0.5))")
write_case("fisher_scoring_remedy", list(yi = I(osc$yi), vi = I(osc$vi)),
           list(default_converged = !inherits(osc_default, "try-error"),
                default_error = if (inherits(osc_default, "try-error")) trimws(as.character(osc_default)) else "",
                stepadj_0.5 = rma_vals(osc_fix)))

# ---- 11. sparse-event proportions: rma.glmm (ML, tight lme4 control) --------------------------
# Zeros, all events, tiny n, one cluster of events: the cases where a GLMM engine can stop
# short of the maximum. The log-likelihood is kept so the engine can be checked to reach it.
sparse <- list(
  minimal = "px <- c(0, 0, 0, 10, 0); pn <- c(25, 18, 39, 32, 21)",
  one_event = "px <- c(1, 0, 0, 0); pn <- c(20, 30, 15, 40)",
  zeros_large_n = "px <- c(0, 0, 0, 1); pn <- c(200, 150, 300, 250)",
  tiny_n = "px <- c(0, 1, 1, 0, 2); pn <- c(2, 3, 1, 4, 2)",
  cluster = "px <- c(0, 0, 1, 0, 9, 11); pn <- c(30, 25, 28, 40, 12, 14)",
  two_studies = "px <- c(0, 5); pn <- c(10, 12)",
  all_events_but_one = "px <- c(20, 15, 30, 5); pn <- c(20, 15, 30, 25)",
  near_all_events = "px <- c(19, 20, 18, 25); pn <- c(20, 20, 20, 25)",
  high_heterogeneity = "px <- c(1, 30, 2, 45, 0); pn <- c(50, 50, 50, 50, 50)",
  rare_many = "px <- c(0, 1, 0, 0, 2, 0, 1, 0); pn <- c(40, 35, 50, 60, 45, 30, 55, 38)",
  singleton_events = "px <- c(0, 0, 3); pn <- c(10, 10, 5)",
  moderate = "px <- c(2, 4, 1, 3, 0, 6); pn <- c(15, 22, 9, 18, 11, 25)"
)
run('glmm_ctl <- list(glmerCtrl = list(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-12, maxfun = 1e5)))')
gs_data <- list()
gs_res <- list()
for (nm in names(sparse)) {
  run(sparse[[nm]])
  run('gm <- rma.glmm(measure = "PLO", xi = px, ni = pn, method = "ML", control = glmm_ctl)')
  e <- globalenv()
  gs_data[[nm]] <- list(events = I(e$px), n = I(e$pn))
  gs_res[[nm]] <- list(logit_estimate = c(e$gm$beta), logit_se = e$gm$se, tau2 = e$gm$tau2,
                       ll = c(logLik(e$gm)))
}
write_case("glmm_sparse", gs_data, gs_res)
