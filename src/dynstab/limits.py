"""The memory limit: a large allocation is refused up front, with its size named.

A request whose result would not fit (``simulate henon --n 1e10``, a recurrence matrix of 1e6
points) must fail at once with a message that names the size and what to ask for instead,
never after minutes of work or inside NumPy's allocator. Every function that allocates in
proportion to a user's request (``points x variables``, ``N x N``) calls `check_allocation`
before it allocates; the limit is one number for the whole library and the command line:

* ``DYNSTAB_MAX_MEMORY_GB`` in the environment (default 4 GB), read at each check;
* `memory_limit` (a context manager) or `set_memory_limit` from Python, which take precedence.

The limit concerns single arrays a request creates, not the process's total memory.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator

MEMORY_ENV = "DYNSTAB_MAX_MEMORY_GB"
DEFAULT_MEMORY_GB = 4.0

_override = threading.local()
_global: list[float | None] = [None]


class AllocationError(ValueError):
    """A request that would allocate more than the memory limit (raised before allocating)."""


def _valid_gb(value: float | str, source: str) -> float:
    """``value`` as a positive finite number of gigabytes, or a one-line error naming ``source``."""
    try:
        gb = float(value)
    except (TypeError, ValueError):
        gb = float("nan")
    if not (gb > 0 and gb != float("inf")):
        from ._config import ConfigError

        raise ConfigError(f"{source}={value!r} is not a positive number of gigabytes; set e.g. {source}=8")
    return gb


def max_memory_bytes() -> float:
    """The largest single allocation a request may make, in bytes.

    Returns
    -------
    float
        The limit set by `memory_limit` / `set_memory_limit`, else ``DYNSTAB_MAX_MEMORY_GB``
        (gigabytes, 1e9 bytes), else 4 GB.

    Raises
    ------
    dynstab._config.ConfigError
        If the environment variable is not a positive number.
    """
    local = getattr(_override, "gb", None)
    if local is not None:
        return local * 1e9
    if _global[0] is not None:
        return _global[0] * 1e9
    text = os.environ.get(MEMORY_ENV, "").strip()
    if not text:
        return DEFAULT_MEMORY_GB * 1e9
    return _valid_gb(text, MEMORY_ENV) * 1e9


def set_memory_limit(gb: float | None) -> None:
    """Set the memory limit for the whole process (``None`` returns to the environment/default).

    Parameters
    ----------
    gb : float or None
        Gigabytes (1e9 bytes), positive.
    """
    _global[0] = None if gb is None else _valid_gb(gb, "gb")


@contextlib.contextmanager
def memory_limit(gb: float) -> Iterator[None]:
    """Use a memory limit of ``gb`` gigabytes in this thread for the duration of the block.

    Parameters
    ----------
    gb : float
        Gigabytes (1e9 bytes), positive.
    """
    previous = getattr(_override, "gb", None)
    _override.gb = _valid_gb(gb, "gb")
    try:
        yield
    finally:
        _override.gb = previous


def check_allocation(nbytes: float, what: str, remedy: str) -> None:
    """Refuse, before allocating, an array of ``nbytes`` bytes over the memory limit.

    Parameters
    ----------
    nbytes : float
        The size the request would allocate.
    what : str
        What would be allocated, e.g. ``"the trajectory (1e10 points x 2 variables)"``.
    remedy : str
        What to ask for instead, e.g. ``"sample less often with a larger --dt"``.

    Raises
    ------
    AllocationError
        If ``nbytes`` exceeds `max_memory_bytes`; the message names the size, the limit and
        how to change it.
    """
    limit = max_memory_bytes()
    if nbytes > limit:
        raise AllocationError(
            f"{what} would take {nbytes / 2**30:.3g} GiB, over the memory limit of {limit / 1e9:g} GB; "
            f"{remedy} (or raise the limit with {MEMORY_ENV} or dynstab.limits.memory_limit)"
        )
