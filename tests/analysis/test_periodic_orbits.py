"""Periodic orbits of maps and flows against exact and published values.

* Hénon (a = 1.4, b = 0.3): the fixed points and multipliers in closed form; the numbers of orbits
  of minimal period n = 1..10, 2 1 0 1 0 2 4 7 6 10 (R. L. Davidchack & Y.-C. Lai, Phys. Rev. E 60,
  6172 (1999), Table I; Z. Galias, Int. J. Bifurcation Chaos 11, 2427 (2001), rigorous by interval
  arithmetic). n <= 6 by default, the rest under -m slow.
* Logistic map r = 3.2: the period-2 orbit (r + 1 +- sqrt((r - 3)(r + 1))) / (2 r), multiplier
  4 + 2 r - r^2.
* Flows: the Hopf normal form (period 2 pi / omega, multipliers 1 and exp(-2 mu T)); van der Pol
  mu = 1, T = 6.6632868593 (e.g. Strogatz, Nonlinear Dynamics and Chaos, sec. 7.5, and the
  high-precision value of M. Urabe / J. A. Jimenez); Rössler's period-1 orbit T = 5.8811.
"""

import math

import jax.numpy as jnp
import numpy as np
import pytest

import dynstab
from dynstab.analysis.periodic_orbits import (
    FlowPeriodicOrbit,
    PeriodicOrbit,
    PeriodicOrbitError,
    PeriodicOrbits,
    periodic_orbit_of_flow,
    periodic_orbits,
)
from dynstab.systems import flow
from dynstab.systems.derived import PoincareMap, PoincareSectionError

HENON_BOX = [(-2.0, 2.0), (-0.6, 0.6)]
HENON_ORBITS = {1: 2, 2: 1, 3: 0, 4: 1, 5: 0, 6: 2, 7: 4, 8: 7, 9: 6, 10: 10}
N_SEEDS = 2000  # one seed count for every Hénon call, so the kernel compiles once


@pytest.fixture(scope="module")
def henon():
    return dynstab.systems.get("henon")


@pytest.fixture(scope="module")
def henon_orbits(henon):
    return {n: periodic_orbits(henon, n, HENON_BOX, n_seeds=N_SEEDS) for n in range(1, 7)}


# --- maps ------------------------------------------------------------------------------------
def test_henon_fixed_points_exact(henon_orbits):
    a, b = 1.4, 0.3
    po = henon_orbits[1]
    assert len(po) == 2 and po.n_points == 2
    disc = math.sqrt((1 - b) ** 2 + 4 * a)
    xs = sorted([(-(1 - b) - disc) / (2 * a), (-(1 - b) + disc) / (2 * a)])
    for orbit, x in zip(po, xs):
        np.testing.assert_allclose(orbit.points, [[x, b * x]], atol=1e-12)
        # J = [[-2 a x, 1], [b, 0]]: mu = -a x +- sqrt(a^2 x^2 + b)
        mu = sorted(
            [-a * x + math.sqrt(a * a * x * x + b), -a * x - math.sqrt(a * a * x * x + b)], key=abs, reverse=True
        )
        np.testing.assert_allclose(orbit.multipliers.real, mu, rtol=1e-12)
        np.testing.assert_allclose(orbit.multipliers.imag, 0.0, atol=1e-14)
        assert orbit.type == "saddle" and not orbit.stable and orbit.unstable
        assert orbit.residual < 1e-12


def test_henon_orbit_counts_small_periods(henon_orbits):
    for n, po in henon_orbits.items():
        assert len(po) == HENON_ORBITS[n], (n, len(po))
        assert po.n_points == n * HENON_ORBITS[n]
        for orbit in po:
            assert orbit.period == n and orbit.points.shape == (n, 2)
            assert abs(orbit.multipliers[0]) > 1.0 and orbit.unstable and not orbit.stable
            assert abs(orbit.multipliers[0] * orbit.multipliers[1]) == pytest.approx(0.3**n, rel=1e-8)  # det J = -b


@pytest.mark.slow
@pytest.mark.parametrize("n", [7, 8, 9, 10])
def test_henon_orbit_counts_published(henon, n):
    po = periodic_orbits(henon, n, HENON_BOX, n_seeds=8000)
    assert len(po) == HENON_ORBITS[n]
    assert all(o.unstable for o in po)


def test_chaostools_henon_period10_documented_seed_box():
    """ChaosTools.jl's documented Hénon seed box [-3, 3] x [-10, 10], period 10.

    Before the escape test Newton accepted orbits through |x| ~ 1e152 (scaled residual 1e305 < tol |J| |x|)
    and eigvals raised LinAlgError on their overflowing Jacobians; now exactly Davidchack & Lai's 10 orbits.
    """
    henon = dynstab.systems.get("henon")
    po = periodic_orbits(henon, 10, [(-3.0, 3.0), (-10.0, 10.0)], n_seeds=N_SEEDS)
    assert len(po) == HENON_ORBITS[10]
    assert np.all(np.abs(po.points) < 2.0)  # on the attractor, no spurious point
    for orbit in po:
        assert orbit.residual < 1e-9 and np.all(np.isfinite(orbit.multipliers)) and orbit.unstable
        images = np.stack([np.asarray(henon.f(jnp.asarray(p))) for p in orbit.points])
        np.testing.assert_allclose(images, np.roll(orbit.points, -1, axis=0), atol=1e-9)


def test_orbits_are_orbits_and_canonical(henon, henon_orbits):
    for orbit in henon_orbits[6]:
        pts = orbit.points
        images = np.stack([np.asarray(henon.f(jnp.asarray(p))) for p in pts])
        np.testing.assert_allclose(images, np.roll(pts, -1, axis=0), atol=1e-9)
        assert tuple(pts[0]) == min(tuple(p) for p in pts)  # lexicographically smallest point first
        # minimal period: no proper divisor closes the orbit
        assert np.min(np.linalg.norm(pts[1:] - pts[0], axis=1)) > 1e-3


def test_empty_result_has_reason(henon_orbits, henon):
    po = henon_orbits[3]
    assert len(po) == 0 and po.n_points == 0 and po.points.shape == (0, 2)
    assert "no orbit of minimal period 3 found from 2000 seeds in the box [-2, 2], [-0.6, 0.6]" in po.reason
    far = periodic_orbits(henon, 1, [(5.0, 6.0), (5.0, 6.0)], n_seeds=N_SEEDS)
    assert len(far) == 0 and "box [5, 6], [5, 6]" in far.reason


def test_logistic_period_two_exact():
    r = 3.2
    m = dynstab.systems.get("logistic").with_params(r=r)
    po = periodic_orbits(m, 2, [(0.0, 1.0)], n_seeds=200)
    assert len(po) == 1
    orbit = po[0]
    root = math.sqrt((r - 3) * (r + 1))
    np.testing.assert_allclose(orbit.points[:, 0], [(r + 1 - root) / (2 * r), (r + 1 + root) / (2 * r)], atol=1e-13)
    np.testing.assert_allclose(orbit.multipliers.real, [4 + 2 * r - r * r], atol=1e-12)  # 0.16
    assert orbit.stable and orbit.type == "stable node"
    fixed = periodic_orbits(m, 1, [(0.0, 1.0)], n_seeds=200)
    np.testing.assert_allclose([o.points[0, 0] for o in fixed], [0.0, 1 - 1 / r], atol=1e-13)
    np.testing.assert_allclose([o.multipliers[0].real for o in fixed], [r, 2 - r], atol=1e-12)


# ChaosTools.jl's standard-map case (test/periodicity/periodicorbits.jl): k = 0.971635 on the torus
# [0, 2 pi)^2, with the periodic points it lists for orders 2 and 3 (as (theta, p) pairs, 4 digits;
# 2 pi and 0 are the same angle). Order 2 holds the two fixed points and two orbits of minimal period 2;
# order 3 the fixed point (0, 0) and four orbits of minimal period 3.
CHAOSTOOLS_K = 0.971635
CHAOSTOOLS_ORDER2 = [(0.0, 0.0), (0.0, 3.1416), (3.1416, 3.1416), (3.1416, 0.0), (1.3346, 2.6693), (4.9486, 3.6139)]
CHAOSTOOLS_ORDER3 = [
    (0.0, 0.0),
    (0.8121, 1.6243),
    (5.471, 2.3295),
    (0.8121, 3.9537),
    (3.1416, 2.3295),
    (5.471, 4.6589),
    (3.1416, 3.9537),
    (1.7774, 1.7774),
    (4.5058, 4.5058),
    (0.0, 1.7774),
    (0.0, 4.5058),
    (1.7774, 3.5548),
    (6.2832, 1.7774),
    (4.5058, 2.7284),
    (6.2832, 4.5058),
]


def _torus_distance(a, b):
    d = np.asarray(a) - np.asarray(b)
    return np.linalg.norm(d - 2 * np.pi * np.round(d / (2 * np.pi)), axis=-1)


def test_chaostools_standard_map_k0971635_orbits_on_the_torus():
    """Before periodic coordinates: 6 fixed points, 6 "period-2" and 9 "period-3" orbits (seam copies, residual 2 pi)."""
    sm = dynstab.systems.get("standard_map").with_params(k=CHAOSTOOLS_K)
    box = [(0.0, 2 * np.pi), (0.0, 2 * np.pi)]
    found = {n: periodic_orbits(sm, n, box, n_seeds=N_SEEDS) for n in (1, 2, 3)}
    assert [len(found[n]) for n in (1, 2, 3)] == [2, 2, 4]  # ChaosTools: 2 fixed points, 2 + 4 orbits
    for n, listed in ((2, CHAOSTOOLS_ORDER2), (3, CHAOSTOOLS_ORDER3)):
        # every point of minimal period n is one ChaosTools lists, and every listed point is found with
        # period 1 or n (modulo 2 pi; ChaosTools' order-3 list leaves out the fixed point (pi, 0))
        points = np.concatenate([found[1].points, found[n].points])
        assert np.all(np.min(_torus_distance(found[n].points[:, None], np.array(listed)[None]), axis=1) < 2e-4)
        assert np.all(np.min(_torus_distance(np.array(listed)[:, None], points[None]), axis=1) < 2e-4)
    for po in found.values():
        for orbit in po:
            assert orbit.residual < 1e-12  # the seam no longer leaves a residual of 2 pi
            assert np.all((orbit.points > -1e-6) & (orbit.points < 2 * np.pi))  # one fundamental domain
            images = np.stack([np.asarray(sm.f(jnp.asarray(p))) for p in orbit.points])
            assert np.all(_torus_distance(images, np.roll(orbit.points, -1, axis=0)) < 1e-9)
    assert [o.type for o in found[1]] == ["saddle", "center"]  # (0, 0) and (pi, 0)


def test_schmelcher_diakonos_finds_the_same_orbits(henon, henon_orbits):
    sd = periodic_orbits(henon, 6, HENON_BOX, n_seeds=100, method="schmelcher_diakonos")
    assert sd.method == "schmelcher_diakonos" and len(sd) == 2
    for a, b in zip(sd, henon_orbits[6]):
        np.testing.assert_allclose(a.points, b.points, atol=1e-9)


def test_results_export(henon_orbits):
    po = henon_orbits[4]
    assert isinstance(po, PeriodicOrbits) and isinstance(po[0], PeriodicOrbit)
    d = po.to_dict()
    assert d["period"] == 4 and d["n_orbits"] == 1 and d["n_points"] == 4 and len(d["orbits"][0]["points"]) == 4
    ds = po.to_xarray()
    assert ds["points"].shape == (1, 4, 2) and list(ds["variable"].values) == ["x", "y"]
    assert "period 4: 1 orbit," in repr(po)
    empty = henon_orbits[5].to_xarray()
    assert empty["points"].shape == (0, 5, 2)
    import matplotlib.pyplot as plt

    fig = henon_orbits[6].plot(background=np.random.default_rng(0).normal(size=(50, 2)))
    assert fig.axes[0].get_title().startswith("henon")
    plt.close(fig)


def test_default_box_from_attractor(henon):
    po = periodic_orbits(henon, 2, n_seeds=N_SEEDS)
    assert len(po) == 1
    assert po.box[0, 0] < -1.2 and po.box[0, 1] > 1.2


def test_attractor_seeds_find_the_attractors_orbits(henon, henon_orbits):
    """Default box: seeds are close returns of a sampled orbit (Auerbach et al. 1987; So et al. 1996)."""
    for n in (2, 4, 6):
        po = periodic_orbits(henon, n, n_seeds=N_SEEDS)
        assert len(po) == len(henon_orbits[n])  # 1, 1, 2 (Davidchack & Lai 1999)
        for a, b in zip(po, henon_orbits[n]):
            np.testing.assert_allclose(a.points, b.points, atol=1e-9)
            np.testing.assert_allclose(a.multipliers, b.multipliers, rtol=1e-7)
    # the sampling can be asked for explicitly; "box" draws uniform seeds in the box as before
    po = periodic_orbits(henon, 1, HENON_BOX, n_seeds=N_SEEDS, sampling="attractor")
    # Newton from the attractor's close returns also reaches the fixed point off the attractor
    np.testing.assert_allclose(po.points, henon_orbits[1].points, atol=1e-12)
    with pytest.raises(ValueError, match="sampling must be one of"):
        periodic_orbits(henon, 1, HENON_BOX, sampling="grid")


def test_progress_reports_and_an_interrupt_stops_between_calls(henon, henon_orbits):
    calls = []
    po = periodic_orbits(henon, 4, HENON_BOX, n_seeds=N_SEEDS, progress=lambda done, total: calls.append((done, total)))
    assert calls and calls[-1] == (N_SEEDS, N_SEEDS) and all(t == N_SEEDS for _, t in calls)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    np.testing.assert_allclose(po[0].points, henon_orbits[4][0].points, atol=1e-12)

    def interrupt(done, total):
        calls.append("interrupt")
        raise KeyboardInterrupt

    calls.clear()
    with pytest.raises(KeyboardInterrupt):
        periodic_orbits(henon, 4, HENON_BOX, n_seeds=N_SEEDS, progress=interrupt)
    assert calls == ["interrupt"]  # nothing ran after the first report
    calls.clear()
    sd = periodic_orbits(
        henon, 2, HENON_BOX, n_seeds=20, method="schmelcher_diakonos", progress=lambda d, t: calls.append((d, t))
    )
    assert len(sd) == 1 and calls[-1] == (40, 40)  # the stabilising transformations count for half the work


def test_bad_input(henon):
    with pytest.raises(ValueError, match="period must be a positive integer"):
        periodic_orbits(henon, 0, HENON_BOX)
    with pytest.raises(ValueError, match="method"):
        periodic_orbits(henon, 1, HENON_BOX, method="davidchack")
    with pytest.raises(ValueError, match="box"):
        periodic_orbits(henon, 1, [(-1.0, 1.0)])
    with pytest.raises(TypeError, match="periodic_orbit_of_flow"):
        periodic_orbits(dynstab.systems.get("lorenz"), 1, [(-1, 1)] * 3)
    with pytest.raises(ValueError, match="lambdas"):
        periodic_orbits(henon, 1, HENON_BOX, method="schmelcher_diakonos", lambdas=(-0.1,))


# --- flows --------------------------------------------------------------------------------------
@flow(params=dict(mu=0.5, omega=2.0), x0=[1.0, 0.0], names=("x", "y"), dt=0.01)
def hopf(x, p, t):
    """Hopf normal form: r' = mu r - r^3, theta' = omega: limit cycle r = sqrt(mu), T = 2 pi / omega."""
    r2 = x[0] ** 2 + x[1] ** 2
    return jnp.stack([p["mu"] * x[0] - p["omega"] * x[1] - x[0] * r2, p["omega"] * x[0] + p["mu"] * x[1] - x[1] * r2])


def test_hopf_normal_form_exact():
    orbit = periodic_orbit_of_flow(hopf, ("y", 0.0), [0.9, 0.0])
    assert isinstance(orbit, FlowPeriodicOrbit)
    T = math.pi
    assert orbit.period == pytest.approx(T, abs=1e-7)
    np.testing.assert_allclose(orbit.x, [math.sqrt(0.5), 0.0], atol=1e-9)
    # Floquet multipliers: 1 (flow direction) and exp(-2 mu T) (radial: d(r')/dr = mu - 3 r^2 = -2 mu)
    np.testing.assert_allclose(orbit.multipliers.real, [1.0, math.exp(-2 * 0.5 * T)], atol=1e-6)
    assert abs(orbit.trivial_multiplier - 1.0) < 1e-6
    np.testing.assert_allclose(orbit.section_multipliers.real, [math.exp(-2 * 0.5 * T)], atol=1e-7)
    assert orbit.stable and orbit.to_dict()["period"] == pytest.approx(T)


def test_van_der_pol_period():
    vdp = dynstab.systems.get("van_der_pol")
    orbit = periodic_orbit_of_flow(vdp, ("y", 0.0), vdp.x0)
    assert orbit.period == pytest.approx(6.6632868593, abs=1e-6)
    assert abs(orbit.trivial_multiplier - 1.0) < 1e-6
    assert orbit.stable and abs(orbit.multipliers[1]) < 1e-2


def test_rossler_unstable_period_one_orbit():
    ros = dynstab.systems.get("rossler")
    orbit = periodic_orbit_of_flow(ros, ("x", 0.0), [0.0, -6.0, 0.03])
    assert orbit.period == pytest.approx(5.8811, abs=2e-4)
    assert not orbit.stable and abs(orbit.section_multipliers[0]) > 1
    assert abs(orbit.trivial_multiplier - 1.0) < 1e-6
    # the flow's non-trivial multipliers are the Poincaré map's
    nontrivial = np.delete(orbit.multipliers, np.argmin(np.abs(orbit.multipliers - 1.0)))
    np.testing.assert_allclose(nontrivial[0], orbit.section_multipliers[0], rtol=1e-6)
    # a guess given in section coordinates (y, z) of PoincareMap gives the same orbit
    again = periodic_orbit_of_flow(ros, ("x", 0.0), orbit.x[1:])
    np.testing.assert_allclose(again.x, orbit.x, atol=1e-9)


@pytest.mark.slow
def test_rossler_section_orbits_of_periods_one_to_three():
    """``dynstab periodic-orbits rossler --plane x=0 --period 1-3``'s call (583 s before, issue 12): the
    orbits found on the section agree with Newton shooting on the flow (an independent solver), with the
    period-1 orbit's T = 5.8811 and the period-3 pair of the saddle-node (one flip saddle, one saddle)."""
    ros = dynstab.systems.get("rossler")
    pm = PoincareMap(ros, ("x", 0.0))
    found = {n: periodic_orbits(pm, n, n_seeds=2000) for n in (1, 2, 3)}
    assert [len(found[n]) for n in (1, 2, 3)] == [1, 1, 2]
    for n, po in found.items():
        for orbit in po:
            shot = periodic_orbit_of_flow(ros, ("x", 0.0), orbit.points[0], period_n=n)
            np.testing.assert_allclose(pm.to_full(orbit.points[0]), shot.x, atol=1e-8)
            np.testing.assert_allclose(orbit.multipliers[0], shot.section_multipliers[0], rtol=1e-6)
            assert orbit.residual < 1e-10 and not orbit.stable
    assert periodic_orbit_of_flow(ros, ("x", 0.0), found[1][0].points[0]).period == pytest.approx(5.8811, abs=2e-4)
    np.testing.assert_allclose(
        [found[1][0].multipliers[0].real, found[2][0].multipliers[0].real], [-2.40395, -3.51201], rtol=1e-5
    )
    assert sorted(np.sign(o.multipliers[0].real) for o in found[3]) == [-1.0, 1.0]


@pytest.mark.slow
def test_rossler_poincare_map_orbits_match_shooting():
    ros = dynstab.systems.get("rossler")
    pm = PoincareMap(ros, ("x", 0.0))
    po = periodic_orbits(pm, 1, [(-11.0, -3.0), (0.0, 0.1)], n_seeds=64)
    assert len(po) == 1
    shot = periodic_orbit_of_flow(ros, ("x", 0.0), [0.0, -6.0, 0.03])
    np.testing.assert_allclose(pm.to_full(po[0].points[0]), shot.x, atol=1e-8)
    two = periodic_orbit_of_flow(ros, ("x", 0.0), [0.0, -6.0, 0.03], period_n=2)
    assert two.period == pytest.approx(11.7586, abs=1e-3)


def test_flow_orbit_errors():
    ros = dynstab.systems.get("rossler")
    with pytest.raises(ValueError, match="guess has shape"):
        periodic_orbit_of_flow(ros, ("x", 0.0), [1.0])
    with pytest.raises(ValueError, match="period_n"):
        periodic_orbit_of_flow(ros, ("x", 0.0), [0.0, -6.0, 0.03], period_n=0)
    with pytest.raises(PoincareSectionError):
        periodic_orbit_of_flow(ros, ("z", 1000.0), [0.0, -6.0, 0.03], max_time=20.0)
    with pytest.raises(PeriodicOrbitError, match=r"did not converge|crosses the plane"):
        periodic_orbit_of_flow(hopf, ("y", 0.0), [0.9, 0.0], period_n=2)


def test_arguments_go_through_validation(henon):
    with pytest.raises(ValueError, match=r"^period must be an integer, got 1\.5$"):
        periodic_orbits(henon, 1.5, HENON_BOX)
    with pytest.raises(ValueError, match=r"^n_seeds must be an integer >= 1, got 10\.5$"):  # was truncated to 10
        periodic_orbits(henon, 1, HENON_BOX, n_seeds=10.5)
    with pytest.raises(ValueError, match=r"^max_iter must be an integer >= 1, got 2\.5$"):
        periodic_orbits(henon, 1, HENON_BOX, max_iter=2.5)
    with pytest.raises(ValueError, match=r"^tol must be a finite number > 0, got nan$"):
        periodic_orbits(henon, 1, HENON_BOX, tol=float("nan"))
    with pytest.raises(TypeError, match=r"^lambdas must be a numeric array"):
        periodic_orbits(henon, 1, HENON_BOX, method="schmelcher_diakonos", lambdas=("0.1",))
    with pytest.raises(ValueError, match=r"^sd_steps must be an integer >= 1, got 2\.5$"):
        periodic_orbits(henon, 1, HENON_BOX, method="schmelcher_diakonos", sd_steps=2.5)
    ros = dynstab.systems.get("rossler")
    with pytest.raises(ValueError, match=r"^period_n must be an integer >= 1, got 1\.5$"):
        periodic_orbit_of_flow(ros, ("x", 0.0), [0.0, -6.0, 0.03], period_n=1.5)
    with pytest.raises(TypeError, match=r"^guess must be a numeric array"):
        periodic_orbit_of_flow(ros, ("x", 0.0), ["0", "-6", "0.03"])
