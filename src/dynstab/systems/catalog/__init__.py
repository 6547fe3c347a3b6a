"""Catalog data: every module here registers its systems on import.

``DYSTS_DIFFERENCES`` maps a system name to the reason our equations differ from dysts'
(where dysts deviates from the cited paper we follow the paper); every other system with a
dysts alias has the same right-hand side as dysts (tests/systems/test_dysts_equivalence.py).
"""

DYSTS_DIFFERENCES: dict[str, str] = {}

#: Systems whose annotated largest exponent scatters by more than 10% between initial
#: conditions, with the reason (tests/systems/test_catalog_metadata.py).
SPREAD_NOTES: dict[str, str] = {}

#: Autonomous flows without an exponent within 0.01 of zero in the annotation, with the reason
#: (for example: the orbit settles on a stable equilibrium, so every exponent is negative).
ZERO_EXPONENT_NOTES: dict[str, str] = {}

from . import (  # noqa: E402, F401
    delay,
    flows,
    flows_attractors_a,
    flows_attractors_b,
    flows_biochem,
    flows_hyperchaotic,
    flows_physics,
    flows_sprott,
    maps,
    maps_more,
)
