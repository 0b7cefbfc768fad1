"""egger_many: Egger's test on G data sets at once equals the scalar egger() on each."""

import numpy as np
import pytest

from ldn_analysis.stats.diagnostics import egger, egger_many

FIELDS = ("z_or_t", "pvalue", "df", "slope", "limit_estimate", "limit_ci_low", "limit_ci_high")


def _data(g, k, seed):
    rng = np.random.default_rng(seed)
    v = rng.uniform(0.01, 0.5, size=(g, k))
    y = rng.normal(0.0, np.sqrt(v)) + rng.uniform(0, 2, size=(g, 1)) * np.sqrt(v)
    return y, v


@pytest.mark.parametrize(
    ("method", "test", "k"),
    [("REML", "z", 5), ("REML", "z", 20), ("DL", "knha", 8), ("ML", "t", 10)],
)
def test_matches_scalar_egger(method, test, k):
    y, v = _data(60, k, seed=k)
    many = egger_many(y, v, method, test)
    for i in range(y.shape[0]):
        one = egger(y[i], v[i], method=method, test=test)
        for name in FIELDS:
            assert many[name].iloc[i] == pytest.approx(getattr(one, name), rel=1e-10, abs=1e-12)


def test_equal_variances_are_an_error_as_in_egger():
    y, v = _data(3, 5, seed=1)
    v[1] = 0.1
    with pytest.raises(ValueError, match="data sets \\[1\\]"):
        egger_many(y, v)
    with pytest.raises(ValueError):
        egger(y[1], v[1])
