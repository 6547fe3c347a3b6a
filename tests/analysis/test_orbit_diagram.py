"""Orbit diagrams: the logistic period-doubling cascade and period-3 window against exact values,
divergence reporting, flows through Poincare maps, bad input."""

import itertools
import json
import math
import warnings

import numpy as np
import pytest

import dynstab
from dynstab.analysis.orbit_diagram import (
    OrbitDivergedWarning,
    detect_periods,
    orbit_diagram,
    period_changes,
    period_doubling_points,
)

LOGISTIC = dynstab.systems.get("logistic")


def test_logistic_diagram_shape_periods_and_outputs():
    vals = np.linspace(2.5, 4.0, 1000)
    od = orbit_diagram(LOGISTIC, "r", vals, n_keep=100, transient=1000)
    assert od.points.shape == (1000, 100)
    assert not od.diverged.any() and np.all((od.points >= 0) & (od.points <= 1))
    # fixed point r < 3: x* = 1 - 1/r exactly
    i = np.searchsorted(vals, 2.8)
    np.testing.assert_allclose(od.points[i], 1 - 1 / vals[i], atol=1e-10)
    per = detect_periods(
        orbit_diagram(LOGISTIC, "r", [2.8, 3.2, 3.5, 3.555, 3.83, 3.9], transient=20_000, n_keep=128).points
    )
    assert per.tolist() == [1, 2, 4, 8, 3, 0]
    ds = od.to_xarray()
    assert ds["points"].dims == ("r", "n") and ds.attrs["system"] == "logistic"
    d = od.to_dict()
    json.dumps(d)
    assert d["n_diverged"] == 0 and len(d["periods"]["values"]) == 1000
    fig = od.plot()
    assert fig.axes[0].get_xlabel() == "r"


def test_logistic_period_doubling_points():
    r = period_doubling_points(LOGISTIC, "r", 2.9, 3.56)
    exact = np.array([3.0, 1 + math.sqrt(6), 3.5440903595519228])  # Feigenbaum (1978)
    assert r.shape == (3,)
    np.testing.assert_allclose(r, exact, atol=1e-3)
    assert np.max(np.abs(r - exact)) < 2e-4  # measured: 6e-5, 2e-5, 8e-6


def test_logistic_cascades_over_the_whole_range_have_every_step():
    """``bifurcation logistic --doublings`` over [2.5, 4] (issue 15) jumped from "aperiodic -> 4" to "8 -> 16" in
    the period-4 window (a window narrower than the scan's step holds a whole cascade). Every step is
    there now, the main cascade at Feigenbaum's values to well within the scan's step (0.003), the
    period-3 window at 1 + sqrt(8) (Saha & Strogatz 1995), and no flicker (A -> B -> A) at tangencies."""
    calls = []
    ch = period_changes(LOGISTIC, "r", 2.5, 4.0, progress=lambda done, total: calls.append((done, total)))
    steps = [(c.from_period, c.to_period) for c in ch]
    values = [c.value for c in ch]
    exact = [3.0, 1 + math.sqrt(6), 3.5440903595519228, 3.5644072660954736]  # Feigenbaum (1978)
    assert steps[:4] == [(1, 2), (2, 4), (4, 8), (8, 16)]
    np.testing.assert_allclose(values[:4], exact, atol=1e-4)
    i = steps.index((0, 4))  # the period-4 window near r = 3.9601: 0 -> 4 -> 8 -> 16 -> 32
    assert steps[i : i + 4] == [(0, 4), (4, 8), (8, 16), (16, 32)] and 3.96 < values[i] < 3.9602
    j = steps.index((0, 3))
    assert abs(values[j] - (1 + math.sqrt(8))) < 1e-4 and steps[j + 1] == (3, 6)
    assert all(not (a == d and b == c) for (a, b), (c, d) in itertools.pairwise(steps))
    assert values == sorted(values) and calls[-1][0] == calls[-1][1] and len(calls) >= 2


def test_logistic_period_three_window():
    ch = [c for c in period_changes(LOGISTIC, "r", 3.8, 3.86, n_grid=60) if c.to_period == 3]
    assert ch, "the period-3 window was not found"
    assert abs(ch[0].value - (1 + math.sqrt(8))) < 1e-3  # Saha & Strogatz (1995)
    assert ch[0].from_period == 0  # chaos (no period) before the tangent bifurcation


def test_divergence_is_reported_not_dropped():
    vals = np.linspace(3.9, 4.3, 41)
    with pytest.warns(OrbitDivergedWarning, match=r"r in \[4\.01, 4\.3\]"):
        od = orbit_diagram(LOGISTIC, "r", vals)
    assert od.points.shape[0] == 41
    np.testing.assert_array_equal(od.diverged, vals > 4.0 + 1e-12)
    assert np.all(np.isnan(od.points[od.diverged])) and np.all(np.isfinite(od.points[~od.diverged]))
    assert od.diverged_ranges == [(pytest.approx(4.01), pytest.approx(4.3))]
    assert np.all(od.diverged_at[od.diverged] > 0) and np.all(od.diverged_at[~od.diverged] == -1)
    assert od.to_dict()["diverged_ranges"] == [[pytest.approx(4.01), pytest.approx(4.3)]]
    assert detect_periods(od.points)[-1] == -1
    od.plot()  # shades the diverged range


def test_all_coordinates_and_per_value_x0():
    henon = dynstab.systems.get("henon")
    vals = np.linspace(1.0, 1.4, 5)
    od = orbit_diagram(henon, "a", vals, index=None, n_keep=50, x0=np.zeros((5, 2)), warn=False)
    assert od.points.shape == (5, 50, 2)
    assert od.to_xarray()["points"].dims == ("a", "n", "variable")
    # the last kept state equals a direct numpy iteration of the same map
    x = np.zeros(2)
    for _ in range(1000 + 50):
        x = np.array([1 - vals[0] * x[0] ** 2 + x[1], 0.3 * x[0]])
    np.testing.assert_allclose(od.points[0, -1], x, atol=1e-9)


def test_flow_needs_a_map():
    with pytest.raises(TypeError, match="Poincare"):
        orbit_diagram(dynstab.systems.get("lorenz"), "rho", [20.0, 28.0])


def test_bad_input():
    with pytest.raises(KeyError, match="did you mean 'r'"):
        orbit_diagram(LOGISTIC, "rr", [3.0])
    with pytest.raises(ValueError, match="non-finite"):
        orbit_diagram(LOGISTIC, "r", [3.0, np.nan])
    with pytest.raises(ValueError, match="index"):
        orbit_diagram(LOGISTIC, "r", [3.0], index=3)
    with pytest.raises(ValueError, match="n_keep"):
        orbit_diagram(LOGISTIC, "r", [3.0], n_keep=0)
    with pytest.raises(ValueError, match="x0"):
        orbit_diagram(LOGISTIC, "r", [3.0, 3.1], x0=np.zeros((3, 1)))
    with pytest.raises(ValueError, match="shape"):
        detect_periods(np.zeros(5))
    with pytest.raises(ValueError, match="lo < hi"):
        period_changes(LOGISTIC, "r", 3.5, 3.0)


@pytest.mark.slow
def test_rossler_orbit_diagram_through_poincare_map():
    derived = pytest.importorskip("dynstab.systems.derived")
    rossler = dynstab.systems.get("rossler")
    pm = derived.PoincareMap(rossler, ("x", 0.0), direction=-1)
    cs = np.array([2.5, 3.5, 4.1, 5.7])
    with warnings.catch_warnings():
        warnings.simplefilter("error", OrbitDivergedWarning)
        od = orbit_diagram(pm, "c", cs, n_keep=64, transient=300)
    per = od.periods(tol=1e-4)
    # Rossler (a = b = 0.2) period-doubling route: P1 at c = 2.5, P2 at 3.5, P4 at 4.1, chaos at 5.7
    # (Rossler, Phys. Lett. A 57, 397 (1976); Strogatz, Nonlinear Dynamics and Chaos, sec. 10.6)
    assert per.tolist() == [1, 2, 4, 0]
    # the same through plane= on the flow
    od2 = orbit_diagram(rossler, "c", cs[:1], n_keep=8, transient=300, plane=("x", 0.0))
    assert od2.points.shape == (1, 8)


def test_arguments_go_through_validation():
    with pytest.raises(ValueError, match=r"^n_keep must be an integer >= 1, got 10\.5$"):  # was truncated to 10
        orbit_diagram(LOGISTIC, "r", [3.0], n_keep=10.5)
    with pytest.raises(ValueError, match=r"^transient must be an integer >= 0, got 2\.5$"):
        orbit_diagram(LOGISTIC, "r", [3.0], transient=2.5)
    with pytest.raises(ValueError, match=r"^bound must be a finite number > 0, got nan$"):
        orbit_diagram(LOGISTIC, "r", [3.0], bound=float("nan"))
    with pytest.raises(TypeError, match=r"^values must be a numeric array"):
        orbit_diagram(LOGISTIC, "r", ["3.0"])
    with pytest.raises(ValueError, match=r"^max_period must be an integer, got 1\.5$"):
        detect_periods(np.zeros((3, 4)), max_period=1.5)
    with pytest.raises(ValueError, match=r"^lo must be a finite number, got nan$"):
        period_changes(LOGISTIC, "r", float("nan"), 3.5)
    with pytest.raises(ValueError, match=r"^n_grid must be an integer >= 2, got 10\.5$"):
        period_changes(LOGISTIC, "r", 3.0, 3.5, n_grid=10.5)
