"""The agent engine's soldiers: one slot per soldier ever recruited, as a structure of arrays.

Arrays rather than records: a day's visits read a few fields of soldiers scattered
over memory, and each field is its own contiguous array that the kernel prefetches
(`prefetch`). The kernels see them as the named tuple `SoldierArrays`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from awol.engines import rng
from awol.model import contracts
from awol.model.desertion import tolerance_factor
from awol.model.states import CHANNELS, ROLES, SERVING
from awol.scenario.schema import Scenario

NO_TERM = contracts.NO_TERM


class SoldierArrays(NamedTuple):
    """What the kernels read and write of every soldier, one array each."""

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
    sentence: np.ndarray        # int8, decided when detention begins: NOT_PROSECUTED, SUSPENDED, PRISON
    pathway: np.ndarray         # int8, how his absence began (at large), which leave (on leave): model.states.PATHWAYS
    hiding: np.ndarray          # int8, his hiding level while at large
    key: np.ndarray             # uint64, the soldier's random key (`rng.agent_keys`)
    bound: np.ndarray           # float64, p̄: his daily event probability is at most this until his next visit
    visit_day: np.ndarray       # int32, day of his next visit (≥ the run's days: none within the run)


DTYPES = SoldierArrays(np.int8, np.int8, np.int8, np.int32, np.int16, np.int8, np.int32, np.int32,
                       np.float32, np.float32, np.int16, np.int8, np.int8, np.int8, np.uint64, np.float64, np.int32)

# One packed record per soldier, the fields viewed as the arrays above: a visit reads a
# dozen fields of one soldier, which then lie on one or two cache lines instead of a
# dozen (one per array). Widest fields first.
RECORD = np.dtype(sorted(((name, d) for name, d in DTYPES._asdict().items()),
                         key=lambda field: -np.dtype(field[1]).itemsize))


def _views(records: np.ndarray) -> SoldierArrays:
    return SoldierArrays(*(records[name] for name in SoldierArrays._fields))


@dataclass
class Soldiers:
    """The arrays, with room to grow; `n` slots are in use."""

    n: int
    arrays: SoldierArrays

    @classmethod
    def empty(cls, capacity: int) -> Soldiers:
        """Room for `capacity` soldiers, none in use yet."""
        return cls(0, _views(np.zeros(capacity, dtype=RECORD)))

    @property
    def capacity(self) -> int:
        """Soldiers the records can hold before they must grow."""
        return len(self.arrays.status)

    def reserve(self, extra: int) -> None:
        """Grow the arrays (doubling) so that `extra` more soldiers fit; new slots are zero."""
        if self.n + extra <= self.capacity:
            return
        new = max(2 * self.capacity, self.n + extra)
        records = np.zeros(new, dtype=RECORD)
        records[: self.n] = self.arrays.status.base[: self.n]
        self.arrays = _views(records)

    def add(self, run_key: np.uint64, **columns: np.ndarray) -> None:
        """Append soldiers; the kernel puts them on the calendar on the day they arrive."""
        k = len(columns["channel"])
        self.reserve(k)
        for name, values in columns.items():  # slots past n are still zero: others stay so
            getattr(self.arrays, name)[self.n : self.n + k] = values
        rng.agent_keys(run_key, self.n, self.arrays.key[self.n : self.n + k])
        self.n += k


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
    def of(cls, scenario: Scenario, channel: int) -> Newcomers:
        """How a recruit of `channel` is drawn, read once from the scenario so the kernel reads no names."""
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
    rec = plan.scenario.recruitment
    expected = float(plan.initial_size.sum()) + float(plan.mobilisation.sum())
    expected += float(plan.recruits.sum())  # volunteers and detainees, before any force target
    if rec.force_target is not None:
        expected += rec.force_target.max_per_day * plan.scale * plan.days
    return max(1024, int(1.05 * expected + 4 * np.sqrt(expected)))

