"""The observation error model: from a run's daily court cases to the figures a press relay publishes.

Declared in data/inference/error-model.yaml before any fit used it (the file says why each
part is there). Reporting share is step 1 and lives in the engines (M8); this module adds
the rest, so that every consumer - ABC, neural posterior estimation, simulation-based
calibration, predictive intervals, nowcasts - simulates published figures the same way:

    court months  m_i = sum_t f[q, month(t)] * c_t    f = exp(s_m z - s_m^2 / 2)
    relay         y*_i = m_i * exp(s_r e_i - s_r^2 / 2)
    rounding      y_i = r_i * round(y*_i / r_i)

The noise is drawn from a generator keyed by the run's seed, so a simulated figure is a
pure function of (parameters, seed).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from awol.evidence.measure import column_of, window_days
from awol.model.observation import ARTICLES as CASE_ARTICLES
from awol.problems import ProblemsError

FORMAT = "awol-error-model/1"
ERROR_PARAMETERS = ("court_month_sd", "relay_sd")
QUANTITIES = ("cases_filed", "cases_decided")
NOISE_PURPOSE = 11  # child key of the run seed for the observation noise


class ErrorModelError(ProblemsError):
    """An error-model declaration that cannot be used."""


@dataclass(frozen=True)
class ErrorModel:
    """The declared priors of the error parameters: name -> (dist, low, high), and the rounding column."""

    priors: dict[str, tuple[str, float, float]]
    rounding_column: str = "rounded_to"


def declaration_path() -> Path:
    """The bundled declaration, data/inference/error-model.yaml."""
    return Path(str(resources.files("awol").joinpath("data", "inference", "error-model.yaml")))


@lru_cache(maxsize=4)
def load_error_model(path: str | None = None) -> ErrorModel:
    """Read and check the declaration (default: the bundled one)."""
    path = Path(path) if path else declaration_path()
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ErrorModelError([f"{path}: cannot be read as YAML ({exc})"]) from None
    problems = []
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ErrorModelError([f"{path}: format must be {FORMAT!r}"])
    priors = {}
    for name in ERROR_PARAMETERS:
        prior = ((doc.get("parameters") or {}).get(name) or {}).get("prior") or {}
        dist, low, high = prior.get("dist"), prior.get("low"), prior.get("high")
        if dist != "uniform" or not all(isinstance(x, (int, float)) for x in (low, high)) or not 0 <= low < high:
            problems.append(
                f"{path}: parameters.{name}.prior: {prior!r}; write {{dist: uniform, low: L, high: H}} with 0 <= L < H"
            )
            continue
        priors[name] = (dist, float(low), float(high))
    if problems:
        raise ErrorModelError(problems)
    return ErrorModel(priors, (doc.get("rounding") or {}).get("column", "rounded_to"))


@lru_cache(maxsize=16)
def month_index(start: pd.Timestamp, days: int) -> np.ndarray:
    """Calendar-month number of each simulated day (0 for the month of `start`)."""
    dates = pd.date_range(start, periods=days, freq="D")
    out = ((dates.year - start.year) * 12 + dates.month - start.month).to_numpy()
    out.flags.writeable = False
    return out


def noise(seed: int, months: int, rows: int) -> tuple[np.ndarray, np.ndarray]:
    """Standard normal draws of the court months [quantity, month] and of the relays [row], from `seed`."""
    from awol.engines.rng import child_seed, generator

    rng = generator(child_seed(seed, NOISE_PURPOSE), NOISE_PURPOSE)
    return rng.standard_normal((len(QUANTITIES), months)), rng.standard_normal(rows)


def published_figures(
    cases, start, observed: pd.DataFrame, court_month_sd: float, relay_sd: float, seed: int
) -> np.ndarray:
    """The figures a relay would publish for `observed`'s rows, given one run's daily court cases.

    `cases` maps each article's column (`cases_filed_awol`, ...) to its daily counts
    (a daily table will do); `start` is the run's first day.
    """
    start = pd.Timestamp(start)
    days = len(cases["cases_filed_awol"])
    months = month_index(start, days)
    z_month, z_relay = noise(seed, int(months[-1]) + 1, len(observed))
    factor = np.exp(court_month_sd * z_month - court_month_sd**2 / 2)
    first, last = window_days(observed, start)
    out = np.empty(len(observed), dtype=float)
    columns = [column_of(q, a) for q, a in zip(observed["quantity"], observed["article"], strict=True)]
    for column in set(columns):
        quantity = "cases_decided" if column.startswith("cases_decided") else "cases_filed"
        parts = [column] if column != quantity else [f"{quantity}_{a}" for a in CASE_ARTICLES]
        series = sum(np.asarray(cases[c], dtype=float) for c in parts)
        weighted = series * factor[QUANTITIES.index(quantity), months]
        running = np.concatenate([[0.0], np.cumsum(weighted)])
        mask = np.array([c == column for c in columns])
        out[mask] = running[last[mask] + 1] - running[first[mask]]
    out *= np.exp(relay_sd * z_relay - relay_sd**2 / 2)
    step = rounding_of(observed)
    return step * np.round(out / step)


def rounding_of(observed: pd.DataFrame) -> np.ndarray:
    """Each row's rounding precision (1 where the data give none)."""
    if "rounded_to" not in observed:
        return np.ones(len(observed))
    return observed["rounded_to"].fillna(1.0).to_numpy(dtype=float)
