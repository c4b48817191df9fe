"""One day's rates, assembled from the scenario and yesterday's aggregate state.

Both engines step the same system: each morning they hand `Dynamics.rates` the
aggregate state (deserters at large by region, soldiers on duty and desertions by
unit) and receive the probabilities of every event that day. Only here do the
mechanisms M1-M7 meet; the engines then draw who experiences what.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from awol.model import casualties, command, desertion, interdiction, punishment, recruitment
from awol.model.geography import Geography, build_geography
from awol.model.schedules import schedule_values
from awol.model.states import CHANNELS, ROLES
from awol.scenario.schema import Scenario


@dataclass(frozen=True)
class Aggregate:
    """What the mechanisms need to know of yesterday's state."""

    at_large_by_region: np.ndarray   # [region]
    on_duty_by_unit: np.ndarray      # [unit]
    desertions_by_unit: np.ndarray   # [unit], yesterday's new desertions
    on_duty: float


class DayRates(NamedTuple):
    """Probabilities of every event on one day (all daily, all in [0, 1]).

    A named tuple rather than a frozen dataclass: engines build one every day, and a
    frozen dataclass's constructor alone cost about a tenth of the day's Python time.
    """

    release: float                   # M1 P(released | term ends)
    assault_retained: float          # M1 P(assault | retained)
    death: np.ndarray                # M2 [role]
    wound: np.ndarray                # M2 [role]
    recover: float                   # M2 P(leave hospital)
    discharge: float                 # M2 P(discharged | leaves hospital)
    desert: np.ndarray               # M3 [status(serving, retained, hospital), role, channel, unit]
    exit_share: float                # M3 P(heads for the exit | deserts)
    search_capture: np.ndarray       # M5 [region]
    surrender: float                 # M6
    move: float                      # M5
    intercept: np.ndarray            # M5 [region, region] on the route between them
    prosecute: float                 # M6 P(prosecuted | captured)
    imprison: float                  # M6 P(prosecuted and imprisoned | captured)
    detention_end: float             # M6
    assault_returned: float          # M6 P(assault | returned)
    recruits: np.ndarray             # M7 expected Poisson arrivals [channel]
    mobilised_quota: int             # M7 exact mobilisation quota
    search_units: float              # M4 totals, for the outputs
    checkpoints: float


@dataclass(frozen=True)
class Plan:
    """Everything about a run that does not depend on its random course.

    Whatever follows from the schedules alone is computed here for every day at once
    (arrays with a leading day axis), so that `Dynamics.rates` is left with the few
    terms that depend on yesterday's state.
    """

    scenario: Scenario
    days: int
    scale: float                     # simulation.scale: sizes and inflows are multiplied by it
    initial_size: np.ndarray         # [channel] soldiers serving on day 0, at scale
    geography: Geography
    schedules: dict[str, np.ndarray]
    mobilisation: np.ndarray
    death: np.ndarray                # [day, role] M2
    wound: np.ndarray                # [day, role] M2
    desert_fixed: np.ndarray         # [day, status, role, channel] M3 log-terms known in advance
    severity: np.ndarray             # [day] M3 punishment severity S
    prosecute: np.ndarray            # [day] M6
    imprison: np.ndarray             # [day] M6
    surrender: np.ndarray            # [day] M6
    assault_returned: np.ndarray     # [day] M6
    recruits: np.ndarray             # [day, channel] M7 expected arrivals before any force target, at scale


def make_plan(scenario: Scenario, days: int | None = None) -> Plan:
    days = days or scenario.simulation.days
    start = scenario.simulation.start
    policy, cas, rec, des = scenario.policy, scenario.casualties, scenario.recruitment, scenario.desertion
    schedules = {
        name: schedule_values(getattr(policy, name), start, days)
        for name in type(policy).model_fields
    }
    schedules["intensity"] = schedule_values(cas.intensity, start, days)
    schedules["bonus"] = schedule_values(rec.bonus, start, days)
    schedules["detentions"] = schedule_values(rec.detentions_per_day, start, days)
    schedules["acceptance"] = schedule_values(rec.detainee_acceptance, start, days)
    pursuit_level = scenario.pursuit.level
    schedules["pursuit_level"] = (
        schedule_values(pursuit_level, start, days) if pursuit_level else np.ones(days)
    )
    s = schedules
    death, wound = casualties.role_daily_probabilities(
        np.array([getattr(cas.death_per_day, r) for r in ROLES]),
        np.array([getattr(cas.wound_per_day, r) for r in ROLES]),
        s["intensity"][:, None],
    )
    prosecute, imprison = punishment.sentence_probabilities(s["prosecution_share"], s["suspended_share"], s["amnesty"])
    recruits = np.zeros((days, 3))
    recruits[:, CHANNELS.index("volunteer")] = recruitment.volunteer_rate(
        rec.volunteer_per_day, s["bonus"], rec.bonus_reference, rec.bonus_elasticity)
    recruits[:, CHANNELS.index("detainee")] = recruitment.detainee_rate(s["detentions"], s["acceptance"])
    scale = scenario.simulation.scale
    return Plan(
        scenario=scenario,
        days=days,
        scale=scale,
        initial_size=np.array([int(round(getattr(scenario.population, c).size * scale)) for c in CHANNELS],
                              dtype=np.int64),
        geography=build_geography(scenario.pursuit, scenario.population.units),
        schedules=schedules,
        mobilisation=recruitment.mobilisation_quotas(rec.mobilisation, start, days, scale),
        death=death,
        wound=wound,
        desert_fixed=desertion.fixed_log_terms(
            death_by_role=death, risk_weight=des.risk_weight, risk_reference=des.risk_reference_per_day,
            grievance_weight=des.grievance_weight,
            channel_weight=np.array([getattr(des.channel_weight, c) for c in CHANNELS]),
            hospital_opportunity=des.hospital_opportunity,
        ),
        severity=desertion.punishment_severity(
            s["prosecution_share"], s["suspended_share"], s["assault_share_returned"], s["amnesty"]),
        prosecute=prosecute,
        imprison=imprison,
        surrender=punishment.surrender_probability(
            scenario.pursuit.surrender_per_day, s["amnesty"], scenario.pursuit.amnesty_surrender_multiplier),
        assault_returned=punishment.return_assault_share(s["assault_share_returned"], s["amnesty"]),
        recruits=recruits * scale,
    )


class Dynamics:
    """The day-to-day rules, with the little state they carry (M4 levels, M3 peer memory)."""

    def __init__(self, plan: Plan):
        self.plan = plan
        geo = plan.geography
        sc = plan.scenario
        level = plan.schedules["pursuit_level"][0]
        self.search_total = float(geo.base_search.sum()) * level
        self.checkpoint_total = float(geo.route_checkpoints.sum()) * level
        self.desertion_history = np.zeros(plan.days)
        self.peer_level = np.zeros(sc.population.units)
        # constants of every day
        self._recover = casualties.hospital_exit_probability(sc.casualties.recovery_days)
        self._detention_end = punishment.detention_end_probability(sc.pursuit.detention_days)
        self._route_mask = geo.route_index >= 0
        self._intercept_for = None       # (checkpoint total, intercept matrix) last computed
        self._base_search = float(geo.base_search.sum())
        self._base_checkpoints = float(geo.route_checkpoints.sum())
        # each day's scalars as Python floats, looked up once a day
        s = plan.schedules
        self._day = list(zip(
            s["release_at_term"].tolist(), s["assault_share_retained"].tolist(), plan.surrender.tolist(),
            plan.prosecute.tolist(), plan.imprison.tolist(), plan.assault_returned.tolist(),
            plan.severity.tolist(), s["pursuit_level"].tolist(), plan.mobilisation.tolist(),
        ))

    def rates(self, t: int, agg: Aggregate) -> DayRates:
        sc, plan, geo = self.plan.scenario, self.plan, self.plan.geography
        pursuit, des = sc.pursuit, sc.desertion
        release, assault_retained, surrender, prosecute, imprison, assault_returned, severity, level, quota = (
            self._day[t])

        if t > 0:
            if des.peer_weight != 0.0:  # otherwise the peer level has no effect: skip its update
                self.peer_level = desertion.peer_update(
                    self.peer_level, agg.desertions_by_unit, agg.on_duty_by_unit, des.peer_memory_days
                )
            if pursuit.adaptive.enabled:
                self._adapt(t, level)
            else:
                self.search_total = self._base_search * level
                self.checkpoint_total = self._base_checkpoints * level
        search = command.allocate(self.search_total, geo.base_search)

        # Terms that count soldiers see full-scale counts (counts / scale), so that a run at
        # scale s has the per-soldier rates of the full-scale run.
        scale = plan.scale
        at_large_total = float(agg.at_large_by_region.sum()) / scale
        arrest = desertion.arrest_probability(
            self.search_total + self.checkpoint_total, at_large_total, des.arrest_k
        )
        desert = desertion.hazard_table(
            plan.desert_fixed[t], base=des.base_per_day, peer_weight=des.peer_weight,
            peer_level=self.peer_level, deterrence=des.deterrence_weight * arrest * severity,
        )
        recruits = plan.recruits[t]
        rec = sc.recruitment
        if rec.force_target is not None:
            target = rec.force_target
            recruits = recruits.copy()
            recruits[CHANNELS.index(target.channel)] += scale * recruitment.force_target_rate(
                target.size, agg.on_duty / scale, target.closing_days, target.max_per_day
            )
        return DayRates(
            release=release,
            assault_retained=assault_retained,
            death=plan.death[t],
            wound=plan.wound[t],
            recover=self._recover,
            discharge=sc.casualties.discharge_share,
            desert=desert,
            exit_share=des.exit_share,
            search_capture=interdiction.search_capture(
                search, agg.at_large_by_region / scale, pursuit.search_k, pursuit.search_max_per_day
            ),
            surrender=surrender,
            move=pursuit.move_per_day,
            intercept=self._intercept(),
            prosecute=prosecute,
            imprison=imprison,
            detention_end=self._detention_end,
            assault_returned=assault_returned,
            recruits=recruits,
            mobilised_quota=quota,
            search_units=self.search_total,
            checkpoints=self.checkpoint_total,
        )

    def _intercept(self) -> np.ndarray:
        """Interception probability on every route, recomputed only when the checkpoints change."""
        if self._intercept_for is None or self._intercept_for[0] != self.checkpoint_total:
            geo = self.plan.geography
            checkpoints = command.allocate(self.checkpoint_total, geo.route_checkpoints)
            per_route = interdiction.checkpoint_interception(checkpoints, self.plan.scenario.pursuit.checkpoint_k)
            intercept = np.zeros((geo.n_regions, geo.n_regions))
            intercept[self._route_mask] = per_route[geo.route_index[self._route_mask]]
            self._intercept_for = (self.checkpoint_total, intercept)
        return self._intercept_for[1]

    def record(self, t: int, desertions: int) -> None:
        """Keep day t's new desertions (as full-scale counts) for the adaptive command (M4)."""
        self.desertion_history[t] = desertions / self.plan.scale

    def _adapt(self, t: int, level: float) -> None:
        ad = self.plan.scenario.pursuit.adaptive
        recent = command.recent_desertions(self.desertion_history, t, ad.lag_days, ad.window_days)
        search_target = command.adaptive_target(
            self._base_search * level, ad.search_per_desertion, recent, ad.max_search_units
        )
        checkpoint_target = command.adaptive_target(
            self._base_checkpoints * level, ad.checkpoints_per_desertion, recent, ad.max_checkpoints
        )
        self.search_total = command.adjust(self.search_total, search_target, ad.adjust_per_day)
        self.checkpoint_total = command.adjust(self.checkpoint_total, checkpoint_target, ad.adjust_per_day)
