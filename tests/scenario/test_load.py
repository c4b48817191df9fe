"""Loading scenarios: bundled files, `extends`, annotations, hashing, and every kind of bad input."""

from __future__ import annotations

import copy

import pytest

from awol.scenario.load import ScenarioError, bundled_scenarios, load_scenario, read_tree, scenario_from_tree
from awol.scenario.provenance import get_path, set_path
from tests.scenarios import without_anyone

BUNDLED = ["baseline", "honour-contracts", "more-checkpoints", "detainee-recruitment", "mobilisation-instead",
           "amnesty"]


def baseline_tree() -> dict:
    return copy.deepcopy(read_tree("baseline"))


def problems_of(tree: dict) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        scenario_from_tree(tree)
    return [str(p) for p in info.value.problems]


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_scenarios_load(name):
    scenario = load_scenario(name)
    assert scenario.name == name
    assert len(scenario.hash) == 64


def test_bundled_list_has_one_line_descriptions():
    listed = dict(bundled_scenarios())
    assert set(BUNDLED) <= set(listed)
    assert all(listed[n] and "\n" not in listed[n] for n in BUNDLED)


def test_variants_change_only_what_they_name():
    base = load_scenario("baseline")
    honour = load_scenario("honour-contracts")
    assert honour.policy.release_at_term[0].value == honour.policy.detainee_release_at_term[0].value == 0.95
    changed = {"release_at_term", "detainee_release_at_term"}
    assert honour.policy.model_dump(exclude=changed) == base.policy.model_dump(exclude=changed)
    for section in ("casualties", "desertion", "pursuit", "recruitment", "observation", "population", "channels"):
        assert getattr(honour, section) == getattr(base, section)


def test_annotations_are_lifted_with_range_and_source():
    scenario = load_scenario("baseline")
    annotation = scenario.annotations["policy.release_at_term[0].value"]
    assert annotation.value == scenario.policy.release_at_term[0].value
    assert annotation.range == (0.0, 0.15)
    assert "647" in annotation.source


def test_hash_depends_on_content_only():
    tree = baseline_tree()
    assert scenario_from_tree(copy.deepcopy(tree)).hash == scenario_from_tree(copy.deepcopy(tree)).hash
    set_path(tree, "desertion.peer_memory_days", 15)
    assert scenario_from_tree(tree).hash != load_scenario("baseline").hash


def test_every_problem_is_reported_at_once():
    tree = baseline_tree()
    set_path(tree, "population.volunteer.size", -5)
    set_path(tree, "casualties.discharge_share", 1.5)
    tree["pursuit"]["routes"][0]["to"] = "nowhere"
    found = problems_of(tree)
    assert any(p.startswith("population.volunteer.size:") and "-5" in p for p in found)
    assert any(p.startswith("casualties.discharge_share:") and "1.5" in p for p in found)
    assert any(p.startswith("pursuit.routes[0].to:") and "nowhere" in p for p in found)


def test_probability_out_of_range_in_a_schedule_names_the_step():
    tree = baseline_tree()
    tree["policy"]["release_at_term"].append({"from": "2024-01-01", "value": 1.2})
    (problem,) = problems_of(tree)
    assert problem.startswith("policy.release_at_term[1].value:")
    assert "[0, 1]" in problem and "1.2" in problem


def test_dates_out_of_order():
    tree = baseline_tree()
    tree["casualties"]["intensity"][1]["from"] = "2022-01-01"
    (problem,) = problems_of(tree)
    assert problem.startswith("casualties.intensity:") and "increasing order" in problem


def test_unknown_and_missing_fields():
    tree = baseline_tree()
    tree["desertion"]["bravery"] = 3
    del tree["pursuit"]["move_per_day"]
    found = problems_of(tree)
    assert "desertion.bravery: unknown field 'bravery'" in found
    assert "pursuit.move_per_day: required field is missing" in found


def test_empty_population():
    tree = without_anyone(baseline_tree())
    (problem,) = problems_of(tree)
    assert "population is empty" in problem


def test_range_must_hold_the_value_and_be_allowed():
    tree = baseline_tree()
    tree["casualties"]["discharge_share"] = {"value": 0.15, "range": [0.2, 0.3]}
    tree["pursuit"]["move_per_day"] = {"value": 0.25, "range": [0.1, 1.5]}
    found = problems_of(tree)
    assert any(p.startswith("casualties.discharge_share.range:") and "must contain the value" in p for p in found)
    assert any(p.startswith("pursuit.move_per_day.range:") and "1.5" in p for p in found)
    assert len(found) == 2  # each end is tried alone: the rejected 1.5 is put back before the next range


def test_a_malformed_file_gets_the_python_parser_s_message(tmp_path):
    """Files are parsed by libyaml when PyYAML has it; a malformed one is read again by
    PyYAML's Python parser, whose messages say more (here: the alias's name)."""
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\nsimulation: *nowhere\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    (problem,) = info.value.problems
    assert "line 2, column 13" in str(problem) and "undefined alias 'nowhere'" in str(problem)


def test_paths_read_and_write():
    tree = baseline_tree()
    assert get_path(tree, "pursuit.routes[2].checkpoints.value") == 2
    set_path(tree, "pursuit.routes[2].checkpoints.value", 7)
    assert tree["pursuit"]["routes"][2]["checkpoints"]["value"] == 7
    with pytest.raises(KeyError):
        set_path(tree, "desertion.no_such_thing", 1)


# -- files no scenario should be: each is refused with one line, in well under a second ----------------

def load_problems(path) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return [str(p) for p in info.value.problems]


def write(tmp_path, text: str | bytes, name: str = "s.yaml"):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def alias_bomb(levels: int = 10, width: int = 9) -> str:
    lines = ["extends: baseline", "a0: &a0 [" + ", ".join(['"lol"'] * width) + "]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


BAD_FILES = {
    "duplicated key": ("extends: baseline\nname: one\nname: two\n", "key 'name' is repeated"),
    "binary tag": ("extends: baseline\ndescription: !!binary aGVsbG8=\n", "tag 'tag:yaml.org,2002:binary'"),
    "python tag": ("extends: baseline\ndescription: !!python/object/apply:os.system [echo hi]\n", "is not allowed"),
    "custom tag": ("extends: baseline\ndescription: !mine x\n", "is not allowed"),
    "alias bomb (lists)": (alias_bomb(), "aliases are expanded"),
    "alias bomb (mappings)": ("extends: baseline\n" + "".join(
        f"m{i}: &m{i} {{" + ", ".join(f"k{j}: *m{i - 1}" if i else f"k{j}: 1" for j in range(9)) + "}\n"
        for i in range(10)), "aliases are expanded"),
    "alias bomb (merge keys)": ("extends: baseline\n" + "".join(
        f"m{i}: &m{i} {{" + ", ".join(f"k{j}: [*m{i - 1}, *m{i - 1}]" if i else f"k{j}: 1" for j in range(4)) + "}\n"
        for i in range(12)), "aliases are expanded"),
    "recursive alias": ("extends: baseline\nloop: &loop [*loop]\n", "refers to a node that contains it"),
    "deep nesting": ("extends: baseline\ndeep: " + "[" * 900 + "]" * 900 + "\n", "nested more than"),
    "deeper nesting": ("extends: baseline\ndeep: " + "[" * 5000 + "]" * 5000 + "\n", "malformed YAML"),
    "latin-1": ("extends: baseline\nname: caf\u00e9\n".encode("latin-1"), "not UTF-8 text (byte 0xe9"),
    "utf-16": ("extends: baseline\nname: x\n".encode("utf-16"), "UTF-16 text"),
    "utf-16 without a byte-order mark": ("extends: baseline\nname: x\n".encode("utf-16-le"), "NUL bytes"),
    "too large": ("extends: baseline\n#" + "x" * 1_100_000 + "\n", "larger than 1,000,000 bytes"),
    "not a mapping": ("- just\n- a list\n", "must be a mapping"),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_unsafe_or_undecodable_files_are_refused_in_one_line(tmp_path, name):
    import time

    text, fragment = BAD_FILES[name]
    started = time.monotonic()
    found = load_problems(write(tmp_path, text))
    assert time.monotonic() - started < 2.0
    assert len(found) == 1 and fragment in found[0], found


def test_a_utf8_byte_order_mark_and_plain_aliases_are_fine(tmp_path):
    text = ("\ufeffextends: baseline\nname: aliased\n"
            "policy:\n  amnesty: &none [{from: 2022-09-24, value: 0.0}]\n  assault_share_retained: *none\n")
    scenario = load_scenario(write(tmp_path, text))
    assert scenario.name == "aliased" and scenario.policy.assault_share_retained[0].value == 0.0


@pytest.mark.parametrize("target, fragment", [("/tmp", "is a directory"), ("/dev/zero", "not a regular file"),
                                              ("missing.yaml", "no such file")])
def test_extends_only_reaches_regular_files(tmp_path, target, fragment):
    found = load_problems(write(tmp_path, f"extends: {target}\nname: x\n"))
    assert len(found) == 1 and found[0].startswith("extends:") and fragment in found[0], found


def test_a_scenario_path_that_is_not_a_file_is_refused(tmp_path):
    (found,) = load_problems(tmp_path)
    assert "is a directory" in found


def test_a_long_extends_chain_is_refused_at_its_depth_limit(tmp_path):
    from awol.scenario import limits

    for i in range(1500):
        write(tmp_path, f"extends: c{i + 1}.yaml\n", f"c{i}.yaml")
    write(tmp_path, "name: end\n", "c1500.yaml")
    (found,) = load_problems(tmp_path / "c0.yaml")
    assert found.startswith("extends:") and f"more than {limits.MAX_EXTENDS}" in found


def test_a_short_extends_chain_and_a_cycle(tmp_path):
    write(tmp_path, "extends: baseline\nname: one\n", "one.yaml")
    write(tmp_path, "extends: one.yaml\nname: two\n", "two.yaml")
    assert load_scenario(tmp_path / "two.yaml").name == "two"
    write(tmp_path, "extends: b.yaml\n", "a.yaml")
    write(tmp_path, "extends: a.yaml\n", "b.yaml")
    (found,) = load_problems(tmp_path / "a.yaml")
    assert "cycle" in found
