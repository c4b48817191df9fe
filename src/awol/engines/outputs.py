"""The daily output table: every engine's tallies (`model.tallies`) as named columns.

`daily_columns` turns a run's tally matrix into named columns (BRIEF.md, Outputs) and
appends the court cases the public sees (M8): drawn for engines that draw, in
expectation for the expected course. Column order and dtypes are fixed, so equal runs
give equal bytes. The columns are plain NumPy arrays: `awol run` writes them to Parquet
without pandas (importing it costs about 0.3 s, more than half the simulation), and
`as_frame` presents the same columns as the pandas DataFrame of the Python API.
"""

from __future__ import annotations

import numpy as np

from awol.engines import rng as rngmod
from awol.engines.result import EngineRun
from awol.model import tallies as K
from awol.model.observation import ARTICLES, court_cases, expected_court_cases
from awol.model.states import (
    ABSENCE_PATHWAYS,
    AT_LARGE,
    CHANNELS,
    DETAINED,
    ENDINGS,
    HOSPITAL,
    ON_LEAVE,
    RELEASED,
    RETAINED,
    ROLES,
    SERVING,
    STATUSES,
)

TIME_COLUMNS = ("day", "date")
LEVEL_COLUMNS = ("search_units", "checkpoints")   # pursuit levels: floats, not counts


def flow(tallies: np.ndarray, src: int, dst: int) -> np.ndarray:
    return tallies[:, K.flow_index(src, dst)]


def daily_columns(run: EngineRun, *, scenario, seed: int) -> dict[str, np.ndarray]:
    """Named daily outputs of an engine's run, in table order.

    Counts are int64 for engines that draw and float64 for the expected course;
    `search_units` and `checkpoints` float64; `date` datetime64[s] (the resolution
    pandas gives a date column).
    """
    tallies = run.tallies
    days = tallies.shape[0]
    out: dict[str, np.ndarray] = {
        "day": np.arange(days, dtype=np.int32),
        "date": (np.datetime64(scenario.simulation.start, "D") + np.arange(days)).astype("datetime64[s]"),
    }
    named = K.tally_columns()
    for name in STATUSES:
        out[name] = tallies[:, named[name]]
    out["on_duty"] = out["serving"] + out["retained"]
    out["retained_past_term"] = out["retained"]
    out["deserters_at_large"] = out["at_large"]
    for name, index in named.items():
        if name not in out:
            out[name] = tallies[:, index]
    out["new_desertions"] = sum(flow(tallies, s, AT_LARGE) for s in (SERVING, RETAINED, HOSPITAL, ON_LEAVE))
    for ending in ENDINGS:  # how absences ended, whatever their pathway
        out[f"absences_ended_{ending}"] = sum(out[f"ended_{p}_{ending}"] for p in ABSENCE_PATHWAYS)
    for p in ABSENCE_PATHWAYS:  # and how long, by pathway
        out[f"absences_ended_{p}"] = sum(out[f"ended_{p}_{e}"] for e in ENDINGS)
        out[f"days_at_large_{p}"] = sum(out[f"days_at_large_{p}_{e}"] for e in ENDINGS)
    out["absences_ended"] = sum(out[f"absences_ended_{p}"] for p in ABSENCE_PATHWAYS)
    out["days_at_large_ended"] = sum(out[f"days_at_large_{p}"] for p in ABSENCE_PATHWAYS)
    out["captures_search"] = out["absences_ended_search"]
    out["captures_police"] = out["absences_ended_police"]
    out["captures_checkpoint"] = out["absences_ended_checkpoint"]
    out["captures"] = out["captures_search"] + out["captures_police"] + out["captures_checkpoint"]
    out["voluntary_returns"] = out["absences_ended_returned"]
    out["deaths_at_large"] = out["absences_ended_died"]
    out["escapes"] = out["absences_ended_escaped"]
    out["returned_to_front"] = flow(tallies, DETAINED, SERVING) + flow(tallies, DETAINED, RETAINED)
    out["released_at_term"] = flow(tallies, SERVING, RELEASED)
    out["retained_at_term"] = flow(tallies, SERVING, RETAINED)
    out["deaths"] = sum(out[f"deaths_{r}"] for r in ROLES)
    out["wounds"] = sum(out[f"wounds_{r}"] for r in ROLES)
    out["recruits"] = sum(out[f"recruits_{c}"] for c in CHANNELS)
    out["search_units"] = np.asarray(run.search_units, float)
    out["checkpoints"] = np.asarray(run.checkpoints, float)

    out["cases_opened"] = sum(out[f"cases_opened_{a}"] for a in ARTICLES)
    obs = scenario.observation
    opened = np.stack([out[f"cases_opened_{a}"] for a in ARTICLES], axis=1)
    lags = dict(reporting_share=obs.reporting_share, filing_lag_days=obs.filing_lag_days,
                verdict_lag_days=obs.verdict_lag_days)
    if run.expectation:
        filed, decided = expected_court_cases(opened, **lags)
    else:
        filed, decided = court_cases(opened, rng=rngmod.generator(seed, rngmod.OBSERVATION), **lags)
    for i, a in enumerate(ARTICLES):
        out[f"cases_filed_{a}"] = filed[:, i]
    for i, a in enumerate(ARTICLES):
        out[f"cases_decided_{a}"] = decided[:, i]
    out["cases_filed"] = filed.sum(axis=1)
    out["cases_decided"] = decided.sum(axis=1)
    count_type = np.float64 if run.expectation else np.int64
    return {k: v if k in ("date",) + LEVEL_COLUMNS else np.asarray(v, dtype=count_type) for k, v in out.items()}


def as_frame(columns: dict[str, np.ndarray]):
    """A pandas DataFrame of daily columns (pandas is imported only here)."""
    import pandas as pd

    return pd.DataFrame(columns)
