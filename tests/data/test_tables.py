"""The evidence tables in src/awol/data: every baseline number has a row with a range and a
source or the word assumption; the figure tables are tidy enough to use as pattern tests."""

from __future__ import annotations

import csv
import datetime as dt
import math
from pathlib import Path

import pytest

from awol.scenario.load import BUNDLED_DIR, read_tree
from awol.scenario.provenance import is_annotated, join

DATA = Path(__file__).resolve().parents[2] / "src" / "awol" / "data"
BASES = {"source", "derived", "calibrated", "assumption", "structural", "setting"}
SOURCED = {"source", "derived", "calibrated"}
USES = {"pattern", "calibration", "prior", "rule", "context", "analogue"}


def read(name: str) -> list[dict]:
    with open(DATA / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def number(text: str) -> float | None:
    return float(text) if text not in ("", None) else None


def baseline_leaves() -> dict[str, object]:
    """Every number and date of the bundled baseline, by the path the scenario tools use."""
    leaves: dict[str, object] = {}

    def walk(node, path):
        if is_annotated(node):
            leaves[path] = node
        elif isinstance(node, dict):
            for key, value in node.items():
                walk(value, join(path, key))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, join(path, i))
        elif isinstance(node, (int, float, dt.date)) and not isinstance(node, bool):
            leaves[path] = node

    walk(read_tree(BUNDLED_DIR / "baseline.yaml"), "")
    return leaves


PARAMETERS = read("parameters.csv")


def test_every_baseline_number_has_exactly_one_row_and_no_row_is_stale():
    leaves = baseline_leaves()
    paths = [r["path"] for r in PARAMETERS]
    assert len(paths) == len(set(paths)), "a path appears twice"
    existing = {r["path"] for r in PARAMETERS if r["status"] == "existing"}
    assert sorted(set(leaves) - existing) == [], "baseline numbers without a row"
    assert sorted(existing - set(leaves)) == [], "rows for paths the baseline no longer has"
    assert {r["status"] for r in PARAMETERS} <= {"existing", "new"}


def test_existing_rows_carry_the_baseline_value_and_its_declared_range():
    leaves = baseline_leaves()
    for r in (r for r in PARAMETERS if r["status"] == "existing"):
        leaf = leaves[r["path"]]
        value = leaf["value"] if is_annotated(leaf) else leaf
        if isinstance(value, dt.date):
            assert r["value"] == value.isoformat(), r["path"]
            continue
        assert math.isclose(float(r["value"]), float(value)), r["path"]
        if is_annotated(leaf) and "range" in leaf:
            assert (number(r["low"]), number(r["high"])) == tuple(map(float, leaf["range"])), r["path"]


@pytest.mark.parametrize("r", PARAMETERS, ids=[r["path"] for r in PARAMETERS])
def test_each_parameter_row_has_a_basis_a_reason_and_a_consistent_range(r):
    assert r["basis"] in BASES, r["basis"]
    assert len(r["reasoning"]) > 10 or r["basis"] == "setting"
    if r["basis"] in SOURCED:
        assert r["source"], "a sourced number names its source"
    if r["address"]:
        assert r["address"].startswith("http")
    if r["unit"] == "date":
        days = {k: dt.date.fromisoformat(r[k]) for k in ("value", "low", "high") if r[k]}
        if "low" in days:
            assert days["low"] <= days["value"] <= days["high"]
        return
    value, low, high = number(r["proposed_value"]), number(r["proposed_low"]), number(r["proposed_high"])
    assert None not in (value, low, high), "every number gets a proposed value and range"
    assert low <= value <= high
    if r["status"] == "existing" and r["low"] != "":
        assert number(r["low"]) <= number(r["value"]) <= number(r["high"])


@pytest.mark.parametrize("name", ["absences.csv", "manpower.csv"])
def test_figure_tables_are_tidy(name):
    rows = read(name)
    assert rows
    for line, r in enumerate(rows, start=2):
        where = f"{name} line {line}"
        for key in ("topic", "quantity", "unit", "population", "source", "use"):
            assert r[key], f"{where}: {key} is empty"
        assert r["use"] in USES, f"{where}: use {r['use']!r}"
        if r["address"]:
            assert r["address"].startswith("http"), where
        dates = [dt.date.fromisoformat(r[k]) for k in ("period_from", "period_to") if r[k]]
        if len(dates) == 2:
            assert dates[0] <= dates[1], where
        value, low, high = number(r["value"]), number(r["low"]), number(r["high"])
        if r["use"] in ("pattern", "calibration", "prior"):
            assert value is not None or low is not None, f"{where}: a figure for fitting needs a value or a bound"
        for a, b in ((low, value), (value, high), (low, high)):
            if a is not None and b is not None:
                assert a <= b, where
