"""Entropies and complexity measures of sampled series and of probability vectors.

Arrays in, floats (or arrays) out. Every function validates its input and raises
``ValueError`` with a clear message for non-finite values, wrong shapes, series too short for
the requested order/dimension, constant series where the measure is undefined, and
probability vectors with negative entries or that do not sum to 1. Non-integer orders,
delays or scales raise ``TypeError``.

Contents
--------
Probability vectors
    `binned_probabilities`, `ordinal_probabilities`, `ordinal_pattern_counts`,
    `ordinal_patterns`.
Entropies of a distribution
    `shannon_entropy`, `renyi_entropy`, `tsallis_entropy`, `jensen_shannon_divergence`.
Entropies of a series
    `permutation_entropy` (Bandt & Pompe 2002), `sample_entropy` (Richman & Moorman 2000),
    `approximate_entropy` (Pincus 1991), `multiscale_entropy` (Costa, Goldberger & Peng
    2002), `spectral_entropy` (Inouye et al. 1991).
Sequences of distributions
    `reasoning_instability`: Jensen-Shannon divergence between consecutive probability
    vectors plus each vector's Shannon entropy (an instability signal for, e.g., the token
    distributions of a language model's reasoning trace).

Conventions and differences from antropy 0.2.3
----------------------------------------------
* Logarithms are natural (nats) by default; every Shannon-type function takes ``base``.
  antropy's `perm_entropy` and `spectral_entropy` use base 2; pass ``base=2`` to match.
  Normalized values do not depend on the base. Sample/approximate entropy use ``ln`` in
  both libraries.
* The tolerance of sample/approximate/multiscale entropy is given as ``r`` = a fraction of the
  standard deviation, with ``ddof`` (default 0, the population SD, as antropy's
  ``0.2 * np.std(x)``), or as an absolute ``tolerance`` (antropy's ``tolerance``).
* Sample entropy counts template matches with Chebyshev distance ``<= r`` (Richman & Moorman
  2000, PhysioNet ``sampen``). antropy's numba path (N < 5000) uses ``< r`` and its KDTree
  path (N >= 5000) uses ``<= r``; for data without exact ties at distance r (any continuous
  data) the two agree exactly.
* ``permutation_entropy`` defaults to ``normalize=True`` (antropy: ``False``); ties are broken
  by time order (stable argsort), as in antropy.
* ``spectral_entropy`` defaults to ``normalize=True`` (antropy: ``False``) and needs no
  sampling frequency (the entropy of the normalized spectrum does not depend on it).
"""

from __future__ import annotations

import itertools
import math
from typing import NamedTuple

import numpy as np
from scipy.signal import periodogram, welch
from scipy.spatial import cKDTree

from ..validation import as_finite_array, as_float, as_int, as_positive_float, as_series

__all__ = [
    "InstabilitySignal",
    "approximate_entropy",
    "binned_probabilities",
    "jensen_shannon_divergence",
    "multiscale_entropy",
    "ordinal_pattern_counts",
    "ordinal_patterns",
    "ordinal_probabilities",
    "permutation_entropy",
    "reasoning_instability",
    "renyi_entropy",
    "sample_entropy",
    "shannon_entropy",
    "spectral_entropy",
    "tsallis_entropy",
]

_MAX_ORDER = 10  # 10! = 3,628,800 ordinal patterns
_PROB_ATOL = 1e-6  # tolerance on sum(p) == 1


# --------------------------------------------------------------------------- validation


def _log_base(base) -> float:
    """ln(base); ``base`` > 0 and != 1."""
    b = as_float(base, name="base", minimum=0.0, inclusive="neither")
    if b == 1:
        raise ValueError(f"base must be a positive number other than 1, got {base!r}")
    return math.log(b)


def _probabilities(p, name: str = "p", axis_ndim: int | None = 1) -> np.ndarray:
    """Validate probability vector(s) along the last axis."""
    a = as_finite_array(p, name=name)
    if axis_ndim is not None and a.ndim != axis_ndim:
        raise ValueError(f"{name} must be {axis_ndim}-D, got an array of shape {a.shape}")
    if a.ndim == 0 or a.shape[-1] == 0:
        raise ValueError(f"{name} must have at least one outcome, got shape {a.shape}")
    if np.any(a < 0):
        raise ValueError(f"{name} has negative entries (min {a.min():.3g})")
    s = a.sum(axis=-1)
    bad = np.abs(s - 1.0) > _PROB_ATOL
    if np.any(bad):
        worst = float(np.ravel(s)[np.argmax(np.ravel(np.abs(s - 1.0)))])
        raise ValueError(f"{name} must sum to 1 (within {_PROB_ATOL:g}), got a sum of {worst:.10g}")
    return a


def _xlogx(p: np.ndarray) -> np.ndarray:
    """p ln p elementwise with 0 ln 0 = 0."""
    out = np.zeros_like(p)
    pos = p > 0
    out[pos] = p[pos] * np.log(p[pos])
    return out


def _tolerance(x: np.ndarray, r, tolerance, ddof) -> float:
    """Absolute tolerance: ``tolerance`` if given, else ``r * std(x, ddof)``."""
    if tolerance is not None:
        return as_positive_float(tolerance, name="tolerance")
    ddof = as_int(ddof, name="ddof", minimum=0, maximum=x.size - 1)
    rf = as_positive_float(r, name="r")
    sd = float(np.std(x, ddof=ddof))
    if sd == 0.0:
        raise ValueError("x is constant: the tolerance r * std(x) is 0 and the entropy is undefined")
    return rf * sd


def _embed(x: np.ndarray, dim: int, delay: int = 1, n: int | None = None) -> np.ndarray:
    """Delay vectors [x_i, x_{i+delay}, ..., x_{i+(dim-1)delay}] for i < n (a copy, C order)."""
    n_max = x.size - (dim - 1) * delay
    n = n_max if n is None else n
    idx = np.arange(n)[:, None] + delay * np.arange(dim)[None, :]
    return x[idx]


# --------------------------------------------------------------------------- probabilities


def binned_probabilities(x, bins=10, range=None) -> np.ndarray:
    """Relative frequencies of ``x`` in histogram bins (``numpy.histogram`` semantics).

    ``bins`` is an int (number of equal-width bins over ``range``, default ``[min, max]``) or a
    sequence of edges. Returns a vector of length ``n_bins`` summing to 1 (empty bins are 0).
    Raises ValueError for non-finite data, fewer than 2 samples, or if no sample falls in
    ``range``.

    Parameters
    ----------
    x : array_like, shape (N,)
        Scalar series, finite.
    bins : int or array_like, default 10
        Number of equal-width bins, or the bin edges.
    range : tuple of float, optional
        ``(low, high)`` of the bins (default: the range of ``x``).

    Returns
    -------
    numpy.ndarray, shape (n_bins,)
        Relative frequencies, summing to 1.

    References
    ----------
    Cover & Thomas, *Elements of Information Theory*, 2nd ed. (2006), sec. 8.3 (quantized
    densities).
    """
    a = as_series(x)
    counts, _ = np.histogram(a, bins=bins, range=range)
    total = counts.sum()
    if total == 0:
        raise ValueError("no sample of x falls inside the histogram range")
    return counts / total


def ordinal_patterns(order: int = 3) -> np.ndarray:
    """All ``order!`` ordinal patterns, shape (order!, order), in lexicographic order.

    Row k is the k-th permutation of ``range(order)`` as listed by
    ``itertools.permutations``. A pattern is the *argsort* of a window: the window
    ``(x_t, x_{t+d}, ..., x_{t+(m-1)d})`` has pattern ``pi`` if
    ``x_{t+pi_0 d} <= x_{t+pi_1 d} <= ...`` (ties broken by time order, i.e. stable argsort).
    So ``(0, 1, ..., m-1)`` is the increasing pattern and ``(m-1, ..., 1, 0)`` (the last row)
    the strictly decreasing one.

    Parameters
    ----------
    order : int, default 3
        Pattern length m, in [2, 8].

    Returns
    -------
    numpy.ndarray of int, shape (order!, order)
        The patterns, one per row.

    References
    ----------
    Bandt & Pompe, Phys. Rev. Lett. 88, 174102 (2002).
    """
    order = as_int(order, name="order", minimum=2, maximum=8)
    return np.array(list(itertools.permutations(range(order))), dtype=np.int64)


_PATTERN_CHUNK = 1 << 16  # windows per block: the temporaries stay a few MB for any N


def _pattern_codes(x: np.ndarray, order: int, delay: int) -> np.ndarray:
    """Lexicographic rank (Lehmer code) of the ordinal pattern of each delay window.

    Computed in blocks of windows, so the memory is the (N,) int32 result (order <= 12: the
    codes are below 12! < 2^31) plus a few MB."""
    n = x.size - (order - 1) * delay
    codes = np.empty(n, dtype=np.int32 if order <= 12 else np.int64)
    upper = np.triu(np.ones((order, order), dtype=bool), k=1)[None]
    weights = np.array([math.factorial(order - 1 - i) for i in range(order)], dtype=np.int64)
    for start in range(0, n, _PATTERN_CHUNK):
        stop = min(start + _PATTERN_CHUNK, n)
        block = x[start : stop + (order - 1) * delay]
        perm = np.argsort(_embed(block, order, delay), axis=1, kind="stable")
        # Lehmer digit c_i = #{j > i : perm_j < perm_i}; rank = sum_i c_i (m-1-i)!
        digits = (upper & (perm[:, None, :] < perm[:, :, None])).sum(axis=2)
        codes[start:stop] = digits @ weights
    return codes


def _check_order_delay(x, order, delay, max_order=_MAX_ORDER) -> tuple[np.ndarray, int, int]:
    order = as_int(order, name="order", minimum=2, maximum=max_order)
    delay = as_int(delay, name="delay", minimum=1)
    a = as_series(x)
    if a.size - (order - 1) * delay < 1:
        raise ValueError(
            f"x is too short for order={order}, delay={delay}: needs at least "
            f"{(order - 1) * delay + 1} samples, got {a.size}"
        )
    return a, order, delay


def ordinal_pattern_counts(x, order: int = 3, delay: int = 1) -> np.ndarray:
    """Number of delay windows of ``x`` showing each ordinal pattern (Bandt & Pompe 2002).

    Returns an int array of length ``order!``; entry k counts the windows
    ``(x_t, x_{t+delay}, ..., x_{t+(order-1)delay})``, t = 0..N-1-(order-1)delay, whose
    pattern is row k of `ordinal_patterns(order)` (the lexicographic order of
    ``itertools.permutations``). ``order`` in [2, 8]. A zero entry is a *forbidden pattern*
    when the series is long: e.g. the logistic map at r = 4 never shows the strictly
    decreasing pattern of order 3 (the last entry).

    Parameters
    ----------
    x : array_like, shape (N,)
        Scalar series, finite.
    order : int, default 3
        Pattern length, in [2, 8].
    delay : int, default 1
        Delay between the samples of a window, >= 1.

    Returns
    -------
    numpy.ndarray of int, shape (order!,)
        Count of each pattern, in the order of `ordinal_patterns`.
    """
    a, order, delay = _check_order_delay(x, order, delay, max_order=8)
    codes = _pattern_codes(a, order, delay)
    return np.bincount(codes, minlength=math.factorial(order))


def ordinal_probabilities(x, order: int = 3, delay: int = 1) -> np.ndarray:
    """Relative frequencies of the ordinal patterns, `ordinal_pattern_counts` / their sum.

    The probability of pattern k is ``n_k / sum_j n_j`` with ``n_k`` its count (Bandt & Pompe,
    Phys. Rev. Lett. 88, 174102 (2002)).

    Parameters
    ----------
    x : array_like, shape (N,)
        Scalar series, finite.
    order : int, default 3
        Pattern length, in [2, 8].
    delay : int, default 1
        Delay between the samples of a window, >= 1.

    Returns
    -------
    numpy.ndarray, shape (order!,)
        Relative frequency of each pattern, in the order of `ordinal_patterns`.
    """
    counts = ordinal_pattern_counts(x, order, delay)
    return counts / counts.sum()


# --------------------------------------------------------------------------- distribution entropies


def shannon_entropy(p, base: float = math.e) -> float:
    """Shannon entropy ``H(p) = -sum_i p_i log_b p_i`` (0 log 0 = 0) of a probability vector.

    ``p``: 1-D, non-negative, summing to 1 within 1e-6. Default base e (nats).

    Parameters
    ----------
    p : array_like, shape (K,)
        Probability vector: non-negative, summing to 1.
    base : float, default e
        Base of the logarithm (e: nats, 2: bits).

    Returns
    -------
    float
        H(p).

    References
    ----------
    Shannon, Bell Syst. Tech. J. 27, 379 (1948).
    """
    a = _probabilities(p)
    return float(-_xlogx(a).sum() / _log_base(base))


def renyi_entropy(p, q: float = 2.0, base: float = math.e) -> float:
    """Renyi entropy of order ``q`` >= 0: ``H_q(p) = log_b(sum_i p_i^q) / (1 - q)``.

    Limits: q = 1 is the Shannon entropy, q = 0 is log_b of the number of outcomes with
    p_i > 0 (Hartley), q = inf is ``-log_b max_i p_i`` (min-entropy). Default q = 2
    (collision entropy), base e. Renyi, Proc. 4th Berkeley Symp. 1, 547 (1961).

    Parameters
    ----------
    p : array_like, shape (K,)
        Probability vector: non-negative, summing to 1.
    q : float, default 2.0
        Order, >= 0 (``math.inf`` allowed).
    base : float, default e
        Base of the logarithm.

    Returns
    -------
    float
        H_q(p).
    """
    a = _probabilities(p)
    qf = float(q)
    if np.isnan(qf) or qf < 0:
        raise ValueError(f"q must be >= 0, got {q!r}")
    lb = _log_base(base)
    if qf == 1.0:
        return float(-_xlogx(a).sum() / lb)
    if np.isinf(qf):
        return float(-math.log(a.max()) / lb)
    pos = a[a > 0]
    if qf == 0.0:
        return float(math.log(pos.size) / lb)
    # log-sum-exp for stability at large q
    logs = qf * np.log(pos)
    mx = logs.max()
    return float((mx + math.log(np.exp(logs - mx).sum())) / ((1.0 - qf) * lb))


def tsallis_entropy(p, q: float = 2.0) -> float:
    """Tsallis entropy ``S_q(p) = (1 - sum_i p_i^q) / (q - 1)`` (k = 1), q real.

    q = 1 returns the limit, the Shannon entropy in nats; for q -> 1 S_q tends to it.
    Only outcomes with p_i > 0 enter the sum (so q <= 0 is well defined). Default q = 2.
    Tsallis, J. Stat. Phys. 52, 479 (1988).

    Parameters
    ----------
    p : array_like, shape (K,)
        Probability vector: non-negative, summing to 1.
    q : float, default 2.0
        Entropic index, finite.

    Returns
    -------
    float
        S_q(p).
    """
    a = _probabilities(p)
    qf = as_float(q, name="q")
    pos = a[a > 0]
    if qf == 1.0:
        return float(-_xlogx(pos).sum())
    return float((1.0 - np.sum(pos**qf)) / (qf - 1.0))


def jensen_shannon_divergence(p, q, base: float = math.e):
    """Jensen-Shannon divergence ``JS(p, q) = H(m) - (H(p) + H(q)) / 2``, ``m = (p + q) / 2``.

    Equivalently ``(KL(p||m) + KL(q||m)) / 2``. Symmetric, 0 iff p = q, and bounded by
    log_b 2 (ln 2 in the default nats; 1 bit for base 2). Lin, IEEE Trans. Inf. Theory 37,
    145 (1991). ``p`` and ``q`` are probability vectors along the last axis with the same
    shape; a stack (..., K) gives an array (...) of divergences, a single pair a float.
    Tiny negative round-off is clipped to 0.

    Parameters
    ----------
    p, q : array_like, shape (..., K)
        Probability vectors along the last axis, same shape.
    base : float, default e
        Base of the logarithm.

    Returns
    -------
    float or numpy.ndarray
        JS(p, q): a float for a single pair, an array (...) for stacks.
    """
    a = _probabilities(p, "p", axis_ndim=None)
    b = _probabilities(q, "q", axis_ndim=None)
    if a.shape != b.shape:
        raise ValueError(f"p and q must have the same shape, got {a.shape} and {b.shape}")
    js = _js(a, b) / _log_base(base)
    return float(js) if js.ndim == 0 else js


def _js(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    m = 0.5 * (a + b)
    js = -_xlogx(m).sum(axis=-1) + 0.5 * (_xlogx(a).sum(axis=-1) + _xlogx(b).sum(axis=-1))
    return np.maximum(js, 0.0)


class InstabilitySignal(NamedTuple):
    """Output of `reasoning_instability`.

    ``js[t] = JS(p_t, p_{t+1})`` (length T-1), ``entropy[t] = H(p_t)`` (length T),
    ``total[t] = js[t] + entropy[t + 1]`` (length T-1: the divergence into step t+1 plus the
    entropy of step t+1).

    Attributes
    ----------
    js : numpy.ndarray, shape (T - 1,)
        Jensen-Shannon divergence between consecutive distributions.
    entropy : numpy.ndarray, shape (T,)
        Shannon entropy of each distribution.
    total : numpy.ndarray, shape (T - 1,)
        ``js[t] + entropy[t + 1]``.
    """

    js: np.ndarray
    entropy: np.ndarray
    total: np.ndarray


def reasoning_instability(probs, base: float = math.e) -> InstabilitySignal:
    """Instability signal of a sequence of probability vectors (e.g. next-token distributions).

    ``probs`` has shape (T, K), T >= 2: row t is a probability vector over K outcomes.
    Returns `InstabilitySignal` ``(js, entropy, total)``:

    * ``js[t] = JS(p_t, p_{t+1})`` for t = 0..T-2, the Jensen-Shannon divergence between
      consecutive distributions (see `jensen_shannon_divergence`; in [0, log_b 2]);
    * ``entropy[t] = H(p_t) = -sum_k p_tk log_b p_tk`` for t = 0..T-1;
    * ``total[t] = js[t] + entropy[t+1]``, the sum aligned on the later distribution.

    High values flag steps where the distribution both jumps and is uncertain. Default base e.

    Parameters
    ----------
    probs : array_like, shape (T, K)
        T >= 2 probability vectors, one per row.
    base : float, default e
        Base of the logarithm.

    Returns
    -------
    InstabilitySignal
        ``(js, entropy, total)``.

    References
    ----------
    Lin, IEEE Trans. Inf. Theory 37, 145 (1991) (the Jensen-Shannon divergence).
    """
    a = _probabilities(probs, "probs", axis_ndim=2)
    if a.shape[0] < 2:
        raise ValueError(f"probs needs at least 2 distributions (rows), got {a.shape[0]}")
    lb = _log_base(base)
    js = _js(a[:-1], a[1:]) / lb
    ent = -_xlogx(a).sum(axis=1) / lb
    return InstabilitySignal(js=js, entropy=ent, total=js + ent[1:])


# --------------------------------------------------------------------------- series entropies


def permutation_entropy(x, order: int = 3, delay: int = 1, normalize: bool = True, base: float = math.e) -> float:
    """Permutation entropy (Bandt & Pompe, Phys. Rev. Lett. 88, 174102 (2002)).

    ``H = -sum_pi p(pi) log_b p(pi)`` over the ordinal patterns pi of the delay windows
    ``(x_t, x_{t+delay}, ..., x_{t+(order-1)delay})`` (see `ordinal_pattern_counts`; ties
    broken by time order). With ``normalize=True`` (default) ``H / log(order!)`` in [0, 1]:
    ~1 for i.i.d. noise, exactly 0 for a monotone series. Defaults: order 3, delay 1, base e
    (irrelevant when normalized); order in [2, 10].
    A constant series has a single (tied, hence increasing) pattern and entropy 0, as in
    antropy.

    Difference from ``antropy.perm_entropy``: antropy uses base 2 and ``normalize=False`` by
    default. ``permutation_entropy(x, order, delay, normalize=n, base=2)`` equals
    ``antropy.perm_entropy(x, order, delay, normalize=n)`` (same tie rule).

    Parameters
    ----------
    x : array_like, shape (N,)
        Scalar series, finite.
    order : int, default 3
        Pattern length, in [2, 10].
    delay : int, default 1
        Delay between the samples of a window, >= 1.
    normalize : bool, default True
        Divide by log(order!) so that the result lies in [0, 1].
    base : float, default e
        Base of the logarithm (irrelevant when normalized).

    Returns
    -------
    float
        The permutation entropy.
    """
    a, order, delay = _check_order_delay(x, order, delay)
    lb = _log_base(base)
    counts = np.bincount(_pattern_codes(a, order, delay))
    p = counts[counts > 0] / counts.sum()
    h = float(-(p * np.log(p)).sum())
    if normalize:
        return float(min(max(h / math.log(math.factorial(order)), 0.0), 1.0))
    return h / lb


def _pair_count(templates: np.ndarray, tol: float) -> int:
    """Number of unordered pairs i < j with Chebyshev distance <= tol."""
    tree = cKDTree(templates)
    # count_neighbors counts ordered pairs including i == j
    n_ordered = int(tree.count_neighbors(tree, tol, p=np.inf))
    return (n_ordered - templates.shape[0]) // 2


def _sampen_counts(x: np.ndarray, m: int, tol: float) -> tuple[int, int]:
    """(A, B): matching pairs of length m+1 and m among the first N-m templates."""
    n = x.size - m
    b = _pair_count(_embed(x, m, 1, n), tol)
    a = _pair_count(_embed(x, m + 1, 1, n), tol)
    return a, b


def sample_entropy(x, order: int = 2, r: float = 0.2, *, tolerance=None, ddof: int = 0) -> float:
    """Sample entropy SampEn(m, r, N) (Richman & Moorman, Am. J. Physiol. 278, H2039 (2000)).

    ``SampEn = -ln(A / B)``: B is the number of pairs i < j of templates
    ``(x_i, ..., x_{i+m-1})``, i = 0..N-m-1 (the same N - m templates for both lengths), at
    Chebyshev distance <= tol, and A the number of those pairs that still match at length
    m + 1. Self-matches are excluded. ``m = order`` (default 2); ``tol = r * std(x, ddof)``
    with default ``r = 0.2`` and ``ddof = 0``, or the absolute ``tolerance`` if given. Natural
    log. Computed with ``scipy.spatial.cKDTree.count_neighbors`` (Chebyshev norm).

    Returns ``inf`` when B > 0 but A = 0 (no match at length m + 1; as antropy). Raises
    ValueError when the series is constant, shorter than m + 2, or B = 0 (undefined).

    Matching ``antropy.sample_entropy(x, order, tolerance=None)``: antropy's default tolerance
    is ``0.2 * np.std(x)`` (ddof 0), our defaults; it uses the same N - m templates. Its numba
    path (N < 5000) counts distances ``< r``, its KDTree path ``<= r``: identical unless
    two template distances equal r exactly (ties, e.g. integer-valued data).

    Parameters
    ----------
    x : array_like, shape (N,)
        Scalar series, finite.
    order : int, default 2
        Template length m, >= 1.
    r : float, default 0.2
        Tolerance as a fraction of the standard deviation of ``x``, > 0.
    tolerance : float, optional
        Absolute tolerance (overrides ``r``), > 0.
    ddof : int, default 0
        Delta degrees of freedom of the standard deviation.

    Returns
    -------
    float
        SampEn (``inf`` when no template pair matches at length m + 1).
    """
    order = as_int(order, name="order", minimum=1)
    a = as_series(x, min_length=order + 2)
    tol = _tolerance(a, r, tolerance, ddof)
    na, nb = _sampen_counts(a, order, tol)
    if nb == 0:
        raise ValueError(
            f"sample entropy undefined: no pair of templates of length {order} matches within "
            f"tolerance {tol:.3g} (increase r or the series length)"
        )
    if na == 0:
        return math.inf
    return float(-math.log(na / nb))


def approximate_entropy(x, order: int = 2, r: float = 0.2, *, tolerance=None, ddof: int = 0) -> float:
    """Approximate entropy ApEn(m, r, N) (Pincus, PNAS 88, 2297 (1991)).

    ``ApEn = Phi^m(r) - Phi^{m+1}(r)`` with
    ``Phi^m(r) = (N-m+1)^-1 sum_i ln C_i^m(r)`` and ``C_i^m(r)`` the fraction of the
    N - m + 1 templates of length m within Chebyshev distance <= tol of template i
    (self-match included, so C_i > 0). ``m = order`` (default 2); ``tol = r * std(x, ddof)``
    (default ``r = 0.2``, ``ddof = 0``) or the absolute ``tolerance``. Natural log. Computed
    with ``cKDTree.query_ball_point(..., p=inf, return_length=True)``.

    The definition coincides with ``antropy.app_entropy(x, order, tolerance=None)`` (same
    template counts N - m + 1 and N - m, ``<=`` tolerance, ddof 0, natural log). Raises
    ValueError for a constant series or one shorter than m + 2.

    Parameters
    ----------
    x : array_like, shape (N,)
        Scalar series, finite.
    order : int, default 2
        Template length m, >= 1.
    r : float, default 0.2
        Tolerance as a fraction of the standard deviation of ``x``, > 0.
    tolerance : float, optional
        Absolute tolerance (overrides ``r``), > 0.
    ddof : int, default 0
        Delta degrees of freedom of the standard deviation.

    Returns
    -------
    float
        ApEn.
    """
    order = as_int(order, name="order", minimum=1)
    a = as_series(x, min_length=order + 2)
    tol = _tolerance(a, r, tolerance, ddof)
    phi = []
    for m in (order, order + 1):
        emb = _embed(a, m)
        c = cKDTree(emb).query_ball_point(emb, tol, p=np.inf, return_length=True)
        phi.append(float(np.mean(np.log(c / emb.shape[0]))))
    return phi[0] - phi[1]


def _coarse_grain(x: np.ndarray, scale: int) -> np.ndarray:
    n = x.size // scale
    return x[: n * scale].reshape(n, scale).mean(axis=1)


def multiscale_entropy(x, scales=10, order: int = 2, r: float = 0.15, *, tolerance=None, ddof: int = 0) -> np.ndarray:
    """Multiscale entropy (Costa, Goldberger & Peng, Phys. Rev. Lett. 89, 068102 (2002)).

    For each scale tau the series is coarse-grained into non-overlapping window means
    ``y_j = tau^-1 sum_{i=(j-1)tau+1}^{j tau} x_i`` and ``SampEn(m, tol)`` of y is computed
    (see `sample_entropy`), with the tolerance fixed from the *original* series:
    ``tol = r * std(x, ddof)`` (Costa's choice, default ``r = 0.15``, ``ddof = 0``) or the
    absolute ``tolerance``. ``scales`` is an int S (scales 1..S, default 10) or a sequence of
    positive ints. Returns an array of SampEn values, one per scale; a scale where no
    template pair matches at length m + 1 gives inf. Raises ValueError if the coarsest
    series is shorter than m + 2 samples, if B = 0 at some scale, or for a constant series.

    White noise: MSE decreases with scale; 1/f noise: roughly constant (Costa 2002).
    antropy has no multiscale entropy; each value equals
    ``antropy.sample_entropy(coarse_grained, order, tolerance=tol)`` up to the ``<`` vs ``<=``
    tie rule of `sample_entropy`.

    Parameters
    ----------
    x : array_like, shape (N,)
        Scalar series, finite.
    scales : int or sequence of int, default 10
        S (scales 1 .. S) or the scales themselves, each >= 1.
    order : int, default 2
        Template length m, >= 1.
    r : float, default 0.15
        Tolerance as a fraction of the standard deviation of ``x``, > 0.
    tolerance : float, optional
        Absolute tolerance (overrides ``r``), > 0.
    ddof : int, default 0
        Delta degrees of freedom of the standard deviation.

    Returns
    -------
    numpy.ndarray, shape (n_scales,)
        SampEn of the coarse-grained series at each scale.
    """
    order = as_int(order, name="order", minimum=1)
    a = as_series(x, min_length=order + 2)
    if isinstance(scales, (int, np.integer)) and not isinstance(scales, bool):
        scale_list = list(range(1, as_int(scales, name="scales", minimum=1) + 1))
    else:
        scale_list = [as_int(s, name="scale", minimum=1) for s in np.atleast_1d(scales).tolist()]
        if not scale_list:
            raise ValueError("scales must not be empty")
    tol = _tolerance(a, r, tolerance, ddof)
    s_max = max(scale_list)
    if a.size // s_max < order + 2:
        raise ValueError(
            f"x is too short for scale {s_max}: {a.size // s_max} coarse-grained samples, needs at least {order + 2}"
        )
    out = np.empty(len(scale_list))
    for k, s in enumerate(scale_list):
        y = _coarse_grain(a, s)
        na, nb = _sampen_counts(y, order, tol)
        if nb == 0:
            raise ValueError(f"sample entropy undefined at scale {s}: no template pair matches")
        out[k] = math.inf if na == 0 else -math.log(na / nb)
    return out


def spectral_entropy(
    x,
    method: str = "fft",
    nperseg: int | None = None,
    normalize: bool = True,
    base: float = math.e,
) -> float:
    """Spectral entropy: Shannon entropy of the normalized power spectrum (Inouye et al.,
    Electroencephalogr. Clin. Neurophysiol. 79, 204 (1991)).

    ``P_k = S_k / sum_j S_j`` over the one-sided spectrum ``S`` of ``scipy.signal.periodogram``
    (``method='fft'``, default; constant detrend, boxcar window) or ``scipy.signal.welch``
    (``method='welch'``, ``nperseg``), all K bins including DC and Nyquist;
    ``H = -sum_k P_k log_b P_k``. With ``normalize=True`` (default) ``H / log K`` in [0, 1]:
    ~1 for white noise, ~0 for a pure sine whose period divides the record.

    Difference from ``antropy.spectral_entropy(x, sf, method, nperseg, normalize)``: antropy
    uses base 2 and ``normalize=False`` by default, and takes a sampling frequency ``sf``
    that does not affect the value; with ``base=2`` (or normalized) the two are the same
    computation. Raises ValueError for a constant series (zero spectrum) or fewer than 4
    samples.

    Parameters
    ----------
    x : array_like, shape (N,)
        Scalar series, finite.
    method : {"fft", "welch"}, default "fft"
        Periodogram or Welch's averaged periodogram.
    nperseg : int, optional
        Segment length for Welch's method (default: scipy's).
    normalize : bool, default True
        Divide by log K so that the result lies in [0, 1].
    base : float, default e
        Base of the logarithm (irrelevant when normalized).

    Returns
    -------
    float
        The spectral entropy.
    """
    a = as_series(x, min_length=4)
    if method == "fft":
        _, psd = periodogram(a)
    elif method == "welch":
        if nperseg is not None:
            nperseg = as_int(nperseg, name="nperseg", minimum=2, maximum=a.size)
        _, psd = welch(a, nperseg=nperseg)
    else:
        raise ValueError(f"method must be 'fft' or 'welch', got {method!r}")
    total = psd.sum()
    if not total > 0:
        raise ValueError("x is constant: its power spectrum is zero and the entropy is undefined")
    h = float(-_xlogx(psd / total).sum())
    if normalize:
        return h / math.log(psd.size)
    return h / _log_base(base)
