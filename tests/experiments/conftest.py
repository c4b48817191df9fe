"""Small scenario files for experiment tests."""

from __future__ import annotations

import pytest
import yaml

from tests.scenarios import small_tree


def write_tree(path, tree):
    path.write_text(yaml.safe_dump(tree, sort_keys=False))
    return path


@pytest.fixture
def small_file(tmp_path):
    """The baseline at 1 % scale over 60 days, as a file the CLI can read."""
    return write_tree(tmp_path / "small.yaml", small_tree(days=60))
