"""Observed data: the bundled tally loads; every kind of bad row gets its own clear line; the CLI exits 2."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from awol.cli.main import app
from awol.evidence.observed import ObservedDataError, bundled_path, load_observed

HEADER = "date_from,date_to,quantity,article,kind,value,use,source,note\n"
GOOD = "2024-05-01,2024-05-31,cases_filed,all,monthly,929,yes,press,\n"


def write(tmp_path, body: str, header: str = HEADER, name: str = "obs.csv"):
    path = tmp_path / name
    path.write_text(header + body, encoding="utf-8")
    return path


def problems_of(path) -> list[str]:
    with pytest.raises(ObservedDataError) as caught:
        load_observed([path])
    return caught.value.problems


def test_bundled_tally_loads_with_fitted_and_unfitted_rows():
    table = load_observed()
    assert len(table) == 25
    assert table["use"].sum() == 11
    assert (table["date_from"] <= table["date_to"]).all()
    # every figure left out of the fit says why
    assert table.loc[~table["use"], "note"].str.len().gt(10).all()
    assert bundled_path().name == "court-cases.csv"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("2024-13-01,2024-05-31,cases_filed,all,period,1,yes,press,", "date_from: '2024-13-01' is not a date"),
        ("2024-05-01,31/05/2024,cases_filed,all,period,1,yes,press,", "date_to: '31/05/2024' is not a date"),
        ("2024-06-01,2024-05-31,cases_filed,all,period,1,yes,press,", "date_from: 2024-06-01 is after date_to "
                                                                      "2024-05-31"),
        ("2024-05-02,2024-05-31,cases_filed,all,monthly,1,yes,press,", "a monthly row runs from the first to the last "
                                                                       "day of one calendar month"),
        ("2024-05-01,2024-06-30,cases_filed,all,monthly,1,yes,press,", "monthly row spans 2024-05-01..2024-06-30"),
        ("2024-05-01,2024-05-31,sentences,all,monthly,1,yes,press,", "quantity: 'sentences' is not a quantity; "
                                                                     "allowed: cases_filed, cases_decided"),
        ("2024-05-01,2024-05-31,cases_filed,treason,monthly,1,yes,press,", "article: 'treason' is not an article; "
                                                                           "allowed: all, awol, disobedience, "
                                                                           "desertion"),
        ("2024-05-01,2024-05-31,cases_filed,all,weekly,1,yes,press,", "kind: 'weekly' is not a kind; allowed: "
                                                                      "cumulative, monthly, period"),
        ("2024-05-01,2024-05-31,cases_filed,all,monthly,-3,yes,press,", "value: '-3' is negative"),
        ("2024-05-01,2024-05-31,cases_filed,all,monthly,many,yes,press,", "value: 'many' is not a number"),
        ("2024-05-01,2024-05-31,cases_filed,all,monthly,1,maybe,press,", "use: 'maybe'; allowed: yes, no"),
        ("2024-05-01,2024-05-31,cases_filed,all,monthly,1,yes,,", "source: empty"),
    ],
)
def test_each_bad_field_is_named_with_its_value_and_what_is_allowed(tmp_path, row, message):
    path = write(tmp_path, GOOD + row + "\n")
    problems = problems_of(path)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{path}: line 3: ")
    assert message in problems[0]


def test_every_problem_of_every_file_is_listed_at_once(tmp_path):
    first = write(tmp_path, "2024-13-01,2024-05-31,cases_filed,all,period,-1,yes,press,\n", name="a.csv")
    second = write(tmp_path, GOOD + "2024-05-01,2024-05-31,cases_filed,al,monthly,1,yes,press,\n", name="b.csv")
    with pytest.raises(ObservedDataError) as caught:
        load_observed([first, second])
    text = "\n".join(caught.value.problems)
    assert len(caught.value.problems) == 3
    assert f"{first}: line 2: date_from" in text and f"{first}: line 2: value" in text
    assert f"{second}: line 3: article: 'al'" in text


def test_duplicate_fitted_rows_are_refused_unless_one_is_left_out(tmp_path):
    duplicated = write(tmp_path, GOOD + GOOD)
    problems = problems_of(duplicated)
    assert len(problems) == 1 and "line 3: duplicates" in problems[0] and "line 2" in problems[0]
    ok = write(tmp_path, GOOD + GOOD.replace(",yes,", ",no,"), name="ok.csv")
    assert len(load_observed([ok])) == 2


def test_nested_periods_and_successive_totals_are_different_figures(tmp_path):
    body = ("2023-01-01,2023-05-24,cases_filed,awol,period,1053,yes,press,\n"
            "2023-01-01,2023-12-31,cases_filed,awol,period,5096,yes,press,\n"
            "2022-09-24,2023-03-21,cases_filed,all,cumulative,536,yes,press,\n"
            "2022-09-24,2023-04-30,cases_filed,all,cumulative,1064,yes,press,\n")
    assert len(load_observed([write(tmp_path, body)])) == 4


def test_header_problems(tmp_path):
    missing = write(tmp_path, "2024-05-01,2024-05-31,cases_filed,all,1\n",
                    header="date_from,date_to,quantity,article,value\n")
    assert "header lacks column(s) kind, source" in problems_of(missing)[0]
    extra = write(tmp_path, GOOD, header=HEADER.replace("note", "comment"), name="extra.csv")
    assert "unknown column(s) comment" in problems_of(extra)[0]
    assert "no such file" in problems_of(tmp_path / "absent.csv")[0]


def test_use_and_note_columns_are_optional(tmp_path):
    path = write(tmp_path, "2024-05-01,2024-05-31,cases_filed,all,monthly,929,press\n",
                 header="date_from,date_to,quantity,article,kind,value,source\n")
    table = load_observed([path])
    assert bool(table["use"].iloc[0]) and table["value"].iloc[0] == 929


def test_cli_exits_2_listing_each_problem_before_simulating(tmp_path, small_file):
    bad = write(tmp_path, "2024-05-01,2024-05-30,cases_filed,all,monthly,1,yes,press,\n"
                          "2024-05-01,2024-05-31,cases_filed,everything,monthly,1,yes,press,\n")
    result = CliRunner().invoke(app, ["calibrate", str(small_file), "--params", "desertion.base_per_day",
                                      "--data", str(bad), "--out", str(tmp_path / "p.json")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output + result.stderr
    assert "observed data: 2 problem(s)" in result.stderr
    assert "line 2: kind: monthly row spans" in result.stderr
    assert "line 3: article: 'everything'" in result.stderr
    assert not (tmp_path / "p.json").exists()


def test_the_bundled_figures_carry_publication_dates_and_rounding():
    table = load_observed()
    assert table["published"].notna().all()
    assert (table["published"] >= table["date_to"]).all()
    about = table[table["rounded_to"] > 1]
    assert sorted(about["value"]) == [400.0, 430.0, 7400.0]  # "about 400", "about 100 a week", "about 7,400"


@pytest.mark.parametrize(("cell", "message"), [
    ("published=2024-05-15", "published: 2024-05-15 is before date_to 2024-05-31"),
    ("published=soon", "published: 'soon' is not a date"),
    ("rounded_to=0", "rounded_to: '0'"),
    ("rounded_to=ten", "rounded_to: 'ten'"),
])
def test_publication_date_and_rounding_are_checked(tmp_path, cell, message):
    field, value = cell.split("=")
    values = {"published": "2024-06-18", "rounded_to": "1", field: value}
    path = write(tmp_path, f"2024-05-01,2024-05-31,cases_filed,all,monthly,929,yes,{values['published']},"
                           f"{values['rounded_to']},press,\n",
                 header="date_from,date_to,quantity,article,kind,value,use,published,rounded_to,source,note\n")
    found = problems_of(path)
    assert len(found) == 1 and message in found[0], found


def test_non_files_and_oversized_files_are_refused_before_reading(tmp_path):
    """/dev/zero would never end if read; a 5 MB sparse file would be read whole."""
    from awol.evidence.observed import MAX_BYTES

    big = tmp_path / "big.csv"
    with open(big, "wb") as handle:
        handle.truncate(MAX_BYTES + 1)  # sparse: no time spent writing it
    assert "not a regular file" in problems_of(tmp_path)[0]
    assert "not a regular file" in problems_of("/dev/zero")[0]
    assert f"an observed-data file may hold at most {MAX_BYTES:,} bytes" in problems_of(big)[0]
