"""Cross-checks against dysts (Gilpin 2021), the catalog most users come from.

dysts is optional: these functions import it lazily and raise ImportError with the
install hint when it is absent. A dynstab system corresponds to a dysts class when one of
its names or aliases is a dysts class name (compared after normalization), and its
parameters use dysts' parameter names.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from .._precision import float64
from .base import System
from .registry import normalize


def _dysts_modules():
    try:
        import dysts.flows
        import dysts.maps
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "dysts is not installed: pip install dysts (or the bench extra: pip install -e .[bench])"
        ) from exc
    return dysts.flows, dysts.maps


def dysts_class_name(system: System) -> str | None:
    """The dysts class that corresponds to ``system``, or None.

    Parameters
    ----------
    system : System
        A dynstab system; its name and aliases are compared (normalized) with the class names of
        ``dysts.flows`` (continuous time) or ``dysts.maps`` (maps).

    Returns
    -------
    str or None
        The dysts class name, or None when no name or alias matches.

    Raises
    ------
    ImportError
        If dysts is not installed.
    """
    flows, maps = _dysts_modules()
    module = flows if system.continuous_time else maps
    available = {normalize(n): n for n in dir(module) if n[:1].isupper()}
    for name in (system.name, *system.aliases):
        hit = available.get(normalize(name))
        if hit is not None and isinstance(getattr(module, hit), type):
            return hit
    return None


def dysts_model(system: System):
    """An instance of the corresponding dysts class (KeyError if there is none).

    Parameters
    ----------
    system : System
        A dynstab system (see `dysts_class_name` for the matching).

    Returns
    -------
    object
        The dysts model, constructed with dysts' default parameters.

    Raises
    ------
    KeyError
        If no dysts class corresponds to ``system``.
    ImportError
        If dysts is not installed.
    """
    flows, maps = _dysts_modules()
    cls_name = dysts_class_name(system)
    if cls_name is None:
        raise KeyError(f"{system.name} has no dysts counterpart (no name or alias matches a dysts class)")
    return getattr(flows if system.continuous_time else maps, cls_name)()


@float64
def rhs_difference(system: System, n: int = 100, seed: int = 0, scale: float | None = None) -> tuple[float, dict]:
    """Largest relative difference between our law and dysts' at ``n`` random states.

    The states are x0 + scale * N(0, 1) (scale defaults to 1 + |x0|) with dysts' parameter
    values plugged into our system; times are uniform in [0, 10] for flows. Returns
    (max relative difference, dysts parameters).

    Parameters
    ----------
    system : System
        A dynstab system with a dysts counterpart whose parameter names are dysts'.
    n : int, default 100
        Number of random states compared.
    seed : int, default 0
        Seed of the NumPy random generator for the states (and times and delayed states).
    scale : float, optional
        Standard deviation of the perturbations of x0 (default ``1 + |x0|``, per variable).

    Returns
    -------
    worst : float
        The largest ``|ours - theirs| / max(|theirs|, 1)`` over states and variables (0 where
        both are NaN, infinite where only one is).
    params : dict of str to float or list
        The dysts parameter values used.

    Raises
    ------
    KeyError
        If ``system`` has no dysts counterpart, or its parameter names differ from dysts'.
    ImportError
        If dysts is not installed.
    """
    model = dysts_model(system)
    dparams = {k: np.asarray(v, dtype=float) for k, v in model.params.items()}
    missing = sorted(set(dparams) - set(system.params))
    extra = sorted(set(system.params) - set(dparams))
    if missing or extra:
        raise KeyError(f"{system.name}: parameter names differ from dysts' (dysts only: {missing}, ours only: {extra})")
    ours = system.with_params(**dparams)
    rng = np.random.default_rng(seed)
    x0 = np.asarray(system.x0)
    sc = (1.0 + np.abs(x0)) if scale is None else scale
    worst = 0.0
    for _ in range(n):
        x = x0 + sc * rng.standard_normal(x0.shape)
        if system.kind == "delay":  # law f(x, x_delayed, p, t)
            xd, t = x0 + sc * rng.standard_normal(x0.shape), float(rng.uniform(0, 10))
            theirs = np.atleast_1d(np.asarray(model._rhs(*x, *xd, t, *model.param_list), dtype=float))
            mine = np.asarray(ours.rhs(x, xd, ours.params, t))
        elif not system.continuous_time:
            theirs = np.asarray(model.rhs(np.atleast_2d(x)), dtype=float).ravel()
            mine = np.asarray(ours.f(jnp.asarray(x), 0))
        else:
            t = float(rng.uniform(0, 10))
            theirs = np.asarray(model.rhs(x, t), dtype=float).ravel()
            mine = np.asarray(ours.f(jnp.asarray(x), t))
        both_nan = np.isnan(mine) & np.isnan(theirs)
        denom = np.maximum(np.abs(theirs), 1.0)
        rel = np.where(both_nan, 0.0, np.abs(mine - theirs) / denom)
        worst = max(worst, float(np.max(np.where(np.isnan(rel), np.inf, rel))))
    return worst, {k: v.tolist() for k, v in dparams.items()}
