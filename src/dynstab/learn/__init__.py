"""Learned models of dynamics (DMD/Koopman, SINDy, reservoir computers, PLRNNs, neural ODEs, PhyxMamba) and the
reconstruction metrics; every fitted model is a dynstab system through ``as_system()``.

Names are imported from their modules on first use (`dynstab._lazy`): importing the package
imports none of its modules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import attach

# public name -> the module that defines it
_NAMES = {
    "LearnedModel": ".base",
    "NonFiniteLossError": ".base",
    "TrainingData": ".base",
    "TrainResult": ".base",
    "as_training_data": ".base",
    "train_epochs": ".base",
    "SINDy": ".sindy",
    "EchoStateNetwork": ".reservoir",
    "NGRC": ".reservoir",
    "NeuralODE": ".neural_ode",
    "ShallowPLRNN": ".plrnn",
    "ALRNN": ".alrnn",
    "PhyxMamba": ".mamba",
    "rational_quadratic_mmd": ".mamba",
    "SymbolicDynamics": ".alrnn",
    "DMD": ".dmd",
    "EDMD": ".dmd",
    "HAVOK": ".dmd",
    "HankelDMD": ".dmd",
    "Pseudospectrum": ".dmd",
    "ResDMD": ".dmd",
    "AttractorInvariants": ".metrics",
    "MetricWarning": ".metrics",
    "ReconstructionResult": ".metrics",
    "attractor_invariants_error": ".metrics",
    "evaluate_reconstruction": ".metrics",
    "noise_floor": ".metrics",
    "nrmse": ".metrics",
    "power_spectrum_distance": ".metrics",
    "prediction_error": ".metrics",
    "smape": ".metrics",
    "state_space_divergence": ".metrics",
    "valid_prediction_time": ".metrics",
}
__all__ = list(_NAMES)
__getattr__, __dir__ = attach(__name__, _NAMES)

if TYPE_CHECKING:  # what static tools see; at run time these come from __getattr__
    from .alrnn import ALRNN, SymbolicDynamics
    from .base import LearnedModel, NonFiniteLossError, TrainingData, TrainResult, as_training_data, train_epochs
    from .dmd import DMD, EDMD, HAVOK, HankelDMD, Pseudospectrum, ResDMD
    from .mamba import PhyxMamba, rational_quadratic_mmd
    from .metrics import (
        AttractorInvariants,
        MetricWarning,
        ReconstructionResult,
        attractor_invariants_error,
        evaluate_reconstruction,
        noise_floor,
        nrmse,
        power_spectrum_distance,
        prediction_error,
        smape,
        state_space_divergence,
        valid_prediction_time,
    )
    from .neural_ode import NeuralODE
    from .plrnn import ShallowPLRNN
    from .reservoir import NGRC, EchoStateNetwork
    from .sindy import SINDy
