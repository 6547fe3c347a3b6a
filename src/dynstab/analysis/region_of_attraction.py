r"""Region of attraction of a stable equilibrium from a quadratic Lyapunov function.

Method (H. K. Khalil, *Nonlinear Systems*, 3rd ed., Prentice Hall 2002, sec. 8.2 "Region of
attraction", Examples 8.8-8.9; the Lyapunov equation of Theorem 4.6)
---------------------------------------------------------------------------------------------
Linearize :math:`\dot x = f(x)` at the equilibrium :math:`x^*`, :math:`A = \partial f/\partial x(x^*)`
(Hurwitz), and solve the Lyapunov equation

.. math::  A^\top P + P A = -Q, \qquad Q = Q^\top \succ 0 \ (\text{default } I)

(``scipy.linalg.solve_continuous_lyapunov``). With :math:`\delta = x - x^*`,
:math:`V(\delta) = \delta^\top P \delta` and :math:`\dot V(\delta) = 2\,\delta^\top P f(x^* + \delta)`.
Every sublevel set :math:`\Omega_c = \{V \le c\}` on which :math:`\dot V < 0` except at
:math:`\delta = 0` is positively invariant and lies in the region of attraction, so the best
estimate uses

.. math::  c^* = \min \{ V(\delta) : \dot V(\delta) = 0,\ \delta \ne 0 \}.

:math:`c^*` is found in two stages: (1) dense sampling on ellipsoid shells: ``n_directions``
seeded unit vectors :math:`u` give :math:`\delta = \sqrt{v}\, L^{-\top} u` with :math:`P = L L^\top`
(so :math:`V(\delta) = v`), scanned over ``n_levels`` log-spaced levels :math:`v`; the first level
where :math:`\dot V \ge 0` along each ray is refined by bisection, and the smallest over rays is an
upper bound of :math:`c^*`. (2) The best rays start a constrained minimisation of :math:`V` on
:math:`\dot V = 0` (SLSQP), which polishes the value; the reported ``c`` is the smaller of the two,
reduced by the relative ``margin`` (default :math:`10^{-6}`) so that :math:`\dot V < 0` holds
strictly inside. If no ray crosses :math:`\dot V = 0` up to ``radius``, ``c`` is capped there and
``bounded_by_search`` is set.

The estimate is compared with the true basin by simulation (fixed-step RK4 with ``system.dt``
for time ``t_check``): ``inside_fraction`` is the fraction of ``n_check`` points drawn uniformly
in :math:`\Omega_c` that converge to :math:`x^*` (1 by the theorem), and ``area_ratio`` is the
volume of :math:`\Omega_c` over the volume of the converging points of a uniform sample of the box
``check_box`` (default three times the bounding box of :math:`\Omega_c`), i.e. how much of the
empirical basin (restricted to that box) the estimate covers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .._precision import float64
from ..simulate.evolution import Evolution, run
from ..systems.base import Flow, as_state, check_system, evolution_of
from ..validation import as_finite_array, as_int, as_positive_float

__all__ = ["RegionOfAttraction", "region_of_attraction"]


@dataclass(frozen=True, eq=False)
class RegionOfAttraction:
    """Estimate {x : (x - x*)^T P (x - x*) <= c} of the region of attraction of ``equilibrium``.

    Attributes
    ----------
    equilibrium : numpy.ndarray
        The equilibrium x*, shape (d,).
    P : numpy.ndarray
        Solution of the Lyapunov equation, shape (d, d).
    Q : numpy.ndarray
        Right-hand side of the Lyapunov equation, shape (d, d).
    c : float
        The level of the estimate {V <= c}.
    axes : numpy.ndarray
        Semi-axis lengths sqrt(c / mu_i) (mu_i the eigenvalues of P, ascending, so longest first).
    directions : numpy.ndarray
        The directions of the semi-axes (columns), shape (d, d).
    volume : float
        c^(d/2) V_d / sqrt(det P) (area for d = 2), V_d the volume of the unit ball.
    eigenvalues : numpy.ndarray
        Eigenvalues of the Jacobian at the equilibrium.
    bounded_by_search : bool
        No ray crossed dV/dt = 0 up to ``radius``, so ``c`` is capped there.
    inside_fraction : float
        Simulation check: fraction of points drawn in the estimate that converge (NaN if skipped).
    empirical_volume : float
        Simulation check: volume of the converging points of the check box (NaN if skipped).
    area_ratio : float
        Simulation check: ``volume / empirical_volume`` (NaN if skipped).
    system_name : str
        Name of the system.
    names : tuple of str
        Variable names.
    settings : dict
        The settings of the search (and of the check).
    """

    equilibrium: np.ndarray
    P: np.ndarray
    Q: np.ndarray
    c: float
    axes: np.ndarray
    directions: np.ndarray
    volume: float
    eigenvalues: np.ndarray
    bounded_by_search: bool
    inside_fraction: float = math.nan
    empirical_volume: float = math.nan
    area_ratio: float = math.nan
    system_name: str = ""
    names: tuple[str, ...] = ()
    settings: dict[str, Any] = field(default_factory=dict)

    def V(self, x: Any) -> np.ndarray:
        """V(x) = (x - x*)^T P (x - x*) for states of shape (..., d).

        Parameters
        ----------
        x : array_like
            States, shape (..., d).

        Returns
        -------
        numpy.ndarray
            V at each state, shape (...).
        """
        dx = np.asarray(x, dtype=np.float64) - self.equilibrium
        return np.einsum("...i,ij,...j->...", dx, self.P, dx)

    def contains(self, x: Any) -> np.ndarray:
        """Whether states (..., d) lie in the estimate {V <= c}.

        Parameters
        ----------
        x : array_like
            States, shape (..., d).

        Returns
        -------
        numpy.ndarray
            Bool, shape (...).
        """
        return self.V(x) <= self.c

    def to_dict(self) -> dict[str, Any]:
        def num(v):
            return None if not math.isfinite(v) else float(v)

        return {
            "system": self.system_name,
            "equilibrium": self.equilibrium.tolist(),
            "P": self.P.tolist(),
            "Q": self.Q.tolist(),
            "c": float(self.c),
            "axes": self.axes.tolist(),
            "directions": self.directions.tolist(),
            "volume": float(self.volume),
            "eigenvalues": [[float(e.real), float(e.imag)] for e in self.eigenvalues],
            "bounded_by_search": bool(self.bounded_by_search),
            "inside_fraction": num(self.inside_fraction),
            "empirical_volume": num(self.empirical_volume),
            "area_ratio": num(self.area_ratio),
            "settings": dict(self.settings),
        }

    def plot(self, ax=None, *, dims: tuple[int, int] = (0, 1), n_grid: int = 0):
        """The estimate's ellipse (slice through x*) in the plane ``dims``.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes to draw on; default a new figure.
        dims : tuple of (int, int), default (0, 1)
            The two variables spanning the plane.
        n_grid : int, default 0
            Not used (accepted for compatibility).

        Returns
        -------
        matplotlib.figure.Figure
            The figure holding the axes.
        """
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(5.5, 5)) if ax is None else (ax.figure, ax)
        i, j = dims
        P2 = self.P[np.ix_([i, j], [i, j])]
        th = np.linspace(0, 2 * np.pi, 400)
        L = np.linalg.cholesky(P2)
        pts = np.sqrt(self.c) * np.linalg.solve(L.T, np.stack([np.cos(th), np.sin(th)]))
        ax.plot(
            self.equilibrium[i] + pts[0],
            self.equilibrium[j] + pts[1],
            color="C0",
            lw=1.5,
            label=f"V <= c = {self.c:.4g}",
        )
        ax.plot(self.equilibrium[i], self.equilibrium[j], "o", color="crimson")
        names = self.names or tuple(f"x{k + 1}" for k in range(self.equilibrium.size))
        ax.set_xlabel(names[i])
        ax.set_ylabel(names[j])
        ax.set_aspect("equal", adjustable="datalim")
        ax.legend(fontsize=8)
        ax.set_title(f"{self.system_name}: region-of-attraction estimate")
        if fig.get_layout_engine() is None:  # a caller's constrained layout stays
            fig.tight_layout()
        return fig

    def __repr__(self) -> str:
        ax = ", ".join(f"{a:.4g}" for a in self.axes)
        chk = (
            ""
            if math.isnan(self.inside_fraction)
            else (f", inside_fraction={self.inside_fraction:.4f}, area_ratio={self.area_ratio:.3f}")
        )
        return f"RegionOfAttraction({self.system_name!r}, c={self.c:.6g}, axes=[{ax}]{chk})"


# --- compiled helpers ----------------------------------------------------------------------
@partial(jax.jit, static_argnames=("law",))
def _vdot(law, params, xstar, P, t, dx):
    """dV/dt = 2 dx^T P f(x* + dx) for dx of shape (..., d)."""
    f = law(xstar + dx, params, t) if dx.ndim == 1 else jax.vmap(lambda y: law(xstar + y, params, t))(dx)
    return 2.0 * jnp.sum((dx @ P) * f, axis=-1)


@partial(jax.jit, static_argnames=("evolution", "n_steps"))
def _converges(evolution: Evolution, params, xstar, x0s, t0, n_steps: int, tol):
    step = evolution.step(params)

    def one(x0):
        x = run(step, x0, t0, evolution.tick, n_steps)
        dist = jnp.sqrt(jnp.sum((x - xstar) ** 2))
        return jnp.isfinite(dist) & (dist < tol)

    return jax.vmap(one)(x0s)


def _unit_ball(rng, n: int, d: int) -> np.ndarray:
    u = rng.standard_normal((n, d))
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    return u * rng.random((n, 1)) ** (1.0 / d)


@float64
def region_of_attraction(
    system: Flow,
    equilibrium: Any,
    Q: Any = None,
    *,
    n_directions: int = 2000,
    n_levels: int = 200,
    radius: float | None = None,
    margin: float = 1e-6,
    polish: int = 8,
    check: bool = True,
    n_check: int = 2000,
    t_check: float = 50.0,
    check_box: Any = None,
    tol: float = 1e-3,
    dt: float | None = None,
    seed: int = 0,
    t: float = 0.0,
) -> RegionOfAttraction:
    """Quadratic-Lyapunov estimate of the region of attraction of a stable equilibrium of a flow.

    V = dx^T P dx with A^T P + P A = -Q from the linearization A at ``equilibrium`` (Q defaults to
    the identity); the estimate is {V <= c} with c the largest level on which dV/dt < 0 (away
    from the equilibrium), from dense seeded sampling on ellipsoid shells polished by constrained
    minimisation of V on dV/dt = 0. ``radius`` (default 10 (1 + |x*|)) caps the search.
    ``check`` compares with the empirical basin by simulating for ``t_check`` time units (see the
    module docstring).

    Parameters
    ----------
    system : Flow
        An autonomous flow.
    equilibrium : array_like
        The equilibrium x*, shape (d,); its Jacobian must be Hurwitz.
    Q : array_like, optional
        Symmetric positive definite (d, d) matrix of the Lyapunov equation (default the identity).
    n_directions : int, default 2000
        Seeded rays of the shell sampling.
    n_levels : int, default 200
        Log-spaced levels of V scanned along each ray.
    radius : float, optional
        Cap of the search, default 10 (1 + max |x*|).
    margin : float, default 1e-6
        Relative reduction of the level c, so that dV/dt < 0 holds strictly inside.
    polish : int, default 8
        Best rays polished by constrained minimisation (SLSQP); 0 skips the polish.
    check : bool, default True
        Compare with the empirical basin by simulation.
    n_check : int, default 2000
        Points of each simulation check.
    t_check : float, default 50.0
        Simulated time of the check.
    check_box : array_like, optional
        (d, 2) box of the empirical basin (default three times the estimate's bounding box).
    tol : float, default 1e-3
        Distance to x* (relative to 1 + max |x*|) at which a simulated point counts as converged.
    dt : float, optional
        RK4 step of the check (default the flow's ``dt``).
    seed : int, default 0
        Seed of the sampling.
    t : float, default 0.0
        Time at which the law is evaluated.

    Returns
    -------
    RegionOfAttraction
        The ellipsoid {V <= c}, its axes and volume, and the simulation check.

    Raises
    ------
    ValueError
        If ``equilibrium`` is not an equilibrium or not asymptotically stable, or ``Q`` is not
        symmetric positive definite.

    References
    ----------
    H. K. Khalil, *Nonlinear Systems*, 3rd ed., Prentice Hall (2002), sec. 8.2.
    """
    check_system(system, "region_of_attraction", deterministic=True, expected="a dynstab Flow (an autonomous ODE)")
    if not system.continuous_time or not system.finite_dimensional:
        raise TypeError(f"region_of_attraction needs a dynstab Flow (an autonomous ODE), got a {system.kind}")
    d = system.dim
    xstar = as_state(equilibrium, d, what="equilibrium", allow_batch=False)
    law, params = system.rhs, system.params
    f0 = np.asarray(law(jnp.asarray(xstar), params, t))
    scale = 1.0 + float(np.max(np.abs(xstar)))
    if not np.max(np.abs(f0)) <= 1e-8 * max(1.0, float(np.max(np.abs(np.asarray(system.jacobian(xstar, t))))) * scale):
        raise ValueError(
            f"{system.name}: {xstar.tolist()} is not an equilibrium (|f(x*)| = {np.max(np.abs(f0)):.3g}); "
            "locate it first, e.g. with dynstab.fixed_points"
        )
    A = np.asarray(system.jacobian(xstar, t))
    eig = np.linalg.eigvals(A)
    if not np.all(eig.real < 0):
        raise ValueError(
            f"{system.name}: the equilibrium {xstar.tolist()} is not asymptotically stable (eigenvalues "
            f"{np.round(eig, 6).tolist()}); a quadratic Lyapunov function from the linearization needs a "
            "Hurwitz Jacobian"
        )
    Qm = np.eye(d) if Q is None else as_finite_array(Q, name="Q")
    if Qm.shape != (d, d) or not np.allclose(Qm, Qm.T):
        raise ValueError(f"Q must be a finite symmetric ({d}, {d}) matrix, got shape {Qm.shape}")
    if np.min(np.linalg.eigvalsh(Qm)) <= 0:
        raise ValueError("Q must be positive definite")
    from scipy.linalg import solve_continuous_lyapunov

    P = solve_continuous_lyapunov(A.T, -Qm)
    P = 0.5 * (P + P.T)
    mu, vecs = np.linalg.eigh(P)
    if mu[0] <= 0:
        raise ValueError("the Lyapunov equation gave a P that is not positive definite (ill-conditioned A)")
    L = np.linalg.cholesky(P)
    radius = 10.0 * scale if radius is None else as_positive_float(radius, name="radius")
    c_cap = float(mu[0]) * radius**2  # {V <= c_cap} fits in the ball of the search radius
    rng = np.random.default_rng(seed)
    n_directions = as_int(n_directions, name="n_directions", minimum=1)
    n_levels = as_int(n_levels, name="n_levels", minimum=2)
    polish = as_int(polish, name="polish", minimum=0)

    # (1) shells: rays delta = sqrt(v) L^-T u, v on a log grid up to c_cap
    u = rng.standard_normal((n_directions, d))
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    rays = np.linalg.solve(L.T, u.T).T  # V(ray) = 1
    levels = c_cap * np.geomspace(1e-10, 1.0, n_levels)
    xs_j, P_j, t_j = jnp.asarray(xstar), jnp.asarray(P), jnp.asarray(float(t))

    def vdot(dx):
        return np.asarray(_vdot(law, params, xs_j, P_j, t_j, jnp.asarray(dx)))

    vals = vdot((np.sqrt(levels)[None, :, None] * rays[:, None, :]).reshape(-1, d)).reshape(n_directions, n_levels)
    crossed = vals >= 0
    has = crossed.any(axis=1)
    c_rays = np.full(n_directions, np.inf)
    if has.any():
        first = np.argmax(crossed, axis=1)
        idx = np.flatnonzero(has)
        lo = np.where(first[idx] > 0, levels[np.maximum(first[idx] - 1, 0)], 0.0)
        hi = levels[first[idx]]
        for _ in range(60):  # bisection on v along every crossing ray at once
            mid = 0.5 * (lo + hi)
            neg = vdot(np.sqrt(mid)[:, None] * rays[idx]) < 0
            lo, hi = np.where(neg, mid, lo), np.where(neg, hi, mid)
        c_rays[idx] = lo
    bounded = not has.any()
    c_sample = float(np.min(c_rays)) if has.any() else c_cap

    # (2) polish: min V subject to Vdot = 0 from the best rays
    c_best = c_sample
    if has.any() and polish > 0:
        from scipy.optimize import minimize

        grad_vdot = jax.jit(jax.grad(lambda y: _vdot(law, params, xs_j, P_j, t_j, y)))
        for i in np.argsort(c_rays)[: int(polish)]:
            if not np.isfinite(c_rays[i]):
                break
            y0 = np.sqrt(c_rays[i]) * rays[i]
            res = minimize(
                lambda y: float(y @ P @ y),
                y0,
                jac=lambda y: 2.0 * P @ y,
                method="SLSQP",
                constraints=[
                    {
                        "type": "eq",
                        "fun": lambda y: float(vdot(y)),
                        "jac": lambda y: np.asarray(grad_vdot(jnp.asarray(y))),
                    }
                ],
                options={"ftol": 1e-14, "maxiter": 200},
            )
            y = res.x
            v = float(y @ P @ y)
            if res.success and v > 1e-12 * c_sample and abs(float(vdot(y))) <= 1e-8 * max(1.0, v) and v < c_best:
                c_best = v
    c = c_best * (1.0 - margin)
    axes = np.sqrt(c / mu)
    vol = c ** (d / 2) * math.pi ** (d / 2) / math.gamma(d / 2 + 1) / math.sqrt(float(np.prod(mu)))
    settings = {
        "n_directions": n_directions,
        "n_levels": n_levels,
        "radius": radius,
        "margin": margin,
        "seed": seed,
        "c_sampled": c_sample,
        "c_polished": c_best,
    }
    res = dict(
        equilibrium=xstar,
        P=P,
        Q=Qm,
        c=float(c),
        axes=axes,
        directions=vecs,
        volume=float(vol),
        eigenvalues=eig,
        bounded_by_search=bounded,
        system_name=system.name,
        names=tuple(system.names),
    )
    if not check:
        return RegionOfAttraction(**res, settings=settings)

    # simulation check
    ev = evolution_of(system, "rk4", dt)
    n_steps = int(math.ceil(as_positive_float(t_check, name="t_check") / ev.h))
    n_check = as_int(n_check, name="n_check", minimum=1)
    inside = xstar + np.sqrt(c) * np.linalg.solve(L.T, _unit_ball(rng, int(n_check), d).T).T
    ok_in = np.asarray(_converges(ev, params, xs_j, jnp.asarray(inside), float(t), n_steps, tol * scale))
    if check_box is None:
        half = 3.0 * np.sqrt(c * np.diag(np.linalg.inv(P)))  # 3 x the half-widths of the ellipsoid's bounding box
        box = np.stack([xstar - half, xstar + half], axis=1)
    else:
        box = as_finite_array(check_box, name="check_box")
        if box.shape != (d, 2) or not np.all(box[:, 0] < box[:, 1]):
            raise ValueError(f"check_box must be ({d}, 2) (low, high) pairs with low < high")
    pts = box[:, 0] + (box[:, 1] - box[:, 0]) * rng.random((int(n_check), d))
    ok_box = np.asarray(_converges(ev, params, xs_j, jnp.asarray(pts), float(t), n_steps, tol * scale))
    box_vol = float(np.prod(box[:, 1] - box[:, 0]))
    emp = box_vol * float(ok_box.mean())
    settings.update(n_check=int(n_check), t_check=float(t_check), dt=ev.h, tol=tol, check_box=box.tolist())
    return RegionOfAttraction(
        **res,
        inside_fraction=float(ok_in.mean()),
        empirical_volume=emp,
        area_ratio=float(vol / emp) if emp > 0 else math.nan,
        settings=settings,
    )
