"""The largest inputs awol accepts, each with the reason it is where it is.

Every limit here is far beyond anything the system awol models has shown, so no honest
scenario meets one; each exists so that a typo, a unit slip or a hostile file (10¹²
soldiers, lags of 1e300 days, an infinite rate) is refused with its field named
instead of running out of memory, overflowing an integer or writing silent nonsense.
The schema (`scenario.schema`), the loader (`scenario.load`) and every command and
request that starts work read them from here; docs/limits.md lists them for users.
All numbers must also be finite: NaN and ±infinity are refused everywhere.
"""

from __future__ import annotations

import datetime as dt

# -- calendar ---------------------------------------------------------------------
MAX_DAYS = 20_000
"""Days of one run (about 55 years): longer than any war in the data, and the longest
lag or duration a scenario may declare, since a longer one cannot show in any output."""

EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2199, 12, 31)
"""Dates of a scenario (run start, schedule steps, mobilisation waves): the system is
modern, and a run of MAX_DAYS from the latest start still lies within Python's calendar."""

MAX_MONTHS = 600
"""Contract terms and the spread of contract starts, in months (50 years, a working life)."""

# -- sizes ------------------------------------------------------------------------
MAX_SOLDIERS = 100_000_000
"""Soldiers in one channel's initial force, one mobilisation wave or a force target
(10⁸: about eight times the largest army ever fielded, the Soviet army of 1945 at some
12 million; the cohort engine is benchmarked at this size)."""

MAX_PER_DAY = 1_000_000
"""Recruits, detentions or force-target arrivals per day, after the bonus response
(10⁶: the 2022 partial mobilisation brought about 300,000 men in 45 days, some
7,000 a day; this is 150 times that)."""

MAX_PURSUERS = 10_000_000
"""Search units per region, checkpoints per route and their adaptive caps (10⁷)."""

MAX_UNITS = 10_000
"""Formations (the peer groups of M3)."""

MAX_REGIONS = 255
"""Regions of the abstract graph (the cohort engine keys a region in 8 bits)."""

MAX_ROUTES = 10_000
"""Routes of the abstract graph."""

MAX_STEPS = 10_000
"""Steps of one schedule, and mobilisation waves of one scenario."""

MAX_NAME = 100
"""Characters of a scenario or region name (a scenario's name becomes part of a default
output directory, built from its safe characters only: `store.runs.safe_name`)."""

# -- coefficients -----------------------------------------------------------------
MAX_WEIGHT = 50.0
"""|coefficient| of a term of the log-linear desertion hazard (M3): e^50 ≈ 5·10²¹, so a
larger weight cannot move a hazard that is already capped at 1 from any base rate."""

MAX_MULTIPLIER = 1_000.0
"""Multipliers of a rate (hospital opportunity, the amnesty's surrender multiplier,
pursuit levels)."""

MAX_INTENSITY = 100.0
"""Combat-intensity multiplier of the daily casualty probabilities (M2)."""

MAX_RATE_CONSTANT = 1_000.0
"""Constants k of the saturating capture terms 1 − exp(−k·x) (M3, M5): beyond this the
term is 1 for any x the model can produce."""

MAX_BONUS = 1e12
"""Sign-on bonus and its reference, in currency units (the federal bonus was 195,000 to
400,000 roubles); what matters is their ratio, bounded through MAX_PER_DAY."""

MAX_ELASTICITY = 10.0
"""Elasticity of volunteering to the bonus (M7)."""

MAX_SEED = 2**63
"""Seeds lie in [0, 2^63): a run's seeds come from `rng.child_seed`, which needs them there."""

# -- files ------------------------------------------------------------------------
MAX_FILE_BYTES = 1_000_000
"""A scenario file (the baseline is about 12 kB)."""

MAX_EXTENDS = 16
"""Depth of an `extends` chain (the bundled variants use one)."""

MAX_NESTING = 32
"""Nesting of mappings and lists in a scenario file (the schema needs 5)."""

MAX_NODES = 100_000
"""Values in a scenario file once aliases are expanded (the baseline has about 900), so
that an alias bomb is refused before anything walks it."""

# -- work of one command or request -------------------------------------------------
MAX_RUNS = 100_000
"""Runs of one experiment (replicates × points), each one Parquet file on disk."""

MAX_DRAWS = 100_000
"""Posterior draws of a nowcast, particles of a calibration, posterior-predictive draws."""

MAX_GENERATIONS = 1_000
"""ABC-SMC generations of a calibration."""

MAX_WORKERS = 256
"""Worker processes of one command on this machine (`--workers`, `--dask local:N`): each is a
whole interpreter of some 250 MB."""

WEB_JOB_WORK = 1.5e11
"""Default largest web job, in soldier-days × runs (`awol serve --max-work`): a full-scale paired
comparison of 50 + 50 baseline runs (about 1.4e9 soldier-days each). A job's runs go one at a
time, so this bounds the time a job holds the queue, not memory (checked separately)."""
