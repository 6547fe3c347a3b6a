"""Stability analysis of systems: fixed points and their stability, Lyapunov spectra.

Names are imported from their modules on first use (`dynstab._lazy`): importing the package
imports none of its modules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import attach

# public name -> the module that defines it
_NAMES = {
    "fixed_points": ".fixed_points",
    "FixedPoint": ".fixed_points",
    "FixedPoints": ".fixed_points",
    "lyapunov_spectrum": ".lyapunov",
    "max_lyapunov": ".lyapunov",
    "kaplan_yorke_dimension": ".lyapunov",
    "LyapunovSpectrum": ".lyapunov",
    "classify": ".lyapunov",
    "max_lyapunov_two_trajectory": ".lyapunov",
    "sample_initial_conditions": ".sampling",
    "sample_parameters": ".sampling",
    "AlignmentIndex": ".chaos_indicators",
    "LocalLyapunov": ".chaos_indicators",
    "finite_time_lyapunov": ".chaos_indicators",
    "gali": ".chaos_indicators",
    "sali": ".chaos_indicators",
    "local_lyapunov_exponents": ".chaos_indicators",
    "zero_one_test_system": ".chaos_indicators",
    "MasterStability": ".synchronization",
    "SyncVerdict": ".synchronization",
    "master_stability_function": ".synchronization",
    "synchronization_stable": ".synchronization",
    "KuramotoRun": ".synchronization",
    "kuramoto_model": ".synchronization",
    "kuramoto_order_parameter": ".synchronization",
    "simulate_kuramoto": ".synchronization",
    "periodic_orbits": ".periodic_orbits",
    "PeriodicOrbit": ".periodic_orbits",
    "PeriodicOrbits": ".periodic_orbits",
    "periodic_orbit_of_flow": ".periodic_orbits",
    "FlowPeriodicOrbit": ".periodic_orbits",
    "PeriodicOrbitError": ".periodic_orbits",
    "orbit_diagram": ".orbit_diagram",
    "OrbitDiagram": ".orbit_diagram",
    "OrbitDivergedWarning": ".orbit_diagram",
    "detect_periods": ".orbit_diagram",
    "period_changes": ".orbit_diagram",
    "period_doubling_points": ".orbit_diagram",
    "PeriodChange": ".orbit_diagram",
    "basins_of_attraction": ".basins",
    "Basins": ".basins",
    "basin_entropy": ".basins",
    "uncertainty_exponent": ".basins",
    "DIVERGED": ".basins",
    "UNDETERMINED": ".basins",
    "region_of_attraction": ".region_of_attraction",
    "RegionOfAttraction": ".region_of_attraction",
}
__all__ = list(_NAMES)
__getattr__, __dir__ = attach(__name__, _NAMES)

if TYPE_CHECKING:  # what static tools see; at run time these come from __getattr__
    from .basins import DIVERGED, UNDETERMINED, Basins, basin_entropy, basins_of_attraction, uncertainty_exponent
    from .chaos_indicators import (
        AlignmentIndex,
        LocalLyapunov,
        finite_time_lyapunov,
        gali,
        local_lyapunov_exponents,
        sali,
        zero_one_test_system,
    )
    from .fixed_points import FixedPoint, FixedPoints, fixed_points
    from .lyapunov import (
        LyapunovSpectrum,
        classify,
        kaplan_yorke_dimension,
        lyapunov_spectrum,
        max_lyapunov,
        max_lyapunov_two_trajectory,
    )
    from .orbit_diagram import (
        OrbitDiagram,
        OrbitDivergedWarning,
        PeriodChange,
        detect_periods,
        orbit_diagram,
        period_changes,
        period_doubling_points,
    )
    from .periodic_orbits import (
        FlowPeriodicOrbit,
        PeriodicOrbit,
        PeriodicOrbitError,
        PeriodicOrbits,
        periodic_orbit_of_flow,
        periodic_orbits,
    )
    from .region_of_attraction import RegionOfAttraction, region_of_attraction
    from .sampling import sample_initial_conditions, sample_parameters
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
