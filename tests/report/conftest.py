"""Small runs on disk: one single run and a three-run ensemble of each of two scenarios."""

from __future__ import annotations

import pytest

from awol.engines import simulate
from awol.store.runs import make_manifest, write_run
from tests.scenarios import small_scenario

DAYS = 60


def write_runs(root, name: str, seeds: list[int]):
    sc = small_scenario(name, scale=0.01, days=DAYS)
    for seed in seeds:
        daily = simulate(sc, seed=seed, days=DAYS)
        manifest = make_manifest(sc, seed=seed, days=DAYS, engine="agents", wall_seconds=0)
        write_run(root / f"run-{seed}", daily, manifest, sc.raw)
    return root


@pytest.fixture(scope="session")
def ensembles(tmp_path_factory):
    root = tmp_path_factory.mktemp("results")
    return {name: write_runs(root / name, name, [1, 2, 3]) for name in ("baseline", "honour-contracts")}


@pytest.fixture(scope="session")
def experiment_ensembles(tmp_path_factory):
    """Ensembles as `awol ensemble` writes them (awol.experiments): manifest + runs/run-*.parquet + quantiles."""
    from concurrent.futures import ThreadPoolExecutor

    from awol.experiments.api import ensemble

    root = tmp_path_factory.mktemp("experiments")
    out = {}
    with ThreadPoolExecutor(1) as executor:
        for name in ("baseline", "honour-contracts"):
            out[name] = ensemble(small_scenario(name, scale=0.01, days=DAYS), runs=4, days=DAYS,
                                 out=root / name, executor=executor, progress=False).out
    return out


HOSTILE = "</script><script>alert(1)</script><img src=x onerror=alert(2)>"


@pytest.fixture(scope="session")
def in_memory():
    """Results held in memory, no files: a three-run ensemble at scale 0.01 and one run, both labelled with
    markup that must never reach the page as markup."""
    from pathlib import Path

    from awol.report.results import Result

    sc = small_scenario(scale=0.01, days=30)
    runs = [simulate(sc, seed=seed, days=30) for seed in (1, 2, 3)]
    manifests = [{"seed": seed, "engine": "cohorts", "days": 30, "scenario_hash": sc.hash, "versions": {"awol": "x"}}
                 for seed in (1, 2, 3)]
    tree = dict(sc.raw, description=HOSTILE)
    return {"ensemble": Result(Path("mem/ensemble"), HOSTILE, runs, manifests, tree),
            "single": Result(Path("mem/single"), "single & <one>", runs[:1], manifests[:1], tree)}
