"""One day's rates, assembled from the scenario and yesterday's aggregate state.

Every engine steps the same system: each morning it hands `Dynamics.rates` the
aggregate state (absent soldiers by region, soldiers on duty and absences by unit) and
receives the probabilities of every event that day. Only here do the mechanisms M1-M8
meet; the chain of events (`model.chain`) says how they compete, and the engines draw
who experiences what.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from awol.model import casualties, command, desertion, interdiction, leave, punishment, recruitment
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
    """Probabilities of every event on one day (all daily, all in [0, 1]) and the day's totals.

    A named tuple rather than a frozen dataclass: engines build one every day, and a
    frozen dataclass's constructor alone cost about a tenth of the day's Python time;
    Numba kernels read it by name.
    """

    release: np.ndarray              # M1 [channel] P(released | term ends)
    assault_retained: float          # M1 P(assault | retained)
    death: np.ndarray                # M2 [role]
    wound: np.ndarray                # M2 [role]
    recover: float                   # M2 P(leaves hospital)
    discharge: float                 # M2 P(discharged | leaves hospital)
    convalescent: float              # M2 P(convalesces at home | leaves hospital, not discharged)
    leave_start: float               # M2 P(goes on rotation leave), a soldier on duty
    leave_end: np.ndarray            # M2 [rotation, convalescence] P(the leave ends)
    line_base: float                 # M3 base hazard of leaving from the line
    propensity: np.ndarray           # M3 [held past term, role, channel, unit] π before the personal factor
    leave_no_return: float           # M3 baseline P(not back from leave)
    treatment_no_return: float       # M3 baseline P(not back after treatment)
    refusal: float                   # M3 baseline P(refuses to deploy again)
    exit_share: float                # M3 P(heads for the exit | absent)
    detection: np.ndarray            # M5 [region] P(found) before the hiding factor
    hiding: np.ndarray               # M5 [level] hiding factor
    hiding_share: np.ndarray         # M5 [level] probability of each level
    voluntary_return: float          # M6 P(comes back), before the hiding factor
    death_at_large: float            # P(dies while absent)
    move: float                      # M5
    intercept: np.ndarray            # M5 [region, region] on the route between them
    prosecute: np.ndarray            # M6 [case] P(prosecuted): long or repeat absence, short first absence, refusal
    prison_share: float              # M6 P(prison | prosecuted)
    detention_end: float             # M6
    assault_returned: float          # M6 P(assault | back from detention)
    desertion_share: float           # M8 P(art. 338 | an absence prosecuted)
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
    release: np.ndarray              # [day, channel] M1
    death: np.ndarray                # [day, role] M2
    wound: np.ndarray                # [day, role] M2
    propensity_fixed: np.ndarray     # [day, held past term, role, channel] M3 log-terms known in advance
    severity: np.ndarray             # [day] M3 punishment severity S
    prosecute: np.ndarray            # [day, case] M6
    voluntary_return: np.ndarray     # [day] M6
    assault_returned: np.ndarray     # [day] M6
    hiding: tuple[np.ndarray, np.ndarray]  # M5 (factors, probabilities) of the hiding levels
    recruits: np.ndarray             # [day, channel] M7 expected arrivals before any force target, at scale


def make_plan(scenario: Scenario, days: int | None = None) -> Plan:
    """The run's plan: the schedules on its calendar and everything that follows from them alone."""
    days = days or scenario.simulation.days
    start = scenario.simulation.start
    policy, cas, rec, des = scenario.policy, scenario.casualties, scenario.recruitment, scenario.desertion
    schedules = {
        name: schedule_values(getattr(policy, name), start, days)
        for name in type(policy).model_fields
        if getattr(policy, name) is not None
    }
    schedules["intensity"] = schedule_values(cas.intensity, start, days)
    schedules["leave_start"] = schedule_values(scenario.leave.start_per_day, start, days)
    schedules["volunteers"] = schedule_values(rec.volunteer_per_day, start, days)
    schedules["bonus"] = schedule_values(rec.bonus, start, days)
    schedules["bonus_reference"] = schedule_values(rec.bonus_reference, start, days)
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
    release = np.repeat(s["release_at_term"][:, None], len(CHANNELS), axis=1)
    if "detainee_release_at_term" in s:
        release[:, CHANNELS.index("detainee")] = s["detainee_release_at_term"]
    recruits = np.zeros((days, 3))
    recruits[:, CHANNELS.index("volunteer")] = recruitment.volunteer_rate(
        s["volunteers"], s["bonus"], s["bonus_reference"], rec.bonus_elasticity)
    recruits[:, CHANNELS.index("detainee")] = recruitment.detainee_rate(s["detentions"], s["acceptance"])
    scale = scenario.simulation.scale
    pursuit = scenario.pursuit
    return Plan(
        scenario=scenario,
        days=days,
        scale=scale,
        initial_size=np.array([int(round(getattr(scenario.population, c).size * scale)) for c in CHANNELS],
                              dtype=np.int64),
        geography=build_geography(pursuit, scenario.population.units),
        schedules=schedules,
        mobilisation=recruitment.mobilisation_quotas(rec.mobilisation, start, days, scale),
        release=release,
        death=death,
        wound=wound,
        propensity_fixed=desertion.fixed_log_terms(
            death_by_role=death, risk_weight=des.risk_weight, risk_reference=des.risk_reference_per_day,
            grievance_weight=des.grievance_weight,
            channel_weight=np.array([getattr(des.channel_weight, c) for c in CHANNELS]),
        ),
        severity=desertion.punishment_severity(
            s["prosecution_share"], s["suspended_share"], s["assault_share_returned"], s["amnesty"]),
        prosecute=punishment.prosecution_probabilities(
            s["prosecution_share"], s["short_first_prosecution"], s["refusal_prosecution"], s["amnesty"]),
        voluntary_return=punishment.voluntary_return_probability(
            pursuit.voluntary_return_per_day, s["amnesty"], pursuit.amnesty_return_multiplier),
        assault_returned=punishment.return_assault_share(s["assault_share_returned"], s["amnesty"]),
        hiding=interdiction.hiding_levels(pursuit.hiding_shape, pursuit.hiding_levels),
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
        self._leave_end = leave.end_probabilities(sc.leave.days, sc.leave.convalescent_days)
        self._detention_end = punishment.detention_end_probability(sc.pursuit.detention_days)
        self._route_mask = geo.route_index >= 0
        self._intercept_for = None       # (checkpoint total, intercept matrix) last computed
        self._base_search = float(geo.base_search.sum())
        self._base_checkpoints = float(geo.route_checkpoints.sum())
        # each day's scalars as Python floats, looked up once a day
        s = plan.schedules
        self._day = list(zip(
            s["assault_share_retained"].tolist(), s["leave_start"].tolist(), plan.voluntary_return.tolist(),
            (1.0 - s["suspended_share"]).tolist(), plan.assault_returned.tolist(),
            plan.severity.tolist(), s["pursuit_level"].tolist(), plan.mobilisation.tolist(), strict=True,
        ))

    def rates(self, t: int, agg: Aggregate) -> DayRates:
        """Day t's rates, given yesterday's aggregate state (`Aggregate`)."""
        sc, plan, geo = self.plan.scenario, self.plan, self.plan.geography
        pursuit, des = sc.pursuit, sc.desertion
        assault_retained, leave_start, voluntary_return, prison_share, assault_returned, severity, level, quota = (
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
        propensity = desertion.propensity_table(
            plan.propensity_fixed[t], peer_weight=des.peer_weight, peer_level=self.peer_level,
            deterrence=des.deterrence_weight * arrest * severity,
        )
        recruits = plan.recruits[t]
        rec = sc.recruitment
        if rec.force_target is not None:
            target = rec.force_target
            recruits = recruits.copy()
            recruits[CHANNELS.index(target.channel)] += scale * recruitment.force_target_rate(
                target.size, agg.on_duty / scale, target.closing_days, target.max_per_day
            )
        searched = interdiction.search_capture(
            search, agg.at_large_by_region / scale, pursuit.search_k, pursuit.search_max_per_day)
        return DayRates(
            release=plan.release[t],
            assault_retained=assault_retained,
            death=plan.death[t],
            wound=plan.wound[t],
            recover=self._recover,
            discharge=sc.casualties.discharge_share,
            convalescent=sc.leave.convalescent_share,
            leave_start=leave_start,
            leave_end=self._leave_end,
            line_base=des.base_per_day,
            propensity=propensity,
            leave_no_return=des.leave_no_return,
            treatment_no_return=des.treatment_no_return,
            refusal=des.refusal,
            exit_share=des.exit_share,
            detection=interdiction.detection(searched, geo.is_home, pursuit.home_detection_per_day * level),
            hiding=plan.hiding[0],
            hiding_share=plan.hiding[1],
            voluntary_return=voluntary_return,
            death_at_large=pursuit.death_at_large_per_day,
            move=pursuit.move_per_day,
            intercept=self._intercept(),
            prosecute=plan.prosecute[t],
            prison_share=prison_share,
            detention_end=self._detention_end,
            assault_returned=assault_returned,
            desertion_share=sc.observation.desertion_share,
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
