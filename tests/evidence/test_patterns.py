"""The report's claims as patterns of the calibrated baseline and its variants (C1-C7).

"Calibrated" means the bundled baseline with each calibrated parameter set to its
posterior median (`scenarios/baseline.posterior.json`); variants change only what
they name on top of it. Each pattern compares R seeds per arm of a 2 % scale model
with the cohort engine: the difference of means must exceed 4 standard errors of
the difference (Welch), in the claimed direction. A wrong sign or a broken link
fails; noise alone passes with probability < 1e-4.
"""

from __future__ import annotations

import numpy as np
import pytest

import awol
from awol.evidence.nowcast import read_posterior
from awol.scenario.load import BUNDLED_DIR, scenario_from_tree
from awol.scenario.provenance import set_path
from tests.scenarios import small_tree
from tests.stats import assert_greater

pytestmark = pytest.mark.slow

SEEDS = range(1, 9)
DAYS = 640          # to mid 2024: the adaptive response, the 2024 detainee laws and the force target all act
SCALE = 0.02


def posterior_medians() -> dict:
    """Weighted median of each calibrated parameter, as scenario edits (a change point as its date, a schedule
    scale as the scaled steps); error-model parameters do not touch the scenario."""
    from awol.evidence.posterior import draw_edits

    path = BUNDLED_DIR / "baseline.posterior.json"
    doc = read_posterior(path)
    values = np.asarray(doc["particles"]["values"], float)
    weights = np.asarray(doc["particles"]["weights"], float)
    medians = []
    for j in range(values.shape[1]):
        order = np.argsort(values[:, j])
        cumulative = np.cumsum(weights[order]) / weights.sum()
        medians.append(float(values[order, j][np.searchsorted(cumulative, 0.5)]))
    edits, _ = draw_edits(doc, small_tree(scale=SCALE, days=DAYS), medians)
    return edits


MEDIANS = posterior_medians()


def calibrated(name: str = "baseline", **overrides) -> dict:
    """The scaled-down variant at the posterior medians, then `overrides` (dotted paths with `__`)."""
    tree = small_tree(name, scale=SCALE, days=DAYS)
    for path, value in MEDIANS.items():
        set_path(tree, path, value)
    for path, value in overrides.items():
        set_path(tree, path.replace("__", "."), value)
    return tree


def runs(tree: dict) -> list:
    scenario = scenario_from_tree(tree)
    return [awol.simulate(scenario, seed=s, engine="cohorts") for s in SEEDS]


@pytest.fixture(scope="module")
def baseline():
    return runs(calibrated())


def test_calibrated_values_are_inside_their_priors():
    doc = read_posterior(BUNDLED_DIR / "baseline.posterior.json")
    for row in doc["posterior"]:
        low, high = row["prior"]
        assert low <= row["q50"] <= high, row["path"]


def test_forced_retention_raises_desertion(baseline):
    """C1-C3: against honouring contracts, retention past term fills up and desertions rise."""
    honour = runs(calibrated("honour-contracts"))
    assert_greater([d["retained_past_term"].iloc[-1] for d in baseline],
                   [d["retained_past_term"].iloc[-1] for d in honour], "retained past term")
    assert_greater([d["new_desertions"].sum() for d in baseline],
                   [d["new_desertions"].sum() for d in honour], "desertions")


def test_desertions_drive_pursuit_and_pursuit_drives_captures(baseline):
    """C4: more desertion → more search units and checkpoints (adaptive rule) → more captures.

    The push is a threefold base desertion hazard. With the adaptive rule switched
    off, the same push leaves the pursuit where it was: the link runs through M4.
    """
    base = MEDIANS.get("desertion.base_per_day", 3e-5)
    pushed = runs(calibrated(desertion__base_per_day=3 * base))
    assert_greater([d["new_desertions"].sum() for d in pushed], [d["new_desertions"].sum() for d in baseline],
                   "desertions")
    assert_greater([d["search_units"].iloc[-1] for d in pushed], [d["search_units"].iloc[-1] for d in baseline],
                   "search units at the end")
    assert_greater([d["checkpoints"].iloc[-1] for d in pushed], [d["checkpoints"].iloc[-1] for d in baseline],
                   "checkpoints at the end")
    assert_greater([d["captures"].sum() for d in pushed], [d["captures"].sum() for d in baseline], "captures")
    fixed = runs(calibrated(desertion__base_per_day=3 * base, pursuit__adaptive__enabled=False))
    assert all(np.ptp(d["search_units"]) == 0 and np.ptp(d["checkpoints"]) == 0 for d in fixed)


def test_returned_deserters_die_faster_than_the_never_deserted(baseline):
    """C2, C5: deaths per soldier-day on duty, returned deserters against the rest, paired by run."""
    returned = np.array([d["deaths_returned"].sum() / d["on_duty_returned"].sum() for d in baseline])
    never = np.array([(d["deaths"].sum() - d["deaths_returned"].sum())
                      / (d["on_duty"].sum() - d["on_duty_returned"].sum()) for d in baseline])
    diff = returned - never
    assert diff.mean() > 4 * diff.std(ddof=1) / np.sqrt(len(diff)), (returned, never)


def test_detainee_recruitment_lowers_the_mobilisation_needed():
    """C6-C7: holding the same force target, detainee contracts replace mobilisation."""
    detainees = runs(calibrated("detainee-recruitment"))
    mobilising = runs(calibrated("mobilisation-instead"))
    assert_greater([d["recruits_mobilised"].sum() for d in mobilising],
                   [d["recruits_mobilised"].sum() for d in detainees], "men mobilised")
    assert_greater([d["recruits_detainee"].sum() for d in detainees],
                   [d["recruits_detainee"].sum() for d in mobilising], "detainees recruited")
