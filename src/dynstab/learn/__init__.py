"""Learned models of dynamics (DMD/Koopman, SINDy, reservoir computers, PLRNNs, neural ODEs) and the
reconstruction metrics; every fitted model is a dynstab system through ``as_system()``."""

from .alrnn import ALRNN, SymbolicDynamics
from .base import LearnedModel, NonFiniteLossError, TrainingData, TrainResult, as_training_data, train_epochs
from .dmd import DMD, EDMD, HAVOK, HankelDMD, Pseudospectrum, ResDMD
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

__all__ = [
    "LearnedModel",
    "NonFiniteLossError",
    "TrainingData",
    "TrainResult",
    "as_training_data",
    "train_epochs",
    "SINDy",
    "EchoStateNetwork",
    "NGRC",
    "NeuralODE",
    "ShallowPLRNN",
    "ALRNN",
    "SymbolicDynamics",
    "DMD",
    "EDMD",
    "HAVOK",
    "HankelDMD",
    "Pseudospectrum",
    "ResDMD",
    "AttractorInvariants",
    "MetricWarning",
    "ReconstructionResult",
    "attractor_invariants_error",
    "evaluate_reconstruction",
    "noise_floor",
    "nrmse",
    "power_spectrum_distance",
    "prediction_error",
    "smape",
    "state_space_divergence",
    "valid_prediction_time",
]
