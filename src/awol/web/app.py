"""The FastAPI app: the answers computed ahead, bundled scenarios and their levers, jobs (runs,
ensembles, paired comparisons), results.

Everything the page loads comes from this server (plotly's JavaScript from the
installed package); the JSON API is documented at /docs, whose scripts and styles
come from the installed fastapi-offline package, never from a CDN.
"""

from __future__ import annotations

import threading
from contextlib import asynccontextmanager
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal, Optional, Union

from fastapi import FastAPI, HTTPException, Query
from fastapi_offline import FastAPIOffline
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field

from awol.engines import DEFAULT_ENGINE, ENGINES
from awol.experiments.cost import seconds_estimate
from awol.scenario.load import ScenarioError, bundled_scenarios, scenario_from_tree
from awol.web import answers
from awol.web.jobs import JobStore
from awol.web.levers import apply_levers, bundled_tree, counterfactuals, levers_of, scaled, soldiers_estimate
from awol.web.results import SERIES, job_results, output_columns

DEFAULT_MAX_WORK = 2e9  # soldier-days x runs; the full baseline (~1.4M soldiers x 1011 days) is ~1.4e9 per run


class JobRequest(BaseModel):
    """A run (runs = 1) or a small ensemble of a bundled scenario with some levers changed."""

    scenario: str = Field(description="Name of a bundled scenario (GET /api/scenarios).", examples=["baseline"])
    levers: dict[str, Union[bool, float]] = Field(
        default_factory=dict, description="Parameter values by dotted path, e.g. {\"policy.release_at_term[0].value\": 0.5}.")
    days: Optional[int] = Field(None, ge=1, le=5000, description="Days to simulate (default: the scenario's).")
    runs: int = Field(1, ge=1, le=50, description="Runs in the ensemble; run k's seed comes from (seed, k), as in `awol ensemble`.")
    scale: float = Field(1.0, gt=0, le=1, description="Multiply every size and inflow: 0.01 runs ~100x faster.")
    seed: Optional[int] = Field(None, ge=0, lt=2**63, description="Base seed (default: the scenario's).")
    engine: Literal[tuple(ENGINES)] = Field(DEFAULT_ENGINE, description="Simulation engine.")  # type: ignore[valid-type]
    label: Optional[str] = Field(None, max_length=80, description="A name for the job in comparisons.")
    compare_with: Optional[str] = Field(
        None, description="Run a paired comparison against this bundled scenario (the reference, e.g. \"baseline\"): "
                          "run k of both uses the same seed, as in `awol compare`.")
    posterior: Optional[str] = Field(
        None, description="With compare_with: draw the calibrated parameters from this bundled scenario's shipped "
                          "posterior (e.g. \"baseline\"); draw k is used in run k of both scenarios.")


def unprocessable(problems: list[tuple[list, object, str]]) -> HTTPException:
    """HTTP 422 in FastAPI's own shape: one entry per problem, `loc` naming the field."""
    return HTTPException(422, detail=[{"loc": loc, "input": value, "msg": msg, "type": "value_error"}
                                      for loc, value, msg in problems])


@lru_cache(maxsize=1)
def plotly_js() -> str:
    import plotly.offline

    return plotly.offline.get_plotlyjs()


def create_app(store: str | Path = "results/web", *, max_work: float = DEFAULT_MAX_WORK, start_worker: bool = True) -> FastAPI:
    jobs = JobStore(store, start_worker=start_worker)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        yield
        jobs.stop()

    # /docs only: ReDoc's page loads its logo from a CDN, and Swagger UI's validator badge is switched off.
    app = FastAPIOffline(title="awol", version="1", lifespan=lifespan, redoc_url=None,
                         swagger_ui_parameters={"validatorUrl": None},
                         description="Simulate a coerced military manpower system: read the answers computed ahead, "
                                     "pick a scenario, change levers, run a small ensemble or a paired comparison, "
                                     "watch progress, compare results.")
    app.include_router(answers.router)
    # Read the answers and check their stamp now, not when the first reader opens the page.
    threading.Thread(target=answers.shipped, name="awol-answers", daemon=True).start()
    app.state.jobs = jobs
    app.state.max_work = max_work
    static = resources.files("awol.web").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index() -> str:
        return static.joinpath("index.html").read_text(encoding="utf-8")

    @app.get("/plotly.min.js", include_in_schema=False)
    def plotly() -> Response:
        return Response(plotly_js(), media_type="application/javascript")

    @app.get("/api/scenarios", summary="Bundled scenarios")
    def scenarios() -> list[dict]:
        return [{"name": name, "description": description} for name, description in bundled_scenarios()]

    def tree_or_404(name: str) -> dict:
        if name not in {n for n, _ in bundled_scenarios()}:
            raise HTTPException(404, detail=f"scenario {name!r} is not bundled; GET /api/scenarios lists them")
        return bundled_tree(name)

    @app.get("/api/scenarios/{name}", summary="A scenario's description, defaults and policy levers")
    def scenario(name: str) -> dict:
        tree = tree_or_404(name)
        sc = scenario_from_tree(tree, source=name)
        return {"name": sc.name, "description": sc.description, "days": sc.simulation.days,
                "seed": sc.simulation.seed, "levers": levers_of(tree)}

    def prepared(request: JobRequest):
        """The validated scenario (and reference) of a request, its days, seed, size and time; or 422."""
        names = {n for n, _ in bundled_scenarios()}
        problems = []
        if request.scenario not in names:
            problems.append((["body", "scenario"], request.scenario,
                             f"is not a bundled scenario; choose one of {', '.join(sorted(names))}"))
        if request.compare_with is not None and request.compare_with not in names:
            problems.append((["body", "compare_with"], request.compare_with,
                             f"is not a bundled scenario; choose one of {', '.join(sorted(names))}"))
        if request.posterior is not None:
            from awol.evidence.nowcast import PosteriorError
            from awol.evidence.posteriors import posterior_path

            if request.compare_with is None:
                problems.append((["body", "posterior"], request.posterior,
                                 "draws parameters for a paired comparison: give compare_with too"))
            elif request.posterior not in names:
                problems.append((["body", "posterior"], request.posterior, "is not a bundled scenario"))
            else:
                try:
                    posterior_path(request.posterior)
                except PosteriorError as exc:
                    problems.append((["body", "posterior"], request.posterior, "; ".join(exc.problems)))
        if problems:
            raise unprocessable(problems)
        tree, problems = apply_levers(bundled_tree(request.scenario), request.levers)
        if problems:
            raise unprocessable([(["body", "levers", p], v, m) for p, v, m in problems])
        flagged = counterfactuals(bundled_tree(request.scenario), request.levers)
        tree = scaled(tree, request.scale) if request.scale != 1 else tree
        try:
            sc = scenario_from_tree(tree, source=request.scenario)
        except ScenarioError as exc:
            raise unprocessable([(["body", "levers" if p.path in request.levers else "scenario", p.path],
                                  request.levers.get(p.path), p.message)
                                 for p in exc.problems])
        reference = None
        if request.compare_with is not None:
            ref_tree = bundled_tree(request.compare_with)
            ref_tree = scaled(ref_tree, request.scale) if request.scale != 1 else ref_tree
            reference = (scenario_from_tree(ref_tree, source=request.compare_with), ref_tree)
        days = request.days or sc.simulation.days
        seed = sc.simulation.seed if request.seed is None else request.seed
        scenarios = [sc] + ([reference[0]] if reference else [])
        work = sum(soldiers_estimate(s, days) for s in scenarios) * days * request.runs
        seconds = sum(seconds_estimate(s, days, request.runs, request.engine) for s in scenarios)
        return sc, tree, reference, days, seed, work, seconds, flagged

    @app.post("/api/jobs/estimate", summary="What a job would run, and about how long it would take, before it runs")
    def estimate(request: JobRequest) -> dict:
        _, _, reference, days, seed, work, seconds, flagged = prepared(request)
        return {"days": days, "seed": seed, "runs": request.runs * (2 if reference else 1), "scale": request.scale,
                "work": work, "seconds": round(seconds, 1), "too_large": work > app.state.max_work,
                "counterfactuals": flagged}

    @app.post("/api/jobs", status_code=202, summary="Queue a run, a small ensemble or a paired comparison")
    def submit(request: JobRequest) -> dict:
        sc, tree, reference, days, seed, work, seconds, flagged = prepared(request)
        if work > app.state.max_work:
            raise unprocessable([(["body", "runs"], request.runs,
                                  f"job too large: about {work:.2g} soldier-days x runs, limit {app.state.max_work:.2g}; "
                                  "lower runs, days or scale")])
        recorded = request.model_dump() | {"days": days, "seed": seed}
        record = jobs.submit(sc, recorded, tree, reference)
        return record | {"estimated_seconds": round(seconds, 1), "counterfactuals": flagged}

    @app.get("/api/jobs", summary="All jobs, newest first")
    def list_jobs() -> list[dict]:
        return jobs.all()

    def job_or_404(job_id: str) -> dict:
        record = jobs.read(job_id) if job_id.replace("-", "").isalnum() else None
        if record is None:
            raise HTTPException(404, detail=f"no job {job_id!r}")
        return record

    @app.get("/api/jobs/{job_id}", summary="A job's status and progress (done / total runs)")
    def job(job_id: str) -> dict:
        return job_or_404(job_id)

    def result_of(job_id: str):
        from awol.report.results import load_results

        record = job_or_404(job_id)
        if record["status"] != "done":
            raise HTTPException(409, detail=f"job {job_id} is {record['status']}, not done")
        return record, load_results(jobs.result_dir(job_id))

    @app.get("/api/jobs/{job_id}/results",
             summary="Charts and totals: quantiles over runs by day, week or month, totals per run, paired differences")
    def results(job_id: str, columns: list[str] = Query(default=list(SERIES)),
                period: Literal["day", "week", "month"] = Query("day")) -> dict:
        record = job_or_404(job_id)
        if record["status"] != "done":
            raise HTTPException(409, detail=f"job {job_id} is {record['status']}, not done")
        known = set(output_columns(record, jobs.result_dir(job_id)))
        unknown = [c for c in columns if c not in known]
        if unknown:
            raise unprocessable([(["query", "columns"], c, "is not an output column") for c in unknown])
        return job_results(record, jobs.result_dir(job_id), columns, period)

    @app.get("/api/jobs/{job_id}/report", response_class=HTMLResponse,
             summary="The self-contained HTML report of a finished job")
    def report(job_id: str) -> str:
        from awol.report.html import build_report

        _, results = result_of(job_id)
        return build_report(results)

    return app
