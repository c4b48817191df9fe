"""Evidence: observed figures, the observation error model, inference, validation, nowcast.

observed (the data files) -> error_model + simulator (what a run would show the public)
-> bank (runs from the prior) -> npe (the main path) / calibrate (ABC-SMC, the cross-check)
-> posterior (the file and its schema) -> sbc (validation) -> nowcast (hidden totals at a date).
The priors, the error model and the rules of inference are declared in data/inference/.
"""

from awol.evidence.calibrate import calibrate, write_posterior
from awol.evidence.measure import MeasurementError, measure
from awol.evidence.observed import ObservedDataError, bundled_path, load_observed
from awol.evidence.posterior import PosteriorError, read_posterior
from awol.evidence.priors import CalibrationError

__all__ = ["load_observed", "measure", "calibrate", "write_posterior", "bundled_path", "read_posterior",
           "ObservedDataError", "MeasurementError", "CalibrationError", "PosteriorError"]
