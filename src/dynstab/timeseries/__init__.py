"""Diagnostics of sampled series (arrays in, numbers out): spectra, entropies, surrogates, embedding."""

from .dimension import correlation_dimension, correlation_sum, takens_dimension
from .embedding import (
    autocorrelation,
    cao,
    choose_embedding,
    delay_mutual_information,
    embed,
    estimate_delay,
    estimate_dimension,
    false_nearest_neighbors,
)
from .entropy import (
    approximate_entropy,
    jensen_shannon_divergence,
    multiscale_entropy,
    permutation_entropy,
    reasoning_instability,
    renyi_entropy,
    sample_entropy,
    shannon_entropy,
    spectral_entropy,
    tsallis_entropy,
)
from .lyapunov import divergence_curve, lyapunov_from_data
from .neighbors import theiler_neighbors
from .spectrum import dominant_period
from .surrogates import nonlinear_prediction_error, surrogate_test, surrogates, time_reversal_asymmetry

__all__ = [
    "dominant_period",
    "embed",
    "delay_mutual_information",
    "autocorrelation",
    "estimate_delay",
    "false_nearest_neighbors",
    "cao",
    "estimate_dimension",
    "choose_embedding",
    "theiler_neighbors",
    "divergence_curve",
    "lyapunov_from_data",
    "correlation_sum",
    "correlation_dimension",
    "takens_dimension",
    "shannon_entropy",
    "renyi_entropy",
    "tsallis_entropy",
    "permutation_entropy",
    "sample_entropy",
    "approximate_entropy",
    "multiscale_entropy",
    "spectral_entropy",
    "jensen_shannon_divergence",
    "reasoning_instability",
    "surrogates",
    "surrogate_test",
    "time_reversal_asymmetry",
    "nonlinear_prediction_error",
]
from .recurrence import (
    RecurrenceMatrix,
    RecurrenceNetwork,
    cross_recurrence_matrix,
    joint_recurrence_matrix,
    recurrence_matrix,
    recurrence_network,
    recurrence_threshold,
)
from .rqa import RQA, WindowedRQA, cross_rqa, joint_rqa, rqa, windowed_rqa

__all__ += [
    "RecurrenceMatrix",
    "RecurrenceNetwork",
    "recurrence_matrix",
    "cross_recurrence_matrix",
    "joint_recurrence_matrix",
    "recurrence_network",
    "recurrence_threshold",
    "RQA",
    "WindowedRQA",
    "rqa",
    "cross_rqa",
    "joint_rqa",
    "windowed_rqa",
]
from .zero_one import ZeroOneResult, auto_subsample, zero_one_test

__all__ += ["zero_one_test", "ZeroOneResult", "auto_subsample"]
