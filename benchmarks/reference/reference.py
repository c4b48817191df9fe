"""The reference model's shared pieces: its parameters at a given size, and the outputs compared.

Every implementation reads its numbers from `scenario.yaml` (next to this file), so
there is one source of parameter values. Search units there are per 100,000 soldiers
and are scaled with N, so every size runs the same dynamics.
"""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

SCENARIO = Path(__file__).with_name("scenario.yaml")
SEARCH_UNITS_PER = 100_000

STOCKS = ("serving", "retained", "hospital", "at_large", "detained",
          "imprisoned", "released", "killed", "escaped")
FLOWS = ("new_desertions", "captures_search", "captures_police", "voluntary_returns", "returned_to_front",
         "deaths", "wounds", "released_at_term", "retained_at_term", "escapes")
OUTPUTS = STOCKS + tuple(f"total_{f}" for f in FLOWS)


def tree(n: int, days: int, seed: int) -> dict:
    """The scenario tree at size N (plain YAML, no awol needed)."""
    base = yaml.safe_load(SCENARIO.read_text())
    t = copy.deepcopy(base)
    t["population"]["volunteer"]["size"] = int(n)
    scale = n / SEARCH_UNITS_PER
    t["pursuit"]["search_units"] = {k: v * scale for k, v in base["pursuit"]["search_units"].items()}
    t["simulation"]["days"] = int(days)
    t["simulation"]["seed"] = int(seed)
    return t


def scenario(n: int, days: int, seed: int):
    """The reference model as a validated awol `Scenario` at size N."""
    from awol.scenario.load import scenario_from_tree

    return scenario_from_tree(tree(n, days, seed), source=f"{SCENARIO} (N = {n})")


def run_awol(engine: str, n: int, seed: int, days: int):
    """The reference model through one of awol's engines; return (daily table, seconds in `simulate`).

    The time is that of the whole `awol.simulate` call, set-up and daily table included.
    """
    import time

    from awol.engines import simulate

    sc = scenario(n, days, seed)
    started = time.perf_counter()
    daily = simulate(sc, seed=seed, days=days, engine=engine)
    return daily, time.perf_counter() - started


def summarise(daily) -> dict[str, float]:
    """Final-day stocks and whole-run totals of the daily flows: the outputs compared."""
    last = daily.iloc[-1]
    out = {s: float(last[s]) for s in STOCKS}
    out.update({f"total_{f}": float(daily[f].sum()) for f in FLOWS})
    return out
