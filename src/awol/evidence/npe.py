"""Neural posterior estimation (sbi, CPU torch): the main inference path.

A conditional density estimator (a neural spline flow) learns p(parameters | figures)
from the simulation bank; conditioning it on the observed figures gives the posterior in
seconds, and on a simulated data set gives that data set's posterior (SBC, the time
splits). The network sees log(1 + figure) of every fitted row and the parameters on the
unit cube, under a uniform prior there (evidence.priors maps the cube to values).

Reproducible: torch is seeded and held to one thread here, whatever the number of
simulation workers, so the same bank and seed give the same network and draws.
Needs the `inference` extra (pip install -e '.[inference]').
"""

from __future__ import annotations

import numpy as np

from awol.evidence.priors import CalibrationError

EXTRA = "the `inference` extra (torch CPU and sbi): pip install -e '.[inference]' (make posterior does it)"


def summary(published: np.ndarray) -> np.ndarray:
    """What the network sees: log(1 + figure)."""
    return np.log1p(np.maximum(np.asarray(published, dtype=float), 0.0))


def _torch():
    try:
        import sbi  # noqa: F401
        import torch
    except ImportError:
        raise CalibrationError([f"neural posterior estimation needs {EXTRA}"]) from None
    torch.set_num_threads(1)
    import warnings

    warnings.filterwarnings("ignore", message=".*triangular_solve is deprecated.*")  # inside nflows, harmless
    return torch


class _NoTracking:
    """sbi's experiment tracker, silenced: by default sbi writes TensorBoard logs into ./sbi-logs of the caller."""

    log_dir = None

    def log_metric(self, name, value, step=None):
        """Drop a metric."""

    def log_metrics(self, metrics, step=None):
        """Drop metrics."""

    def log_params(self, params):
        """Drop parameters."""

    def add_figure(self, name, figure, step=None):
        """Drop a figure."""

    def flush(self):
        """Nothing to flush."""


class Estimator:
    """A trained posterior estimator over the unit cube of `dims` parameters."""

    def __init__(
        self,
        unit: np.ndarray,
        x: np.ndarray,
        *,
        seed: int,
        density_estimator: str = "nsf",
        validation_fraction: float = 0.1,
    ):
        torch = _torch()
        from sbi.inference import NPE
        from sbi.utils import BoxUniform

        unit, x = np.asarray(unit, dtype=np.float32), np.asarray(x, dtype=np.float32)
        if not np.isfinite(x).all() or not np.isfinite(unit).all():
            raise CalibrationError(["simulated figures hold NaN or infinite values: check the scenario and bank"])
        dims = unit.shape[1]
        torch.manual_seed(int(seed))
        self.prior = BoxUniform(low=torch.zeros(dims), high=torch.ones(dims))
        inference = NPE(prior=self.prior, density_estimator=density_estimator, show_progress_bars=False,
                        tracker=_NoTracking())
        inference.append_simulations(torch.from_numpy(unit), torch.from_numpy(x))
        inference.train(validation_fraction=validation_fraction, show_train_summary=False)
        epochs = inference.summary.get("epochs_trained")
        self.epochs = int(epochs[-1]) if epochs else None
        self.posterior = inference.build_posterior()
        self.dims = dims

    def sample(self, x_o: np.ndarray, n: int, seed: int) -> np.ndarray:
        """`n` unit-cube draws from the posterior given one data set `x_o` (its summary)."""
        torch = _torch()
        torch.manual_seed(int(seed))
        x = torch.as_tensor(np.asarray(x_o, dtype=np.float32)).reshape(1, -1)
        draws = self.posterior.sample((int(n),), x=x, show_progress_bars=False)
        return draws.detach().cpu().numpy().astype(float)

    def log_prob(self, unit: np.ndarray, x_o: np.ndarray) -> np.ndarray:
        """Log posterior density of unit-cube points given one data set (unnormalised for leakage: weights only)."""
        torch = _torch()
        theta = torch.as_tensor(np.asarray(unit, dtype=np.float32))
        x = torch.as_tensor(np.asarray(x_o, dtype=np.float32)).reshape(1, -1)
        with torch.no_grad():
            out = self.posterior.log_prob(theta, x=x, norm_posterior=False)
        return out.detach().cpu().numpy().astype(float)
