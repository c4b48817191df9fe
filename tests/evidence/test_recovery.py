"""Parameter recovery: data simulated at known values are calibrated back.

Ten independent cases (fixed seeds): the true desertion base rate is drawn from its
prior, court cases are simulated at it on a small scenario, and ABC-SMC is run on
them. A calibrated 90 % credible interval covers the truth with probability ≥ 0.9 when
the truth comes from the prior (ABC's tolerance only widens it), so at least 8 of 10
hits is expected (P(≤ 7 of 10 | p = 0.9) = 0.07). The test can also fail the other
way: intervals no narrower than the prior would cover trivially, so the mean 90 %
width must be under half the prior's width.
"""

from __future__ import annotations

import logging

import pytest

from tests.evidence.recovery import PRIOR, recover

CASES = 10


@pytest.mark.slow
def test_true_values_inside_90_percent_interval_in_at_least_8_of_10_cases():
    logging.getLogger("ABC").setLevel(logging.WARNING)
    hits, widths, lines = 0, [], []
    for case in range(CASES):
        truth, row = recover(case)
        inside = row["q05"] <= truth <= row["q95"]
        hits += inside
        widths.append((row["q95"] - row["q05"]) / (PRIOR[1] - PRIOR[0]))
        lines.append(f"case {case}: truth {truth:.3g}, 90 % [{row['q05']:.3g}, {row['q95']:.3g}], inside {inside}")
    report = "\n".join(lines + [f"{hits} of {CASES} inside; mean 90 % width {sum(widths) / CASES:.2f} of the prior's"])
    print(report)
    assert hits >= 8, report
    assert sum(widths) / CASES < 0.5, report
