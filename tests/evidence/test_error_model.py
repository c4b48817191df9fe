"""The observation error model: exact without noise, unbiased with it, spread as declared, rounded as reported."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from awol.evidence.error_model import ErrorModelError, load_error_model, published_figures
from awol.evidence.measure import measure
from awol.model.observation import ARTICLES

START = pd.Timestamp("2022-09-24")
DAYS = 400


def cases(per_day: float = 20.0) -> dict[str, np.ndarray]:
    """Steady court cases: `per_day` AWOL filings and half as many verdicts, none under the other articles."""
    out = {f"{q}_{a}": np.zeros(DAYS) for q in ("cases_filed", "cases_decided") for a in ARTICLES}
    out["cases_filed_awol"] = np.full(DAYS, per_day)
    out["cases_decided_awol"] = np.full(DAYS, per_day / 2)
    return out


def rows(*specs, rounded_to=None) -> pd.DataFrame:
    names = ("date_from", "date_to", "quantity", "article", "kind")
    table = pd.DataFrame([dict(zip(names, s, strict=True)) for s in specs])
    table["date_from"] = pd.to_datetime(table["date_from"])
    table["date_to"] = pd.to_datetime(table["date_to"])
    if rounded_to is not None:
        table["rounded_to"] = rounded_to
    return table


MONTH = ("2023-03-01", "2023-03-31", "cases_filed", "all", "monthly")
TOTAL = ("2022-09-24", "2023-09-30", "cases_filed", "awol", "cumulative")
VERDICTS = ("2023-03-01", "2023-03-31", "cases_decided", "all", "monthly")


def test_without_noise_the_figures_are_the_model_counts():
    observed = rows(MONTH, TOTAL, VERDICTS)
    daily = pd.DataFrame({"date": pd.date_range(START, periods=DAYS), **cases()})
    for c in ("cases_filed", "cases_decided"):
        daily[c] = sum(daily[f"{c}_{a}"] for a in ARTICLES)
    exact = published_figures(cases(), START, observed, 0.0, 0.0, seed=1)
    assert exact.tolist() == measure(daily, observed).tolist() == [620.0, 7440.0, 310.0]


def test_rounding_to_the_reported_precision():
    observed = rows(MONTH, TOTAL, rounded_to=[100.0, 1.0])
    out = published_figures(cases(13.7), START, observed, 0.1, 0.1, seed=3)
    assert out[0] % 100 == 0 and out[0] > 0
    assert out[1] == round(out[1])
    assert published_figures(cases(13.7), START, observed, 0.0, 0.0, seed=3)[0] == 400.0  # 424.7 is "about 400"


def test_the_same_seed_gives_the_same_figures_and_another_seed_others():
    observed = rows(MONTH, TOTAL)
    a = published_figures(cases(), START, observed, 0.2, 0.1, seed=5)
    assert np.array_equal(a, published_figures(cases(), START, observed, 0.2, 0.1, seed=5))
    assert not np.array_equal(a, published_figures(cases(), START, observed, 0.2, 0.1, seed=6))


@pytest.mark.parametrize(("month_sd", "relay_sd"), [(0.3, 0.0), (0.0, 0.25), (0.2, 0.15)])
def test_unbiased_with_the_declared_spread(month_sd, relay_sd):
    """Mean of the figures = the model's count (mean-one factors); a month's log spread = sqrt(s_m^2 + s_r^2);
    a total over 12 months carries about s_m / sqrt(12) of the month noise."""
    observed = rows(MONTH, TOTAL)
    n = 1200
    out = np.stack([published_figures(cases(), START, observed, month_sd, relay_sd, seed=s) for s in range(n)])
    exact = np.array([620.0, 7440.0])
    mean, se = out.mean(axis=0), out.std(axis=0, ddof=1) / np.sqrt(n)
    assert np.all(np.abs(mean - exact) < 4 * se), (mean, se)
    sd_month = np.log(out[:, 0]).std(ddof=1)
    expected = np.sqrt(month_sd**2 + relay_sd**2)
    assert abs(sd_month - expected) < 4 * expected / np.sqrt(2 * n)
    sd_total = np.log(out[:, 1]).std(ddof=1)
    # 13 calendar months with unequal days in the window; between the equal-weights value and the one-month value
    assert np.sqrt(month_sd**2 / 13 + relay_sd**2) * 0.9 < sd_total < np.sqrt(month_sd**2 / 6 + relay_sd**2) * 1.1


def test_a_month_moves_filings_it_contains_together():
    """The month factor is shared: March's figure and the total that contains March move together."""
    observed = rows(MONTH, ("2022-09-24", "2023-03-31", "cases_filed", "all", "cumulative"))
    out = np.stack([published_figures(cases(), START, observed, 0.3, 0.0, seed=s) for s in range(800)])
    r = np.corrcoef(np.log(out[:, 0]), np.log(out[:, 1]))[0, 1]
    assert r > 0.2  # March is 31 of 189 days of the total; independent noise would give r within ±0.08


def test_bad_declaration_is_named(tmp_path):
    bad = tmp_path / "error.yaml"
    bad.write_text(
        "format: awol-error-model/1\nparameters:\n  court_month_sd: {prior: {dist: normal, low: 0, high: 1}}\n"
        "  relay_sd: {prior: {dist: uniform, low: 0.3, high: 0.1}}\n"
    )
    with pytest.raises(ErrorModelError) as caught:
        load_error_model(str(bad))
    assert len(caught.value.problems) == 2
    assert "court_month_sd" in caught.value.problems[0] and "relay_sd" in caught.value.problems[1]


def test_bundled_declaration_loads():
    priors = load_error_model().priors
    assert set(priors) == {"court_month_sd", "relay_sd"}
    assert all(dist == "uniform" and 0 <= low < high for dist, low, high in priors.values())
