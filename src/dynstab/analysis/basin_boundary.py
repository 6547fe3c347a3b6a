r"""Measures of the basin boundary on a grid of labels: basin entropy, uncertainty exponent (box counting).

Both take any integer array of labels (one per initial condition, e.g. ``Basins.labels`` of
`dynstab.analysis.basins.basins_of_attraction`) and cover it with non-overlapping boxes of
:math:`\varepsilon` cells per side (the remainder of the grid is cropped). NumPy only.

Basin entropy (A. Daza, A. Wagemakers, B. Georgeot, D. Guery-Odelin and M. A. F. Sanjuan,
Sci. Rep. 6, 31416 (2016))
-------------------------------------------------------------------------------------------
The grid of labels is covered by non-overlapping boxes of :math:`\varepsilon \times \varepsilon`
cells; in box i with label frequencies :math:`p_{i,j}` the Gibbs entropy is
:math:`S_i = \sum_j p_{i,j} \ln(1/p_{i,j})`. The basin entropy is the mean over all N boxes,
:math:`S_b = \frac1N \sum_i S_i`, and the boundary basin entropy the mean over the
:math:`N_b` boxes that contain more than one label, :math:`S_{bb} = \frac1{N_b} \sum_i S_i`
(natural logarithm, as in the paper). :math:`S_{bb} > \ln 2` is their sufficient condition for
a fractal boundary. Diverged (-1) and undetermined (-2) initial conditions count as outcomes.

Uncertainty exponent (C. Grebogi, S. W. McDonald, E. Ott and J. A. Yorke, Phys. Lett. A 99,
415 (1983))
-----------------------------------------------------------------------------------------------
The fraction of :math:`\varepsilon`-uncertain initial conditions scales as
:math:`f(\varepsilon) \sim \varepsilon^\alpha`, with :math:`\alpha = D - d_{boundary}`. On the
grid, :math:`f(\varepsilon)` is the fraction of :math:`\varepsilon`-boxes that contain more than
one label (box counting of the boundary, as in Attractors.jl's ``uncertainty_exponent``), and
:math:`\alpha` is the least-squares slope of :math:`\ln f` against :math:`\ln \varepsilon`.
A smooth boundary gives :math:`\alpha = 1`; :math:`\alpha < 1` means final-state sensitivity.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..validation import as_int

__all__ = ["basin_entropy", "uncertainty_exponent"]


def _boxes(labels: np.ndarray, eps: int) -> np.ndarray:
    """Labels of the non-overlapping eps^n boxes, shape (n_boxes, eps^n) (the remainder is cropped)."""
    n = labels.ndim
    crop = tuple(slice(0, (s // eps) * eps) for s in labels.shape)
    a = labels[crop]
    shape = []
    for s in a.shape:
        shape += [s // eps, eps]
    a = a.reshape(shape)
    a = a.transpose(list(range(0, 2 * n, 2)) + list(range(1, 2 * n, 2)))
    return a.reshape(-1, eps**n)


def _check_labels(labels: Any, what: str) -> np.ndarray:
    """The labels as an integer array (floats holding integers are converted); ``what`` names the caller."""
    lab = np.asarray(labels)
    if lab.ndim < 1 or lab.size == 0:
        raise ValueError(f"{what} needs a non-empty array of basin labels (e.g. Basins.labels), got shape {lab.shape}")
    if not np.issubdtype(lab.dtype, np.integer):
        if not np.all(np.isfinite(lab)) or np.any(lab != np.round(lab)):
            raise ValueError(f"{what}: labels must be integers (one per initial condition)")
        lab = lab.astype(np.int64)
    return lab


def basin_entropy(labels: Any, eps: int = 5) -> tuple[float, float]:
    r"""Basin entropy S_b and boundary basin entropy S_bb of a grid of labels (Daza et al. 2016).

    Non-overlapping boxes of ``eps`` cells per side; :math:`S_i = \sum_j p_{i,j} \ln(1/p_{i,j})` in
    box i; S_b = mean of S_i over all boxes, S_bb = mean over the boxes holding more than one label
    (natural log). S_bb > ln 2 is Daza et al.'s sufficient condition for a fractal boundary.
    Diverged (-1) and undetermined (-2) initial conditions count as outcomes.

    Parameters
    ----------
    labels : array_like of int
        Grid of basin labels, one per initial condition (e.g. ``Basins.labels``); any number of
        dimensions. Floats are accepted if they hold integers.
    eps : int, default 5
        Box size in cells per side (at least 2 and at most the smallest grid side); the remainder
        of the grid is cropped.

    Returns
    -------
    S_b : float
        Basin entropy, the mean entropy over all boxes.
    S_bb : float
        Boundary basin entropy, the mean over the boxes holding more than one label (0.0 if none).

    Raises
    ------
    ValueError
        If ``labels`` is empty or not integer-valued, or ``eps`` is out of range.

    References
    ----------
    A. Daza, A. Wagemakers, B. Georgeot, D. Guery-Odelin and M. A. F. Sanjuan, "Basin entropy: a
    new tool to analyze uncertainty in dynamical systems", Sci. Rep. 6, 31416 (2016).
    """
    lab = _check_labels(labels, "basin_entropy")
    eps = as_int(eps, name="eps")
    if eps < 2 or any(s < eps for s in lab.shape):
        raise ValueError(f"eps must be >= 2 and at most the grid size {lab.shape}, got {eps}")
    boxes = _boxes(lab, eps)
    _, inv = np.unique(boxes, return_inverse=True)
    inv = inv.reshape(boxes.shape)
    k = int(inv.max()) + 1
    counts = np.zeros((boxes.shape[0], k))
    np.add.at(counts, (np.repeat(np.arange(boxes.shape[0]), boxes.shape[1]), inv.ravel()), 1.0)
    p = counts / boxes.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        s = -np.sum(np.where(p > 0, p * np.log(p), 0.0), axis=1)
    boundary = np.count_nonzero(counts, axis=1) > 1
    sb = float(s.mean())
    sbb = float(s[boundary].mean()) if boundary.any() else 0.0
    return sb, sbb


def uncertainty_exponent(labels: Any, eps: Any = None) -> tuple[float, np.ndarray, np.ndarray]:
    """Uncertainty exponent alpha from f(eps) ~ eps^alpha (Grebogi, McDonald, Ott & Yorke 1983).

    f(eps): fraction of non-overlapping boxes of ``eps`` cells per side holding more than one
    label (box counting of the boundary); alpha: least-squares slope of ln f against ln eps over
    the sizes with f > 0. A smooth boundary gives alpha = 1; alpha < 1 means final-state sensitivity.

    Parameters
    ----------
    labels : array_like of int
        Grid of basin labels, one per initial condition (e.g. ``Basins.labels``).
    eps : array_like of int, optional
        Box sizes in cells per side, at least two, each between 1 and the smallest grid side.
        Default: about ten log-spaced integer sizes from 2 to a quarter of the smallest grid side.

    Returns
    -------
    alpha : float
        The uncertainty exponent; NaN if fewer than two box sizes have an uncertain box.
    eps : numpy.ndarray of int
        The box sizes used.
    f : numpy.ndarray
        Fraction of uncertain boxes at each size.

    Raises
    ------
    ValueError
        If ``labels`` is empty or not integer-valued, or ``eps`` has fewer than two valid sizes.

    References
    ----------
    C. Grebogi, S. W. McDonald, E. Ott and J. A. Yorke, "Final state sensitivity: an obstruction
    to predictability", Phys. Lett. A 99, 415 (1983).
    """
    lab = _check_labels(labels, "uncertainty_exponent")
    if eps is None:
        top = max(3, min(lab.shape) // 4)
        eps = np.unique(np.round(np.geomspace(2, top, 10)).astype(int))
    eps = np.asarray([as_int(e, name="each of eps") for e in np.ravel(eps).tolist()], dtype=int)
    if eps.size < 2 or np.any(eps < 1) or np.any(eps > min(lab.shape)):
        raise ValueError(f"eps needs >= 2 box sizes between 1 and {min(lab.shape)} cells, got {eps.tolist()}")
    f = np.empty(eps.size)
    for i, e in enumerate(eps):
        boxes = _boxes(lab, int(e))
        f[i] = np.mean(np.any(boxes != boxes[:, :1], axis=1))
    ok = f > 0
    if ok.sum() < 2:
        return math.nan, eps, f
    alpha = float(np.polyfit(np.log(eps[ok]), np.log(f[ok]), 1)[0])
    return alpha, eps, f
