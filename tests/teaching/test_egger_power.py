"""egger_power (vectorized over replicates) gives the table of the scalar egger() loop."""

import numpy as np
import pandas as pd
import pytest

from ldn_analysis.analysis import select
from ldn_analysis.analysis.effects import compute_effects
from ldn_analysis.stats.diagnostics import egger
from ldn_analysis.teaching.heterogeneity import EGGER_ALPHA, egger_power


def _scalar_egger_power(evidence, ks, slope, reps, seed):
    """The simulation as it was written first: one scalar egger() fit per data set."""
    vi = compute_effects(select(evidence).outcomes)["vi"].dropna().to_numpy(float)
    rng = np.random.default_rng(seed)
    rows = []
    for k in ks:
        hits = {True: 0, False: 0}
        for _ in range(reps):
            v = rng.choice(vi, size=k, replace=True)
            se = np.sqrt(v)
            noise = rng.normal(0.0, se)
            for present in (True, False):
                y = noise + (slope * se if present else 0.0)
                hits[present] += egger(y, v).pvalue < EGGER_ALPHA
        rows.append(
            {
                "studies (k)": k,
                "detected when present (%)": round(100 * hits[True] / reps),
                "false alarms when absent (%)": round(100 * hits[False] / reps),
            }
        )
    return pd.DataFrame(rows)


@pytest.mark.parametrize(("ks", "slope", "reps", "seed"), [((5, 10, 20), 2.0, 25, 20240601),
                                                           ((3, 7), 1.0, 30, 7)])  # fmt: skip
def test_same_table_as_the_scalar_loop(real_evidence, ks, slope, reps, seed):
    got = egger_power(real_evidence, ks=ks, slope=slope, reps=reps, seed=seed)
    want = _scalar_egger_power(real_evidence, ks, slope, reps, seed)
    pd.testing.assert_frame_equal(got, want)
