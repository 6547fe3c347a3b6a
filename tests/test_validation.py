"""dynstab.validation: one set of rules and messages for every argument check."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dynstab.validation import (
    InvalidTypeError,
    as_finite_array,
    as_float,
    as_int,
    as_positive_float,
    as_series,
    as_step,
)


def test_invalid_type_error_is_both_type_and_value_error():
    assert issubclass(InvalidTypeError, TypeError)
    assert issubclass(InvalidTypeError, ValueError)
    with pytest.raises(ValueError):
        as_int("4", name="n")
    with pytest.raises(TypeError):
        as_int("4", name="n")


# --------------------------------------------------------------------------------- as_int
@pytest.mark.parametrize(
    "value, expected",
    [
        (3, 3),
        (np.int8(3), 3),
        (np.int64(-2), -2),
        (np.uint16(7), 7),
        (np.array(5), 5),
        (3.0, 3),
        (np.float32(4.0), 4),
        (np.array(6.0), 6),
        (-0.0, 0),
        (2**70, 2**70),
    ],
)
def test_as_int_accepts_integers_and_integral_floats(value, expected):
    out = as_int(value, name="n")
    assert out == expected and type(out) is int


@pytest.mark.parametrize(
    "value",
    [2.5, True, False, np.bool_(True), "4", b"4", None, math.nan, math.inf, -math.inf, [3], np.array([3]), 3 + 0j],
)
def test_as_int_rejects_non_integers(value):
    with pytest.raises(InvalidTypeError, match=r"^dim must be an integer >= 1, got "):
        as_int(value, name="dim", minimum=1)


def test_as_int_bounds_and_messages():
    assert as_int(0, name="theiler", minimum=0) == 0
    with pytest.raises(ValueError, match=r"^theiler must be an integer >= 0, got -1$") as info:
        as_int(-1, name="theiler", minimum=0)
    assert not isinstance(info.value, TypeError)  # a value error, not a type error
    with pytest.raises(ValueError, match=r"^order must be an integer between 2 and 10 \(inclusive\), got 11$"):
        as_int(11, name="order", minimum=2, maximum=10)
    with pytest.raises(ValueError, match=r"^k must be an integer <= 3, got 4$"):
        as_int(4, name="k", maximum=3)
    with pytest.raises(InvalidTypeError, match=r"got 2\.5$"):
        as_int(2.5, name="k")  # no bounds: 'must be an integer, got 2.5'
    with pytest.raises(InvalidTypeError, match=r"got an array of shape \(2,\)"):
        as_int(np.array([1, 2]), name="k")


@given(st.integers(min_value=-(10**6), max_value=10**6))
def test_as_int_roundtrips_every_integer(v):
    assert as_int(v, name="v") == v
    assert as_int(np.int64(v), name="v") == v
    assert as_int(float(v), name="v") == v


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_as_int_accepts_a_float_exactly_when_it_is_integral(v):
    if math.isfinite(v) and v.is_integer():
        assert as_int(v, name="v") == int(v)
    else:
        with pytest.raises(InvalidTypeError):
            as_int(v, name="v")


@given(st.integers(-50, 50), st.integers(-50, 50), st.integers(-50, 50))
def test_as_int_bounds_property(v, lo, hi):
    if lo <= v <= hi:
        assert as_int(v, name="v", minimum=lo, maximum=hi) == v
    else:
        with pytest.raises(ValueError, match="must be an integer"):
            as_int(v, name="v", minimum=lo, maximum=hi)


# ------------------------------------------------------------------------------- as_float
@pytest.mark.parametrize("value", [1, 1.5, np.float32(1.5), np.int64(2), np.array(0.25)])
def test_as_float_accepts_real_scalars(value):
    out = as_float(value, name="q")
    assert out == float(value) and type(out) is float


@pytest.mark.parametrize("value", ["1.5", True, np.bool_(False), None, 1j, np.complex128(1.0), [1.0], np.ones(2)])
def test_as_float_rejects_non_numbers(value):
    with pytest.raises(InvalidTypeError, match=r"^q must be a finite number, got "):
        as_float(value, name="q")


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, np.float64("nan")])
def test_as_float_rejects_non_finite(value):
    with pytest.raises(ValueError, match=r"^q must be a finite number, got ") as info:
        as_float(value, name="q")
    assert not isinstance(info.value, TypeError)


@pytest.mark.parametrize(
    "kwargs, ok, bad, phrase",
    [
        (dict(minimum=0.0), [0.0, 3.0], [-1e-300], ">= 0"),
        (dict(minimum=0.0, inclusive="neither"), [1e-300], [0.0, -1.0], "> 0"),
        (dict(maximum=1.0), [1.0, -5.0], [1.5], "<= 1"),
        (dict(maximum=1.0, inclusive="neither"), [0.999], [1.0], "< 1"),
        (dict(minimum=0, maximum=1, inclusive="neither"), [0.5], [0.0, 1.0, 1.5], "strictly between 0 and 1"),
        (dict(minimum=0, maximum=1), [0.0, 1.0], [-0.1, 1.1], r"between 0 and 1 \(inclusive\)"),
        (dict(minimum=0, maximum=1, inclusive="left"), [0.0], [1.0], r"in \[0, 1\)"),
        (dict(minimum=0, maximum=1, inclusive="right"), [1.0], [0.0], r"in \(0, 1\]"),
        (dict(minimum=0.5), [0.5], [0.4], ">= 0.5"),
    ],
)
def test_as_float_bounds(kwargs, ok, bad, phrase):
    for v in ok:
        assert as_float(v, name="a", **kwargs) == v
    for v in bad:
        with pytest.raises(ValueError, match=rf"^a must be a finite number {phrase}, got "):
            as_float(v, name="a", **kwargs)


def test_positive_float_and_step():
    assert as_positive_float(0.1, name="eps") == 0.1
    assert as_step(np.float32(0.5)) == 0.5
    with pytest.raises(ValueError, match=r"^eps must be a finite number > 0, got 0\.0$"):
        as_positive_float(0.0, name="eps")
    with pytest.raises(ValueError, match=r"^dt must be a finite number > 0, got -0\.01$"):
        as_step(-0.01)
    with pytest.raises(ValueError, match=r"^t must be a finite number > 0, got inf$"):
        as_step(math.inf, name="t")
    with pytest.raises(InvalidTypeError, match=r"^dt must be a finite number > 0, got '0\.1'$"):
        as_step("0.1")


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_as_step_accepts_exactly_the_positive_finite_floats(v):
    if math.isfinite(v) and v > 0:
        assert as_step(v) == v
    else:
        with pytest.raises(ValueError, match=r"^dt must be a finite number > 0"):
            as_step(v)


# ------------------------------------------------------------------------------ as_series
def test_as_series_returns_float64():
    out = as_series([1, 2, 3])
    assert out.dtype == np.float64 and out.shape == (3,)
    np.testing.assert_array_equal(out, [1.0, 2.0, 3.0])
    assert as_series(np.array([True, False, True])).dtype == np.float64
    x = np.arange(5.0)
    assert as_series(x) is x or np.shares_memory(as_series(x), x)  # no copy for float64 input


def test_as_series_shapes():
    col = np.arange(6.0)[:, None]
    assert as_series(col).shape == (6,)  # one column counts as a scalar series
    assert as_series(col, allow_2d=True).shape == (6, 1)
    assert as_series(np.arange(6.0), as_2d=True).shape == (6, 1)
    assert as_series(np.ones((6, 3)), allow_2d=True).shape == (6, 3)
    with pytest.raises(
        ValueError, match=r"^x must be a 1-D scalar series of shape \(N,\), got shape \(6, 3\); pass one"
    ):
        as_series(np.ones((6, 3)))
    with pytest.raises(ValueError, match=r"^x must be a series of shape \(N,\) or \(N, d\), got shape \(2, 3, 4\)$"):
        as_series(np.ones((2, 3, 4)), allow_2d=True)
    with pytest.raises(ValueError, match=r"got shape \(\)"):
        as_series(3.0)
    with pytest.raises(ValueError, match=r"got shape \(5, 0\)"):
        as_series(np.ones((5, 0)), allow_2d=True)
    with pytest.raises(ValueError, match=r"^data must have 2 variable\(s\) \(columns\), got 3 \(shape \(6, 3\)\)$"):
        as_series(np.ones((6, 3)), name="data", allow_2d=True, n_variables=2)
    assert as_series(np.arange(4.0), n_variables=1).shape == (4,)


def test_as_series_length():
    with pytest.raises(ValueError, match=r"^x needs at least 16 samples, got 10$"):
        as_series(np.arange(10.0), min_length=16)
    with pytest.raises(ValueError, match=r"^x needs at least 2 samples, got 0$"):
        as_series([])
    assert as_series([], min_length=0).shape == (0,)


def test_as_series_non_finite_message_names_the_first_bad_sample():
    x = np.arange(30.0)
    x[[7, 20]] = [np.inf, np.nan]
    with pytest.raises(
        ValueError, match=r"^signal contains 2 NaN or infinite value\(s\) \(the first, inf, at index 7\)"
    ):
        as_series(x, name="signal")
    y = np.ones((10, 3))
    y[4, 2] = np.nan
    with pytest.raises(ValueError, match=r"\(the first, nan, at sample 4, column 2\)"):
        as_series(y, allow_2d=True)


def test_as_series_none_is_a_missing_value():
    with pytest.raises(ValueError, match=r"\(the first, nan, at index 1\)"):
        as_series([1.0, None, 2.0])


def test_as_series_constant():
    assert as_series(np.ones(5)).shape == (5,)  # allowed by default
    with pytest.raises(ValueError, match=r"^x is constant: "):
        as_series(np.ones(5), allow_constant=False)
    z = np.column_stack([np.arange(5.0), np.ones(5)])
    with pytest.raises(ValueError, match=r"^x is constant in column\(s\) \[1\]: "):
        as_series(z, allow_2d=True, allow_constant=False)


@pytest.mark.parametrize(
    "x, match",
    [
        ("abc", r"^x must be a numeric series of shape \(N,\), got a str of dtype <U3$"),
        (["1", "2"], r"got a list of dtype <U1"),
        (np.arange(4.0) + 1j, r"^x must be real, got a complex array of shape \(4,\)$"),
        ([1.0, {}, 2.0], r"got a list of non-numbers"),
        ([[1.0, 2.0], [3.0]], r"not an array"),
        (np.array(["2020-01-01"], dtype="datetime64[D]"), r"dtype datetime64"),
    ],
)
def test_as_series_rejects_non_numeric(x, match):
    with pytest.raises(InvalidTypeError, match=match):
        as_series(x, min_length=1)


@given(
    hnp.arrays(
        np.float64,
        st.tuples(st.integers(0, 40), st.integers(1, 3)),
        elements=st.floats(allow_nan=True, allow_infinity=True, width=64),
    ),
    st.integers(0, 10),
)
@settings(max_examples=200)
def test_as_series_property(a, min_length):
    """Accepted exactly when long enough and finite; then the values come back unchanged."""
    ok = a.shape[0] >= min_length and bool(np.all(np.isfinite(a)))
    if ok:
        out = as_series(a, allow_2d=True, min_length=min_length)
        np.testing.assert_array_equal(out, a)
        assert out.dtype == np.float64
        flat = as_series(a[:, 0], min_length=min_length)
        np.testing.assert_array_equal(flat, a[:, 0])
    else:
        with pytest.raises(ValueError) as info:
            as_series(a, allow_2d=True, min_length=min_length)
        assert str(info.value).startswith("x ")
        if a.shape[0] >= min_length:  # the first bad sample is named
            i, j = np.argwhere(~np.isfinite(a))[0]
            assert f"at sample {i}, column {j}" in str(info.value)


@given(hnp.arrays(np.float64, st.integers(2, 30), elements=st.floats(-1e6, 1e6)))
def test_as_series_constant_property(a):
    constant = bool(np.ptp(a) == 0)
    if constant:
        with pytest.raises(ValueError, match="constant"):
            as_series(a, allow_constant=False)
    else:
        np.testing.assert_array_equal(as_series(a, allow_constant=False), a)


# ------------------------------------------------------------------------- as_finite_array
def test_as_finite_array_shapes():
    assert as_finite_array([1, 2, 3], name="x0", shape=(3,)).dtype == np.float64
    assert as_finite_array(np.ones((4, 3)), name="x0", shape=((3,), (None, 3))).shape == (4, 3)
    assert as_finite_array(np.ones((4, 3)), name="box", ndim=2).shape == (4, 3)
    assert as_finite_array(np.ones(2), name="box", ndim=(1, 2)).shape == (2,)
    assert as_finite_array(np.ones(()), name="s", shape=()).shape == ()
    with pytest.raises(ValueError, match=r"^x0 must have shape \(3,\) or \(\*, 3\), got shape \(4, 2\)$"):
        as_finite_array(np.ones((4, 2)), name="x0", shape=((3,), (None, 3)))
    with pytest.raises(ValueError, match=r"^x0 must have shape \(2, \*\), got shape \(2,\)$"):
        as_finite_array(np.ones(2), name="x0", shape=(2, None))
    with pytest.raises(ValueError, match=r"^box must have 2 dimension\(s\), got shape \(3,\)$"):
        as_finite_array(np.ones(3), name="box", ndim=2)
    with pytest.raises(ValueError, match=r"^box must have 1 or 2 dimension\(s\), got shape \(\)$"):
        as_finite_array(1.0, name="box", ndim=(1, 2))


def test_as_finite_array_non_finite_and_non_numeric():
    a = np.zeros((2, 3, 4))
    a[1, 2, 3] = -np.inf
    with pytest.raises(
        ValueError, match=r"^w contains 1 NaN or infinite value\(s\) \(the first, -inf, at index \(1, 2, 3\)\)"
    ):
        as_finite_array(a, name="w")
    with pytest.raises(InvalidTypeError, match=r"^w must be a numeric array, got a str"):
        as_finite_array("xyz", name="w")
    with pytest.raises(InvalidTypeError, match=r"^w must be real"):
        as_finite_array([1j], name="w")


@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=3, max_side=4)))
def test_as_finite_array_property(a):
    if np.all(np.isfinite(a)):
        out = as_finite_array(a, name="a", shape=a.shape, ndim=a.ndim)
        np.testing.assert_array_equal(out, a)
    else:
        with pytest.raises(ValueError, match="NaN or infinite"):
            as_finite_array(a, name="a")
