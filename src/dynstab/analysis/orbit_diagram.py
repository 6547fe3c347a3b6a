r"""Orbit (bifurcation) diagrams of maps, period detection and the location of period changes.

Orbit diagram
-------------
For every value :math:`p_j` of one parameter the map :math:`x_{n+1} = f(x_n; p_j)` is iterated
from :math:`x_0` for ``transient`` steps, which are discarded, and the next ``n_keep`` states
(or one coordinate of them) are kept: the asymptotic set of the orbit plotted against
:math:`p_j` is the classic diagram (R. M. May, Nature 261, 459 (1976); M. J. Feigenbaum,
J. Stat. Phys. 19, 25 (1978); ChaosTools.jl's ``orbitdiagram``, Datseris, J. Open Source Softw.
3, 598 (2018)). All parameter values run in ONE compiled call: ``jax.vmap`` over the values of a
``lax.fori_loop`` (transient) followed by a ``lax.scan`` (kept iterations).

An orbit that leaves the finite numbers, or whose state exceeds ``bound`` in absolute value,
is frozen at its last admissible state and its parameter value is flagged in ``diverged``
(its kept points are NaN); a warning lists the flagged parameter ranges. Nothing is dropped.

Flows have no orbit diagram of their own: pass a Poincare or stroboscopic map of the flow
(``dynstab.systems.derived.PoincareMap`` / ``StroboscopicMap``), or ``plane=`` to build the
Poincare map here.

Periods and period changes
--------------------------
`detect_periods` gives the smallest shift :math:`p \le p_{max}` with
:math:`\max_k |x_{k+p} - x_k| \le \mathrm{tol}\,\max(1, \max_k |x_k|)` for every row of kept
points (0: no period up to :math:`p_{max}`, i.e. chaotic, quasi-periodic or not yet
converged; -1: diverged). For a period-p orbit this is the number of distinct values in the
row (the count used by eye on the diagram).

`period_changes` scans a parameter interval with a batched diagram, brackets every change of
the detected period and refines all brackets together by k-section (each round evaluates
``k`` interior values of every bracket in one batched call). Every change found inside a bracket
is kept as a bracket of its own (a window narrower than the scan's step holds a whole cascade:
the logistic map's period-4 window at r = 3.9601 goes 0 -> 4 -> 8 -> 16 -> ... between two scan
values, which refining only the first change reported as "0 -> 4" and "8 -> 16"). Near a
window's tangent bifurcation the orbit is intermittent and the detected period flickers between
the window's period and 0 over ~1e-7; back-and-forth pairs A -> B -> A closer than 1e-3 of the
scan's step are dropped as such flicker (windows that narrow are below the scan's resolution). Near a period doubling the orbit
converges slowly (critical slowing down: the multiplier tends to -1, so the distance to the
cycle decays like :math:`|\mu|^n`, and only like :math:`n^{-1/2}` at the bifurcation), so the
refinement uses a long transient (default :math:`10^5`) and a tolerance well above the residual
it leaves; the error of the located point is then about :math:`\ln(1/\mathrm{tol}) / (c\,n)` with
:math:`c = |d\mu/dp|`, far below :math:`10^{-4}` for the logistic cascade. `period_doubling_points`
keeps the changes p -> 2p. For the logistic map the exact values are :math:`r_1 = 3`,
:math:`r_2 = 1 + \sqrt 6`, :math:`r_3 = 3.544090...` (Feigenbaum 1978) and the period-3 window
opens at :math:`1 + \sqrt 8` (tangent bifurcation; P. Saha and S. H. Strogatz, Math. Mag. 68,
42 (1995)).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from .._precision import float64
from ..systems.base import Flow, Map, System, as_state, check_system
from ..systems.derived import PoincareMap
from ..validation import InvalidTypeError, as_finite_array, as_float, as_int, as_positive_float

__all__ = [
    "OrbitDiagram",
    "OrbitDivergedWarning",
    "orbit_diagram",
    "detect_periods",
    "period_changes",
    "period_doubling_points",
    "PeriodChange",
]


#: Most sub-brackets one bracket splits into per round of `period_changes` (every change it holds).
MAX_SPLIT = 64
#: Parameter values per compiled call (one compiled shape serves every number of values).
CHUNK = 256
#: Back-and-forth changes (A -> B -> A) within this fraction of the scan's step are flicker, not windows.
FLICKER_STEPS = 1e-3


class OrbitDivergedWarning(RuntimeWarning):
    """Some parameter values of an orbit diagram gave orbits that left the domain (non-finite or beyond ``bound``)."""


def _ranges(values: np.ndarray, mask: np.ndarray) -> list[tuple[float, float]]:
    """Contiguous runs of ``mask`` (in the order of ``values``) as (first, last) value pairs."""
    out: list[tuple[float, float]] = []
    idx = np.flatnonzero(mask)
    if idx.size == 0:
        return out
    start = prev = int(idx[0])
    for i in idx[1:]:
        i = int(i)
        if i != prev + 1:
            out.append((float(values[start]), float(values[prev])))
            start = i
        prev = i
    out.append((float(values[start]), float(values[prev])))
    return out


@dataclass(frozen=True, eq=False)
class OrbitDiagram:
    """The result of `orbit_diagram`.

    Attributes
    ----------
    values : numpy.ndarray
        Parameter values, shape (n_values,).
    points : numpy.ndarray
        Kept points, shape (n_values, n_keep) for one coordinate (``index``) or
        (n_values, n_keep, d) for all (``index=None``); NaN where diverged.
    diverged : numpy.ndarray
        Bool, shape (n_values,): the orbit left the finite numbers or ``bound``.
    diverged_at : numpy.ndarray
        Iteration at which it did, shape (n_values,) (-1 if it did not).
    param : str
        Name of the varied parameter.
    index : int or None
        The kept coordinate, or None for all.
    system_name : str
        Name of the system.
    names : tuple of str
        Variable names.
    settings : dict
        The run's settings (``n_keep``, ``transient``, ``bound``, ``kind``).
    """

    values: np.ndarray
    points: np.ndarray
    diverged: np.ndarray
    diverged_at: np.ndarray
    param: str
    index: int | None
    system_name: str
    names: tuple[str, ...]
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def diverged_ranges(self) -> list[tuple[float, float]]:
        """Parameter ranges (first, last value, in the order of ``values``) where the orbit diverged."""
        return _ranges(self.values, self.diverged)

    def periods(self, tol: float = 1e-6, max_period: int | None = None) -> np.ndarray:
        """`detect_periods` of the kept points (0: none found, -1: diverged).

        Parameters
        ----------
        tol : float, default 1e-6
            Relative tolerance of the comparison.
        max_period : int, optional
            Largest period tried (default n_keep // 2).

        Returns
        -------
        numpy.ndarray
            Integers, shape (n_values,).
        """
        return detect_periods(self.points, tol=tol, max_period=max_period)

    def to_xarray(self):
        import xarray as xr

        dims = (self.param, "n") if self.points.ndim == 2 else (self.param, "n", "variable")
        coords: dict[str, Any] = {self.param: self.values, "n": np.arange(self.points.shape[1])}
        if self.points.ndim == 3:
            coords["variable"] = list(self.names)
        return xr.Dataset(
            {
                "points": (dims, self.points),
                "diverged": ((self.param,), self.diverged),
                "diverged_at": ((self.param,), self.diverged_at),
            },
            coords=coords,
            attrs={
                "system": self.system_name,
                "param": self.param,
                "kind": "orbit diagram",
                "variable": "all" if self.index is None else self.names[self.index],
                **{k: v for k, v in self.settings.items() if isinstance(v, (int, float, str))},
            },
        )

    def to_dict(self, points: bool = False, tol: float = 1e-6) -> dict[str, Any]:
        """JSON-ready summary: settings, diverged ranges, detected periods (and the points if asked).

        Parameters
        ----------
        points : bool, default False
            Also include the parameter values and the kept points (None where not finite).
        tol : float, default 1e-6
            Tolerance of the period detection (`periods`).

        Returns
        -------
        dict
            The summary.
        """
        per = self.periods(tol)
        out: dict[str, Any] = {
            "system": self.system_name,
            "param": self.param,
            "variable": None if self.index is None else self.names[self.index],
            "range": [float(self.values.min()), float(self.values.max())],
            "n_values": int(self.values.size),
            **{k: v for k, v in self.settings.items() if isinstance(v, (int, float, str, type(None)))},
            "n_diverged": int(self.diverged.sum()),
            "diverged_ranges": [list(r) for r in self.diverged_ranges],
            "periods": {"tol": tol, "values": [int(p) for p in per]},
        }
        if points:
            out["values"] = self.values.tolist()
            out["points"] = np.where(np.isfinite(self.points), self.points, None).tolist()  # type: ignore[call-overload]
        return out

    def plot(self, ax=None, *, variable: int = 0, s: float = 0.05, color: str = "k"):
        """The classic diagram: kept points against the parameter; diverged ranges shaded red.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes to draw on; default a new figure.
        variable : int, default 0
            Coordinate plotted when all were kept (``index=None``); ignored otherwise.
        s : float, default 0.05
            Marker size.
        color : str, default "k"
            Marker colour.

        Returns
        -------
        matplotlib.figure.Figure
            The figure holding the axes.
        """
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(8, 5)) if ax is None else (ax.figure, ax)
        pts = self.points if self.points.ndim == 2 else self.points[:, :, variable]
        xs = np.repeat(self.values, pts.shape[1])
        ys = pts.ravel()
        ok = np.isfinite(ys)
        ax.scatter(xs[ok], ys[ok], s=s, c=color, lw=0, alpha=0.6, rasterized=True)
        step = float(np.median(np.abs(np.diff(self.values)))) if self.values.size > 1 else 0.0
        for k, (a, b) in enumerate(self.diverged_ranges):
            lo, hi = min(a, b), max(a, b)
            ax.axvspan(
                lo - step / 2,
                hi + step / 2,
                color="crimson",
                alpha=0.15,
                lw=0,
                label="orbit diverged" if k == 0 else None,
            )
        if self.diverged.any():
            ax.legend(loc="best", fontsize=8)
        ax.set_xlabel(self.param)
        var = self.index if self.index is not None else variable
        ax.set_ylabel(self.names[var] if var < len(self.names) else f"x{var + 1}")
        ax.set_title(f"{self.system_name}: orbit diagram")
        if fig.get_layout_engine() is None:  # a caller's constrained layout stays
            fig.tight_layout()
        return fig

    def __repr__(self) -> str:
        lo, hi = float(self.values.min()), float(self.values.max())
        extra = f", {int(self.diverged.sum())} diverged" if self.diverged.any() else ""
        return (
            f"OrbitDiagram({self.system_name!r}, {self.param} in [{lo:g}, {hi:g}], "
            f"{self.values.size} values x {self.points.shape[1]} points{extra})"
        )


# --- the compiled kernel ------------------------------------------------------------------
@eqx.filter_jit
def _orbit_kernel(system: System, param: str, values, x0s, n_transient: int, n_keep: int, bound, index):
    """Per parameter value: kept states (or coordinate ``index``), diverged flag, first bad iteration."""

    def one(v, x0):
        p = dict(system.params)
        p[param] = v.astype(p[param].dtype)

        def step(carry):
            x, n, bad, first = carry
            xn = system.rhs(x, p, n)
            now = ~(jnp.all(jnp.isfinite(xn)) & jnp.all(jnp.abs(xn) <= bound))
            first = jnp.where(bad | ~now, first, n + 1.0)
            bad = bad | now
            return jnp.where(bad, x, xn), n + 1.0, bad, first

        carry = (x0, jnp.zeros((), x0.dtype), jnp.zeros((), bool), -jnp.ones((), x0.dtype))
        if n_transient:
            carry = jax.lax.fori_loop(0, n_transient, lambda i, c: step(c), carry)

        def keep(c, _):
            c = step(c)
            return c, (c[0] if index is None else c[0][index])

        carry, xs = jax.lax.scan(keep, carry, None, length=n_keep)
        return xs, carry[2], carry[3]

    return jax.vmap(one)(values, x0s)


def _as_map(system: Any, plane: Any, caller: str) -> Map:
    """The map whose orbits are diagrammed: the system itself, or a flow's Poincare map through ``plane``."""
    check_system(system, caller, expected="a dynstab Map (or a Flow with plane=)")
    if not system.continuous_time:
        if plane is not None:
            raise ValueError(f"{caller}: plane= is only for flows; {system.name} is already a map")
        return system
    if system.stochastic or not system.finite_dimensional:
        raise TypeError(
            f"{caller}: {system.name} is a {system.kind}; orbit diagrams are for maps (and flows "
            "through a Poincare or stroboscopic map)"
        )
    if plane is None:
        raise TypeError(
            f"{caller}: {system.name} is a flow; an orbit diagram needs a map. Pass plane= (the Poincare "
            "section) to build one here, or wrap it first, e.g. dynstab.systems.PoincareMap(flow, plane) "
            "or StroboscopicMap(forced_flow, period)"
        )
    return PoincareMap(system, plane)


def _check_param(system: System, param: str, caller: str) -> None:
    if not isinstance(param, str):
        raise TypeError(f"{caller}: param must be a parameter name (str), got {type(param).__name__}")
    if param not in system.params:
        import difflib

        hint = difflib.get_close_matches(param, list(system.params), n=1)
        raise KeyError(
            f"{system.name} has no parameter {param!r}; its parameters are {sorted(system.params)}"
            + (f" (did you mean {hint[0]!r}?)" if hint else "")
        )
    if system.params[param].ndim != 0:
        raise ValueError(f"{caller}: parameter {param!r} of {system.name} is an array; sweep a scalar parameter")


@float64
def orbit_diagram(
    system: Map | Flow,
    param: str,
    values: Any,
    *,
    n_keep: int = 100,
    transient: int = 1000,
    index: int | None = 0,
    x0: Any = None,
    bound: float = 1e12,
    plane: Any = None,
    warn: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> OrbitDiagram:
    """Orbit (bifurcation) diagram of a map over the values of one parameter, in one compiled call.

    For each value p_j: iterate x_{n+1} = f(x_n; p_j) from ``x0`` (default ``system.x0``; or one
    state per value, shape (n_values, d)) for ``transient`` steps, then keep ``n_keep`` states
    (coordinate ``index``, or all coordinates with ``index=None``). May (1976); Feigenbaum (1978);
    ChaosTools.jl ``orbitdiagram`` (Datseris 2018).

    Orbits that become non-finite or exceed ``bound`` in absolute value are reported in
    ``.diverged`` (their points are NaN) and listed in an `OrbitDivergedWarning` (``warn=False``
    silences it); they are never dropped. A `Flow` needs a Poincare or stroboscopic map
    (``plane=`` builds a ``PoincareMap``).

    Parameters
    ----------
    system : Map or Flow
        The map (a flow needs ``plane``).
    param : str
        Name of the parameter to sweep.
    values : array_like
        The parameter values, 1-D.
    n_keep : int, default 100
        States kept per value after the transient.
    transient : int, default 1000
        Iterations discarded per value.
    index : int or None, default 0
        The coordinate kept, or None for all coordinates.
    x0 : array_like, optional
        Initial state, shape (d,), or one per value, shape (n_values, d); default ``system.x0``.
    bound : float, default 1e12
        An orbit whose state exceeds it in absolute value counts as diverged.
    plane : tuple, optional
        For a flow: the Poincaré plane of the map to diagram (as for `PoincareMap`).
    warn : bool, default True
        Emit an `OrbitDivergedWarning` listing the diverged parameter ranges.
    progress : callable, optional
        ``progress(done, total)``: parameter values finished and their number, called after each
        compiled chunk of 256 values; an exception it raises (KeyboardInterrupt) stops there.

    Returns
    -------
    OrbitDiagram
        The kept points (NaN where diverged) with the divergence flags.

    References
    ----------
    R. M. May, Nature 261, 459 (1976); M. J. Feigenbaum, J. Stat. Phys. 19, 25 (1978); ChaosTools.jl's
    ``orbitdiagram`` (G. Datseris, J. Open Source Softw. 3, 598 (2018)).

    Examples
    --------
    >>> import numpy as np, dynstab
    >>> od = orbit_diagram(dynstab.systems.get("logistic"), "r", np.linspace(2.5, 4, 1000))
    >>> od.points.shape
    (1000, 100)
    """
    system = _as_map(system, plane, "orbit_diagram")
    _check_param(system, param, "orbit_diagram")
    try:
        vals = as_finite_array(values, name="values")
    except InvalidTypeError:
        raise
    except ValueError as exc:  # NaN or inf: the shared message gives the count and the first index
        raise ValueError(f"non-finite parameter values: {exc}") from None
    if vals.ndim == 0:
        vals = vals[None]
    if vals.ndim != 1 or vals.size == 0:
        raise ValueError(f"values must be a non-empty 1-D sequence of parameter values, got shape {vals.shape}")
    n_keep = as_int(n_keep, name="n_keep", minimum=1)
    transient = as_int(transient, name="transient", minimum=0)
    bound = as_positive_float(bound, name="bound")
    d = system.dim
    if index is not None:
        if not isinstance(index, (int, np.integer)) or not -d <= int(index) < d:
            raise ValueError(
                f"index must be an integer in [0, {d}) (the coordinate to keep) or None for all, got {index!r}"
            )
        index = int(index) % d
    x0a = as_state(system.x0 if x0 is None else x0, d)
    if x0a.ndim == 1:
        x0a = np.broadcast_to(x0a, (vals.size, d))
    elif x0a.shape[0] != vals.size:
        raise ValueError(
            f"x0 has {x0a.shape[0]} initial conditions for {vals.size} parameter values; "
            "give one state (d,) or one per value (n_values, d)"
        )
    # values in chunks of one compiled shape (padded with the last value): progress and Ctrl-C between chunks
    parts = []
    for a in range(0, vals.size, CHUNK):
        m = min(CHUNK, vals.size - a)
        take = np.minimum(np.arange(a, a + CHUNK), vals.size - 1)
        out = _orbit_kernel(
            system, param, jnp.asarray(vals[take]), jnp.asarray(x0a[take]), transient, n_keep, float(bound), index
        )
        parts.append([np.asarray(o)[:m] for o in out])
        if progress is not None:
            progress(a + m, vals.size)
    pts, bad, first = (np.concatenate(p) for p in zip(*parts))
    pts, bad, first = np.array(pts), np.asarray(bad), first.astype(np.int64)
    pts[bad] = np.nan
    od = OrbitDiagram(
        values=vals,
        points=pts,
        diverged=bad,
        diverged_at=first,
        param=param,
        index=index,
        system_name=system.name,
        names=tuple(system.names),
        settings={"n_keep": n_keep, "transient": transient, "bound": float(bound), "kind": system.kind},
    )
    if warn and bad.any():
        rng = ", ".join(f"[{a:g}, {b:g}]" if a != b else f"{a:g}" for a, b in od.diverged_ranges[:20])
        more = "" if len(od.diverged_ranges) <= 20 else f" and {len(od.diverged_ranges) - 20} more ranges"
        warnings.warn(
            f"{system.name}: the orbit left the domain (non-finite or |x| > {bound:g}) for "
            f"{int(bad.sum())} of {vals.size} values of {param}: {param} in {rng}{more}; these are "
            "flagged in .diverged and their points are NaN",
            OrbitDivergedWarning,
            stacklevel=2,
        )
    return od


# --- periods ------------------------------------------------------------------------------
def detect_periods(points: Any, tol: float = 1e-6, max_period: int | None = None) -> np.ndarray:
    """Period of the kept orbit for every parameter value.

    The period is the smallest shift :math:`p \\le` ``max_period`` with
    :math:`\\max_k |x_{k+p} - x_k| \\le \\mathrm{tol}\\,\\max(1, \\max_k |x_k|)`; for a period-p orbit
    p equals the number of distinct values in the row.

    Parameters
    ----------
    points : array_like
        Kept points, shape (n_values, n_keep) or (n_values, n_keep, d) (`OrbitDiagram.points`).
    tol : float, default 1e-6
        Relative tolerance of the comparison.
    max_period : int, optional
        Largest period tried (default n_keep // 2).

    Returns
    -------
    numpy.ndarray
        Integers, shape (n_values,): the period, 0 when none is found (chaos, quasi-periodicity, a
        longer period, or an orbit not yet converged) and -1 for rows with non-finite points (diverged).
    """
    x = np.asarray(points, dtype=np.float64)
    if x.ndim == 2:
        x = x[:, :, None]
    if x.ndim != 3:
        raise ValueError(f"points must have shape (n_values, n_keep) or (n_values, n_keep, d), got {x.shape}")
    n_keep = x.shape[1]
    if n_keep < 2:
        raise ValueError("detect_periods needs at least 2 kept points per parameter value")
    tol = as_positive_float(tol, name="tol")
    pmax = n_keep // 2 if max_period is None else as_int(max_period, name="max_period")
    if not 1 <= pmax < n_keep:
        raise ValueError(f"max_period must be in [1, {n_keep - 1}] for {n_keep} kept points, got {max_period}")
    finite = np.all(np.isfinite(x), axis=(1, 2))
    xs = np.where(np.isfinite(x), x, 0.0)
    scale = tol * np.maximum(1.0, np.max(np.abs(xs), axis=(1, 2)))
    period = np.zeros(x.shape[0], dtype=np.int64)
    todo = finite.copy()
    for p in range(1, pmax + 1):
        if not todo.any():
            break
        idx = np.flatnonzero(todo)
        mis = np.max(np.abs(xs[idx, p:] - xs[idx, :-p]), axis=(1, 2))
        hit = idx[mis <= scale[idx]]
        period[hit] = p
        todo[hit] = False
    period[~finite] = -1
    return period


@dataclass(frozen=True)
class PeriodChange:
    """A change of the detected period between ``lower`` and ``upper`` (a bracket narrower than ``xtol``).

    Attributes
    ----------
    value : float
        The bracket midpoint.
    lower, upper : float
        The bracket.
    from_period, to_period : int
        The periods at its ends (0: no period found, -1: diverged).
    """

    value: float
    lower: float
    upper: float
    from_period: int
    to_period: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "lower": self.lower,
            "upper": self.upper,
            "from_period": self.from_period,
            "to_period": self.to_period,
        }


def _drop_flicker(brackets: list[list], gap: float) -> list[list]:
    """Remove back-and-forth pairs A -> B, B -> A closer than ``gap``, until none is left.

    Near a tangent bifurcation (a window's birth) the orbit is intermittent and converges slowly,
    so the detected period flickers between the window's period and 0 over a tiny interval; a real
    sequence of changes never returns to the period it left that fast.
    """
    out = sorted(brackets, key=lambda b: b[0])
    changed = True
    while changed:
        changed = False
        for i in range(len(out) - 1):
            (a0, _, p0, q0), (_, b1, p1, q1) = out[i], out[i + 1]
            if q0 == p1 and q1 == p0 and b1 - a0 < gap:
                del out[i : i + 2]
                changed = True
                break
    return out


@float64
def period_changes(
    system: Map | Flow,
    param: str,
    lo: float,
    hi: float,
    *,
    n_grid: int = 500,
    transient: int = 100_000,
    n_keep: int = 256,
    tol: float = 1e-5,
    xtol: float = 1e-7,
    k: int = 16,
    max_period: int | None = None,
    x0: Any = None,
    bound: float = 1e12,
    plane: Any = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[PeriodChange]:
    """Every change of the detected orbit period over ``param`` in [lo, hi], located to ``xtol``.

    A batched `orbit_diagram` over ``n_grid`` values brackets the changes of `detect_periods`;
    all brackets are then refined together by k-section (``k`` interior values per bracket and
    round, one compiled call per round). The long default ``transient`` absorbs the critical
    slowing down at bifurcations (see the module docstring).

    Parameters
    ----------
    system : Map or Flow
        The map (a flow needs ``plane``).
    param : str
        Name of the parameter.
    lo, hi : float
        The parameter interval.
    n_grid : int, default 500
        Values of the first scan.
    transient : int, default 100000
        Iterations discarded per value.
    n_keep : int, default 256
        States kept per value for `detect_periods`.
    tol : float, default 1e-5
        Tolerance of `detect_periods`.
    xtol : float, default 1e-7
        Width of the final brackets.
    k : int, default 16
        Interior values per bracket and round.
    max_period : int, optional
        Largest period detected (default n_keep // 2).
    x0 : array_like, optional
        Initial state (default ``system.x0``).
    bound : float, default 1e12
        Divergence bound (as in `orbit_diagram`).
    plane : tuple, optional
        For a flow: the Poincaré plane.
    progress : callable, optional
        ``progress(done, total)``: rounds finished (the scan, then each k-section round) and the
        rounds expected, called after each round; an exception it raises (KeyboardInterrupt) stops there.

    Returns
    -------
    list of PeriodChange
        In increasing order of the parameter.
    """
    system = _as_map(system, plane, "period_changes")
    lo, hi = as_float(lo, name="lo"), as_float(hi, name="hi")
    if not lo < hi:
        raise ValueError(f"need finite lo < hi, got lo={lo}, hi={hi}")
    n_grid = as_int(n_grid, name="n_grid", minimum=2)
    k = as_int(k, name="k", minimum=1)
    xtol = as_positive_float(xtol, name="xtol")
    kw = dict(n_keep=n_keep, transient=transient, index=None, x0=x0, bound=bound, warn=False)

    def periods(vals):
        return orbit_diagram(system, param, vals, **kw).periods(tol, max_period)

    grid = np.linspace(lo, hi, int(n_grid))
    frac = np.arange(1, int(k) + 1) / (int(k) + 1)
    # rounds: the scan, then k-section until the widest bracket is below xtol
    total = 1 + max(0, math.ceil(math.log(max((hi - lo) / (int(n_grid) - 1) / xtol, 1.0)) / math.log(int(k) + 1)))
    per = periods(grid)
    brackets = [[grid[i], grid[i + 1], int(per[i]), int(per[i + 1])] for i in np.flatnonzero(per[:-1] != per[1:])]
    done = 1
    if progress is not None:
        progress(done, total)
    while brackets and max(b[1] - b[0] for b in brackets) > xtol:
        vals = np.concatenate([a + (b - a) * frac for a, b, _, _ in brackets])
        per = periods(vals).reshape(len(brackets), int(k))
        new = []
        for (a, b, pa, pb), row in zip(brackets, per):
            if b - a <= xtol:
                new.append([a, b, pa, pb])
                continue
            xs = np.concatenate([[a], a + (b - a) * frac, [b]])
            ps = np.concatenate([[pa], row, [pb]])
            # every change inside the bracket is kept: a window narrower than the scan's step holds a
            # whole cascade (logistic r ~ 3.9601: 0 -> 4 -> 8 -> 16 between two scan values)
            for j in np.flatnonzero(ps[:-1] != ps[1:])[:MAX_SPLIT]:
                new.append([xs[j], xs[j + 1], int(ps[j]), int(ps[j + 1])])
        brackets = new
        done += 1
        if progress is not None:
            progress(min(done, total), max(done, total))
    brackets = _drop_flicker(brackets, FLICKER_STEPS * (hi - lo) / (int(n_grid) - 1))
    return [
        PeriodChange(value=float(0.5 * (a + b)), lower=float(a), upper=float(b), from_period=int(pa), to_period=int(pb))
        for a, b, pa, pb in brackets
    ]


@float64
def period_doubling_points(system: Map | Flow, param: str, lo: float, hi: float, **kwargs) -> np.ndarray:
    """Parameter values of the period doublings p -> 2p in [lo, hi] (sorted), from `period_changes`.

    Logistic map: r_1 = 3, r_2 = 1 + sqrt(6) = 3.449490, r_3 = 3.544090, r_4 = 3.564407 (Feigenbaum,
    J. Stat. Phys. 19, 25 (1978)).

    Parameters
    ----------
    system : Map or Flow
        The map (a flow needs ``plane=`` in ``kwargs``).
    param : str
        Name of the parameter.
    lo, hi : float
        The parameter interval.
    **kwargs
        Passed to `period_changes`.

    Returns
    -------
    numpy.ndarray
        The located doublings, sorted.
    """
    changes = period_changes(system, param, lo, hi, **kwargs)
    return np.array([c.value for c in changes if c.from_period > 0 and c.to_period == 2 * c.from_period])
