"""Simulation: the evolution protocol (plans, steppers, loops), trajectories and ensembles."""

from .adaptive import ADAPTIVE_METHODS
from .evolution import Evolution, Plan
from .sde import SDE_METHODS
from .steppers import FIXED_STEP_METHODS
from .trajectory import FLOW_METHODS, Trajectory, TrajectoryDivergedError, load_trajectory, trajectory

__all__ = [
    "trajectory",
    "Trajectory",
    "TrajectoryDivergedError",
    "load_trajectory",
    "Evolution",
    "Plan",
    "FLOW_METHODS",
    "FIXED_STEP_METHODS",
    "ADAPTIVE_METHODS",
    "SDE_METHODS",
]
