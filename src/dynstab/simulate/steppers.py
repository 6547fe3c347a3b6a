"""Fixed-step explicit Runge-Kutta steps.

The loops around these steps are those of `dynstab.simulate.evolution` (`run`, `intervals`,
`sample`). A hand-written fixed-step loop in ``lax.scan`` is used instead of
``diffrax.diffeqsolve`` because it measured about 8x faster for many short intervals
(Lyapunov QR intervals, ensembles): no step-size controller, no per-interval solver setup.
Note: unrolling the inner loop made XLA's CPU code 3-10x *slower* here (measured), so loops
stay rolled (`dynstab.simulate.evolution.run` unrolls by 2 only for states of a few numbers).

References
----------
Hairer, Norsett & Wanner, Solving Ordinary Differential Equations I, 2nd ed., Springer 1993,
Sec. II.1 (explicit Runge-Kutta methods) and II.10 (DOP853, whose 8th-order formula is ``"rk8"``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax

from ..validation import as_step
from .tableaus import EULER, RK4, RK8, Tableau

#: The fixed-step methods by name: ``"euler"``, ``"rk4"`` (classical) and ``"rk8"`` (DOP853's 8th-order formula).
FIXED_STEP_METHODS: dict[str, Tableau] = {"euler": EULER, "rk4": RK4, "rk8": RK8}


def fixed_step(system: Any, method: str, dt: float | None = None) -> float:
    """The step of a fixed-step method: ``dt`` or the system's recommended one; checks both.

    Parameters
    ----------
    system : System
        The system whose recommended step ``system.dt`` is the default.
    method : str
        A key of `FIXED_STEP_METHODS` (``"euler"``, ``"rk4"``, ``"rk8"``).
    dt : float, optional
        The step; default ``system.dt``.

    Returns
    -------
    float
        The checked step (finite, > 0).

    Raises
    ------
    ValueError
        If ``method`` is not a fixed-step method, or the step is not a finite number > 0
        (`dynstab.validation.InvalidTypeError`, a ValueError, for a non-number).
    """
    if method not in FIXED_STEP_METHODS:
        raise ValueError(f"method must be one of {sorted(FIXED_STEP_METHODS)}, got {method!r}")
    return as_step(system.dt if dt is None else dt, name="dt")


def rk_step(tableau: Tableau, f: Callable[[Any, Any], Any], x: Any, t: Any, h: Any, k1: Any = None) -> Any:
    """One explicit RK step of ``dx/dt = f(x, t)`` (works on any pytree state).

    ``k1``, if given, is f(x, t) computed by the caller (e.g. together with the Jacobian whose trace
    the Lyapunov spectrum averages), so the first stage is not evaluated twice.

    Parameters
    ----------
    tableau : Tableau
        The method's Butcher tableau (exact zeros of ``a`` and ``b`` are skipped when tracing).
    f : callable
        The vector field ``f(x, t)``, returning a pytree like ``x``.
    x : pytree of arrays
        The state at the start of the step.
    t : float or array
        The time at the start of the step.
    h : float or array
        The step (negative integrates backward).
    k1 : pytree of arrays, optional
        ``f(x, t)`` if the caller has it already; computed here otherwise.

    Returns
    -------
    pytree of arrays
        The state at ``t + h``.

    References
    ----------
    Hairer, Norsett & Wanner, Solving Ordinary Differential Equations I, 2nd ed., Springer 1993,
    Sec. II.1.
    """
    ks = []
    for i in range(len(tableau.b)):
        if i == 0 and k1 is not None:
            ks.append(k1)
            continue
        xi = x
        for j in range(i):
            if tableau.a[i, j] != 0.0:
                xi = jax.tree.map(lambda u, k, a=tableau.a[i, j]: u + (h * a) * k, xi, ks[j])
        ks.append(f(xi, t + tableau.c[i] * h))
    out = x
    for bi, k in zip(tableau.b, ks):
        if bi != 0.0:
            out = jax.tree.map(lambda u, kk, bi=bi: u + (h * bi) * kk, out, k)
    return out
