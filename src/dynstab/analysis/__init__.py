"""Stability analysis of systems: fixed points and their stability, Lyapunov spectra."""

from .fixed_points import FixedPoint, FixedPoints, fixed_points
from .lyapunov import (
    LyapunovSpectrum,
    classify,
    kaplan_yorke_dimension,
    lyapunov_spectrum,
    max_lyapunov,
    max_lyapunov_two_trajectory,
)
from .sampling import sample_initial_conditions, sample_parameters

__all__ = ["fixed_points", "FixedPoint", "FixedPoints", "lyapunov_spectrum", "max_lyapunov",
           "kaplan_yorke_dimension", "LyapunovSpectrum", "classify", "max_lyapunov_two_trajectory",
           "sample_initial_conditions", "sample_parameters"]
