"""Risk difference with Newcombe's interval, the NNT through infinity, counts from percentages.

Reference values: the Wilson limits come from R ``prop.test(correct = FALSE)`` (run here
when Rscript is available); Newcombe's method 10 combines them in closed form (Newcombe
1998, Stat Med 17:873-890). The NNT inversion follows Altman (1998, BMJ 317:1309).
"""

from __future__ import annotations

import math
import shutil
import subprocess

import pytest

from ldn_analysis.stats.proportions import wilson
from ldn_analysis.stats.risk_difference import counts_rounding_to, newcombe, number_needed
from ldn_analysis.text.absolute import nnt_interval_text, points_side

CASES = [(22, 49, 14, 50), (56, 70, 48, 80), (5, 56, 0, 29), (0, 10, 0, 20), (10, 10, 0, 20)]


def _r_wilson(x: int, n: int) -> tuple[float, float]:
    out = subprocess.run(
        ["Rscript", "-e", f"cat(prop.test({x}, {n}, correct = FALSE)$conf.int, sep = ' ')"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    lo, hi = (float(v) for v in out.stdout.split())
    return lo, hi


@pytest.mark.r
@pytest.mark.skipif(shutil.which("Rscript") is None, reason="Rscript not found")
@pytest.mark.parametrize(("x1", "n1", "x0", "n0"), CASES)
def test_newcombe_combines_the_wilson_limits_of_r(x1, n1, x0, n0):
    l1, u1 = _r_wilson(x1, n1)
    l0, u0 = _r_wilson(x0, n0)
    p1, p0 = x1 / n1, x0 / n0
    rd = newcombe(x1, n1, x0, n0)
    assert rd.rd == pytest.approx(p1 - p0)
    assert rd.low == pytest.approx(p1 - p0 - math.hypot(p1 - l1, u0 - p0), abs=1e-6)
    assert rd.high == pytest.approx(p1 - p0 + math.hypot(u1 - p1, p0 - l0), abs=1e-6)


@pytest.mark.parametrize(("x1", "n1", "x0", "n0"), CASES)
def test_newcombe_stays_inside_minus_one_to_one_and_holds_the_estimate(x1, n1, x0, n0):
    rd = newcombe(x1, n1, x0, n0)
    assert -1 <= rd.low <= rd.rd <= rd.high <= 1
    (l1, u1), (l0, u0) = wilson(x1, n1), wilson(x0, n0)
    assert rd.low >= float(l1) - float(u0) - 1e-12  # never beyond the extremes
    assert rd.high <= float(u1) - float(l0) + 1e-12


def test_bad_counts_are_refused():
    with pytest.raises(ValueError, match="whole number"):
        newcombe(2.5, 10, 1, 10)
    with pytest.raises(ValueError, match="0 <= x <= n"):
        newcombe(11, 10, 1, 10)


def test_nnt_through_infinity_when_the_difference_may_be_zero():
    nnt = number_needed(0.169, -0.02, 0.342)
    assert nnt.crosses_zero and nnt.benefit
    assert nnt.nnt == pytest.approx(1 / 0.169)
    assert nnt.nntb_bound == pytest.approx(1 / 0.342) and nnt.nnth_bound == pytest.approx(50)
    text = nnt_interval_text(nnt)
    assert f"NNT benefit {1 / 0.342:.1f} to infinity to NNT harm 50.0" in text


def test_nnt_interval_on_one_side():
    benefit = number_needed(0.2, 0.1, 0.4)
    assert not benefit.crosses_zero
    assert (benefit.low, benefit.high) == pytest.approx((2.5, 10.0))
    harm = number_needed(-0.2, -0.4, -0.1)
    assert not harm.benefit and (harm.low, harm.high) == pytest.approx((2.5, 10.0))
    assert nnt_interval_text(harm).startswith("NNT harm 5.0")
    with pytest.raises(ValueError, match="within its interval"):
        number_needed(0.5, 0.1, 0.4)


def test_counts_from_a_rounded_percentage():
    assert counts_rounding_to(45, 49) == [22]  # 22/49 = 44.9%
    assert counts_rounding_to(28, 50) == [14]
    assert counts_rounding_to(12.5, 8, decimals=1) == [1]
    assert counts_rounding_to(13, 8) == [1]  # 12.5% may be printed as 13%
    assert counts_rounding_to(50, 200) == [99, 100, 101]  # several counts can fit
    assert counts_rounding_to(10, 7) == []  # none fits: 0/7 = 0%, 1/7 = 14.3%


def test_points_are_said_with_their_side():
    assert points_side(0.253) == "0.25 points less pain on LDN than on placebo"
    assert points_side(-1.0, 0) == "1 point more pain on LDN than on placebo"
    assert points_side(0.001) == "no difference in pain"
