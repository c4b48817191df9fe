r"""The user documents name only what exists: commands and options, files, parameter paths, modules.

README.md and docs/*.md quote `awol ...` command lines, paths of the repository
(`src/awol/...`, `tests/...`, `benchmarks/...`), dotted scenario parameter paths
(`pursuit.home_detection_per_day`) and modules (`awol.engines.rng.child_seed`). Each is
checked against the thing itself: the Typer app's click commands, the file system, the
bundled baseline and the scenario schema, the package's source. Nothing is simulated
and nothing is imported beyond the CLI and the schema, so the module runs in seconds.

Markdown is read with markdown-it-py, so code spans in tables (`a\|b` in the source) and fenced
blocks are what a reader sees. Each checker is also shown a name that does not exist,
so that a checker that accepts everything fails here.
"""

from __future__ import annotations

import ast
import re
import types
import typing
from functools import cache
from pathlib import Path

import pytest
import typer
from markdown_it import MarkdownIt
from pydantic import BaseModel

from awol.cli.main import app
from awol.engines import ENGINES
from awol.scenario.edits import EditError, parameter_value
from awol.scenario.load import read_tree
from awol.scenario.schema import Scenario

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SECTIONS = tuple(Scenario.model_fields)  # simulation, channels, population, policy, ...
PLACEHOLDER_COMMANDS = {"COMMAND"}       # `awol COMMAND --help`
PATH_OPTIONS = ("--vary", "--parameter", "--params")  # options that take a parameter path holding a number

# Stale names in documents this branch may not edit (docs/ODD.md is src/awol/report/ODD.md), each to be
# fixed there: the test fails both while a new stale name appears and once a listed one is gone (then
# drop it here).
KNOWN_STALE: set[tuple[str, str]] = set()

PARAMETER = re.compile(
    r"(?<![\w./<-])((?:" + "|".join(s for s in SECTIONS if s not in ("name", "description"))
    + r")(?:\.[A-Za-z_]\w*|\[(?:\d+|\*)\])+)"
)
REPO_PATH = re.compile(r"(?<![\w/.-])((?:src/awol|tests|benchmarks)/[\w./*-]*[\w*/])")
# A module's file named from inside the package (`model/chain.py`, `engines/agents/kernel.py`).
PACKAGE_PATH = re.compile(r"(?<![\w/.-])((?:" + "|".join(
    p.name for p in (ROOT / "src" / "awol").iterdir() if (p / "__init__.py").exists()) + r")/[\w/]*\.py)\b")
MODULE = re.compile(r"(?<![\w./-])(awol(?:\.[A-Za-z_]\w*)+)")
OPTION = re.compile(r"(?<![\w-])(--?[A-Za-z][\w-]*)")


# ---------------------------------------------------------------- reading the documents

def code_of(path: Path) -> tuple[list[str], list[str]]:
    """(inline code spans, fenced or indented code blocks) of a Markdown file."""
    spans, blocks = [], []
    for token in MarkdownIt("commonmark").enable("table").parse(path.read_text()):
        if token.type in ("fence", "code_block"):
            blocks.append(token.content)
        for child in token.children or []:
            if child.type == "code_inline":
                spans.append(child.content)
    return spans, blocks


def command_lines(spans: list[str], blocks: list[str]) -> list[str]:
    """Every `awol ...` command line: code spans that start with it, and lines of code blocks
    (continuations joined, comments dropped)."""
    found = [s.strip() for s in spans if s.strip().startswith("awol ")]
    for block in blocks:
        for line in block.replace("\\\n", " ").splitlines():
            line = re.sub(r"\s#\s.*$", "", line).strip().removeprefix("$ ")
            if line.startswith("awol "):
                found.append(line)
    return found


def quoted_parameters(spans: list[str], blocks: list[str]) -> set[str]:
    """Dotted parameter paths in code; a module's file (`casualties.py`) is not one."""
    return {m for text in spans + blocks for m in PARAMETER.findall(text) if not m.endswith(".py")}


def quoted_modules(spans: list[str], blocks: list[str]) -> set[str]:
    return {m for text in spans + blocks for m in MODULE.findall(text)}


def quoted_repo_paths(text: str) -> set[str]:
    """Repository paths anywhere in a document, prose included; a module's file named from
    inside the package (`model/chain.py`) as its path under src/awol."""
    return set(REPO_PATH.findall(text)) | {f"src/awol/{m}" for m in PACKAGE_PATH.findall(text)}


# ---------------------------------------------------------------- the checkers

@cache
def _commands() -> dict:
    return dict(typer.main.get_command(app).commands)


def command_problems(line: str) -> list[str]:
    """What is wrong with one quoted command line: an unknown command, option or engine."""
    words = line.split()[1:]
    if not words or words[0] == "--help":
        return []
    name = words[0]
    if name in PLACEHOLDER_COMMANDS:
        return []
    command = _commands().get(name)
    if command is None:
        return [f"{line!r}: no command {name!r} (commands: {', '.join(sorted(_commands()))})"]
    known = {"--help"}
    for param in command.params:
        if param.param_type_name == "option":
            known.update(param.opts)
            known.update(param.secondary_opts)
    problems = []
    rest = " ".join(words[1:])
    for option in OPTION.findall(rest):
        if option not in known:
            problems.append(f"{line!r}: {name} has no option {option} (it has {', '.join(sorted(known))})")
    for option, path in re.findall(r"(" + "|".join(PATH_OPTIONS) + r")[ =]+([\w.\[\]*]+)", rest):
        if path.isupper():  # a placeholder such as PATH
            continue
        try:
            value = parameter_value(_baseline(), path)
        except EditError:
            value = None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            problems.append(f"{line!r}: {option} {path} names no number of the baseline scenario")
    for value in re.findall(r"--engine[ =]+([\w|]+)", rest):
        for engine in value.split("|"):
            if engine.isupper():  # a placeholder such as E
                continue
            if engine not in ENGINES:
                problems.append(f"{line!r}: no engine {engine!r} (engines: {', '.join(ENGINES)})")
    return problems


def _split(path: str) -> list[str | int]:
    keys: list[str | int] = []
    for name, index in re.findall(r"\.?([A-Za-z_]\w*)|\[(\d+|\*)\]", path):
        keys.append(name if name else ("*" if index == "*" else int(index)))
    return keys


@cache
def _baseline() -> dict:
    return read_tree("baseline")


def _in_tree(node, keys) -> bool:
    if not keys:
        return True
    key, rest = keys[0], keys[1:]
    if key == "*":
        items = node.values() if isinstance(node, dict) else node if isinstance(node, list) else []
        return any(_in_tree(item, rest) for item in items)
    if isinstance(node, dict):
        return key in node and _in_tree(node[key], rest)
    if isinstance(node, list) and isinstance(key, int):
        return 0 <= key < len(node) and _in_tree(node[key], rest)
    return False


def _bare(tp):
    """A type without Annotated or Optional around it."""
    while True:
        if typing.get_origin(tp) is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif typing.get_origin(tp) in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp
            tp = args[0]
        else:
            return tp


def _in_schema(keys) -> bool:
    tp = Scenario
    for key in keys:
        tp = _bare(tp)
        if isinstance(key, str) and key != "*":
            if not (isinstance(tp, type) and issubclass(tp, BaseModel)):
                return False
            fields = {alias or name: f for name, f in tp.model_fields.items()
                      for alias in (f.alias, None)}
            if key not in fields:
                return False
            tp = fields[key].annotation
        else:
            origin = typing.get_origin(tp)
            if origin is list:
                tp = typing.get_args(tp)[0]
            elif origin is dict:
                tp = typing.get_args(tp)[1]
            else:
                return False
    return True


def parameter_problems(path: str) -> list[str]:
    """A dotted parameter path that resolves neither in the bundled baseline nor in the schema."""
    keys = _split(path)
    if _in_tree(_baseline(), keys) or _in_schema(keys):
        return []
    return [f"{path}: no such parameter in the baseline scenario or the schema"]


def repo_path_problems(path: str) -> list[str]:
    if "*" in path:
        return [] if any(ROOT.glob(path)) else [f"{path}: matches no file"]
    return [] if (ROOT / path).exists() else [f"{path}: no such file or directory"]


def _names_of(source: Path) -> set[str]:
    """Names a module defines or imports at its top level, and for a module with a PEP 562
    `__getattr__` the names it lists as strings."""
    tree = ast.parse(source.read_text())
    names: set[str] = set()
    lazy = False
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            lazy |= node.name == "__getattr__"
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for leaf in ast.walk(target):
                    if isinstance(leaf, ast.Name):
                        names.add(leaf.id)
    if lazy:
        names.update(n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str))
    return names


def module_problems(dotted: str) -> list[str]:
    """`awol.a.b.name`: the longest prefix that is a module of the package exists, and the next
    name is defined there (what follows a class or function is not checked)."""
    parts = dotted.split(".")
    here = ROOT / "src"
    depth = 0
    for i, part in enumerate(parts):
        if (here / part).is_dir() and (here / part / "__init__.py").exists():
            here, depth = here / part, i + 1
        elif (here / f"{part}.py").exists():
            here, depth = here / f"{part}.py", i + 1
            break
        else:
            break
    if depth == len(parts):
        return []
    source = here / "__init__.py" if here.is_dir() else here
    if parts[depth] in _names_of(source):
        return []
    return [f"{dotted}: {'.'.join(parts[:depth])} has no module or name {parts[depth]!r}"]


# ---------------------------------------------------------------- the documents

def _doc_id(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _unknown(doc: Path, problems: list[str]) -> list[str]:
    """The problems not listed in KNOWN_STALE."""
    return [p for p in problems if (_doc_id(doc), p) not in KNOWN_STALE]


@pytest.mark.parametrize("doc", DOCS, ids=_doc_id)
def test_quoted_commands_exist_with_their_options(doc):
    lines = command_lines(*code_of(doc))
    problems = [p for line in lines for p in command_problems(line)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("doc", DOCS, ids=_doc_id)
def test_quoted_repository_paths_exist(doc):
    problems = [p for path in sorted(quoted_repo_paths(doc.read_text())) for p in repo_path_problems(path)]
    problems = _unknown(doc, problems)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("doc", DOCS, ids=_doc_id)
def test_quoted_parameter_paths_resolve(doc):
    problems = [p for path in sorted(quoted_parameters(*code_of(doc))) for p in parameter_problems(path)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("doc", DOCS, ids=_doc_id)
def test_quoted_modules_exist(doc):
    problems = [p for name in sorted(quoted_modules(*code_of(doc))) for p in module_problems(name)]
    assert not problems, "\n".join(problems)


def test_known_stale_names_are_still_there():
    """Each entry of KNOWN_STALE still shows up; once fixed in its document, it must leave the list."""
    found = set()
    for doc in DOCS:
        spans, blocks = code_of(doc)
        problems = [p for path in quoted_repo_paths(doc.read_text()) for p in repo_path_problems(path)]
        problems += [p for line in command_lines(spans, blocks) for p in command_problems(line)]
        problems += [p for path in quoted_parameters(spans, blocks) for p in parameter_problems(path)]
        problems += [p for name in quoted_modules(spans, blocks) for p in module_problems(name)]
        found |= {(_doc_id(doc), p) for p in problems}
    assert KNOWN_STALE <= found, KNOWN_STALE - found


def test_the_documents_are_read_and_quote_enough_to_check():
    """The extractors find what the documents hold (a broken extractor would pass every check)."""
    commands, parameters, paths, modules = [], set(), set(), set()
    for doc in DOCS:
        spans, blocks = code_of(doc)
        commands += command_lines(spans, blocks)
        parameters |= quoted_parameters(spans, blocks)
        paths |= quoted_repo_paths(doc.read_text())
        modules |= quoted_modules(spans, blocks)
    assert {ROOT / "README.md", ROOT / "docs" / "engines.md", ROOT / "docs" / "experiments.md",
            ROOT / "docs" / "limits.md"} <= set(DOCS)
    assert len(commands) >= 30 and len({c.split()[1] for c in commands}) >= 10, commands
    assert len(parameters) >= 50 and "pursuit.home_detection_per_day" in parameters
    assert len(paths) >= 20 and len(modules) >= 10


# ---------------------------------------------------------------- the checkers refuse what does not exist

def test_commands_checker_refuses_unknown_commands_options_and_engines():
    assert command_problems("awol run baseline --engine cohorts --days 30 --seed 1 --out results/x")  == []
    assert command_problems("awol report results/x -o report.html") == []
    assert command_problems("awol run baseline --overwrite --no-overwrite") == []
    assert command_problems("awol runs baseline")
    assert command_problems("awol run baseline --workers 2")
    assert command_problems("awol run baseline --engine agents|cohort")
    assert command_problems("awol calibrate baseline --method npe --bank b --published-by 2024-08-31") == []
    assert command_problems("awol sweep baseline --vary desertion.base_per_day=0.00001:0.0001:5 --vary "
                            "recruitment.volunteer_per_day[2].value=500:1500") == []
    assert command_problems("awol sensitivity baseline --parameter pursuit.search_k --parameter PATH") == []
    assert command_problems("awol sweep baseline --vary recruitment.volunteer_per_day=100:1000")  # a schedule
    assert command_problems("awol sweep baseline --vary pursuit.amnesty_surrender_multiplier=1:10")


def test_command_lines_are_found_in_spans_and_blocks():
    spans = ["awol ensemble baseline --runs 2", "awol.ensemble(...)", "pursuit.level"]
    blocks = ["awol sweep baseline --vary x=1:2 \\\n     --design lhs  # comment --not-an-option\nmake test\n"]
    assert command_lines(spans, blocks) == ["awol ensemble baseline --runs 2",
                                            "awol sweep baseline --vary x=1:2       --design lhs"]


@pytest.mark.parametrize("path", [
    "pursuit.home_detection_per_day", "policy.release_at_term[0].value", "pursuit.routes[*].checkpoints",
    "channels.volunteer.term_months[12]", "casualties.death_per_day.assault", "cohorts.risk_bins",
    "simulation.scale", "recruitment.force_target.max_per_day", "policy.detainee_release_at_term",
    "pursuit.regions[0].kind", "pursuit.adaptive.enabled",
])
def test_parameter_paths_that_exist_resolve(path):
    assert parameter_problems(path) == []


@pytest.mark.parametrize("path", [
    "pursuit.amnesty_surrender_multiplier", "desertion.hospital_opportunity", "pursuit.surrender_per_day",
    "observation.article_shares", "recruitment.volunteer_per_day.value", "casualties.death_per_day.general",
    "cohorts.risk_bins[0]", "pursuit.routes[*].guards",
])
def test_parameter_paths_that_do_not_exist_are_named(path):
    assert parameter_problems(path)


def test_parameter_paths_are_found_in_code_not_in_module_names():
    text = ["`pursuit.level` and awol.engines.cohorts.table and scenario.cohorts.risk_bins (`casualties.py`)",
            "--vary desertion.base_per_day=1:2 src/awol/engines/cohorts/kernel.py channels.<channel>.roles"]
    assert quoted_parameters(text, []) == {"pursuit.level", "desertion.base_per_day"}


def test_repository_paths_and_modules_that_do_not_exist_are_named():
    assert quoted_repo_paths("see benchmarks/results.md. And (tests/engines/) or src/awol/x.py, `model/chain.py`"
                             " engines/agents.py") == {
        "benchmarks/results.md", "tests/engines/", "src/awol/x.py", "src/awol/model/chain.py",
        "src/awol/engines/agents.py"}
    assert repo_path_problems("src/awol/engines/agents/soldiers.py") == []
    assert repo_path_problems("src/awol/engines/*/kernel.py") == []
    assert repo_path_problems("src/awol/engines/agents.py")
    assert repo_path_problems("tests/engines/test_nothing_*.py")
    for name in ("awol.engines.rng.child_seed", "awol.engines.cohorts.levels", "awol.simulate",
                 "awol.model.rates.Dynamics.rates", "awol.engines.DEFAULT_ENGINE"):
        assert module_problems(name) == [], name
    for name in ("awol.engines.expectation.expected_daily", "awol.experiments.execution.run_seed",
                 "awol.engines.cohort_draw"):
        assert module_problems(name), name
