"""Synchronization: the master stability function of coupled identical systems, and Kuramoto's order parameter.

Master stability function (Pecora & Carroll, Phys. Rev. Lett. 80, 2109 (1998)). N identical
systems on a network,

    dx_i/dt = F(x_i) - sigma sum_j L_ij H(x_j),        i = 1..N,

with L the network Laplacian (L_ij = -w_ij for i != j, L_ii = sum_j w_ij, so rows sum to zero
and the eigenvalues are 0 = lambda_1 <= lambda_2 <= ... for an undirected connected network),
sigma >= 0 the coupling strength and H the coupling function (a matrix for linear coupling, e.g.
H = e1 e1^T couples through x). Sign convention: with this "minus Laplacian" form the normal
coordinates alpha = sigma lambda_i are non-negative (Pecora & Carroll write + sigma G with
G = -L, whose eigenvalues are <= 0; the two agree with alpha = -sigma gamma_i). Projecting the
variational equation about the synchronous orbit s(t) (ds/dt = F(s)) on the eigenvectors of L
gives, for every mode i >= 2, the master stability equation

    d xi / dt = [DF(s(t)) - alpha DH(s(t))] xi,

and MSF(alpha) is its largest Lyapunov exponent. The synchronous state is linearly stable when
MSF(sigma lambda_i) < 0 for all i >= 2. For maps the same equation holds with xi' = [...] xi.

Kuramoto model (Kuramoto 1975; Strogatz, Physica D 143, 1 (2000)):
dtheta_i/dt = omega_i + (K/N) sum_j sin(theta_j - theta_i), order parameter
r e^{i psi} = (1/N) sum_j e^{i theta_j}; for Lorentzian frequencies of half-width gamma the
stationary r = sqrt(1 - 2 gamma / K) for K > K_c = 2 gamma (0 below) as N -> infinity.
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
from ..simulate.evolution import Evolution, Plan, intervals, run, tangent_field
from ..systems.base import Flow, System, as_state, check_system
from ..systems.base import flow as _flow_decorator
from ..validation import as_finite_array, as_float, as_int, as_positive_float
from .lyapunov import evolution_plan, fixed_step_evolution

__all__ = [
    "MasterStability",
    "master_stability_function",
    "SyncVerdict",
    "synchronization_stable",
    "kuramoto_order_parameter",
    "kuramoto_model",
    "KuramotoRun",
    "simulate_kuramoto",
]


# ----------------------------------------------------------------------------- master stability
@partial(jax.jit, static_argnames=("evolution", "plan", "hfun"))
def _msf_kernel(evolution: Evolution, plan: Plan, hfun, x0, Hmat, alphas, Xi0, params):
    """Largest exponent of xi' = [DF(s) - alpha DH(s)] xi for all alphas along one synchronous orbit.

    The state s and one tangent vector per alpha (the columns of Xi) advance together by the
    system's tangent dynamics (`dynstab.simulate.evolution.tangent_field`) plus the coupling
    term, discretized by the system's own step; each column is renormalized every interval
    and its log growth accumulated.
    """
    ev = evolution
    F = tangent_field(ev.law, ev.jac, params)

    def G(state, t):
        s, Xi = state
        fs, JXi = F((s, Xi), t)
        DH = Hmat if hfun is None else jax.jacfwd(hfun)(s)
        return fs, JXi - (DH @ Xi) * alphas[None, :]

    def renormalize(state):
        s, Xi, acc = state
        nrm = jnp.sqrt(jnp.sum(Xi * Xi, axis=0))
        return (s, Xi / nrm[None, :], acc + jnp.log(nrm)), None

    coupled = ev.discretize(G)
    step = lambda st, t, k: (*coupled((st[0], st[1]), t, k), st[2])  # noqa: E731
    t0 = ev.time_zero()
    s = run(ev.step(params), x0, t0, ev.tick, plan.n_transient)
    start = t0 + plan.n_transient * ev.tick
    (s, _, acc), _ = intervals(
        step, (s, Xi0, jnp.zeros(alphas.shape[0])), start, ev.tick, plan.n_sub, plan.n_out, renormalize
    )
    return acc / plan.span(ev), s


def _intervals_below(alphas: np.ndarray, values: np.ndarray, level: float = 0.0) -> list[tuple[float, float]]:
    """Maximal alpha ranges where values < level, with linearly interpolated end points."""
    neg = values < level
    out = []
    i, n = 0, alphas.size
    while i < n:
        if not neg[i]:
            i += 1
            continue
        j = i
        while j + 1 < n and neg[j + 1]:
            j += 1

        def cross(a, b):
            va, vb = values[a] - level, values[b] - level
            return float(alphas[a] + (alphas[b] - alphas[a]) * va / (va - vb))

        lo = alphas[i] if i == 0 else cross(i - 1, i)
        hi = alphas[j] if j == n - 1 else cross(j, j + 1)
        out.append((float(lo), float(hi)))
        i = j + 1
    return out


@dataclass(frozen=True)
class MasterStability:
    """Result of `master_stability_function`: MSF(alpha) for each alpha (largest transverse exponent).

    ``stable_intervals``: the alpha ranges where MSF < 0 (end points interpolated linearly
    between grid points; an interval touching the end of the grid may continue beyond it).

    Attributes
    ----------
    alphas : numpy.ndarray
        The coupling values alpha, shape (m,).
    msf : numpy.ndarray
        MSF(alpha), shape (m,).
    system : System
        The node system.
    settings : dict
        The run's settings (``t``, ``dt``, ``renormalize``, ``transient``, ``method``, ``seed``,
        ``coupling``).
    """

    alphas: np.ndarray
    msf: np.ndarray
    system: System
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def stable_intervals(self) -> list[tuple[float, float]]:
        return _intervals_below(self.alphas, self.msf)

    def __call__(self, alpha: Any) -> np.ndarray:
        """MSF interpolated linearly at ``alpha`` (inside the computed range only)."""
        a = np.asarray(alpha, dtype=float)
        if np.any(a < self.alphas[0]) or np.any(a > self.alphas[-1]):
            raise ValueError(
                f"alpha outside the computed range [{self.alphas[0]:g}, {self.alphas[-1]:g}]: "
                "recompute the MSF over a wider range"
            )
        return np.interp(a, self.alphas, self.msf)

    def to_xarray(self):
        import xarray as xr

        return xr.Dataset(
            {"msf": (("alpha",), self.msf)},
            coords={"alpha": self.alphas},
            attrs={
                "system": self.system.name,
                "stable_intervals": str(self.stable_intervals),
                **{k: v for k, v in self.settings.items() if isinstance(v, (int, float, str))},
            },
        )

    def plot(self, ax=None, laplacian_alphas: Any = None):
        """MSF(alpha) with the stable region shaded (and optional network modes sigma*lambda_i as ticks).

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes to draw on; default a new figure.
        laplacian_alphas : array_like, optional
            Network modes sigma*lambda_i, drawn as ticks on the zero line (red where MSF >= 0).

        Returns
        -------
        matplotlib.figure.Figure
            The figure holding the axes.
        """
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(6, 4)) if ax is None else (ax.figure, ax)
        ax.plot(self.alphas, self.msf, lw=1.2)
        ax.axhline(0.0, color="k", lw=0.6)
        for lo, hi in self.stable_intervals:
            ax.axvspan(lo, hi, color="tab:green", alpha=0.15)
        if laplacian_alphas is not None:
            a = np.asarray(laplacian_alphas, dtype=float)
            inside = np.interp(a, self.alphas, self.msf) < 0
            ax.plot(a, np.zeros_like(a), "|", ms=14, color="k")
            ax.plot(a[~inside], np.zeros(int((~inside).sum())), "|", ms=14, color="crimson")
        ax.set_xlabel(r"$\alpha = \sigma \lambda_i$")
        ax.set_ylabel(r"MSF($\alpha$)")
        ax.set_title(f"{self.system.name}: master stability function")
        return fig

    def __repr__(self) -> str:
        iv = ", ".join(f"({lo:.4g}, {hi:.4g})" for lo, hi in self.stable_intervals) or "none"
        return f"MasterStability({self.system.name!r}, {self.alphas.size} alphas, stable: {iv})"


@float64
def master_stability_function(
    system: System,
    coupling: Any,
    alphas: Any,
    t: float | None = None,
    *,
    n: int | None = None,
    dt: float | None = None,
    transient: float | None = None,
    renormalize: float | None = None,
    x0: Any = None,
    seed: int = 0,
    method: str = "rk4",
) -> MasterStability:
    """Master stability function MSF(alpha) of identical systems coupled through ``coupling`` (Pecora & Carroll 1998).

    MSF(alpha) = largest Lyapunov exponent of xi' = [DF(s) - alpha DH(s)] xi along the
    synchronous orbit ds/dt = F(s) (module docstring for the sign convention: alpha = sigma
    lambda_i >= 0 with L the Laplacian). ``coupling`` is the d x d matrix H (linear coupling,
    e.g. ``np.diag([1, 0, 0])`` couples through the first variable) or a JAX-traceable function
    H(x) -> (d,) whose Jacobian DH is taken by autodiff. ``alphas``: 1-D array of real coupling
    values, all computed along one orbit in one compiled call (one tangent vector per alpha).
    Flows: ``t`` time units after ``transient`` (default 10% of t, at most 100) with step ``dt``,
    renormalizing every ``renormalize`` time units (default 10 steps); maps: ``n`` iterations.
    ``seed`` fixes the random initial tangent vector.

    Parameters
    ----------
    system : System
        The node system: a deterministic flow or map whose state is the whole phase space.
    coupling : array_like or callable
        The d x d coupling matrix H, or a JAX-traceable function H(x) -> (d,).
    alphas : array_like
        Real coupling values alpha, a non-empty 1-D array.
    t : float, optional
        Flows: integration time after the transient. Maps: the number of iterations (as ``n``).
    n : int, optional
        Maps: number of iterations after the transient. Flows: number of steps of ``dt``
        (instead of ``t``).
    dt : float, optional
        Step of the fixed-step ``method`` (flows); default ``system.dt``.
    transient : float, optional
        Discarded first: time units (flows) or iterations (maps); default 10% of the run, at
        most 100 time units or 1000 iterations.
    renormalize : float, optional
        Renormalization interval: time units (flows, default 10 steps) or iterations (maps,
        default 1).
    x0 : array_like, optional
        Initial condition of the synchronous orbit, shape (d,); default ``system.x0``.
    seed : int, default 0
        Seed of the random initial tangent vector.
    method : str, default "rk4"
        Fixed-step integration method (flows).

    Returns
    -------
    MasterStability
        MSF(alpha) on the given alphas.

    Raises
    ------
    TypeError
        For a stochastic system or a delay equation.
    ValueError
        For non-finite, complex or empty ``alphas``, or a coupling of the wrong shape.
    FloatingPointError
        When the synchronous orbit or a transverse perturbation leaves the finite numbers.

    References
    ----------
    L. M. Pecora & T. L. Carroll, Phys. Rev. Lett. 80, 2109 (1998).
    """
    check_system(system, "master_stability_function", deterministic=True)
    d = system.dim
    try:
        a = as_finite_array(alphas, name="alphas")
    except ValueError as exc:  # InvalidTypeError (complex, text) or ValueError (NaN, inf)
        raise type(exc)(
            f"alphas must be finite real numbers (complex alpha for directed networks is not supported): {exc}"
        ) from None
    if a.ndim != 1 or a.size < 1:
        raise ValueError(f"alphas must be a non-empty 1-D array of coupling values, got shape {a.shape}")
    if callable(coupling):
        hfun, Hmat, linear = coupling, np.zeros((d, d)), False
        out = jax.eval_shape(hfun, jnp.zeros(d))
        if out.shape != (d,):
            raise ValueError(f"the coupling function must map a state of shape ({d},) to ({d},), got {out.shape}")
    else:
        Hmat = as_finite_array(coupling, name="coupling matrix H")
        if Hmat.shape != (d, d):
            raise ValueError(f"coupling matrix H has shape {Hmat.shape}; expected ({d}, {d}) for {system.name}")
        hfun, linear = None, True
    x0 = as_state(system.x0 if x0 is None else x0, d, allow_batch=False)
    ev = fixed_step_evolution(system, method, dt)
    if ev.observed is not None:
        raise TypeError(
            f"{system.name}: the master stability function needs a flow or map whose state is the whole phase space"
        )
    plan = evolution_plan(system, ev, t, n, renormalize, transient, every_name="renormalize")
    v = np.random.default_rng(seed).standard_normal(d)
    Xi0 = np.repeat((v / np.linalg.norm(v))[:, None], a.size, axis=1)
    msf, s_end = _msf_kernel(
        ev, plan, hfun, jnp.asarray(x0), jnp.asarray(Hmat), jnp.asarray(a), jnp.asarray(Xi0), system.params
    )
    msf = np.asarray(msf)
    if not np.all(np.isfinite(np.asarray(s_end))):
        raise FloatingPointError(f"{system.name}: the synchronous orbit left the finite numbers; check x0 and dt")
    if not np.all(np.isfinite(msf)):
        raise FloatingPointError(f"{system.name}: a transverse perturbation overflowed; reduce renormalize or dt")
    h = abs(ev.h)
    settings = {
        "t": plan.span(ev),
        "dt": h,
        "renormalize": plan.n_sub * h,
        "transient": plan.n_transient * h,
        "method": ev.method,
        "seed": seed,
        "coupling": "matrix" if linear else "function",
    }
    return MasterStability(a, msf, system, settings)


@dataclass(frozen=True)
class SyncVerdict:
    """Result of `synchronization_stable`: ``stable`` and the modes alpha_i = sigma lambda_i (i >= 2).

    Attributes
    ----------
    stable : bool
        The synchronous state is linearly stable (also the truth value of the verdict).
    alphas : numpy.ndarray
        The transverse modes sigma lambda_i, i >= 2.
    msf_values : numpy.ndarray
        MSF at those modes (linear interpolation).
    eigenvalues : numpy.ndarray
        All Laplacian eigenvalues, ascending.
    reason : str
        Why the state is (un)stable.
    """

    stable: bool
    alphas: np.ndarray
    msf_values: np.ndarray
    eigenvalues: np.ndarray
    reason: str

    def __bool__(self) -> bool:
        return self.stable


def synchronization_stable(msf: MasterStability, laplacian: Any, sigma: float, *, tol: float = 1e-9) -> SyncVerdict:
    """Is the synchronous state of N systems coupled by ``sigma`` on ``laplacian`` linearly stable?

    Stable iff MSF(sigma lambda_i) < 0 for every transverse mode i >= 2 (Pecora & Carroll 1998),
    lambda_1 = 0 <= lambda_2 <= ... the Laplacian eigenvalues (rows must sum to zero). The MSF is
    interpolated linearly between its grid points; a mode outside the computed alpha range gives
    a ValueError (recompute the MSF over a wider range) rather than a guess.

    Parameters
    ----------
    msf : MasterStability
        The master stability function of the node system and coupling.
    laplacian : array_like
        The N x N network Laplacian L = D - W (N >= 2, rows summing to zero, real spectrum).
    sigma : float
        The coupling strength, >= 0.
    tol : float, default 1e-9
        Tolerance on the alpha range and on lambda_2 = 0 (a disconnected network, relative to
        the largest entry of L).

    Returns
    -------
    SyncVerdict
        True (as a bool) when every transverse mode has MSF < 0.

    Raises
    ------
    ValueError
        For a malformed Laplacian (not square, rows not summing to zero, complex eigenvalues) or
        modes outside the computed alpha range.

    References
    ----------
    L. M. Pecora & T. L. Carroll, Phys. Rev. Lett. 80, 2109 (1998).
    """
    L = as_finite_array(laplacian, name="laplacian")
    if L.ndim != 2 or L.shape[0] != L.shape[1] or L.shape[0] < 2:
        raise ValueError(f"laplacian must be a square N x N matrix with N >= 2, got shape {L.shape}")
    scale = max(1.0, float(np.max(np.abs(L))))
    if np.max(np.abs(L.sum(axis=1))) > 1e-9 * scale * L.shape[0]:
        raise ValueError(
            "laplacian rows must sum to zero (L = D - W): the synchronous state is then an "
            "invariant solution; build L from the weight matrix W as diag(W.sum(1)) - W"
        )
    sigma = as_float(sigma, name="sigma (the coupling strength)", minimum=0.0)
    ev = np.linalg.eigvals(L)
    if np.max(np.abs(ev.imag)) > 1e-9 * scale:
        raise ValueError(
            "the laplacian has complex eigenvalues (a directed network); the MSF here is for real "
            "alpha: symmetrize the network or use real-spectrum couplings"
        )
    lam = np.sort(ev.real)
    transverse = lam[1:]
    alphas = sigma * transverse
    if np.any(alphas < msf.alphas[0] - tol) or np.any(alphas > msf.alphas[-1] + tol):
        raise ValueError(
            f"the modes sigma*lambda_i span [{alphas.min():.4g}, {alphas.max():.4g}] but the MSF was "
            f"computed on [{msf.alphas[0]:.4g}, {msf.alphas[-1]:.4g}]: widen the alpha range"
        )
    values = np.interp(alphas, msf.alphas, msf.msf)
    bad = values >= 0
    if lam[1] <= tol * scale:
        reason = "the network is disconnected (lambda_2 = 0): its components cannot synchronize with each other"
        stable = False
    elif bad.any():
        i = int(np.argmax(bad))
        reason = (
            f"{int(bad.sum())} of {alphas.size} transverse modes are unstable, e.g. alpha = sigma*lambda_{i + 2}"
            f" = {alphas[i]:.4g} with MSF = {values[i]:.4g} >= 0"
        )
        stable = False
    else:
        reason = f"all {alphas.size} transverse modes alpha in [{alphas.min():.4g}, {alphas.max():.4g}] have MSF < 0"
        stable = True
    return SyncVerdict(stable, alphas, values, lam, reason)


# ------------------------------------------------------------------------------------- Kuramoto
@float64
def kuramoto_order_parameter(phases: Any) -> tuple[np.ndarray, np.ndarray]:
    """Kuramoto order parameter r e^{i psi} = (1/N) sum_j exp(i theta_j) (Kuramoto 1975; Strogatz 2000).

    ``phases``: shape (N,) (one snapshot) or (..., N) (e.g. (T, N) over time); returns
    (r, psi) with the leading shape; r in [0, 1] (1: all phases equal, ~N^-1/2: incoherent).

    Parameters
    ----------
    phases : array_like
        Phases theta_j in radians, shape (N,) or (..., N), finite.

    Returns
    -------
    r : numpy.ndarray
        The coherence, in [0, 1], shape ``phases.shape[:-1]``.
    psi : numpy.ndarray
        The mean phase, in (-pi, pi], same shape.

    Raises
    ------
    ValueError
        For a scalar, an empty last axis or non-finite phases.

    References
    ----------
    Y. Kuramoto, Lecture Notes in Physics 39, 420 (1975); S. H. Strogatz, Physica D 143, 1 (2000).
    """
    th = as_finite_array(phases, name="phases")
    if th.ndim == 0 or th.shape[-1] < 1:
        raise ValueError(f"phases must have shape (N,) or (..., N) with N >= 1, got {th.shape}")
    z = np.mean(np.exp(1j * th), axis=-1)
    return np.abs(z), np.angle(z)


def lorentzian_frequencies(
    n: int, gamma: float, *, omega0: float = 0.0, seed: int = 0, sampling: str = "random"
) -> np.ndarray:
    """n natural frequencies from the Lorentzian g(w) = (gamma/pi) / ((w - omega0)^2 + gamma^2).

    ``sampling="random"``: i.i.d. draws (seeded); ``"quantile"``: the deterministic quantiles
    omega0 + gamma tan(pi (j - 1/2)/n - pi/2), j = 1..n, which remove the sampling noise of finite
    populations (a standard choice for comparisons with the N -> infinity theory).
    """
    n = as_int(n, name="n", minimum=1)
    gamma = as_float(gamma, name="gamma", minimum=0.0)
    if sampling == "random":
        return omega0 + gamma * np.random.default_rng(seed).standard_cauchy(n)
    if sampling == "quantile":
        return omega0 + gamma * np.tan(np.pi * (np.arange(1, n + 1) - 0.5) / n - np.pi / 2)
    raise ValueError(f"sampling must be 'random' or 'quantile', got {sampling!r}")


@float64
def kuramoto_model(
    n: int,
    K: float,
    *,
    gamma: float = 0.5,
    omega0: float = 0.0,
    frequencies: Any = None,
    seed: int = 0,
    sampling: str = "random",
) -> Flow:
    """The Kuramoto model of n phase oscillators as a dynstab `Flow` (the catalog has none).

        dtheta_i/dt = omega_i + (K/N) sum_j sin(theta_j - theta_i) = omega_i + K r sin(psi - theta_i)

    evaluated in the O(N) mean-field form (Kuramoto 1975; Strogatz, Physica D 143, 1 (2000)).
    Natural frequencies: ``frequencies`` if given, else Lorentzian of half-width ``gamma``
    centred on ``omega0`` (`lorentzian_frequencies`, seeded). Parameters ``K`` and ``omega``
    (array) can be changed with ``with_params`` without recompiling; x0 = uniform random phases.

    Parameters
    ----------
    n : int
        Number of oscillators, at least 2.
    K : float
        Coupling strength.
    gamma : float, default 0.5
        Half-width of the Lorentzian frequency distribution (> 0; unused with ``frequencies``).
    omega0 : float, default 0.0
        Centre of the Lorentzian (unused with ``frequencies``).
    frequencies : array_like, optional
        Natural frequencies, shape (n,); default drawn from the Lorentzian.
    seed : int, default 0
        Seed of the frequencies (``seed``) and of the initial phases (``seed + 1``).
    sampling : {"random", "quantile"}, default "random"
        How the Lorentzian frequencies are drawn (`lorentzian_frequencies`).

    Returns
    -------
    Flow
        The model, named ``"kuramoto"``, with ``dt`` = 0.05 and parameters ``K`` and ``omega``.

    References
    ----------
    Y. Kuramoto, Lecture Notes in Physics 39, 420 (1975); S. H. Strogatz, Physica D 143, 1 (2000).
    """
    n = as_int(n, name="n", minimum=2)  # oscillators
    K = as_float(K, name="K")
    if frequencies is None:
        gamma = as_positive_float(gamma, name="gamma")
        omega = lorentzian_frequencies(n, gamma, omega0=omega0, seed=seed, sampling=sampling)
    else:
        omega = as_finite_array(frequencies, name="frequencies", shape=(n,))
    theta0 = np.random.default_rng(seed + 1).uniform(-np.pi, np.pi, n)

    @_flow_decorator(
        params=dict(K=K, omega=omega),
        x0=theta0,
        names=tuple(f"theta{i}" for i in range(n)),
        name="kuramoto",
        dt=0.05,
        unbounded=tuple(range(n)),
        reference="Y. Kuramoto, Self-entrainment of a population of coupled non-linear oscillators, "
        "Lecture Notes in Physics 39, 420 (1975); S. H. Strogatz, Physica D 143, 1 (2000)",
    )
    def kuramoto(x, p, t):
        """Kuramoto: theta_i' = omega_i + K (S cos theta_i - C sin theta_i), C + iS = mean exp(i theta)."""
        c, s = jnp.cos(x), jnp.sin(x)
        return p["omega"] + p["K"] * (jnp.mean(s) * c - jnp.mean(c) * s)

    return kuramoto


@dataclass(frozen=True)
class KuramotoRun:
    """Result of `simulate_kuramoto`: the order parameter over time and its theoretical value.

    Attributes
    ----------
    times : numpy.ndarray
        Sample times.
    r : numpy.ndarray
        r(t) at ``times``.
    psi : numpy.ndarray
        psi(t) at ``times``.
    r_mean : float
        The time average of r after the transient.
    r_theory : float
        sqrt(1 - 2 gamma / K) (K > 2 gamma, else 0) for Lorentzian frequencies (N -> infinity).
    K : float
        Coupling strength.
    gamma : float
        Half-width of the Lorentzian frequencies.
    n : int
        Number of oscillators.
    """

    times: np.ndarray
    r: np.ndarray
    psi: np.ndarray
    r_mean: float
    r_theory: float
    K: float
    gamma: float
    n: int

    def plot(self, ax=None):
        """r(t) with the theoretical stationary value.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes to draw on; default a new figure.

        Returns
        -------
        matplotlib.figure.Figure
            The figure holding the axes.
        """
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(6, 4)) if ax is None else (ax.figure, ax)
        ax.plot(self.times, self.r, lw=0.8, label="r(t)")
        ax.axhline(self.r_theory, color="crimson", ls="--", label=f"theory {self.r_theory:.3f}")
        ax.set_xlabel("time")
        ax.set_ylabel("r")
        ax.set_ylim(0, 1)
        ax.set_title(f"Kuramoto N={self.n}, K={self.K:g}, gamma={self.gamma:g}")
        ax.legend()
        return fig


@float64
def simulate_kuramoto(
    n: int,
    K: float,
    *,
    gamma: float = 0.5,
    t: float = 200.0,
    dt: float = 0.1,
    transient: float = 100.0,
    seed: int = 0,
    sampling: str = "random",
    step: float = 0.05,
) -> KuramotoRun:
    """Simulate the Kuramoto model (`kuramoto_model`, Lorentzian frequencies) and return r(t).

    The stationary order parameter r_mean is the average of r(t) over the ``t`` time units after
    ``transient``; Kuramoto's exact result for Lorentzian g(omega) of half-width gamma is
    r = sqrt(1 - 2 gamma / K) for K > K_c = 2 gamma (Strogatz, Physica D 143, 1 (2000), Sec. 4).

    Parameters
    ----------
    n : int
        Number of oscillators, at least 2.
    K : float
        Coupling strength.
    gamma : float, default 0.5
        Half-width of the Lorentzian frequency distribution.
    t : float, default 200.0
        Simulated time after the transient.
    dt : float, default 0.1
        Sampling interval of r(t).
    transient : float, default 100.0
        Time discarded first.
    seed : int, default 0
        Seed of the frequencies and initial phases.
    sampling : {"random", "quantile"}, default "random"
        How the Lorentzian frequencies are drawn (`lorentzian_frequencies`).
    step : float, default 0.05
        Integration step.

    Returns
    -------
    KuramotoRun
        r(t), psi(t), their time average and the theoretical value.

    References
    ----------
    S. H. Strogatz, Physica D 143, 1 (2000).
    """
    from ..simulate.trajectory import trajectory

    system = kuramoto_model(n, K, gamma=gamma, seed=seed, sampling=sampling)
    tr = trajectory(system, t=t, dt=dt, transient=transient, step=step)
    r, psi = kuramoto_order_parameter(tr.x)
    theory = math.sqrt(1.0 - 2.0 * gamma / K) if K > 2.0 * gamma else 0.0
    return KuramotoRun(tr.t, r, psi, float(np.mean(r)), theory, float(K), float(gamma), int(n))
