"""The simulation bank: the same runs whatever the number of workers; killed and resumed, the same bank;
a larger bank extends a smaller one; another problem's bank is refused; figures added later are measured on it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from awol.evidence.bank import CHUNK, build_bank
from awol.evidence.priors import CalibrationError, declared_priors
from awol.evidence.simulator import Problem, simulate_point
from awol.scenario.load import scenario_from_tree
from tests.scenarios import small_tree

N = 2 * CHUNK


@pytest.fixture(scope="module")
def problem():
    scenario = scenario_from_tree(small_tree(scale=0.1, days=90))
    return Problem(scenario.raw, tuple(declared_priors(scenario=scenario)), pd.DataFrame(), 90, base_seed=11)


@pytest.fixture(scope="module")
def built(problem, tmp_path_factory):
    where = tmp_path_factory.mktemp("bank1")
    return build_bank(problem, N, where, workers=1), where


@pytest.fixture(scope="module")
def one_worker(built):
    return built[0]


def same(a, b) -> bool:
    return all(np.array_equal(getattr(a, k), getattr(b, k)) for k in ("unit", "values", "seeds", "cases", "hidden"))


@pytest.mark.slow
def test_two_workers_build_the_same_bank(problem, one_worker, tmp_path):
    assert same(one_worker, build_bank(problem, N, tmp_path, workers=2))


def test_a_killed_bank_resumes_to_the_same_runs(problem, built, one_worker, tmp_path):
    import shutil

    shutil.copytree(built[1], tmp_path, dirs_exist_ok=True)
    (tmp_path / "chunk-00001.npz").unlink()  # killed before the second chunk was renamed
    (tmp_path / ".chunk-00001.npz.999.tmp").write_bytes(b"half")  # ... leaving its temporary behind
    resumed = build_bank(problem, N, tmp_path, workers=1)
    assert same(one_worker, resumed)
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_larger_bank_extends_a_smaller_one(problem, one_worker, tmp_path):
    small = build_bank(problem, CHUNK, tmp_path, workers=1)
    assert same(small, build_bank(problem, CHUNK, tmp_path, workers=1))
    assert np.array_equal(small.cases, one_worker.cases[:CHUNK]) and np.array_equal(small.unit, one_worker.unit[:CHUNK])


def test_another_problems_bank_is_refused(problem, tmp_path):
    build_bank(problem, 1, tmp_path, workers=1)
    other = Problem(problem.tree, problem.priors, problem.observed, problem.days, base_seed=12)
    with pytest.raises(CalibrationError, match="holds a bank of another problem"):
        build_bank(other, 1, tmp_path, workers=1)


def test_figures_measured_on_the_bank_equal_a_fresh_run(problem, one_worker):
    """A figure added after the bank was built: measured from the kept cases, it is what the run would publish."""
    observed = pd.DataFrame(
        {
            "date_from": pd.to_datetime(["2022-09-24", "2022-11-01"]),
            "date_to": pd.to_datetime(["2022-12-20", "2022-11-30"]),
            "quantity": ["cases_filed", "cases_decided"],
            "article": ["all", "awol"],
            "kind": ["cumulative", "monthly"],
            "rounded_to": [1.0, 10.0],
        }
    )
    from_bank = one_worker.published(observed, list(problem.priors), slice(3, 5))
    with_rows = Problem(problem.tree, problem.priors, observed, problem.days, problem.base_seed)
    fresh = [simulate_point(with_rows, one_worker.values[i], int(one_worker.seeds[i])).published for i in (3, 4)]
    assert np.array_equal(from_bank, np.stack(fresh))
    assert from_bank[:, 0].sum() > 0
