"""Risk-tolerance levels: the cohort engine's bins and the expected course's quadrature nodes.

M3's personal factor exp(β_tol (τ − ½)) is continuous in the agent engine. The cohort
engine groups τ into equal-probability bins (`cohorts.risk_bins`, its one
approximation), each carrying the conditional mean of the factor, so the mean hazard of
a recruit is the continuous model's; the expected course integrates over τ exactly by
Gauss–Jacobi quadrature.
"""

from __future__ import annotations

import numpy as np

from awol.model.states import CHANNELS
from awol.scenario.schema import Scenario


def _beta_params(mean: float, sd: float) -> tuple[float, float]:
    nu = mean * (1 - mean) / sd**2 - 1
    return mean * nu, (1 - mean) * nu


def binned_levels(scenario: Scenario, bins: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Personal hazard factors and probabilities [channel, level] for the cohort engine.

    Bins are equal-probability quantile bins of the channel's Beta risk tolerance;
    each carries E[exp(β_tol (τ − ½)) | τ in bin], by 32-point Gauss–Legendre in
    probability space (τ = Q(p), Q the Beta quantile), so the mean factor, hence the
    mean hazard of a recruit, is that of the continuous model.
    """
    from scipy.special import betaincinv

    bins = bins or scenario.cohorts.risk_bins
    weight = scenario.desertion.risk_tolerance_weight
    factors = np.ones((3, bins))
    probs = np.zeros((3, bins))
    x, w = np.polynomial.legendre.leggauss(32)
    for c, name in enumerate(CHANNELS):
        rt = getattr(scenario.channels, name).risk_tolerance
        if rt.sd == 0:
            factors[c, 0] = np.exp(weight * (rt.mean - 0.5))
            probs[c, 0] = 1.0
            continue
        a, b = _beta_params(rt.mean, rt.sd)
        for k in range(bins):
            p = (k + (x + 1) / 2) / bins
            tau = betaincinv(a, b, p)
            factors[c, k] = np.sum(w / 2 * np.exp(weight * (tau - 0.5)))
            probs[c, k] = 1.0 / bins
    return factors, probs


def quadrature_levels(scenario: Scenario, nodes: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """Gauss–Jacobi nodes and weights [channel, level] for the exact expectation.

    With τ ~ Beta(a, b), x = 2τ − 1 has weight (1 − x)^(b−1) (1 + x)^(a−1), so the
    Gauss–Jacobi rule with α = b − 1, β = a − 1 integrates E[g(τ)] exactly for
    polynomials g of degree < 2·nodes, and to machine precision for the smooth
    (entire) functions of τ that the expected counts are.
    """
    from scipy.special import roots_jacobi

    weight = scenario.desertion.risk_tolerance_weight
    factors = np.ones((3, nodes))
    probs = np.zeros((3, nodes))
    for c, name in enumerate(CHANNELS):
        rt = getattr(scenario.channels, name).risk_tolerance
        if rt.sd == 0:
            factors[c, 0] = np.exp(weight * (rt.mean - 0.5))
            probs[c, 0] = 1.0
            continue
        a, b = _beta_params(rt.mean, rt.sd)
        x, w = roots_jacobi(nodes, b - 1, a - 1)
        tau = (x + 1) / 2
        factors[c] = np.exp(weight * (tau - 0.5))
        probs[c] = w / w.sum()
    return factors, probs
