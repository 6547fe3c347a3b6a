"""float64 for dynstab's own computations, without switching the user's JAX process.

JAX computes in float32 unless ``jax_enable_x64`` is on. dynstab needs float64 (Lyapunov
spectra, Newton solves, long integrations), but flipping the global switch at import would
change the dtype of every array in the user's own JAX code. Instead every public entry point
runs inside ``jax.enable_x64(True)``, a thread-local context: arrays created and kernels
compiled there are float64, and the user's code outside keeps JAX's default. Results leave
dynstab as NumPy float64 arrays (or float64 JAX arrays that stay float64).

A user who wants float64 everywhere sets it themselves (``jax.config.update("jax_enable_x64",
True)`` or ``JAX_ENABLE_X64=1``); dynstab then behaves identically.

This module must not import JAX at import time (``import dynstab`` stays light).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def float64_scope() -> AbstractContextManager[Any]:
    """A context in which JAX creates float64 arrays and compiles float64 kernels.

    ``jax.enable_x64(True)``: thread-local, so it affects only the code run inside it on this
    thread; JAX's global setting (and with it the user's own code elsewhere) is unchanged.
    Exported as ``dynstab.float64_scope`` for users who want their own JAX code (initial
    conditions, custom observables) to compute exactly as dynstab does.

    Returns
    -------
    contextlib.AbstractContextManager
        The context manager.

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> import dynstab
    >>> with dynstab.float64_scope():
    ...     x0 = jnp.array([1.0, 1.0, 20.0])
    >>> str(x0.dtype)
    'float64'
    """
    import jax

    return jax.enable_x64(True)


def float64(fn: F) -> F:
    """Decorator: run ``fn`` inside `float64_scope` (for dynstab's public functions and methods).

    Parameters
    ----------
    fn : callable
        The function; its name, docstring and signature are kept (``functools.wraps``).

    Returns
    -------
    callable
        ``fn`` running in float64 whatever JAX's global setting.
    """

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with float64_scope():
            return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
