"""Butcher tableaus of the explicit Runge-Kutta methods.

The DOP853 coefficients (Hairer, Norsett & Wanner, Solving Ordinary Differential
Equations I, 2nd ed., Springer 1993, Sec. II.10; Fortran code DOP853 by Hairer and
Wanner) are read from scipy, which ships them as plain data, so the 8th-order
method here uses exactly the numbers of the reference implementation. The data file is loaded
on its own: importing it through ``scipy.integrate`` would import all of scipy.integrate,
scipy.optimize and scipy.special (0.45-1.0 s, the largest import of ``dynstab analyze`` after
JAX: issue 15).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import numpy as np


def _scipy_data_module(relative: str) -> ModuleType:
    """The module at ``scipy/<relative>`` executed alone, without its package's ``__init__``."""
    scipy_spec = importlib.util.find_spec("scipy")
    if scipy_spec is None or scipy_spec.origin is None:
        raise ImportError("scipy is needed for the DOP853 coefficients")
    path = Path(scipy_spec.origin).parent / relative
    spec = importlib.util.spec_from_file_location(f"_dynstab_scipy_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"scipy's {relative} is missing")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_dop853 = _scipy_data_module("integrate/_ivp/dop853_coefficients.py")


@dataclass(frozen=True)
class Tableau:
    """An explicit RK method: stages k_i = f(t + c_i h, x + h sum_j a_ij k_j), x' = x + h sum_i b_i k_i.

    Attributes
    ----------
    name : str
        The method's name (``"rk4"``, ``"rk8"``, ``"euler"``).
    order : int
        Order of accuracy.
    a : ndarray, shape (s, s)
        Stage coefficients, strictly lower triangular.
    b : ndarray, shape (s,)
        Weights of the stages in the step.
    c : ndarray, shape (s,)
        Nodes: the stages' times as fractions of the step.

    References
    ----------
    Hairer, Norsett & Wanner, Solving Ordinary Differential Equations I, 2nd ed., Springer 1993,
    Sec. II.1.
    """

    name: str
    order: int
    a: np.ndarray  # (s, s) strictly lower triangular
    b: np.ndarray  # (s,)
    c: np.ndarray  # (s,)


RK4 = Tableau(
    name="rk4",
    order=4,
    a=np.array([[0, 0, 0, 0], [0.5, 0, 0, 0], [0, 0.5, 0, 0], [0, 0, 1.0, 0]]),
    b=np.array([1 / 6, 1 / 3, 1 / 3, 1 / 6]),
    c=np.array([0, 0.5, 0.5, 1.0]),
)

_S = _dop853.N_STAGES  # 12 stages of the 8th-order solution

#: Classical 8th-order DOP853 solution used with a fixed step.
RK8 = Tableau(name="rk8", order=8, a=_dop853.A[:_S, :_S], b=_dop853.B, c=_dop853.C[:_S])

EULER = Tableau(name="euler", order=1, a=np.zeros((1, 1)), b=np.ones(1), c=np.zeros(1))


class DOP853:
    """Everything the adaptive DOP853 needs: stages, error estimators, dense output.

    Attributes
    ----------
    a, b, c : ndarray
        The 12-stage 8th-order formula (as `RK8`).
    e3, e5 : ndarray, shape (13,)
        The 3rd- and 5th-order error estimators over the 12 stages and f(x_new).
    a_extra, c_extra : ndarray
        The three extra stages of the 7th-order interpolant.
    d : ndarray, shape (4, 16)
        Dense-output coefficients.
    error_order : int
        Order in the step-size control exponent, ``1 / (error_order + 1)``.

    References
    ----------
    Hairer, Norsett & Wanner, Solving Ordinary Differential Equations I, 2nd ed., Springer 1993,
    Sec. II.10; the Fortran code DOP853 (Hairer & Wanner).
    """

    a = _dop853.A[:_S, :_S]
    b = _dop853.B
    c = _dop853.C[:_S]
    e3 = _dop853.E3  # (13,): 3rd-order error estimator over the 12 stages + f(x_new)
    e5 = _dop853.E5  # (13,): 5th-order error estimator
    a_extra = _dop853.A[_S + 1 :]  # (3, 16): three extra stages for the 7th-order interpolant
    c_extra = _dop853.C[_S + 1 :]
    d = _dop853.D  # (4, 16): dense-output coefficients
    error_order = 7
