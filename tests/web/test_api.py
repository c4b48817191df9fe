"""The JSON API: every endpoint, bad input as HTTP 422 naming the field, jobs that survive a restart."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from awol.web.app import create_app

SMALL = {"scenario": "baseline", "days": 20, "runs": 2, "scale": 0.005, "seed": 7}


def wait(client, job_id: str, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} still {job['status']}")


@pytest.fixture
def client(tmp_path):
    with TestClient(create_app(tmp_path / "web")) as c:
        yield c


def test_page_plotly_and_openapi_are_served_locally(client):
    page = client.get("/")
    assert page.status_code == 200 and '<script src="/static/app.js">' in page.text
    assert 'el("script", { src: "/plotly.min.js" })' in client.get("/static/app.js").text  # loaded after the tables
    assert "http" not in page.text.replace("http-equiv", "")
    assert client.get("/plotly.min.js").text.startswith("/**")
    assert client.get("/static/app.js").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/scenarios", "/api/scenarios/{name}", "/api/jobs", "/api/jobs/{job_id}",
            "/api/jobs/{job_id}/results", "/api/jobs/{job_id}/report"} <= set(paths)
    assert client.get("/docs").status_code == 200


def test_scenarios_and_levers(client):
    names = [s["name"] for s in client.get("/api/scenarios").json()]
    assert "baseline" in names and "honour-contracts" in names
    baseline = client.get("/api/scenarios/baseline").json()
    lever = {x["path"]: x for x in baseline["levers"]}["policy.release_at_term[0].value"]
    assert lever["value"] == pytest.approx(0.03) and lever["range"] == [0.0, 0.15] and lever["source"]
    assert client.get("/api/scenarios/no-such").status_code == 404


@pytest.mark.parametrize("change, loc", [
    ({"scenario": "no-such"}, ["body", "scenario"]),
    ({"levers": {"policy.release_at_term[0].value": 1.5}}, ["body", "levers", "policy.release_at_term[0].value"]),
    ({"levers": {"policy.no_such_lever": 1}}, ["body", "levers", "policy.no_such_lever"]),
    ({"levers": {"policy": 1}}, ["body", "levers", "policy"]),
    ({"runs": 0}, ["body", "runs"]),
    ({"scale": 2}, ["body", "scale"]),
    ({"days": -3}, ["body", "days"]),
    ({"engine": "nope"}, ["body", "engine"]),
])
def test_bad_input_is_422_naming_the_field(client, change, loc):
    response = client.post("/api/jobs", json=SMALL | change)
    assert response.status_code == 422
    assert loc in [d["loc"] for d in response.json()["detail"]]
    assert client.get("/api/jobs").json() == []  # nothing was queued


def test_job_size_limit(tmp_path):
    with TestClient(create_app(tmp_path / "web", max_work=1e6)) as c:
        response = c.post("/api/jobs", json=SMALL | {"scale": 1.0, "days": 100})
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert detail["loc"] == ["body", "runs"] and "job too large" in detail["msg"]


def test_ensemble_job_runs_reports_progress_and_is_deterministic(client):
    first = client.post("/api/jobs", json=SMALL | {"levers": {"policy.release_at_term[0].value": 0.5}})
    assert first.status_code == 202 and first.json()["status"] in ("queued", "running")
    job_id = first.json()["id"]
    assert client.get(f"/api/jobs/{job_id}/results").status_code in (200, 409)
    job = wait(client, job_id)
    assert job["status"] == "done" and job["done"] == job["total"] == 2
    assert job["request"]["levers"] == {"policy.release_at_term[0].value": 0.5}
    results = client.get(f"/api/jobs/{job_id}/results").json()
    assert results["runs"] == 2 and len(results["dates"]) == 20
    on_duty = results["series"]["on_duty"]
    assert all(a <= b <= c for a, b, c in zip(on_duty["q05"], on_duty["q50"], on_duty["q95"]))
    again = wait(client, client.post("/api/jobs", json=SMALL | {"levers": {"policy.release_at_term[0].value": 0.5}}).json()["id"])
    assert client.get(f"/api/jobs/{again['id']}/results").json()["series"] == results["series"]
    assert [j["id"] for j in client.get("/api/jobs").json()] == [again["id"], job_id]
    report = client.get(f"/api/jobs/{job_id}/report")
    assert report.status_code == 200 and "Plotly.newPlot" in report.text
    bad = client.get(f"/api/jobs/{job_id}/results", params={"columns": ["nope"]})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "columns"]


def test_unknown_job_is_404(client):
    for url in ("/api/jobs/nope", "/api/jobs/nope/results", "/api/jobs/nope/report", "/api/jobs/..%2F..%2Fx"):
        assert client.get(url).status_code == 404


def test_restart_mid_job_reports_it_failed(tmp_path):
    """A server dies while a job runs: the next server reports that job failed, with the reason."""
    dead = create_app(tmp_path / "web", start_worker=False)  # its worker never finishes anything
    with TestClient(dead) as c:
        running = c.post("/api/jobs", json=SMALL).json()["id"]
        queued = c.post("/api/jobs", json=SMALL).json()["id"]
    dead.state.jobs._update(running, status="running", done=5)  # died in the middle of this one

    with TestClient(create_app(tmp_path / "web")) as c:
        jobs = {j["id"]: j for j in c.get("/api/jobs").json()}
        assert set(jobs) == {running, queued}
        assert jobs[running]["status"] == "failed" and "was running" in jobs[running]["error"]
        assert jobs[queued]["status"] == "failed" and "was queued" in jobs[queued]["error"]
        assert c.get(f"/api/jobs/{running}/results").status_code == 409
        # and the new server still works
        assert wait(c, c.post("/api/jobs", json=SMALL).json()["id"])["status"] == "done"


# -- answers, levers, estimates, comparisons and totals (issue 15) -----------------------------

def test_levers_are_the_scenarios_own(client):
    levers = {x["path"]: x for x in client.get("/api/scenarios/amnesty").json()["levers"]}
    assert levers["policy.amnesty[1].value"]["value"] == 1.0  # every schedule step, not only the first
    assert "from 2024-01-01" in levers["policy.amnesty[1].value"]["label"]
    for path in ("pursuit.routes[0].checkpoints", "pursuit.search_units.border", "pursuit.adaptive.max_checkpoints",
                 "population.volunteer.size", "population.detainee.size", "recruitment.mobilisation[0].size"):
        assert path in levers, path
    target = {x["path"] for x in client.get("/api/scenarios/detainee-recruitment").json()["levers"]}
    assert "recruitment.force_target.size" in target and "recruitment.force_target.size" not in levers


def test_a_value_outside_its_range_is_run_and_flagged_with_range_and_source(client):
    body = SMALL | {"levers": {"recruitment.volunteer_per_day[0].value": 2000, "policy.release_at_term[0].value": 0.1}}
    estimate = client.post("/api/jobs/estimate", json=body).json()
    [flag] = estimate["counterfactuals"]
    assert flag["path"] == "recruitment.volunteer_per_day[0].value" and flag["range"] == [150, 600]
    assert "iStories" in flag["source"] and "2000" in flag["message"] and "150–600" in flag["message"]
    job = client.post("/api/jobs", json=body)
    assert job.status_code == 202 and job.json()["counterfactuals"] == estimate["counterfactuals"]


def test_estimate_states_runs_scale_and_time_before_a_job_runs(client):
    small = client.post("/api/jobs/estimate", json=SMALL).json()
    assert small["runs"] == 2 and small["days"] == 20 and small["scale"] == 0.005 and not small["too_large"]
    full = client.post("/api/jobs/estimate", json={"scenario": "baseline", "runs": 4,
                                                   "compare_with": "baseline"}).json()
    assert full["runs"] == 8 and full["scale"] == 1 and full["days"] == 1011
    assert 4 < full["seconds"] < 60  # about a second per full-scale run of the cohort engine
    assert client.get("/api/jobs").json() == []  # an estimate queues nothing
    bad = client.post("/api/jobs/estimate", json=SMALL | {"compare_with": "nope"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "compare_with"]
    bad = client.post("/api/jobs/estimate", json=SMALL | {"posterior": "baseline"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "posterior"]


def run_totals(folder, column: str) -> list[float]:
    """Each run's own total of `column`, read straight from its file."""
    import pandas as pd

    return [pd.read_parquet(f)[column].sum() for f in sorted(folder.rglob("run-*.parquet"))]


def test_dashboard_totals_equal_the_runs_own_totals_scaled_back(client):
    import numpy as np

    job_id = client.post("/api/jobs", json=SMALL | {"runs": 3, "days": 40}).json()["id"]
    assert wait(client, job_id)["status"] == "done"
    results = client.get(f"/api/jobs/{job_id}/results", params={"period": "week"}).json()
    assert results["scale"] == 0.005 and results["scaled_back"] is True
    summary = {r["summary"]: r for r in results["summary"]}
    folder = client.app.state.jobs.result_dir(job_id)
    totals = np.array(run_totals(folder, "new_desertions")) / 0.005
    assert summary["total_new_desertions"]["q50"] == pytest.approx(np.median(totals))
    assert summary["total_new_desertions"]["q05"] == pytest.approx(np.quantile(totals, 0.05))
    # the weekly chart adds up to the same totals: weekly sums per run, then over runs
    weekly = results["series"]["new_desertions"]
    assert len(results["dates"]) == 7 and results["period"] == "week"
    assert sum(weekly["q50"]) == pytest.approx(np.median(totals), rel=0.5)
    deaths = np.array(run_totals(folder, "deaths")) / 0.005
    assert summary["total_deaths"]["q95"] == pytest.approx(np.quantile(deaths, 0.95))


def test_a_paired_comparison_under_posterior_draws(client):
    import json

    import numpy as np

    body = {"scenario": "honour-contracts", "compare_with": "baseline", "posterior": "baseline", "runs": 3,
            "days": 30, "scale": 0.005, "seed": 3, "label": "<b>honoured</b>"}
    record = client.post("/api/jobs", json=body).json()
    assert record["kind"] == "compare" and record["total"] == 6
    assert wait(client, record["id"])["status"] == "done"
    results = client.get(f"/api/jobs/{record['id']}/results").json()
    assert results["reference"]["label"] == "baseline" and results["label"] == "<b>honoured</b>"
    folder = client.app.state.jobs.result_dir(record["id"])
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["parameters"]["source"].endswith("baseline.posterior.json")
    paired = (np.array(run_totals(folder / "honour-contracts", "deaths"))
              - np.array(run_totals(folder / "baseline", "deaths"))) / 0.005
    row = {r["summary"]: r for r in results["differences"]}["total_deaths"]
    assert row["q50"] == pytest.approx(np.median(paired)) and row["mean_difference"] == pytest.approx(paired.mean())
    retained = {r["summary"]: r for r in results["differences"]}["final_retained_past_term"]
    assert retained["high"] < 0  # honouring contracts empties the retained stock
    report = client.get(f"/api/jobs/{record['id']}/report").text
    assert "Paired differences" in report and "honour-contracts − baseline" in report


def test_answers_are_served_and_a_stale_file_says_so(tmp_path, monkeypatch):
    import json

    from awol.evidence import answers as computed
    from awol.web import answers as served

    current = computed.stamp("baseline")
    doc = {"format": computed.FORMAT, "stamp": current, "until": "2025-06-30", "nowcast": {"rows": []}}
    path = tmp_path / "baseline.answers.json"
    path.write_text(json.dumps(doc))
    monkeypatch.setattr(computed, "answers_path", lambda name="baseline": path)
    served.shipped.cache_clear()
    with TestClient(create_app(tmp_path / "web", start_worker=False)) as c:
        fresh = c.get("/api/answers")
        assert fresh.status_code == 200 and fresh.json()["stale"] == [] and fresh.json()["until"] == "2025-06-30"
        path.write_text(json.dumps(doc | {"stamp": current | {"model_code": "0" * 64}}))
        served.shipped.cache_clear()
        stale = c.get("/api/answers").json()
        assert stale["stale"] == ["the model or engine code changed since the answers were computed"]
        assert stale["rebuild"] == "make answers"
        path.unlink()
        served.shipped.cache_clear()
        assert c.get("/api/answers").status_code == 404
    served.shipped.cache_clear()


def test_api_docs_load_every_asset_from_this_server(client):
    import re

    assert client.get("/redoc").status_code == 404  # ReDoc's page loads its logo from a CDN: not served
    for page in ("/docs",):
        html = client.get(page).text
        assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
        assets += re.findall(r"""url: ?['"]([^'"]+)['"]""", html)
        assert assets, page
        for url in assets:
            assert url.startswith("/") and not url.startswith("//"), f"{page} loads {url} from elsewhere"
            assert client.get(url).status_code == 200, url
        assert "cdn" not in html.lower() and "fonts.googleapis" not in html


# Malformed requests seen by fuzzing (issue 16): each is a 4xx naming its field, never a 500,
# and nothing is queued. Raw JSON text, since NaN and Infinity are not JSON a client library writes.
MALFORMED = [
    ('{"scenario": "baseline", "scale": NaN}', ["body", "scale"]),
    ('{"scenario": "baseline", "scale": Infinity}', ["body", "scale"]),
    ('{"scenario": "baseline", "levers": {"policy.amnesty[0].value": NaN}}',
     ["body", "levers", "policy.amnesty[0].value"]),
    ('{"scenario": "baseline", "levers": {"recruitment.volunteer_per_day": -Infinity}}',
     ["body", "levers", "recruitment.volunteer_per_day"]),
    ('{"scenario": "baseline", "levers": {"recruitment.volunteer_per_day": 1e308}}',
     ["body", "levers", "recruitment.volunteer_per_day"]),
    ('{"scenario": "baseline", "runs": "2"}', ["body", "runs"]),
    ('{"scenario": "baseline", "runs": 2.5}', ["body", "runs"]),
    ('{"scenario": "baseline", "seed": 9223372036854775808}', ["body", "seed"]),
    ('{"scenario": "baseline", "days": true}', ["body", "days"]),
    ('{"scenario": 7}', ["body", "scenario"]),
    ('{"scenario": "baseline", "levers": {"pursuit.adaptive.enabled": 1}}',
     ["body", "levers", "pursuit.adaptive.enabled"]),
    ('{"scenario": "baseline", "levers": {"simulation.days": "5"}}', ["body", "levers", "simulation.days"]),
    ('{"scenario": "baseline", "levers": []}', ["body", "levers"]),
    ('{"scenario": "baseline", "colour": "red"}', ["body", "colour"]),
    ('{"scenario": "baseline", "levers": {"population.volunteer.size": 100000000}, "days": 5000, "runs": 50}',
     ["body", "runs"]),
    ('{"scenario": "../../../etc/passwd"}', ["body", "scenario"]),
    ('[]', ["body"]),
]


@pytest.mark.parametrize("body, loc", MALFORMED)
def test_malformed_requests_are_4xx_naming_the_field(client, body, loc):
    response = client.post("/api/jobs", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    locs = [d["loc"][: len(loc)] for d in response.json()["detail"]]
    assert loc in locs, response.text
    assert len(response.content) < 2000
    assert client.get("/api/jobs").json() == []


@pytest.mark.parametrize("url", ["/api/jobs/" + "a" * 5000, "/api/jobs/" + "9" * 300 + "/results",
                                 "/api/jobs/20250101-120000-0a1b2c/report", "/api/jobs/20250101-120000-0A1B2C%00",
                                 "/api/scenarios/" + "b" * 5000, "/api/jobs/..%2F..%2Fjob"])
def test_unknown_ids_of_any_length_are_404_with_a_short_answer(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert len(response.content) < 300


def test_an_error_never_echoes_a_long_input(client):
    long = "x" * 50_000
    response = client.post("/api/jobs", json=SMALL | {"label": long})
    assert response.status_code == 422 and len(response.content) < 1000


def test_the_exact_expectation_is_refused_for_a_scenario_that_follows_its_state(client):
    response = client.post("/api/jobs", json=SMALL | {"engine": "expected"})
    assert response.status_code == 422
    assert all(d["loc"] == ["body", "engine"] for d in response.json()["detail"])
    assert any("peer_weight" in d["msg"] for d in response.json()["detail"])
    assert client.get("/api/jobs").json() == []
