"""Stability analysis of systems: fixed points and their stability, Lyapunov spectra."""

from .fixed_points import FixedPoint, FixedPoints, fixed_points
from .lyapunov import LyapunovSpectrum, classify, kaplan_yorke_dimension, lyapunov_spectrum, max_lyapunov

__all__ = ["fixed_points", "FixedPoint", "FixedPoints", "lyapunov_spectrum", "max_lyapunov",
           "kaplan_yorke_dimension", "LyapunovSpectrum", "classify"]
