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
