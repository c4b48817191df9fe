"""Posteriors as inputs: found by scenario name, drawn by weight into the parameter table `compare` takes."""

from __future__ import annotations

import json

import numpy as np
import pytest

import awol
from awol.evidence.nowcast import PosteriorError
from awol.evidence.posteriors import posterior_draws, posterior_path
from awol.scenario.load import BUNDLED_DIR


def test_a_bundled_name_means_its_shipped_posterior():
    assert posterior_path("baseline") == BUNDLED_DIR / "baseline.posterior.json"
    with pytest.raises(PosteriorError, match="no-such: no such file, nor a bundled scenario"):
        posterior_path("no-such")


def test_draws_follow_the_weights(tmp_path):
    doc = json.loads((BUNDLED_DIR / "baseline.posterior.json").read_text())
    two = [doc["particles"]["values"][0], doc["particles"]["values"][1]]
    doc["particles"] = {"values": two, "weights": [0.2, 0.8]}
    path = tmp_path / "two.posterior.json"
    path.write_text(json.dumps(doc))
    n = 2000
    table = posterior_draws(path, n, seed=5)
    keep = [j for j, p in enumerate(doc["parameters"]) if p.get("kind", "path") == "path"]  # scenario parameters
    assert list(table.columns) == [doc["parameters"][j]["path"] for j in keep] and len(table) == n
    first, second = (np.asarray(particle)[keep] for particle in two)
    second = (table.to_numpy() == second).all(axis=1)
    assert ((table.to_numpy() == first).all(axis=1) | second).all()  # every row is a particle
    sd = np.sqrt(n * 0.8 * 0.2)
    assert abs(second.sum() - 0.8 * n) < 4 * sd  # binomial: 4 standard errors
    assert posterior_draws(path, n, seed=5).equals(table)  # reproducible from the seed
    assert table.attrs["source"] == str(path) and table.attrs["seed"] == 5
    with pytest.raises(PosteriorError, match="draws: 0"):
        posterior_draws(path, 0)


def test_nowcast_at_the_top_level_accepts_a_bundled_name():
    result = awol.nowcast("baseline", until="2022-10-20", draws=2)
    assert result["until"] == "2022-10-20" and len(result["hidden"]) > 5
    assert result["scenario"].name == "baseline"
    assert {"q05", "q25", "q50", "q75", "q95"} <= set(result["hidden"].columns)


def test_draws_for_comparisons_hold_only_scenario_parameters():
    """The observation error model's parameters (kind other than "path") are fitted but no scenario holds them:
    a draw applied to a policy scenario must not carry them (the dashboard's Q2-Q5 failed on `relay_sd`)."""
    from awol.evidence.posterior import read_posterior
    from awol.evidence.posteriors import posterior_draws, posterior_path
    from awol.experiments import design
    from awol.scenario.load import load_scenario

    doc = read_posterior(posterior_path("baseline"))
    paths = {p["path"] for p in doc["parameters"] if p.get("kind", "path") == "path"}
    assert len(paths) < len(doc["parameters"])  # the shipped posterior does fit error-model parameters
    draws = posterior_draws("baseline", 2)
    assert set(draws.columns) == paths
    design.point_scenario(load_scenario("honour-contracts"), draws.iloc[0].to_dict())
