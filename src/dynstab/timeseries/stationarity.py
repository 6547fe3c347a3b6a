"""Is a measured series stationary? The first question of every data report.

Every measure of `dynstab.timeseries.report` (delay, dimension, exponent, surrogates) assumes a
stationary series. A random walk or a trend has a slowly decaying autocorrelation, an "optimal"
delay at the largest lag tried, a dimension that grows with the embedding and recurrence plots
with drifting texture, so its dynamical verdict is meaningless (Kantz & Schreiber, *Nonlinear
Time Series Analysis*, 2nd ed. (2004), sec. 2.4; Schreiber, Phys. Rev. Lett. 78, 843 (1997)).

`stationarity_test` combines two unit-root/stationarity tests with opposite null hypotheses
and the drift between the two halves of the record:

* ADF (augmented Dickey-Fuller; Said & Dickey, Biometrika 71, 599 (1984)): null hypothesis "a
  unit root" (a random walk); rejected (p <= alpha) for a stationary series.
* KPSS (Kwiatkowski, Phillips, Schmidt & Shin, J. Econometrics 54, 159 (1992)): null
  hypothesis "stationary around a constant level"; rejected (p <= alpha) for a random walk or
  a trend.
* Drift between the halves: ``d_mean = |mean_1 - mean_2| / sqrt((var_1 + var_2) / 2)`` and
  ``r_var = max(var_1, var_2) / min(var_1, var_2)``.

The series is called non-stationary when KPSS rejects stationarity and either ADF does not
reject the unit root or the halves drift apart (``d_mean > drift_tol`` or ``r_var >
variance_tol``). Requiring KPSS's rejection keeps bounded chaotic or oscillating series, whose
halves differ by chance over a few slow excursions, from being called non-stationary by the
drift alone; requiring ADF's failure or a drift keeps KPSS's known over-rejection for strongly
autocorrelated but stationary data (oversampled flows) from deciding alone.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

from ..validation import as_float, as_int, as_series

__all__ = ["StationarityResult", "stationarity_test"]


@dataclass(frozen=True)
class StationarityResult:
    """Outcome of `stationarity_test`.

    Parameters
    ----------
    stationary : bool
        False when the rule of `stationarity_test` calls the series non-stationary.
    adf_p : float
        p-value of the augmented Dickey-Fuller test (null: unit root).
    kpss_p : float
        p-value of the KPSS test (null: level-stationary); statsmodels interpolates it in
        its table and clips it to [0.01, 0.1].
    mean_drift : float
        ``|mean_1 - mean_2| / sqrt((var_1 + var_2) / 2)`` between the two halves.
    variance_ratio : float
        ``max(var_1, var_2) / min(var_1, var_2)`` between the two halves.
    step : int
        Every ``step``-th sample entered the ADF and KPSS tests.
    reasons : tuple of str
        Why the series was called non-stationary (empty when stationary).
    """

    stationary: bool
    adf_p: float
    kpss_p: float
    mean_drift: float
    variance_ratio: float
    step: int
    reasons: tuple[str, ...] = ()

    @property
    def message(self) -> str:
        """One line: the decision and the numbers behind it.

        Returns
        -------
        str
            The summary.
        """
        nums = (
            f"ADF p = {self.adf_p:.2g} (null: unit root), KPSS p = {self.kpss_p:.2g} (null: stationary), "
            f"mean drift between halves {self.mean_drift:.2f} sd, variance ratio {self.variance_ratio:.2f}"
        )
        if self.stationary:
            return f"stationary ({nums})"
        return f"non-stationary: {'; '.join(self.reasons)} ({nums})"


def _p_value(res) -> float:
    """The p-value of a statsmodels test result: a tuple (statistic, p, ...) or an object with ``pvalue``."""
    return float(res.pvalue) if hasattr(res, "pvalue") else float(res[1])


def _halves(a: np.ndarray) -> tuple[float, float]:
    h = a.size // 2
    m1, m2 = float(a[:h].mean()), float(a[h:].mean())
    v1, v2 = float(a[:h].var()), float(a[h:].var())
    pooled = math.sqrt(max((v1 + v2) / 2.0, 1e-300))
    d_mean = abs(m1 - m2) / pooled
    r_var = max(v1, v2) / max(min(v1, v2), 1e-300)
    return d_mean, r_var


def stationarity_test(
    x,
    *,
    alpha: float = 0.05,
    drift_tol: float = 1.0,
    variance_tol: float = 4.0,
    max_points: int = 2000,
    max_lag: int = 12,
) -> StationarityResult:
    """ADF and KPSS tests plus the drift between halves (rule in the module docstring).

    The ADF regression has a constant and up to ``max_lag`` lagged differences, the number
    chosen by AIC (statsmodels ``adfuller(autolag="AIC")``); KPSS tests level stationarity with
    the data-dependent bandwidth of Hobijn et al. (statsmodels ``kpss(nlags="auto")``). Both
    run on every ``step``-th sample, ``step = ceil(N / max_points)`` (a unit root or a trend
    survives thinning, and the cost stays below a second); the drift between halves uses all
    samples.

    Parameters
    ----------
    x : array_like, shape (N,)
        Scalar series, finite, not constant, N >= 40.
    alpha : float, default 0.05
        Level of both tests, in (0, 1).
    drift_tol : float, default 1.0
        Largest mean drift between halves, in pooled standard deviations, for a stationary series.
    variance_tol : float, default 4.0
        Largest variance ratio between halves for a stationary series, > 1.
    max_points : int, default 2000
        Samples entering the ADF and KPSS tests (the series is thinned above it), >= 40.
    max_lag : int, default 12
        Largest number of lagged differences in the ADF regression, >= 1.

    Returns
    -------
    StationarityResult
        The decision, the p-values, the drifts and the reasons.

    References
    ----------
    Said & Dickey, Biometrika 71, 599 (1984); Kwiatkowski, Phillips, Schmidt & Shin,
    J. Econometrics 54, 159 (1992); Kantz & Schreiber, *Nonlinear Time Series Analysis*, 2nd ed.
    (2004), sec. 2.4.
    """
    from statsmodels.tools.sm_exceptions import InterpolationWarning, SingularMatrixWarning
    from statsmodels.tsa.stattools import adfuller, kpss

    a = as_series(x, name="the series", min_length=40, allow_constant=False)
    alpha = as_float(alpha, name="alpha", minimum=0.0, maximum=1.0, inclusive="neither")
    drift_tol = as_float(drift_tol, name="drift_tol", minimum=0.0)
    variance_tol = as_float(variance_tol, name="variance_tol", minimum=1.0)
    max_points = as_int(max_points, name="max_points", minimum=40)
    max_lag = as_int(max_lag, name="max_lag", minimum=1)
    step = max(1, math.ceil(a.size / max_points))
    s = a[::step]
    lag = min(max_lag, s.size // 4)
    with warnings.catch_warnings():
        # a p outside KPSS's table is clipped, as documented; an exactly periodic series makes some
        # ADF regressions rank-deficient, which only costs those lags in the AIC choice
        warnings.simplefilter("ignore", InterpolationWarning)
        warnings.simplefilter("ignore", SingularMatrixWarning)
        warnings.simplefilter("ignore", FutureWarning)  # statsmodels >= 0.15: tuple or result object, both read below
        adf_p = _p_value(adfuller(s, maxlag=lag, regression="c", autolag="AIC"))
        kpss_p = _p_value(kpss(s, regression="c", nlags="auto"))
    d_mean, r_var = _halves(a)
    reasons: list[str] = []
    if kpss_p <= alpha:
        if adf_p > alpha:
            reasons.append(f"a unit root is not rejected (ADF p = {adf_p:.2g}) and KPSS rejects stationarity")
        if d_mean > drift_tol:
            reasons.append(f"the mean drifts by {d_mean:.2f} standard deviations between the halves")
        if r_var > variance_tol:
            reasons.append(f"the variance changes {r_var:.1f}-fold between the halves")
    return StationarityResult(
        stationary=not reasons,
        adf_p=adf_p,
        kpss_p=kpss_p,
        mean_drift=d_mean,
        variance_ratio=r_var,
        step=step,
        reasons=tuple(reasons),
    )
