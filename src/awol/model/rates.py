"""One day's rates, assembled from the scenario and yesterday's aggregate state.

Both engines step the same system: each morning they hand `Dynamics.rates` the
aggregate state (deserters at large by region, soldiers on duty and desertions by
unit) and receive the probabilities of every event that day. Only here do the
mechanisms M1-M7 meet; the engines then draw who experiences what.
"""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class DayRates:
    """Probabilities of every event on one day (all daily, all in [0, 1])."""

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
    """Everything about a run that does not depend on its random course."""

    scenario: Scenario
    days: int
    geography: Geography
    schedules: dict[str, np.ndarray]
    mobilisation: np.ndarray
    death_base: np.ndarray
    wound_base: np.ndarray
    channel_weight: np.ndarray


def make_plan(scenario: Scenario, days: int | None = None) -> Plan:
    days = days or scenario.simulation.days
    start = scenario.simulation.start
    policy, cas, rec = scenario.policy, scenario.casualties, scenario.recruitment
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
    return Plan(
        scenario=scenario,
        days=days,
        geography=build_geography(scenario.pursuit, scenario.population.units),
        schedules=schedules,
        mobilisation=recruitment.mobilisation_quotas(rec.mobilisation, start, days),
        death_base=np.array([getattr(cas.death_per_day, r) for r in ROLES]),
        wound_base=np.array([getattr(cas.wound_per_day, r) for r in ROLES]),
        channel_weight=np.array([getattr(scenario.desertion.channel_weight, c) for c in CHANNELS]),
    )


class Dynamics:
    """The day-to-day rules, with the little state they carry (M4 levels, M3 peer memory)."""

    def __init__(self, plan: Plan):
        self.plan = plan
        geo = plan.geography
        level = plan.schedules["pursuit_level"][0]
        self.search_total = float(geo.base_search.sum()) * level
        self.checkpoint_total = float(geo.route_checkpoints.sum()) * level
        self.desertion_history = np.zeros(plan.days)
        self.peer_level = np.zeros(plan.scenario.population.units)

    def rates(self, t: int, agg: Aggregate) -> DayRates:
        sc, plan, geo = self.plan.scenario, self.plan, self.plan.geography
        s = {k: v[t] for k, v in plan.schedules.items()}
        pursuit, des = sc.pursuit, sc.desertion

        if t > 0:
            self.peer_level = desertion.peer_update(
                self.peer_level, agg.desertions_by_unit, agg.on_duty_by_unit, des.peer_memory_days
            )
            if pursuit.adaptive.enabled:
                self._adapt(t, s["pursuit_level"])
            else:
                self.search_total = float(geo.base_search.sum()) * s["pursuit_level"]
                self.checkpoint_total = float(geo.route_checkpoints.sum()) * s["pursuit_level"]
        search = command.allocate(self.search_total, geo.base_search)
        checkpoints = command.allocate(self.checkpoint_total, geo.route_checkpoints)

        death, wound = casualties.role_daily_probabilities(plan.death_base, plan.wound_base, s["intensity"])
        at_large_total = float(agg.at_large_by_region.sum())
        arrest = desertion.arrest_probability(
            self.search_total + self.checkpoint_total, at_large_total, des.arrest_k
        )
        severity = desertion.punishment_severity(
            s["prosecution_share"], s["suspended_share"], s["assault_share_returned"], s["amnesty"]
        )
        desert = desertion.desertion_table(
            base=des.base_per_day,
            death_by_role=death,
            risk_weight=des.risk_weight,
            risk_reference=des.risk_reference_per_day,
            grievance_weight=des.grievance_weight,
            channel_weight=plan.channel_weight,
            peer_weight=des.peer_weight,
            peer_level=self.peer_level,
            deterrence_weight=des.deterrence_weight,
            arrest=arrest,
            severity=severity,
            hospital_opportunity=des.hospital_opportunity,
        )
        intercept = np.zeros((geo.n_regions, geo.n_regions))
        per_route = interdiction.checkpoint_interception(checkpoints, pursuit.checkpoint_k)
        mask = geo.route_index >= 0
        intercept[mask] = per_route[geo.route_index[mask]]
        prosecute, imprison = punishment.sentence_probabilities(
            s["prosecution_share"], s["suspended_share"], s["amnesty"]
        )
        rec = sc.recruitment
        recruits = np.array([
            recruitment.volunteer_rate(rec.volunteer_per_day, s["bonus"], rec.bonus_reference, rec.bonus_elasticity),
            0.0,
            recruitment.detainee_rate(s["detentions"], s["acceptance"]),
        ])
        if rec.force_target is not None:
            target = rec.force_target
            recruits[CHANNELS.index(target.channel)] += recruitment.force_target_rate(
                target.size, agg.on_duty, target.closing_days, target.max_per_day
            )
        return DayRates(
            release=s["release_at_term"],
            assault_retained=s["assault_share_retained"],
            death=death,
            wound=wound,
            recover=casualties.hospital_exit_probability(sc.casualties.recovery_days),
            discharge=sc.casualties.discharge_share,
            desert=desert,
            exit_share=des.exit_share,
            search_capture=interdiction.search_capture(
                search, agg.at_large_by_region, pursuit.search_k, pursuit.search_max_per_day
            ),
            surrender=punishment.surrender_probability(
                pursuit.surrender_per_day, s["amnesty"], pursuit.amnesty_surrender_multiplier
            ),
            move=pursuit.move_per_day,
            intercept=intercept,
            prosecute=prosecute,
            imprison=imprison,
            detention_end=punishment.detention_end_probability(pursuit.detention_days),
            assault_returned=punishment.return_assault_share(s["assault_share_returned"], s["amnesty"]),
            recruits=recruits,
            mobilised_quota=int(plan.mobilisation[t]),
            search_units=self.search_total,
            checkpoints=self.checkpoint_total,
        )

    def record(self, t: int, desertions: int) -> None:
        self.desertion_history[t] = desertions

    def _adapt(self, t: int, level: float) -> None:
        geo, ad = self.plan.geography, self.plan.scenario.pursuit.adaptive
        recent = command.recent_desertions(self.desertion_history, t, ad.lag_days, ad.window_days)
        search_target = command.adaptive_target(
            geo.base_search.sum() * level, ad.search_per_desertion, recent, ad.max_search_units
        )
        checkpoint_target = command.adaptive_target(
            geo.route_checkpoints.sum() * level, ad.checkpoints_per_desertion, recent, ad.max_checkpoints
        )
        self.search_total = command.adjust(self.search_total, search_target, ad.adjust_per_day)
        self.checkpoint_total = command.adjust(self.checkpoint_total, checkpoint_target, ad.adjust_per_day)
