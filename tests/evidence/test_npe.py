"""Neural posterior estimation end to end on a small scenario: the same posterior with 1 and 2 workers, a file the
schema accepts with its provenance, the prior's predictive for labels, and SBC that runs on the same bank.

Needs the `inference` extra (pip install -e '.[inference]': CPU torch and sbi); skipped without it.
"""

from __future__ import annotations

import json

import pytest

from awol.evidence.posterior import model_stamp, read_posterior
from awol.evidence.priors import declared_priors
from awol.evidence.simulator import HIDDEN
from tests.command import invoke

sbi = pytest.importorskip("sbi", reason="needs the `inference` extra: pip install -e '.[inference]'")
pytestmark = [pytest.mark.inference, pytest.mark.slow]


def fit(small_file, small_data, out, bank, workers):
    return invoke(
        "calibrate",
        small_file,
        "--data",
        small_data,
        "--method",
        "npe",
        "--simulations",
        "50",
        "--draws",
        "4",
        "--seed",
        "3",
        "--workers",
        str(workers),
        "--bank",
        bank,
        "--out",
        out,
    )


def test_npe_posterior_is_the_same_for_one_and_two_workers(tmp_path, small_file, small_data):
    one = fit(small_file, small_data, tmp_path / "one.json", tmp_path / "bank1", 1)
    assert one.exit_code == 0, one.stderr
    two = fit(small_file, small_data, tmp_path / "two.json", tmp_path / "bank2", 2)
    assert two.exit_code == 0, two.stderr
    a, b = (json.loads((tmp_path / f).read_text()) for f in ("one.json", "two.json"))
    assert a["particles"] == b["particles"] and a["predictive"] == b["predictive"]
    doc = read_posterior(tmp_path / "one.json")
    assert len(doc["particles"]["values"]) == 4000 and len(doc["parameters"]) == len(declared_priors())
    assert doc["provenance"]["workers"] == 1 and b["provenance"]["workers"] == 2
    assert doc["provenance"]["model_stamp"] == model_stamp() and doc["provenance"]["engine"] == "cohorts"
    assert "--method" in doc["provenance"]["command"] and doc["provenance"]["data_hash"]
    assert {r["name"] for r in doc["posterior"]} >= {"prosecution_change", "relay_sd"}
    assert all(r["width_ratio"] > 0 for r in doc["posterior"])
    assert len(doc["prior_predictive"]["hidden"]) == len(HIDDEN)

    again = invoke("nowcast", tmp_path / "one.json", "--draws", "3", "--format", "json")
    assert again.exit_code == 0, again.stderr
    rows = json.loads(again.stdout)["rows"]
    assert {r["set_by"] for r in rows if r["group"] == "hidden"} <= {"prior", "data"}

    held = doc["bank_nowcast"]
    assert 1 <= held["effective_runs"] <= 50 and len(held["hidden"]) == len(HIDDEN)
    fast = invoke("nowcast", tmp_path / "one.json", "--from-bank", "--format", "json")
    assert fast.exit_code == 0, fast.stderr
    hidden = [r for r in json.loads(fast.stdout)["rows"] if r["group"] == "hidden"]
    assert [r["q50"] for r in hidden] == pytest.approx([r["q50"] for r in held["hidden"]], rel=1e-9)
    wrong_date = invoke("nowcast", tmp_path / "one.json", "--from-bank", "--until", "2022-11-01")
    assert wrong_date.exit_code == 2 and "the only date --from-bank can report" in wrong_date.stderr


def test_sbc_runs_on_the_bank(tmp_path, small_file, small_data):
    result = invoke(
        "sbc",
        small_file,
        "--data",
        small_data,
        "--simulations",
        "50",
        "--datasets",
        "10",
        "--seed",
        "3",
        "--bank",
        tmp_path / "bank",
        "--out",
        tmp_path / "sbc.json",
        "--figures",
        tmp_path / "fig",
    )
    assert result.exit_code == 0, result.stderr
    out = json.loads((tmp_path / "sbc.json").read_text())
    assert out["datasets"] == 10 and len(out["parameters"]) == len(declared_priors())
    assert all(sum(p["histogram"]) == 10 for p in out["parameters"])
    assert (tmp_path / "fig" / "sbc-ranks.svg").exists() and (tmp_path / "fig" / "sbc-coverage.svg").exists()
