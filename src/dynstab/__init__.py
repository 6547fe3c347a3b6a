"""dynstab: stability and chaos of dynamical systems, in JAX float64.

Define or pick a system, simulate it, and measure its stability::

    import dynstab

    lorenz = dynstab.systems.get("lorenz")
    traj = dynstab.trajectory(lorenz, t=100.0)
    spec = dynstab.lyapunov_spectrum(lorenz, t=1000.0)

Importing dynstab is cheap and leaves the user's JAX alone: the subpackages (and JAX with them)
are imported on first use of a name, dynstab's functions compute in float64 inside a
thread-local scope (the user's own JAX code keeps its dtype), and the persistent compilation
cache is off unless `enable_compilation_cache` is called. The one change made at import is
dynstab's small-loop threshold in ``XLA_FLAGS``, added only if JAX's backend has not started
yet (it speeds up loops over small systems several times and never changes a result;
``DYNSTAB_SMALL_LOOP_BYTES=0`` turns it off). See ``dynstab._config``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from . import _config
from ._config import enable_compilation_cache
from ._precision import float64_scope
from ._version import __version__ as __version__

try:
    _config.configure_small_loops()
except _config.ConfigError:
    if not _config.started_as_cli():  # the command reports it as a one-line error
        raise

# public name -> submodule that defines it (imported on first access, PEP 562)
_LAZY = {
    **dict.fromkeys(("System", "Flow", "Map", "SDE", "flow", "map", "sde"), ".systems"),
    **dict.fromkeys(("Trajectory", "TrajectoryDivergedError", "load_trajectory"), ".simulate"),
    "trajectory": ".analysis.sampling",  # simulate.trajectory plus sampling by periods / Lyapunov times
    **dict.fromkeys(
        (
            "fixed_points",
            "FixedPoints",
            "lyapunov_spectrum",
            "LyapunovSpectrum",
            "max_lyapunov",
            "kaplan_yorke_dimension",
        ),
        ".analysis",
    ),
}
_SUBMODULES = ("systems", "simulate", "analysis", "timeseries", "learn", "plotting", "report")

__all__ = [
    "systems",
    "System",
    "Flow",
    "Map",
    "SDE",
    "flow",
    "map",
    "sde",
    "trajectory",
    "Trajectory",
    "TrajectoryDivergedError",
    "load_trajectory",
    "fixed_points",
    "FixedPoints",
    "lyapunov_spectrum",
    "LyapunovSpectrum",
    "max_lyapunov",
    "kaplan_yorke_dimension",
    "enable_compilation_cache",
    "float64_scope",
]

if TYPE_CHECKING:  # what static tools see; at run time these come from __getattr__
    from . import analysis, learn, plotting, report, simulate, systems, timeseries  # noqa: F401
    from .analysis.fixed_points import FixedPoints, fixed_points
    from .analysis.lyapunov import LyapunovSpectrum, kaplan_yorke_dimension, lyapunov_spectrum, max_lyapunov
    from .analysis.sampling import trajectory
    from .simulate import Trajectory, TrajectoryDivergedError, load_trajectory
    from .systems import SDE, Flow, Map, System, flow, map, sde


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__, *_SUBMODULES})
