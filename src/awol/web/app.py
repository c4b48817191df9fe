"""The FastAPI app: the answers computed ahead, bundled scenarios and their levers, jobs (runs,
ensembles, paired comparisons), results.

Everything the page loads comes from this server (plotly's JavaScript from the
installed package); the JSON API is documented at /docs, whose scripts and styles
come from the installed fastapi-offline package, never from a CDN.
"""

from __future__ import annotations

import math
import threading
from contextlib import asynccontextmanager
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from awol.engines import DEFAULT_ENGINE, ENGINES
from awol.engines.footprint import MemoryNeedError, check_memory
from awol.experiments.cost import seconds_estimate
from awol.scenario import limits
from awol.scenario.load import ScenarioError, bundled_scenarios, scenario_from_tree
from awol.web import answers
from awol.web.jobs import JOB_ID, JobStore
from awol.web.levers import apply_levers, bundled_tree, counterfactuals, levers_of, scaled, soldiers_estimate
from awol.web.middleware import BodyLimits
from awol.web.results import SERIES, job_results, output_columns

DEFAULT_MAX_WORK = limits.WEB_JOB_WORK

LeverPath = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class JobRequest(BaseModel):
    """A run (runs = 1), a small ensemble or a paired comparison of a bundled scenario with some levers changed.

    Strict: every field has its JSON type (no "5" for 5, no 1 for true), numbers are
    finite (NaN and Infinity are refused), and no field beyond these is accepted.
    """

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)

    scenario: str = Field(max_length=limits.MAX_NAME, description="Name of a bundled scenario (GET /api/scenarios).",
                          examples=["baseline"])
    levers: dict[LeverPath, StrictBool | float] = Field(
        default_factory=dict, max_length=100,
        description="Parameter values by dotted path, e.g. {\"policy.release_at_term[0].value\": 0.5}; at most 100.")
    days: int | None = Field(None, ge=1, le=5000, description="Days to simulate (default: the scenario's).")
    runs: int = Field(1, ge=1, le=50, description="Runs in the ensemble; run k's seed comes from (seed, k), as in `awol ensemble`.")
    scale: float = Field(1.0, gt=0, le=1, description="Multiply every size and inflow: 0.01 runs ~100x faster.")
    seed: int | None = Field(None, ge=0, lt=2**63, description="Base seed (default: the scenario's).")
    engine: Literal[tuple(ENGINES)] = Field(DEFAULT_ENGINE, description="Simulation engine.")  # type: ignore[valid-type]
    label: str | None = Field(None, max_length=80, description="A name for the job in comparisons.")
    compare_with: str | None = Field(
        None, max_length=limits.MAX_NAME, description="Run a paired comparison against this bundled scenario (the reference, e.g. \"baseline\"): "
                          "run k of both uses the same seed, as in `awol compare`.")
    posterior: str | None = Field(
        None, max_length=limits.MAX_NAME, description="With compare_with: draw the calibrated parameters from this bundled scenario's shipped "
                          "posterior (e.g. \"baseline\"); draw k is used in run k of both scenarios.")


class ErrorDetail(BaseModel):
    """A refused request: a message (404, 409, 408, 413), or one entry per problem (422)."""

    detail: str | list[dict]


ERRORS = {code: {"model": ErrorDetail, "description": text, "content": {"application/json": {}}} for code, text in (
    (400, "The body is not JSON text (or its length is malformed)"), (404, "No such scenario or job"), (409, "The job is not done"), (408, "The request body came too slowly"),
    (413, "The request body is too large"))}


def brief(value: object) -> object:
    """`value` as an error may show it: a finite number, a switch or short text; else nothing.
    An error never echoes a request in full (a 20 MB body came back as 104 MB)."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return value if math.isfinite(value) and abs(value) < 1e300 else repr(value)
    if isinstance(value, str):
        return value if len(value) <= 80 else value[:77] + "..."
    return type(value).__name__


def problem(loc: list, value: object, msg: str, kind: str = "value_error") -> dict:
    return {"loc": [brief(part) for part in loc], "input": brief(value), "msg": msg[:500], "type": kind}


def unprocessable(problems: list[tuple[list, object, str]]) -> HTTPException:
    """HTTP 422 in FastAPI's own shape: one entry per problem, `loc` naming the field."""
    return HTTPException(422, detail=[problem(loc, value, msg) for loc, value, msg in problems[:100]])


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
    app.add_middleware(BodyLimits)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        """FastAPI's 422, without echoing the request (or NaN, which JSON cannot carry)."""
        return JSONResponse(status_code=422, content={"detail": [
            problem(list(e.get("loc", ())), e.get("input"), str(e.get("msg", "")), str(e.get("type", "value_error")))
            for e in exc.errors()[:100]]})

    app.include_router(answers.router)
    # Read the answers and check their stamp now, not when the first reader opens the page.
    threading.Thread(target=answers.shipped, name="awol-answers", daemon=True).start()
    app.state.jobs = jobs
    # The bundled scenarios do not change while the server runs; listing them validates every
    # file (about 0.1 s each), which every submission would otherwise pay again.
    catalogue = lru_cache(maxsize=1)(lambda: tuple(bundled_scenarios()))
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
        return [{"name": name, "description": description} for name, description in catalogue()]

    def tree_or_404(name: str) -> dict:
        if name not in {n for n, _ in catalogue()}:
            raise HTTPException(404, detail=f"scenario {brief(name)!r} is not bundled; GET /api/scenarios lists them")
        return bundled_tree(name)

    @app.get("/api/scenarios/{name}", summary="A scenario's description, defaults and policy levers",
             responses={404: ERRORS[404]})
    def scenario(name: str) -> dict:
        tree = tree_or_404(name)
        sc = scenario_from_tree(tree, source=name)
        return {"name": sc.name, "description": sc.description, "days": sc.simulation.days,
                "seed": sc.simulation.seed, "levers": levers_of(tree)}

    def prepared(request: JobRequest):
        """The validated scenario (and reference) of a request, its days, seed, size and time; or 422."""
        names = {n for n, _ in catalogue()}
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
        if request.engine == "expected":
            from awol.engines.expected import dependence

            found = list(dict.fromkeys(p for s in scenarios for p in dependence(s)))
            if found:
                raise unprocessable([(["body", "engine"], request.engine, line) for line in found])
        try:  # a job's runs are made one at a time in this process
            check_memory([(s, days) for s in scenarios], request.engine)
        except MemoryNeedError as exc:
            raise unprocessable([(["body", "scale"], request.scale, line) for line in exc.problems]) from None
        work = sum(soldiers_estimate(s, days) for s in scenarios) * days * request.runs
        seconds = sum(seconds_estimate(s, days, request.runs, request.engine) for s in scenarios)
        return sc, tree, reference, days, seed, work, seconds, flagged

    @app.post("/api/jobs/estimate", summary="What a job would run, and about how long it would take, before it runs",
              responses={400: ERRORS[400], 408: ERRORS[408], 413: ERRORS[413]})
    def estimate(request: JobRequest) -> dict:
        _, _, reference, days, seed, work, seconds, flagged = prepared(request)
        return {"days": days, "seed": seed, "runs": request.runs * (2 if reference else 1), "scale": request.scale,
                "work": work, "seconds": round(seconds, 1), "too_large": work > app.state.max_work,
                "counterfactuals": flagged}

    @app.post("/api/jobs", status_code=202, summary="Queue a run, a small ensemble or a paired comparison",
              responses={400: ERRORS[400], 408: ERRORS[408], 413: ERRORS[413]})
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
        """A job's record; an id not of the store's form touches no file."""
        record = jobs.read(job_id) if JOB_ID.fullmatch(job_id) else None
        if record is None:
            raise HTTPException(404, detail=f"no job {brief(job_id)!r} (ids look like 20250101-120000-0a1b2c)")
        return record

    @app.get("/api/jobs/{job_id}", summary="A job's status and progress (done / total runs)",
             responses={404: ERRORS[404]})
    def job(job_id: str) -> dict:
        return job_or_404(job_id)

    def result_of(job_id: str):
        from awol.report.results import load_results

        record = job_or_404(job_id)
        if record["status"] != "done":
            raise HTTPException(409, detail=f"job {job_id} is {record['status']}, not done")
        return record, load_results(jobs.result_dir(job_id))

    @app.get("/api/jobs/{job_id}/results",
             summary="Charts and totals: quantiles over runs by day, week or month, totals per run, paired differences",
             responses={404: ERRORS[404], 409: ERRORS[409]})
    def results(job_id: str, columns: list[str] = Query(default=list(SERIES), max_length=200),
                period: Literal["day", "week", "month"] = Query("day")) -> dict:
        record = job_or_404(job_id)
        if record["status"] != "done":
            raise HTTPException(409, detail=f"job {job_id} is {record['status']}, not done")
        known = set(output_columns(record, jobs.result_dir(job_id)))
        unknown = [c for c in columns if c not in known or c in ("day", "date")]
        if unknown:
            raise unprocessable([(["query", "columns"], c, "is not an output column") for c in unknown])
        return job_results(record, jobs.result_dir(job_id), columns, period)

    @app.get("/api/jobs/{job_id}/report", response_class=HTMLResponse,
             summary="The self-contained HTML report of a finished job", responses={404: ERRORS[404], 409: ERRORS[409]})
    def report(job_id: str) -> str:
        from awol.report.html import build_report

        _, results = result_of(job_id)
        return build_report(results)

    return app
