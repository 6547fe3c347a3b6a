"""Fixed points: exact equilibria and eigenvalues of Lorenz-63, Henon, logistic and linear systems."""

import json
import math

import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dynstab
from dynstab.analysis import FixedPoint, FixedPoints, fixed_points
from dynstab.analysis.fixed_points import classify

LORENZ_BOX = [(-30.0, 30.0), (-30.0, 30.0), (0.0, 50.0)]
N = 400  # one n_starts for every Lorenz call, so the kernel compiles once


@pytest.fixture(scope="module")
def lorenz():
    return dynstab.systems.get("lorenz")


@pytest.fixture(scope="module")
def lorenz_fp(lorenz):
    return fixed_points(lorenz, LORENZ_BOX, n_starts=N)


def test_lorenz_three_equilibria(lorenz_fp):
    rho, beta = 28.0, 8.0 / 3.0
    assert len(lorenz_fp) == 3
    assert lorenz_fp.kind == "flow" and lorenz_fp.system_name == "lorenz" and lorenz_fp.reason == ""
    c = math.sqrt(beta * (rho - 1.0))
    expected = np.array([[-c, -c, rho - 1.0], [0.0, 0.0, 0.0], [c, c, rho - 1.0]])  # lexicographic order
    got = np.array([p.x for p in lorenz_fp])
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    for p in lorenz_fp:
        assert isinstance(p, FixedPoint)
        assert p.residual < 1e-10


def test_lorenz_origin_is_saddle_with_exact_eigenvalues(lorenz_fp):
    sigma, rho, beta = 10.0, 28.0, 8.0 / 3.0
    origin = lorenz_fp[1]
    assert origin.type == "saddle" and not origin.stable
    disc = math.sqrt((sigma - 1.0) ** 2 + 4.0 * sigma * rho)  # sqrt(81 + 40 * 28)
    exact = sorted([(-(sigma + 1.0) + disc) / 2.0, (-(sigma + 1.0) - disc) / 2.0, -beta])
    np.testing.assert_allclose(np.sort(origin.eigenvalues.real), exact, rtol=1e-12)
    np.testing.assert_allclose(origin.eigenvalues.imag, 0.0, atol=1e-12)
    np.testing.assert_allclose(sorted(exact), [-22.8277, -8.0 / 3.0, 11.8277], atol=1e-4)


def test_lorenz_c_pm_are_saddle_foci(lorenz_fp):
    for p in (lorenz_fp[0], lorenz_fp[2]):
        assert p.type == "saddle-focus" and not p.stable
        ev = p.eigenvalues
        pair = ev[np.abs(ev.imag) > 1e-9]
        real = ev[np.abs(ev.imag) <= 1e-9]
        assert pair.size == 2 and real.size == 1
        np.testing.assert_allclose(pair.real, 0.0940, atol=1e-3)  # published: 0.094 +/- 10.19 i
        np.testing.assert_allclose(np.abs(pair.imag), 10.1945, atol=1e-3)
        np.testing.assert_allclose(real.real, -13.8546, atol=1e-4)
        # exact: roots of l^3 + (s + b + 1) l^2 + b (s + r) l + 2 s b (r - 1)
        s, r, b = 10.0, 28.0, 8.0 / 3.0
        roots = np.roots([1.0, s + b + 1.0, b * (s + r), 2.0 * s * b * (r - 1.0)])
        np.testing.assert_allclose(np.sort_complex(ev), np.sort_complex(roots), rtol=1e-10)


def test_lorenz_subcritical_rho_only_origin_stable_node(lorenz):
    fp = fixed_points(lorenz.with_params(rho=0.5), LORENZ_BOX, n_starts=N)
    assert len(fp) == 1
    p = fp[0]
    np.testing.assert_allclose(p.x, 0.0, atol=1e-12)
    assert p.type == "stable node" and p.stable
    disc = math.sqrt(81.0 + 40.0 * 0.5)
    exact = sorted([(-11.0 + disc) / 2.0, (-11.0 - disc) / 2.0, -8.0 / 3.0])
    np.testing.assert_allclose(np.sort(p.eigenvalues.real), exact, rtol=1e-12)


def test_lorenz_pitchfork_degenerate_origin_is_one_point(lorenz):
    # at rho = 1 the origin has a zero eigenvalue and Newton converges only linearly;
    # the copies reached from different starts must coalesce into one non-hyperbolic point
    fp = fixed_points(lorenz.with_params(rho=1.0), LORENZ_BOX, n_starts=N)
    assert len(fp) == 1
    np.testing.assert_allclose(fp[0].x, 0.0, atol=1e-6)
    assert fp[0].type == "non-hyperbolic" and not fp[0].stable
    np.testing.assert_allclose(np.sort(fp[0].eigenvalues.real), [-11.0, -8.0 / 3.0, 0.0], atol=1e-9)


def test_henon_two_saddles_exact():
    a, b = 1.4, 0.3
    fp = fixed_points(dynstab.systems.get("henon"), [(-3.0, 3.0), (-3.0, 3.0)], n_starts=200)
    assert fp.kind == "map" and len(fp) == 2
    for sign, p in zip((-1.0, 1.0), fp):  # sorted: the negative root first
        xs = (-(1.0 - b) + sign * math.sqrt((1.0 - b) ** 2 + 4.0 * a)) / (2.0 * a)
        np.testing.assert_allclose(p.x, [xs, b * xs], rtol=1e-12)
        jac = np.array([[-2.0 * a * xs, 1.0], [b, 0.0]])
        exact = np.linalg.eigvals(jac)
        np.testing.assert_allclose(np.sort(p.eigenvalues.real), np.sort(exact.real), rtol=1e-12)
        np.testing.assert_allclose(p.eigenvalues.imag, 0.0, atol=1e-12)
        # multipliers: mu^2 + 2 a x* mu - b = 0, so the product is -b
        np.testing.assert_allclose(np.prod(p.eigenvalues).real, -b, rtol=1e-12)
        assert p.type == "saddle" and not p.stable


def test_logistic_r4():
    fp = fixed_points(dynstab.systems.get("logistic").with_params(r=4.0), [(-0.5, 1.5)], n_starts=200)
    assert len(fp) == 2
    np.testing.assert_allclose([p.x[0] for p in fp], [0.0, 0.75], atol=1e-13)
    np.testing.assert_allclose([p.eigenvalues[0].real for p in fp], [4.0, -2.0], rtol=1e-12)
    assert all(not p.stable and p.type == "unstable node" for p in fp)


@pytest.fixture(scope="module")
def linear():
    """x' = A x with the matrix A a parameter (one compilation for every A)."""

    @dynstab.flow(x0=[1.0, 0.0], name="linear", params=dict(A=np.eye(2)))
    def linear(x, p, t):
        return p["A"] @ x

    return linear


def test_linear_center(linear):
    system = linear.with_params(A=[[0.0, 2.0], [-2.0, 0.0]])
    fp = fixed_points(system, [(-1, 1), (-1, 1)], n_starts=50)
    assert len(fp) == 1
    p = fp[0]
    np.testing.assert_allclose(p.x, 0.0, atol=1e-14)
    np.testing.assert_allclose(np.sort(p.eigenvalues.imag), [-2.0, 2.0], rtol=1e-12)
    np.testing.assert_allclose(p.eigenvalues.real, 0.0, atol=1e-14)
    assert p.type == "center" and not p.stable


def test_damped_oscillator_stable_focus(linear):
    # x'' + 0.2 x' + x = 0: eigenvalues -0.1 +/- i sqrt(0.99)
    system = linear.with_params(A=[[0.0, 1.0], [-1.0, -0.2]])
    fp = fixed_points(system, [(-1, 1), (-1, 1)], n_starts=50)
    assert len(fp) == 1
    p = fp[0]
    assert p.type == "stable focus" and p.stable
    np.testing.assert_allclose(p.eigenvalues.real, -0.1, rtol=1e-12)
    np.testing.assert_allclose(np.abs(p.eigenvalues.imag), math.sqrt(0.99), rtol=1e-12)


def test_sde_uses_drift():
    @dynstab.sde(diffusion=lambda x, p, t: 0.5 * jnp.ones_like(x), x0=[0.5], params=dict(a=1.0))
    def double_well(x, p, t):
        return p["a"] * x - x**3

    fp = fixed_points(double_well, [(-2.0, 2.0)], n_starts=100)
    assert fp.kind == "sde"
    np.testing.assert_allclose([p.x[0] for p in fp], [-1.0, 0.0, 1.0], atol=1e-12)
    assert [p.type for p in fp] == ["stable node", "unstable node", "stable node"]


def test_reproducible_and_json(lorenz):
    a = fixed_points(lorenz, LORENZ_BOX, n_starts=N, seed=7)
    b = fixed_points(lorenz, LORENZ_BOX, n_starts=N, seed=7)
    assert a.to_dict() == b.to_dict()
    for p, q in zip(a, b):
        assert np.array_equal(p.x, q.x) and np.array_equal(p.eigenvalues, q.eigenvalues)
    d = json.loads(json.dumps(a.to_dict()))
    assert [p["type"] for p in d] == ["saddle-focus", "saddle", "saddle-focus"]
    assert all(len(pair) == 2 for p in d for pair in p["eigenvalues"])
    assert "saddle-focus" in repr(a) and "3 equilibria" in repr(a)


def test_parameter_change_does_not_recompile():
    traces = []

    @dynstab.flow(x0=[0.0], params=dict(a=1.0), name="counted")
    def counted(x, p, t):
        traces.append(1)  # runs only when JAX traces the law
        return p["a"] - x**2

    fp = fixed_points(counted, [(-3.0, 3.0)], n_starts=64)
    np.testing.assert_allclose([q.x[0] for q in fp], [-1.0, 1.0], rtol=1e-13)
    n = len(traces)
    fp = fixed_points(counted.with_params(a=4.0), [(-3.0, 3.0)], n_starts=64)
    np.testing.assert_allclose([q.x[0] for q in fp], [-2.0, 2.0], rtol=1e-13)
    assert len(traces) == n


@pytest.mark.parametrize(
    "box, match",
    [
        ([(-1.0, 1.0), (-1.0, 1.0)], "3-dimensional"),
        ([(-1.0, 1.0), (1.0, -1.0), (0.0, 1.0)], "low must be < high"),
        ([(-1.0, 1.0), (0.0, 0.0), (0.0, 1.0)], "low must be < high"),
        ([(-1.0, 1.0), (-np.inf, 1.0), (0.0, 1.0)], "finite"),
        ([(-1.0, 1.0), (float("nan"), 1.0), (0.0, 1.0)], "finite"),
        ([(-1.0, 1.0, 2.0)] * 3, "pairs"),
        ("abc", "pairs"),
    ],
)
def test_box_validation(lorenz, box, match):
    with pytest.raises(ValueError, match=match):
        fixed_points(lorenz, box)


def test_empty_box_gives_reason(lorenz):
    fp = fixed_points(lorenz, [(100.0, 200.0), (100.0, 200.0), (100.0, 200.0)], n_starts=N)
    assert isinstance(fp, FixedPoints)
    assert len(fp) == 0 and list(fp) == [] and fp.to_dict() == []
    assert "box" in fp.reason and "n_starts" in fp.reason
    assert fp.reason in repr(fp)


def test_classify_rules():
    assert classify([-1.0, -2.0], "flow") == ("stable node", True)
    assert classify([1.0 + 1j, 1.0 - 1j], "flow") == ("unstable focus", False)
    assert classify([1.0, -2.0], "flow") == ("saddle", False)
    assert classify([0.0, -2.0], "flow") == ("non-hyperbolic", False)
    assert classify([0.5, 0.2j, -0.2j], "map") == ("stable focus", True)
    assert classify([2.0, 0.5], "map") == ("saddle", False)
    assert classify([np.exp(0.3j), np.exp(-0.3j)], "map") == ("center", False)
    assert classify([1.0, 0.5], "map") == ("non-hyperbolic", False)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sigma=st.floats(1.0, 20.0), rho=st.floats(0.1, 100.0), beta=st.floats(0.5, 5.0))
def test_lorenz_points_are_roots(lorenz, sigma, rho, beta):
    system = lorenz.with_params(sigma=sigma, rho=rho, beta=beta)
    fp = fixed_points(system, [(-60.0, 60.0), (-60.0, 60.0), (-1.0, 120.0)], n_starts=N)
    assert 1 <= len(fp) <= 3
    if abs(rho - 1.0) > 1e-3:  # away from the pitchfork at rho = 1
        assert len(fp) == (3 if rho > 1.0 else 1)
    for p in fp:
        assert np.max(np.abs(np.asarray(system.f(jnp.asarray(p.x))))) < 1e-8


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(n_starts=2.5), r"^n_starts must be an integer >= 1, got 2\.5$"),  # was truncated to 2
        (dict(max_iter=10.5), r"^max_iter must be an integer >= 1, got 10\.5$"),
        (dict(tol=float("nan")), r"^tol must be a finite number > 0, got nan$"),
        (dict(t="0"), r"^t must be a finite number, got '0'$"),
    ],
)
def test_counts_and_tolerances_go_through_validation(lorenz, kwargs, match):
    with pytest.raises(ValueError, match=match):
        fixed_points(lorenz, LORENZ_BOX, **kwargs)


def test_box_of_text_or_nan_names_the_box(lorenz):
    with pytest.raises(TypeError, match=r"^box must be a sequence of \(low, high\) pairs of numbers"):
        fixed_points(lorenz, [("-1", "1")] * 3)  # np.asarray(..., float) used to accept the text
    with pytest.raises(
        ValueError, match=r"^box contains 1 NaN or infinite value\(s\) \(the first, nan, at index \(1, 0\)\)"
    ):
        fixed_points(lorenz, [(-1.0, 1.0), (float("nan"), 1.0), (0.0, 1.0)])


def test_chaostools_standard_map_fixed_points_across_the_seam():
    """ChaosTools.jl's standard map (k = 0.971635): two fixed points on the torus, (0, 0) and (pi, 0).

    Newton converges to both sides of the seam (x or y near 0 or 2 pi); before the map declared its
    periodic coordinates these counted as six points.
    """
    sm = dynstab.systems.get("standard_map").with_params(k=0.971635)
    fp = fixed_points(sm, [(0.0, 2 * math.pi), (0.0, 2 * math.pi)], n_starts=N)
    assert len(fp) == 2
    np.testing.assert_allclose([p.x for p in fp], [[0.0, 0.0], [math.pi, 0.0]], atol=1e-9)
    assert [p.type for p in fp] == ["saddle", "center"]


# DynamicalSystems.jl's magnetic pendulum (PredefinedDynamicalSystems magnetic_pendulum: N = 3 magnets on
# the unit circle, gamma = 1, d = 0.3, alpha = 0.2, omega = 0.5): seven equilibria, a stable focus under
# each magnet, a saddle-focus between each pair and a saddle at the origin.
MAGNETS = [(math.cos(2 * math.pi * i / 3), math.sin(2 * math.pi * i / 3)) for i in (1, 2, 3)]


@dynstab.flow(
    params=dict(gamma=1.0, d=0.3, alpha=0.2, omega=0.5), x0=[0.7, 0.7, 0.0, 0.0], names=("x", "y", "vx", "vy")
)
def magnetic_pendulum(u, p, t):
    m = jnp.asarray(MAGNETS)
    dx, dy = u[0] - m[:, 0], u[1] - m[:, 1]
    d3 = (dx**2 + dy**2 + p["d"] ** 2) ** 1.5
    ax = -(p["omega"] ** 2) * u[0] - p["alpha"] * u[2] - p["gamma"] * jnp.sum(dx / d3)
    ay = -(p["omega"] ** 2) * u[1] - p["alpha"] * u[3] - p["gamma"] * jnp.sum(dy / d3)
    return jnp.stack([u[2], u[3], ax, ay])


def test_dynamicalsystems_magnetic_pendulum_seven_equilibria_adaptive_starts():
    """One round of 128 starts misses some of the seven equilibria (5 or 6 for seeds 0-2, as the default
    1000 starts did in a peer's run); rounds that double the starts until one finds nothing new get all."""
    box = [(-2.0, 2.0), (-2.0, 2.0), (-1.0, 1.0), (-1.0, 1.0)]
    for seed in (0, 1):
        single = fixed_points(magnetic_pendulum, box, n_starts=128, max_starts=128, seed=seed)
        assert len(single) < 7 and single.n_starts_tried == 128 and single.n_rounds == 1
        fp = fixed_points(magnetic_pendulum, box, n_starts=128, seed=seed)
        assert len(fp) == 7 and fp.n_starts_tried > 128 and fp.n_rounds >= 3
        assert f"from {fp.n_starts_tried} Newton starts" in repr(fp)
        types = sorted(p.type for p in fp)
        assert types == ["saddle"] + ["saddle-focus"] * 3 + ["stable focus"] * 3
        stable = np.array(sorted(tuple(p.x[:2]) for p in fp if p.stable))
        assert np.all(np.min(np.linalg.norm(stable[:, None] - np.array(MAGNETS)[None], axis=2), axis=1) < 0.05)


def test_lorenz_stops_after_one_confirming_round(lorenz_fp):
    # the first round finds the three equilibria, the second (as many starts) nothing new: 2 x N starts
    assert lorenz_fp.n_rounds == 2 and lorenz_fp.n_starts_tried == 2 * N and lorenz_fp.n_starts == N


@pytest.mark.parametrize("c", [5.7, 9.0])
def test_rossler_default_box_follows_the_parameters(c):
    """``analyze rossler --param c=9`` missed the outer equilibrium (issue 15): the default box now comes
    from a trajectory at the requested parameters and grows to the equilibria Newton meets outside it.
    Exact: x = (c -+ sqrt(c^2 - 4ab)) / 2, y = -x / a, z = x / a."""
    a = b = 0.2
    system = dynstab.systems.get("rossler", c=c)
    calls = []
    fp = fixed_points(system, n_starts=N, progress=lambda done, total: calls.append((done, total)))
    x = (c + np.array([-1.0, 1.0]) * math.sqrt(c * c - 4 * a * b)) / 2
    np.testing.assert_allclose([p.x for p in fp], np.stack([x, -x / a, x / a], axis=1), rtol=1e-10, atol=1e-12)
    assert [p.type for p in fp] == ["saddle-focus", "saddle-focus"]
    assert fp.box[1, 0] < -x[1] / a < fp.box[1, 1]  # the box grew past the attractor to y = -x / a
    assert calls[-1][0] == calls[-1][1] == fp.n_starts_tried
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    # a given box is kept as it is: the outer equilibrium lies outside this one
    inner = fixed_points(system, [(-20.0, 20.0), (-20.0, 20.0), (-1.0, 40.0)], n_starts=N)
    assert len(inner) == 1 and inner.box[1].tolist() == [-20.0, 20.0]


@pytest.mark.slow
def test_queued_lanes_give_the_same_points_as_one_batch():
    """`solve_all` with fewer lanes than starts (a finished lane takes the next start) changes nothing."""
    from dynstab.analysis.newton import escape_bounds, solve_all

    henon = dynstab.systems.get("henon")
    lo, hi = np.array([-3.0, -3.0]), np.array([3.0, 3.0])
    x0s = lo + (hi - lo) * np.random.default_rng(3).random((23, 2))
    args = (0.0, 1e-10, 100, float(np.linalg.norm(hi - lo)), *escape_bounds(lo, hi))
    one = solve_all(henon, x0s, *args)
    queued = solve_all(henon, x0s, *args, width=4)
    assert one[2].sum() >= 20
    for a, b in zip(one, queued):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
