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
FLOWS = ("new_desertions", "captures_search", "captures_police", "voluntary_returns", "returned_to_front",
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


def outside_reference(tree: dict) -> list[str]:
    """What in a scenario tree this model does not implement, one line each (empty: none).

    awol's scenario has mechanisms the declaration leaves out; the reference scenario
    switches them off or makes them neutral. Were one switched on there, awol would run
    it and this model would silently differ; it refuses the tree instead.
    """
    pol, des, pur, rec = tree["policy"], tree["desertion"], tree["pursuit"], tree["recruitment"]

    def values(schedule):
        return [step["value"] for step in schedule]

    constant = [f"policy.{k}" for k, v in pol.items() if v is not None and len(v) != 1]
    constant += [name for name, v in (("casualties.intensity", tree["casualties"]["intensity"]),
                                      ("leave.start_per_day", tree["leave"]["start_per_day"]))
                 if len(v) != 1]
    checks = [
        (not constant, f"{', '.join(constant)}: must be constant (one step)"),
        (tree["population"]["mobilised"]["size"] == 0 and tree["population"]["detainee"]["size"] == 0,
         "population: only contract volunteers (mobilised and detainee sizes 0)"),
        (not any(values(rec["volunteer_per_day"])) and not any(values(rec["detentions_per_day"]))
         and not rec["mobilisation"] and rec.get("force_target") is None, "recruitment: none (all inflows 0)"),
        (not any(values(pol["amnesty"])), "policy.amnesty: must be 0"),
        (values(pol["short_first_prosecution"]) == values(pol["prosecution_share"]),
         "policy.short_first_prosecution: must equal prosecution_share (one rule for every absence)"),
        (not any(values(tree["leave"]["start_per_day"])) and tree["leave"]["convalescent_share"] == 0,
         "leave: none (start_per_day 0, convalescent_share 0)"),
        (des["form"] == "loglinear" and des["peer_weight"] == 0, "desertion.peer_weight: must be 0 (no peer effect)"),
        (des["leave_no_return"] == 0 and des["treatment_no_return"] == 0 and des["refusal"] == 0,
         "desertion: leave_no_return, treatment_no_return and refusal must be 0 (only absences from the line)"),
        (all(r["checkpoints"] == 0 for r in pur["routes"]), "pursuit.routes: no checkpoints (all 0)"),
        (not pur["adaptive"]["enabled"] and pur.get("level") is None,
         "pursuit: fixed search units (adaptive off, no level schedule)"),
        (pur["death_at_large_per_day"] == 0, "pursuit.death_at_large_per_day: must be 0"),
        (pur.get("hiding_levels") == 1, "pursuit.hiding_levels: must be 1 (everyone hides alike)"),
    ]
    return [message for ok, message in checks if not ok]


class ReferenceModel(mesa.Model):
    """N contract soldiers over `days` days; parameters from the reference scenario tree."""

    def __init__(self, tree: dict, seed: int | None = None):
        problems = outside_reference(tree)
        if problems:
            raise ValueError("not the reference model (this implementation has no such mechanism):\n"
                             + "\n".join(problems))
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
        def first(schedule):  # constant schedules
            return float(schedule[0]["value"])

        policy, cas, des, pur = tree["policy"], tree["casualties"], tree["desertion"], tree["pursuit"]
        intensity = first(cas["intensity"])
        self.death = [min(1.0, cas["death_per_day"][r] * intensity) for r in ROLES]
        self.wound = [min(1.0 - d, cas["wound_per_day"][r] * intensity) for r, d in zip(ROLES, self.death, strict=True)]
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
        self.homes = {r for r in self.regions if kinds[r] == "home"}
        routes = [(r["from"], r["to"]) for r in pur["routes"]]
        self.next_hop = {
            "home": next_hops(self.regions, routes, sorted(self.homes)),
            "exit": next_hops(self.regions, routes, sorted(self.exits)),
        }
        self.search_units = {r: float(pur["search_units"].get(r, 0.0)) for r in self.regions}
        self.search_k, self.search_max = pur["search_k"], pur["search_max_per_day"]
        self.police = pur["home_detection_per_day"]
        self.voluntary_return = pur["voluntary_return_per_day"]
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
        grievance = {Status.SERVING: 0.0, Status.RETAINED: des["grievance_weight"]}
        self.desertion = {
            s: [des["base_per_day"] * math.exp(des["risk_weight"] * d / des["risk_reference_per_day"] + g + common)
                for d in self.death]
            for s, g in grievance.items()
        }
        # found today: by search units (Epstein's form) outside home regions, by police at home
        self.found = {
            r: self.police if r in self.homes else
            self.search_max * (1.0 - math.exp(-self.search_k * self.search_units[r]
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
