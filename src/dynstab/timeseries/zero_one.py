"""The 0-1 test for chaos of a scalar time series (Gottwald & Melbourne).

G. A. Gottwald and I. Melbourne, A new test for chaos in deterministic systems, Proc. R. Soc.
Lond. A 460, 603 (2004) and Phys. Rev. Lett. 92, 094101 (2004); On the implementation of the
0-1 test for chaos, SIAM J. Appl. Dyn. Syst. 8, 129 (2009) (the modified mean-square
displacement and the correlation method used here).

For an observable phi(j), j = 1..N, and a frequency c in (0, pi), the translation variables

    p_c(n) = sum_{j=1}^{n} phi(j) cos(j c),     q_c(n) = sum_{j=1}^{n} phi(j) sin(j c)

perform a bounded motion for regular dynamics and a diffusive (Brownian-like) motion for
chaotic dynamics. Their mean-square displacement, for n <= n_cut = N / 10,

    M_c(n) = 1/(N - n) sum_{j=1}^{N-n} [p_c(j+n) - p_c(j)]^2 + [q_c(j+n) - q_c(j)]^2,

minus the oscillating term V_osc(c, n) = (E phi)^2 (1 - cos(n c)) / (1 - cos c) gives the
modified mean-square displacement D_c(n) = M_c(n) - V_osc(c, n), which grows linearly in n
for chaos and stays bounded for regular motion. The growth rate K_c is measured either by
the correlation method (default; GM 2009, Sec. 3.3), K_c = corr(xi, Delta) with xi = (1..n_cut)
and Delta = (D_c(1)..D_c(n_cut)), or by the regression method (GM 2009, Sec. 3.2), the slope of
log D~_c(n) against log n with D~_c = D_c - min_n D_c. K = median of K_c over n_c = 100 values
of c drawn uniformly from (pi/5, 4 pi/5) (seeded; the median discards the isolated resonant c).
K is near 1 for chaos and near 0 for regular (periodic or quasi-periodic) dynamics.

Oversampling. The test assumes that successive samples are not strongly correlated: for
densely sampled flow data phi(j) changes little between samples, the translation variables
look like the integral of a smooth curve and K is pushed towards 0 for chaotic data (GM 2009,
Sec. 5.2). ``subsample="auto"`` keeps every k-th point with k the first local minimum of the
autocorrelation (about half the mean period of an oscillation: one point per local swing),
falling back to the first minimum of the auto-mutual information (Fraser & Swinney 1986), when
the series is oversampled (lag-1 autocorrelation above 0.9); a pass of ``subsample=k`` sets it
directly.

Discrimination. Stochastic input gives K near 1 just as chaos does: the test does not separate
noise from chaos (GM 2009, Sec. 6). With ``n_surrogates > 0`` the test is repeated on IAAFT
surrogates of the subsampled series (`dynstab.timeseries.surrogates.iaaft_surrogates`: linear
Gaussian noise with the same spectrum and values); ``ZeroOneResult.discriminates`` is False
when their median K lies within `DISCRIMINATION` of the data's K, and then K says nothing about
this series (the data report leaves it out of its verdict).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..validation import as_float, as_int, as_series

MIN_POINTS = 100  # the test needs n_cut = N/10 >= 10 lags to measure a growth rate
#: smallest |K - median K of the IAAFT surrogates| for which K tells the series from linear noise
DISCRIMINATION = 0.3


@dataclass(frozen=True)
class ZeroOneResult:
    """Result of `zero_one_test`.

    K: the median growth rate (near 0 regular, near 1 chaotic); K_c: (n_c,) the growth rate for
    each frequency ``c``; subsample: the step k actually used; n: samples used; n_cut: the
    largest lag; method: "correlation" or "regression".

    Parameters
    ----------
    K : float
        Median of K_c over c.
    K_c : numpy.ndarray, shape (n_c,)
        Growth rate for each c.
    c : numpy.ndarray, shape (n_c,)
        The frequencies c.
    subsample : int
        Sampling step used.
    n : int
        Samples used.
    n_cut : int
        Largest lag.
    method : str
        "correlation" or "regression".
    settings : dict
        The options of the call.
    surrogate_K : numpy.ndarray
        K of each IAAFT surrogate (empty without ``n_surrogates``).
    """

    K: float
    K_c: np.ndarray
    c: np.ndarray
    subsample: int
    n: int
    n_cut: int
    method: str
    settings: dict[str, Any] = field(default_factory=dict)
    surrogate_K: np.ndarray = field(default_factory=lambda: np.empty(0))

    @property
    def discriminates(self) -> bool | None:
        """Whether K differs from its IAAFT surrogates' median K by at least `DISCRIMINATION`.

        Returns
        -------
        bool or None
            None when no surrogates were run.
        """
        if self.surrogate_K.size == 0:
            return None
        return bool(abs(self.K - float(np.median(self.surrogate_K))) >= DISCRIMINATION)

    @property
    def chaotic(self) -> bool:
        """K > 0.5: the plain verdict (GM 2009 report K within a few hundredths of 0 or 1 for clean data)."""
        return bool(self.K > 0.5)

    def to_xarray(self):
        """K_c over c as an ``xarray.Dataset``, K and the settings as attributes.

        Returns
        -------
        xarray.Dataset
            The result.
        """
        import xarray as xr

        return xr.Dataset(
            {"K_c": (("c",), self.K_c)},
            coords={"c": self.c},
            attrs={
                "K": self.K,
                "subsample": self.subsample,
                "n": self.n,
                "n_cut": self.n_cut,
                "method": self.method,
                "test": "0-1 test (Gottwald & Melbourne 2009)",
            },
        )

    def plot(self, ax=None):
        """K_c against c with the median K.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes to draw on (default: a new figure).

        Returns
        -------
        matplotlib.figure.Figure
            The figure.
        """
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(6, 4)) if ax is None else (ax.figure, ax)
        order = np.argsort(self.c)
        ax.plot(self.c[order], self.K_c[order], ".-", lw=0.6)
        ax.axhline(self.K, color="crimson", ls="--", label=f"K = median = {self.K:.3f}")
        ax.set_xlabel("c")
        ax.set_ylabel("$K_c$")
        ax.set_ylim(min(-0.1, float(np.nanmin(self.K_c)) - 0.05), max(1.1, float(np.nanmax(self.K_c)) + 0.05))
        ax.set_title(f"0-1 test ({self.method}, subsample {self.subsample})")
        ax.legend()
        return fig

    def __repr__(self) -> str:
        return f"ZeroOneResult(K={self.K:.4f}, method={self.method!r}, n={self.n}, subsample={self.subsample})"


def _check_series(x) -> np.ndarray:
    a = as_series(x, name="the series", allow_constant=False)
    if a.size < MIN_POINTS:
        raise ValueError(
            f"the series has {a.size} points; the 0-1 test needs at least {MIN_POINTS} "
            "(GM 2009 use N >= 1000): use a longer series"
        )
    return a


def auto_subsample(x, *, threshold: float = 0.9, max_lag: int | None = None, min_points: int = 1000) -> int:
    """Sampling step k for the 0-1 test: 1 unless the series is oversampled.

    Oversampled means a lag-1 autocorrelation above ``threshold`` (successive samples nearly
    equal). Then k is the first local minimum of the autocorrelation (half the mean period of
    an oscillation: about one point per local swing), falling back to the first local minimum
    of the auto-mutual information (Fraser & Swinney, Phys. Rev. A 33, 1134 (1986);
    `dynstab.timeseries.estimate_delay`) and then to the first 1/e crossing of the
    autocorrelation. GM 2009, Sec. 5.2, ask for exactly this: samples far enough apart that the
    data are not oversampled.
    k is capped so that at least ``min_points`` samples remain (with fewer, K_c is measured on
    fewer than 100 lags and scatters); when that cap binds a warning says to record longer.

    Parameters
    ----------
    x : array_like, shape (N,)
        Scalar series, finite, not constant, N >= 100.
    threshold : float, default 0.9
        Lag-1 autocorrelation above which the series counts as oversampled.
    max_lag : int, optional
        Largest lag searched (default min(N // 20, 1000), at least 2).
    min_points : int, default 1000
        Fewest samples that must remain after subsampling.

    Returns
    -------
    int
        The sampling step k >= 1.

    References
    ----------
    Gottwald & Melbourne, SIAM J. Appl. Dyn. Syst. 8, 129 (2009), sec. 5.2.
    """
    from .embedding import autocorrelation, estimate_delay

    a = _check_series(x)
    threshold = as_float(threshold, name="threshold")
    min_points = as_int(min_points, name="min_points", minimum=1)
    if max_lag is not None:
        max_lag = as_int(max_lag, name="max_lag", minimum=1)
    r1 = float(autocorrelation(a, max_lag=1)[1])
    if r1 <= threshold:
        return 1
    lag = max_lag if max_lag is not None else max(2, min(a.size // 20, 1000))
    r = autocorrelation(a, max_lag=lag)
    d = np.diff(r)
    minima = np.flatnonzero((d[:-1] < 0) & (d[1:] >= 0))
    try:
        if minima.size == 0:
            raise ValueError("the autocorrelation has no local minimum")
        k = int(minima[0] + 1)
    except ValueError:
        try:
            k = int(estimate_delay(a, method="mi", max_lag=lag))
        except ValueError:
            try:
                k = int(estimate_delay(a, method="ac", max_lag=lag))
            except ValueError:
                k = 1
    cap = max(1, a.size // min_points)
    if k > cap:
        warnings.warn(
            f"the series is oversampled (lag-1 autocorrelation {r1:.3f}) and would need every {k}-th "
            f"sample, but only {a.size} samples are available: using every {cap}-th so that "
            f"{a.size // cap} remain; K may be biased towards 0, record a longer series",
            stacklevel=3,
        )
        k = cap
    return max(1, k)


def _mean_square_displacement(phi: np.ndarray, c: np.ndarray, n_cut: int) -> np.ndarray:
    """M_c(n), n = 1..n_cut, for each c: (n_c, n_cut), by FFT (O(N log N) per c).

    With z(j) = p_c(j) + i q_c(j), sum_j |z(j+n) - z(j)|^2 = sum_{j>n} |z|^2 + sum_{j<=N-n} |z|^2
    - 2 Re sum_j z(j+n) conj(z(j)); the last sum is the autocorrelation of z.
    """
    N = phi.size
    j = np.arange(1, N + 1)
    nfft = 1 << int(math.ceil(math.log2(2 * N)))
    out = np.empty((c.size, n_cut))
    lags = np.arange(1, n_cut + 1)
    for start in range(0, c.size, 16):  # chunks keep memory at 16 x N complex
        cc = c[start : start + 16, None]
        z = np.cumsum(phi[None, :] * np.exp(1j * cc * j[None, :]), axis=1)
        mag = np.abs(z) ** 2
        csum = np.concatenate([np.zeros((cc.shape[0], 1)), np.cumsum(mag, axis=1)], axis=1)
        total = csum[:, -1:]
        tail = total - csum[:, lags]  # sum_{j > n} |z_j|^2 (0-based: indices n..N-1)
        head = csum[:, N - lags]  # sum_{j <= N - n} |z_j|^2
        f = np.fft.fft(z, nfft, axis=1)
        acf = np.fft.ifft(f * np.conj(f), axis=1)[:, lags]  # sum_j z(j+n) conj z(j) (conj symmetry)
        out[start : start + 16] = (tail + head - 2.0 * acf.real) / (N - lags)[None, :]
    return out


def zero_one_test(
    x,
    *,
    method: str = "correlation",
    n_c: int = 100,
    c_range: tuple[float, float] = (math.pi / 5, 4 * math.pi / 5),
    n_cut: int | None = None,
    subsample: int | str = "auto",
    seed: int = 0,
    n_surrogates: int = 0,
) -> ZeroOneResult:
    """The 0-1 test for chaos of a scalar series (Gottwald & Melbourne 2004, 2009).

    K = median_c K_c, K_c the growth rate of the modified mean-square displacement
    D_c(n) = M_c(n) - (E phi)^2 (1 - cos n c)/(1 - cos c) of the translation variables
    p_c(n) = sum_j phi(j) cos(j c), q_c(n) = sum_j phi(j) sin(j c) (module docstring).
    ``method="correlation"`` (default, GM 2009 Sec. 3.3): K_c = corr(n, D_c(n)), n = 1..n_cut;
    ``method="regression"`` (GM 2004, 2009 Sec. 3.2): K_c = slope of log(D_c - min D_c) on log n.
    ``n_c`` values of c uniform in ``c_range`` from ``seed``; ``n_cut`` defaults to N/10.
    ``subsample``: keep every k-th sample (``"auto"``: see `auto_subsample`; flows sampled
    densely must be thinned, GM 2009 Sec. 5.2). ``n_surrogates``: K is also computed on that
    many IAAFT surrogates of the subsampled series (``surrogate_K``) and
    ``result.discriminates`` says whether K tells the series from linear noise (module
    docstring).

    Returns a `ZeroOneResult` (K near 0: regular; near 1: chaotic). Raises ValueError for
    fewer than 100 samples (after subsampling), NaN/inf, a constant series or bad options.
    References: Gottwald & Melbourne, PRL 92, 094101 (2004); SIAM J. Appl. Dyn. Syst. 8, 129 (2009).

    Parameters
    ----------
    x : array_like, shape (N,)
        Scalar series, finite, not constant, N >= 100.
    method : {"correlation", "regression"}, default "correlation"
        How K_c is measured.
    n_c : int, default 100
        Number of frequencies c, >= 1.
    c_range : tuple of float, default (pi/5, 4 pi/5)
        Interval of c, within (0, pi).
    n_cut : int, optional
        Largest lag, between 10 and N/2 (default N/10).
    subsample : int or "auto", default "auto"
        Keep every k-th sample (see `auto_subsample`).
    seed : int, default 0
        Seed of the draw of c (and of the surrogates).
    n_surrogates : int, default 0
        IAAFT surrogates on which K is also computed, >= 0.

    Returns
    -------
    ZeroOneResult
        K, K_c and the settings.
    """
    a = _check_series(x)
    if method not in ("correlation", "regression"):
        raise ValueError(f"method must be 'correlation' or 'regression', got {method!r}")
    n_c = as_int(n_c, name="n_c", minimum=1)
    lo, hi = (as_float(v, name="c_range") for v in c_range)
    if not (0 < lo < hi < math.pi):
        raise ValueError(f"c_range must satisfy 0 < low < high < pi, got {c_range!r}")
    if isinstance(subsample, str):
        if subsample != "auto":
            raise ValueError(f"subsample must be a positive integer or 'auto', got {subsample!r}")
        k = auto_subsample(a)
    else:
        k = as_int(subsample, name="subsample (an integer or 'auto')", minimum=1)
    phi = a[::k]
    if phi.size < MIN_POINTS:
        raise ValueError(
            f"after subsampling every {k}-th point only {phi.size} samples remain; the 0-1 test needs "
            f"at least {MIN_POINTS}: use a longer series or a smaller subsample"
        )
    if np.ptp(phi) == 0:
        raise ValueError(f"the series subsampled every {k}-th point is constant: choose another subsample")
    n_surrogates = as_int(n_surrogates, name="n_surrogates", minimum=0)
    N = phi.size
    n_cut = N // 10 if n_cut is None else as_int(n_cut, name="n_cut", minimum=10, maximum=N // 2)
    c = np.random.default_rng(seed).uniform(lo, hi, n_c)
    K, Kc = _growth_rate(phi, c, n_cut, method)
    sk = np.empty(0)
    if n_surrogates:
        from .surrogates import iaaft_surrogates

        sk = np.array([_growth_rate(s, c, n_cut, method)[0] for s in iaaft_surrogates(phi, n=n_surrogates, seed=seed)])
    settings = {"c_range": (lo, hi), "seed": seed, "n_c": n_c, "n_surrogates": n_surrogates}
    return ZeroOneResult(K, Kc, c, k, N, n_cut, method, settings, sk)


def _growth_rate(phi: np.ndarray, c: np.ndarray, n_cut: int, method: str) -> tuple[float, np.ndarray]:
    """(K, K_c) of the subsampled series ``phi`` for the frequencies ``c`` (see `zero_one_test`)."""
    n_c = c.size
    M = _mean_square_displacement(phi, c, n_cut)
    n = np.arange(1, n_cut + 1, dtype=float)
    v_osc = phi.mean() ** 2 * (1.0 - np.cos(np.outer(c, n))) / (1.0 - np.cos(c))[:, None]
    D = M - v_osc
    if method == "correlation":
        xi = n - n.mean()
        dev = D - D.mean(axis=1, keepdims=True)
        denom = np.sqrt(np.sum(xi**2) * np.sum(dev**2, axis=1))
        with np.errstate(invalid="ignore", divide="ignore"):
            Kc = np.where(denom > 0, dev @ xi / denom, np.nan)
    else:
        Dt = D - D.min(axis=1, keepdims=True)
        Kc = np.empty(n_c)
        logn = np.log(n)
        for i in range(n_c):
            ok = Dt[i] > 0
            Kc[i] = np.polyfit(logn[ok], np.log(Dt[i, ok]), 1)[0] if ok.sum() >= 3 else np.nan
    if np.all(np.isnan(Kc)):
        raise ValueError("K_c is undefined for every c (the displacement does not vary); check the series")
    return float(np.nanmedian(Kc)), Kc
