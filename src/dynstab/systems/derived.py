"""Derived systems that are themselves systems (re-exported here; one module per concept).

* `dynstab.systems.poincare`: `PoincareMap` (the first-return map of a flow, a `Map`),
  `poincare_section`, `PoincareSection`, `PoincareSectionError`;
* `dynstab.systems.stroboscopic`: `StroboscopicMap` (the time-T map of a flow, a `Map`) and
  `FORCING_PARAMETERS`;
* `dynstab.systems.projected`: `ProjectedSystem` (a system observed through h(x)).
"""

from __future__ import annotations

from .poincare import PoincareMap, PoincareSection, PoincareSectionError, poincare_section
from .projected import ProjectedSystem
from .stroboscopic import FORCING_PARAMETERS, StroboscopicMap

__all__ = [
    "PoincareMap",
    "StroboscopicMap",
    "ProjectedSystem",
    "PoincareSection",
    "PoincareSectionError",
    "poincare_section",
    "FORCING_PARAMETERS",
]
