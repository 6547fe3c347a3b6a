"""Surrogate data tests for nonlinearity (arrays in, arrays / numbers out).

A surrogate test compares a statistic ``q`` of the data with its distribution over
surrogate series that share some property of the data (its values, its linear
correlations) but are otherwise random, i.e. that realise a null hypothesis:

``shuffle``
    random permutation of the values: null hypothesis "independent identically
    distributed (iid) noise". Keeps the values (histogram) exactly, destroys all
    correlations.
``fourier``
    phase-randomised surrogates (Theiler, Eubank, Longtin, Galdrikian & Farmer, Physica D
    58, 77 (1992)): with ``X_k = rfft(x)_k``, the surrogate is
    ``s = irfft(|X_k| exp(i phi_k))`` with ``phi_k`` uniform on [0, 2 pi) for
    ``0 < k < N/2``; the k = 0 (mean) and, for even N, the Nyquist bin are kept. The
    periodogram ``|X_k|^2`` (hence the circular autocorrelation) and the mean are kept
    exactly. Null hypothesis: linear Gaussian stationary process.
``aaft``
    amplitude-adjusted Fourier transform (Theiler et al. 1992): (1) a sorted Gaussian
    sample is put in the rank order of ``x``; (2) that series is phase-randomised;
    (3) the sorted values of ``x`` are put in the rank order of the result. Keeps the values
    exactly, the spectrum approximately (biased towards white for non-Gaussian data).
    Null hypothesis: static monotone transform of a linear Gaussian process.
``iaaft``
    iterative AAFT (Schreiber & Schmitz, Phys. Rev. Lett. 77, 635 (1996)): starting from a
    random shuffle ``s_0``, alternate
    ``s <- irfft(|X_k| exp(i arg rfft(s)_k))`` (impose the data's Fourier amplitudes) and
    ``s <- sort(x)[rank(s)]`` (impose the data's values) until the rank order stops
    changing or ``max_iter``. The result is exactly a permutation of ``x`` whose
    periodogram is close (typically within a few percent) to the data's. Same null
    hypothesis as AAFT, with a smaller spectral bias.

All generators take the data ``x`` (1-D, at least 16 finite, non-constant samples), the
number ``n`` of surrogates and a ``seed`` (anything `numpy.random.default_rng` accepts);
they return an array of shape ``(n, N)`` and are vectorised over the surrogates (one
``rfft`` of an ``(n, N)`` array per step). The same call gives the same numbers.

`surrogate_test` computes the rank-based p-value

    p = (1 + #{i : q_i at least as extreme as q_0}) / (n + 1),

with ``q_0`` the statistic of the data and ``q_i`` those of the ``n`` surrogates, which is
exact (valid at every n) when data and surrogates are exchangeable under the null
hypothesis (Theiler et al. 1992; Schreiber & Schmitz, Physica D 142, 346 (2000)). The
smallest attainable p-value is ``1 / (n + 1)``: a test at level ``alpha`` needs
``n >= 1 / alpha - 1`` surrogates (19 for 0.05, 99 for 0.01).

`time_reversal_asymmetry` is the standard nonlinearity statistic of Theiler et al. 1992:

    Q(tau) = < (x_{t+tau} - x_t)^3 > / < (x_{t+tau} - x_t)^2 >^{3/2},

zero in expectation for any time-reversible process (every linear Gaussian process is),
non-zero for e.g. the Henon map.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numba import njit

from ..limits import check_allocation
from ..validation import as_finite_array, as_float, as_int, as_series

__all__ = [
    "KINDS",
    "nonlinear_prediction_error",
    "SurrogateTestResult",
    "aaft_surrogates",
    "fourier_surrogates",
    "iaaft_surrogates",
    "rank_p_value",
    "shuffle_surrogates",
    "surrogate_test",
    "surrogates",
    "time_reversal_asymmetry",
]

KINDS = ("shuffle", "fourier", "aaft", "iaaft")
TAILS = ("two-sided", "greater", "less")
MIN_LENGTH = 16


# ----------------------------------------------------------------------------- validation
def _check_size(n: int, N: int, arrays: int, kind: str) -> None:
    """Refuse (before allocating) ``n`` surrogates of length ``N`` whose work needs ``arrays``
    (n, N) float arrays over the memory limit (`dynstab.limits`)."""
    check_allocation(
        8.0 * n * N * arrays,
        f"{n} {kind} surrogates of {N} samples ({arrays} arrays of {n} x {N})",
        "ask for fewer surrogates or a shorter series",
    )


def _check_series(x) -> np.ndarray:
    """A finite, non-constant real series (N,) with N >= `MIN_LENGTH` (`dynstab.validation.as_series`)."""
    return as_series(x, min_length=MIN_LENGTH, allow_constant=False)


def _ranks(a: np.ndarray) -> np.ndarray:
    """Rank (0..N-1) of every entry along the last axis (ties broken by position)."""
    order = np.argsort(a, axis=-1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(a.shape[-1]), axis=-1)
    return ranks


def _random_phases(amp: np.ndarray, n: int, N: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` spectra with moduli ``amp`` (rfft layout) and uniform random phases.

    The DC bin and, for even N, the Nyquist bin keep their (real) original values, so
    ``irfft`` returns a real series with exactly the data's periodogram and mean.
    """
    spec = np.broadcast_to(amp, (n, amp.shape[-1])).astype(complex)
    phases = rng.uniform(0.0, 2.0 * np.pi, size=spec.shape)
    phases[:, 0] = 0.0
    if N % 2 == 0:
        phases[:, -1] = 0.0
    return spec * np.exp(1j * phases)


@njit(cache=True, nogil=True)
def _resort(r, order, budget):
    """Update ``order`` in place to the argsort of each row of ``r``, by insertion sort from
    the previous order (IAAFT: an iteration moves few ranks, and by little, so this is
    about linear in N). Returns the moves per row (0: the order did not change); a row whose
    moves exceed ``budget * N`` is abandoned with -1 (the caller sorts it afresh)."""
    n, N = r.shape
    moved = np.zeros(n, np.int64)
    keys = np.empty(N)
    for a in range(n):
        for i in range(N):
            keys[i] = r[a, order[a, i]]
        moves = 0
        for i in range(1, N):
            kv = keys[i]
            ov = order[a, i]
            j = i - 1
            while j >= 0 and keys[j] > kv:
                keys[j + 1] = keys[j]
                order[a, j + 1] = order[a, j]
                j -= 1
            moves += i - 1 - j
            keys[j + 1] = kv
            order[a, j + 1] = ov
            if moves > budget * N:
                moves = -1
                break
        moved[a] = moves
    return moved


# ----------------------------------------------------------------------------- generators
def shuffle_surrogates(x, n: int = 1, seed=0) -> np.ndarray:
    """``n`` random permutations of ``x`` (null hypothesis: iid noise), shape (n, N).

    Each row is ``x[pi]`` for an independent uniform permutation ``pi``; values and
    histogram are kept exactly, all temporal correlations destroyed.

    Parameters
    ----------
    x : array_like, shape (N,)
        Scalar series, finite, not constant, N >= 16.
    n : int, default 1
        Number of surrogates, >= 1.
    seed : int or numpy.random.Generator, default 0
        Random seed.

    Returns
    -------
    numpy.ndarray, shape (n, N)
        One surrogate per row.

    References
    ----------
    Theiler et al., Physica D 58, 77 (1992).
    """
    x = _check_series(x)
    n = as_int(n, name="n (number of surrogates)", minimum=1)
    _check_size(n, x.size, 2, "shuffle")
    rng = np.random.default_rng(seed)
    return rng.permuted(np.broadcast_to(x, (n, x.size)), axis=1)


def fourier_surrogates(x, n: int = 1, seed=0) -> np.ndarray:
    """``n`` phase-randomised (Fourier transform) surrogates of ``x``, shape (n, N).

    ``s = irfft(|X_k| exp(i phi_k), N)`` with ``X = rfft(x)``, ``phi_k`` iid uniform on
    [0, 2 pi) for ``0 < k < N/2``, ``phi_0 = 0`` (and ``phi_{N/2} = 0`` for even N):
    the periodogram ``|X_k|^2`` and the mean of ``x`` are preserved exactly (to rounding);
    the values become approximately Gaussian. Null hypothesis: stationary linear Gaussian
    process. Theiler et al., Physica D 58, 77 (1992).

    Parameters
    ----------
    x : array_like, shape (N,)
        Scalar series, finite, not constant, N >= 16.
    n : int, default 1
        Number of surrogates, >= 1.
    seed : int or numpy.random.Generator, default 0
        Random seed.

    Returns
    -------
    numpy.ndarray, shape (n, N)
        One surrogate per row.
    """
    x = _check_series(x)
    n = as_int(n, name="n (number of surrogates)", minimum=1)
    _check_size(n, x.size, 3, "Fourier")
    rng = np.random.default_rng(seed)
    N = x.size
    X = np.fft.rfft(x)
    spec = _random_phases(np.abs(X), n, N, rng)
    # keep the original (real, possibly negative) DC and Nyquist coefficients
    spec[:, 0] = X[0]
    if N % 2 == 0:
        spec[:, -1] = X[-1]
    return np.fft.irfft(spec, n=N, axis=1)


def aaft_surrogates(x, n: int = 1, seed=0) -> np.ndarray:
    """``n`` amplitude-adjusted Fourier transform (AAFT) surrogates, shape (n, N).

    Theiler et al., Physica D 58, 77 (1992): (1) ``y = sort(g)[rank(x)]`` with ``g`` an
    iid standard Gaussian sample (a Gaussianised copy of ``x``); (2) ``y'`` = a
    phase-randomised surrogate of ``y``; (3) ``s = sort(x)[rank(y')]``. Every row is a
    permutation of ``x``; the spectrum is kept only approximately (see `iaaft_surrogates`).

    Parameters
    ----------
    x : array_like, shape (N,)
        Scalar series, finite, not constant, N >= 16.
    n : int, default 1
        Number of surrogates, >= 1.
    seed : int or numpy.random.Generator, default 0
        Random seed.

    Returns
    -------
    numpy.ndarray, shape (n, N)
        One surrogate per row.
    """
    x = _check_series(x)
    n = as_int(n, name="n (number of surrogates)", minimum=1)
    _check_size(n, x.size, 5, "AAFT")
    rng = np.random.default_rng(seed)
    N = x.size
    xs = np.sort(x)
    g = np.sort(rng.standard_normal((n, N)), axis=1)
    y = np.take_along_axis(g, np.broadcast_to(_ranks(x), (n, N)), axis=1)
    Y = np.fft.rfft(y, axis=1)
    phases = rng.uniform(0.0, 2.0 * np.pi, size=Y.shape)
    phases[:, 0] = 0.0
    if N % 2 == 0:
        phases[:, -1] = 0.0
    y2 = np.fft.irfft(Y * np.exp(1j * phases), n=N, axis=1)
    return xs[_ranks(y2)]


def iaaft_surrogates(
    x,
    n: int = 1,
    seed=0,
    max_iter: int = 1000,
    return_iterations: bool = False,
    tol: float = 1e-3,
):
    """``n`` iterative AAFT surrogates (Schreiber & Schmitz 1996), shape (n, N).

    Starting from random shuffles ``s_0`` of ``x``, iterate

        S = rfft(s);  r = irfft(|X_k| S_k / |S_k|)       (impose the data's amplitudes)
        s = sort(x)[rank(r)]                             (impose the data's values)

    until the rank order of ``s`` no longer changes (a fixed point), the spectral error

        e = sqrt(sum_k (|S_k| - |X_k|)^2 / sum_k |X_k|^2)

    improves by less than ``tol * e`` in one iteration (the convergence stop of
    Schreiber & Schmitz, Physica D 142, 346 (2000): once the rank order only swaps a few
    neighbouring values, the spectrum no longer improves; on Lorenz and ECG-like series
    the error at the stop is within 10% of the fixed point's, about 0.1-0.4% of the
    spectrum, at a third or less of the iterations), or ``max_iter``
    iterations; each surrogate stops on its own, all are advanced together as one
    (n_active, N) array. The returned rows are exact permutations of ``x`` (the last step
    imposes the values) with periodogram close to that of ``x``, typically within a few
    percent. Schreiber & Schmitz, Phys. Rev. Lett. 77, 635 (1996).

    With ``return_iterations=True`` also returns an int array (n,) with the number of
    iterations each surrogate took (``max_iter`` where it did not stop earlier).

    Parameters
    ----------
    x : array_like, shape (N,)
        Scalar series, finite, not constant, N >= 16.
    n : int, default 1
        Number of surrogates, >= 1.
    seed : int or numpy.random.Generator, default 0
        Random seed.
    max_iter : int, default 1000
        Most iterations per surrogate, >= 1.
    return_iterations : bool, default False
        Also return the iterations each surrogate took.
    tol : float, default 1e-3
        Relative improvement of the spectral error below which a surrogate stops, >= 0
        (0: iterate to the rank-order fixed point or ``max_iter``).

    Returns
    -------
    surrogates : numpy.ndarray, shape (n, N)
        One surrogate per row.
    iterations : numpy.ndarray of int, shape (n,)
        Only with ``return_iterations``.

    References
    ----------
    Schreiber & Schmitz, Phys. Rev. Lett. 77, 635 (1996); Physica D 142, 346 (2000).
    """
    x = _check_series(x)
    n = as_int(n, name="n (number of surrogates)", minimum=1)
    _check_size(n, x.size, 6, "IAAFT")
    max_iter = as_int(max_iter, name="max_iter", minimum=1)
    tol = as_float(tol, name="tol", minimum=0.0)
    rng = np.random.default_rng(seed)
    N = x.size
    xs = np.sort(x)
    amp = np.abs(np.fft.rfft(x))
    amp_norm = np.sqrt(np.sum(amp * amp))
    out = np.empty((n, N))
    iterations = np.full(n, max_iter, dtype=int)
    # the surrogates still iterating: their ids, values, rank order and spectral error
    ids = np.arange(n)
    cur = rng.permuted(np.broadcast_to(x, (n, N)), axis=1)
    order = np.argsort(cur, axis=1, kind="stable")
    err = np.full(n, np.inf)
    for it in range(1, max_iter + 1):
        S = np.fft.rfft(cur, axis=1)
        mod = np.abs(S)
        new_err = np.sqrt(np.sum((mod - amp) ** 2, axis=1)) / amp_norm
        # the last values step improved the spectrum by less than tol: keep it, stop
        stalled = err - new_err <= tol * new_err
        err = new_err
        zero = mod == 0
        S *= np.divide(amp, mod, out=np.zeros_like(mod), where=~zero)
        if np.any(zero):
            S[zero] = np.broadcast_to(amp, S.shape)[zero]
        r = np.fft.irfft(S, n=N, axis=1)
        moved = _resort(r, order, 16)  # nearly sorted after the first iterations
        fresh = moved < 0
        if np.any(fresh):  # many moves: sorted afresh (the order has changed)
            order[fresh] = np.argsort(r[fresh], axis=1, kind="stable")
        # a fixed rank order gives the same values again: cur is final, as for a stalled row
        done = stalled | (moved == 0)
        if np.any(done):
            out[ids[done]] = cur[done]
            iterations[ids[done]] = it
            keep = ~done
            ids, order, err = ids[keep], order[keep], err[keep]
            if ids.size == 0:
                break
        cur = np.empty((ids.size, N))
        np.put_along_axis(cur, order, xs[None, :], axis=1)
    else:
        out[ids] = cur  # max_iter reached: the last values step
    return (out, iterations) if return_iterations else out


_GENERATORS: dict[str, Callable[..., np.ndarray]] = {
    "shuffle": shuffle_surrogates,
    "fourier": fourier_surrogates,
    "aaft": aaft_surrogates,
    "iaaft": iaaft_surrogates,
}


def surrogates(x, n: int = 1, kind: str = "iaaft", seed=0, **kwargs) -> np.ndarray:
    """``n`` surrogates of ``x`` of the given ``kind`` (one of `KINDS`), shape (n, N).

    Dispatches to `shuffle_surrogates`, `fourier_surrogates`, `aaft_surrogates` or
    `iaaft_surrogates` (``kwargs``, e.g. ``max_iter``, are passed on).

    Parameters
    ----------
    x : array_like, shape (N,)
        Scalar series, finite, not constant, N >= 16.
    n : int, default 1
        Number of surrogates, >= 1.
    kind : {"shuffle", "fourier", "aaft", "iaaft"}, default "iaaft"
        The null hypothesis.
    seed : int or numpy.random.Generator, default 0
        Random seed.
    **kwargs
        Passed to the generator (e.g. ``max_iter``).

    Returns
    -------
    numpy.ndarray, shape (n, N)
        One surrogate per row.
    """
    if kind not in _GENERATORS:
        raise ValueError(f"unknown surrogate kind {kind!r}; expected one of {KINDS}")
    return _GENERATORS[kind](x, n=n, seed=seed, **kwargs)


# ----------------------------------------------------------------------------- statistic
def time_reversal_asymmetry(x, tau: int = 1) -> float | np.ndarray:
    """Time-reversal asymmetry ``Q(tau)`` (Theiler et al., Physica D 58, 77 (1992)).

        Q(tau) = < (x_{t+tau} - x_t)^3 > / < (x_{t+tau} - x_t)^2 >^{3/2}

    (the skewness of the lag-``tau`` increments, normalised to be scale free). Zero in
    expectation for any time-reversible process, including every linear Gaussian one;
    non-zero for most nonlinear (e.g. chaotic) ones. ``x`` is 1-D (returns a float) or
    (n, N) (computed along the last axis, returns an array (n,)).

    Parameters
    ----------
    x : array_like, shape (N,) or (n, N)
        One series or a stack of series along the last axis, finite.
    tau : int, default 1
        Lag in samples, >= 1.

    Returns
    -------
    float or numpy.ndarray
        Q(tau): a float for one series, an array (n,) for a stack.
    """
    arr = as_finite_array(x, name="x", ndim=(1, 2))
    tau = as_int(tau, name="tau", minimum=1)
    if tau >= arr.shape[-1] - 1:
        raise ValueError(f"tau = {tau} leaves fewer than 2 increments for N = {arr.shape[-1]}")
    d = arr[..., tau:] - arr[..., :-tau]
    m2 = np.mean(d**2, axis=-1)
    if np.any(m2 == 0.0):
        raise ValueError("time_reversal_asymmetry is undefined: the lag-tau increments are all zero")
    q = np.mean(d**3, axis=-1) / m2**1.5
    return float(q) if arr.ndim == 1 else q


def nonlinear_prediction_error(
    x,
    dim: int = 3,
    tau: int = 1,
    horizon: int = 1,
    theiler: int | None = None,
    n_predict: int | None = None,
) -> float:
    """Normalized error of the simple nonlinear (zeroth-order, nearest-neighbour) predictor.

    Delay vectors ``y_n = (x_n, ..., x_{n+(dim-1)tau})``; the prediction of ``x`` ``horizon``
    samples after the end of ``y_n`` is the value that followed its nearest neighbour
    ``y_m`` (``|n - m| > theiler``, default ``dim * tau``). Returns
    ``sqrt(<(x_pred - x)^2>) / std(x)``: near 0 for low-dimensional deterministic data,
    near or above 1 for noise. A standard discriminating statistic for surrogate tests
    (Theiler et al., Physica D 58, 77 (1992); Kantz & Schreiber, *Nonlinear Time Series
    Analysis*, 2nd ed., sec. 4.2 and 7.1): deterministic data predict better than their
    linear surrogates, so test with ``tail="less"``.

    ``n_predict``: predict only that many points, evenly spaced over the series (all
    delay vectors remain candidate neighbours); the mean over them estimates the same
    error at a cost proportional to ``n_predict``. The points depend only on the length,
    so the statistic is the same function on the data and on its surrogates and a
    surrogate test stays exact.

    Parameters
    ----------
    x : array_like, shape (N,)
        Scalar series, finite, not constant, N >= 16.
    dim : int, default 3
        Embedding dimension, >= 1.
    tau : int, default 1
        Delay in samples, >= 1.
    horizon : int, default 1
        Prediction horizon in samples, >= 1.
    theiler : int, optional
        Theiler window of the neighbour search (default ``dim * tau``).
    n_predict : int, optional
        Number of predicted points, >= 1 (default: all).

    Returns
    -------
    float
        The normalized root-mean-square prediction error.
    """
    from .embedding import embed
    from .neighbors import theiler_neighbors

    a = _check_series(x)
    dim = as_int(dim, name="dim", minimum=1)
    tau = as_int(tau, name="tau", minimum=1)
    horizon = as_int(horizon, name="horizon", minimum=1)
    span = (dim - 1) * tau + horizon
    if a.size - span < 20:
        raise ValueError(f"series of {a.size} samples is too short for dim={dim}, tau={tau}, horizon={horizon}")
    pts = embed(a[: a.size - horizon], dim, tau)
    w = dim * tau if theiler is None else as_int(theiler, name="theiler", minimum=0)
    m = pts.shape[0]
    rows = np.arange(m)
    if n_predict is not None and as_int(n_predict, name="n_predict", minimum=1) < m:
        rows = np.unique(np.linspace(0, m - 1, int(n_predict)).round().astype(np.int64))
    # only points whose neighbour also has a future inside the series
    _, idx = theiler_neighbors(pts, k=1, theiler=w, queries=rows)
    target = (dim - 1) * tau + horizon
    err = a[idx[:, 0] + target] - a[rows + target]
    sd = a.std()
    if sd == 0:
        raise ValueError("the series is constant; its prediction error is undefined")
    return float(np.sqrt(np.mean(err**2)) / sd)


# ----------------------------------------------------------------------------- the test
def rank_p_value(q0: float, q, tail: str = "two-sided") -> float:
    """Rank-based p-value of the data statistic ``q0`` among surrogate statistics ``q``.

        p = (1 + #{i : q_i at least as extreme as q0}) / (n + 1)

    "At least as extreme" is ``q_i >= q0`` for ``tail="greater"``, ``q_i <= q0`` for
    ``"less"`` and, for ``"two-sided"``, ``|q_i - m| >= |q0 - m|`` with ``m`` the median
    of all ``n + 1`` values (data included, so the data and the surrogates enter
    symmetrically and the test stays exact under exchangeability). Ties count as extreme
    (conservative). The smallest attainable value is ``1 / (n + 1)``.

    Parameters
    ----------
    q0 : float
        Statistic on the data.
    q : array_like
        Statistics on the surrogates.
    tail : {"two-sided", "greater", "less"}, default "two-sided"
        Which values count as extreme.

    Returns
    -------
    float
        The p-value, in [1 / (n + 1), 1].

    References
    ----------
    Theiler et al., Physica D 58, 77 (1992); Schreiber & Schmitz, Physica D 142, 346 (2000).
    """
    if tail not in TAILS:
        raise ValueError(f"tail must be one of {TAILS}, got {tail!r}")
    q = np.asarray(q, dtype=float).ravel()
    if q.size < 1:
        raise ValueError("need at least one surrogate statistic")
    q0 = float(q0)
    if not np.isfinite(q0) or not np.all(np.isfinite(q)):
        raise ValueError("the statistic is NaN or infinite on the data or a surrogate")
    if tail == "greater":
        count = np.count_nonzero(q >= q0)
    elif tail == "less":
        count = np.count_nonzero(q <= q0)
    else:
        m = np.median(np.append(q, q0))
        count = np.count_nonzero(np.abs(q - m) >= abs(q0 - m))
    return (1.0 + count) / (q.size + 1.0)


@dataclass(frozen=True)
class SurrogateTestResult:
    """Outcome of `surrogate_test`.

    ``statistic``: value on the data; ``surrogate_statistics``: array (n,) of values on the
    surrogates; ``p_value``: rank-based p-value (see `rank_p_value`); ``min_p_value``:
    ``1 / (n + 1)``, the resolution of the test; ``resolvable``: whether
    ``min_p_value <= alpha`` (otherwise the test can never reject at ``alpha``);
    ``rejected``: ``p_value <= alpha``; ``message``: a one-line summary (says when the
    resolution is too coarse).

    Parameters
    ----------
    statistic : float
        Value on the data.
    surrogate_statistics : numpy.ndarray
        Values on the surrogates, shape (n,).
    p_value : float
        Rank-based p-value.
    n : int
        Number of surrogates.
    kind : str
        Surrogate kind.
    tail : str
        Tail of the test.
    alpha : float
        Significance level.
    min_p_value : float
        ``1 / (n + 1)``.
    resolvable : bool
        Whether ``min_p_value <= alpha``.
    rejected : bool
        Whether ``p_value <= alpha``.
    message : str
        One-line summary.
    """

    statistic: float
    surrogate_statistics: np.ndarray = field(repr=False)
    p_value: float
    n: int
    kind: str
    tail: str
    alpha: float
    min_p_value: float
    resolvable: bool
    rejected: bool
    message: str


def surrogate_test(
    x,
    statistic: Callable[[np.ndarray], float],
    n: int = 99,
    kind: str = "iaaft",
    seed=0,
    tail: str = "two-sided",
    alpha: float = 0.05,
    **kwargs,
) -> SurrogateTestResult:
    """Surrogate data test of the null hypothesis realised by ``kind`` (see `KINDS`).

    Computes ``q0 = statistic(x)`` and ``q_i = statistic(s_i)`` on ``n`` surrogates
    ``s_i = surrogates(x, n, kind, seed)`` and the rank-based p-value

        p = (1 + #{i : q_i at least as extreme as q0}) / (n + 1)

    (``tail``: ``"two-sided"``, ``"greater"`` (the data's statistic is large) or
    ``"less"``; see `rank_p_value`). ``statistic`` maps a 1-D array to a number, e.g.
    `time_reversal_asymmetry`. The smallest attainable p-value is ``1 / (n + 1)``; when
    this exceeds ``alpha`` a `UserWarning` is issued and ``result.resolvable`` is False
    (use ``n >= 1 / alpha - 1``). ``kwargs`` go to the generator (e.g. ``max_iter``).
    References: Theiler et al., Physica D 58, 77 (1992); Schreiber & Schmitz, Phys. Rev.
    Lett. 77, 635 (1996) and Physica D 142, 346 (2000).

    Parameters
    ----------
    x : array_like, shape (N,)
        Scalar series, finite, not constant, N >= 16.
    statistic : callable
        Maps a 1-D array to a number.
    n : int, default 99
        Number of surrogates, >= 1.
    kind : {"shuffle", "fourier", "aaft", "iaaft"}, default "iaaft"
        The null hypothesis.
    seed : int or numpy.random.Generator, default 0
        Random seed.
    tail : {"two-sided", "greater", "less"}, default "two-sided"
        Which values count as extreme.
    alpha : float, default 0.05
        Significance level, in (0, 1).
    **kwargs
        Passed to the surrogate generator.

    Returns
    -------
    SurrogateTestResult
        The statistic, the p-value and the decision.
    """
    x = _check_series(x)
    n = as_int(n, name="n (number of surrogates)", minimum=1)
    if kind not in _GENERATORS:
        raise ValueError(f"unknown surrogate kind {kind!r}; expected one of {KINDS}")
    if tail not in TAILS:
        raise ValueError(f"tail must be one of {TAILS}, got {tail!r}")
    if not callable(statistic):
        raise TypeError("statistic must be a callable mapping a 1-D array to a number")
    alpha = as_float(alpha, name="alpha", minimum=0.0, maximum=1.0, inclusive="neither")
    min_p = 1.0 / (n + 1)
    resolvable = min_p <= alpha
    if not resolvable:
        warnings.warn(
            f"with n = {n} surrogates the smallest attainable p-value is {min_p:.3g} > "
            f"alpha = {alpha:g}: the test cannot reject; use n >= {int(np.ceil(1 / alpha - 1))}",
            UserWarning,
            stacklevel=2,
        )
    q0 = float(statistic(x))
    surr = surrogates(x, n=n, kind=kind, seed=seed, **kwargs)
    q = np.array([float(statistic(row)) for row in surr])
    if not np.isfinite(q0):
        raise ValueError(f"statistic on the data is not finite ({q0})")
    if not np.all(np.isfinite(q)):
        raise ValueError(f"statistic is not finite on {np.count_nonzero(~np.isfinite(q))} surrogate(s)")
    p = rank_p_value(q0, q, tail)
    rejected = p <= alpha
    msg = (
        f"{kind} surrogates, n = {n}, {tail}: statistic {q0:.4g}, p = {p:.4g} "
        + ("<=" if rejected else ">")
        + f" alpha = {alpha:g} ({'reject' if rejected else 'do not reject'} the null hypothesis)"
    )
    if not resolvable:
        msg += f"; resolution too coarse: min p = {min_p:.3g} > alpha"
    return SurrogateTestResult(
        statistic=q0,
        surrogate_statistics=q,
        p_value=p,
        n=n,
        kind=kind,
        tail=tail,
        alpha=alpha,
        min_p_value=min_p,
        resolvable=resolvable,
        rejected=rejected,
        message=msg,
    )
