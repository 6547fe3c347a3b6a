"""Region of attraction: exact c for a system with a known basin, Khalil's reversed Van der Pol, bad input."""

import json
import math

import jax.numpy as jnp
import numpy as np
import pytest

import dynstab
from dynstab.analysis.region_of_attraction import region_of_attraction


@dynstab.flow(params=dict(), x0=[0.1, 0.1], names=("x", "y"), dt=0.01, name="cubic_decoupled")
def cubic(x, p, t):
    """x' = -x + x^3, y' = -y: the basin of the origin is exactly |x| < 1 (x = +-1 are equilibria)."""
    return jnp.stack([-x[0] + x[0] ** 3, -x[1]])


@dynstab.flow(params=dict(mu=1.0), x0=[0.1, 0.1], names=("x1", "x2"), dt=0.01, name="vdp_reversed")
def vdp_reversed(x, p, t):
    """Van der Pol in reversed time (Khalil, Nonlinear Systems, Example 8.9): x1' = -x2, x2' = x1 + (x1^2 - 1) x2."""
    return jnp.stack([-x[1], x[0] + p["mu"] * (x[0] ** 2 - 1.0) * x[1]])


def test_exact_region_for_a_known_basin():
    # A = -I, Q = I: P = I/2, V = (x^2 + y^2)/2, Vdot = -x^2 + x^4 - y^2 = 0 needs |x| >= 1; min V there is
    # x^4/2 at |x| = 1: c* = 1/2 exactly, and {V <= 1/2} = unit disk lies in the true basin |x| < 1.
    r = region_of_attraction(cubic, [0.0, 0.0], t_check=20.0, n_check=1000)
    np.testing.assert_allclose(r.P, 0.5 * np.eye(2), atol=1e-14)
    assert r.c == pytest.approx(0.5, rel=1e-5) and r.c <= 0.5
    np.testing.assert_allclose(r.axes, [1.0, 1.0], rtol=1e-5)
    assert r.volume == pytest.approx(math.pi, rel=1e-5)
    assert r.inside_fraction == 1.0
    # empirical basin inside the check box [-3, 3]^2 is the strip |x| < 1: area 12; disk / strip = pi / 12
    assert r.area_ratio == pytest.approx(math.pi / 12, rel=0.1)
    assert r.contains([0.99 / math.sqrt(2)] * 2) and not r.contains([0.8, 0.8])
    json.dumps(r.to_dict())
    r.plot()


def test_reversed_van_der_pol_khalil():
    r = region_of_attraction(vdp_reversed, [0.0, 0.0], t_check=30.0, n_check=1000)
    # Khalil Example 8.9: with Q = I the Lyapunov equation gives P = [[1.5, -0.5], [-0.5, 1]]
    np.testing.assert_allclose(r.P, [[1.5, -0.5], [-0.5, 1.0]], atol=1e-12)
    # independent check of c* = min{V : Vdot = 0, x != 0}: dense polar scan with the hand-written Vdot
    rr = np.linspace(1e-3, 4.0, 8000)
    c_scan = np.inf
    for th in np.linspace(0, np.pi, 2000, endpoint=False):  # V and Vdot are even: half the circle suffices
        x1, x2 = rr * np.cos(th), rr * np.sin(th)
        f1, f2 = -x2, x1 + (x1**2 - 1) * x2
        vdot = 2 * ((1.5 * x1 - 0.5 * x2) * f1 + (-0.5 * x1 + x2) * f2)
        if np.any(vdot >= 0):
            k = int(np.argmax(vdot >= 0))  # first radius along the ray where Vdot >= 0
            c_scan = min(c_scan, 1.5 * x1[k] ** 2 - x1[k] * x2[k] + x2[k] ** 2)
    assert r.c == pytest.approx(c_scan, rel=2e-3) and r.c <= c_scan * (1 + 1e-9)
    # the estimate lies in the true basin (bounded by the unstable limit cycle) ...
    assert r.inside_fraction == 1.0
    # ... and covers a good part of it
    assert 0.3 < r.area_ratio < 1.0


def test_bad_input():
    with pytest.raises(ValueError, match="not asymptotically stable"):
        region_of_attraction(vdp_reversed.with_params(mu=-1.0), [0.0, 0.0], check=False)
    with pytest.raises(ValueError, match="not an equilibrium"):
        region_of_attraction(cubic, [0.5, 0.0], check=False)
    with pytest.raises(ValueError, match="positive definite"):
        region_of_attraction(cubic, [0.0, 0.0], Q=-np.eye(2), check=False)
    with pytest.raises(TypeError, match="Flow"):
        region_of_attraction(dynstab.systems.get("henon"), [0.0, 0.0])
    with pytest.raises(ValueError, match="equilibrium"):
        region_of_attraction(cubic, [0.0, 0.0, 0.0])


def test_arguments_go_through_validation():
    with pytest.raises(ValueError, match=r"^n_directions must be an integer >= 1, got 10\.5$"):  # was truncated
        region_of_attraction(cubic, [0.0, 0.0], n_directions=10.5, check=False)
    with pytest.raises(ValueError, match=r"^n_levels must be an integer >= 2, got 1$"):
        region_of_attraction(cubic, [0.0, 0.0], n_levels=1, check=False)
    with pytest.raises(ValueError, match=r"^radius must be a finite number > 0, got nan$"):
        region_of_attraction(cubic, [0.0, 0.0], radius=float("nan"), check=False)
    with pytest.raises(ValueError, match=r"^polish must be an integer >= 0, got 1\.5$"):
        region_of_attraction(cubic, [0.0, 0.0], polish=1.5, check=False)
    with pytest.raises(TypeError, match=r"^Q must be a numeric array"):
        region_of_attraction(cubic, [0.0, 0.0], Q=[["1", "0"], ["0", "1"]], check=False)
