"""Diagnostics of sampled series (arrays in, numbers out)."""

from .spectrum import dominant_period

__all__ = ["dominant_period"]
