"""dynstab: stability and chaos of dynamical systems, in JAX float64.

Define or pick a system, simulate it, and measure its stability::

    import dynstab
    lorenz = dynstab.systems.get("lorenz")
    traj = dynstab.trajectory(lorenz, t=100.0)
    spec = dynstab.lyapunov_spectrum(lorenz, t=1000.0)
"""

from ._config import configure as _configure

_configure()

from . import systems  # noqa: E402
from .systems import SDE, Flow, Map, System, flow, map, sde  # noqa: E402

__version__ = "0.1.0"

from .simulate import Trajectory, TrajectoryDivergedError, load_trajectory, trajectory  # noqa: E402
from .analysis import (  # noqa: E402
    FixedPoints,
    LyapunovSpectrum,
    fixed_points,
    kaplan_yorke_dimension,
    lyapunov_spectrum,
    max_lyapunov,
)

__all__ = [
    "systems", "System", "Flow", "Map", "SDE", "flow", "map", "sde",
    "trajectory", "Trajectory", "TrajectoryDivergedError", "load_trajectory",
    "fixed_points", "FixedPoints", "lyapunov_spectrum", "LyapunovSpectrum", "max_lyapunov", "kaplan_yorke_dimension",
]
