"""The chain of events: its probabilities, destinations and tallies, and that every engine follows it.

The last test edits `model/chain.py` in a scratch copy of the package and runs all
three engines there: an engine with a rule of its own would not follow the edit.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import awol
from awol.model import chain
from awol.model import tallies as K
from awol.model.rates import Aggregate, Dynamics, make_plan
from awol.model.states import (
    AT_LARGE,
    DETAINED,
    HOSPITAL,
    IMPRISONED,
    KILLED,
    PRISON,
    RELEASED,
    RETAINED,
    SERVING,
    SUSPENDED,
)
from tests.scenarios import small_scenario


@pytest.fixture(scope="module")
def rates():
    sc = small_scenario(days=30)
    plan = make_plan(sc, 30)
    geo = plan.geography
    units = sc.population.units
    at_large = np.full(geo.n_regions, 3.0)
    agg = Aggregate(at_large, np.full(units, 100.0), np.zeros(units), 100.0 * units)
    return Dynamics(plan).rates(0, agg)


def test_class_events_compete_in_order(rates):
    """On duty: death and wounding are the role's day probabilities, desertion takes its hazard
    of what is left; in hospital the second event is empty."""
    d, w, h = chain.class_events(rates, RETAINED, 2, 1, 0, 1.0)
    assert d == rates.death[2] and w == rates.wound[2]
    assert h == pytest.approx((1 - d - w) * min(1.0, rates.desert[RETAINED, 2, 1, 0]))
    r, none, hh = chain.class_events(rates, HOSPITAL, 2, 1, 0, 1.0)
    assert r == rates.recover and none == 0.0
    assert hh == pytest.approx((1 - r) * rates.desert[HOSPITAL, 2, 1, 0])
    assert chain.desertion_hazard(rates, SERVING, 0, 0, 0, 1e12) == 1.0  # capped
    bound = chain.class_events_bound(rates, RETAINED, d + w, min(1.0, rates.desert[RETAINED, 2, 1, 0]))
    assert sum(chain.class_events(rates, RETAINED, 2, 1, 0, 1.0)) == pytest.approx(bound)


def test_at_large_events_sum_to_at_most_one(rates):
    for region in range(len(rates.search_capture)):
        s, g, m = chain.at_large_events(rates, region)
        assert 0 <= s and 0 <= g and 0 <= m and s + g + m <= 1 + 1e-12
        assert g == pytest.approx((1 - s) * rates.surrender)


def test_destinations():
    assert chain.class_event_destination(SERVING, chain.DUTY_KILLED, False) == KILLED
    assert chain.class_event_destination(RETAINED, chain.DUTY_WOUNDED, True) == HOSPITAL
    assert chain.class_event_destination(RETAINED, chain.DUTY_DESERTS, True) == AT_LARGE
    assert chain.class_event_destination(HOSPITAL, chain.HOSPITAL_RECOVERS, True) == RETAINED
    assert chain.class_event_destination(HOSPITAL, chain.HOSPITAL_RECOVERS, False) == SERVING
    assert chain.after_detention(PRISON, False) == IMPRISONED
    assert chain.after_detention(SUSPENDED, True) == RETAINED


def test_sentences_are_nested(rates):
    prison, prosecuted = chain.sentence_shares(rates)
    assert 0 <= prison <= prosecuted <= 1


def test_records_add_flows_and_their_tallies():
    row = np.zeros(K.N_TALLIES)
    chain.record_class_event(row, RETAINED, chain.DUTY_KILLED, 2, 1, True, 3.0, KILLED)
    chain.record_class_event(row, SERVING, chain.DUTY_DESERTS, 0, 2, False, 2.0, AT_LARGE)
    chain.record_class_event(row, HOSPITAL, chain.HOSPITAL_RECOVERS, 1, 0, False, 4.0, RELEASED)
    chain.record_capture(row, chain.BY_CHECKPOINT, 5.0)
    assert row[K.flow_index(RETAINED, KILLED)] == 3 and row[K.DEATHS_ROLE + 2] == 3 and row[K.DEATHS_RETURNED] == 3
    assert row[K.flow_index(SERVING, AT_LARGE)] == 2 and row[K.DESERTIONS_CHANNEL + 2] == 2
    assert row[K.flow_index(HOSPITAL, RELEASED)] == 4 and row[K.WOUNDS_ROLE:K.WOUNDS_ROLE + 3].sum() == 0
    assert row[K.flow_index(AT_LARGE, DETAINED)] == 5 and row[K.CAPTURES_CHECKPOINT] == 5
    assert row.sum() == 3 * 3 + 2 * 2 + 4 + 2 * 5


# ---------------------------------------------------------------- one chain, three engines

SEEDS = 30
DAYS = 40
OUTPUT = "hospital"           # the stock the edit moves
EDIT = ("        first = rates.recover\n", "        first = rates.recover * 0.25\n")

RUN = textwrap.dedent("""
    import json, sys
    import numpy as np
    from awol.engines import simulate
    from tests.engines.test_expectation import independent
    sc = independent(simulation__days={days})
    out = {{"expected": simulate(sc, engine="expected")["{output}"].tolist()}}
    for engine in ("agents", "cohorts"):
        out[engine] = [simulate(sc, seed=s, engine=engine)["{output}"].tolist() for s in range({seeds})]
    print(json.dumps(out))
""")


def run_engines(package_root: Path, cache: Path) -> dict:
    """Every engine on the independent scenario, with the awol package found under `package_root`."""
    repo = Path(__file__).resolve().parents[2]
    env = dict(os.environ, PYTHONPATH=f"{package_root}{os.pathsep}{repo}", NUMBA_CACHE_DIR=str(cache))
    code = RUN.format(days=DAYS, output=OUTPUT, seeds=SEEDS)
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.splitlines()[-1])


def agrees(draws, exact) -> np.ndarray:
    """Z of the mean of the draws against the exact expectation, per day (SE at least sqrt(mean / R),
    as in test_cross_validation: in an independent chain the variance is at most the mean)."""
    x = np.asarray(draws, float)
    se = np.maximum(x.std(axis=0, ddof=1), np.sqrt(exact)) / np.sqrt(len(x))
    return np.abs(x.mean(axis=0) - exact) / np.where(se == 0, 1e-9, se)


@pytest.mark.slow
def test_an_edit_of_the_chain_moves_every_engine_alike(tmp_path):
    """Quarter the daily recovery probability in `chain.class_events`, in a copy of the package:
    the exact expectation's hospital stock grows by far more than the engines' noise, and both
    drawing engines follow it (their means within 4 SE of the edited expectation, every 5th day)."""
    source = Path(awol.__file__).resolve().parent
    copy = tmp_path / "src" / "awol"
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("__pycache__", "*.nbi", "*.nbc"))
    chain_file = copy / "model" / "chain.py"
    text = chain_file.read_text()
    assert text.count(EDIT[0]) == 1, "the line the test edits has moved: update EDIT"
    chain_file.write_text(text.replace(*EDIT))

    edited = run_engines(copy.parent, tmp_path / "cache")
    from awol.engines import simulate
    from tests.engines.test_expectation import independent

    original = simulate(independent(simulation__days=DAYS), engine="expected")[OUTPUT].to_numpy()
    exact = np.asarray(edited["expected"])
    days = slice(4, DAYS, 5)
    moved = exact[days] - original[days]
    noise = np.sqrt(np.maximum(exact[days], 1.0) / SEEDS)
    assert np.all(moved > 8 * noise), (moved, noise)  # the edit moves the expectation, far beyond the noise
    for engine in ("agents", "cohorts"):
        z = agrees(edited[engine], exact)[days]
        assert np.all(z < 4), (engine, z)
        z_old = agrees(edited[engine], original)[days]
        assert z_old.max() > 8, (engine, z_old)  # and an engine that ignored the edit would be caught
