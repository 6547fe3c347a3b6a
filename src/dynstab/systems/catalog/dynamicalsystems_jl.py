"""Systems predefined in DynamicalSystems.jl (PredefinedDynamicalSystems.jl) that dysts lacks; each from its paper."""

import jax.numpy as jnp  # noqa: F401

from ..base import flow  # noqa: F401
from ..base import map as discrete_map  # noqa: F401
from ..registry import register  # noqa: F401
from . import DYSTS_DIFFERENCES  # noqa: F401
