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
    BY_POLICE,
    DETAINED,
    HOSPITAL,
    IMPRISONED,
    KILLED,
    LEAVE,
    LINE_PATHWAY,
    ON_LEAVE,
    PRISON,
    RETAINED,
    SERVING,
    SUSPENDED,
    TREATMENT,
)
from tests.scenarios import small_scenario


@pytest.fixture(scope="module")
def rates():
    sc = small_scenario(days=400)
    plan = make_plan(sc, 400)
    geo = plan.geography
    units = sc.population.units
    at_large = np.full(geo.n_regions, 3.0)
    agg = Aggregate(at_large, np.full(units, 100.0), np.zeros(units), 100.0 * units)
    return Dynamics(plan).rates(300, agg)   # after leave began (Mar 2023)


def test_class_events_compete_in_order(rates):
    """On duty: death and wounding are the role's day probabilities, leaving from the line takes its
    hazard of what is left, and rotation leave its probability of what is left after that."""
    d, w, h, ell = chain.class_events(rates, RETAINED, 2, 1, 0, 1.3)
    hazard = min(1.0, rates.line_base * rates.propensity[1, 2, 1, 0] * 1.3)
    assert d == rates.death[2] and w == rates.wound[2]
    assert h == pytest.approx((1 - d - w) * hazard)
    assert ell == pytest.approx((1 - d - w) * (1 - hazard) * rates.leave_start) and ell > 0
    served = chain.class_events(rates, SERVING, 2, 1, 0, 1.3)[2]
    assert served < h, "held past term, the same soldier leaves more (grievance)"
    assert chain.class_events(rates, HOSPITAL, 2, 1, 0, 1.0) == (rates.recover, 0.0, 0.0, 0.0)
    bound = chain.class_events_bound(rates, RETAINED, d + w, hazard, rates.leave_start)
    assert sum(chain.class_events(rates, RETAINED, 2, 1, 0, 1.3)) == pytest.approx(bound)


def test_return_split_uses_each_pathways_baseline(rates):
    leave = chain.return_split(rates, LEAVE, False, 1, 0, 0, 1.0)
    treatment = chain.return_split(rates, TREATMENT, False, 1, 0, 0, 1.0)
    pi = rates.propensity[0, 1, 0, 0]
    assert leave[0] == pytest.approx(min(1, rates.leave_no_return * pi))
    assert treatment[0] == pytest.approx(min(1, rates.treatment_no_return * pi))
    assert leave[1] == pytest.approx((1 - leave[0]) * min(1, rates.refusal * pi))
    discharged, convalescent = chain.recovery_split(rates)
    assert discharged == rates.discharge and convalescent == pytest.approx((1 - discharged) * rates.convalescent)


def test_at_large_events_sum_to_at_most_one_and_good_hiders_stay_away(rates):
    assert rates.hiding[0] < 1 < rates.hiding[-1]
    for region in range(len(rates.detection)):
        worst = chain.at_large_events(rates, region, len(rates.hiding) - 1)
        best = chain.at_large_events(rates, region, 0)   # level 0 hides best
        for events in (worst, best):
            assert min(events) >= 0 and sum(events) <= 1 + 1e-12
        if rates.detection[region] > 0:
            assert best[0] < worst[0]
        assert best[1] < worst[1]


def test_prosecution_depends_on_length_and_repeat(rates):
    assert chain.absence_case(0, 10) == chain.CASE_SHORT_FIRST
    assert chain.absence_case(0, 11) == chain.CASE_LONG
    assert chain.absence_case(1, 3) == chain.CASE_LONG
    prison, prosecuted = chain.sentence_shares(rates, chain.CASE_LONG)
    assert 0 <= prison <= prosecuted <= 1 and prosecuted == rates.prosecute[chain.CASE_LONG]


def test_destinations():
    assert chain.class_event_destination(SERVING, chain.DUTY_KILLED, False) == KILLED
    assert chain.class_event_destination(RETAINED, chain.DUTY_WOUNDED, True) == HOSPITAL
    assert chain.class_event_destination(RETAINED, chain.DUTY_DESERTS, True) == AT_LARGE
    assert chain.class_event_destination(SERVING, chain.DUTY_LEAVE, False) == ON_LEAVE
    assert chain.class_event_destination(HOSPITAL, chain.HOSPITAL_RECOVERS, True) == RETAINED
    assert chain.class_event_destination(HOSPITAL, chain.HOSPITAL_RECOVERS, False) == SERVING
    assert chain.after_detention(PRISON, False) == IMPRISONED
    assert chain.after_detention(SUSPENDED, True) == RETAINED
    assert [chain.duration_bin(d) for d in (0, 2, 3, 10, 11, 30, 31, 90, 91, 180, 181, 5000)] == \
        [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_records_add_flows_and_their_tallies():
    row = np.zeros(K.N_TALLIES)
    chain.record_class_event(row, RETAINED, chain.DUTY_KILLED, 2, 1, True, 3.0)
    chain.record_absence(row, ON_LEAVE, LEAVE, 1, 2, 2.0)
    chain.record_absence(row, RETAINED, LINE_PATHWAY, 1, 2, 5.0)
    chain.record_ending(row, LEAVE, BY_POLICE, 40, 2.0, DETAINED)
    chain.record_cases(row, 0, 40, 1.0)
    assert row[K.flow_index(RETAINED, KILLED)] == 3 and row[K.DEATHS_ROLE + 2] == 3 and row[K.DEATHS_RETURNED] == 3
    assert row[K.flow_index(ON_LEAVE, AT_LARGE)] == 2 and row[K.DESERTIONS_CHANNEL + 2] == 7
    assert row[K.ABSENCES_PATHWAY + LEAVE] == 2 and row[K.ABSENCES_PATHWAY + LINE_PATHWAY] == 5
    assert row[K.LINE_ABSENCES + RETAINED * K.N_ROLE + 1] == 5 and row[K.LINE_ABSENCES:K.REFUSALS].sum() == 5
    assert row[K.flow_index(AT_LARGE, DETAINED)] == 2 and row[K.ENDED + LEAVE * K.N_ENDING + BY_POLICE] == 2
    assert row[K.DAYS_ENDED + LEAVE * K.N_ENDING + BY_POLICE] == 80 and row[K.ENDED_DURATION + 3] == 2
    assert row[K.CASES_ARTICLE] == 1 and row[K.CASES_DURATION + 3] == 1


# ---------------------------------------------------------------- one chain, three engines

SEEDS = 30
DAYS = 40
OUTPUT = "hospital"           # the stock the edit moves
EDIT = ("        return rates.recover, 0.0, 0.0, 0.0\n", "        return rates.recover * 0.25, 0.0, 0.0, 0.0\n")

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
    """Quarter the daily recovery probability in `chain.class_events`, in a copy of the package: both
    drawing engines follow the edited exact expectation (their means within 4 SE of it, every 5th day),
    and stand far from the unedited one (an engine with a rule of its own would stay there)."""
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
    for engine in ("agents", "cohorts"):
        z = agrees(edited[engine], exact)[days]
        assert np.all(z < 4), (engine, z)
        z_old = agrees(edited[engine], original)[days]
        assert z_old.max() > 8, (engine, z_old)  # and an engine that ignored the edit would be caught
