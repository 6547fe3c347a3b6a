"""Adaptive integration.

``dopri8`` is our own DOP853 (Hairer, Norsett & Wanner 1993, Sec. II.10): the 8th-order
Dormand-Prince pair with the 5th/3rd-order combined error estimator and the 7th-order
dense output, as one ``lax.while_loop``. It is ours rather than diffrax's because it
measured several times faster per step on the CPU for small systems (no per-step
pytree/controller machinery), which matters for long, tight-tolerance trajectories; see
benchmarks/RESULTS.md. Step-size control follows the reference code: safety 0.9,
factor in [0.2, 10], no growth right after a rejection.

``tsit5`` (Tsitouras 2011) and ``kvaerno5`` (Kvaerno 2004, L-stable ESDIRK for stiff
systems) are diffrax's solvers with a PID controller.

References
----------
Hairer, Norsett & Wanner, Solving Ordinary Differential Equations I, 2nd ed., Springer 1993,
Sec. II.4 (starting step) and II.10 (DOP853).
Tsitouras, Runge-Kutta pairs of order 5(4) satisfying only the first column simplifying
assumption, Comput. Math. Appl. 62, 770 (2011).
Kvaerno, Singly diagonally implicit Runge-Kutta methods with an explicit first stage, BIT Numer.
Math. 44, 489 (2004).
"""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp

from .tableaus import DOP853

# Status codes returned by the adaptive integrators.
OK, MAX_STEPS, STEP_TOO_SMALL, NONFINITE = 0, 1, 2, 3
STATUS_TEXT = {
    OK: "ok",
    MAX_STEPS: "reached max_steps before the end time (raise max_steps, or the system is stiff: try method='kvaerno5')",
    STEP_TOO_SMALL: "the step size underflowed (the solution is blowing up or the system is very stiff)",
    NONFINITE: "the state left the finite numbers",
}

_SAFETY, _MIN_FACTOR, _MAX_FACTOR = 0.9, 0.2, 10.0


def _rms(v):
    return jnp.sqrt(jnp.mean(v * v))


def _initial_step(f, t0, y0, f0, order, rtol, atol):
    """Hairer, Norsett & Wanner (1993), Sec. II.4: starting step size."""
    scale = atol + jnp.abs(y0) * rtol
    d0, d1 = _rms(y0 / scale), _rms(f0 / scale)
    h0 = jnp.where((d0 < 1e-5) | (d1 < 1e-5), 1e-6, 0.01 * d0 / d1)
    f1 = f(y0 + h0 * f0, t0 + h0)
    d2 = _rms((f1 - f0) / scale) / h0
    h1 = jnp.where(
        (d1 <= 1e-15) & (d2 <= 1e-15), jnp.maximum(1e-6, h0 * 1e-3), (0.01 / jnp.maximum(d1, d2)) ** (1.0 / (order + 1))
    )
    return jnp.minimum(100 * h0, h1)


def dop853_solve(f: Callable, y0, t0, ts, rtol: float, atol: float, max_steps: int):
    """Integrate ``dy/dt = f(y, t)`` from t0 and return the states at the sorted times ``ts`` (>= t0).

    Returns ``(ys, status, n_steps, n_rejected, t_reached)``; rows of ``ys`` that were not
    reached are NaN. Outputs between steps come from the 7th-order dense output.

    Parameters
    ----------
    f : callable
        The vector field ``f(y, t)``, shape (d,).
    y0 : array, shape (d,)
        The state at ``t0``.
    t0 : float or array
        Start time.
    ts : array, shape (n,)
        Output times, sorted, ``>= t0``; the last one is the end of the integration.
    rtol : float
        Relative tolerance.
    atol : float
        Absolute tolerance.
    max_steps : int
        Most steps (accepted and rejected) before giving up with status ``MAX_STEPS``.

    Returns
    -------
    ys : jax.Array, shape (n, d)
        The states at ``ts``; rows not reached are NaN.
    status : jax.Array
        ``OK``, ``MAX_STEPS``, ``STEP_TOO_SMALL`` or ``NONFINITE`` (explained by ``STATUS_TEXT``).
    n_steps : jax.Array
        Accepted steps.
    n_rejected : jax.Array
        Rejected steps.
    t_reached : jax.Array
        The time the integration stopped at.

    References
    ----------
    Hairer, Norsett & Wanner, Solving Ordinary Differential Equations I, 2nd ed., Springer 1993,
    Sec. II.10 (and the Fortran code DOP853 with its dense output contd8).
    """
    C = DOP853
    ts = jnp.asarray(ts)
    n_out = ts.shape[0]
    t_end = ts[-1]
    dim = y0.shape[0]
    n_stages = len(C.b)

    def combo(coefs, ks):
        """sum_j coefs[j] * ks[j], skipping exact zeros of the tableau (coefs are numpy constants)."""
        terms = [float(cj) * kj for cj, kj in zip(coefs, ks) if cj != 0.0]
        return sum(terms[1:], terms[0])

    def stages(t, y, h, k1):
        ks = [k1]
        for i in range(1, n_stages):
            ks.append(f(y + h * combo(C.a[i, :i], ks), t + C.c[i] * h))
        return ks, y + h * combo(C.b, ks)

    def write_dense(ks, t, y, h, y_new, f_new, out, i_out):
        # Three extra stages give the 7th-order interpolant of Hairer's contd8.
        ks = ks + [f_new]
        for s in range(3):
            m = n_stages + 1 + s
            ks.append(f(y + h * combo(C.a_extra[s, :m], ks), t + C.c_extra[s] * h))
        dy = y_new - y
        F = [dy, h * ks[0] - dy, 2 * dy - h * (f_new + ks[0])] + [h * combo(row, ks) for row in C.d]

        def cond(st):
            i, _ = st
            return (i < n_out) & (ts[jnp.minimum(i, n_out - 1)] <= t + h)

        def body(st):
            i, out = st
            x = (ts[i] - t) / h
            acc = jnp.zeros_like(y)
            for j, Fj in enumerate(reversed(F)):
                acc = (acc + Fj) * (x if j % 2 == 0 else 1 - x)
            return i + 1, out.at[i].set(y + acc)

        return jax.lax.while_loop(cond, body, (i_out, out))

    f0 = f(y0, t0)
    h0 = jnp.minimum(_initial_step(f, t0, y0, f0, C.error_order, rtol, atol), jnp.maximum(t_end - t0, 1e-300))
    out = jnp.full((n_out, dim), jnp.nan, y0.dtype)

    # outputs at t0 itself
    def init_cond(st):
        i, _ = st
        return (i < n_out) & (ts[jnp.minimum(i, n_out - 1)] <= t0)

    i_out, out = jax.lax.while_loop(init_cond, lambda st: (st[0] + 1, st[1].at[st[0]].set(y0)), (0, out))

    def cond(st):
        t, y, h, k1, i_out, out, n_acc, n_rej, rejected, status = st
        return (i_out < n_out) & (status == OK)

    def body(st):
        t, y, h, k1, i_out, out, n_acc, n_rej, rejected, status = st
        h = jnp.minimum(h, t_end - t)
        ks, y_new = stages(t, y, h, k1)
        f_new = f(y_new, t + h)
        scale = atol + rtol * jnp.maximum(jnp.abs(y), jnp.abs(y_new))
        err5 = combo(C.e5, ks + [f_new]) / scale
        err3 = combo(C.e3, ks + [f_new]) / scale
        n5, n3 = jnp.sum(err5 * err5), jnp.sum(err3 * err3)
        denom = jnp.where(n5 + n3 > 0, n5 + 0.01 * n3, 1.0)
        err = jnp.abs(h) * n5 / jnp.sqrt(denom * dim)
        finite = jnp.all(jnp.isfinite(y_new)) & jnp.all(jnp.isfinite(f_new)) & jnp.isfinite(err)
        err = jnp.where(finite, err, jnp.inf)
        accept = err <= 1.0
        factor = jnp.where(err == 0, _MAX_FACTOR, _SAFETY * err ** (-1.0 / (C.error_order + 1)))
        factor = jnp.clip(factor, _MIN_FACTOR, jnp.where(rejected, 1.0, _MAX_FACTOR))

        def on_accept(_):
            i2, out2 = jax.lax.cond(
                ts[jnp.minimum(i_out, n_out - 1)] <= t + h,
                lambda: write_dense(ks, t, y, h, y_new, f_new, out, i_out),
                lambda: (i_out, out),
            )
            return t + h, y_new, f_new, i2, out2

        t2, y2, k2, i2, out2 = jax.lax.cond(accept, on_accept, lambda _: (t, y, k1, i_out, out), None)
        h_next = h * factor
        too_small = h_next < 16 * jnp.finfo(y0.dtype).eps * jnp.maximum(jnp.abs(t), 1.0)
        n_acc2 = n_acc + accept
        n_rej2 = n_rej + (1 - accept)
        status2 = jnp.where(too_small & ~accept, jnp.where(finite, STEP_TOO_SMALL, NONFINITE), status)
        status2 = jnp.where((n_acc2 + n_rej2 >= max_steps) & (i2 < n_out), MAX_STEPS, status2)
        return t2, y2, h_next, k2, i2, out2, n_acc2, n_rej2, ~accept, status2

    st = (jnp.asarray(t0, y0.dtype), y0, h0, f0, i_out, out, 0, 0, jnp.asarray(False), jnp.asarray(OK))
    t, y, h, k1, i_out, out, n_acc, n_rej, rejected, status = jax.lax.while_loop(cond, body, st)
    return out, status, n_acc, n_rej, t


def diffrax_solve(f: Callable, y0, t0, ts, rtol: float, atol: float, max_steps: int, solver_name: str):
    """Integrate with a diffrax solver ('tsit5' or 'kvaerno5'); same return convention as dop853_solve.

    Parameters
    ----------
    f : callable
        The vector field ``f(y, t)``, shape (d,).
    y0 : array, shape (d,)
        The state at ``t0``.
    t0 : float or array
        Start time.
    ts : array, shape (n,)
        Output times, sorted, ``>= t0``; the last one is the end of the integration.
    rtol : float
        Relative tolerance.
    atol : float
        Absolute tolerance.
    max_steps : int
        Most steps (accepted and rejected) before giving up with status ``MAX_STEPS``.
    solver_name : str
        ``"tsit5"`` (explicit, Tsitouras 2011) or ``"kvaerno5"`` (implicit ESDIRK for stiff
        systems, Kvaerno 2004), with diffrax's PID step-size controller.

    Returns
    -------
    ys : jax.Array, shape (n, d)
        The states at ``ts``.
    status : jax.Array
        ``OK``, ``MAX_STEPS``, ``STEP_TOO_SMALL`` or ``NONFINITE`` (explained by ``STATUS_TEXT``).
    n_steps : jax.Array
        Accepted steps.
    n_rejected : jax.Array
        Rejected steps.
    t_reached : jax.Array
        ``ts[-1]``.

    References
    ----------
    Tsitouras, Comput. Math. Appl. 62, 770 (2011); Kvaerno, BIT Numer. Math. 44, 489 (2004).
    """
    import diffrax

    solver = {"tsit5": diffrax.Tsit5, "kvaerno5": diffrax.Kvaerno5}[solver_name]()
    term = diffrax.ODETerm(lambda t, y, args: f(y, t))
    sol = diffrax.diffeqsolve(
        term,
        solver,
        t0=t0,
        t1=ts[-1],
        dt0=None,
        y0=y0,
        saveat=diffrax.SaveAt(ts=ts),
        stepsize_controller=diffrax.PIDController(rtol=rtol, atol=atol),
        max_steps=max_steps,
        throw=False,
    )
    ok = sol.result == diffrax.RESULTS.successful
    status = jnp.where(ok, OK, jnp.where(sol.result == diffrax.RESULTS.max_steps_reached, MAX_STEPS, STEP_TOO_SMALL))
    ys = sol.ys
    status = jnp.where(ok & ~jnp.all(jnp.isfinite(ys)), NONFINITE, status)
    return ys, status, sol.stats["num_accepted_steps"], sol.stats["num_rejected_steps"], ts[-1]


ADAPTIVE_METHODS = ("tsit5", "dopri8", "kvaerno5")


def adaptive_solve(method: str, f: Callable, y0, t0, ts, rtol, atol, max_steps):
    """Integrate by the adaptive ``method``: `dop853_solve` for ``"dopri8"``, `diffrax_solve` otherwise.

    Parameters
    ----------
    method : str
        One of `ADAPTIVE_METHODS`: ``"dopri8"``, ``"tsit5"``, ``"kvaerno5"``.
    f : callable
        The vector field ``f(y, t)``, shape (d,).
    y0 : array, shape (d,)
        The state at ``t0``.
    t0 : float or array
        Start time.
    ts : array, shape (n,)
        Output times, sorted, ``>= t0``; the last one is the end of the integration.
    rtol : float
        Relative tolerance.
    atol : float
        Absolute tolerance.
    max_steps : int
        Most steps (accepted and rejected) before giving up with status ``MAX_STEPS``.

    Returns
    -------
    tuple
        ``(ys, status, n_steps, n_rejected, t_reached)`` as returned by `dop853_solve`.
    """
    if method == "dopri8":
        return dop853_solve(f, y0, t0, ts, rtol, atol, max_steps)
    return diffrax_solve(f, y0, t0, ts, rtol, atol, max_steps, method)


__all__ = ["ADAPTIVE_METHODS", "STATUS_TEXT", "adaptive_solve", "dop853_solve", "diffrax_solve"]
