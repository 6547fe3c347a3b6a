"""Argument checks shared by every dynstab entry point: series, integers, numbers, steps and arrays.

Each function takes the user's value and either returns it in canonical form (a Python ``int`` or
``float``, a float64 NumPy array) or raises with a message that names the argument, says what was
expected and shows what was given::

    >>> as_int(2.5, name="dim", minimum=1)
    Traceback (most recent call last):
    ...
    dynstab.validation.InvalidTypeError: dim must be an integer >= 1, got 2.5

The rules are the same everywhere:

- **Wrong kind** (text for a number, ``True`` for a count, ``2.5`` for an integer, a complex or
  non-numeric array for a series) raises `InvalidTypeError`, which subclasses both `TypeError`
  (Python's convention for a wrong type) and `ValueError`, so ``except ValueError`` around any
  dynstab call catches every rejected argument.
- **Right kind, wrong value** (out of range, NaN or infinite, wrong shape, too short, constant)
  raises `ValueError`.
- **Integers**: Python and NumPy integers (and 0-d integer arrays) are accepted; so is a float
  with an integral value (``3.0``, ``np.float64(3.0)``), because counts computed with NumPy often
  arrive as floats. ``3.5``, NaN, infinities, booleans and strings are rejected.
- **Numbers**: any real scalar (Python, NumPy, 0-d array) is accepted and returned as ``float``;
  booleans, strings, complex numbers and arrays with more than one element are rejected. Numbers
  must be finite.
- **Series and arrays** are returned as float64 NumPy arrays; NaN and infinities are rejected with
  the count and the position of the first one; boolean arrays count as numeric (0 and 1).

Nothing here imports JAX, so checking costs nothing at import time.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any, Literal, cast

import numpy as np

__all__ = [
    "InvalidTypeError",
    "as_finite_array",
    "as_float",
    "as_int",
    "as_positive_float",
    "as_series",
    "as_step",
]

Inclusive = Literal["both", "neither", "left", "right"]


class InvalidTypeError(TypeError, ValueError):
    """An argument of the wrong kind: text for a number, ``2.5`` for an integer, a non-numeric array.

    A subclass of both `TypeError` and `ValueError`: ``except ValueError`` catches every argument
    that dynstab rejects, and ``except TypeError`` every one of the wrong type.
    """


# ------------------------------------------------------------------------------------ helpers
def _got(value: Any) -> str:
    """A short description of ``value`` for an error message (arrays by shape, not by content)."""
    shape = getattr(value, "shape", None)
    if shape is not None and len(shape) > 0:
        return f"an array of shape {tuple(shape)}"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() and abs(v) < 1e15 else repr(float(v))


def _interval(minimum: float | None, maximum: float | None, inclusive: Inclusive) -> str:
    """The allowed range in words: '>= 1', '> 0', 'strictly between 0 and 1', 'in [0, 1)'."""
    lo_closed = inclusive in ("both", "left")
    hi_closed = inclusive in ("both", "right")
    if minimum is not None and maximum is not None:
        lo, hi = _fmt(minimum), _fmt(maximum)
        if not lo_closed and not hi_closed:
            return f"strictly between {lo} and {hi}"
        if lo_closed and hi_closed:
            return f"between {lo} and {hi} (inclusive)"
        return f"in {'[' if lo_closed else '('}{lo}, {hi}{']' if hi_closed else ')'}"
    if minimum is not None:
        return f"{'>=' if lo_closed else '>'} {_fmt(minimum)}"
    if maximum is not None:
        return f"{'<=' if hi_closed else '<'} {_fmt(maximum)}"
    return ""


def _in_range(v: float, minimum: float | None, maximum: float | None, inclusive: Inclusive) -> bool:
    lo_closed = inclusive in ("both", "left")
    hi_closed = inclusive in ("both", "right")
    if minimum is not None and (v < minimum or (v == minimum and not lo_closed)):
        return False
    return not (maximum is not None and (v > maximum or (v == maximum and not hi_closed)))


def _scalar_kind_error(value: Any) -> bool:
    """True for values that are never numbers here: booleans, text, complex, arrays of size != 1."""
    if isinstance(value, (bool, np.bool_, str, bytes)):
        return True
    if np.ndim(value) != 0:
        return True
    dtype = getattr(value, "dtype", None)
    if dtype is not None and dtype.kind in "bcOSUV":  # 0-d bool/complex/object/text arrays
        return True
    return isinstance(value, complex)


def _is_real_float(value: Any) -> bool:
    """A Python/NumPy float or a 0-d floating-point array (NumPy or JAX)."""
    if isinstance(value, (float, np.floating)):
        return True
    dtype = getattr(value, "dtype", None)
    return dtype is not None and np.ndim(value) == 0 and np.dtype(dtype).kind == "f"


# ------------------------------------------------------------------------------------ scalars
def as_int(value: Any, *, name: str, minimum: int | None = None, maximum: int | None = None) -> int:
    """Check that ``value`` is an integer in ``[minimum, maximum]`` and return it as ``int``.

    Parameters
    ----------
    value : object
        The argument. Accepted: ``int``, NumPy integers, 0-d integer arrays (anything with
        ``__index__``), and floats with an integral value such as ``3.0``.
    name : str
        The argument's name as the caller knows it (it starts the error message).
    minimum, maximum : int, optional
        Inclusive bounds; ``None`` leaves that side open.

    Returns
    -------
    int
        The value as a Python integer.

    Raises
    ------
    InvalidTypeError
        For a non-integer: ``3.5``, NaN, an infinity, ``True``, ``"4"``, an array, ``None``.
    ValueError
        For an integer outside the bounds.
    """
    rng = _interval(minimum, maximum, "both")
    expected = f"{name} must be an integer{' ' + rng if rng else ''}"
    if isinstance(value, (bool, np.bool_)):
        raise InvalidTypeError(f"{expected}, got {value!r}")
    try:
        v = operator.index(value)
    except TypeError:
        v = None
    if v is None:
        if _is_real_float(value) and np.isfinite(value) and float(value).is_integer():
            v = int(value)
        else:
            raise InvalidTypeError(f"{expected}, got {_got(value)}") from None
    if (minimum is not None and v < minimum) or (maximum is not None and v > maximum):
        raise ValueError(f"{expected}, got {v}")
    return int(v)


def as_float(
    value: Any,
    *,
    name: str,
    minimum: float | None = None,
    maximum: float | None = None,
    inclusive: Inclusive = "both",
) -> float:
    """Check that ``value`` is a finite real number within bounds and return it as ``float``.

    Parameters
    ----------
    value : object
        The argument: a Python or NumPy real scalar or a 0-d array.
    name : str
        The argument's name as the caller knows it (it starts the error message).
    minimum, maximum : float, optional
        Bounds; ``None`` leaves that side open.
    inclusive : {"both", "neither", "left", "right"}, default "both"
        Which bounds are allowed values: ``"both"`` (default), ``"neither"``, ``"left"``
        (``minimum`` only) or ``"right"`` (``maximum`` only).

    Returns
    -------
    float
        The value as a Python float.

    Raises
    ------
    InvalidTypeError
        For a non-number: ``True``, ``"1.5"``, ``None``, a complex number, an array of size > 1.
    ValueError
        For NaN, an infinity, or a number outside the bounds.
    """
    rng = _interval(minimum, maximum, inclusive)
    expected = f"{name} must be a finite number{' ' + rng if rng else ''}"
    if _scalar_kind_error(value):
        raise InvalidTypeError(f"{expected}, got {_got(value)}")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InvalidTypeError(f"{expected}, got {_got(value)}") from None
    if not np.isfinite(v) or not _in_range(v, minimum, maximum, inclusive):
        raise ValueError(f"{expected}, got {_got(value)}")
    return v


def as_positive_float(value: Any, *, name: str) -> float:
    """Check that ``value`` is a finite number > 0 (a threshold, a scale, a radius) and return it.

    Parameters
    ----------
    value : object
        The argument: a Python or NumPy real scalar or a 0-d array.
    name : str
        The argument's name as the caller knows it.

    Returns
    -------
    float
        The value as a Python float.

    Raises
    ------
    InvalidTypeError
        For a non-number (see `as_float`).
    ValueError
        For zero, a negative number, NaN or an infinity.
    """
    return as_float(value, name=name, minimum=0.0, inclusive="neither")


def as_step(value: Any, *, name: str = "dt") -> float:
    """Check a time step or a duration: a finite number > 0, returned as ``float``.

    The same rule as `as_positive_float`, with the name ``dt`` by default. For a duration that
    may be zero (a transient), use ``as_float(value, name=..., minimum=0.0)``.

    Parameters
    ----------
    value : object
        The step: a Python or NumPy real scalar or a 0-d array.
    name : str, default "dt"
        The argument's name as the caller knows it.

    Returns
    -------
    float
        The step as a Python float.

    Raises
    ------
    InvalidTypeError
        For a non-number (see `as_float`).
    ValueError
        For zero, a negative step, NaN or an infinity.
    """
    return as_float(value, name=name, minimum=0.0, inclusive="neither")


# ------------------------------------------------------------------------------------- arrays
def _numeric_array(x: Any, name: str, expected: str) -> np.ndarray:
    """``x`` as a float64 array; InvalidTypeError for text, complex or non-numeric input."""
    try:
        a = np.asarray(x)
    except (TypeError, ValueError):  # ragged nested sequences
        raise InvalidTypeError(
            f"{name} must be {expected}, got a {type(x).__name__} that is not an array (rows of different lengths?)"
        ) from None
    if a.dtype.kind == "c":
        raise InvalidTypeError(f"{name} must be real, got a complex array of shape {a.shape}")
    if a.dtype.kind == "O":
        try:
            a = a.astype(np.float64)
        except (TypeError, ValueError):
            raise InvalidTypeError(f"{name} must be {expected}, got a {type(x).__name__} of non-numbers") from None
    elif a.dtype.kind not in "biuf":
        raise InvalidTypeError(f"{name} must be {expected}, got a {type(x).__name__} of dtype {a.dtype}")
    return np.asarray(a, dtype=np.float64)


def _where(index: tuple[int, ...], series: bool) -> str:
    if len(index) == 1:
        return f"index {index[0]}"
    if series and len(index) == 2:
        return f"sample {index[0]}, column {index[1]}"
    return f"index {index}"


def _check_finite(a: np.ndarray, name: str, series: bool) -> None:
    bad = ~np.isfinite(a)
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{name} contains {int(bad.sum())} NaN or infinite value(s) (the first, {a[first]}, at "
            f"{_where(first, series)}): remove or interpolate them first"
        )


def as_series(
    x: Any,
    *,
    name: str = "x",
    min_length: int = 2,
    allow_2d: bool = False,
    as_2d: bool = False,
    n_variables: int | None = None,
    allow_constant: bool = True,
) -> np.ndarray:
    """Check a sampled series and return it as a float64 array of shape (N,) or (N, d).

    Checks, in this order: numeric and real; shape (N,), or (N, d) when 2-D input is allowed;
    ``d == n_variables`` if given; ``N >= min_length``; every value finite; and, unless
    ``allow_constant``, no variable constant over the whole series.

    Parameters
    ----------
    x : array_like
        The series: a sequence or array of shape (N,) or (N, d).
    name : str, default "x"
        The argument's name as the caller knows it.
    min_length : int, default 2
        Fewest samples N accepted.
    allow_2d : bool, default False
        Accept a multivariate series (N, d). Without it, a single column (N, 1) is accepted and
        flattened to (N,); any other 2-D shape is rejected.
    as_2d : bool, default False
        Return shape (N, d) always: a 1-D series becomes (N, 1). Implies ``allow_2d``.
    n_variables : int, optional
        The number of variables d required (checked on the 2-D form).
    allow_constant : bool, default True
        Accept a series (or a variable of it) whose samples are all equal.

    Returns
    -------
    numpy.ndarray
        The series as float64, shape (N,) or (N, d) (always (N, d) with ``as_2d``).

    Raises
    ------
    InvalidTypeError
        For non-numeric or complex input.
    ValueError
        For a wrong shape or number of variables, fewer than ``min_length`` samples, NaN or
        infinite values (the message gives their count and where the first one is), or a
        constant series when not allowed.
    """
    allow_2d = allow_2d or as_2d
    shapes = "(N,) or (N, d)" if allow_2d else "(N,)"
    a = _numeric_array(x, name, f"a numeric series of shape {shapes}")
    if a.ndim == 2 and not allow_2d and a.shape[1] == 1:
        a = a[:, 0]
    if a.ndim == 2 and not allow_2d:
        raise ValueError(
            f"{name} must be a 1-D scalar series of shape (N,), got shape {a.shape}; "
            "pass one column of a multivariate series, e.g. x[:, 0]"
        )
    if a.ndim not in (1, 2) or (a.ndim == 2 and a.shape[1] == 0):
        raise ValueError(f"{name} must be a series of shape {shapes}, got shape {a.shape}")
    if as_2d and a.ndim == 1:
        a = a[:, None]
    if n_variables is not None:
        d = 1 if a.ndim == 1 else a.shape[1]
        if d != n_variables:
            raise ValueError(f"{name} must have {n_variables} variable(s) (columns), got {d} (shape {a.shape})")
    if a.shape[0] < min_length:
        raise ValueError(f"{name} needs at least {min_length} samples, got {a.shape[0]}")
    _check_finite(a, name, series=True)
    if not allow_constant and a.shape[0] > 0:
        span = np.ptp(a, axis=0)
        if np.any(span == 0):
            where = "" if a.ndim == 1 else f" in column(s) {np.flatnonzero(span == 0).tolist()}"
            raise ValueError(f"{name} is constant{where}: a constant series carries no dynamics to analyse")
    return a


def _shape_ok(shape: tuple[int, ...], pattern: Sequence[int | None]) -> bool:
    return len(shape) == len(pattern) and all(p is None or p == s for s, p in zip(shape, pattern))


def _shape_text(pattern: Sequence[int | None]) -> str:
    parts = ["*" if p is None else str(p) for p in pattern]
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"


def as_finite_array(
    x: Any,
    *,
    name: str,
    shape: Sequence[int | None] | Sequence[Sequence[int | None]] | None = None,
    ndim: int | Sequence[int] | None = None,
) -> np.ndarray:
    """Check a numeric array (a state, a batch of states, a box, a matrix) and return it as float64.

    Parameters
    ----------
    x : array_like
        The array or a nested sequence.
    name : str
        The argument's name as the caller knows it.
    shape : tuple or sequence of tuples, optional
        The required shape, with ``None`` for any length on that axis, e.g. ``(3,)`` or
        ``(None, 3)``; or a sequence of such shapes, any of which is accepted, e.g.
        ``((3,), (None, 3))`` for a state or a batch of states.
    ndim : int or sequence of int, optional
        The required number of dimensions, or a sequence of allowed ones.

    Returns
    -------
    numpy.ndarray
        ``x`` as a float64 array, every entry finite.

    Raises
    ------
    InvalidTypeError
        For non-numeric or complex input.
    ValueError
        For a wrong shape or number of dimensions, or a NaN or infinite entry (the message gives
        the count and the index of the first one).
    """
    a = _numeric_array(x, name, "a numeric array")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if a.ndim not in allowed:
            want = " or ".join(str(n) for n in allowed)
            raise ValueError(f"{name} must have {want} dimension(s), got shape {a.shape}")
    if shape is not None:
        if len(shape) > 0 and all(isinstance(p, Sequence) for p in shape):
            patterns = [tuple(cast(Sequence[int | None], p)) for p in shape]
        else:
            patterns = [tuple(cast(Sequence[int | None], shape))]
        if not any(_shape_ok(a.shape, p) for p in patterns):
            want = " or ".join(_shape_text(p) for p in patterns)
            raise ValueError(f"{name} must have shape {want}, got shape {a.shape}")
    _check_finite(a, name, series=False)
    return a
