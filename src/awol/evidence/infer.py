"""Neural posterior estimation end to end, and its validation (SBC, recovery).

    bank (runs from the declared priors, kept) -> published figures of the fitted rows
    (error model) -> network trained on the first `simulations` runs -> conditioned on
    the observed figures -> posterior draws -> predictive check of every row

The rules (bank size, network, draws, SBC tests, time splits) come from
data/inference/method.yaml. The bank holds `simulations` training runs and, after them,
the SBC data sets, never trained on. A trained network is cached next to the bank, keyed
by everything it depends on, so SBC after a posterior (or a posterior after SBC) does not
train twice.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from awol.engines.rng import child_seed
from awol.evidence.bank import Bank, build_bank
from awol.evidence.calibrate import fitted_rows, method_rules, posterior_document, predictive_check
from awol.evidence.measure import check_covered
from awol.evidence.npe import Estimator, summary
from awol.evidence.posterior import rows_hash
from awol.evidence.predictive import hidden_table, weighted_hidden_table
from awol.evidence.priors import Prior, declared_priors, from_unit
from awol.evidence.sbc import mean_cdf, ranks, verdict
from awol.evidence.simulator import ENGINE, Problem
from awol.progress import Progress
from awol.scenario.schema import Scenario


def _bank(
    scenario: Scenario, priors: list[Prior], total: int, bank_dir, seed: int, workers: int, dask, progress, log
) -> Bank:
    problem = Problem(scenario.raw, tuple(priors), pd.DataFrame(), scenario.simulation.days, seed)
    return build_bank(problem, total, bank_dir, workers=workers, dask=dask, progress=progress, log=log)


def trained(bank: Bank, priors: list[Prior], fitted: pd.DataFrame, n: int, bank_dir, rules: dict, log) -> Estimator:
    """The network trained on runs 0..n-1 for the rows `fitted` (from the cache next to the bank if there)."""
    key = hashlib.sha256(
        json.dumps(
            [
                bank.key,
                rows_hash(fitted),
                n,
                rules["density_estimator"],
                rules["training_seed"],
                rules["validation_fraction"],
            ]
        ).encode()
    ).hexdigest()[:20]
    cache = Path(bank_dir) / f"estimator-{key}.pkl"
    if cache.is_file():
        with open(cache, "rb") as handle:
            return pickle.load(handle)
    log(f"training the posterior network on {n} simulations of {len(fitted)} figures")
    x = summary(bank.published(fitted, priors, slice(0, n)))
    estimator = Estimator(
        bank.unit[:n],
        x,
        seed=rules["training_seed"],
        density_estimator=rules["density_estimator"],
        validation_fraction=rules["validation_fraction"],
    )
    tmp = cache.with_name(f".{cache.name}.tmp")
    with open(tmp, "wb") as handle:
        pickle.dump(estimator, handle)
    tmp.replace(cache)
    return estimator


def importance_weights(estimator: Estimator, unit: np.ndarray, x_o: np.ndarray) -> np.ndarray:
    """Weights of the bank's runs as draws from the posterior: posterior over prior density (the prior is uniform on
    the cube), normalised. They turn the bank's hidden totals at the scenario's end into a nowcast that needs no new
    simulation; its effective number of runs, 1 / sum(w^2), says how many draws it is worth."""
    log_q = estimator.log_prob(unit, x_o)
    w = np.exp(log_q - np.max(log_q))
    return w / w.sum()


def npe_posterior(
    scenario: Scenario,
    observed: pd.DataFrame,
    *,
    bank_dir: str | Path,
    priors: list[Prior] | None = None,
    workers: int = 1,
    dask: str | None = None,
    seed: int | None = None,
    published_by=None,
    simulations: int | None = None,
    draws: int | None = None,
    predictive_draws: int | None = None,
    scenario_file: str | None = None,
    data_files=None,
    log: Callable[[str], None] | None = None,
    progress: Progress | None = None,
    command: list[str] | None = None,
) -> dict:
    """The posterior of the declared priors given the fitted rows of `observed` (published by `published_by`)."""
    rules, all_rules = method_rules()["npe"], method_rules()
    log = log or (lambda message: None)
    n = int(simulations or rules["bank_simulations"])
    draws = int(draws or rules["posterior_draws"])
    predictive_draws = int(all_rules["predictive"]["draws"] if predictive_draws is None else predictive_draws)
    priors = priors or declared_priors(scenario=scenario)
    seed = scenario.simulation.seed if seed is None else int(seed)
    fitted = fitted_rows(observed, published_by)
    check_covered(observed, scenario.simulation.start, scenario.simulation.days)
    started = time.perf_counter()
    bank = _bank(scenario, priors, n, bank_dir, seed, workers, dask, progress, log)
    bank_seconds = time.perf_counter() - started
    estimator = trained(bank, priors, fitted, n, bank_dir, rules, log)
    x_o = summary(fitted["value"].to_numpy())
    unit = estimator.sample(x_o, draws, child_seed(seed, 400_000))
    particles = from_unit(priors, unit)
    weights = np.full(len(particles), 1.0 / len(particles))
    fit_seconds = time.perf_counter() - started - bank_seconds
    predictive, predictive_started = None, time.perf_counter()
    if predictive_draws > 0:
        predictive = predictive_check(
            scenario, priors, observed, particles, weights, predictive_draws, seed, workers, dask, log, published_by
        )
    end = pd.Timestamp(scenario.simulation.start) + pd.Timedelta(days=scenario.simulation.days - 1)
    prior_hidden = hidden_table(bank.hidden[:n], seed)
    bank_weights = importance_weights(estimator, bank.unit[:n], x_o)
    return posterior_document(
        scenario=scenario,
        priors=priors,
        particles=particles,
        weights=weights,
        observed=observed,
        predictive=predictive,
        seed=seed,
        simulations=n,
        predictive_draws=predictive_draws,
        method={
            "algorithm": "neural posterior estimation (sbi)",
            "density_estimator": rules["density_estimator"],
            "training_simulations": n,
            "draws": draws,
            "epochs": estimator.epochs,
            "engine": ENGINE,
            "summary": "log(1 + figure) of every fitted row",
            "bank": str(bank_dir),
            "bank_key": bank.key,
            "published_by": str(pd.Timestamp(published_by).date()) if published_by is not None else None,
            "fitted_rows": int(len(fitted)),
            "rules": rules,
        },
        wall_seconds={
            "bank": round(bank_seconds, 1),
            "training": round(fit_seconds, 1),
            "predictive": round(time.perf_counter() - predictive_started, 1),
            "this_session": round(time.perf_counter() - started, 1),
        },
        scenario_file=scenario_file,
        data_files=data_files,
        workers=workers,
        fitted=fitted,
        command=command,
        extra={
            "bank_nowcast": {
                "until": f"{end:%Y-%m-%d}",
                "runs": n,
                "effective_runs": round(float(1.0 / np.sum(bank_weights**2)), 1),
                "hidden": weighted_hidden_table(bank.hidden[:n], bank_weights, seed).to_dict(orient="records"),
            },
            "prior_predictive": {
                "until": f"{end:%Y-%m-%d}",
                "simulations": n,
                "hidden": prior_hidden.to_dict(orient="records"),
            }
        },
    )


def run_sbc(
    scenario: Scenario,
    observed: pd.DataFrame,
    *,
    bank_dir: str | Path,
    workers: int = 1,
    dask: str | None = None,
    seed: int | None = None,
    simulations: int | None = None,
    datasets: int | None = None,
    published_by=None,
    log: Callable[[str], None] | None = None,
    progress: Progress | None = None,
) -> dict:
    """Simulation-based calibration and recovery of the full problem on the bank's held-out runs."""
    rules, sbc_rules = method_rules()["npe"], method_rules()["sbc"]
    log = log or (lambda message: None)
    n = int(simulations or rules["bank_simulations"])
    m = int(datasets or sbc_rules["datasets"])
    priors = declared_priors(scenario=scenario)
    seed = scenario.simulation.seed if seed is None else int(seed)
    fitted = fitted_rows(observed, published_by)
    started = time.perf_counter()
    bank = _bank(scenario, priors, n + m, bank_dir, seed, workers, dask, progress, log)
    estimator = trained(bank, priors, fitted, n, bank_dir, rules, log)
    held = np.arange(n, n + m)
    x = summary(bank.published(fitted, priors, held))
    L = int(sbc_rules["draws_per_dataset"])
    draws = np.stack([estimator.sample(x[k], L, child_seed(seed, 500_000 + int(i))) for k, i in enumerate(held)])
    truth = bank.unit[held]
    r = ranks(truth, draws)
    result = verdict(
        r,
        L,
        int(sbc_rules["bins"]),
        float(sbc_rules["p_min"]),
        sbc_rules["coverage_levels"],
        float(sbc_rules["coverage_tolerance"]),
    )
    cdf, cdf_se = mean_cdf(r, L)
    medians = from_unit(priors, np.median(draws, axis=1))
    widths = np.quantile(draws, 0.95, axis=1) - np.quantile(draws, 0.05, axis=1)  # unit-cube widths: prior's is 0.9
    true_values = bank.values[held]
    levels = np.linspace(0.05, 0.95, 19)
    from awol.evidence.sbc import coverage, rank_histogram

    return {
        "format": "awol-sbc/1",
        "scenario": scenario.name,
        "scenario_hash": scenario.hash,
        "datasets": m,
        "draws_per_dataset": L,
        "training_simulations": n,
        "bank_key": bank.key,
        "fitted_rows": int(len(fitted)),
        "seconds": round(time.perf_counter() - started, 1),
        "passed": result["passed"],
        "parameters": [
            {
                "name": p.name,
                "path": p.path,
                "kind": p.kind,
                "chi2_p": float(result["p"][j]),
                "coverage50": float(result["coverage"][0, j]),
                "coverage90": float(result["coverage"][1, j]),
                "passed": bool(result["p_ok"][j] and result["coverage_ok"][:, j].all()),
                "mean_cdf_of_truth": float(cdf[j]),
                "mean_cdf_se": float(cdf_se[j]),
                "recovery_correlation": float(np.corrcoef(true_values[:, j], medians[:, j])[0, 1]),
                "width_ratio": float(np.mean(widths[:, j]) / 0.9),
                "histogram": rank_histogram(r, L, int(sbc_rules["bins"]))[:, j].tolist(),
            }
            for j, p in enumerate(priors)
        ],
        "coverage_curve": {"levels": levels.tolist(), "empirical": coverage(r, L, levels).tolist()},
    }
