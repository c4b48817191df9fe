"""Run k has the same bytes whichever executor computes it: 1 process, 2 processes, dask."""

from __future__ import annotations

from awol.engines.rng import child_seed
from awol.experiments import api
from awol.experiments.execution import dask_executor, process_pool
from awol.store.catalog import query
from tests.scenarios import small_scenario


def run_bytes(out):
    return {p.name: p.read_bytes() for p in sorted((out / "runs").glob("run-*.parquet"))}


def test_same_bytes_with_one_two_workers_and_dask(tmp_path):
    sc = small_scenario(days=40)
    outs = {}
    with process_pool(1) as ex:
        outs["one"] = api.ensemble(sc, 4, engine="agents", out=tmp_path / "one", executor=ex).out
    with process_pool(2) as ex:
        outs["two"] = api.ensemble(sc, 4, engine="agents", out=tmp_path / "two", executor=ex).out
    with dask_executor("local:2") as ex:
        outs["dask"] = api.ensemble(sc, 4, engine="agents", out=tmp_path / "dask", executor=ex).out
    reference = run_bytes(outs["one"])
    assert len(reference) == 4
    assert run_bytes(outs["two"]) == reference
    assert run_bytes(outs["dask"]) == reference
    # and in this process, with the engine's own Numba threads: same bytes again
    from awol.experiments.execution import RunTask, run_file, run_task

    here = tmp_path / "here"
    run_task(RunTask(run=2, replicate=2, point=0, seed=child_seed(sc.simulation.seed, 2), days=None,
                     engine="agents", tree=sc.raw, path=str(run_file(here, 2))))
    assert run_file(here, 2).read_bytes() == reference["run-00002.parquet"]
    assert (outs["one"] / "quantiles.parquet").read_bytes() == (outs["dask"] / "quantiles.parquet").read_bytes()


def test_replicates_differ_and_seeds_follow_run_index(tmp_path):
    sc = small_scenario(days=40)
    result = api.ensemble(sc, 3, engine="cohorts", out=tmp_path / "e", workers=1)
    runs = query(result.out, "SELECT run, min(seed) AS seed, count(*) AS days, sum(new_desertions) AS d FROM runs "
                             "GROUP BY run ORDER BY run")
    assert list(runs["run"]) == [0, 1, 2]
    assert list(runs["days"]) == [40, 40, 40]
    assert list(runs["seed"]) == [child_seed(sc.simulation.seed, k) for k in range(3)]
    assert len({child_seed(sc.simulation.seed, k) for k in range(100)}) == 100
    q = result.table
    assert {"q05", "q25", "q50", "q75", "q95"} <= set(q.columns)  # the one naming of quantiles
    med = q[q["output"] == "on_duty"]
    assert len(med) == 40 and (med["q05"] <= med["q50"]).all() and (med["q50"] <= med["q95"]).all()
