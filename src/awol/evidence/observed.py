"""Observed data: the public court-case figures, one tidy row per figure.

A file has the columns `date_from, date_to, quantity, article, kind, value, use,
published, rounded_to, source, note` (all but the first six and `source` may be left
out). `published` is the day the figure became public (for the time-split checks: fit
on what was known by a date, predict the rest); `rounded_to` is the precision of a
figure reported as "about N" (100 for "about 400"; 1, the default, for an exact count),
read by the observation error model (data/inference/error-model.yaml). Every kind is a count summed over
the days `date_from..date_to`, both included:

- cumulative: counted from `date_from` (24 Sep 2022 for the bundled tally, the day
  the wartime amendments took effect) up to `date_to`;
- monthly: one calendar month, `date_from` its first day and `date_to` its last;
- period: the total over any other window.

`use = no` keeps a figure for the record and the predictive check but out of the
calibration; its `note` says why (ambiguous, unverified, redundant). The loader
checks everything and reports every problem at once, so a user fixes a file in one go.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from importlib import resources
from pathlib import Path

import pandas as pd

from awol.model.observation import ARTICLES as CASE_ARTICLES
from awol.problems import ProblemsError

QUANTITIES = ("cases_filed", "cases_decided")
ARTICLES = ("all",) + CASE_ARTICLES
KINDS = ("cumulative", "monthly", "period")
USE = {"yes": True, "no": False}
REQUIRED = ("date_from", "date_to", "quantity", "article", "kind", "value", "source")
OPTIONAL = ("use", "published", "rounded_to", "note")
BUNDLED = "court-cases.csv"
MAX_BYTES = 5_000_000  # a tally of press figures is a few kB; a larger file is not one, and reading it is refused fast


class ObservedDataError(ProblemsError):
    """Observed data that cannot be used; `.problems` holds one line per problem."""


def bundled_path() -> Path:
    """The bundled court-case tally (data/observed/court-cases.csv)."""
    return Path(str(resources.files("awol").joinpath("data", "observed", BUNDLED)))


def file_hash(path: str | Path) -> str:
    """SHA-256 of a data file, recorded in a posterior."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None


def _month_end(day: dt.date) -> dt.date:
    first_next = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return first_next - dt.timedelta(days=1)


def _read_one(path: Path, problems: list[str]) -> list[dict]:
    """The rows of one file, checked field by field; problems are appended, bad rows dropped."""
    if not path.exists():
        problems.append(f"{path}: no such file")
        return []
    if not path.is_file():  # a directory, a device such as /dev/zero, a pipe: never read
        problems.append(f"{path}: not a regular file; give a CSV file of figures")
        return []
    size = path.stat().st_size
    if size > MAX_BYTES:
        problems.append(f"{path}: {size:,} bytes; an observed-data file may hold at most {MAX_BYTES:,} bytes")
        return []
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            missing = [c for c in REQUIRED if c not in header]
            unknown = [c for c in header if c not in REQUIRED + OPTIONAL]
            if missing:
                problems.append(f"{path}: header lacks column(s) {', '.join(missing)}; "
                                f"a file needs {', '.join(REQUIRED)} (and may have {', '.join(OPTIONAL)})")
            if unknown:
                problems.append(f"{path}: unknown column(s) {', '.join(unknown)}; "
                                f"allowed: {', '.join(REQUIRED + OPTIONAL)}")
            if missing or unknown:
                return []
            raw_rows = list(reader)
    except (UnicodeDecodeError, csv.Error) as exc:
        problems.append(f"{path}: not a readable UTF-8 CSV file ({exc})")
        return []
    if not raw_rows:
        problems.append(f"{path}: holds no data row")
    rows = []
    for line, raw in enumerate(raw_rows, start=2):
        where = f"{path}: line {line}"
        bad = []
        if None in raw or any(raw.get(c) is None for c in REQUIRED):
            problems.append(f"{where}: has {len([v for v in raw.values() if v is not None])} fields, "
                            f"the header has {len(raw) - (1 if None in raw else 0)}")
            continue
        start, end = _date(raw["date_from"]), _date(raw["date_to"])
        if start is None:
            bad.append(f"date_from: {raw['date_from']!r} is not a date; write YYYY-MM-DD")
        if end is None:
            bad.append(f"date_to: {raw['date_to']!r} is not a date; write YYYY-MM-DD")
        if start and end and start > end:
            bad.append(f"date_from: {start} is after date_to {end}; date_from must not exceed date_to")
        quantity, article, kind = (raw[c].strip() for c in ("quantity", "article", "kind"))
        if quantity not in QUANTITIES:
            bad.append(f"quantity: {quantity!r} is not a quantity; allowed: {', '.join(QUANTITIES)}")
        if article not in ARTICLES:
            bad.append(f"article: {article!r} is not an article; allowed: {', '.join(ARTICLES)}")
        if kind not in KINDS:
            bad.append(f"kind: {kind!r} is not a kind; allowed: {', '.join(KINDS)}")
        elif kind == "monthly" and start and end and (start.day != 1 or end != _month_end(start)):
            bad.append(f"kind: monthly row spans {start}..{end}; a monthly row runs from the first to the "
                       f"last day of one calendar month (e.g. {start.replace(day=1)}..{_month_end(start)})")
        try:
            value = float(raw["value"].replace(",", "").strip())
            if not value >= 0 or value == float("inf"):
                bad.append(f"value: {raw['value']!r} is negative or not finite; a count must be a number ≥ 0")
        except ValueError:
            value = None
            bad.append(f"value: {raw['value']!r} is not a number; a count must be a number ≥ 0")
        published = None
        if (raw.get("published") or "").strip():
            published = _date(raw["published"])
            if published is None:
                bad.append(f"published: {raw['published']!r} is not a date; write YYYY-MM-DD or leave it empty")
            elif end and published < end:
                bad.append(f"published: {published} is before date_to {end}; a figure is published after the days "
                           "it counts")
        rounded_to = 1.0
        if (raw.get("rounded_to") or "").strip():
            try:
                rounded_to = float(raw["rounded_to"].replace(",", "").strip())
            except ValueError:
                rounded_to = float("nan")
            if not (rounded_to >= 1 and rounded_to < float("inf")):
                bad.append(f"rounded_to: {raw['rounded_to']!r}; the precision of a rounded figure is a number >= 1 "
                           "(1 for an exact count)")
        use_text = (raw.get("use") or "yes").strip().lower()
        if use_text not in USE:
            bad.append(f"use: {raw.get('use')!r}; allowed: yes, no")
        if not raw["source"].strip():
            bad.append("source: empty; every figure needs its source (outlet and date)")
        problems.extend(f"{where}: {b}" for b in bad)
        if bad:
            continue
        rows.append({
            "date_from": start, "date_to": end, "quantity": quantity, "article": article, "kind": kind,
            "value": value, "use": USE[use_text], "published": published, "rounded_to": rounded_to,
            "source": raw["source"].strip(),
            "note": (raw.get("note") or "").strip(), "file": str(path), "line": line,
        })
    return rows


def _duplicates(rows: list[dict]) -> list[str]:
    """Rows fitted together that count the same thing twice.

    Two fitted rows of the same quantity, article and kind clash when they have the
    same window, or, for monthly rows, fall in the same month. Nested periods or
    cumulative totals at different dates are different figures and are allowed.
    """
    problems = []
    seen: dict[tuple, dict] = {}
    for r in rows:
        if not r["use"]:
            continue
        key = (r["quantity"], r["article"], r["kind"], r["date_from"], r["date_to"])
        if key in seen:
            first = seen[key]
            problems.append(
                f"{r['file']}: line {r['line']}: duplicates {first['file']}: line {first['line']} "
                f"({r['quantity']}, {r['article']}, {r['kind']}, {r['date_from']}..{r['date_to']}); "
                "fit one of them and set use = no on the other")
        else:
            seen[key] = r
    return problems


def load_observed(paths: list[str | Path] | str | Path | None = None) -> pd.DataFrame:
    """Read and check observed-data files (default: the bundled court-case tally).

    Returns one row per figure with columns date_from, date_to (datetime64), quantity,
    article, kind, value, use, source, note, file, line. Raise `ObservedDataError`
    listing every problem found in every file.
    """
    if paths is None:
        paths = [bundled_path()]
    elif isinstance(paths, (str, Path)):
        paths = [paths]
    problems: list[str] = []
    rows: list[dict] = []
    if not paths:
        problems.append("no observed-data file given")
    for path in paths:
        rows.extend(_read_one(Path(path), problems))
    problems.extend(_duplicates(rows))
    if rows and not any(r["use"] for r in rows):
        problems.append("no row has use = yes: nothing to compare the simulation with")
    if problems:
        raise ObservedDataError(problems)
    table = pd.DataFrame(rows)
    table["date_from"] = pd.to_datetime(table["date_from"])
    table["date_to"] = pd.to_datetime(table["date_to"])
    table["published"] = pd.to_datetime(table["published"])
    return table


def row_label(row) -> str:
    """A short human label of one figure, e.g. `cases_filed all monthly 2024-05`."""
    start, end = pd.Timestamp(row["date_from"]).date(), pd.Timestamp(row["date_to"]).date()
    if row["kind"] == "monthly":
        when = f"{start:%Y-%m}"
    elif row["kind"] == "cumulative":
        when = f"to {end}"
    else:
        when = f"{start}..{end}"
    return f"{row['quantity']} {row['article']} {row['kind']} {when}"
