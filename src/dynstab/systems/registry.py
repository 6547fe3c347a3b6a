"""The catalog registry: look systems up by name.

Names are matched case-insensitively and ignoring ``_``, ``-`` and spaces, so the
dysts class names (``Lorenz``, ``SprottB``) find the same entries as ``lorenz`` and
``sprott_b``. Systems whose size is structural (Lorenz-96's N) are registered as
factories: ``get("lorenz96", N=40, F=8.0)``.

Looking up one name does not build the whole catalog: ``catalog/index.json`` (written by
`write_index`) maps every normalized name and alias to the catalog module that defines it, and
`resolve` imports only that module (a few systems instead of all of them); `names` and unknown
names load every module. A name missing from a stale index falls back to the full load, so the
index only decides how much is imported, never what a name means.
"""

from __future__ import annotations

import difflib
import importlib
import json
import pkgutil
import sys
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from .._precision import float64
from .base import System, catalog_definitions

_FACTORIES: dict[str, Callable[..., System]] = {}
_STRUCTURAL: dict[str, tuple[str, ...]] = {}
_CANONICAL: dict[str, str] = {}  # normalized alias -> canonical name
_ORIGIN: dict[str, str] = {}  # canonical name -> module that registered it
_LOADED = False

CATALOG_PACKAGE = "dynstab.systems.catalog"
#: The catalog modules (under `CATALOG_PACKAGE`); each registers its systems on import.
CATALOG_MODULES = tuple(sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent / "catalog")])))
INDEX_FILE = Path(__file__).parent / "catalog" / "index.json"


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
    _ORIGIN[name] = sys._getframe(1).f_globals.get("__name__", "")  # the module calling register
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
        with catalog_definitions():
            for module in CATALOG_MODULES:
                importlib.import_module(f"{CATALOG_PACKAGE}.{module}")


@lru_cache(maxsize=1)
def _index() -> dict[str, list[str]]:
    """``catalog/index.json``: normalized name -> [canonical name, module]; empty when the file is missing."""
    try:
        return dict(json.loads(INDEX_FILE.read_text())["names"])
    except (OSError, ValueError, KeyError):
        return {}


def _load_module_of(key: str) -> None:
    """Import the catalog module that the index names for the normalized name ``key`` (if any)."""
    entry = _index().get(key)
    if entry is not None and entry[1] in CATALOG_MODULES:
        with catalog_definitions():
            importlib.import_module(f"{CATALOG_PACKAGE}.{entry[1]}")


@float64
def catalog_index() -> dict[str, list[str]]:
    """The name index of the whole catalog: every normalized name and alias -> [canonical name, module].

    Loads every catalog module. `write_index` stores this mapping in ``catalog/index.json``,
    which `resolve` reads to import only the module that defines a name.

    Returns
    -------
    dict of str to [str, str]
        Sorted by key; the module is the name under `CATALOG_PACKAGE` (e.g. ``"flows"``).
        Systems registered from outside the catalog modules are left out.
    """
    _load_catalog()
    prefix = CATALOG_PACKAGE + "."
    out = {}
    for key in sorted(_CANONICAL):
        canonical = _CANONICAL[key]
        origin = _ORIGIN.get(canonical, "")
        if origin.startswith(prefix) and origin[len(prefix) :] in CATALOG_MODULES:
            out[key] = [canonical, origin[len(prefix) :]]
    return out


def write_index(path: str | Path = INDEX_FILE) -> Path:
    """Write `catalog_index` to ``path`` (default ``catalog/index.json``) after the catalog changes.

    ``python -c "from dynstab.systems.registry import write_index; write_index()"`` regenerates the
    shipped file; tests/systems/test_catalog.py checks that it is current.

    Parameters
    ----------
    path : str or Path, default INDEX_FILE
        Where to write the JSON file.

    Returns
    -------
    Path
        The path written.
    """
    path = Path(path)
    rows = [f"{json.dumps(k)}: {json.dumps(v)}" for k, v in catalog_index().items()]  # one name a line
    path.write_text('{"names": {\n' + ",\n".join(rows) + "\n}}\n")
    if path == INDEX_FILE:
        _index.cache_clear()
    return path


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


@float64
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
    key = normalize(name)
    if key not in _CANONICAL and not _LOADED:
        _load_module_of(key)  # only the module that defines the name, when the index knows it
        if key not in _CANONICAL:
            _load_catalog()
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
