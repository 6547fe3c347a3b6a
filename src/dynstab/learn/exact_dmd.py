"""Exact dynamic mode decomposition (Tu et al. 2014; Schmid 2010).

The heavy linear algebra (SVD, projection) is JAX; the small r x r non-symmetric eigenproblem runs
on the host in LAPACK (``numpy.linalg.eig``), since XLA has no GPU kernel for it.
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np

from .base import LearnedModel, as_training_data, check_series, check_steps
from .koopman import choose_rank, dmd_reduced, iterate_linear, linear_map, plot_eigenvalues, snapshot_pairs, svd

__all__ = ["DMD"]


class DMD(LearnedModel):
    """Exact dynamic mode decomposition.

    Snapshot pairs X = [x_0 .. x_{m-1}], Y = [x_1 .. x_m] (columns; several trajectories are
    concatenated pairwise). X = U S V* truncated to rank r, A~ = U* Y V S^-1, A~ w = lambda w.
    Modes: exact ``phi = Y V S^-1 w / lambda`` (``exact=True``) or projected ``phi = U w``.
    Continuous-time eigenvalues ``omega = log(lambda) / dt``; amplitudes b = Phi^+ x_0.

    Complex snapshots (e.g. a field sampled as ``f(x) exp(i w t)``) are decomposed as they are,
    with * the conjugate transpose: the eigenvalues of a complex signal need not come in
    conjugate pairs (PyDMD's ``test_eigs_3``: ``exp(2.8 i dt)`` and ``exp(2.3 i dt)``).
    ``generate``, ``forecast``, ``reconstruct`` and ``predict_n_steps`` then work on complex
    states; ``as_system()`` needs a real state and raises for a complex fit.

    ``as_system()``: the linear :class:`dynstab.Map` x[n+1] = A x[n] on the **state** (dimension d),
    with A = Y V S^-1 U* (exact; the rank-r least-squares operator Y X^+) or U A~ U* (projected);
    one iteration is ``dt_`` time units.

    Parameters
    ----------
    rank : int, optional
        Truncation rank r.
    energy : float, optional
        If ``rank`` is None: the smallest r whose singular values hold this fraction of sum S^2.
        Default (both None): the numerical rank.
    exact : bool
        Exact (True) or projected (False) modes and operator.

    Attributes
    ----------
    eigenvalues_ : numpy.ndarray
        DMD eigenvalues lambda, by decreasing modulus.
    modes_ : numpy.ndarray
        DMD modes (columns), shape (d, r).
    amplitudes_ : numpy.ndarray
        Mode amplitudes b of the first training sample.
    operator_ : numpy.ndarray
        The d x d operator A.
    reduced_operator_, basis_, singular_values_, rank_ : numpy.ndarray or int
        A~, U, all singular values S of X, and r.
    dim_, dt_, x0_ : int, float, numpy.ndarray
        Dimension, sampling step and first sample of the training data.
    complex_ : bool
        Whether the training data was complex.

    References
    ----------
    J. H. Tu, C. W. Rowley, D. M. Luchtenburg, S. L. Brunton and J. N. Kutz, On dynamic mode
    decomposition: theory and applications, J. Comput. Dyn. 1:391 (2014); P. J. Schmid, Dynamic
    mode decomposition of numerical and experimental data, J. Fluid Mech. 656:5 (2010).
    """

    complex_: bool = False  # set by fit; subclasses that fit only real data keep this default

    def __init__(self, rank: int | None = None, energy: float | None = None, exact: bool = True):
        self.rank = rank
        self.energy = energy
        self.exact = exact

    def fit(self, data: Any, dt: float | None = None) -> DMD:
        """Decompose the snapshot pairs of one or several trajectories.

        Parameters
        ----------
        data : array_like or Trajectory or list
            Training trajectories (T_i, d), at least 2 samples each; real or complex.
        dt : float, optional
            Sampling step (default: a ``Trajectory``'s step, else 1).

        Returns
        -------
        DMD
            ``self``.
        """
        td = as_training_data(data, dt, min_length=2, allow_complex=True)
        self.complex_ = any(np.iscomplexobj(s) for s in td.series)
        series = tuple(s.astype(np.complex128) for s in td.series) if self.complex_ else td.series
        xr, yr = snapshot_pairs(series)
        self._fit_pairs(xr.T, yr.T, td.dt)
        self.dim_ = td.dim
        self.x0_ = series[0][0]
        self.amplitudes_ = np.linalg.lstsq(self.modes_, self.x0_.astype(complex), rcond=None)[0]
        self.fitted_ = True
        return self

    def _fit_pairs(self, x: np.ndarray, y: np.ndarray, dt: float) -> None:
        xj, yj = jnp.asarray(x), jnp.asarray(y)
        u, s, vh = svd(xj)
        s_np = np.asarray(s)
        r = choose_rank(s_np, self.rank, self.energy)
        u, s, vh = u[:, :r], s[:r], vh[:r]
        atilde, yvs = dmd_reduced(u, s, vh, yj)
        lam, w = np.linalg.eig(np.asarray(atilde))
        order = np.argsort(-np.abs(lam), kind="stable")
        lam, w = lam[order], w[:, order]
        u_np, yvs_np = np.asarray(u), np.asarray(yvs)
        if self.exact:
            modes = yvs_np @ w
            nz = np.abs(lam) > 1e-14 * max(1.0, np.abs(lam).max())
            modes[:, nz] = modes[:, nz] / lam[nz]
            modes[:, ~nz] = u_np @ w[:, ~nz]
            self.operator_ = yvs_np @ u_np.conj().T
        else:
            modes = u_np @ w
            self.operator_ = u_np @ np.asarray(atilde) @ u_np.conj().T
        self.rank_ = r
        self.singular_values_ = s_np
        self.basis_ = u_np
        self.reduced_operator_ = np.asarray(atilde)
        self.eigenvalues_ = lam
        self.modes_ = modes
        self.dt_ = float(dt)

    @property
    def omega_(self) -> np.ndarray:
        """Continuous-time eigenvalues log(lambda) / dt (growth rate + i angular frequency)."""
        self._check_fitted()
        with np.errstate(divide="ignore"):
            return np.log(self.eigenvalues_.astype(complex)) / self.dt_

    @property
    def frequencies_(self) -> np.ndarray:
        """Frequencies Im(omega) / (2 pi) in cycles per time unit."""
        return self.omega_.imag / (2 * np.pi)

    @property
    def growth_rates_(self) -> np.ndarray:
        """Growth (damping if negative) rates Re(omega) per time unit."""
        return self.omega_.real

    def reconstruct(self, steps: int) -> np.ndarray:
        """Mode expansion x_k = sum_j phi_j lambda_j^k b_j of the first training trajectory.

        Parameters
        ----------
        steps : int
            Number of samples k = 0 .. steps - 1.

        Returns
        -------
        numpy.ndarray
            Shape (steps, d): the real part, or the complex values for a complex fit.
        """
        self._check_fitted()
        k = np.arange(check_steps(steps))
        x = (self.eigenvalues_[None, :] ** k[:, None] * self.amplitudes_[None, :]) @ self.modes_.T
        return x if self.complex_ else np.real(x)

    def generate(self, x0: Any, steps: int) -> np.ndarray:
        """Iterate x[n+1] = A x[n] from a state.

        Parameters
        ----------
        x0 : array_like, shape (d,)
            The start state (complex for a complex fit).
        steps : int
            Number of iterates.

        Returns
        -------
        numpy.ndarray
            Shape (steps, d): A x0, A^2 x0, ...
        """
        self._check_fitted()
        z0 = check_series(np.reshape(x0, (1, -1)), what="x0", dim=self.dim_, allow_complex=self.complex_)[0]
        a = self.operator_ if self.complex_ else np.real(self.operator_)
        if self.complex_:
            z0 = z0.astype(np.complex128)
        return np.asarray(iterate_linear(jnp.asarray(a), jnp.asarray(z0), check_steps(steps)))

    def predict_n_steps(self, x: Any, starts: Any, n: int) -> np.ndarray:
        """Batched n-step predictions A^n x[s] from the states x[starts] (used by ``prediction_error``).

        Parameters
        ----------
        x : array_like, shape (T, d)
            A series.
        starts : array_like of int
            Start indices into ``x``.
        n : int
            Prediction horizon in steps.

        Returns
        -------
        numpy.ndarray
            Shape (len(starts), d).
        """
        self._check_fitted()
        an = np.linalg.matrix_power(self.operator_ if self.complex_ else np.real(self.operator_), int(n))
        return np.asarray(x)[np.asarray(starts)] @ an.T

    def as_system(self):
        """The linear map x[n+1] = A x[n] on the state.

        Returns
        -------
        Map
            Parameter ``M`` = A (real part), ``x0`` the first training sample, ``dt`` = ``dt_``.

        Raises
        ------
        ValueError
            For a model fitted on complex data: a :class:`dynstab.Map` has a real state.
        """
        self._check_fitted()
        if self.complex_:
            raise ValueError(
                "this DMD was fitted on complex snapshots; as_system() needs a real state and would drop "
                "the imaginary part. Fit DMD on np.concatenate([x.real, x.imag], axis=-1) for a real map "
                "of dimension 2d, or use generate/forecast/reconstruct on complex states"
            )
        return linear_map(
            np.real(self.operator_), self.x0_, "DMD", "Tu et al., J. Comput. Dyn. 1:391 (2014)", dt=self.dt_
        )

    def plot(self, ax: Any = None):
        """Eigenvalues in the complex plane with the unit circle.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes to draw in.

        Returns
        -------
        matplotlib.figure.Figure
            The figure.
        """
        self._check_fitted()
        return plot_eigenvalues(self.eigenvalues_, ax=ax, title=f"DMD eigenvalues (rank {self.rank_})")
