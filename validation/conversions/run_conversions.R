#!/usr/bin/env Rscript
# Reference values for ldn_analysis/stats/conversions.py (tests/test_conversions.py).
#
# Usage: Rscript validation/conversions/run_conversions.R [output-dir]
#   (default: tests/fixtures/conversions next to this repository's tests/)
#
# Writes conversions.json: `source` (R and metafor versions, every R call as a string),
# `data` (the inputs, so the tests need no R), `results` (computed here in base R and with
# metafor::escalc where escalc covers the case) and `published` (numbers printed in the
# sources, copied with their citation; never computed). Numbers use sprintf("%.17g").
#
# Where each reference comes from:
#   - SE from CI / p / t / F, SD from SE, SD from the CI of an MD, change-from-baseline SD,
#     correlation from SDs, percent change, counts from percentages: base R (qnorm, qt,
#     sqrt, floor) transcribing the Cochrane Handbook formulas (chapter 6).
#   - SE from t as an SMD: metafor 3.8-1 escalc(measure = "SMD", ti, n1i, n2i).
#     (escalc's `pi` argument for p-values does not exist in 3.8-1, so p-values use qt/qnorm.)
#   - Change-from-baseline SD and crossover MD: metafor escalc(measure = "MC", ri).
#   - Crossover SMD: Handbook 23.2.7.2 in base R, and escalc(measure = "SMCR") for the
#     relation between the two (J(n-1) and a different variance).
#   - Median/IQR/range: Wan et al. 2014 (BMC Med Res Methodol 14:135), Luo et al. 2018
#     (Stat Methods Med Res 27:1785) and Shi et al. 2020 (Res Synth Methods 11:641,
#     doi:10.1002/jrsm.1429, eq. 11) in base R; exact xi(n), eta(n) by integrate().
#   - published$wan2014_table1/table2: Wan et al. 2014 Tables 1 and 2 (3 decimals), as
#     transcribed in the R package meta (guido-s/meta, R/zzz.R, options Wan2014.Table1/2).
#   - published$handbook_crossover: Cochrane Handbook v5.1 section 16.4.6.4 worked example
#     (handbook-5-1.cochrane.org/chapter_16/16_4_6_4_example.htm; now 23.2.7).
#   - published$handbook_p_value: Cochrane Handbook v5.1 section 7.7.3.3 worked example
#     (MD 3.8, n 25 and 22, P = 0.008: t = 2.78, SE = 1.37).

suppressPackageStartupMessages(library(metafor))

args <- commandArgs(trailingOnly = TRUE)
file_arg <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
here <- if (length(file_arg)) dirname(normalizePath(file_arg)) else getwd()
outdir <- if (length(args)) args[1] else file.path(here, "..", "..", "tests", "fixtures", "conversions")
dir.create(outdir, showWarnings = FALSE, recursive = TRUE)

# ---- the exact JSON writer shared with the other reference scripts ----------------------
source(file.path(here, "..", "R", "json.R"))  # num(), to_json()

calls <- character()
run <- function(code) {
  calls <<- c(calls, code)
  eval(parse(text = code), envir = globalenv())
}
g <- function(name) I(unname(c(get(name, envir = globalenv()))))

# ---- 1. SE from a CI, a p-value, t and F; SD from SE and from the CI of an MD -------------
run("lo <- c(-4.1, 0.2, -1.5, 1.2); hi <- c(-0.3, 3.4, 2.5, 6.4); dfc <- c(9, 30, 58, 45)")
run("se_ci_z95 <- (hi - lo) / (2 * qnorm(0.975)); se_ci_z90 <- (hi - lo) / (2 * qnorm(0.95))")
run("se_ci_t95 <- (hi - lo) / (2 * qt(0.975, dfc))")
run("est <- c(-2.2, 1.8, 0.5, 3.8); pv <- c(0.021, 0.03, 0.74, 0.008); dfp <- c(18, 40, 58, 45)")
run("se_p_t <- abs(est) / qt(pv / 2, dfp, lower.tail = FALSE); se_p_z <- abs(est) / qnorm(pv / 2, lower.tail = FALSE)")
run("se_p_bound <- abs(est) / qt(0.05 / 2, dfp, lower.tail = FALSE)")
run("tv <- c(-2.5, 1.9, 0.33, 2.78); fv <- tv^2")
run("se_t <- abs(est / tv); se_f <- abs(est) / sqrt(fv)")
run("sem <- c(0.8, 1.25, 0.31); nse <- c(12, 30, 101); sd_se <- sem * sqrt(nse)")
run("n1 <- c(5, 15, 30, 25); n2 <- c(6, 17, 30, 22)")
run("sd_mdci_t <- (hi - lo) / (2 * qt(0.975, n1 + n2 - 2)) / sqrt(1 / n1 + 1 / n2)")
run("sd_mdci_z <- (hi - lo) / (2 * qnorm(0.975)) / sqrt(1 / n1 + 1 / n2)")
run('smd_t <- escalc(measure = "SMD", ti = tv, n1i = n1, n2i = n2)')

# ---- 2. median, quartiles, range -> mean, SD --------------------------------------------
run("nq <- c(5, 10, 27, 50, 51, 120, 400); a <- c(1, 0, 2.5, 10, 3, 0.4, 20); q1 <- c(2, 3, 4.1, 18, 7, 1.2, 31); m <- c(4, 5, 5.0, 22, 9, 2.0, 36); q3 <- c(5, 8, 6.8, 27, 12, 3.1, 44); b <- c(9, 15, 9.9, 41, 19, 6.5, 70)")
run("xi <- 2 * qnorm((nq - 0.375) / (nq + 0.25)); eta <- 2 * qnorm((0.75 * nq - 0.125) / (nq + 0.25))")
run("iqr_mean <- (0.7 + 0.39 / nq) * (q1 + q3) / 2 + (0.3 - 0.39 / nq) * m; iqr_sd <- (q3 - q1) / eta")
run("wr <- 4 / (4 + nq^0.75); range_mean <- wr * (a + b) / 2 + (1 - wr) * m; range_sd <- (b - a) / xi")
run("w1 <- 2.2 / (2.2 + nq^0.75); w2 <- 0.7 - 0.72 / nq^0.55; five_mean <- w1 * (a + b) / 2 + w2 * (q1 + q3) / 2 + (1 - w1 - w2) * m")
run("five_sd_wan <- 0.5 * (b - a) / xi + 0.5 * (q3 - q1) / eta")
run("five_sd_shi <- (b - a) / ((2 + 0.14 * nq^0.6) * qnorm((nq - 0.375) / (nq + 0.25))) + (q3 - q1) / ((2 + 2 / (0.07 * nq^0.6)) * qnorm((0.75 * nq - 0.125) / (nq + 0.25)))")
run("eos <- function(r, n) integrate(function(z) z * exp(lgamma(n + 1) - lgamma(r) - lgamma(n - r + 1) + dnorm(z, log = TRUE) + (r - 1) * pnorm(z, log.p = TRUE) + (n - r) * pnorm(z, lower.tail = FALSE, log.p = TRUE)), -Inf, Inf, rel.tol = 1e-12, abs.tol = 1e-13)$value")
run("xi_exact <- 2 * sapply(2:50, function(n) eos(n, n)); eta_exact <- 2 * sapply(1:50, function(q) eos(3 * q + 1, 4 * q + 1))")
run("range_sd_exact <- (b - a) / ifelse(nq <= 50, 2 * sapply(nq, function(n) eos(n, n)), xi)")

# ---- 3. change from baseline, percent change ------------------------------------------------
run("sdb <- c(6.4, 2.0, 11.5); sdf <- c(7.1, 2.6, 9.0); rr <- c(0.5, 0.8, 0.3); nch <- c(20, 35, 12)")
run("sd_ch <- sqrt(sdb^2 + sdf^2 - 2 * rr * sdb * sdf)")
run('mc_ch <- escalc(measure = "MC", m1i = c(0, 0, 0), m2i = c(0, 0, 0), sd1i = sdf, sd2i = sdb, ni = nch, ri = rr)')
run("sdc_obs <- c(4.5, 1.9, 12.0); corr_imp <- (sdb^2 + sdf^2 - sdc_obs^2) / (2 * sdb * sdf)")
run("pct <- c(-20, 12.5, -33); base <- c(48, 6.4, 150); mean_ch_pct <- pct / 100 * base")

# ---- 4. crossover trials analysed as paired ----------------------------------------------
run("xme <- c(7.0, 3.1, 4.0, 5.2); xmc <- c(6.5, 3.9, 4.3, 6.0); xse <- c(2.38, 1.8, 2.1, 2.4); xsc <- c(2.21, 2.0, 1.9, 2.2); xn <- c(10, 10, 28, 16); xr <- c(0.68, 0.5, 0.5, 0.3)")
run('xo_mc <- escalc(measure = "MC", m1i = xme, m2i = xmc, sd1i = xse, sd2i = xsc, ni = xn, ri = xr)')
run("xo_smd <- (xme - xmc) / sqrt((xse^2 + xsc^2) / 2); xo_smd_se <- sqrt(1 / xn + xo_smd^2 / (2 * xn)) * sqrt(2 * (1 - xr))")
run('xo_smcr <- escalc(measure = "SMCR", m1i = xme, m2i = xmc, sd1i = sqrt((xse^2 + xsc^2) / 2), ni = xn, ri = xr)')

# ---- 5. counts from percentages (round half up) -------------------------------------------
run("cp <- c(12.5, 33.3, 50, 7.1, 2.5, 0); cn <- c(40, 30, 21, 14, 20, 17); ev_raw <- cp / 100 * cn; ev <- floor(ev_raw + 0.5)")

data <- list(
  ci = list(low = g("lo"), high = g("hi"), df = g("dfc")),
  p = list(estimate = g("est"), p = g("pv"), df = g("dfp"), t = g("tv"), f = g("fv")),
  se_n = list(se = g("sem"), n = g("nse")),
  md_ci = list(low = g("lo"), high = g("hi"), n1 = g("n1"), n2 = g("n2")),
  quantiles = list(n = g("nq"), min = g("a"), q1 = g("q1"), median = g("m"), q3 = g("q3"), max = g("b")),
  change = list(sd_baseline = g("sdb"), sd_final = g("sdf"), r = g("rr"), n = g("nch"),
                sd_change_observed = g("sdc_obs"), percent = g("pct"), baseline_mean = g("base")),
  crossover = list(mean_e = g("xme"), mean_c = g("xmc"), sd_e = g("xse"), sd_c = g("xsc"), n = g("xn"), rho = g("xr")),
  counts = list(percent = g("cp"), n = g("cn"))
)
results <- list(
  se_ci_z95 = g("se_ci_z95"), se_ci_z90 = g("se_ci_z90"), se_ci_t95 = g("se_ci_t95"),
  se_p_t = g("se_p_t"), se_p_z = g("se_p_z"), se_p_bound_t = g("se_p_bound"),
  se_t = g("se_t"), se_f = g("se_f"), sd_from_se = g("sd_se"),
  sd_md_ci_t = g("sd_mdci_t"), sd_md_ci_z = g("sd_mdci_z"),
  smd_from_t = list(yi = I(c(smd_t$yi)), vi = I(smd_t$vi)),
  xi = g("xi"), eta = g("eta"),
  iqr_mean = g("iqr_mean"), iqr_sd = g("iqr_sd"),
  range_mean = g("range_mean"), range_sd = g("range_sd"), range_sd_exact_xi = g("range_sd_exact"),
  five_mean = g("five_mean"), five_sd_wan = g("five_sd_wan"), five_sd_shi = g("five_sd_shi"),
  xi_exact_n2_50 = g("xi_exact"), eta_exact_q1_50 = g("eta_exact"),
  sd_change = g("sd_ch"), mc_vi_times_n = I(c(mc_ch$vi) * nch),
  correlation = g("corr_imp"), mean_change_pct = g("mean_ch_pct"),
  crossover_mc = list(yi = I(c(xo_mc$yi)), vi = I(xo_mc$vi)),
  crossover_smd = g("xo_smd"), crossover_smd_se = g("xo_smd_se"),
  crossover_smcr = list(yi = I(c(xo_smcr$yi)), vi = I(xo_smcr$vi)),
  counts_raw = g("ev_raw"), counts = g("ev")
)
published <- list(
  wan2014_table1 = list(
    source = "Wan et al. 2014 BMC Med Res Methodol 14:135, Table 1: xi(n) for n = 1..50 (n = 1 printed as 0), as transcribed in R package meta, option Wan2014.Table1",
    n = I(2:50),
    xi = I(c(1.128, 1.693, 2.059, 2.326, 2.534, 2.704, 2.847, 2.970, 3.078, 3.173, 3.259, 3.336,
             3.407, 3.472, 3.532, 3.588, 3.640, 3.689, 3.735, 3.778, 3.819, 3.858, 3.895, 3.931,
             3.964, 3.997, 4.027, 4.057, 4.086, 4.113, 4.139, 4.165, 4.189, 4.213, 4.236, 4.259,
             4.280, 4.301, 4.322, 4.341, 4.361, 4.379, 4.398, 4.415, 4.433, 4.450, 4.466, 4.482,
             4.498))),
  wan2014_table2 = list(
    source = "Wan et al. 2014 BMC Med Res Methodol 14:135, Table 2: eta(n) for n = 4Q + 1, Q = 1..50, as transcribed in R package meta, option Wan2014.Table2",
    q = I(1:50),
    eta = I(c(0.990, 1.144, 1.206, 1.239, 1.260, 1.274, 1.284, 1.292, 1.298, 1.303, 1.307, 1.311,
              1.313, 1.316, 1.318, 1.320, 1.322, 1.323, 1.324, 1.326, 1.327, 1.328, 1.329, 1.330,
              1.330, 1.331, 1.332, 1.332, 1.333, 1.333, 1.334, 1.334, 1.335, 1.335, 1.336, 1.336,
              1.336, 1.337, 1.337, 1.337, 1.338, 1.338, 1.338, 1.338, 1.339, 1.339, 1.339, 1.339,
              1.339, 1.340))),
  handbook_crossover = list(
    source = "Cochrane Handbook v5.1 section 16.4.6.4 (now 23.2.7): crossover, n = 10, ME = 7.0, SDE = 2.38, MC = 6.5, SDC = 2.21",
    n = 10, mean_e = 7.0, sd_e = 2.38, mean_c = 6.5, sd_c = 2.21,
    sd_diff_imputed = 2, se_md_sd_diff = 0.632, corr = 0.68, se_md_corr = 0.583,
    smd = 0.218, se_smd = 0.256),
  handbook_p_value = list(
    source = "Cochrane Handbook v5.1 section 7.7.3.3: MD 3.8, n 25 and 22, P = 0.008, t on 45 df = 2.78, SE = 3.8 / 2.78 = 1.37",
    md = 3.8, n1 = 25, n2 = 22, p = 0.008, t = 2.78, se = 1.37)
)
src <- list(
  R = R.version.string,
  metafor = as.character(packageVersion("metafor")),
  script = "validation/conversions/run_conversions.R",
  calls = I(calls)
)
writeLines(to_json(list(source = src, data = data, results = results, published = published)),
           file.path(outdir, "conversions.json"))
cat("wrote conversions\n")
