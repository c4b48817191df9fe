"""Small scenario files for evidence tests: the baseline at 10 % scale, one parameter with a declared range."""

from __future__ import annotations

import pytest
import yaml

from tests.scenarios import small_tree

RANGE = [1e-5, 1.5e-4]


def small_calibration_tree(days: int = 90) -> dict:
    tree = small_tree(scale=0.1, days=days)
    tree["desertion"]["base_per_day"] = {"value": 3e-5, "range": RANGE, "source": "test"}
    return tree


@pytest.fixture
def small_file(tmp_path):
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(small_calibration_tree(), sort_keys=False))
    return path


@pytest.fixture
def small_data(tmp_path):
    """Three figures inside the small scenario's 90 days (from 24 Sep 2022)."""
    path = tmp_path / "small-data.csv"
    path.write_text(
        "date_from,date_to,quantity,article,kind,value,use,source,note\n"
        "2022-09-24,2022-12-15,cases_filed,all,cumulative,30,yes,synthetic,\n"
        "2022-11-01,2022-11-30,cases_filed,all,monthly,12,yes,synthetic,\n"
        "2022-12-01,2022-12-15,cases_decided,awol,period,8,no,synthetic,left out\n",
        encoding="utf-8",
    )
    return path
