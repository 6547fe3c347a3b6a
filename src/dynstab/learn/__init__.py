"""Learned models of dynamics (DMD/Koopman, SINDy, reservoir computers, PLRNNs, neural ODEs) and the
reconstruction metrics; every fitted model is a dynstab system through ``as_system()``."""

from .base import LearnedModel, NonFiniteLossError, TrainingData, TrainResult, as_training_data, train_epochs

__all__ = ["LearnedModel", "NonFiniteLossError", "TrainingData", "TrainResult", "as_training_data", "train_epochs"]
