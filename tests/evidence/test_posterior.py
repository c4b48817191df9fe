"""The posterior file: every malformed posterior gets a clear error naming the field, never a traceback.

Named cases from the hardening corpus (#16), then Hypothesis mutations of a valid file:
whatever is put in place of any field, reading either succeeds or raises PosteriorError.
"""

from __future__ import annotations

import copy
import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from awol.evidence.posterior import PosteriorError, model_stamp, read_posterior, validate_posterior
from tests.command import invoke


def valid() -> dict:
    return {
        "format": "awol-posterior/1",
        "scenario": {"name": "small", "hash": "0123456789abcdef", "file": "small.yaml"},
        "parameters": [
            {"path": "desertion.base_per_day", "name": "b", "prior": ["uniform", 1e-5, 1.5e-4]},
            {"path": "relay_sd", "kind": "error", "prior": ["uniform", 0.0, 0.25]},
        ],
        "particles": {"values": [[3e-5, 0.1], [4e-5, 0.2]], "weights": [0.5, 0.5]},
        "observed": [],
        "seed": 7,
    }


def problems(doc) -> list[str]:
    with pytest.raises(PosteriorError) as caught:
        validate_posterior(doc, "p.json")
    return caught.value.problems


def test_a_valid_posterior_passes():
    assert validate_posterior(valid()) == valid()


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (lambda d: d.update(scenario="baseline"), "scenario"),
        (lambda d: d["parameters"][0].pop("path"), "parameters[0].path"),
        (lambda d: d["parameters"][0].update(kind="guess"), "parameters[0].kind"),
        (lambda d: d.update(particles=[[1, 2]]), "particles"),
        (lambda d: d["particles"].update(weights=[0.0, 0.0]), "particles.weights"),
        (lambda d: d["particles"].update(weights=[1.5, -0.5]), "particles.weights"),
        (lambda d: d["particles"].update(weights=[math.nan, 1.0]), "particles.weights[0]"),
        (lambda d: d["particles"]["values"][1].__setitem__(0, math.inf), "particles.values[1][0]"),
        (lambda d: d["particles"].update(weights=[1.0]), "particles"),
        (lambda d: d["particles"]["values"][1].append(3.0), "particles"),
        (lambda d: d.update(seed="7"), "seed"),
        (lambda d: d.update(seed=-1), "seed"),
        (lambda d: d.update(seed=2**63), "seed"),
        (lambda d: d.update(parameters=[]), "parameters"),
        (lambda d: d.pop("observed"), "observed"),
        (lambda d: d["parameters"].pop(), "particles have 2 values but 1 parameters"),
    ],
)
def test_each_malformed_field_is_named(edit, field):
    doc = valid()
    edit(doc)
    found = problems(doc)
    assert any(f"p.json: {field}" in p or field in p for p in found), found
    assert all(p.startswith("p.json: ") for p in found)


def test_not_an_object_or_another_format():
    assert "holds a JSON list" in problems([1, 2])[0]
    doc = valid()
    doc["format"] = "awol-posterior/0"
    assert "expected 'awol-posterior/1'" in problems(doc)[0]


def test_files_that_are_not_posteriors_are_refused(tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    nan = tmp_path / "nan.json"
    nan.write_text(json.dumps(valid()).replace("0.5, 0.5", "NaN, 0.5"))
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'{"format": "caf\xe9"}')
    for path, message in (
        (deep, "nested too deeply"),
        (nan, "holds NaN"),
        (latin, "not UTF-8"),
        (tmp_path, "not a regular file"),
        (tmp_path / "absent.json", "no such file"),
    ):
        with pytest.raises(PosteriorError) as caught:
            read_posterior(path)
        assert message in caught.value.problems[0], (path, caught.value.problems)


def test_dev_zero_is_refused_at_once():
    with pytest.raises(PosteriorError) as caught:
        read_posterior("/dev/zero")
    assert "not a regular file" in caught.value.problems[0]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)
PLACES = [
    ("format",),
    ("scenario",),
    ("scenario", "name"),
    ("scenario", "hash"),
    ("parameters",),
    ("parameters", 0),
    ("parameters", 0, "path"),
    ("parameters", 0, "kind"),
    ("particles",),
    ("particles", "values"),
    ("particles", "values", 0),
    ("particles", "values", 0, 1),
    ("particles", "weights"),
    ("particles", "weights", 1),
    ("observed",),
    ("seed",),
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(place=st.sampled_from(PLACES), value=JSON, delete=st.booleans())
def test_any_mutation_is_accepted_or_refused_clearly(place, value, delete):
    doc = copy.deepcopy(valid())
    node = doc
    for key in place[:-1]:
        node = node[key]
    if delete and isinstance(node, dict):
        node.pop(place[-1], None)
    else:
        node[place[-1]] = value
    try:
        validate_posterior(doc, "p.json")
    except PosteriorError as exc:
        assert exc.problems and all(p.startswith("p.json: ") for p in exc.problems)


def test_cli_exits_2_with_the_field_named(tmp_path):
    path = tmp_path / "p.json"
    doc = valid()
    doc["particles"]["weights"] = [0.0, 0.0]
    path.write_text(json.dumps(doc))
    result = invoke("nowcast", path)
    assert result.exit_code == 2 and "particles.weights" in result.stderr and "Traceback" not in result.stderr


def test_model_stamp_changes_with_the_model(tmp_path, monkeypatch):
    import awol

    before = model_stamp()
    fake = tmp_path / "awol"
    import shutil

    shutil.copytree(awol.__path__[0], fake, ignore=shutil.ignore_patterns("__pycache__", "web", "report"))
    monkeypatch.setattr(awol, "__file__", str(fake / "__init__.py"))
    assert model_stamp() == before
    agents = fake / "engines" / "agents" / "kernel.py"  # not the cohort engine the posterior was fitted with
    agents.write_text(agents.read_text() + "\n# changed\n")
    assert model_stamp() == before
    for part in ("model/desertion.py", "engines/cohorts/kernel.py", "engines/rng.py"):
        edited = fake / part
        edited.write_text(edited.read_text() + "\n# changed\n")
        assert model_stamp() != before, part
        before = model_stamp()


def test_two_posteriors_side_by_side():
    from awol.evidence.figures import side_by_side

    def doc(algorithm, q05, q50, q95):
        return {"method": {"algorithm": algorithm}, "posterior": [
            {"name": "b", "path": "desertion.base_per_day", "q05": q05, "q50": q50, "q95": q95, "width_ratio": 0.5}]}

    table = side_by_side(doc("NPE", 1.0, 2.0, 3.0), doc("ABC", 2.0, 3.0, 6.0))
    lines = table.splitlines()
    assert lines[0].startswith("| parameter | NPE: median (90 %)") and len(lines) == 3
    assert lines[2] == "| b | 2 (1 – 3) | 50% | 3 (2 – 6) | 50% | 50% |"  # overlap 2..3 of the shorter 1..3
