"""The reference model (benchmarks/reference/DECLARATION.md) as an idiomatic Mesa 3 model.

Written from the declaration, not from awol: it imports nothing from awol and reads
its numbers from benchmarks/reference/scenario.yaml. Each day the model forms the
day's probabilities from yesterday's counts (deserters at large, by region), every
soldier steps, then the model counts statuses and the DataCollector records them.

Agents interact only through yesterday's counts, so the order in which they step
cannot change the distribution of outcomes: `do` (in insertion order) is used rather
than `shuffle_do`, which would only add the cost of a shuffle.
"""

from __future__ import annotations

import math
from collections import Counter, deque

import mesa
import numpy as np

try:
    from .agents import Sentence, Soldier, Status  # noqa: F401
except ImportError:  # loaded by path, as the benchmark runner does
    from agents import Sentence, Soldier, Status  # noqa: F401

DAYS_PER_MONTH = 365.25 / 12
ROLES = ("rear", "line", "assault")
ACTIVE = (Status.SERVING, Status.RETAINED, Status.HOSPITAL, Status.AT_LARGE, Status.DETAINED)
ABSORBING = (Status.IMPRISONED, Status.RELEASED, Status.KILLED, Status.ESCAPED)
FLOWS = ("new_desertions", "captures_search", "surrenders", "returned_to_front",
         "deaths", "wounds", "released_at_term", "retained_at_term", "escapes")


def next_hops(regions: list[str], routes: list[tuple[str, str]], targets: list[str]) -> dict[str, str]:
    """Next region on a shortest path to the nearest target (breadth-first from the targets)."""
    neighbours = {r: [] for r in regions}
    for a, b in routes:
        neighbours[a].append(b)
        neighbours[b].append(a)
    hop = {r: r for r in regions}
    seen = set(targets)
    queue = deque(targets)
    while queue:
        here = queue.popleft()
        for there in neighbours[here]:
            if there not in seen:
                seen.add(there)
                hop[there] = here
                queue.append(there)
    return hop


class ReferenceModel(mesa.Model):
    """N contract soldiers over `days` days; parameters from the reference scenario tree."""

    def __init__(self, tree: dict, seed: int | None = None):
        super().__init__(seed=seed)
        self.day = -1
        self._read_parameters(tree)
        self.absorbed = dict.fromkeys(ABSORBING, 0)
        self.at_large_by_region = dict.fromkeys(self.regions, 0)
        for name in FLOWS:
            setattr(self, name, 0)
        self._create_soldiers(tree)
        self.datacollector = mesa.DataCollector(
            model_reporters={name: name for name in (*[s.name.lower() for s in Status], *FLOWS)}
        )
        self._update_counts()

    # ------------------------------------------------------------- set-up

    def _read_parameters(self, tree: dict) -> None:
        first = lambda schedule: float(schedule[0]["value"])  # constant schedules
        policy, cas, des, pur = tree["policy"], tree["casualties"], tree["desertion"], tree["pursuit"]
        intensity = first(cas["intensity"])
        self.death = [min(1.0, cas["death_per_day"][r] * intensity) for r in ROLES]
        self.wound = [min(1.0 - d, cas["wound_per_day"][r] * intensity) for r, d in zip(ROLES, self.death)]
        self.recover = min(1.0, 1.0 / cas["recovery_days"])
        self.discharge = cas["discharge_share"]
        self.release = first(policy["release_at_term"])
        self.assault_retained = first(policy["assault_share_retained"])
        self.assault_returned = first(policy["assault_share_returned"])
        self.prosecute = first(policy["prosecution_share"])
        self.imprison = self.prosecute * (1.0 - first(policy["suspended_share"]))
        # M3 deterrence: chance that a caught deserter ends in prison or an assault role
        self.severity = self.imprison + (1.0 - self.imprison) * self.assault_returned
        self.des = des
        self.exit_share = des["exit_share"]
        self.regions = [r["name"] for r in pur["regions"]]
        kinds = {r["name"]: r["kind"] for r in pur["regions"]}
        self.exits = {r for r in self.regions if kinds[r] == "exit"}
        routes = [(r["from"], r["to"]) for r in pur["routes"]]
        self.next_hop = {
            "home": next_hops(self.regions, routes, [r for r in self.regions if kinds[r] == "home"]),
            "exit": next_hops(self.regions, routes, sorted(self.exits)),
        }
        self.search_units = {r: float(pur["search_units"].get(r, 0.0)) for r in self.regions}
        self.search_k, self.search_max = pur["search_k"], pur["search_max_per_day"]
        self.surrender = pur["surrender_per_day"]
        self.move = pur["move_per_day"]
        self.detention_end = min(1.0, 1.0 / pur["detention_days"])
        fronts = [r for r in self.regions if kinds[r] == "front"]
        units = tree["population"]["units"]
        self.unit_front = [fronts[u % len(fronts)] for u in range(units)]

    def _create_soldiers(self, tree: dict) -> None:
        profile = tree["channels"]["volunteer"]
        cohort = tree["population"]["volunteer"]
        n = cohort["size"]
        months = np.array(list(profile["term_months"]), dtype=float)
        shares = np.array(list(profile["term_months"].values()))
        term_days = np.rint(months * DAYS_PER_MONTH).astype(int)
        start = -np.floor(self.rng.random(n) * cohort["started_within_months"] * DAYS_PER_MONTH).astype(int)
        contract_end = start + self.rng.choice(term_days, size=n, p=shares / shares.sum())
        role_shares = np.array([profile["roles"][r] for r in ROLES])
        role = self.rng.choice(3, size=n, p=role_shares / role_shares.sum())
        unit = self.rng.integers(0, tree["population"]["units"], size=n)
        mean, sd = profile["risk_tolerance"]["mean"], profile["risk_tolerance"]["sd"]
        nu = mean * (1 - mean) / sd**2 - 1
        tau = self.rng.beta(mean * nu, (1 - mean) * nu, size=n)
        tolerance = np.exp(self.des["risk_tolerance_weight"] * (tau - 0.5))
        Soldier.create_agents(
            self, n,
            role=role.tolist(), unit=unit.tolist(),
            contract_end=contract_end.tolist(), tolerance=tolerance.tolist(),
        )

    # ------------------------------------------------------------- one day

    def step(self) -> None:
        self.day = self.steps - 1          # Mesa counts steps from 1
        self._set_day_rates()
        for name in FLOWS:
            setattr(self, name, 0)
        self.agents.do("step")
        self._update_counts()
        self.datacollector.collect(self)

    def _set_day_rates(self) -> None:
        """Today's probabilities from yesterday's deserters at large (M3 deterrence, M5 search)."""
        des = self.des
        at_large = sum(self.at_large_by_region.values())
        pursuers = sum(self.search_units.values())
        arrest = 1.0 - math.exp(-des["arrest_k"] * pursuers / (at_large + 1.0))
        common = (des["channel_weight"]["volunteer"]
                  - des["deterrence_weight"] * arrest * self.severity)
        grievance = {Status.SERVING: 0.0, Status.RETAINED: des["grievance_weight"], Status.HOSPITAL: 0.0}
        opportunity = {Status.SERVING: 1.0, Status.RETAINED: 1.0, Status.HOSPITAL: des["hospital_opportunity"]}
        self.desertion = {
            s: [min(1.0, des["base_per_day"] * opportunity[s] * math.exp(
                des["risk_weight"] * d / des["risk_reference_per_day"] + grievance[s] + common))
                for d in self.death]
            for s in grievance
        }
        self.search_capture = {
            r: self.search_max * (1.0 - math.exp(-self.search_k * self.search_units[r]
                                                 / (self.at_large_by_region[r] + 1.0)))
            for r in self.regions
        }

    def _update_counts(self) -> None:
        """Soldiers by status (and deserters at large by region) at the end of the day."""
        groups = self.agents.groupby("status", result_type="list").groups
        for status in ACTIVE:
            setattr(self, status.name.lower(), len(groups.get(status, ())))
        for status in ABSORBING:
            setattr(self, status.name.lower(), self.absorbed[status])
        regions = Counter(soldier.region for soldier in groups.get(Status.AT_LARGE, ()))
        self.at_large_by_region = {r: regions.get(r, 0) for r in self.regions}


def simulate(tree: dict, seed: int, days: int):
    """Run the model; return (daily table, seconds spent stepping, seconds spent setting up)."""
    import time

    started = time.perf_counter()
    model = ReferenceModel(tree, seed=seed)
    built = time.perf_counter()
    for _ in range(days):
        model.step()
    done = time.perf_counter()
    daily = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    return daily, done - built, built - started
