"""The shipped posteriors were fitted to the model as it is: their stamp of the model's code, the engines, the
forward model of inference and the declarations must equal today's. A change to any of them without
`make posterior` fails here."""

from __future__ import annotations

import pytest

from awol.evidence.posterior import model_stamp, read_posterior
from awol.scenario.load import BUNDLED_DIR

SHIPPED = ["baseline.posterior.json", "baseline.2024-08.posterior.json"]  # every figure; published by 31 Aug 2024


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_posterior_matches_the_model(name):
    doc = read_posterior(BUNDLED_DIR / name)
    assert doc.get("provenance", {}).get("model_stamp") == model_stamp(), (
        f"{name} was fitted to another model: run `make posterior`")
