"""The agent engine: one record per soldier, a structure of arrays, daily steps.

Each day `Dynamics.rates` gives the probabilities of every event; a Numba kernel
walks the soldiers in fixed chunks (in parallel) and draws each one's event from
counter-based uniforms (`engines.rng`), so the outcome does not depend on the
number of threads. Counters are per chunk and summed afterwards.

Within a day a soldier undergoes at most one transition; events compete in the
order given in docs/ODD.md (Process overview and scheduling).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from awol.engines import outputs as O
from awol.engines import rng
from awol.model import contracts
from awol.model.desertion import tolerance_factor
from awol.model.rates import Aggregate, DayRates, Dynamics, make_plan
from awol.model.states import (
    ASSAULT, AT_LARGE, CHANNELS, DETAINED, ESCAPED, EXIT, HOME, HOSPITAL, IMPRISONED,
    KILLED, NOT_PROSECUTED, PRISON, RELEASED, RETAINED, ROLES, SERVING, SUSPENDED,
)
from awol.scenario.schema import Scenario

CHUNK = 1 << 15
NO_TERM = contracts.NO_TERM
TERM_DECIDED = contracts.TERM_DECIDED


@dataclass
class Soldiers:
    """Structure of arrays, one slot per soldier ever recruited; `n` slots are in use."""

    n: int
    status: np.ndarray          # int8, model.states.STATUSES
    role: np.ndarray            # int8, model.states.ROLES
    channel: np.ndarray         # int8, model.states.CHANNELS
    unit: np.ndarray            # int32
    region: np.ndarray          # int16, region index (front region of the unit when on duty)
    destination: np.ndarray     # int8, HOME or EXIT while at large
    contract_end: np.ndarray    # int32 day; NO_TERM, or TERM_DECIDED once retained
    status_day: np.ndarray      # int32 day the current status began (days in status = t − this)
    risk_tolerance: np.ndarray  # float32 in [0, 1]
    tolerance: np.ndarray       # float32, exp(β_tol (τ − ½)), the M3 personal factor
    times_deserted: np.ndarray  # int16
    sentence: np.ndarray        # int8, decided at capture: NOT_PROSECUTED, SUSPENDED, PRISON
    key: np.ndarray             # uint64, the soldier's random key (`rng.agent_keys`)

    FIELDS = ("status", "role", "channel", "unit", "region", "destination", "contract_end",
              "status_day", "risk_tolerance", "tolerance", "times_deserted", "sentence", "key")
    DTYPES = (np.int8, np.int8, np.int8, np.int32, np.int16, np.int8, np.int32,
              np.int32, np.float32, np.float32, np.int16, np.int8, np.uint64)

    @classmethod
    def empty(cls, capacity: int) -> "Soldiers":
        return cls(0, *(np.zeros(capacity, dtype=d) for d in cls.DTYPES))

    def reserve(self, extra: int) -> None:
        """Grow the arrays (doubling) so that `extra` more soldiers fit."""
        capacity = len(self.status)
        if self.n + extra <= capacity:
            return
        new = max(2 * capacity, self.n + extra)
        for name in self.FIELDS:
            old = getattr(self, name)
            grown = np.zeros(new, dtype=old.dtype)
            grown[: self.n] = old[: self.n]
            setattr(self, name, grown)

    def add(self, run_key: np.uint64, **columns: np.ndarray) -> None:
        k = len(columns["channel"])
        self.reserve(k)
        for name in self.FIELDS:
            getattr(self, name)[self.n : self.n + k] = columns.get(name, 0)
        rng.agent_keys(run_key, self.n, self.key[self.n : self.n + k])
        self.n += k


def new_soldiers(scenario: Scenario, channel: int, count: int, start_days: np.ndarray,
                 today: int, generator: np.random.Generator, unit_region: np.ndarray) -> dict:
    """Attributes of `count` new soldiers of one channel (M7): role, unit, term, risk tolerance."""
    name = CHANNELS[channel]
    profile = getattr(scenario.channels, name)
    roles = np.array([profile.roles.get(r, 0.0) for r in ROLES])
    role = generator.choice(3, size=count, p=roles / roles.sum()).astype(np.int8)
    unit = generator.integers(0, scenario.population.units, size=count).astype(np.int32)
    if profile.term_months is None:
        end = np.full(count, NO_TERM, dtype=np.int32)
    else:
        terms = np.array(list(profile.term_months.keys()), dtype=float)
        shares = np.array(list(profile.term_months.values()))
        term = generator.choice(terms, size=count, p=shares / shares.sum())
        end = contracts.contract_end_days(start_days, term)
    rt = profile.risk_tolerance
    if rt.sd == 0:
        tol = np.full(count, rt.mean)
    else:
        nu = rt.mean * (1 - rt.mean) / rt.sd**2 - 1
        tol = generator.beta(rt.mean * nu, (1 - rt.mean) * nu, size=count)
    return dict(
        status=np.full(count, SERVING, dtype=np.int8),
        role=role,
        channel=np.full(count, channel, dtype=np.int8),
        unit=unit,
        region=unit_region[unit].astype(np.int16),
        contract_end=end,
        status_day=np.full(count, today, dtype=np.int32),
        risk_tolerance=tol.astype(np.float32),
        tolerance=tolerance_factor(tol, scenario.desertion.risk_tolerance_weight).astype(np.float32),
    )


@njit(cache=True, inline="always")
def _move(c, src, dst, cnt):
    cnt[c, O.FLOW + src * 9 + dst] += 1


@njit(cache=True, inline="always")
def _desert(c, i, src, t, h, exit_share, status, channel, unit, destination, times_deserted, status_day, cnt, unit_cnt):
    """M3: soldier i leaves status `src` for at large, heading home or for the exit."""
    status[i] = AT_LARGE
    _move(c, src, AT_LARGE, cnt)
    cnt[c, O.DESERTIONS_CHANNEL + channel[i]] += 1
    unit_cnt[c, 0, unit[i]] += 1
    destination[i] = EXIT if rng.uniform(h, 1) < exit_share else HOME
    times_deserted[i] += 1
    status_day[i] = t


@njit(parallel=True, cache=True)
def step_day(
    t, n,
    status, role, channel, unit, region, destination, contract_end, status_day,
    tolerance, times_deserted, sentence, key,
    release, assault_retained, death, wound, recover, discharge, desert, exit_share,
    search_capture, surrender, move, intercept, next_hop, is_exit, unit_region,
    prosecute, imprison, detention_end, assault_returned,
    cnt, unit_cnt, region_cnt,
):
    """Advance every soldier by one day; add events and end-of-day stocks into per-chunk counters.

    unit_cnt[c, 0, u] counts desertions from unit u, unit_cnt[c, 1, u] its soldiers on
    duty at the end of the day; region_cnt[c, r] deserters at large in region r.
    """
    n_chunks = (n + CHUNK - 1) // CHUNK
    for c in prange(n_chunks):
        lo = c * CHUNK
        hi = min(n, lo + CHUNK)
        for i in range(lo, hi):
            s = status[i]
            if s >= IMPRISONED:  # absorbing states
                cnt[c, O.STOCK + s] += 1
                continue
            h = rng.agent_day_hash(key[i], t)
            u = rng.uniform(h, 0)
            r = role[i]
            if s == SERVING or s == RETAINED:
                if s == SERVING and t >= contract_end[i]:
                    # M1: term ends today
                    if u < release:
                        status[i] = RELEASED
                        _move(c, SERVING, RELEASED, cnt)
                    else:
                        status[i] = RETAINED
                        contract_end[i] = TERM_DECIDED
                        if rng.uniform(h, 1) < assault_retained:
                            role[i] = ASSAULT
                        _move(c, SERVING, RETAINED, cnt)
                    status_day[i] = t
                else:
                    dp = death[r]
                    wp = wound[r]
                    hp = desert[s, r, channel[i], unit[i]] * tolerance[i]
                    if hp > 1.0:
                        hp = 1.0
                    if u < dp:  # M2
                        status[i] = KILLED
                        _move(c, s, KILLED, cnt)
                        cnt[c, O.DEATHS_ROLE + r] += 1
                        if times_deserted[i] > 0:
                            cnt[c, O.DEATHS_RETURNED] += 1
                        status_day[i] = t
                    elif u < dp + wp:
                        status[i] = HOSPITAL
                        _move(c, s, HOSPITAL, cnt)
                        cnt[c, O.WOUNDS_ROLE + r] += 1
                        status_day[i] = t
                    elif u < dp + wp + (1.0 - dp - wp) * hp:  # M3
                        _desert(c, i, s, t, h, exit_share, status, channel, unit, destination,
                                times_deserted, status_day, cnt, unit_cnt)
            elif s == HOSPITAL:
                hp = desert[2, r, channel[i], unit[i]] * tolerance[i]
                if hp > 1.0:
                    hp = 1.0
                if u < recover:  # M2
                    if rng.uniform(h, 1) < discharge:
                        status[i] = RELEASED
                    elif contract_end[i] == TERM_DECIDED:
                        status[i] = RETAINED
                    else:
                        status[i] = SERVING
                    _move(c, HOSPITAL, status[i], cnt)
                    status_day[i] = t
                elif u < recover + (1.0 - recover) * hp:  # M3, opportunity
                    _desert(c, i, HOSPITAL, t, h, exit_share, status, channel, unit, destination,
                            times_deserted, status_day, cnt, unit_cnt)
            elif s == AT_LARGE:
                g = region[i]
                ps = search_capture[g]
                captured = False
                if u < ps:  # M5 search
                    captured = True
                    cnt[c, O.CAPTURES_SEARCH] += 1
                elif u < ps + (1.0 - ps) * surrender:  # M6 surrender
                    captured = True
                    cnt[c, O.SURRENDERS] += 1
                elif u < ps + (1.0 - ps) * (surrender + (1.0 - surrender) * move):  # M5 move
                    nxt = next_hop[destination[i], g]
                    if nxt != g:
                        if rng.uniform(h, 1) < intercept[g, nxt]:
                            captured = True
                            cnt[c, O.CAPTURES_CHECKPOINT] += 1
                        elif is_exit[nxt]:
                            region[i] = nxt
                            status[i] = ESCAPED
                            _move(c, AT_LARGE, ESCAPED, cnt)
                            status_day[i] = t
                        else:
                            region[i] = nxt
                if captured:  # M6 sentence decided at capture
                    status[i] = DETAINED
                    _move(c, AT_LARGE, DETAINED, cnt)
                    status_day[i] = t
                    v = rng.uniform(h, 2)
                    if v < imprison:
                        sentence[i] = PRISON
                    elif v < prosecute:
                        sentence[i] = SUSPENDED
                    else:
                        sentence[i] = NOT_PROSECUTED
                    if v < prosecute:
                        cnt[c, O.CASES_OPENED] += 1
            elif s == DETAINED:
                if u < detention_end:  # M6
                    if sentence[i] == PRISON:
                        status[i] = IMPRISONED
                    else:
                        status[i] = RETAINED if contract_end[i] == TERM_DECIDED else SERVING
                        region[i] = unit_region[unit[i]]
                        if rng.uniform(h, 1) < assault_returned:
                            role[i] = ASSAULT
                    _move(c, DETAINED, status[i], cnt)
                    status_day[i] = t
            # end-of-day stocks
            s = status[i]
            cnt[c, O.STOCK + s] += 1
            if s == SERVING or s == RETAINED:
                cnt[c, O.ON_DUTY_ROLE + role[i]] += 1
                cnt[c, O.ON_DUTY_CHANNEL + channel[i]] += 1
                unit_cnt[c, 1, unit[i]] += 1
                if times_deserted[i] > 0:
                    cnt[c, O.ON_DUTY_RETURNED] += 1
            elif s == AT_LARGE:
                region_cnt[c, region[i]] += 1


def simulate_agents(scenario: Scenario, seed: int, days: int, progress=None):
    """Run the agent engine; return the daily counter matrix and pursuit levels."""
    plan = make_plan(scenario, days)
    geo = plan.geography
    dynamics = Dynamics(plan)
    units = scenario.population.units
    n_regions = geo.n_regions
    key = rng.run_key(seed)
    init_gen = rng.generator(seed, rng.INITIAL)
    recruit_gen = rng.generator(seed, rng.RECRUITS)

    pop = scenario.population
    initial = sum(getattr(pop, c).size for c in CHANNELS)
    soldiers = Soldiers.empty(max(1024, int(initial * 1.5)))
    for ch, name in enumerate(CHANNELS):
        cohort = getattr(pop, name)
        if cohort.size == 0:
            continue
        span = cohort.started_within_months * contracts.DAYS_PER_MONTH
        starts = -np.floor(init_gen.random(cohort.size) * span).astype(np.int64)
        soldiers.add(key, **new_soldiers(scenario, ch, cohort.size, starts, 0, init_gen, geo.unit_region))

    counts = np.zeros((days, O.N_COUNTERS), dtype=np.int64)
    search_units = np.zeros(days)
    checkpoints = np.zeros(days)
    agg = Aggregate(
        at_large_by_region=np.zeros(n_regions),
        on_duty_by_unit=np.bincount(soldiers.unit[: soldiers.n], minlength=units).astype(float),
        desertions_by_unit=np.zeros(units),
        on_duty=float(soldiers.n),
    )
    started = time.perf_counter()
    for t in range(days):
        rates: DayRates = dynamics.rates(t, agg)
        arrivals = recruit_gen.poisson(rates.recruits)
        arrivals[CHANNELS.index("mobilised")] += rates.mobilised_quota
        for ch in range(3):
            if arrivals[ch]:
                soldiers.add(key, **new_soldiers(
                    scenario, ch, int(arrivals[ch]), np.full(arrivals[ch], t), t, recruit_gen, geo.unit_region
                ))
        n_chunks = max(1, (soldiers.n + CHUNK - 1) // CHUNK)
        cnt = np.zeros((n_chunks, O.N_COUNTERS), dtype=np.int64)
        unit_cnt = np.zeros((n_chunks, 2, units), dtype=np.int64)
        region_cnt = np.zeros((n_chunks, n_regions), dtype=np.int64)
        s = soldiers
        step_day(
            t, s.n,
            s.status, s.role, s.channel, s.unit, s.region, s.destination, s.contract_end,
            s.status_day, s.tolerance, s.times_deserted, s.sentence, s.key,
            rates.release, rates.assault_retained, rates.death, rates.wound, rates.recover,
            rates.discharge, rates.desert, rates.exit_share, rates.search_capture, rates.surrender,
            rates.move, rates.intercept, geo.next_hop, geo.is_exit, geo.unit_region,
            rates.prosecute, rates.imprison, rates.detention_end, rates.assault_returned,
            cnt, unit_cnt, region_cnt,
        )
        counts[t] = cnt.sum(axis=0)
        counts[t, O.RECRUITS_CHANNEL : O.RECRUITS_CHANNEL + 3] = arrivals
        search_units[t] = rates.search_units
        checkpoints[t] = rates.checkpoints
        units_today = unit_cnt.sum(axis=0)
        new_desertions = int(units_today[0].sum())
        dynamics.record(t, new_desertions)
        agg = Aggregate(
            at_large_by_region=region_cnt.sum(axis=0).astype(float),
            on_duty_by_unit=units_today[1].astype(float),
            desertions_by_unit=units_today[0].astype(float),
            on_duty=float(units_today[1].sum()),
        )
        if progress is not None:
            progress(t + 1, days)
    return counts, search_units, checkpoints, soldiers, time.perf_counter() - started
