"""Evidence: observed figures, their simulated counterparts (M8), calibration, nowcast.

observed (the data files) → measure (a run's value of each figure) → calibrate
(ABC-SMC over declared ranges, posterior JSON) → nowcast (hidden totals at a date).
"""

from awol.evidence.calibrate import calibrate, write_posterior
from awol.evidence.measure import MeasurementError, measure
from awol.evidence.observed import ObservedDataError, bundled_path, load_observed
from awol.evidence.priors import CalibrationError

__all__ = ["load_observed", "measure", "calibrate", "write_posterior", "bundled_path",
           "ObservedDataError", "MeasurementError", "CalibrationError"]
