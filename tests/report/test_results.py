"""Reading results: one run, an ensemble of run directories, an experiments ensemble, a comparison."""

from __future__ import annotations

import numpy as np
import pytest

from awol.report import load_result


def test_ensemble_bands_are_quantiles_of_the_runs(ensembles):
    result = load_result(ensembles["baseline"])
    assert len(result.runs) == 3
    bands = result.bands("deserters_at_large")
    values = np.stack([r["deserters_at_large"].to_numpy(float) for r in result.runs])
    np.testing.assert_allclose(bands["q50"].to_numpy(), np.median(values, axis=0))
    assert (bands["q05"] <= bands["q25"]).all() and (bands["q75"] <= bands["q95"]).all()


def test_experiments_ensemble_is_read_with_its_runs_and_seeds(experiment_ensembles, tmp_path):
    import shutil

    from awol.scenario.load import scenario_from_tree

    result = load_result(experiment_ensembles["baseline"])
    assert result.is_ensemble and len(result.runs) == 4
    assert len({m["seed"] for m in result.manifests}) == 4
    # the ensemble stores the scenario that ran: the scaled-down tree, hash and all
    assert scenario_from_tree(result.scenario_tree).hash == result.manifests[0]["scenario_hash"]
    older = shutil.copytree(experiment_ensembles["baseline"], tmp_path / "older")
    (older / "scenario.yaml").unlink()  # results written before ensembles stored their scenario
    fallback = load_result(older)
    assert "simulation" in fallback.scenario_tree  # the bundled tree stands in for the unstored scenario
    assert "hash differs" in fallback.scenario_tree["description"]  # the runs were scaled down


def test_compare_directory_gives_one_result_per_scenario(experiment_ensembles):
    from awol.report.results import ResultsError, load_results

    parent = experiment_ensembles["baseline"].parent
    assert [r.label for r in load_results(experiment_ensembles["baseline"])] == ["baseline"]
    with pytest.raises(ResultsError, match="holds no run"):
        load_results(parent / "nothing")



def test_a_posterior_stored_with_the_runs_is_read_and_the_scale_is_the_runs_own(ensembles, tmp_path):
    import json
    import shutil

    result = load_result(ensembles["baseline"])
    assert result.posterior is None and result.scale == 0.01
    with_posterior = shutil.copytree(ensembles["baseline"], tmp_path / "with-posterior")
    (with_posterior / "posterior.json").write_text(json.dumps({"summary": {"fit": "ok"}}))
    assert load_result(with_posterior).posterior == {"summary": {"fit": "ok"}}


def test_the_cumulative_median_is_the_median_of_each_runs_own_total(ensembles):
    result = load_result(ensembles["baseline"])
    totals = [run["new_desertions"].sum() for run in result.runs]
    assert result.cumulative_median("new_desertions") == np.median(totals)
    assert len(set(totals)) > 1  # the runs differ, so a median of one run's value would show
