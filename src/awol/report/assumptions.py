"""The numbers of a scenario that no public figure sets, as the ODD lists them.

docs/ODD.md (section 7, "Assumptions") holds this table for the baseline between two
markers; `python -m awol.report.assumptions` prints it afresh, and a test fails when the
document and the scenario disagree.
"""

from __future__ import annotations

from awol.scenario.load import load_scenario
from awol.scenario.schema import Scenario

BEGIN = "<!-- assumptions: begin (python -m awol.report.assumptions) -->"
END = "<!-- assumptions: end -->"


def _number(x: float) -> str:
    return f"{x:g}"


def assumptions_markdown(scenario: Scenario) -> str:
    """A Markdown table of every number whose source is marked `assumption:`, with its range and reason."""
    rows = ["| parameter | value | range | why this range |", "|---|---|---|---|"]
    for path, note in sorted(scenario.annotations.items()):
        if note.basis != "assumption":
            continue
        low, high = note.range or (note.value, note.value)
        rows.append(f"| `{path}` | {_number(note.value)} | {_number(low)}–{_number(high)} | {note.reason} |")
    return "\n".join(rows)


def block(scenario: Scenario) -> str:
    """The table between the ODD's markers."""
    return f"{BEGIN}\n{assumptions_markdown(scenario)}\n{END}"


if __name__ == "__main__":
    print(block(load_scenario("baseline")))
