"""`awol nowcast`: hidden totals with intervals from a posterior; the same seed gives the same numbers;
a results directory the report shows; bad posteriors exit 2."""

from __future__ import annotations

import json

import pytest

from awol.evidence.nowcast import nowcast
from awol.evidence.predictive import HIDDEN
from tests.command import invoke


@pytest.fixture
def posterior(tmp_path, small_file, small_data):
    out = tmp_path / "small.posterior.json"
    result = invoke("calibrate", small_file, "--data", small_data, "--params", "desertion.base_per_day",
                    "--population", "6", "--generations", "1", "--draws", "0", "--seed", "2", "--out", out)
    assert result.exit_code == 0, result.stderr
    return out


def test_nowcast_reports_hidden_quantities_and_observable_figures(posterior):
    result = nowcast(posterior, until="2022-12-15", draws=5, seed=9)
    hidden = result["hidden"]
    assert list(hidden["quantity"]) == [label for label, _, _ in HIDDEN]
    assert (hidden["q05"] <= hidden["q25"]).all() and (hidden["q25"] <= hidden["q50"]).all()
    assert (hidden["q50"] <= hidden["q75"]).all() and (hidden["q75"] <= hidden["q95"]).all()
    assert hidden.set_index("quantity").loc["retained past term", "q50"] > 0
    assert len(result["observed"]) == 3  # every figure up to the date
    again = nowcast(posterior, until="2022-12-15", draws=5, seed=9)
    assert again["hidden"].equals(hidden)
    shorter = nowcast(posterior, until="2022-11-30", draws=5, seed=9)
    assert len(shorter["observed"]) == 1  # only the November figure ends by then


def test_cli_formats_and_report_directory(tmp_path, posterior):
    as_json = invoke("nowcast", posterior, "--draws", "3", "--format", "json", "--until", "2022-12-01")
    assert as_json.exit_code == 0, as_json.stderr
    rows = json.loads(as_json.stdout)["rows"]
    assert rows[0]["group"] == "hidden" and any(r["group"].startswith("observable") for r in rows)
    as_csv = invoke("nowcast", posterior, "--draws", "3", "--format", "csv")
    assert as_csv.exit_code == 0 and as_csv.stdout.startswith("group,quantity,kind,q50")
    table = invoke("nowcast", posterior, "--draws", "3", "--out", tmp_path / "now")
    assert table.exit_code == 0, table.stderr
    assert "retained past term" in table.stdout

    from awol.report.html import calibration_section
    from awol.report.results import load_results

    results = load_results(tmp_path / "now")
    assert len(results) == 1 and len(results[0].runs) == 3
    section = calibration_section(results)
    assert "desertion.base_per_day" in section and "nowcast" in section


def test_bad_posterior_and_options_exit_2(tmp_path, posterior):
    assert "no such file" in invoke("nowcast", tmp_path / "absent.json").stderr
    junk = tmp_path / "junk.json"
    junk.write_text("{\"format\": \"other\"}")
    result = invoke("nowcast", junk)
    assert result.exit_code == 2 and "expected 'awol-posterior/1'" in result.stderr
    for args, message in ((["--until", "soon"], "--until: 'soon' is not a date"),
                          (["--until", "2021-01-01"], "before the scenario starts"),
                          (["--draws", "0"], "--draws: 0"), (["--format", "xml"], "--format: 'xml'")):
        result = invoke("nowcast", posterior, *args)
        assert result.exit_code == 2 and message in result.stderr, (args, result.stderr)


def test_a_changed_scenario_is_refused(tmp_path, posterior, small_file):
    small_file.write_text(small_file.read_text().replace("units: 24", "units: 25"))
    result = invoke("nowcast", posterior, "--draws", "2")
    assert result.exit_code == 2 and "the scenario changed since calibration" in result.stderr


def test_intervals_carry_observation_error_and_monte_carlo_error(posterior):
    """With the error model the observable figures vary beyond run noise: rounding to the reported precision shows,
    and every 90 % end of a hidden total carries its Monte Carlo error."""
    result = nowcast(posterior, until="2022-12-15", draws=6, seed=9)
    hidden = result["hidden"]
    assert {"mc_q05", "mc_q95"} <= set(hidden.columns)
    assert (hidden["mc_q95"] >= 0).all() and (hidden.loc[hidden["q95"] > 0, "mc_q95"] > 0).any()
    doc = json.loads(posterior.read_text())
    assert {p["path"] for p in doc["parameters"]} == {"desertion.base_per_day", "court_month_sd", "relay_sd"}


def test_hidden_totals_are_labelled_when_the_prior_predictive_is_known(posterior, tmp_path):
    from awol.evidence.nowcast import label_by_prior

    doc = json.loads(posterior.read_text())
    result = nowcast(posterior, until="2022-12-15", draws=4, seed=9)
    wide = result["hidden"].copy()
    doc["prior_predictive"] = {"until": "2022-12-15", "hidden": [
        {"quantity": q, "q05": 0.0, "q95": 1e12 if i % 2 else float(r["q95"] - r["q05"]) or 1.0}
        for i, (q, r) in enumerate(zip(wide["quantity"], wide.to_dict(orient="records"), strict=True))]}
    labelled = label_by_prior(wide, doc, "2022-12-15")
    assert set(labelled["set_by"]) <= {"prior", "data"}
    assert (labelled.iloc[1::2]["set_by"] == "data").all()
    assert (label_by_prior(wide, doc, "2022-12-14")["set_by"] == "").all()  # another date: no label


@pytest.mark.slow
def test_nowcast_out_killed_and_run_again_writes_the_same_directory(tmp_path, posterior):
    import signal
    import subprocess
    import sys
    import time

    args = ["nowcast", str(posterior), "--draws", "8", "--until", "2022-12-10", "--format", "csv"]
    whole = invoke(*args, "--out", tmp_path / "whole")
    assert whole.exit_code == 0, whole.stderr
    out = tmp_path / "killed"
    process = subprocess.Popen([sys.executable, "-m", "awol.cli", *args, "--out", str(out)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while process.poll() is None and time.monotonic() < deadline and len(list((out / "runs").glob("*.parquet"))) < 3:
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert not (out / "manifest.json").exists(), "the nowcast finished before it could be killed"
    for part in (out / "runs").glob("*.parquet"):  # what a kill leaves is whole files or none, never half of one
        assert part.read_bytes() == (tmp_path / "whole" / "runs" / part.name).read_bytes(), part.name
    again = invoke(*args, "--out", out)
    assert again.exit_code == 0, again.stderr
    for name in ["nowcast.csv", "scenario.yaml", *(f"runs/{p.name}" for p in (tmp_path / "whole" / "runs").iterdir())]:
        assert (out / name).read_bytes() == (tmp_path / "whole" / name).read_bytes(), name
    strip = lambda d: {k: v for k, v in d.items() if k not in ("created", "versions")}  # noqa: E731
    assert strip(json.loads((out / "manifest.json").read_text())) == strip(
        json.loads((tmp_path / "whole" / "manifest.json").read_text()))
    assert not list(out.rglob(".*.tmp"))


def test_the_nowcast_table_reads_at_80_columns():
    from typer.testing import CliRunner

    from awol.cli.main import app

    result = CliRunner().invoke(app, ["nowcast", "baseline", "--draws", "2", "--until", "2023-03-21"],
                                env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 80 and "…" not in result.output
    assert "full scale" in result.output and "retained past term" in result.output
    assert "2023-03-21 *" in result.output and "cases_filed all" in result.output  # wrapped, never cut
