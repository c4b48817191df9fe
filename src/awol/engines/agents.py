"""The agent engine: one record per soldier, visited only on the days something may happen to him.

Each day `Dynamics.rates` gives the probabilities of every event. A soldier in a
status whose daily event probability p_t stays below a bound p̄ is visited only on
his *candidate days*, a Bernoulli(p̄) process kept in a calendar
(`engines.calendar`): the gap to the next candidate is geometric. On a candidate day
t he draws u and the events of the daily chain compete on u·p̄ (killed below d,
wounded below d + w, deserts below p_t on duty), so each day carries exactly the
probability p_t of the daily kernel, independently across days (thinning). A day
therefore costs the soldiers due that day, not all soldiers.

Bounds. A soldier's p̄ is the candidate probability of his class (status, role,
channel, unit), stored with him when he draws and fixed until his next visit. It is
built from bound tables: death plus wound by role (the most the plan's intensity
schedule reaches over the rest of the run), the desertion table
`DayRates.desert[status, role, channel, unit]` before the personal factor (fitted with
headroom, since deterrence and peer effects move it with the state) times the
channel's largest personal factor, the recovery and detention-end probabilities.
Every morning the tables are fitted to the day's rates. When a class's p̄ rises,
every soldier in it draws a fresh candidate from today, which is exact because the
candidate process is memoryless and every earlier day was covered by the old bound.
When it falls, nothing needs doing: soldiers drawn before keep their larger bound,
which still holds.

Term end (M1) falls on a fixed day: a serving soldier's next visit is the earlier of
his candidate and his contract end, where he meets M1 only (the pending candidate
is dropped; drawing anew is exact by memorylessness). Deserters at large, a few
hundred at most in the scenarios at hand, are visited every day.

Stocks and the aggregates fed back to `Dynamics.rates` are kept incrementally at
each transition and copied into the day's counter row. Within a day a soldier
undergoes at most one transition; events compete in the order given in docs/ODD.md
(Process overview and scheduling). Draws are counter-based (`engines.rng`), keyed by
soldier, day and stream; one thread runs the kernel, so the output does not depend
on the number of threads.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from numba import njit

from awol.engines import calendar
from awol.engines import outputs as O
from awol.engines import rng
from awol.engines.prefetch import prefetch
from awol.model import contracts
from awol.model.desertion import tolerance_factor
from awol.model.rates import Aggregate, DayRates, Dynamics, make_plan
from awol.model.states import (
    ASSAULT, AT_LARGE, CHANNELS, DETAINED, ESCAPED, EXIT, HOME, HOSPITAL, IMPRISONED,
    KILLED, MOBILISED, NOT_PROSECUTED, PRISON, RELEASED, RETAINED, ROLES, SERVING, SUSPENDED,
)
from awol.scenario.schema import Scenario

NO_TERM = contracts.NO_TERM
TERM_DECIDED = contracts.TERM_DECIDED
NEVER = calendar.NEVER

# Streams of a soldier-day's counter-based uniforms (`rng.uniform`). Each is used at
# most once per soldier and day: a soldier is visited at most once a day, redrawn at
# most once a day (before the visits), and arrives once.
EVENT, DETAIL, SENTENCE, GAP, REDRAW, ARRIVAL = range(6)

# Desertion bounds are fitted to HEADROOM × the day's rate, and lowered only once the
# rate has fallen below 1 / HEADROOM² of the bound: a raise costs a pass over every
# soldier, a loose bound only the extra candidate visits it brings.
HEADROOM = 1.5
LOOKAHEAD = 4                    # visits between a soldier's prefetch and his visit

kernel = njit(cache=True, _nrt=False)
inline = njit(cache=True, inline="always", _nrt=False)


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
    bound: np.ndarray           # float64, p̄: his daily event probability is at most this until his next visit
    visit_day: np.ndarray       # int32, day of his next visit (≥ the run's days: none within the run)

    FIELDS = ("status", "role", "channel", "unit", "region", "destination", "contract_end",
              "status_day", "risk_tolerance", "tolerance", "times_deserted", "sentence", "key",
              "bound", "visit_day")
    DTYPES = (np.int8, np.int8, np.int8, np.int32, np.int16, np.int8, np.int32,
              np.int32, np.float32, np.float32, np.int16, np.int8, np.uint64,
              np.float64, np.int32)
    # What the kernel reads and writes, in the order of `step_day`'s tuple S.
    KERNEL_FIELDS = ("status", "role", "channel", "unit", "region", "destination", "contract_end",
                     "status_day", "tolerance", "times_deserted", "sentence", "key",
                     "bound", "visit_day")

    @classmethod
    def empty(cls, capacity: int) -> "Soldiers":
        return cls(0, *(np.zeros(capacity, dtype=d) for d in cls.DTYPES))

    @property
    def capacity(self) -> int:
        return len(self.status)

    def reserve(self, extra: int) -> None:
        """Grow the arrays (doubling) so that `extra` more soldiers fit."""
        capacity = self.capacity
        if self.n + extra <= capacity:
            return
        new = max(2 * capacity, self.n + extra)
        for name in self.FIELDS:
            old = getattr(self, name)
            grown = np.zeros(new, dtype=old.dtype)
            grown[: self.n] = old[: self.n]
            setattr(self, name, grown)

    def add(self, run_key: np.uint64, **columns: np.ndarray) -> None:
        """Append soldiers; the kernel puts them on the calendar on the day they arrive."""
        k = len(columns["channel"])
        self.reserve(k)
        for name, values in columns.items():  # slots past n are still zero: others stay so
            getattr(self, name)[self.n : self.n + k] = values
        rng.agent_keys(run_key, self.n, self.key[self.n : self.n + k])
        self.n += k

    def arrays(self) -> tuple:
        return tuple(getattr(self, name) for name in self.KERNEL_FIELDS)


@dataclass
class KernelStats:
    """What the daily kernels did over a run: wall time and the work the calendar saved or cost."""

    seconds: float
    visits: int            # soldier-visits (candidate days, term ends, deserters at large)
    redraw_passes: int     # days on which a raised bound sent the kernel over every soldier
    redrawn: int           # soldiers who drew a fresh candidate because their bound was raised
    classes_redrawn: int   # classes (status, role, channel, unit, or all detainees) redrawn, summed over days


@dataclass(frozen=True)
class Newcomers:
    """How new soldiers of one channel are drawn (M7): its profile, read once per run.

    Roles and terms are drawn by inversion of their cumulative shares, one uniform each,
    which takes the same numbers from the generator, and gives the same draws, as
    `Generator.choice(..., p=shares)`; risk tolerance from its Beta (or the mean, sd = 0).
    """

    channel: int
    units: int
    role_cdf: np.ndarray
    terms: np.ndarray | None        # months; None: no term (mobilised)
    term_cdf: np.ndarray | None
    beta: tuple[float, float] | None
    mean_tolerance: float
    tolerance_weight: float

    @classmethod
    def of(cls, scenario: Scenario, channel: int) -> "Newcomers":
        profile = getattr(scenario.channels, CHANNELS[channel])
        roles = np.array([profile.roles.get(r, 0.0) for r in ROLES])
        terms = term_cdf = None
        if profile.term_months is not None:
            terms = np.array(list(profile.term_months.keys()), dtype=float)
            term_cdf = _cdf(np.array(list(profile.term_months.values())))
        rt = profile.risk_tolerance
        beta = None
        if rt.sd != 0:
            nu = rt.mean * (1 - rt.mean) / rt.sd**2 - 1
            beta = (rt.mean * nu, (1 - rt.mean) * nu)
        return cls(channel, scenario.population.units, _cdf(roles), terms, term_cdf, beta,
                   rt.mean, scenario.desertion.risk_tolerance_weight)

    def draw(self, count: int, start_days: np.ndarray, today: int, generator: np.random.Generator,
             unit_region: np.ndarray) -> dict:
        """Attributes of `count` new soldiers whose contracts start on `start_days`."""
        role = _inverse(self.role_cdf, generator.random(count)).astype(np.int8)
        unit = generator.integers(0, self.units, size=count).astype(np.int32)
        if self.terms is None:
            end = np.full(count, NO_TERM, dtype=np.int32)
        else:
            term = self.terms[_inverse(self.term_cdf, generator.random(count))]
            end = contracts.contract_end_days(start_days, term)
        if self.beta is None:
            tol = np.full(count, self.mean_tolerance)
        else:
            tol = generator.beta(*self.beta, size=count)
        return dict(
            status=np.full(count, SERVING, dtype=np.int8),
            role=role,
            channel=np.full(count, self.channel, dtype=np.int8),
            unit=unit,
            region=unit_region[unit].astype(np.int16),
            contract_end=end,
            status_day=np.full(count, today, dtype=np.int32),
            risk_tolerance=tol.astype(np.float32),
            tolerance=tolerance_factor(tol, self.tolerance_weight).astype(np.float32),
        )


def _cdf(shares: np.ndarray) -> np.ndarray:
    p = shares / shares.sum()
    cdf = p.cumsum()
    return cdf / cdf[-1]


def _inverse(cdf: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Category of each uniform u in [0, 1): how many cumulative shares are ≤ u (what
    `cdf.searchsorted(u, side="right")` gives, since cdf[-1] = 1); a few comparisons
    over the array instead of a binary search per element."""
    out = np.zeros(len(u), dtype=np.int32)
    for c in cdf[:-1]:
        out += u >= c
    return out


def expected_soldiers(plan) -> int:
    """Room for the soldiers a run is likely to hold: the initial force, the expected Poisson
    recruits (the force target at its cap), the mobilisation quotas, and some slack, so that
    the arrays rarely have to grow (each growth copies every record)."""
    sc = plan.scenario
    rec = sc.recruitment
    expected = float(plan.initial_size.sum()) + float(plan.mobilisation.sum())
    expected += float(plan.recruits.sum())  # volunteers and detainees, before any force target
    if rec.force_target is not None:
        expected += rec.force_target.max_per_day * plan.scale * plan.days
    return max(1024, int(1.05 * expected + 4 * np.sqrt(expected)))


def planned_casualty_bounds(plan, days: int) -> np.ndarray:
    """[day, role]: the largest daily death-plus-wound probability from that day to the end of the run.

    Casualty probabilities follow the intensity schedule, known in advance; a bound that
    looks ahead to the end of the run never has to be raised, and falls as peaks pass.
    """
    death, wound = plan.death[:days], plan.wound[:days]
    return np.maximum.accumulate((death + wound)[::-1], axis=0)[::-1].copy()


def largest_factors(scenario: Scenario) -> np.ndarray:
    """[channel]: an upper bound on the M3 personal factor exp(β_tol (τ − ½)) of its soldiers.

    τ lies in [0, 1] (its Beta distribution), or is the mean when sd = 0. The stored
    factors are float32, rounded to nearest, hence the margin.
    """
    weight = scenario.desertion.risk_tolerance_weight
    out = np.zeros(3)
    for c, name in enumerate(CHANNELS):
        rt = getattr(scenario.channels, name).risk_tolerance
        tau = np.array([rt.mean] if rt.sd == 0 else [0.0, 1.0])
        out[c] = tolerance_factor(tau, weight).max() * (1.0 + 2.0**-20)
    return out


# ---------------------------------------------------------------- counters

@inline
def _count(i, s, sign, S, T):
    """Add soldier i to (sign 1) or take him from (sign −1) the running tallies T of status s."""
    role, channel, unit, region, times_deserted = S[1], S[2], S[3], S[4], S[9]
    standing, class_size, on_duty_unit, at_large_region = T[0], T[1], T[2], T[3]
    standing[O.STOCK + s] += sign
    if s <= DETAINED:
        class_size[s, role[i], channel[i], unit[i]] += sign
    if s == SERVING or s == RETAINED:
        standing[O.ON_DUTY_ROLE + role[i]] += sign
        standing[O.ON_DUTY_CHANNEL + channel[i]] += sign
        on_duty_unit[unit[i]] += sign
        if times_deserted[i] > 0:
            standing[O.ON_DUTY_RETURNED] += sign
    elif s == AT_LARGE:
        at_large_region[region[i]] += sign


# ---------------------------------------------------------------- bounds

@inline
def _fitted(bound, rate, headroom):
    """A desertion bound fitted to today's `rate`: raised above it, or lowered once far above."""
    if rate > bound or rate * headroom * headroom < bound:
        return min(1.0, headroom * rate)
    return bound


@kernel
def _fit_bounds(t, death, wound, desert, recover, detention_end, B, class_size, stats):
    """Fit the bound tables to today's rates and derive each class's candidate probability.

    A class is (status, role, channel, unit); its candidate probability p̄ bounds the day's
    event probability of every soldier in it: b + (1 − b) · min(1, desertion bound × the
    channel's largest personal factor), with b the casualty bound on duty and the recovery
    probability in hospital; the detention-end probability when detained; 1 at large
    (visited daily). The day's probability of a soldier, d + w + (1 − d − w) · h on duty,
    grows with each of its parts, so it is at most p̄. Returns whether some class holding
    soldiers has a larger p̄ than yesterday: those are marked in `dirty` and must draw
    fresh candidates. A smaller p̄ needs nothing: soldiers drawn under the larger one keep
    it, and it still bounds their probability.
    """
    planned, casualty, desertion, factor_max, candidate, scale, dirty, nothing_from, _ = B
    n_units = desertion.shape[3]
    for r in range(3):  # death + wound: the plan's look-ahead, or today's rate if it is above
        rate = death[r] + wound[r]
        casualty[r] = planned[t, r] if planned[t, r] >= rate else rate
    redraw = False
    for s in range(DETAINED + 1):
        for r in range(3):
            for c in range(3):
                for u in range(n_units):
                    if s == AT_LARGE:
                        p = 1.0
                    elif s == DETAINED:
                        p = detention_end
                    else:
                        desertion[s, r, c, u] = _fitted(desertion[s, r, c, u], desert[s, r, c, u], HEADROOM)
                        h = desertion[s, r, c, u] * factor_max[c]
                        if h > 1.0:
                            h = 1.0
                        base = recover if s == HOSPITAL else casualty[r]
                        p = base + (1.0 - base) * h
                    raised = p > candidate[s, r, c, u] and class_size[s, r, c, u] > 0
                    dirty[s, r, c, u] = raised
                    if raised:
                        stats[3] += 1
                        redraw = True
                    if p != candidate[s, r, c, u]:
                        candidate[s, r, c, u] = p
                        scale[s, r, c, u] = calendar.gap_scale(p)
                        nothing_from[s, r, c, u] = -1
    return redraw


@inline
def _schedule(i, first, h, stream, days, S, C, B):
    """Soldier i's next visit on or after day `first`: his next candidate under his class's
    candidate probability (drawn from stream `stream` of the soldier-day hash h), or his
    term end if sooner."""
    status, role, channel, unit, contract_end = S[0], S[1], S[2], S[3], S[6]
    bound, visit_day = S[12], S[13]
    candidate, scale, nothing_from, nothing_left = B[4], B[5], B[7], B[8]
    s = status[i]
    if s == AT_LARGE:  # every day
        calendar.schedule(C, visit_day, i, first, days)
        return
    if s > DETAINED:  # absorbing
        visit_day[i] = NEVER
        return
    r, c, u = role[i], channel[i], unit[i]
    p = candidate[s, r, c, u]
    bound[i] = p
    if nothing_from[s, r, c, u] != first:  # P(no candidate from `first` on), once per class and day
        nothing_left[s, r, c, u] = calendar.none_left(p, days - first)
        nothing_from[s, r, c, u] = first
    day = calendar.candidate_day(rng.uniform(h, stream), scale[s, r, c, u], nothing_left[s, r, c, u], first, days)
    if s == SERVING:  # back on duty after his term ended while away: M1 on his first day
        day = min(day, max(contract_end[i], first))
    calendar.schedule(C, visit_day, i, day, days)


# ---------------------------------------------------------------- one day

@inline
def _prefetch_soldier(S, i):
    """Start loading the fields a visit of soldier i reads (`engines.prefetch`)."""
    prefetch(S[11], i)  # key
    prefetch(S[0], i)   # status
    prefetch(S[1], i)   # role
    prefetch(S[2], i)   # channel
    prefetch(S[3], i)   # unit
    prefetch(S[6], i)   # contract end
    prefetch(S[8], i)   # personal factor
    prefetch(S[12], i)  # bound
    prefetch(S[13], i)  # visit day
    prefetch(S[9], i)   # times deserted (tallies of those on duty)


@inline
def _visit(i, t, h, S, T, R, G, row):
    """Soldier i's day t: at most one transition, with the daily chain's probabilities.

    His tallies are taken off under his old status (`_count(…, −1)`) before any field
    they are kept by (role, region) changes, and added under the new one at the end.
    """
    (status, role, channel, unit, region, destination, contract_end, status_day,
     tolerance, times_deserted, sentence, key, bound, visit_day) = S
    at_large_region, desertions_unit = T[3], T[4]
    (release, assault_retained, death, wound, recover, discharge, desert, exit_share,
     search_capture, surrender, move, intercept, prosecute, imprison, detention_end,
     assault_returned) = R
    next_hop, is_exit, unit_region = G
    s = status[i]
    u = rng.uniform(h, EVENT)
    r = role[i]
    dst = s
    if s == SERVING and t >= contract_end[i]:  # M1: term ends today, nothing else
        _count(i, s, -1, S, T)
        if u < release:
            dst = RELEASED
        else:
            dst = RETAINED
            contract_end[i] = TERM_DECIDED
            if rng.uniform(h, DETAIL) < assault_retained:
                role[i] = ASSAULT
    elif s == SERVING or s == RETAINED:
        x = u * bound[i]  # uniform on [0, p̄): thinning
        dp = death[r]
        wp = wound[r]
        hp = desert[s, r, channel[i], unit[i]] * tolerance[i]
        if hp > 1.0:
            hp = 1.0
        if x < dp:  # M2
            dst = KILLED
            row[O.DEATHS_ROLE + r] += 1
            if times_deserted[i] > 0:
                row[O.DEATHS_RETURNED] += 1
        elif x < dp + wp:
            dst = HOSPITAL
            row[O.WOUNDS_ROLE + r] += 1
        elif x < dp + wp + (1.0 - dp - wp) * hp:  # M3
            dst = AT_LARGE
        if dst != s:
            _count(i, s, -1, S, T)
    elif s == HOSPITAL:
        x = u * bound[i]
        hp = desert[HOSPITAL, r, channel[i], unit[i]] * tolerance[i]
        if hp > 1.0:
            hp = 1.0
        if x < recover:  # M2
            if rng.uniform(h, DETAIL) < discharge:
                dst = RELEASED
            elif contract_end[i] == TERM_DECIDED:
                dst = RETAINED
            else:
                dst = SERVING
        elif x < recover + (1.0 - recover) * hp:  # M3, opportunity
            dst = AT_LARGE
        if dst != s:
            _count(i, s, -1, S, T)
    elif s == AT_LARGE:
        g = region[i]
        ps = search_capture[g]
        captured = False
        if u < ps:  # M5 search
            captured = True
            row[O.CAPTURES_SEARCH] += 1
        elif u < ps + (1.0 - ps) * surrender:  # M6 surrender
            captured = True
            row[O.SURRENDERS] += 1
        elif u < ps + (1.0 - ps) * (surrender + (1.0 - surrender) * move):  # M5 move
            nxt = next_hop[destination[i], g]
            if nxt != g:
                if rng.uniform(h, DETAIL) < intercept[g, nxt]:
                    captured = True
                    row[O.CAPTURES_CHECKPOINT] += 1
                elif is_exit[nxt]:
                    dst = ESCAPED
                    _count(i, s, -1, S, T)
                    region[i] = nxt
                else:
                    at_large_region[g] -= 1
                    region[i] = nxt
                    at_large_region[nxt] += 1
        if captured:  # M6 sentence decided at capture
            dst = DETAINED
            v = rng.uniform(h, SENTENCE)
            if v < imprison:
                sentence[i] = PRISON
            elif v < prosecute:
                sentence[i] = SUSPENDED
            else:
                sentence[i] = NOT_PROSECUTED
            if v < prosecute:
                row[O.CASES_OPENED] += 1
            _count(i, s, -1, S, T)
    elif s == DETAINED:
        x = u * bound[i]
        if x < detention_end:  # M6
            _count(i, s, -1, S, T)
            if sentence[i] == PRISON:
                dst = IMPRISONED
            else:
                dst = RETAINED if contract_end[i] == TERM_DECIDED else SERVING
                region[i] = unit_region[unit[i]]
                if rng.uniform(h, DETAIL) < assault_returned:
                    role[i] = ASSAULT
    if dst == s:
        return
    if dst == AT_LARGE:  # M3: deserts where he is, heading home or for the exit
        row[O.DESERTIONS_CHANNEL + channel[i]] += 1
        desertions_unit[unit[i]] += 1
        destination[i] = EXIT if rng.uniform(h, DETAIL) < exit_share else HOME
        times_deserted[i] += 1
    status[i] = dst
    status_day[i] = t
    row[O.FLOW + s * O.N_STATUS + dst] += 1
    _count(i, dst, 1, S, T)


@kernel
def step_day(t, days, n_before, n, S, E, R, G, arrivals, counts):
    """Day t: fit the bounds, put today's arrivals (soldiers n_before, …, n − 1; `arrivals`
    by channel) on the calendar, visit every soldier due today, write the day's counters
    into counts[t] and return the day's desertions.

    S: the soldiers' arrays (`Soldiers.KERNEL_FIELDS`). E: the engine's own state, (calendar
    C, bound tables B, running tallies T, statistics). R: today's rates (`DayRates`, in
    the order of `simulate_agents`). G: geography.
    """
    (status, role, channel, unit, region, destination, contract_end, status_day,
     tolerance, times_deserted, sentence, key, bound, visit_day) = S
    C, B, T, stats = E
    dirty = B[6]
    standing, class_size, on_duty_unit, at_large_region, desertions_unit = T
    death, wound, recover, desert, detention_end = R[2], R[3], R[4], R[6], R[14]
    row = counts[t]

    # 1. bounds; soldiers of a class whose candidate probability rose draw afresh from today
    if _fit_bounds(t, death, wound, desert, recover, detention_end, B, class_size, stats):
        stats[1] += 1
        for i in range(n_before):
            s = status[i]
            if s <= DETAINED and dirty[s, role[i], channel[i], unit[i]]:
                stats[2] += 1
                _schedule(i, t, rng.agent_day_hash(key[i], t), REDRAW, days, S, C, B)
        calendar.rebuild(C, visit_day, n_before, t, days)

    # 2. arrivals start serving today (M7); the initial force arrives on day 0
    for i in range(n_before, n):
        _count(i, SERVING, 1, S, T)
        _schedule(i, t, rng.agent_day_hash(key[i], t), ARRIVAL, days, S, C, B)

    # 3. visits
    for u_ in range(len(desertions_unit)):
        desertions_unit[u_] = 0
    first, last, fill, link, ids, free = C
    b = first[t]
    while b != calendar.END:
        base, m, nb = b * calendar.BLOCK, fill[b], link[b]
        for k in range(m):
            ahead = k + LOOKAHEAD  # fetch the record of a soldier due a little later today
            if ahead < m:
                _prefetch_soldier(S, ids[base + ahead])
            elif nb != calendar.END and ahead - m < fill[nb]:
                _prefetch_soldier(S, ids[nb * calendar.BLOCK + ahead - m])
            i = ids[base + k]
            h = rng.agent_day_hash(key[i], t)
            _visit(i, t, h, S, T, R, G, row)
            _schedule(i, t + 1, h, GAP, days, S, C, B)
        stats[0] += m
        link[b] = free[0]  # the block goes back to the pool
        free[0] = b
        b = nb
    first[t] = calendar.END
    last[t] = calendar.END

    # 4. end-of-day stocks
    for k in range(O.STOCK, O.ON_DUTY_CHANNEL + 3):
        row[k] = standing[k]
    row[O.ON_DUTY_RETURNED] = standing[O.ON_DUTY_RETURNED]
    desertions = 0
    for c in range(3):
        row[O.RECRUITS_CHANNEL + c] = arrivals[c]
        desertions += row[O.DESERTIONS_CHANNEL + c]
    return desertions


def simulate_agents(scenario: Scenario, seed: int, days: int, progress=None):
    """Run the agent engine; return the daily counter matrix, pursuit levels, the soldiers and `KernelStats`."""
    plan = make_plan(scenario, days)
    geo = plan.geography
    dynamics = Dynamics(plan)
    units = scenario.population.units
    n_regions = geo.n_regions
    key = rng.run_key(seed)
    init_gen = rng.generator(seed, rng.INITIAL)
    recruit_gen = rng.generator(seed, rng.RECRUITS)

    pop = scenario.population
    newcomers = [Newcomers.of(scenario, ch) for ch in range(len(CHANNELS))]
    soldiers = Soldiers.empty(expected_soldiers(plan))
    for ch, name in enumerate(CHANNELS):
        size = int(plan.initial_size[ch])
        if size == 0:
            continue
        span = getattr(pop, name).started_within_months * contracts.DAYS_PER_MONTH
        starts = -np.floor(init_gen.random(size) * span).astype(np.int64)
        soldiers.add(key, **newcomers[ch].draw(size, starts, 0, init_gen, geo.unit_region))

    counts = np.zeros((days, O.N_COUNTERS), dtype=np.int64)
    search_units = np.zeros(days)
    checkpoints = np.zeros(days)
    standing = np.zeros(O.N_COUNTERS, dtype=np.int64)  # running stocks, at the stock indices
    on_duty_unit = np.zeros(units, dtype=np.int64)
    at_large_region = np.zeros(n_regions, dtype=np.int64)
    desertions_unit = np.zeros(units, dtype=np.int64)
    stats = np.zeros(4, dtype=np.int64)
    classes = (DETAINED + 1, 3, 3, units)              # [status, role, channel, unit]
    bounds = (
        planned_casualty_bounds(plan, days),
        np.zeros(3),                                   # casualty bound by role
        np.zeros((3, 3, 3, units)),                    # desertion bound [status, role, channel, unit]
        largest_factors(scenario),
        np.zeros(classes),                             # candidate probability p̄ of each class
        np.zeros(classes),                             # its gap scale, 1 / log(1 − p̄)
        np.zeros(classes, dtype=np.bool_),             # classes to redraw today
        np.full(classes, -1, dtype=np.int64),          # first day of the horizon below (−1: none yet)
        np.zeros(classes),                             # P(no candidate from that day to the end)
    )
    tallies = (
        standing,
        np.zeros(classes, dtype=np.int64),             # soldiers per class
        on_duty_unit, at_large_region, desertions_unit,
    )
    cal = calendar.Calendar(days, soldiers.capacity)
    E = (cal.arrays(), bounds, tallies, stats)
    S = soldiers.arrays()
    G = (geo.next_hop, geo.is_exit, geo.unit_region)
    agg = Aggregate(
        at_large_by_region=np.zeros(n_regions),
        on_duty_by_unit=np.bincount(soldiers.unit[: soldiers.n], minlength=units).astype(float),
        desertions_by_unit=np.zeros(units),
        on_duty=float(soldiers.n),
    )
    n_before = 0  # the initial force arrives on day 0
    started = time.perf_counter()
    for t in range(days):
        rates: DayRates = dynamics.rates(t, agg)
        # A Poisson draw of mean 0 takes nothing from the generator (NumPy returns 0 at
        # once), so skipping an all-zero day leaves the recruits' stream as it was.
        arrivals = recruit_gen.poisson(rates.recruits) if rates.recruits.any() else np.zeros(3, dtype=np.int64)
        arrivals[MOBILISED] += rates.mobilised_quota
        for ch in range(3):
            if arrivals[ch]:
                k = int(arrivals[ch])
                soldiers.add(key, **newcomers[ch].draw(k, np.full(k, t), t, recruit_gen, geo.unit_region))
                if soldiers.capacity != len(S[0]):  # the arrays grew
                    cal.reserve(soldiers.capacity)
                    E = (cal.arrays(), bounds, tallies, stats)
                    S = soldiers.arrays()
        R = (rates.release, rates.assault_retained, rates.death, rates.wound, rates.recover,
             rates.discharge, rates.desert, rates.exit_share, rates.search_capture, rates.surrender,
             rates.move, rates.intercept, rates.prosecute, rates.imprison, rates.detention_end,
             rates.assault_returned)
        desertions = step_day(t, days, n_before, soldiers.n, S, E, R, G, arrivals, counts)
        n_before = soldiers.n
        search_units[t] = rates.search_units
        checkpoints[t] = rates.checkpoints
        dynamics.record(t, desertions)
        agg = Aggregate(
            at_large_by_region=at_large_region.astype(float),
            on_duty_by_unit=on_duty_unit.astype(float),
            desertions_by_unit=desertions_unit.astype(float),
            on_duty=float(standing[O.STOCK + SERVING] + standing[O.STOCK + RETAINED]),
        )
        if progress is not None:
            progress(t + 1, days)
    run_stats = KernelStats(time.perf_counter() - started, *(int(x) for x in stats))
    return counts, search_units, checkpoints, soldiers, run_stats
