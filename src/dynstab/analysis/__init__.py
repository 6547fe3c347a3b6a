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

__all__ = [
    "fixed_points",
    "FixedPoint",
    "FixedPoints",
    "lyapunov_spectrum",
    "max_lyapunov",
    "kaplan_yorke_dimension",
    "LyapunovSpectrum",
    "classify",
    "max_lyapunov_two_trajectory",
    "sample_initial_conditions",
    "sample_parameters",
]
from .chaos_indicators import (
    AlignmentIndex,
    LocalLyapunov,
    finite_time_lyapunov,
    gali,
    local_lyapunov_exponents,
    sali,
    zero_one_test_system,
)
from .synchronization import (
    KuramotoRun,
    MasterStability,
    SyncVerdict,
    kuramoto_model,
    kuramoto_order_parameter,
    master_stability_function,
    simulate_kuramoto,
    synchronization_stable,
)

__all__ += [
    "AlignmentIndex",
    "LocalLyapunov",
    "finite_time_lyapunov",
    "gali",
    "sali",
    "local_lyapunov_exponents",
    "zero_one_test_system",
    "MasterStability",
    "SyncVerdict",
    "master_stability_function",
    "synchronization_stable",
    "KuramotoRun",
    "kuramoto_model",
    "kuramoto_order_parameter",
    "simulate_kuramoto",
]
from .periodic_orbits import (
    FlowPeriodicOrbit,
    PeriodicOrbit,
    PeriodicOrbitError,
    PeriodicOrbits,
    periodic_orbit_of_flow,
    periodic_orbits,
)

__all__ += [
    "periodic_orbits",
    "PeriodicOrbit",
    "PeriodicOrbits",
    "periodic_orbit_of_flow",
    "FlowPeriodicOrbit",
    "PeriodicOrbitError",
]
from .basins import DIVERGED, UNDETERMINED, Basins, basin_entropy, basins_of_attraction, uncertainty_exponent
from .orbit_diagram import (
    OrbitDiagram,
    OrbitDivergedWarning,
    PeriodChange,
    detect_periods,
    orbit_diagram,
    period_changes,
    period_doubling_points,
)
from .region_of_attraction import RegionOfAttraction, region_of_attraction

__all__ += [
    "orbit_diagram",
    "OrbitDiagram",
    "OrbitDivergedWarning",
    "detect_periods",
    "period_changes",
    "period_doubling_points",
    "PeriodChange",
    "basins_of_attraction",
    "Basins",
    "basin_entropy",
    "uncertainty_exponent",
    "DIVERGED",
    "UNDETERMINED",
    "region_of_attraction",
    "RegionOfAttraction",
]
