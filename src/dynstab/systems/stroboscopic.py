r"""The stroboscopic (time-T) map of a flow as a `Map`.

For a flow forced with period :math:`T` (or any flow and a chosen :math:`T`), the stroboscopic
map :math:`x(t_0 + nT) \mapsto x(t_0 + (n+1)T)` is a `Map`, so every map algorithm (trajectories,
`lyapunov_spectrum`, `fixed_points`, `periodic_orbits`, orbit diagrams) applies to it through the
system protocol. One iteration is a fixed number of Runge-Kutta steps of the flow, run by the
loop of `dynstab.simulate.evolution.run`, starting at time :math:`t_0 + nT` so the forcing phase
is tracked exactly. Fixed points of the map are :math:`T`-periodic responses of the flow; its
Lyapunov exponents are the flow's times :math:`T`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import equinox as eqx
import jax.numpy as jnp

from .._precision import float64
from ..simulate.evolution import run
from ..simulate.steppers import FIXED_STEP_METHODS, fixed_step, rk_step
from ..validation import as_float, as_int, as_positive_float
from .base import Flow, Map

__all__ = ["StroboscopicMap", "FORCING_PARAMETERS"]

#: Parameter names read as the angular frequency of the forcing, period 2 pi / value (catalog: duffing
#: ``omega``, driven_pendulum ``Omega``).
FORCING_PARAMETERS = ("omega", "Omega", "w", "forcing_frequency")


@dataclass(frozen=True)
class _StroboscopicLaw:
    """x(t0 + n T) -> x(t0 + (n + 1) T) by ``steps`` fixed RK steps; T fixed or 2 pi / p[param]."""

    flow_rhs: Callable
    period: float | None
    param: str | None
    steps: int
    t0: float
    method: str

    def period_of(self, p):
        """The period T at parameters ``p`` (traceable)."""
        return self.period if self.param is None else 2.0 * jnp.pi / p[self.param]

    def __call__(self, x, p, n):
        T = self.period_of(p)
        h = T / self.steps  # depends on the parameters when T = 2 pi / omega, so the step is traced
        tab = FIXED_STEP_METHODS[self.method]
        f = lambda y, t: self.flow_rhs(y, p, t)  # noqa: E731
        return run(lambda y, t, k: rk_step(tab, f, y, t, h), x, self.t0 + n * T, h, self.steps)


class StroboscopicMap(Map):
    """The time-T (stroboscopic) map of a flow, x(t0 + n T) -> x(t0 + (n + 1) T), as a `Map`.

    Without ``period``, a flow flagged "forced" with a forcing frequency parameter (one of
    `FORCING_PARAMETERS`, e.g. duffing's ``omega``) gets T = 2 pi / omega, re-read from the
    parameters at every call (so ``with_params(omega=...)`` and parameter sweeps change T).
    One iteration is ``steps`` Runge-Kutta steps starting at time t0 + n T, so the forcing
    phase is tracked exactly. Fixed points of the map are T-periodic responses, its Lyapunov
    exponents are the flow's times T.

    Parameters
    ----------
    flow : Flow
        The flow (usually forced).
    period : float, optional
        The period T; default 2 pi / the forcing frequency parameter.
    steps : int, optional
        Runge-Kutta steps per period (>= 1); default the smallest number with T / steps <= flow.dt.
    t0 : float
        Time of the first stroboscopic sample (the forcing phase).
    method : str
        Fixed-step Runge-Kutta method: ``"rk4"`` (default), ``"rk8"`` or ``"euler"``.

    Attributes
    ----------
    base : Flow
        The flow as given (`flow` is the flow with this map's current parameters).
    period_param : str or None
        The forcing frequency parameter that sets T = 2 pi / value, or None for a fixed ``period``.
    steps : int
        Runge-Kutta steps per period.
    t0 : float
        Time of the first stroboscopic sample.

    Raises
    ------
    TypeError
        If ``flow`` is not a `Flow`.
    ValueError
        Without ``period`` for a flow that is not forced or has no forcing frequency parameter;
        for a bad ``period``, ``steps``, ``t0`` or ``method``.

    References
    ----------
    J. Guckenheimer & P. Holmes, Nonlinear Oscillations, Dynamical Systems, and Bifurcations of
    Vector Fields (Springer 1983), sec. 1.5 and 2.2 (the forced Duffing oscillator).

    Examples
    --------
    >>> sm = StroboscopicMap(dynstab.systems.get("duffing"))  # doctest: +SKIP
    >>> sm.period  # 2 pi / omega  # doctest: +SKIP
    5.235987755982989
    """

    base: Flow = eqx.field(kw_only=True)
    period_param: str | None = eqx.field(static=True, default=None)
    steps: int = eqx.field(static=True, default=1)
    t0: float = eqx.field(static=True, default=0.0)

    @float64
    def __init__(
        self, flow: Flow, period: float | None = None, steps: int | None = None, t0: float = 0.0, method: str = "rk4"
    ):
        if not isinstance(flow, Flow):
            raise TypeError(
                f"StroboscopicMap needs a dynstab Flow (an ODE), got {getattr(flow, 'kind', type(flow).__name__)!r}"
            )
        h_max = fixed_step(flow, method)  # checks the method; flow.dt bounds the default step
        param = None
        if period is None:
            found = [k for k in FORCING_PARAMETERS if k in flow.params]
            if "forced" not in flow.flags or not found:
                raise ValueError(
                    f"{flow.name}: give period= (the stroboscopic period T); a default period 2 pi / "
                    f"omega needs a flow flagged 'forced' with one of the parameters "
                    f"{list(FORCING_PARAMETERS)}, and {flow.name} has {sorted(flow.params)}"
                )
            param = found[0]
            omega = float(flow.params[param])
            if not omega > 0:
                raise ValueError(f"{flow.name}: the forcing frequency {param} = {omega} must be positive")
            T = 2.0 * math.pi / omega
        else:
            T = as_positive_float(period, name="period")
        if steps is None:
            steps = max(1, math.ceil(T / h_max - 1e-9))
        steps = as_int(steps, name="steps", minimum=1)
        t0 = as_float(t0, name="t0")
        law = _StroboscopicLaw(flow.rhs, None if param else T, param, int(steps), float(t0), method)
        self.base = flow
        self.period_param, self.steps, self.t0 = param, int(steps), float(t0)
        self.rhs = law
        self.jac = None
        self.params = flow.params
        self.x0 = flow.x0
        self.names = flow.names
        what = f"T = 2 pi/{param}" if param else f"T = {T:g}"
        self.name = f"{flow.name} stroboscopic map ({what})"
        self.reference = flow.reference
        self.dt = 1.0
        self.description = f"x(t0 + n T) -> x(t0 + (n+1) T) of {flow.name}, {what}, {steps} {method} steps per period"
        self.aliases = ()
        self.flags = frozenset({"unbounded"} if flow.unbounded else ())
        self.unbounded = tuple(flow.unbounded)

    @property
    def period(self) -> float:
        """The stroboscopic period T at the current parameters."""
        law = self.rhs
        assert isinstance(law, _StroboscopicLaw)
        return float(law.period_of(self.params))

    @property
    def flow(self) -> Flow:
        """The underlying flow, with this map's current parameters."""
        return eqx.tree_at(lambda s: s.params, self.base, self.params)
