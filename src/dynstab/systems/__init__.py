"""Systems: the protocol (`Flow`, `Map`, `SDE`), the user decorators and the catalog.

Names are imported from their modules on first use (`dynstab._lazy`): importing the package
imports none of its modules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import attach

# public name -> the module that defines it
_NAMES = {
    "System": ".base",
    "Flow": ".base",
    "Map": ".base",
    "SDE": ".base",
    "flow": ".base",
    "map": ".base",
    "sde": ".base",
    "as_params": ".base",
    "as_state": ".base",
    "get": ".registry",
    "names": ".registry",
    "register": ".registry",
    "resolve": ".registry",
    "PoincareMap": ".poincare",
    "StroboscopicMap": ".stroboscopic",
    "ProjectedSystem": ".projected",
    "PoincareSection": ".poincare",
    "PoincareSectionError": ".poincare",
    "poincare_section": ".poincare",
    "JumpProcess": ".jump",
    "jump_process": ".jump",
}
__all__ = list(_NAMES)
__getattr__, __dir__ = attach(__name__, _NAMES)

if TYPE_CHECKING:  # what static tools see; at run time these come from __getattr__
    from .base import SDE, Flow, Map, System, as_params, as_state, flow, map, sde
    from .jump import JumpProcess, jump_process
    from .poincare import PoincareMap, PoincareSection, PoincareSectionError, poincare_section
    from .projected import ProjectedSystem
    from .registry import get, names, register, resolve
    from .stroboscopic import StroboscopicMap
