"""The answers shipped for the dashboard: current, consistent with their own runs, and reproducible."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from awol.evidence import answers
from awol.experiments.analysis import QUANTILES, SUMMARIES, quantiles


@pytest.fixture(scope="module")
def shipped() -> dict:
    doc = answers.read(answers.answers_path("baseline"))
    assert doc is not None, "src/awol/scenarios/baseline.answers.json is missing: run `make answers`"
    return doc


def test_shipped_answers_are_current(shipped):
    """The posterior, the scenarios and the model code are those the answers were computed from.

    When this fails, the files changed after `make answers`: run it again (docs/web.md)."""
    assert answers.stale_reasons(shipped["stamp"], answers.stamp("baseline")) == []


def test_a_change_to_any_input_makes_them_stale():
    current = answers.stamp("baseline")
    assert answers.stale_reasons(current, current) == []
    for change, reason in ((("posterior_sha256",), "the posterior changed"),
                           (("scenarios", "amnesty"), "scenario 'amnesty' changed"),
                           (("model_code",), "the model or engine code changed"),
                           (("format",), "written in format")):
        old = copy.deepcopy(current)
        node = old
        for key in change[:-1]:
            node = node[key]
        node[change[-1]] = "something else"
        [said] = answers.stale_reasons(old, current)
        assert reason in said


def test_every_interval_is_that_of_the_shipped_runs(shipped):
    method = shipped["questions_method"]
    reference = method["reference_per_run"]
    runs = method["runs"]
    assert shipped["scale"] == 1.0 and len(reference["replicate"]) == runs
    assert [q["scenario"] for q in shipped["questions"]] == [name for _, name, _ in answers.QUESTIONS]
    for q in shipped["questions"]:
        assert q["per_run"]["replicate"] == reference["replicate"] == list(range(runs))
        assert q["per_run"]["seed"] == reference["seed"]  # common random numbers
        rows = {r["summary"]: r for r in q["rows"]}
        assert set(rows) == set(SUMMARIES)
        for name, row in rows.items():
            d = np.asarray(q["per_run"][name]) - np.asarray(reference[name])
            expected = quantiles(d)
            assert [row[k] for k in QUANTILES] == pytest.approx([float(expected[k]) for k in QUANTILES])
            assert row["mean_difference"] == pytest.approx(d.mean())
            assert row["reference_mean"] == pytest.approx(np.mean(reference[name]))
            assert row["mean_low"] <= row["mean_difference"] <= row["mean_high"]
    honour = {r["summary"]: r for r in shipped["questions"][0]["rows"]}
    assert honour["final_retained_past_term"]["q95"] < 0  # Q2: honouring contracts leaves far fewer held past term


def test_nowcast_rows_are_ordered_intervals_with_drivers_from_the_screening(shipped):
    rows = {r["quantity"]: r for r in shipped["nowcast"]["rows"]}
    for row in rows.values():
        assert row["q05"] <= row["q25"] <= row["q50"] <= row["q75"] <= row["q95"]
    assert rows["retained past term"]["q50"] > 10_000  # full scale
    screening = [r for r in shipped["sensitivity"]["rows"] if r["summary"] == "total_new_desertions"]
    top = sorted(screening, key=lambda r: -r["mu_star"])[:3]
    assert [d["parameter"] for d in rows["absences begun (total)"]["drivers"]] == [r["parameter"] for r in top]
    assert all(rows[label]["drivers"] for label in answers.DRIVEN_BY)  # every driven row is a nowcast row
    morris = shipped["sensitivity"]
    assert morris["runs"] == morris["trajectories"] * (morris["parameters"] + 1)


@pytest.mark.slow
def test_a_shipped_run_is_redone_exactly(shipped):
    """Run 0 of Q2, both arms, at full scale: posterior draw 0, seed child_seed(base seed, 0)."""
    from awol.engines import simulate
    from awol.engines.rng import child_seed
    from awol.experiments.analysis import summarize
    from awol.experiments.api import without_levers
    from awol.scenario.edits import with_values
    from awol.scenario.load import load_scenario, scenario_from_tree

    method = shipped["questions_method"]
    draw = {path: values[0] for path, values in method["draws"].items()}
    seed = child_seed(method["base_seed"], 0)
    assert str(seed) == method["reference_per_run"]["seed"][0]
    q2 = shipped["questions"][0]
    for name, per_run in (("baseline", method["reference_per_run"]), (q2["scenario"], q2["per_run"])):
        sc = load_scenario(name)  # a policy keeps its own levers under the draw, as in `compare`
        daily = simulate(scenario_from_tree(with_values(sc.raw, without_levers(draw, sc, load_scenario("baseline")))),
                         seed=seed)
        got = summarize(daily)
        assert {k: got[k] for k in SUMMARIES} == {k: per_run[k][0] for k in SUMMARIES}, name


def test_the_code_digest_follows_the_engine_the_answers_run_on(tmp_path, monkeypatch):
    import shutil

    import awol
    from awol.evidence import answers

    fake = tmp_path / "awol"
    shutil.copytree(awol.__path__[0], fake, ignore=shutil.ignore_patterns("__pycache__", "web", "report", "data"))
    monkeypatch.setattr(answers.resources, "files", lambda package: fake)
    before = answers.model_code_digest()
    agents = fake / "engines" / "agents" / "kernel.py"  # not the engine the answers run on
    agents.write_text(agents.read_text() + "\n# changed\n")
    assert answers.model_code_digest() == before
    for part in ("model/chain.py", "engines/cohorts/kernel.py", "engines/rng.py", "scenario/schema.py"):
        edited = fake / part
        edited.write_text(edited.read_text() + "\n# changed\n")
        assert answers.model_code_digest() != before, part
        before = answers.model_code_digest()
