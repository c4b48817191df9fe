"""Every number in the bundled scenarios has a range and a source, and the ODD lists the assumptions."""

from __future__ import annotations

from pathlib import Path

import pytest

from awol.report.assumptions import BEGIN, END, block
from awol.scenario.load import load_scenario, read_tree
from awol.scenario.provenance import BASES, Annotation, bare_numbers

BUNDLED = ["baseline", "honour-contracts", "more-checkpoints", "detainee-recruitment", "mobilisation-instead",
           "amnesty"]
ODD = Path(__file__).resolve().parents[2] / "src" / "awol" / "report" / "ODD.md"


@pytest.mark.parametrize("name", BUNDLED)
def test_every_number_has_a_range_and_a_source(name):
    tree = read_tree(name)
    assert bare_numbers(tree) == [], "numbers written without {value, range, source}"
    scenario = load_scenario(name)
    missing = [p for p, a in scenario.annotations.items() if a.range is None or not a.source]
    assert missing == []


def test_basis_is_read_from_the_source():
    note = Annotation("x", 1.0, (0.0, 2.0), "assumption: no figure")
    assert note.basis == "assumption" and note.reason == "no figure"
    assert Annotation("x", 1.0, None, "Mediazona, 11 Apr 2023: over half").basis == "source"
    assert Annotation("x", 1.0, None, None).basis == "none"
    assert set(BASES) >= {"assumption", "structural"}


def test_settings_and_structure_are_not_uncertain():
    scenario = load_scenario("baseline")
    for path, note in scenario.annotations.items():
        if note.basis in ("setting", "structural"):
            assert note.range[0] == note.range[1] or path.startswith(("pursuit.routes", "pursuit.search_units")), path


def test_the_odd_lists_every_assumption_of_the_baseline():
    text = ODD.read_text(encoding="utf-8")
    start, end = text.index(BEGIN), text.index(END) + len(END)
    assert text[start:end] == block(load_scenario("baseline")), "run python -m awol.report.assumptions"
