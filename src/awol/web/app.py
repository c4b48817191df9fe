"""The FastAPI app: bundled scenarios and their levers, jobs (queued runs and ensembles), results.

Everything the page loads comes from this server (plotly's JavaScript from the
installed package); the JSON API is documented at /docs and /openapi.json.
"""

from __future__ import annotations

import math
from contextlib import asynccontextmanager
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal, Optional, Union

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from awol.engines import DEFAULT_ENGINE, ENGINES
from awol.engines.footprint import MemoryNeedError, check_memory
from awol.scenario.load import ScenarioError, bundled_scenarios, scenario_from_tree
from awol.scenario import limits
from awol.web.jobs import JOB_ID, JobStore
from awol.web.levers import apply_levers, bundled_tree, levers_of, scaled, soldiers_estimate
from awol.web.middleware import BodyLimits

DEFAULT_MAX_WORK = 2e9  # soldier-days x runs; the full baseline (~1.4M soldiers x 1011 days) is ~1.4e9 per run
SERIES = ("on_duty", "retained_past_term", "deserters_at_large", "new_desertions", "captures", "deaths",
          "recruits", "cases_filed")


LeverPath = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class JobRequest(BaseModel):
    """A run (runs = 1) or a small ensemble of a bundled scenario with some levers changed.

    Strict: every field has its JSON type (no "5" for 5, no 1 for true), numbers are
    finite (NaN and Infinity are refused), and no field beyond these is accepted.
    """

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)

    scenario: str = Field(max_length=limits.MAX_NAME, description="Name of a bundled scenario (GET /api/scenarios).",
                          examples=["baseline"])
    levers: dict[LeverPath, Union[StrictBool, float]] = Field(
        default_factory=dict, max_length=100,
        description="Parameter values by dotted path, e.g. {\"policy.release_at_term[0].value\": 0.5}; at most 100.")
    days: Optional[int] = Field(None, ge=1, le=5000, description="Days to simulate (default: the scenario's).")
    runs: int = Field(1, ge=1, le=50, description="Runs in the ensemble; run k's seed comes from (seed, k), as in `awol ensemble`.")
    scale: float = Field(1.0, gt=0, le=1, description="Multiply every size and inflow: 0.01 runs ~100x faster.")
    seed: Optional[int] = Field(None, ge=0, lt=2**63, description="Base seed (default: the scenario's).")
    engine: Literal[tuple(ENGINES)] = Field(DEFAULT_ENGINE, description="Simulation engine.")  # type: ignore[valid-type]
    label: Optional[str] = Field(None, max_length=80, description="A name for the job in comparisons.")


class ErrorDetail(BaseModel):
    """A refused request: a message (404, 409, 408, 413), or one entry per problem (422)."""

    detail: Union[str, list[dict]]


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

    app = FastAPI(title="awol", version="1", lifespan=lifespan,
                  description="Simulate a coerced military manpower system: pick a scenario, change levers, "
                              "run a small ensemble, watch progress, compare results.")
    app.add_middleware(BodyLimits)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        """FastAPI's 422, without echoing the request (or NaN, which JSON cannot carry)."""
        return JSONResponse(status_code=422, content={"detail": [
            problem(list(e.get("loc", ())), e.get("input"), str(e.get("msg", "")), str(e.get("type", "value_error")))
            for e in exc.errors()[:100]]})

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

    @app.post("/api/jobs", status_code=202, summary="Queue a run or a small ensemble",
              responses={400: ERRORS[400], 408: ERRORS[408], 413: ERRORS[413]})
    def submit(request: JobRequest) -> dict:
        names = {n for n, _ in catalogue()}
        if request.scenario not in names:
            raise unprocessable([(["body", "scenario"], request.scenario,
                                  f"is not a bundled scenario; choose one of {', '.join(sorted(names))}")])
        tree, problems = apply_levers(bundled_tree(request.scenario), request.levers)
        if problems:
            raise unprocessable([(["body", "levers", p], v, m) for p, v, m in problems])
        tree = scaled(tree, request.scale) if request.scale != 1 else tree
        try:
            sc = scenario_from_tree(tree, source=request.scenario)
        except ScenarioError as exc:
            raise unprocessable([(["body", "levers" if p.path in request.levers else "scenario", p.path],
                                  request.levers.get(p.path), p.message)
                                 for p in exc.problems])
        days = request.days or sc.simulation.days
        seed = sc.simulation.seed if request.seed is None else request.seed
        work = soldiers_estimate(sc, days) * days * request.runs
        if work > app.state.max_work:
            raise unprocessable([(["body", "runs"], request.runs,
                                  f"job too large: about {work:.2g} soldier-days x runs, limit {app.state.max_work:.2g}; "
                                  "lower runs, days or scale")])
        try:  # a job's runs are made one at a time in this process
            check_memory([(sc, days)], request.engine)
        except MemoryNeedError as exc:
            raise unprocessable([(["body", "scale"], request.scale, line) for line in exc.problems])
        recorded = request.model_dump() | {"days": days, "seed": seed}
        return jobs.submit(sc, recorded, tree)

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
        from awol.report.results import load_result

        record = job_or_404(job_id)
        if record["status"] != "done":
            raise HTTPException(409, detail=f"job {job_id} is {record['status']}, not done")
        return record, load_result(jobs.result_dir(job_id), label=record["label"])

    @app.get("/api/jobs/{job_id}/results", summary="Fan-chart data: quantiles over runs of the main outputs by day",
             responses={404: ERRORS[404], 409: ERRORS[409]})
    def results(job_id: str, columns: list[str] = Query(default=list(SERIES), max_length=200)) -> dict:
        record, result = result_of(job_id)
        unknown = [c for c in columns if c not in result.runs[0].columns or c in ("day", "date")]
        if unknown:
            raise unprocessable([(["query", "columns"], c, "is not an output column") for c in unknown])
        series = {}
        for column in columns:
            bands = result.bands(column)
            series[column] = {name: bands[name].round(3).tolist() for name in bands.columns}
        return {"id": job_id, "label": record["label"], "runs": len(result.runs),
                "dates": [d.date().isoformat() for d in result.dates()], "series": series}

    @app.get("/api/jobs/{job_id}/report", response_class=HTMLResponse,
             summary="The self-contained HTML report of a finished job", responses={404: ERRORS[404], 409: ERRORS[409]})
    def report(job_id: str) -> str:
        from awol.report.html import build_report

        _, result = result_of(job_id)
        return build_report([result])

    return app
