"""awol: a simulator and analysis workbench for a military manpower system under coercion.

The pipeline, one way: scenario (declaration) → model (mechanisms M1-M8) →
engines → store → cli. In a notebook:

    import awol
    scenario = awol.load_scenario("baseline")
    daily = awol.simulate(scenario, seed=1, days=365)
"""

from awol.engines import simulate
from awol.scenario.load import ScenarioError, load_scenario
from awol.experiments.api import compare, ensemble, sensitivity, sweep

__version__ = "0.1.0"
__all__ = ["load_scenario", "simulate", "ScenarioError", "__version__", "ensemble", "sweep", "sensitivity", "compare"]
