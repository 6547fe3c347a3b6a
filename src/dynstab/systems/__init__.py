"""Systems: the protocol (`Flow`, `Map`, `SDE`), the user decorators and the catalog."""

from .base import SDE, Flow, Map, System, as_params, as_state, flow, map, sde
from .registry import get, names, register, resolve

__all__ = [
    "System",
    "Flow",
    "Map",
    "SDE",
    "flow",
    "map",
    "sde",
    "as_params",
    "as_state",
    "get",
    "names",
    "register",
    "resolve",
]
from .poincare import PoincareMap, PoincareSection, PoincareSectionError, poincare_section
from .projected import ProjectedSystem
from .stroboscopic import StroboscopicMap

__all__ += [
    "PoincareMap",
    "StroboscopicMap",
    "ProjectedSystem",
    "PoincareSection",
    "PoincareSectionError",
    "poincare_section",
]
