"""Property: whatever scenario file a user writes, `awol run` either runs it and writes sane counts, or
exits 2 with one line per problem naming a field; never a traceback, a hang or a negative count.

Two sources of files (Hypothesis): documents generated from the schema's own JSON schema
(types and bounds as declared, so the cross-field rules are what refuse them), and mutations
of a valid small scenario (a value replaced by a hostile one, a key dropped or added).
hypothesis-jsonschema would generate the first, but it fails with current Hypothesis, so a
small generator over the JSON-schema keywords pydantic emits is written here.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import os

import numpy as np
import pyarrow.parquet as pq
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from awol.scenario import limits
from awol.scenario.schema import Scenario
from tests.command import invoke
from tests.scenarios import small_tree

EXAMPLES = int(os.environ.get("AWOL_FUZZ_EXAMPLES", 40))  # `make fuzz` raises it
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
COUNTS = ("on_duty", "retained_past_term", "deserters_at_large", "new_desertions", "recruits", "deaths", "cases_filed")


# -- documents from the JSON schema ----------------------------------------------------------------

def from_json_schema(node: dict, defs: dict, depth: int = 0) -> st.SearchStrategy:
    if "$ref" in node:
        return st.deferred(lambda: from_json_schema(defs[node["$ref"].split("/")[-1]], defs, depth + 1))
    if "anyOf" in node:
        return st.one_of([from_json_schema(n, defs, depth) for n in node["anyOf"]])
    if "enum" in node:
        return st.sampled_from(node["enum"])
    if "const" in node:
        return st.just(node["const"])
    kind = node.get("type")
    if kind == "object":
        props = node.get("properties")
        if props is not None:
            required = set(node.get("required", ()))
            return st.fixed_dictionaries(
                {k: from_json_schema(v, defs, depth) for k, v in props.items() if k in required},
                optional={k: from_json_schema(v, defs, depth) for k, v in props.items() if k not in required})
        keys = (st.sampled_from(node["propertyNames"]["enum"]) if "propertyNames" in node
                else st.integers(1, 36) if node.get("additionalProperties", {}).get("type") == "number"
                else st.text("abcdefgh-", min_size=1, max_size=8))
        return st.dictionaries(keys, from_json_schema(node.get("additionalProperties", {}), defs, depth), max_size=4)
    if kind == "array":
        lo = node.get("minItems", 0)
        return st.lists(from_json_schema(node["items"], defs, depth), min_size=lo, max_size=lo + 3)
    if kind == "number":
        lo = node.get("minimum", node.get("exclusiveMinimum", -1e6))
        hi = node.get("maximum", node.get("exclusiveMaximum", 1e6))
        return st.floats(lo, hi, exclude_min="exclusiveMinimum" in node, exclude_max="exclusiveMaximum" in node)
    if kind == "integer":
        return st.integers(node.get("minimum", -10**6), node.get("maximum", 10**6))
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "string":
        if node.get("format") == "date":
            return st.dates(limits.EARLIEST_DATE, limits.LATEST_DATE)
        return st.text(min_size=node.get("minLength", 0), max_size=min(node.get("maxLength", 20), 20))
    return st.none()


SCHEMA = Scenario.model_json_schema(by_alias=True)
DOCUMENTS = from_json_schema(SCHEMA, SCHEMA["$defs"])


# -- mutations of a valid scenario -----------------------------------------------------------------

BASE = small_tree(scale=0.002, days=30)


def leaves(node, path=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield path + (k,), v
            yield from leaves(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield path + (i,), v
            yield from leaves(v, path + (i,))


PATHS = [p for p, _ in leaves(BASE)]
HOSTILE = st.one_of(
    st.sampled_from([math.nan, math.inf, -math.inf, 1e308, -1e308, 10**12, 10**30, -1, 0, 2**63, 1e-320,
                     "", "2022-02-30", "0001-01-01", "9999-12-31", None, True, [], {}, [[]], {"value": math.nan},
                     {"value": 1, "range": [2, 0]}, "../../../../tmp/x", "x" * 500]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-10**20, 10**20),
    st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)),
    st.text(max_size=30),
)


@st.composite
def mutants(draw) -> dict:
    tree = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(PATHS))
        parent = tree
        try:
            for key in path[:-1]:
                parent = parent[key]
            action = draw(st.sampled_from(["replace", "replace", "replace", "drop", "add"]))
            if action == "replace":
                parent[path[-1]] = draw(HOSTILE)
            elif action == "drop":
                del parent[path[-1]]
            elif isinstance(parent, dict):
                parent[draw(st.text("abcxyz_", min_size=1, max_size=6))] = draw(HOSTILE)
        except (KeyError, IndexError, TypeError):
            pass  # an earlier mutation removed or retyped the way there
    return tree


# -- the property ---------------------------------------------------------------------------------

def run_or_named_error(tmp_path, tree) -> str:
    outcome = _run_or_named_error(tmp_path, tree)
    if os.environ.get("AWOL_FUZZ_OUTCOMES"):  # `make fuzz` counts what happened
        with open(os.environ["AWOL_FUZZ_OUTCOMES"], "a") as f:
            f.write(outcome + "\n")
    return outcome


def _run_or_named_error(tmp_path, tree) -> str:
    path = tmp_path / "s.yaml"
    try:
        text = yaml.safe_dump(tree, sort_keys=False, allow_unicode=True)
    except yaml.YAMLError:
        return "unwritable"
    path.write_text(text)
    out = tmp_path / "out"
    result = invoke("run", path, "--days", "20", "--out", out, "--overwrite")  # invoke: never a traceback
    if result.exit_code == 2:
        lines = [x.strip() for x in result.stderr.splitlines() if x.strip()]
        assert lines, "exit 2 with nothing said"
        for line in lines[1:] if lines[0].startswith("error:") and "problem(s)" in lines[0] else lines:
            field, sep, _ = line.removeprefix("error: ").partition(": ")
            assert sep and field, f"a problem that names no field: {line!r}"
        return "refused"
    assert result.exit_code == 0, (result.exit_code, result.output, result.stderr)
    daily = pq.read_table(out / "daily.parquet").to_pydict()
    for column in COUNTS:
        values = np.asarray(daily[column], dtype=float)
        assert np.isfinite(values).all() and (values >= 0).all() and (values < 1e12).all(), (column, values.min())
    return "ran"


@SETTINGS
@given(tree=DOCUMENTS)
def test_documents_from_the_schema_run_or_name_a_field(tmp_path_factory, tree):
    run_or_named_error(tmp_path_factory.mktemp("doc"), tree)


@SETTINGS
@given(tree=mutants())
def test_mutated_scenarios_run_or_name_a_field(tmp_path_factory, tree):
    run_or_named_error(tmp_path_factory.mktemp("mutant"), tree)


def test_the_mutation_base_runs(tmp_path):
    assert run_or_named_error(tmp_path, copy.deepcopy(BASE)) == "ran"


@pytest.mark.parametrize("tree", [{"name": "x"}, [], "text", None, {"simulation": [1, 2]}])
def test_fragments_are_refused(tmp_path, tree):
    assert run_or_named_error(tmp_path, tree) == "refused"
