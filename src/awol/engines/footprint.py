"""The memory a run will need, estimated before anything is allocated.

A scenario of 10¹² soldiers, or 10¹⁵ recruits a day over 20,000 days, is valid arithmetic
and a run that ends in a MemoryError after minutes (or in the machine's swap). Each
engine's large arrays follow from the run's plan (`model.rates.make_plan`) and the
scenario alone, so their bytes can be added up first and the run refused, naming the
fields to change, when they exceed the memory the machine has available.

The estimate counts the arrays whose size grows with the scenario, per engine:

* both: the daily counter matrix, the daily output columns and their Parquet copy
  (days × columns × 8 bytes, a few times over);
* agents (`engines.agents`): one record (`SOLDIER_BYTES`) per soldier ever in the force (the
  initial force, the expected recruits and mobilised, the force target at its cap,
  with the engine's own slack), the calendar's 4-byte slot per soldier, the arrays'
  doubling when they grow, and the day-0 draw of the initial force (~100 bytes each);
* cohorts (`engines.cohorts`): the rings of counts by contract-end day, one for the
  serving and one per place away (rings × pools × ring days × 8 bytes, pools = 18 ×
  units × `cohorts.risk_bins`), the pools' other parts, the per-unit and per-region daily
  tallies, and the sparse cohort table, whose size is bounded by the key space, not by
  the soldiers (a fixed allowance).

Measured against the peak resident memory of whole runs (docs/limits.md), the estimate
lies above the engine's own allocation; the interpreter and its libraries (`PROCESS_BYTES`)
are added once per process.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from awol.engines.agents.soldiers import DTYPES
from awol.engines.cohorts.pools import BLOCK_SHIFT, N_AWAY, N_PARTS_AWAY
from awol.model import contracts
from awol.problems import ProblemsError
from awol.scenario.schema import Scenario

PROCESS_BYTES = 400 * 2**20
"""An awol process before its run's arrays: Python, NumPy, Numba and its compiled code, pyarrow
(about 250 MB resident, measured; rounded up)."""

N_COLUMNS = 200          # daily output columns (172 in the baseline), with room for columns to come
SOLDIER_BYTES = sum(np.dtype(d).itemsize for d in DTYPES)  # one soldier over all the agent engine's arrays
CALENDAR_BYTES = 4       # engines.calendar: one int32 slot per soldier
DRAW_BYTES = 100         # a newcomer's attributes while drawn (float64 randoms and casts)
COHORT_BYTES = 200       # one cohort of the sparse table: key fields, code, counts, successors, index
TABLE_ALLOWANCE = 2**16  # cohorts of the sparse table allowed for (the full baseline holds far fewer)

POOL_FIELDS = ("cohorts.risk_bins", "population.units", "channels.*.term_months")
DAY_FIELDS = ("simulation.days (or --days)",)


class MemoryNeedError(ProblemsError):
    """A run needs more memory than the machine has available; `problems` names the fields."""

    separator = "; "


@dataclass(frozen=True)
class Footprint:
    """Estimated bytes of one run, by part, with the scenario fields each part grows with."""

    engine: str
    parts: dict[str, int] = field(default_factory=dict)
    fields: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def bytes(self) -> int:
        return int(sum(self.parts.values()))

    @property
    def largest(self) -> str:
        return max(self.parts, key=self.parts.get)


def soldier_sources(plan) -> dict[str, float]:
    """Soldiers ever in the force over the plan's days, at scale, by the field they come from:
    the initial force, the mobilisation quotas, the expected recruits and a force target's
    cap (an upper bound)."""
    from awol.model.states import CHANNELS

    sources = {f"population.{c}.size": float(plan.initial_size[i]) for i, c in enumerate(CHANNELS)}
    sources["recruitment.mobilisation"] = float(plan.mobilisation.sum())
    sources["recruitment.volunteer_per_day"] = float(plan.recruits[:, CHANNELS.index("volunteer")].sum())
    sources["recruitment.detentions_per_day"] = float(plan.recruits[:, CHANNELS.index("detainee")].sum())
    target = plan.scenario.recruitment.force_target
    if target is not None:
        sources["recruitment.force_target.max_per_day"] = target.max_per_day * plan.scale * plan.days
    return sources


def _main_sources(sources: dict[str, float]) -> tuple[str, ...]:
    """The fields that bring at least a tenth of the soldiers (inflows also grow with the days)."""
    total = sum(sources.values()) or 1.0
    main = tuple(k for k, v in sources.items() if v >= 0.1 * total)
    inflow = any(k.startswith("recruitment.") for k in main)
    return main + (DAY_FIELDS if inflow else ())


def estimate(scenario: Scenario, days: int | None = None, engine: str = "cohorts") -> Footprint:
    """The bytes one run of `scenario` over `days` needs with `engine`, by part."""
    from awol.model.rates import make_plan

    plan = make_plan(scenario, days)
    days = plan.days
    units = scenario.population.units
    regions = plan.geography.n_regions
    daily = 4 * days * N_COLUMNS * 8            # counters, float→int copy, columns, Parquet buffers
    parts = {"daily outputs": daily}
    fields = {"daily outputs": DAY_FIELDS}
    if engine == "agents":
        sources = soldier_sources(plan)
        soldiers = sum(sources.values())
        room = 1.05 * soldiers + 4 * np.sqrt(soldiers) + 1024
        # the records are reserved for the expected soldiers; when a run outgrows them they
        # double, old and new side by side while copied: half again as an allowance
        parts["soldier records"] = int(1.5 * room * (SOLDIER_BYTES + CALENDAR_BYTES))
        parts["initial draw"] = int(float(plan.initial_size.max(initial=0)) * DRAW_BYTES)
        parts["calendar days"] = days * 32 * CALENDAR_BYTES * 2
        fields["soldier records"] = _main_sources(sources)
        fields["initial draw"] = tuple(f"population.{c}.size" for c in ("volunteer", "mobilised", "detainee"))
        fields["calendar days"] = DAY_FIELDS
        parts["tallies"] = 8 * 4 * 9 * 27 * units
        fields["tallies"] = ("population.units",)
    else:
        pools = 18 * units * scenario.cohorts.risk_bins
        longest = max((max(getattr(scenario.channels, c).term_months or {0: 1}) for c in ("volunteer", "mobilised",
                                                                                            "detainee")), default=0)
        block = 1 << BLOCK_SHIFT
        ring_days = block * int(np.ceil((2 + longest * contracts.DAYS_PER_MONTH + 1) / block))
        ring = pools * ring_days * 8 + pools * (ring_days // block) * 8 + pools * 8 + ring_days * ((pools + 63) // 64) * 8
        other_parts = (2 + 1 + 1 + N_AWAY * (N_PARTS_AWAY - 1) + N_AWAY) * pools * 8
        parts["cohort pools"] = (1 + N_AWAY) * ring + other_parts
        fields["cohort pools"] = POOL_FIELDS
        parts["daily tallies"] = days * (2 * units + regions) * 8
        fields["daily tallies"] = DAY_FIELDS + ("population.units", "pursuit.regions")
        parts["cohort table"] = TABLE_ALLOWANCE * COHORT_BYTES
        fields["cohort table"] = POOL_FIELDS
        parts["returns pending"] = (64 + 2 * pools + int(float(plan.initial_size.sum()) / 100)) * 24
        fields["returns pending"] = tuple(
            f"population.{c}.size" for c in ("volunteer", "mobilised", "detainee"))
    return Footprint(engine, parts, fields)


def available_bytes() -> int:
    """Memory this process may still use: the kernel's MemAvailable, or less under a cgroup limit."""
    found = []
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                found.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        if limit != "max":
            used = int(Path("/sys/fs/cgroup/memory.current").read_text().strip())
            found.append(int(limit) - used)
    except (OSError, ValueError):
        pass
    if not found:
        try:
            found.append(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
        except (ValueError, OSError, AttributeError):
            return 2**62  # nothing to go by: refuse nothing
    return max(0, min(found))


def _gib(n: float) -> str:
    return f"{n / 2**30:,.1f} GiB" if n >= 2**30 else f"{n / 2**20:,.0f} MiB"


def gathered_bytes(runs: int, days: int) -> int:
    """An experiment's summaries read every run's daily table into this process at once
    (pandas frames of N_COLUMNS columns, and their concatenation): about three copies."""
    return 3 * runs * days * N_COLUMNS * 8


def check_memory(runs: list[tuple[Scenario, int | None]], engine: str, *, concurrent: int = 1,
                 processes: int = 0, gathered: int = 0, available: int | None = None) -> Footprint:
    """Refuse work whose largest run, `concurrent` at a time, needs more memory than is available.

    `runs`: (scenario, days) of every distinct run of the work; `concurrent`: how many run
    on this machine at once (0: elsewhere); `processes`: new worker processes it starts
    (each costs `PROCESS_BYTES`); `gathered`: bytes of results read back at the end
    (`gathered_bytes`). Raise `MemoryNeedError` naming the part that dominates and the
    fields it grows with; return the largest run's footprint.
    """
    largest = max((estimate(sc, days, engine) for sc, days in runs), key=lambda f: f.bytes)
    have = available_bytes() if available is None else available
    if gathered > have:
        raise MemoryNeedError([
            f"--runs: reading the runs' daily tables back to summarise them needs about {_gib(gathered)}, more "
            f"than the {_gib(have)} this machine has available; use fewer runs (or points) or fewer days"])
    need = largest.bytes * concurrent + PROCESS_BYTES * processes + gathered
    if need > have:
        part = largest.largest
        many = f" × {concurrent} runs at once" if concurrent > 1 else ""
        raise MemoryNeedError([
            f"{', '.join(largest.fields[part])}: a run needs about {_gib(largest.bytes)}{many} "
            f"({part}: {_gib(largest.parts[part])}; engine {engine}), more than the {_gib(have)} this machine has "
            "available; lower them, run at a smaller simulation.scale"
            + (", or use fewer workers" if concurrent > 1 else "")
        ])
    return largest
