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
