"""Parameter recovery: data simulated at known parameters, calibrated back (shared by the test and by hand runs)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from awol.engines import simulate
from awol.evidence.calibrate import calibrate
from awol.evidence.measure import measure
from awol.evidence.priors import scenario_at
from tests.scenarios import small_tree

PATH = "desertion.base_per_day"
PRIOR = (1e-5, 1.5e-4)
DAYS = 150
# One share throughout: the baseline's low late-2022 step would leave these five months with a few dozen cases,
# and the check is of the machinery, not of the baseline's schedule.
PROSECUTION = [{"from": "2022-09-24", "value": 0.35}]


def observed_rows() -> pd.DataFrame:
    """Monthly filed cases and two cumulative totals over the first five months of the small scenario."""
    months = pd.period_range("2022-10", "2023-01", freq="M")
    frm = [pd.Timestamp("2022-09-24")] * 2 + [m.start_time for m in months] + [pd.Timestamp("2022-10-01")]
    to = ([pd.Timestamp("2022-12-31"), pd.Timestamp("2023-02-20")] + [m.end_time.normalize() for m in months]
          + [pd.Timestamp("2023-01-31")])
    kinds = ["cumulative"] * 2 + ["monthly"] * len(months) + ["period"]
    return pd.DataFrame({"date_from": frm, "date_to": to, "quantity": "cases_filed", "article": "all", "kind": kinds,
                         "use": True})


def recover(case: int, *, population: int = 20, generations: int = 2):
    """A true value drawn from the prior (seed `case`), data simulated at it, then calibrated.

    Returns (truth, posterior row)."""
    rng = np.random.default_rng(1000 + case)
    truth = float(rng.uniform(*PRIOR))
    tree = small_tree(scale=0.1, days=DAYS, policy__prosecution_share=PROSECUTION)
    scenario = scenario_at(tree, {PATH: truth})
    observed = observed_rows()
    observed["value"] = measure(simulate(scenario, seed=50_000 + case, engine="cohorts"), observed)
    base = scenario_at(tree, {})
    doc = calibrate(base, observed, [PATH], population=population, generations=generations, declared={PATH: PRIOR},
                    seed=case, predictive_draws=0)
    return truth, doc["posterior"][0]
