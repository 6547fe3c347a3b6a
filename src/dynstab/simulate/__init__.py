"""Simulation: fixed-step and adaptive integrators, SDE schemes, ensembles."""

from .adaptive import ADAPTIVE_METHODS
from .sde import SDE_METHODS
from .steppers import FIXED_STEP_METHODS
from .trajectory import (
    FLOW_METHODS,
    Trajectory,
    TrajectoryDivergedError,
    characteristic_times,
    load_trajectory,
    trajectory,
)

__all__ = ["trajectory", "characteristic_times", "Trajectory", "TrajectoryDivergedError", "load_trajectory",
           "FLOW_METHODS", "FIXED_STEP_METHODS", "ADAPTIVE_METHODS", "SDE_METHODS"]
