"""Basins of attraction: Newton's method for z^3 - 1, the Grebogi map's basin entropy and uncertainty
exponent, divergence in the Henon map, a bistable flow, exact entropy/exponent values, bad input."""

import json
import math

import jax.numpy as jnp
import numpy as np
import pytest

import dynstab
from dynstab.analysis.basins import DIVERGED, basin_entropy, basins_of_attraction, uncertainty_exponent


@dynstab.map(params=dict(), x0=[0.1, 0.2], names=("re", "im"), name="newton_z3")
def newton(x, p, n):
    """Newton's method for z^3 - 1 in real coordinates: z' = 2z/3 + 1/(3 z^2)."""
    a, b = x[0], x[1]
    a2, b2 = a * a - b * b, 2 * a * b  # z^2
    den = 3 * (a2 * a2 + b2 * b2)
    return jnp.stack([2 * a / 3 + a2 / den, 2 * b / 3 - b2 / den])


@dynstab.map(params=dict(a=1.32, b=0.9, J0=0.3), x0=[0.1, 0.1], names=("theta", "x"), name="grebogi")
def grebogi(u, p, n):
    """Grebogi, McDonald, Ott & Yorke, Phys. Lett. A 99, 415 (1983), eq. (2); theta mod 2 pi."""
    th, x = u[0], u[1]
    thn = th + p["a"] * jnp.sin(2 * th) - p["b"] * jnp.sin(4 * th) - x * jnp.sin(th)
    return jnp.stack([jnp.mod(thn, 2 * jnp.pi), -p["J0"] * jnp.cos(th)])


def test_newton_z3_three_equal_basins():
    g = np.linspace(-1.5, 1.5, 200)
    b = basins_of_attraction(newton, (g, g))
    assert b.labels.shape == (200, 200) and b.n_attractors == 3
    roots = np.array([[np.cos(2 * np.pi * k / 3), np.sin(2 * np.pi * k / 3)] for k in range(3)])
    cents = np.array([b.attractors[k].mean(axis=0) for k in range(3)])
    assert all(np.min(np.linalg.norm(roots - c, axis=1)) < 1e-8 for c in cents)
    assert DIVERGED not in b.fractions and sum(b.fractions.values()) == pytest.approx(1.0)
    # the three basins are images of each other under z -> z exp(2 pi i / 3): equal fractions on the
    # rotation-invariant disk |z| <= 1.5 (the square itself favours the root 1: 34.5% vs 32.8%)
    X, Y = np.meshgrid(g, g, indexing="ij")
    disk = X**2 + Y**2 <= 1.5**2
    frac = np.array([np.mean(b.labels[disk] == k) for k in range(3)])
    np.testing.assert_allclose(frac, 1 / 3, atol=0.01)
    # conjugation symmetry on the square: the basins of exp(+-2 pi i/3) are mirror images
    k_up = int(np.argmax(cents[:, 1]))
    k_dn = int(np.argmin(cents[:, 1]))
    np.testing.assert_array_equal(b.labels == k_up, (b.labels == k_dn)[:, ::-1])
    # fractal (Wada) boundary: S_bb well above the ~0.44-0.5 of a smooth boundary (Puy et al., Commun. Nonlinear
    # Sci. Numer. Simul. 95, 105588 (2021)), though at this resolution just below Daza et al.'s (sufficient) ln 2
    assert 0.6 < b.boundary_basin_entropy < math.log(3)
    assert 0.5 < b.uncertainty_exponent < 0.75
    json.dumps(b.to_dict())
    ds = b.to_xarray()
    assert ds["labels"].dims == ("re", "im")
    b.plot()


def test_newton_uncertainty_exponent():
    # box-counting dimension of the boundary 1.42 (value quoted with Attractors.jl's tests, alpha = 2 - 1.42)
    g = np.linspace(-1.0, 1.0, 300)
    b = basins_of_attraction(newton, (g, g))
    alpha, eps, f = uncertainty_exponent(b.labels, np.arange(5, 31))
    assert 0.55 <= alpha <= 0.70
    assert np.all(np.diff(f[::5]) > 0)


def test_grebogi_map_basin_entropy_and_uncertainty_exponent():
    """Grebogi et al. (1983) report alpha ~ 0.2 for this map. For S_b and S_bb the reference values are those
    of the reference implementation by Daza et al.'s co-authors (Attractors.jl, test/basins/uncertainty_tests.jl:
    300 x 300 grid on [0, 2 pi] x [-0.5, 0.5], eps = 6: 0.40 <= S_b <= 0.42, 0.60 <= S_bb <= 0.61)."""
    b = basins_of_attraction(grebogi, (np.linspace(0, 2 * np.pi, 300), np.linspace(-0.5, 0.5, 300)))
    assert b.n_attractors == 2
    # the fixed points (0, -J0) and (pi, J0) (theta is an angle: compare cos theta)
    fps = sorted(
        (round(float(np.mean(np.cos(p[:, 0]))), 6), round(float(np.mean(p[:, 1])), 6)) for p in b.attractors.values()
    )
    assert fps == [(-1.0, 0.3), (1.0, -0.3)]
    sb, sbb = basin_entropy(b.labels, 6)
    assert 0.40 <= sb <= 0.42 and 0.60 <= sbb <= 0.61  # measured 0.4030, 0.6026
    alpha = uncertainty_exponent(b.labels, np.arange(3, 16))[0]
    assert 0.18 <= alpha <= 0.3  # measured 0.22; Grebogi et al. 1983: alpha ~ 0.2


def test_henon_divergence_gets_its_own_label():
    henon = dynstab.systems.get("henon")
    g = np.linspace(-2.0, 2.0, 120)
    b = basins_of_attraction(henon, (g, g))
    assert b.n_attractors == 1 and set(b.fractions) == {DIVERGED, 0}
    assert 0.3 < b.fractions[0] < 0.6
    # the attractor is the Henon attractor (x in about [-1.28, 1.27]), not polluted by escaping orbits
    pts = b.attractors[0]
    assert np.all(np.isfinite(pts)) and np.max(np.abs(pts[:, 0])) < 1.3
    assert b.labels[np.argmin(np.abs(g - 0.0)), np.argmin(np.abs(g - 0.27))] == 0  # the catalog x0
    assert b.labels[0, 0] == DIVERGED  # (-2, -2) escapes
    assert b.to_dict()["fractions"]["diverged"] == pytest.approx(b.fractions[DIVERGED])


def test_bistable_flow_symmetric_basins():
    @dynstab.flow(params=dict(delta=0.3), x0=[0.1, 0.0], names=("x", "v"), dt=0.05, name="duffing_unforced")
    def duffing(x, p, t):
        """x'' + delta x' - x + x^3 = 0: stable equilibria (+-1, 0), saddle at the origin."""
        return jnp.stack([x[1], -p["delta"] * x[1] + x[0] - x[0] ** 3])

    g = np.linspace(-2.0, 2.0, 60)
    b = basins_of_attraction(duffing, (g, g))
    assert b.n_attractors == 2
    cents = np.array([b.attractors[k].mean(axis=0) for k in range(2)])
    np.testing.assert_allclose(cents, [[-1.0, 0.0], [1.0, 0.0]], atol=1e-6)
    assert b.fractions[0] == pytest.approx(0.5, abs=0.01) and b.fractions[1] == pytest.approx(0.5, abs=0.01)
    # the flow is symmetric under (x, v) -> (-x, -v): so are the basins on the symmetric grid
    np.testing.assert_array_equal(b.labels, 1 - b.labels[::-1, ::-1])
    assert not b.fractal_boundary and b.uncertainty_exponent > 0.9


def test_entropy_and_exponent_exact_for_a_straight_boundary():
    lab = np.zeros((200, 200), dtype=int)
    lab[102:, :] = 1  # boundary inside one column of 5 x 5 boxes: p = (2/5, 3/5)
    s = -(0.4 * math.log(0.4) + 0.6 * math.log(0.6))
    sb, sbb = basin_entropy(lab, 5)
    assert sbb == pytest.approx(s) and sb == pytest.approx(s / 40)
    lab = np.zeros((360, 360), dtype=int)
    lab[:, 181:] = 1  # a straight boundary: f(eps) = 1 / (360 / eps) exactly for box sizes dividing 360
    alpha, eps, f = uncertainty_exponent(lab, [2, 3, 4, 5, 6, 8, 9, 10, 12, 15, 18, 20])
    np.testing.assert_allclose(f, eps / 360)
    assert alpha == pytest.approx(1.0, abs=1e-12)


def test_slice_of_a_higher_dimensional_system():
    lorenz84 = dynstab.systems.get("lorenz")
    b = basins_of_attraction(
        lorenz84,
        (np.linspace(-5, 5, 8), np.linspace(10, 20, 8)),
        dims=(0, 2),
        x0=[0.0, 1.0, 0.0],
        transient=200,
        window=400,
        cell_size=2.0,
        sample_every=5,
    )
    assert b.labels.shape == (8, 8) and b.dims == (0, 2)
    assert b.n_attractors == 1 and b.fractions == {0: 1.0}  # one chaotic attractor
    assert b.attractors[0].shape[1] == 3


def test_bad_input():
    g = np.linspace(-1, 1, 10)
    with pytest.raises(TypeError, match="Map or Flow"):
        basins_of_attraction(object(), (g, g))
    with pytest.raises(ValueError, match="increasing"):
        basins_of_attraction(newton, (g[::-1], g))
    with pytest.raises(ValueError, match="dims"):
        basins_of_attraction(newton, (g, g), dims=(0, 0))
    with pytest.raises(ValueError, match="cell_size"):
        basins_of_attraction(newton, (g, g), cell_size=-1.0)
    with pytest.raises(ValueError, match="eps"):
        basin_entropy(np.zeros((4, 4), dtype=int), 5)
    with pytest.raises(ValueError, match="integers"):
        basin_entropy(np.full((10, 10), 0.5), 2)


# --- attractors given: AttractorsViaProximity (Datseris & Wagemakers, Chaos 32, 023104 (2022)) ----------------
ROOTS = np.array([[-0.5, -math.sqrt(3) / 2], [-0.5, math.sqrt(3) / 2], [1.0, 0.0]])  # the default mode's order


def _newton_brute_force(g):
    """Reference: 80 complex Newton steps z - (z^3 - 1) / (3 z^2) from every grid point, then the nearest root."""
    z = g[:, None] + 1j * g[None, :]
    with np.errstate(all="ignore"):
        for _ in range(80):
            z = z - (z**3 - 1) / (3 * z**2)
    dist = np.abs(z[..., None] - (ROOTS[:, 0] + 1j * ROOTS[:, 1]))
    lab = np.argmin(np.where(np.isfinite(dist), dist, np.inf), axis=-1)
    return np.where(np.isfinite(z), lab, DIVERGED), np.nanmin(dist, axis=-1)


def test_attractors_given_gives_the_default_labels_on_the_newton_grid():
    g = np.linspace(-1.5, 1.5, 200)
    ref, dist = _newton_brute_force(g)
    assert np.all(dist < 1e-12)  # every grid point converges: a complete reference
    found = basins_of_attraction(newton, (g, g))
    np.testing.assert_array_equal(found.labels, ref)
    for atts in (ROOTS, list(ROOTS), dict(found.attractors)):  # points, or a Basins' attractors
        given = basins_of_attraction(newton, (g, g), attractors=atts)
        np.testing.assert_array_equal(given.labels, found.labels)
        assert given.settings["mode"] == "proximity" and given.n_attractors == 3
    # early exit per orbit: a few Newton steps on average (checks every 8 steps), not the transient
    tight = basins_of_attraction(newton, (g, g), attractors=ROOTS, radius=1e-6, check_every=1)
    np.testing.assert_array_equal(tight.labels, ref)
    assert 5 < tight.iterations.mean() < 15 and tight.iterations.max() < 60
    assert tight.fractions == found.fractions
    assert tight.boundary_basin_entropy == pytest.approx(found.boundary_basin_entropy)


def test_attractors_given_diverged_and_labels_of_a_dict():
    g = np.linspace(-1.5, 1.5, 51)  # holds z = 0, where Newton's step divides by zero
    found = basins_of_attraction(newton, (g, g))
    given = basins_of_attraction(newton, (g, g), attractors={7: ROOTS[2], 3: ROOTS[0], 5: ROOTS[1]})
    assert found.labels[25, 25] == DIVERGED and given.labels[25, 25] == DIVERGED
    np.testing.assert_array_equal(given.labels, np.choose(found.labels + 1, [DIVERGED, 3, 5, 7]))
    assert given.fractions[DIVERGED] == pytest.approx(1 / 51**2)


def test_attractors_given_henon_point_set_and_divergence():
    henon = dynstab.systems.get("henon")
    g = np.linspace(-2.0, 2.0, 60)
    found = basins_of_attraction(henon, (g, g))
    orbit = dynstab.trajectory(henon, n=3000, transient=500).x[::3]  # 1000 points on the attractor
    given = basins_of_attraction(henon, (g, g), attractors=[orbit], radius=0.02)
    assert set(given.fractions) == {DIVERGED, 0}
    assert given.labels[0, 0] == DIVERGED
    assert np.mean(given.labels == found.labels) > 0.995


def test_attractors_given_for_a_flow():
    @dynstab.flow(params=dict(delta=0.3), x0=[0.1, 0.0], names=("x", "v"), dt=0.05, name="duffing_unforced")
    def duffing(x, p, t):
        return jnp.stack([x[1], -p["delta"] * x[1] + x[0] - x[0] ** 3])

    g = np.linspace(-2.0, 2.0, 40)
    found = basins_of_attraction(duffing, (g, g))
    given = basins_of_attraction(duffing, (g, g), attractors=[[-1.0, 0.0], [1.0, 0.0]])
    np.testing.assert_array_equal(given.labels, found.labels)
    assert given.settings["radius"] == pytest.approx(0.5)


def test_entropies_are_lazy():
    g = np.linspace(-1.5, 1.5, 40)
    b = basins_of_attraction(newton, (g, g), attractors=ROOTS)
    assert "basin_entropy" not in vars(b) and "uncertainty_exponent" not in vars(b)
    assert b.basin_entropy == pytest.approx(basin_entropy(b.labels, 5)[0])
    assert b.uncertainty_exponent == pytest.approx(uncertainty_exponent(b.labels)[0])


def test_bad_attractors_input():
    g = np.linspace(-1, 1, 10)
    with pytest.raises(ValueError, match="at least one attractor"):
        basins_of_attraction(newton, (g, g), attractors=[])
    with pytest.raises(ValueError, match="length 2"):
        basins_of_attraction(newton, (g, g), attractors=[[1.0, 0.0, 0.0]])
    with pytest.raises(ValueError, match="non-finite"):
        basins_of_attraction(newton, (g, g), attractors=[[1.0, np.nan], [0.0, 1.0]])
    with pytest.raises(ValueError, match="share a point"):
        basins_of_attraction(newton, (g, g), attractors=[[1.0, 0.0], [[0.0, 1.0], [1.0, 0.0]]])
    with pytest.raises(ValueError, match="non-negative integers"):
        basins_of_attraction(newton, (g, g), attractors={"a": [1.0, 0.0]})
    with pytest.raises(ValueError, match="give radius"):
        basins_of_attraction(newton, (g, g), attractors=[[1.0, 0.0]])
    with pytest.raises(ValueError, match="radius must be positive"):
        basins_of_attraction(newton, (g, g), attractors=ROOTS, radius=-0.1)
    with pytest.raises(ValueError, match="without attractors="):
        basins_of_attraction(newton, (g, g), radius=0.1)
    with pytest.raises(TypeError, match="sequence of attractors"):
        basins_of_attraction(newton, (g, g), attractors="roots")
    with pytest.raises(ValueError, match="subsample"):
        basins_of_attraction(newton, (g, g), attractors=[np.random.default_rng(0).normal(size=(30000, 2))])
    with pytest.raises(ValueError, match="check_every"):
        basins_of_attraction(newton, (g, g), attractors=ROOTS, check_every=0)


def test_public_names_are_reexported_from_basins():
    """The split modules (cells, kernels, boundary measures) keep the old import path of every public name."""
    from dynstab.analysis import basin_boundary, basin_kernels, basins

    assert basins.basin_entropy is basin_boundary.basin_entropy
    assert basins.uncertainty_exponent is basin_boundary.uncertainty_exponent
    assert (basins.DIVERGED, basins.UNDETERMINED) == (basin_kernels.DIVERGED, basin_kernels.UNDETERMINED) == (-1, -2)
    assert all(hasattr(basins, name) for name in basins.__all__)
    assert dynstab.analysis.basin_entropy is basin_boundary.basin_entropy


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(transient=2.5), r"^transient must be an integer >= 0, got 2\.5$"),  # was truncated to 2
        (dict(window=0.5), r"^window must be an integer >= 1, got 0\.5$"),
        (dict(n_discovery=0), r"^n_discovery must be an integer >= 1, got 0$"),
        (dict(max_steps=10.5), r"^max_steps must be an integer >= 1, got 10\.5$"),
        (dict(n_consecutive=0), r"^n_consecutive must be an integer >= 1, got 0$"),
        (dict(bound=float("nan")), r"^bound must be a finite number > 0, got nan$"),
        (dict(eps=2.5), r"^eps must be an integer, got 2\.5$"),
        (dict(dims=(0.5, 1)), r"^each of dims must be an integer, got 0\.5$"),
        (dict(cell_size=np.nan), r"^cell_size contains 1 NaN"),
        (dict(attractors=ROOTS, radius=float("nan")), r"^radius must be a finite number, got nan$"),
        (dict(attractors=[["1.0", "0.0"]], radius=0.1), r"^attractor 0: expected a state of length 2"),
    ],
)
def test_arguments_go_through_validation(kwargs, match):
    g = np.linspace(-1, 1, 10)
    with pytest.raises(ValueError, match=match):
        basins_of_attraction(newton, (g, g), **kwargs)


def test_grid_and_box_sizes_go_through_validation():
    g = np.linspace(-1, 1, 10)
    with pytest.raises(ValueError, match=r"^grid axis 1 contains 1 NaN"):
        basins_of_attraction(newton, (g, np.r_[g[:-1], np.nan]))
    with pytest.raises(TypeError, match=r"^grid must be a sequence of 1-D arrays of coordinates"):
        basins_of_attraction(newton, (g, [str(v) for v in g]))
    with pytest.raises(ValueError, match=r"^eps must be an integer, got 2\.5$"):
        basin_entropy(np.zeros((10, 10), dtype=int), 2.5)
    with pytest.raises(ValueError, match=r"^each of eps must be an integer, got 2\.5$"):  # was truncated to 2
        uncertainty_exponent(np.zeros((10, 10), dtype=int), eps=[2, 2.5])
    with pytest.raises(ValueError, match=r"^sample_every must be an integer >= 1, got 0\.5$"):
        basins_of_attraction(dynstab.systems.get("duffing"), (g, g), sample_every=0.5)


@pytest.mark.parametrize("given", [False, True])
def test_progress_counts_labelled_initial_conditions_up_to_the_grid(given):
    """progress(done, total) is called between compiled rounds, from 0 to every initial condition."""
    henon = dynstab.systems.get("henon")
    grid = (np.linspace(-2.0, 2.0, 12), np.linspace(-2.0, 2.0, 10))
    calls: list[tuple[int, int]] = []
    kwargs = {}
    if given:
        first = basins_of_attraction(henon, grid)
        kwargs = dict(attractors=dict(first.attractors))
    res = basins_of_attraction(henon, grid, progress=lambda done, total: calls.append((done, total)), **kwargs)
    assert calls[0] == (0, 120) and all(total == 120 for _, total in calls)
    done = [d for d, _ in calls]
    assert done == sorted(done) and done[-1] == 120
    assert res.labels.size == 120
