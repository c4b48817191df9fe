"""awol: a simulator and analysis workbench for a military manpower system under coercion.

The pipeline, one way: scenario (declaration) → model (mechanisms M1-M8) →
engines → store → cli. In a notebook:

    import awol
    scenario = awol.load_scenario("baseline")
    daily = awol.simulate(scenario, seed=1, days=365)

The names below are imported when first used (PEP 562), so that `import awol` and
every `awol.<module>` a command needs do not also load pandas and the experiments
layer: importing `awol.cli.run` imports this package first.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_HOMES = {
    "load_scenario": "awol.scenario.load",
    "ScenarioError": "awol.scenario.load",
    "simulate": "awol.engines",
    "ensemble": "awol.experiments.api",
    "sweep": "awol.experiments.api",
    "sensitivity": "awol.experiments.api",
    "compare": "awol.experiments.api",
    "nowcast": "awol.evidence.nowcast",
    "posterior_draws": "awol.evidence.posteriors",
}
__all__ = ["load_scenario", "simulate", "ScenarioError", "__version__", "ensemble", "sweep", "sensitivity", "compare",
           "nowcast", "posterior_draws"]


def __getattr__(name: str):
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'awol' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOMES))
