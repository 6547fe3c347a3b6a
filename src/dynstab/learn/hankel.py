"""Koopman models in delay coordinates: Hankel (delay) DMD and HAVOK.

Both stack ``delays`` consecutive samples into Hankel windows; Hankel DMD fits a linear map on the
windows, HAVOK a linear ODE on the leading SVD coordinates of the Hankel matrix forced by the last one.
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np

from .base import LearnedModel, as_training_data, check_positive_ints, check_series, check_steps, forecast_last_window
from .exact_dmd import DMD
from .koopman import DelayContext, delay_windows, iterate_linear, linear_map, snapshot_pairs, svd

__all__ = ["HankelDMD", "HAVOK"]


class HankelDMD(DelayContext, DMD):
    """Hankel (delay) DMD: exact DMD of the delay vectors z_t = [x_t, x_{t-1}, .., x_{t-q+1}].

    The delay vectors (newest first, dimension q d) of every trajectory form the snapshot pairs of
    :class:`DMD`. ``as_system()``: the linear :class:`dynstab.Map` on the **delay vector** z
    (dimension q d; the current state is ``z[:d]``; one iteration = ``dt_`` time units).
    ``forecast(context, steps)`` needs ``q`` samples of context; ``generate(x0, ...)`` accepts a
    (q, d) window (oldest first) or a delay vector (q d,).

    Parameters
    ----------
    delays : int
        Number of delays q (samples per delay vector).
    rank, energy, exact
        As for :class:`DMD`.

    Attributes
    ----------
    eigenvalues_, modes_, amplitudes_, operator_, rank_, dim_, dt_
        As for :class:`DMD`, on the delay vectors (modes of length q d).
    x0_ : numpy.ndarray
        The first delay vector of the training data.

    References
    ----------
    H. Arbabi and I. Mezic, Ergodic theory, dynamic mode decomposition, and computation of spectral
    properties of the Koopman operator, SIAM J. Appl. Dyn. Syst. 16:2096 (2017); S. L. Brunton et al.,
    Chaos as an intermittently forced linear system, Nat. Commun. 8:19 (2017).
    """

    def __init__(self, delays: int = 10, rank: int | None = None, energy: float | None = None, exact: bool = True):
        super().__init__(rank=rank, energy=energy, exact=exact)
        self.delays = delays

    def fit(self, data: Any, dt: float | None = None) -> HankelDMD:
        """Exact DMD of the delay-vector snapshot pairs.

        Parameters
        ----------
        data : array_like or Trajectory or list
            Training trajectories (T_i, d), at least ``delays + 1`` samples each.
        dt : float, optional
            Sampling step (default: a ``Trajectory``'s step, else 1).

        Returns
        -------
        HankelDMD
            ``self``.
        """
        check_positive_ints(self, ("delays",))
        q = int(self.delays)
        td = as_training_data(data, dt, min_length=q + 1)
        xr, yr = snapshot_pairs(td.series, q)
        self._fit_pairs(xr.T, yr.T, td.dt)
        self.dim_ = td.dim
        self.x0_ = delay_windows(td.series[0][:q], q)[0]
        self.amplitudes_ = np.linalg.lstsq(self.modes_, self.x0_.astype(complex), rcond=None)[0]
        self.fitted_ = True
        return self

    def _delay_vector(self, x0: Any) -> np.ndarray:
        q, d = int(self.delays), self.dim_
        arr = np.asarray(x0, dtype=float)
        if arr.ndim == 1 and arr.size == q * d:
            return check_series(arr.reshape(1, -1), what="x0")[0]
        if (arr.ndim == 2 and arr.shape == (q, d)) or (arr.ndim == 1 and d == 1 and arr.size == q):
            return delay_windows(check_series(arr.reshape(q, d), what="x0"), q)[0]
        raise ValueError(
            f"x0 must be a window of the last {q} samples, shape ({q}, {d}), or a delay vector of "
            f"length {q * d}; got shape {arr.shape}. Use forecast(context, steps) for longer context"
        )

    def generate(self, x0: Any, steps: int) -> np.ndarray:
        """Iterate the delay map from a window and read the state back.

        Parameters
        ----------
        x0 : array_like, shape (q, d) or (q d,)
            The last q samples (oldest first) or a delay vector (newest first).
        steps : int
            Number of iterates.

        Returns
        -------
        numpy.ndarray
            Shape (steps, d).
        """
        self._check_fitted()
        z = iterate_linear(
            jnp.asarray(np.real(self.operator_)), jnp.asarray(self._delay_vector(x0)), check_steps(steps)
        )
        return np.asarray(z[:, : self.dim_])

    def forecast(self, context: Any, steps: int) -> np.ndarray:
        """Predict the samples after the last ``delays`` samples of ``context``.

        Parameters
        ----------
        context : array_like, shape (T_c, d)
            Observed samples, T_c >= ``delays``.
        steps : int
            Number of samples to predict.

        Returns
        -------
        numpy.ndarray
            Shape (steps, d).
        """
        return forecast_last_window(self, context, steps)

    def predict_n_steps(self, x: Any, starts: Any, n: int) -> np.ndarray:
        """Batched n-step predictions from the delay windows ending at x[starts].

        Parameters
        ----------
        x : array_like, shape (T, d)
            A series.
        starts : array_like of int
            Indices of the newest sample of each window (>= ``delays`` - 1).
        n : int
            Prediction horizon in steps.

        Returns
        -------
        numpy.ndarray
            Shape (len(starts), d).
        """
        self._check_fitted()
        q = int(self.delays)
        w = delay_windows(np.asarray(x, dtype=float), q)[np.asarray(starts) - (q - 1)]
        an = np.linalg.matrix_power(np.real(self.operator_), int(n))
        return (w @ an.T)[:, : self.dim_]

    def reconstruct(self, steps: int) -> np.ndarray:
        """Mode expansion of the first training trajectory, read back to the state.

        Parameters
        ----------
        steps : int
            Number of samples.

        Returns
        -------
        numpy.ndarray
            Shape (steps, d).
        """
        return super().reconstruct(steps)[:, : self.dim_]

    def as_system(self):
        """The linear map on the delay vector z = [x(t), x(t-1), ..].

        Returns
        -------
        Map
            Dimension q d, parameter ``M``, ``x0`` the first training delay vector, ``dt`` = ``dt_``.
        """
        self._check_fitted()
        q, d = int(self.delays), self.dim_
        names = [f"x{i + 1}(t-{k})" if k else f"x{i + 1}(t)" for k in range(q) for i in range(d)]
        return linear_map(
            np.real(self.operator_),
            self.x0_,
            "HankelDMD",
            "Arbabi & Mezic, SIAM J. Appl. Dyn. Syst. 16:2096 (2017)",
            names,
            dt=self.dt_,
        )


def _central_difference4(v: np.ndarray, dt: float) -> np.ndarray:
    """Fourth-order central difference (as in Brunton et al.'s HAVOK code), rows 2..T-3."""
    return (-v[4:] + 8 * v[3:-1] - 8 * v[1:-3] + v[:-4]) / (12 * dt)


def _havok_law(v, p, t):
    return p["A"] @ v + p["B"] * jnp.interp(t, p["t"], p["forcing"])


class HAVOK(DelayContext, LearnedModel):
    """Hankel alternative view of Koopman: a linear model in delay coordinates forced by the last one.

    A scalar measurement x(t) (``variable`` of a multivariate series) is stacked into the Hankel
    matrix H (q x (m - q + 1)) of ``delays`` = q rows, H = U S V*; the first ``rank`` = r columns of V
    are the delay coordinates v_1..v_r(t). Their derivatives (4th-order central differences) are
    regressed by least squares on v: dv_{1..r-1}/dt = A v_{1..r-1} + B v_r -- a linear model in r-1
    coordinates forced by the intermittent last coordinate v_r (``forcing_``). Reference Lorenz
    setup: dt 0.001, q 100, r 15.

    ``as_system()``: the forced linear :class:`dynstab.Flow` dv/dt = A v + B v_r(t) on the **delay
    coordinates** v_1..v_{r-1}, with v_r(t) the training forcing interpolated in time (flag
    "forced"; defined on the training window). ``generate``/``forecast`` use the unforced r-dim
    linear model (the v_r row regressed too), a short-term predictor only; x is read back as
    x(t) = sum_k U[0, k] s_k v_k(t).

    Parameters
    ----------
    delays : int
        Rows q of the Hankel matrix (>= 2).
    rank : int
        Number r of delay coordinates kept (2 <= r <= q).
    variable : int
        Index of the measured variable of a multivariate series.
    forcing_threshold : float
        Threshold, in standard deviations of v_r, of the "active" forcing (``forcing_active``).

    Attributes
    ----------
    A_, B_ : numpy.ndarray
        The linear model (r-1 x r-1) and the forcing column (r-1,).
    full_matrix_ : numpy.ndarray
        The r x r regression of all coordinates (used by ``generate``).
    r2_ : numpy.ndarray
        Coefficient of determination of each fitted derivative.
    forcing_, times_ : numpy.ndarray
        v_r(t) and its time grid.
    forcing_stats_ : dict
        Mean, std, kurtosis (3 for a Gaussian; heavy tails in chaos) and active fraction of v_r.
    coordinates_, modes_, singular_values_ : numpy.ndarray
        V[:, :r], U[:, :r] and S of the Hankel matrix.
    dim_, dt_ : int, float
        Dimension and sampling step of the training data.

    References
    ----------
    S. L. Brunton, B. W. Brunton, J. L. Proctor, E. Kaiser and J. N. Kutz, Chaos as an intermittently
    forced linear system, Nat. Commun. 8:19 (2017).
    """

    def __init__(self, delays: int = 100, rank: int = 15, variable: int = 0, forcing_threshold: float = 2.0):
        self.delays = delays
        self.rank = rank
        self.variable = variable
        self.forcing_threshold = forcing_threshold

    def fit(self, data: Any, dt: float | None = None) -> HAVOK:
        """Hankel SVD of the measured variable and least-squares fit of the forced linear model.

        Parameters
        ----------
        data : array_like or Trajectory
            One trajectory (T, d) with T >= delays + 2 rank + 5.
        dt : float
            Sampling step (required unless ``data`` is a ``Trajectory``: derivatives are regressed).

        Returns
        -------
        HAVOK
            ``self``.
        """
        q, r = int(self.delays), int(self.rank)
        if q != self.delays or q < 2:
            raise ValueError(f"delays must be an integer >= 2, got {self.delays!r}")
        if r != self.rank or not 2 <= r <= q:
            raise ValueError(f"rank must be an integer with 2 <= rank <= delays={q}, got {self.rank!r}")
        if dt is None and not _has_time(data):
            raise ValueError("HAVOK regresses time derivatives: pass dt (the sampling step)")
        td = as_training_data(data, dt, min_length=q + 2 * r + 5)
        if len(td.series) != 1:
            raise ValueError("HAVOK takes one trajectory (one Hankel matrix); concatenate nothing, pass one series")
        s = td.series[0]
        if not 0 <= self.variable < s.shape[1]:
            raise ValueError(f"variable={self.variable} is out of range for {s.shape[1]} variables")
        x = s[:, self.variable]
        hankel = delay_windows(x[:, None], q)[:, ::-1]  # rows: [x_j .. x_{j+q-1}], i.e. H^T
        u_t, sv, vh = svd(jnp.asarray(hankel.T))
        u_np, s_np, v = np.asarray(u_t), np.asarray(sv), np.asarray(vh).T
        v = v[:, :r]
        dv = _central_difference4(v, td.dt)
        vc = v[2:-2]
        coef = np.linalg.lstsq(vc, dv, rcond=None)[0]  # dv = vc @ coef
        xi = coef.T  # dv/dt = xi @ v
        pred = vc @ coef
        ss_res = np.sum((dv - pred) ** 2, axis=0)
        ss_tot = np.sum((dv - dv.mean(axis=0)) ** 2, axis=0)
        self.dim_ = td.dim
        self.dt_ = td.dt
        self.singular_values_ = s_np
        self.modes_ = u_np[:, :r]
        self.coordinates_ = v
        self.full_matrix_ = xi
        self.A_ = xi[: r - 1, : r - 1]
        self.B_ = xi[: r - 1, r - 1]
        self.r2_ = 1 - ss_res / np.where(ss_tot > 0, ss_tot, np.inf)
        f = v[:, r - 1]
        self.forcing_ = f
        self.times_ = np.arange(f.size) * td.dt
        z = (f - f.mean()) / f.std()
        self.forcing_stats_ = {
            "mean": float(f.mean()),
            "std": float(f.std()),
            "kurtosis": float(np.mean(z**4)),
            "active_fraction": float(np.mean(np.abs(z) > self.forcing_threshold)),
        }
        self._readout = u_np[0, :r] * s_np[:r]
        self._propagator = _expm(xi * td.dt)
        self._u = u_np[:, :r]
        self._s = s_np[:r]
        self.fitted_ = True
        return self

    def forcing_active(self, threshold: float | None = None) -> np.ndarray:
        """Samples where the forcing is active: |v_r - mean| > threshold std (the bursts before lobe switches).

        Parameters
        ----------
        threshold : float, optional
            In standard deviations of v_r (default ``forcing_threshold``).

        Returns
        -------
        numpy.ndarray of bool
            One flag per training sample of v_r.
        """
        self._check_fitted()
        thr = self.forcing_threshold if threshold is None else threshold
        f = self.forcing_
        return np.abs(f - f.mean()) > thr * f.std()

    def simulate_forced(self, steps: int | None = None) -> np.ndarray:
        """The linear model driven by the measured forcing from v(0), integrated with RK4.

        Parameters
        ----------
        steps : int, optional
            Number of samples (default: the whole training window).

        Returns
        -------
        numpy.ndarray
            v_{1..r-1}(t) every ``dt_``, shape (steps, r - 1).
        """
        from ..simulate.trajectory import trajectory

        self._check_fitted()
        n = self.forcing_.size if steps is None else min(check_steps(steps), self.forcing_.size)
        tr = trajectory(self.as_system(), t=(n - 1) * self.dt_, dt=self.dt_, method="rk4")
        return tr.x

    def _coords_from_window(self, window: np.ndarray) -> np.ndarray:
        # v = U^T h / s (the Hankel column is [x_j .. x_{j+q-1}], oldest first)
        return (self._u.T @ window) / self._s

    def generate(self, x0: Any, steps: int) -> np.ndarray:
        """Predict the measured variable with the unforced r-dimensional linear model.

        Parameters
        ----------
        x0 : array_like, shape (delays,)
            The last ``delays`` samples of the measured variable, oldest first.
        steps : int
            Number of samples to predict.

        Returns
        -------
        numpy.ndarray
            The measured variable, shape (steps, 1).
        """
        self._check_fitted()
        q = int(self.delays)
        w = np.asarray(x0, dtype=float).reshape(-1)
        if w.size != q or not np.all(np.isfinite(w)):
            raise ValueError(f"x0 must be the last {q} finite samples of the measured variable; got {w.size}")
        v = self._coords_from_window(w)
        vs = np.asarray(iterate_linear(jnp.asarray(self._propagator), jnp.asarray(v), check_steps(steps)))
        # the newest sample is the last entry of the window: row q-1 of U
        return (vs @ (self._u[q - 1] * self._s))[:, None]

    def forecast(self, context: Any, steps: int) -> np.ndarray:
        """Predict the measured variable after the last ``delays`` samples of ``context``.

        Parameters
        ----------
        context : array_like, shape (T_c, d)
            Observed samples, T_c >= ``delays``.
        steps : int
            Number of samples to predict.

        Returns
        -------
        numpy.ndarray
            Shape (steps, 1).
        """
        self._check_fitted()
        ctx = check_series(context, what="context", min_length=self.context_length, dim=self.dim_)
        return self.generate(ctx[-int(self.delays) :, self.variable], steps)

    def as_system(self):
        """The forced linear flow dv/dt = A v + B v_r(t) on the delay coordinates v_1..v_{r-1}.

        Returns
        -------
        Flow
            Parameters ``A``, ``B``, ``t``, ``forcing``; flag "forced"; ``dt`` = ``dt_``.
        """
        from ..systems import Flow

        self._check_fitted()
        r = int(self.rank)
        params = {"A": self.A_, "B": self.B_, "t": self.times_, "forcing": self.forcing_}
        return Flow.from_law(
            _havok_law,
            params=params,
            x0=self.coordinates_[0, : r - 1],
            names=tuple(f"v{k + 1}" for k in range(r - 1)),
            name="HAVOK",
            reference="Brunton et al., Nat. Commun. 8:19 (2017)",
            dt=self.dt_,
            flags=frozenset({"forced"}),
            description="dv/dt = A v + B v_r(t), v_r the measured forcing (training window)",
        )

    def plot(self, ax: Any = None):
        """The forcing v_r(t) with its active (bursting) samples marked.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes to draw in.

        Returns
        -------
        matplotlib.figure.Figure
            The figure.
        """
        import matplotlib.pyplot as plt

        self._check_fitted()
        fig, ax = plt.subplots(figsize=(7, 3)) if ax is None else (ax.figure, ax)
        ax.plot(self.times_, self.forcing_, lw=0.6, color="k")
        act = self.forcing_active()
        ax.plot(self.times_[act], self.forcing_[act], ".", ms=1.5, color="crimson")
        ax.set_xlabel("t")
        ax.set_ylabel(f"$v_{{{int(self.rank)}}}$")
        ax.set_title("HAVOK forcing")
        return fig


def _has_time(data: Any) -> bool:
    from ..simulate.trajectory import Trajectory

    items = data if isinstance(data, (list, tuple)) else [data]
    return any(isinstance(i, Trajectory) for i in items)


def _expm(m: np.ndarray) -> np.ndarray:
    from scipy.linalg import expm

    return expm(m)
