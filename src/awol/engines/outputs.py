"""The daily output table: one layout of counters shared by every engine.

Engines add into a vector of daily counters laid out as below; `daily_columns`
turns the run's counter matrix into named columns (BRIEF.md, Outputs) and appends
the observed court cases (M8). Column order and dtypes are fixed, so equal runs give
equal bytes. The columns are plain NumPy arrays: `awol run` writes them to Parquet
without pandas (importing it costs about 0.3 s, more than half the simulation), and
`daily_table` presents the same columns as the pandas DataFrame of the Python API.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from awol.engines import rng as rngmod
from awol.model.observation import ARTICLES, court_cases
from awol.model.states import CHANNELS, ROLES, STATUSES, TRANSITIONS, flow_column

N_STATUS = len(STATUSES)
FLOW = 0                                   # [from * 9 + to]
STOCK = FLOW + N_STATUS * N_STATUS         # [status], at end of day
ON_DUTY_ROLE = STOCK + N_STATUS            # [role]
ON_DUTY_CHANNEL = ON_DUTY_ROLE + 3         # [channel]
DEATHS_ROLE = ON_DUTY_CHANNEL + 3          # [role]
WOUNDS_ROLE = DEATHS_ROLE + 3              # [role]
DESERTIONS_CHANNEL = WOUNDS_ROLE + 3       # [channel]
DEATHS_RETURNED = DESERTIONS_CHANNEL + 3   # deaths of soldiers who once deserted
ON_DUTY_RETURNED = DEATHS_RETURNED + 1     # on duty and once deserted (stock)
CAPTURES_CHECKPOINT = ON_DUTY_RETURNED + 1
CAPTURES_SEARCH = CAPTURES_CHECKPOINT + 1
SURRENDERS = CAPTURES_SEARCH + 1
CASES_OPENED = SURRENDERS + 1
RECRUITS_CHANNEL = CASES_OPENED + 1        # [channel]
N_COUNTERS = RECRUITS_CHANNEL + 3


def counter_columns() -> dict[str, int]:
    """Column name → counter index for the columns read straight from counters."""
    cols: dict[str, int] = {}
    for i, s in enumerate(STATUSES):
        cols[s] = STOCK + i
    for i, r in enumerate(ROLES):
        cols[f"on_duty_{r}"] = ON_DUTY_ROLE + i
    for i, c in enumerate(CHANNELS):
        cols[f"on_duty_{c}"] = ON_DUTY_CHANNEL + i
    cols["on_duty_returned"] = ON_DUTY_RETURNED
    for i, c in enumerate(CHANNELS):
        cols[f"recruits_{c}"] = RECRUITS_CHANNEL + i
    for i, c in enumerate(CHANNELS):
        cols[f"desertions_{c}"] = DESERTIONS_CHANNEL + i
    for i, r in enumerate(ROLES):
        cols[f"deaths_{r}"] = DEATHS_ROLE + i
    cols["deaths_returned"] = DEATHS_RETURNED
    for i, r in enumerate(ROLES):
        cols[f"wounds_{r}"] = WOUNDS_ROLE + i
    cols["captures_checkpoint"] = CAPTURES_CHECKPOINT
    cols["captures_search"] = CAPTURES_SEARCH
    cols["surrenders"] = SURRENDERS
    cols["cases_opened"] = CASES_OPENED
    for a, b in TRANSITIONS:
        cols[flow_column(a, b)] = FLOW + a * N_STATUS + b
    return cols


def flow(counts: np.ndarray, src: int, dst: int) -> np.ndarray:
    return counts[:, FLOW + src * N_STATUS + dst]


def daily_columns(
    counts: np.ndarray,
    *,
    start: dt.date,
    search_units: np.ndarray,
    checkpoints: np.ndarray,
    scenario,
    seed: int,
) -> dict[str, np.ndarray]:
    """Named daily outputs from the run's counter matrix [days, N_COUNTERS], in table order.

    Counts are int64, `search_units` and `checkpoints` float64, `date` datetime64[s]
    (the resolution pandas gives a date column).
    """
    from awol.model.states import AT_LARGE, DETAINED, ESCAPED, HOSPITAL, RETAINED, SERVING, RELEASED

    days = counts.shape[0]
    out: dict[str, np.ndarray] = {
        "day": np.arange(days, dtype=np.int32),
        "date": (np.datetime64(start, "D") + np.arange(days)).astype("datetime64[s]"),
    }
    named = counter_columns()
    for name in STATUSES:
        out[name] = counts[:, named[name]]
    out["on_duty"] = out["serving"] + out["retained"]
    out["retained_past_term"] = out["retained"]
    out["deserters_at_large"] = out["at_large"]
    for name, index in named.items():
        if name not in out:
            out[name] = counts[:, index]
    out["new_desertions"] = sum(flow(counts, s, AT_LARGE) for s in (SERVING, RETAINED, HOSPITAL))
    out["captures"] = out["captures_checkpoint"] + out["captures_search"]
    out["returned_to_front"] = flow(counts, DETAINED, SERVING) + flow(counts, DETAINED, RETAINED)
    out["released_at_term"] = flow(counts, SERVING, RELEASED)
    out["retained_at_term"] = flow(counts, SERVING, RETAINED)
    out["escapes"] = flow(counts, AT_LARGE, ESCAPED)
    out["deaths"] = sum(out[f"deaths_{r}"] for r in ROLES)
    out["wounds"] = sum(out[f"wounds_{r}"] for r in ROLES)
    out["recruits"] = sum(out[f"recruits_{c}"] for c in CHANNELS)
    out["search_units"] = np.asarray(search_units, float)
    out["checkpoints"] = np.asarray(checkpoints, float)

    obs = scenario.observation
    shares = obs.article_shares
    filed, decided = court_cases(
        out["cases_opened"],
        article_shares=np.array([getattr(shares, a) for a in ARTICLES]),
        reporting_share=obs.reporting_share,
        filing_lag_days=obs.filing_lag_days,
        verdict_lag_days=obs.verdict_lag_days,
        rng=rngmod.generator(seed, rngmod.OBSERVATION),
    )
    for i, a in enumerate(ARTICLES):
        out[f"cases_filed_{a}"] = filed[:, i]
    for i, a in enumerate(ARTICLES):
        out[f"cases_decided_{a}"] = decided[:, i]
    out["cases_filed"] = filed.sum(axis=1)
    out["cases_decided"] = decided.sum(axis=1)
    floats = ("date", "search_units", "checkpoints")
    return {k: v if k in floats else np.asarray(v, dtype=np.int64) for k, v in out.items()}


def daily_table(counts: np.ndarray, **kwargs):
    """`daily_columns` as a pandas DataFrame (the Python API's presentation)."""
    return as_frame(daily_columns(counts, **kwargs))


def as_frame(columns: dict[str, np.ndarray]):
    """A pandas DataFrame of daily columns (pandas is imported only here)."""
    import pandas as pd

    return pd.DataFrame(columns)
