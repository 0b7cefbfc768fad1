"""Binomial-normal GLMM of single proportions: the engine vs metafor ``rma.glmm`` in R.

Cases: the sparse-event sets of ``tests/fixtures/metafor/glmm_sparse.json`` (zeros, all
events, tiny n, one cluster of events) and the three sets of ``proportions.json``.
Candidate: :func:`ldn_analysis.stats.proportions.pool_proportions` with ``model="glmm"``
(best of 3 runs over all cases). Baseline, measured in the same run: a loop of
``rma.glmm(measure = "PLO", method = "ML")`` calls inside R with metafor's default control
(only the fitting loop is timed, with ``system.time``, after one warm-up fit, so R's start-up
and package loading do not count). Needs ``Rscript`` with metafor and lme4; otherwise only
the engine's time is reported.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from ldn_analysis.stats.proportions import pool_proportions

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "metafor"

R_CODE = r"""
suppressPackageStartupMessages(library(metafor))
args <- commandArgs(trailingOnly = TRUE)
cases <- jsonlite::fromJSON(args[1], simplifyVector = FALSE)
x <- lapply(cases, function(c) unlist(c$events)); n <- lapply(cases, function(c) unlist(c$n))
invisible(suppressWarnings(rma.glmm(measure = "PLO", xi = x[[1]], ni = n[[1]])))  # warm-up
est <- se <- rep(NA_real_, length(x))
secs <- system.time(for (i in seq_along(x)) {
  r <- try(suppressWarnings(rma.glmm(measure = "PLO", xi = x[[i]], ni = n[[i]], method = "ML")),
           silent = TRUE)
  if (!inherits(r, "try-error")) { est[i] <- r$beta; se[i] <- r$se }
})[["elapsed"]]
num <- function(v) paste0("[", paste(ifelse(is.na(v), "null", sprintf("%.17g", v)), collapse = ","), "]")
writeLines(paste0('{"seconds": ', sprintf("%.6f", secs), ', "est": ', num(est), ', "se": ', num(se), "}"),
           args[2])
"""


def cases() -> list[dict]:
    """Return the benchmark cases: events and n per study, one dict per meta-analysis."""
    out = []
    for name in ("glmm_sparse", "proportions"):
        data = json.loads((FIXTURES / f"{name}.json").read_text())["data"]
        out += [{"events": d["events"], "n": d["n"]} for d in data.values()]
    return out


def _rma_glmm(data: list[dict]) -> dict | None:
    """Fit every case with rma.glmm; None when Rscript, metafor or lme4 is missing."""
    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        inp, script, out = Path(tmp, "cases.json"), Path(tmp, "b.R"), Path(tmp, "out.json")
        inp.write_text(json.dumps(data))
        script.write_text(R_CODE)
        run = subprocess.run(
            ["Rscript", str(script), str(inp), str(out)], capture_output=True, text=True
        )
        if run.returncode != 0 or not out.exists():
            return None
        res = json.loads(out.read_text())
    return {k: np.array([np.nan if x is None else x for x in v]) if isinstance(v, list) else v
            for k, v in res.items()}  # fmt: skip


def run() -> list[dict]:
    """Time the engine and rma.glmm on the same cases; one row."""
    data = cases()
    fits = [pool_proportions(c["events"], c["n"], model="glmm") for c in data]  # warm-up
    times = []
    for _ in range(3):
        start = time.perf_counter()
        fits = [pool_proportions(c["events"], c["n"], model="glmm") for c in data]
        times.append(time.perf_counter() - start)
    candidate = min(times)
    row = {
        "name": f"GLMM proportions (ML, 7-point AGHQ), {len(data)} meta-analyses",
        "candidate_label": "pool_proportions(model='glmm')",
        "candidate_seconds": candidate,
    }
    ref = _rma_glmm(data)
    if ref is None:
        row.update(baseline_label="rma.glmm (not run)", baseline_seconds=float("nan"))
        row.update(ratio=float("nan"), details="Rscript with metafor and lme4 not found")
        return [row]
    est = np.array([f.logit_estimate for f in fits])
    ok = np.isfinite(ref["est"])
    d_est = float(np.max(np.abs(est[ok] - ref["est"][ok])))
    row.update(
        baseline_label="metafor rma.glmm loop in R (default control)",
        baseline_seconds=float(ref["seconds"]),
        ratio=float(ref["seconds"]) / candidate,
        details=(
            f"{int(ok.sum())}/{len(data)} fitted by rma.glmm; max |logit estimate diff| "
            f"{d_est:.1e} (the R defaults stop early; tight-control agreement is tested in "
            "tests/test_metafor_alignment.py); engine best of 3 runs"
        ),
    )
    return [row]


if __name__ == "__main__":
    for r in run():
        print(r)
