"""Diagnostics of sampled series (arrays in, numbers out): spectra, entropies, surrogates, embedding.

Names are imported from their modules on first use (`dynstab._lazy`): importing the package
imports none of its modules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import attach

# public name -> the module that defines it
_NAMES = {
    "dominant_period": ".spectrum",
    "embed": ".embedding",
    "delay_mutual_information": ".embedding",
    "autocorrelation": ".embedding",
    "estimate_delay": ".embedding",
    "false_nearest_neighbors": ".embedding",
    "cao": ".embedding",
    "estimate_dimension": ".embedding",
    "choose_embedding": ".embedding",
    "theiler_neighbors": ".neighbors",
    "divergence_curve": ".lyapunov",
    "lyapunov_from_data": ".lyapunov",
    "correlation_sum": ".dimension",
    "correlation_dimension": ".dimension",
    "takens_dimension": ".dimension",
    "shannon_entropy": ".entropy",
    "renyi_entropy": ".entropy",
    "tsallis_entropy": ".entropy",
    "permutation_entropy": ".entropy",
    "sample_entropy": ".entropy",
    "approximate_entropy": ".entropy",
    "multiscale_entropy": ".entropy",
    "spectral_entropy": ".entropy",
    "jensen_shannon_divergence": ".entropy",
    "reasoning_instability": ".entropy",
    "surrogates": ".surrogates",
    "surrogate_test": ".surrogates",
    "time_reversal_asymmetry": ".surrogates",
    "nonlinear_prediction_error": ".surrogates",
    "RecurrenceMatrix": ".recurrence",
    "RecurrenceNetwork": ".recurrence",
    "recurrence_matrix": ".recurrence",
    "cross_recurrence_matrix": ".recurrence",
    "joint_recurrence_matrix": ".recurrence",
    "recurrence_network": ".recurrence",
    "recurrence_threshold": ".recurrence",
    "RQA": ".rqa",
    "WindowedRQA": ".rqa",
    "rqa": ".rqa",
    "cross_rqa": ".rqa",
    "joint_rqa": ".rqa",
    "windowed_rqa": ".rqa",
    "zero_one_test": ".zero_one",
    "ZeroOneResult": ".zero_one",
    "auto_subsample": ".zero_one",
}
__all__ = list(_NAMES)
__getattr__, __dir__ = attach(__name__, _NAMES)

if TYPE_CHECKING:  # what static tools see; at run time these come from __getattr__
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
    from .spectrum import dominant_period
    from .surrogates import nonlinear_prediction_error, surrogate_test, surrogates, time_reversal_asymmetry
    from .zero_one import ZeroOneResult, auto_subsample, zero_one_test
