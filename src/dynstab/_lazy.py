"""Lazy package namespaces (PEP 562): a name is imported from its module on first use.

``dynstab.analysis``, ``dynstab.timeseries`` and ``dynstab.systems`` re-export the names of
their modules without importing them: ``from dynstab.timeseries import rqa`` imports
``timeseries/rqa.py`` (and what it needs) and nothing else. This keeps a command that uses one
tool from paying for all of them (issue 15: the main command imported all of ``timeseries``,
numba and ``scipy.signal`` through one re-export, 0.8 s). Static tools see the names through the
``if TYPE_CHECKING:`` imports each package keeps beside its table.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from collections.abc import Callable, Mapping
from typing import Any


class _LazyPackage(types.ModuleType):
    """A package whose table names a function after its own module (``analysis.fixed_points``).

    Importing a submodule sets it as an attribute of its package; where the table exports a name
    of that module under the module's own name, the package keeps the exported object, as an
    eager ``from .fixed_points import fixed_points`` in ``__init__`` would.
    """

    _lazy_names: Mapping[str, str] = {}

    def __setattr__(self, name: str, value: Any) -> None:
        if (
            isinstance(value, types.ModuleType)
            and value.__name__ == f"{self.__name__}.{name}"
            and self._lazy_names.get(name) == f".{name}"
            and hasattr(value, name)
        ):
            value = getattr(value, name)
        super().__setattr__(name, value)


def attach(package: str, names: Mapping[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package`` serving ``names`` (name -> relative module).

    A name not in the table that is a submodule of the package (``dynstab.analysis.lyapunov``)
    is imported as such; anything else is an AttributeError, as for a plain module.
    """
    module = sys.modules[package]
    module.__class__ = _LazyPackage
    module._lazy_names = names  # type: ignore[attr-defined]
    namespace = module.__dict__

    def __getattr__(name: str) -> Any:
        if name in names:
            value = getattr(importlib.import_module(names[name], package), name)
        elif not name.startswith("__") and importlib.util.find_spec(f"{package}.{name}") is not None:
            value = importlib.import_module(f"{package}.{name}")
        else:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        namespace[name] = value  # later lookups skip __getattr__
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *names})

    return __getattr__, __dir__
