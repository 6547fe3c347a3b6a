r"""SINDy, sparse identification of nonlinear dynamics, through pysindy.

S. L. Brunton, J. L. Proctor and J. N. Kutz, *Discovering governing equations from data by sparse
identification of nonlinear dynamical systems*, PNAS 113, 3932-3937 (2016). With X the samples,
:math:`\dot X` their time derivatives (finite differences by default) and :math:`\Theta(X)` a library of
candidate functions (monomials up to ``degree``), SINDy solves the sparse regression

.. math::

    \dot X \approx \Theta(X)\, \Xi^\top,

by sequentially thresholded least squares (STLSQ: least squares, zero every coefficient with
:math:`|\xi| <` ``threshold``, refit on the remaining terms, repeat). The fitting is done by pysindy
(B. M. de Silva et al., J. Open Source Softw. 5, 2104 (2020); A. A. Kaptanoglu et al., JOSS 7, 3994
(2022)); this module wraps it in dynstab's estimator interface and turns a fitted polynomial model into
a :class:`dynstab.Flow` evaluated in JAX, so fixed points, Lyapunov spectra and basins of the learned
equations come from the same tools as for the true system.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, cast

import jax.numpy as jnp
import numpy as np

from ..systems import Flow
from .base import LearnedModel, as_training_data, check_series, check_steps

__all__ = ["SINDy"]


class SINDy(LearnedModel):
    """Sparse identification of nonlinear dynamics (Brunton, Proctor & Kutz 2016) via pysindy.

    Parameters
    ----------
    degree : int
        degree of the default polynomial library (``pysindy.PolynomialLibrary(degree)``).
    threshold : float
        STLSQ sparsity threshold of the default optimizer.
    alpha : float
        STLSQ ridge parameter of the default optimizer.
    optimizer : object
        a pysindy optimizer (e.g. ``pysindy.SR3(...)``) instead of ``STLSQ(threshold, alpha)``.
    feature_library : object
        a pysindy feature library instead of ``PolynomialLibrary(degree)``; ``as_system()``
        needs a ``PolynomialLibrary``.
    differentiation_method : object
        a pysindy differentiation method (default: second-order
        ``FiniteDifference``; ``pysindy.SmoothedFiniteDifference()`` for noisy data).
    names : tuple[str, ...] | list[str] | None
        variable names (default: those of a fitted `Trajectory`'s system, else x1, x2, ...).
        The pysindy objects passed above are cloned, never modified.

    Attributes
    ----------
    coefficients_ : numpy.ndarray
        Xi, shape (d, n_features).
    feature_names_ : list of str
        Names of the library functions.
    names_ : tuple of str
        Variable names.
    model_ : pysindy.SINDy
        The fitted pysindy model.
    dim_ : int
        Number of variables d.
    dt_ : float
        Sampling step of the training data.

    References
    ----------
    S. L. Brunton, J. L. Proctor and J. N. Kutz, Discovering governing equations from data by sparse
    identification of nonlinear dynamical systems, PNAS 113, 3932 (2016); B. M. de Silva et al., PySINDy,
    J. Open Source Softw. 5, 2104 (2020).
    """

    def __init__(
        self,
        degree: int = 2,
        threshold: float = 0.1,
        *,
        alpha: float = 0.05,
        optimizer: Any = None,
        feature_library: Any = None,
        differentiation_method: Any = None,
        names: tuple[str, ...] | list[str] | None = None,
    ):
        self.degree = degree
        self.threshold = threshold
        self.alpha = alpha
        self.optimizer = optimizer
        self.feature_library = feature_library
        self.differentiation_method = differentiation_method
        self.names = names

    def _pysindy_model(self):
        ps = _pysindy()
        from sklearn.base import clone

        if self.feature_library is None:
            if int(self.degree) != self.degree or self.degree < 1:
                raise ValueError(f"degree must be a positive integer, got {self.degree!r}")
            library = ps.PolynomialLibrary(degree=int(self.degree))
        else:
            library = clone(self.feature_library)
        if self.optimizer is None:
            if not (np.isfinite(self.threshold) and self.threshold >= 0):
                raise ValueError(f"threshold must be a finite number >= 0, got {self.threshold!r}")
            optimizer = ps.STLSQ(threshold=float(self.threshold), alpha=float(self.alpha))
        else:
            optimizer = clone(self.optimizer)
        diff = None if self.differentiation_method is None else clone(self.differentiation_method)
        return ps.SINDy(optimizer=optimizer, feature_library=library, differentiation_method=diff)

    def fit(self, data: Any, dt: float | None = None) -> SINDy:
        """Fit the sparse model to one or several trajectories sampled every ``dt`` (pysindy's SINDy.fit
        on the list of series, derivatives by the differentiation method on each series).

        Parameters
        ----------
        data : array_like or Trajectory or list
            Training trajectories (T_i, d) (see :func:`~dynstab.learn.base.as_training_data`).
        dt : float, optional
            Sampling step (default: a ``Trajectory``'s step, else 1).
        """
        from ..simulate.trajectory import Trajectory

        td = as_training_data(data, dt, min_length=5)
        names = self.names
        if names is None:
            first = data[0] if isinstance(data, (list, tuple)) and data else data
            names = first.system.names if isinstance(first, Trajectory) else tuple(f"x{i + 1}" for i in range(td.dim))
        names = tuple(str(n) for n in names)
        if len(names) != td.dim:
            raise ValueError(f"{len(names)} names given for {td.dim} variables")
        model = self._pysindy_model()
        series = list(td.series)
        model.fit(series if len(series) > 1 else series[0], t=td.dt, feature_names=list(names))
        coef = np.asarray(model.coefficients(), dtype=np.float64)
        if not np.all(np.isfinite(coef)):
            raise FloatingPointError("pysindy returned non-finite coefficients; check the data and the library")
        self.model_ = model
        self._law: Callable[..., Any] | None = None
        self.coefficients_ = coef
        self.feature_names_ = list(model.get_feature_names())
        self.names_ = names
        self._x_last = td.series[-1][-1]
        self.dim_ = td.dim
        self.dt_ = td.dt
        self.fitted_ = True
        return self

    def equations(self, precision: int = 3) -> list[str]:
        """The learned equations as readable strings, e.g. ``"x' = -9.999 x + 9.999 y"``.

        Parameters
        ----------
        precision : int
            Decimal places of the coefficients.
        """
        self._check_fitted()
        rhs = self.model_.equations(precision=precision)
        return [f"{name}' = {eq}" for name, eq in zip(self.names_, rhs)]

    def __str__(self) -> str:
        if not getattr(self, "fitted_", False):
            return f"SINDy(degree={self.degree}, threshold={self.threshold}) [not fitted]"
        return "\n".join(self.equations())

    def _powers(self) -> np.ndarray:
        ps = _pysindy()

        lib = self.model_.feature_library
        if not isinstance(lib, ps.PolynomialLibrary) or not hasattr(lib, "powers_"):
            raise TypeError(
                f"as_system() turns a PolynomialLibrary model into a JAX flow; this model uses "
                f"{type(lib).__name__}. Refit with feature_library=None or pysindy.PolynomialLibrary, "
                "or simulate it with model_.simulate"
            )
        powers = np.asarray(lib.powers_, dtype=np.int64)
        if powers.shape != (self.coefficients_.shape[1], self.dim_):
            raise TypeError(
                f"the polynomial library has powers of shape {powers.shape}, expected "
                f"({self.coefficients_.shape[1]}, {self.dim_})"
            )
        return powers

    def as_system(self, dt: float | None = None) -> Flow:
        """The learned equations as a `dynstab.Flow`:

        dx_i/dt = sum_j Xi_ij prod_k x_k^(P_jk),

        with P the library's powers matrix (static in the law) and Xi the parameter ``coefficients``
        (d, n_terms), evaluated in JAX. ``dt`` is the flow's recommended integration step (default: the
        sampling step of the data); ``x0`` is the last training sample.

        Parameters
        ----------
        dt : float, optional
            Recommended integration step of the flow (default: the sampling step ``dt_``).
        """
        self._check_fitted()
        law: Callable[..., Any] | None = getattr(self, "_law", None)
        if law is None:
            law = self._law = _PolynomialField(tuple(tuple(int(v) for v in row) for row in self._powers()), self.dim_)
        step = float(self.dt_ if dt is None else dt)
        if not (np.isfinite(step) and step > 0):
            raise ValueError(f"dt must be positive, got {dt}")
        system = Flow.from_law(
            law,
            params={"coefficients": self.coefficients_},
            x0=self._x_last,
            names=tuple(self.names_),
            name="SINDy model",
            dt=step,
            reference="S. L. Brunton, J. L. Proctor and J. N. Kutz, PNAS 113, 3932 (2016)",
            description="; ".join(self.equations()),
        )
        return cast(Flow, system)  # from_law is annotated -> System

    def generate(self, x0: Any, steps: int) -> np.ndarray:
        """Integrate the learned equations from ``x0`` (DOP853, rtol 1e-10) and sample every ``dt_``:
        the ``steps`` samples after x0, shape (steps, d). Raises if the learned model blows up.

        Parameters
        ----------
        x0 : array_like
            The observed start state (d,) (or a batch (B, d) where supported).
        steps : int
            Number of samples to predict.
        """
        from ..simulate.trajectory import trajectory

        self._check_fitted()
        x0 = check_series(np.asarray(x0, dtype=np.float64).reshape(1, -1), what="x0", dim=self.dim_)[0]
        steps = check_steps(steps)
        try:
            system = self.as_system()
        except TypeError:  # non-polynomial library: pysindy's own integrator
            t = self.dt_ * np.arange(steps + 1)
            return np.asarray(self.model_.simulate(x0, t))[1:]
        return trajectory(system, t=steps * self.dt_, dt=self.dt_, x0=x0, method="dopri8", rtol=1e-10, atol=1e-12).x[1:]


@dataclasses.dataclass(frozen=True)
class _PolynomialField:
    """dx_i/dt = sum_j Xi_ij prod_k x_k^(P_jk), Xi the parameter ``coefficients`` (d, n_terms), P ``powers``.

    A value, not a closure: models with the same library (the same powers) have equal laws, so every fit,
    grid point and forecast of a benchmark shares one compiled integrator (a closure per fit compiled it
    again each time, about 1 s).
    """

    powers: tuple[tuple[int, ...], ...]
    dim: int

    def __call__(self, x: Any, p: Any, t: Any) -> Any:
        powers = np.asarray(self.powers, dtype=np.int64).reshape(len(self.powers), self.dim)
        max_deg = int(powers.max()) if powers.size else 0
        cols = np.broadcast_to(np.arange(self.dim), powers.shape)
        table = jnp.stack([jnp.ones_like(x)] + [x**k for k in range(1, max_deg + 1)])  # (max_deg + 1, d)
        return p["coefficients"] @ jnp.prod(table[powers, cols], axis=1)


def _pysindy():
    try:
        import pysindy
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError(
            "SINDy wraps pysindy, which is not installed: pip install 'dynstab[learn]' (or pip install pysindy)"
        ) from None
    return pysindy
