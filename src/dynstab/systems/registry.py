"""The catalog registry: look systems up by name.

Names are matched case-insensitively and ignoring ``_``, ``-`` and spaces, so the
dysts class names (``Lorenz``, ``SprottB``) find the same entries as ``lorenz`` and
``sprott_b``. Systems whose size is structural (Lorenz-96's N) are registered as
factories: ``get("lorenz96", N=40, F=8.0)``.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable
from typing import Any

from .._precision import float64
from .base import System

_FACTORIES: dict[str, Callable[..., System]] = {}
_STRUCTURAL: dict[str, tuple[str, ...]] = {}
_CANONICAL: dict[str, str] = {}  # normalized alias -> canonical name
_LOADED = False


def normalize(name: str) -> str:
    """The lookup key of a name: lower case, without ``_``, ``-``, ``.`` and spaces.

    Parameters
    ----------
    name : str
        A system name or alias, e.g. ``"SprottB"`` or ``"sprott_b"``.

    Returns
    -------
    str
        The normalized key, e.g. ``"sprottb"``.
    """
    return "".join(ch for ch in name.lower() if ch not in "_- .")


def register(
    system_or_factory: System | Callable[..., System],
    *,
    structural: tuple[str, ...] = (),
    aliases: tuple[str, ...] = (),
) -> System | Callable[..., System]:
    """Add a system (or a factory taking the ``structural`` keyword arguments) to the catalog.

    Parameters
    ----------
    system_or_factory : System or callable
        A system, or a factory returning one; the factory is called once without arguments
        (its defaults give the registered name and aliases).
    structural : tuple of str, default ()
        Keyword arguments of the factory that fix the system's structure (e.g. Lorenz-96's
        ``N``); `get` passes them to the factory instead of `System.with_params`.
    aliases : tuple of str, default ()
        Names to register in addition to the system's name and its own aliases.

    Returns
    -------
    System or callable
        ``system_or_factory`` unchanged, so that `register` can decorate a factory.

    Raises
    ------
    ValueError
        If a system of the same name is already registered, or an alias already names
        another system.
    """
    if isinstance(system_or_factory, System):
        system = system_or_factory
        factory = lambda: system  # noqa: E731
    else:
        factory = system_or_factory
        system = factory()
    name = system.name
    if name in _FACTORIES:
        raise ValueError(f"a system named {name!r} is already registered")
    _FACTORIES[name] = factory
    _STRUCTURAL[name] = tuple(structural)
    for alias in (name, *system.aliases, *aliases):
        key = normalize(alias)
        if key in _CANONICAL and _CANONICAL[key] != name:
            raise ValueError(f"alias {alias!r} of {name!r} already names {_CANONICAL[key]!r}")
        _CANONICAL[key] = name
    return system_or_factory


def _load_catalog() -> None:
    global _LOADED
    if not _LOADED:
        _LOADED = True
        importlib.import_module("dynstab.systems.catalog")


@float64
def names(kind: str | None = None) -> list[str]:
    """Canonical names of the catalog systems, optionally only ``"flow"``, ``"map"`` or ``"sde"``.

    Parameters
    ----------
    kind : str, optional
        Keep only the systems of this `System.kind` (``"flow"``, ``"map"``, ``"sde"`` or
        ``"delay"``); default all.

    Returns
    -------
    list of str
        The canonical names, sorted.
    """
    _load_catalog()
    if kind is None:
        return sorted(_FACTORIES)
    return sorted(n for n in _FACTORIES if _FACTORIES[n]().kind == kind)


def resolve(name: str) -> str:
    """Canonical name for ``name``; an unknown name raises a KeyError suggesting close matches.

    Parameters
    ----------
    name : str
        A name or alias, matched after `normalize`.

    Returns
    -------
    str
        The canonical name of the catalog system.

    Raises
    ------
    KeyError
        For an unknown name (suggesting close matches).
    """
    _load_catalog()
    key = normalize(name)
    if key in _CANONICAL:
        return _CANONICAL[key]
    close = difflib.get_close_matches(key, list(_CANONICAL), n=5, cutoff=0.6)
    suggestions = list(dict.fromkeys(_CANONICAL[c] for c in close))  # best match first
    msg = f"unknown system {name!r}"
    if suggestions:
        msg += f"; did you mean {', '.join(repr(s) for s in suggestions)}?"
    msg += " (`dynstab list` shows all systems)"
    raise KeyError(msg)


@float64
def get(name: str, **params: Any) -> System:
    """The catalog system ``name``, with parameters overridden by keyword, e.g. ``get("lorenz", rho=30)``.

    Parameters
    ----------
    name : str
        A name or alias (see `resolve`).
    **params : float or array_like
        Parameter values replacing the defaults (see `System.with_params`), and for factories
        the structural arguments (e.g. ``N=40`` for Lorenz-96).

    Returns
    -------
    System
        A new system with those parameters.

    Raises
    ------
    KeyError
        For an unknown name or parameter.
    ValueError
        For a non-finite parameter value, or one of the wrong shape.
    """
    canonical = resolve(name)
    structural = {k: params.pop(k) for k in list(params) if k in _STRUCTURAL[canonical]}
    system = _FACTORIES[canonical](**{k: int(v) if float(v).is_integer() else v for k, v in structural.items()})
    return system.with_params(**params) if params else system
