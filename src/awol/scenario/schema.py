"""The one scenario type: every input of a run, validated once at the edge.

Past `load_scenario`, code trusts a `Scenario`. Field names follow the domain of
BRIEF.md (M1-M8); docstrings say which mechanism reads each block.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from awol.scenario import limits as L

# Every float is finite (`allow_inf_nan=False` on every model) and every number has an
# upper limit (scenario/limits.py says why each is where it is).
Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Days = Annotated[float, Field(gt=0.0, le=L.MAX_DAYS, description=f"days, at most {L.MAX_DAYS:,}")]
LagDays = Annotated[float, Field(ge=0.0, le=L.MAX_DAYS, description=f"days, at most {L.MAX_DAYS:,}")]
Weight = Annotated[float, Field(ge=-L.MAX_WEIGHT, le=L.MAX_WEIGHT,
                                description=f"log-hazard coefficient in [-{L.MAX_WEIGHT:g}, {L.MAX_WEIGHT:g}]")]
Soldiers = Annotated[int, Field(ge=0, le=L.MAX_SOLDIERS, description=f"soldiers, at most {L.MAX_SOLDIERS:,}")]
PerDay = Annotated[float, Field(ge=0.0, le=L.MAX_PER_DAY, description=f"per day, at most {L.MAX_PER_DAY:,}")]
Pursuers = Annotated[float, Field(ge=0.0, le=L.MAX_PURSUERS, description=f"at most {L.MAX_PURSUERS:,}")]
Share = Annotated[float, Field(ge=0.0, le=L.MAX_MULTIPLIER,
                               description=f"a relative weight in [0, {L.MAX_MULTIPLIER:g}], normalised with its siblings")]
Multiplier = Annotated[float, Field(ge=0.0, le=L.MAX_MULTIPLIER, description=f"in [0, {L.MAX_MULTIPLIER:g}]")]
RateConstant = Annotated[float, Field(ge=0.0, le=L.MAX_RATE_CONSTANT, description=f"in [0, {L.MAX_RATE_CONSTANT:g}]")]
Date = Annotated[dt.date, Field(ge=L.EARLIEST_DATE, le=L.LATEST_DATE,
                                description=f"a date from {L.EARLIEST_DATE} to {L.LATEST_DATE}")]

CHANNELS = ("volunteer", "mobilised", "detainee")
ROLES = ("rear", "line", "assault")
REGION_KINDS = ("front", "occupied", "border", "home", "exit")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Step(Strict):
    """One step of a piecewise-constant schedule: `value` holds from `from` on."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False)
    start: Date = Field(alias="from")
    value: float


def _schedule_ordered(steps: list[Step]) -> list[Step]:
    for before, after in zip(steps, steps[1:]):
        if after.start <= before.start:
            raise ValueError(
                f"dates must be in increasing order: {after.start} follows {before.start}"
            )
    return steps


Schedule = Annotated[list[Step], Field(min_length=1, max_length=L.MAX_STEPS)]


def _check_steps(steps: list[Step], lo: float, hi: float, what: str) -> list[Step]:
    _schedule_ordered(steps)
    for i, step in enumerate(steps):
        if not lo <= step.value <= hi:
            raise ValueError(f"[{i}].value: must be {what} (got {step.value})")
    return steps


class Simulation(Strict):
    """Calendar and randomness of a run."""

    start: Date
    days: int = Field(ge=1, le=L.MAX_DAYS)
    seed: int = Field(ge=0, lt=L.MAX_SEED)
    scale: float = Field(
        default=1.0, gt=0.0, le=1.0,
        description="run at this fraction of the scenario's size: sizes and inflows are multiplied by it and "
                    "every term that counts soldiers is rescaled, so per-soldier rates are those of full scale",
    )


class RiskTolerance(Strict):
    """Beta distribution of personal risk tolerance in [0, 1] (mean and sd)."""

    mean: Annotated[float, Field(gt=0.0, lt=1.0)]
    sd: Annotated[float, Field(ge=0.0, lt=0.5)]

    @model_validator(mode="after")
    def _feasible(self) -> RiskTolerance:
        if self.sd**2 >= self.mean * (1 - self.mean):
            raise ValueError(
                f"sd = {self.sd} is too large for mean {self.mean}: "
                f"a beta distribution needs sd < {((self.mean * (1 - self.mean)) ** 0.5):.4f}"
            )
        return self


def _weights(values: dict, what: str) -> dict:
    """Relative weights, normalised by the model: any non-negative numbers with a positive total,
    so that one of them can be varied over its range without breaking the others."""
    if not sum(values.values()) > 0:
        raise ValueError(f"{what} must have a positive total (they sum to {sum(values.values()):g})")
    return values


class ChannelProfile(Strict):
    """What a soldier of one recruitment channel looks like when he joins (M7)."""

    term_months: dict[int, Share] | None = Field(
        description="contract terms in months → relative weight (normalised); null for no term (mobilised)"
    )
    roles: dict[Literal["rear", "line", "assault"], Share] = Field(
        description="role → relative weight of recruits' roles (normalised)")
    risk_tolerance: RiskTolerance

    @field_validator("term_months")
    @classmethod
    def _terms(cls, v):
        if v is None:
            return v
        if not v:
            raise ValueError("must list at least one term, or be null for no term")
        for months in v:
            if not 1 <= months <= L.MAX_MONTHS:
                raise ValueError(f"term of {months} months: terms must be 1 to {L.MAX_MONTHS} months")
        return _weights(v, "term weights")

    @field_validator("roles")
    @classmethod
    def _roles(cls, v):
        return _weights(v, "role weights")


class Channels(Strict):
    volunteer: ChannelProfile
    mobilised: ChannelProfile
    detainee: ChannelProfile


class InitialCohort(Strict):
    """Soldiers of one channel already serving on day 0."""

    size: Soldiers
    started_within_months: float = Field(ge=0.0, le=L.MAX_MONTHS,
        description="contract starts spread uniformly over this many months before day 0"
    )


class Population(Strict):
    volunteer: InitialCohort
    mobilised: InitialCohort
    detainee: InitialCohort
    units: int = Field(ge=1, le=L.MAX_UNITS, description="formations, the peer groups of M3")


class Policy(Strict):
    """Command levers over time (M1, M2, M6), each a piecewise-constant schedule of probabilities."""

    release_at_term: Schedule
    detainee_release_at_term: Schedule | None = Field(
        default=None, description="release at term end of detainee recruits (default: release_at_term)")
    assault_share_retained: Schedule
    assault_share_returned: Schedule
    prosecution_share: Schedule
    short_first_prosecution: Schedule = Field(
        description="prosecution of a first absence that ended within 10 days (de facto leniency)")
    refusal_prosecution: Schedule = Field(description="prosecution of a refusal to deploy (art. 332)")
    suspended_share: Schedule
    amnesty: Schedule

    @field_validator("*")
    @classmethod
    def _probabilities(cls, v):
        return v if v is None else _check_steps(v, 0.0, 1.0, "a probability in [0, 1]")


class RoleRates(Strict):
    rear: Probability
    line: Probability
    assault: Probability


class Casualties(Strict):
    """Daily death and wounding probabilities by role, scaled by combat intensity (M2)."""

    death_per_day: RoleRates
    wound_per_day: RoleRates
    intensity: Schedule
    recovery_days: Days
    discharge_share: Probability

    @field_validator("intensity")
    @classmethod
    def _intensity(cls, v):
        return _check_steps(v, 0.0, L.MAX_INTENSITY, f"a multiplier in [0, {L.MAX_INTENSITY:g}]")


class Leave(Strict):
    """Leave from the front (M2): rotation leave, and convalescence at home after treatment."""

    start_per_day: Schedule = Field(description="daily probability that a soldier on duty goes on rotation leave")
    days: Days = Field(description="mean length of a rotation leave, days")
    convalescent_share: Probability = Field(
        description="share of soldiers leaving hospital (not discharged) who convalesce at home first")
    convalescent_days: Days = Field(description="mean length of convalescence at home, days")

    @field_validator("start_per_day")
    @classmethod
    def _start(cls, v):
        return _check_steps(v, 0.0, 1.0, "a probability in [0, 1]")


class ChannelWeights(Strict):
    volunteer: Weight
    mobilised: Weight
    detainee: Weight


class Desertion(Strict):
    """The absence decision (M3): the hazard of leaving from the line, and the probabilities of not
    returning from leave or after treatment and of refusing to deploy; see model/desertion.py."""

    form: Literal["loglinear"]
    base_per_day: Probability
    risk_weight: Weight
    risk_reference_per_day: Annotated[float, Field(gt=0.0, le=1.0)]
    grievance_weight: Weight
    channel_weight: ChannelWeights
    deterrence_weight: Annotated[float, Field(ge=0.0, le=L.MAX_WEIGHT)]
    arrest_k: Annotated[float, Field(gt=0.0, le=L.MAX_RATE_CONSTANT)]
    peer_weight: Annotated[float, Field(ge=0.0, le=L.MAX_WEIGHT)]
    peer_memory_days: Days
    risk_tolerance_weight: Weight
    leave_no_return: Probability = Field(description="P(not back from a rotation leave) for the reference soldier")
    treatment_no_return: Probability = Field(description="P(not back after treatment) for the reference soldier")
    refusal: Probability = Field(description="P(refuses to deploy again after leave or treatment), reference soldier")
    exit_share: Probability


class Region(Strict):
    name: Annotated[str, Field(min_length=1, max_length=L.MAX_NAME)]
    kind: Literal["front", "occupied", "border", "home", "exit"]


class Route(Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False)
    a: str = Field(alias="from", max_length=L.MAX_NAME)
    b: str = Field(alias="to", max_length=L.MAX_NAME)
    checkpoints: Pursuers


class Adaptive(Strict):
    """Command response to recent desertions (M4)."""

    enabled: bool
    lag_days: int = Field(ge=0, le=L.MAX_DAYS)
    window_days: int = Field(ge=1, le=L.MAX_DAYS)
    search_per_desertion: Pursuers
    checkpoints_per_desertion: Pursuers
    adjust_per_day: Probability
    max_search_units: Pursuers
    max_checkpoints: Pursuers


class Pursuit(Strict):
    """Abstract region graph, checkpoints, search units, and how deserters move (M4, M5)."""

    regions: list[Region] = Field(min_length=2, max_length=L.MAX_REGIONS)
    routes: list[Route] = Field(min_length=1, max_length=L.MAX_ROUTES)
    search_units: dict[str, Pursuers]
    move_per_day: Probability
    checkpoint_k: RateConstant
    search_k: RateConstant
    search_max_per_day: Probability
    home_detection_per_day: Probability = Field(
        description="daily probability that police or military police find an absent soldier in a home region")
    voluntary_return_per_day: Probability = Field(description="daily probability that an absent soldier comes back")
    amnesty_return_multiplier: Multiplier = Field(description="voluntary returns multiplied by this under full amnesty")
    death_at_large_per_day: Probability
    hiding_shape: Annotated[float, Field(gt=0.0, le=L.MAX_MULTIPLIER)] = Field(
        description="shape of the gamma distribution (mean 1) of how hard an absent soldier is to find")
    hiding_levels: int = Field(default=4, ge=1, le=16, description="equal-probability levels of that distribution")
    detention_days: Days
    level: Schedule | None = Field(
        default=None,
        description="multiplier of the base search units and checkpoints over time (fixed schedule); default 1",
    )
    adaptive: Adaptive

    @field_validator("level")
    @classmethod
    def _level(cls, v):
        return v if v is None else _check_steps(v, 0.0, L.MAX_MULTIPLIER, f"a multiplier in [0, {L.MAX_MULTIPLIER:g}]")

    @model_validator(mode="after")
    def _graph(self) -> Pursuit:
        names = [r.name for r in self.regions]
        problems = []
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            problems.append(f"regions: names must be unique; repeated: {duplicates}")
        known = set(names)
        for i, route in enumerate(self.routes):
            for end, name in (("from", route.a), ("to", route.b)):
                if name not in known:
                    problems.append(
                        f"routes[{i}].{end}: unknown region {name!r} (known regions: {', '.join(map(repr, sorted(known)))})"
                    )
        for name in self.search_units:
            if name not in known:
                problems.append(
                    f"search_units.{name}: unknown region (known regions: {', '.join(map(repr, sorted(known)))})"
                )
        seen: dict[frozenset, int] = {}
        for i, route in enumerate(self.routes):
            ends = frozenset((route.a, route.b))
            if len(ends) == 1:
                problems.append(f"routes[{i}]: from and to are both {route.a!r}; a route joins two different regions")
            elif ends in seen:
                problems.append(f"routes[{i}]: joins {route.a!r} and {route.b!r} again (as routes[{seen[ends]}] does)")
            else:
                seen[ends] = i
        kinds = {r.kind for r in self.regions}
        for needed in ("front", "home"):
            if needed not in kinds:
                problems.append(f"regions: at least one region of kind {needed!r} is required")
        if problems:
            raise ValueError("\n".join(problems))
        return self


class MobilisationWave(Strict):
    start: Date
    size: Soldiers
    days: int = Field(ge=1, le=L.MAX_DAYS)


class ForceTarget(Strict):
    """Goal-seeking recruitment: close a shortfall of the on-duty force (M7)."""

    size: Soldiers
    channel: Literal["volunteer", "detainee", "mobilised"]
    closing_days: Days
    max_per_day: PerDay


class Recruitment(Strict):
    """Inflows of new soldiers by channel (M7)."""

    volunteer_per_day: Schedule
    bonus: Schedule
    bonus_reference: Schedule = Field(
        description="the bonus in force when volunteer_per_day was observed; the rate scales with bonus / this")
    bonus_elasticity: Annotated[float, Field(ge=0.0, le=L.MAX_ELASTICITY)]
    detentions_per_day: Schedule
    detainee_acceptance: Schedule
    mobilisation: list[MobilisationWave] = Field(default_factory=list, max_length=L.MAX_STEPS)
    force_target: ForceTarget | None = None

    @field_validator("bonus")
    @classmethod
    def _bonus(cls, v):
        return _check_steps(v, 0.0, L.MAX_BONUS, f"in [0, {L.MAX_BONUS:g}]")

    @field_validator("volunteer_per_day", "detentions_per_day")
    @classmethod
    def _per_day(cls, v):
        return _check_steps(v, 0.0, L.MAX_PER_DAY, f"in [0, {L.MAX_PER_DAY:,}] a day")

    @field_validator("bonus_reference")
    @classmethod
    def _positive(cls, v):
        for i, step in enumerate(_schedule_ordered(v)):
            if not 0 < step.value <= L.MAX_BONUS:
                raise ValueError(f"[{i}].value: must be in (0, {L.MAX_BONUS:g}] (got {step.value})")
        return v

    @model_validator(mode="after")
    def _volunteer_inflow(self) -> Recruitment:
        """The bonus response multiplies the base rate: its largest value must stay a number of people."""
        ratio = max(s.value for s in self.bonus) / min(s.value for s in self.bonus_reference)
        base = max(s.value for s in self.volunteer_per_day)
        try:
            peak = base * ratio**self.bonus_elasticity
        except OverflowError:
            peak = float("inf")
        if peak > L.MAX_PER_DAY:
            raise ValueError(
                f"volunteer_per_day: up to {base:g} × (largest bonus / smallest bonus_reference = {ratio:.3g})"
                f"^{self.bonus_elasticity:g} gives {peak:.3g} volunteers a day, more than {L.MAX_PER_DAY:,}; "
                "lower the rate, the bonus or its elasticity"
            )
        return self

    @field_validator("detainee_acceptance")
    @classmethod
    def _prob(cls, v):
        return _check_steps(v, 0.0, 1.0, "a probability in [0, 1]")


class Observation(Strict):
    """What the public sees of prosecutions (M8)."""

    reporting_share: Probability
    filing_lag_days: LagDays
    verdict_lag_days: LagDays
    desertion_share: Probability = Field(
        description="share of absence prosecutions brought as desertion (art. 338) rather than absence (art. 337); "
                    "refusals to deploy are disobedience (art. 332)")


class Cohorts(Strict):
    """Settings of the cohort engine (docs/engines.md). Risk tolerance is continuous in the
    agent engine; the cohort engine groups it into `risk_bins` equal-probability bins, each
    with the conditional mean of the personal hazard factor (the one approximation)."""

    risk_bins: int = Field(default=16, ge=1, le=255, description="risk-tolerance bins of the cohort engine")


class Scenario(Strict):
    """A whole scenario. `load_scenario` attaches the resolved file and its annotations."""

    _raw: dict = PrivateAttr(default_factory=dict)
    _annotations: dict = PrivateAttr(default_factory=dict)
    _hash: str = PrivateAttr(default="")

    name: Annotated[str, Field(min_length=1, max_length=L.MAX_NAME)]
    description: Annotated[str, Field(max_length=10_000)]
    simulation: Simulation
    channels: Channels
    population: Population
    policy: Policy
    casualties: Casualties
    leave: Leave
    desertion: Desertion
    pursuit: Pursuit
    recruitment: Recruitment
    observation: Observation
    cohorts: Cohorts = Field(default_factory=Cohorts)

    @model_validator(mode="after")
    def _not_empty(self) -> Scenario:
        initial = sum(getattr(self.population, c).size for c in CHANNELS)
        inflow = (
            max(s.value for s in self.recruitment.volunteer_per_day)
            + max(s.value for s in self.recruitment.detentions_per_day)
            + sum(w.size for w in self.recruitment.mobilisation)
        )
        if initial == 0 and inflow == 0 and self.recruitment.force_target is None:
            raise ValueError(
                "population: the population is empty (no initial soldiers and no recruitment): "
                "give at least one channel a size > 0, or a recruitment inflow"
            )
        return self

    @model_validator(mode="after")
    def _schedules_in_the_run(self) -> Scenario:
        """A schedule's first step must take effect by the run's last day: before it the first
        value holds (model.schedules), so a schedule that starts after the run would apply a
        value meant for later to the whole run."""
        problems = []
        for path, steps in self.schedules().items():
            if steps[0].start > self.end:
                problems.append(f"{path}[0].from: {steps[0].start} is after the run's last day {self.end} "
                                f"(simulation.start + days − 1); the first step must start by then")
        if problems:
            raise ValueError("\n".join(problems))
        return self

    @model_validator(mode="after")
    def _ways_out(self) -> Scenario:
        """Deserters walk the route graph from their unit's front region towards a home region,
        or an exit region when they head abroad (`desertion.exit_share` > 0 and the graph has
        one): each front region must reach them, else its deserters could never leave it."""
        regions = self.pursuit.regions
        index = {r.name: i for i, r in enumerate(regions)}
        if len(index) < len(regions) or any(r.a not in index or r.b not in index for r in self.pursuit.routes):
            return self  # the region problems are reported by Pursuit
        neighbours: list[set[int]] = [set() for _ in regions]
        for route in self.pursuit.routes:
            neighbours[index[route.a]].add(index[route.b])
            neighbours[index[route.b]].add(index[route.a])
        kinds = [r.kind for r in regions]
        wanted = ["home"] + (["exit"] if self.desertion.exit_share > 0 and "exit" in kinds else [])
        problems = []
        for i, region in enumerate(regions):
            if region.kind != "front":
                continue
            reached, frontier = {i}, [i]
            while frontier:
                for j in neighbours[frontier.pop()] - reached:
                    reached.add(j)
                    frontier.append(j)
            for kind in wanted:
                if not any(kinds[j] == kind for j in reached):
                    problems.append(f"pursuit.routes: front region {region.name!r} has no route to any region of kind "
                                    f"{kind!r}; its deserters could never leave (add a route)")
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def schedules(self) -> dict[str, list[Step]]:
        """Every schedule of the scenario by its dotted path (found by walking the tree, so a
        schedule added to the schema is never left out of the checks that use this)."""
        out: dict[str, list[Step]] = {}

        def walk(model: BaseModel, prefix: str) -> None:
            for name in type(model).model_fields:
                value = getattr(model, name)
                if isinstance(value, list) and value and isinstance(value[0], Step):
                    out[prefix + name] = value
                elif isinstance(value, BaseModel):
                    walk(value, f"{prefix}{name}.")

        walk(self, "")
        return out

    @property
    def end(self) -> dt.date:
        return self.simulation.start + dt.timedelta(days=self.simulation.days - 1)

    @property
    def raw(self) -> dict:
        """The resolved scenario tree (after `extends`), annotations included."""
        return self._raw

    @property
    def annotations(self) -> dict:
        """`{path: Annotation}` for every parameter declared with a value, range or source."""
        return self._annotations

    @property
    def hash(self) -> str:
        """SHA-256 of the resolved scenario tree: equal trees, equal hashes."""
        return self._hash
