"""Sobol indices find the parameter that drives an output and give ~0 to one that cannot touch it."""

from __future__ import annotations

import pytest

from awol.experiments import api
from awol.scenario.load import scenario_from_tree
from awol.scenario.provenance import get_path, set_path
from tests.scenarios import small_tree

DOMINANT = "desertion.base_per_day"
# Court-case reporting (M8) only thins what is observed; it cannot change how many desert.
NULL = "observation.reporting_share"


def ranged(tree, path, low, high):
    set_path(tree, path, {"value": get_path(tree, path), "range": [low, high]})


@pytest.mark.slow
def test_sobol_total_index_of_a_null_parameter_contains_zero(tmp_path):
    tree = small_tree(days=90)
    ranged(tree, DOMINANT, 0.00001, 0.0003)
    ranged(tree, NULL, 0.6, 1.0)
    ranged(tree, "pursuit.checkpoint_k", 0.02, 0.2)
    sc = scenario_from_tree(tree, source="small ranged")
    result = api.sensitivity(sc, method="sobol", outputs=["total_new_desertions", "total_cases_filed"],
                             samples=32, engine="cohorts", out=tmp_path / "s", workers=2)
    idx = result.table.set_index(["output", "parameter"])
    null = idx.loc[("total_new_desertions", NULL)]
    assert null["ST"] - null["ST_conf"] <= 0 <= null["ST"] + null["ST_conf"]
    desertions = idx.loc["total_new_desertions"]
    assert desertions["ST"].idxmax() == DOMINANT
    dom = desertions.loc[DOMINANT]
    assert dom["S1"] - dom["S1_conf"] > 0  # its first-order effect is clearly not 0
    # the reporting share does move the observed cases, so the test of "no effect" is not vacuous
    assert idx.loc[("total_cases_filed", NULL), "ST"] > 0


def test_morris_runs_and_ranks(tmp_path):
    tree = small_tree(days=60)
    ranged(tree, DOMINANT, 0.00001, 0.0003)
    ranged(tree, NULL, 0.6, 1.0)
    sc = scenario_from_tree(tree, source="small ranged")
    result = api.sensitivity(sc, method="morris", outputs=["total_new_desertions"], samples=6,
                             engine="cohorts", out=tmp_path / "m", workers=1)
    idx = result.table.set_index("parameter")
    assert idx.loc[NULL, "mu_star"] == 0
    assert idx.loc[DOMINANT, "mu_star"] > 0


def test_cli_states_runs_and_time_and_asks_for_yes_above_the_threshold(tmp_path):
    from typer.testing import CliRunner

    from awol.cli.main import app
    from awol.experiments.design import ranges_from_scenario
    from awol.scenario.load import load_scenario

    big = CliRunner().invoke(app, ["sensitivity", "baseline", "--days", "5", "--out", str(tmp_path / "s")])
    assert big.exit_code == 2
    runs = 64 * (len(ranges_from_scenario(load_scenario("baseline"))) + 2)  # Saltelli, first order: N (D + 2)
    assert f"{runs:,} runs" in big.output and "--yes" in big.output and "about" in big.output
    assert not (tmp_path / "s").exists()  # nothing started
    small = CliRunner().invoke(app, ["sensitivity", "baseline", "--method", "morris", "--samples", "2", "--days", "5",
                                     "--parameter", "desertion.base_per_day", "--parameter", "pursuit.checkpoint_k",
                                     "--outputs", "total_new_desertions", "--workers", "1",
                                     "--out", str(tmp_path / "m")],
                               env={"COLUMNS": "80"})
    assert small.exit_code == 0, small.output
    assert "2 parameters, 2 base samples: 6 runs of 5 days" in " ".join(small.output.split())
    assert "μ*: mean absolute change in desertions over the run" in " ".join(small.output.split())
