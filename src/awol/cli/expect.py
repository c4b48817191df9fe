"""`awol expect`: the exact expected daily outputs of a state-independent scenario."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from awol.cli.common import app, console, fail, scenario_or_exit
from awol.scenario import limits

FORMATS = ("table", "csv")
SHOWN = ("day", "on_duty", "retained", "hospital", "at_large", "detained", "imprisoned",
         "released", "killed", "escaped", "new_desertions", "cases_filed")


@app.command()
def expect(
    scenario: Annotated[str, typer.Argument(help="Scenario file, or the name of a bundled scenario.")],
    days: Annotated[int | None, typer.Option(help="Days (default: the scenario's).")] = None,
    format: Annotated[str, typer.Option("--format", help="table (headline columns) or csv (every column).")] = "table",
) -> None:
    """Exact expected daily counts, for scenarios whose hazards do not depend on the state."""
    from awol.engines import simulate
    from awol.engines.expected import NotIndependent

    sc = scenario_or_exit(scenario)
    problems = []
    if days is not None and not 1 <= days <= limits.MAX_DAYS:
        problems.append(f"--days: {days}; must be from 1 to {limits.MAX_DAYS:,}")
    if format not in FORMATS:
        problems.append(f"--format: {format!r} is not a format; choose one of {', '.join(FORMATS)}")
    if problems:
        fail(problems)
    try:
        daily = simulate(sc, days=days, engine="expected")
    except NotIndependent as exc:
        fail(exc.problems, title=f"{sc.name}: the expectation is exact only when hazards do not depend on the state")
    if format == "csv":
        daily.to_csv(sys.stdout, index=False, float_format="%.6g")
        return
    table = Table(title=f"{sc.name}: expected daily counts ({len(daily)} days)")
    for col in SHOWN:
        table.add_column(col, justify="right")
    step = max(1, len(daily) // 20)
    rows = list(range(0, len(daily), step))
    if rows[-1] != len(daily) - 1:
        rows.append(len(daily) - 1)
    for i in rows:
        row = daily.iloc[i]
        table.add_row(*(f"{int(row[c])}" if c == "day" else f"{row[c]:,.1f}" for c in SHOWN))
    console.print(table)
