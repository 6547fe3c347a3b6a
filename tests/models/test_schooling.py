"""The 3D Couzin school (issue 17): the step's rules, reproducibility, the cell list, the protocol, the
order parameters and entropies on frames with known answers, NetCDF, and (slow) the published regimes."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from dynstab.models import schooling as sc
from dynstab.simulate import trajectory

P0 = dict(
    speed=1.0,
    r_repulsion=1.0,
    r_orientation=3.0,
    r_attraction=6.0,
    max_turn=0.3,
    noise=0.0,
    blind_angle=0.0,
    orientation_weight=1.0,
    dt=0.1,
)


jitted_step = jax.jit(sc.couzin_step, static_argnames=("box", "neighbours", "cells", "capacity", "turn"))


def step(pos, head, box=20.0, key=0, turn="rotate", **changes):
    p = {k: jnp.asarray(v, float) for k, v in {**P0, **changes}.items()}
    r, u, _ = jitted_step(
        jnp.asarray(pos, float), jnp.asarray(head, float), p, jax.random.PRNGKey(key), box=box, turn=turn
    )
    return np.asarray(r), np.asarray(u)


# ----------------------------------------------------------------------------- the rules of one step
def test_repulsion_turns_away_by_exactly_max_turn():
    # agent 0 heads +x; agent 1 is 0.5 ahead of it (repulsion): the target is -x, so agent 0 turns by max_turn
    pos = [[10.0, 10.0, 10.0], [10.5, 10.0, 10.0]]
    head = [[1.0, 0, 0], [1.0, 0, 0]]
    _, u = step(pos, head, max_turn=0.3)
    assert math.isclose(math.acos(u[0, 0]), 0.3, abs_tol=1e-12)
    # agent 1 sees agent 0 straight behind (all-round vision): target +x, no turn
    np.testing.assert_allclose(u[1], [1.0, 0, 0], atol=1e-15)


def test_nlerp_turns_by_less_than_max_turn():
    # the original's interpolation toward a target at 90 degrees: atan(t / (1 - t)), t = 0.4 / (pi / 2)
    pos = [[10.0, 10.0, 10.0], [10.0, 14.0, 10.0]]  # agent 1 at distance 4 along +y: attraction
    head = [[1.0, 0, 0], [1.0, 0, 0]]
    _, u = step(pos, head, max_turn=0.4, turn="nlerp")
    t = 0.4 / (math.pi / 2)
    assert math.isclose(math.atan2(float(u[0, 1]), float(u[0, 0])), math.atan(t / (1 - t)), abs_tol=1e-12)


def test_blind_cone_hides_a_neighbour_behind():
    pos = [[10.0, 10.0, 10.0], [9.5, 10.0, 10.0]]  # agent 1 right behind agent 0, in its repulsion zone
    head = [[1.0, 0, 0], [0.0, 1.0, 0]]
    _, seen = step(pos, head, blind_angle=0.0)
    _, blind = step(pos, head, blind_angle=30.0)
    assert seen[0, 0] > 0.99 and math.isclose(math.acos(seen[0, 0]), 0.0, abs_tol=1e-12)  # pushed along +x: no turn
    np.testing.assert_allclose(blind[0], [1.0, 0, 0], atol=1e-15)  # invisible: heading kept
    # agent 1 (heading +y) sees agent 0 at 90 degrees, in its repulsion zone: turns away from +x
    assert seen[1, 0] < 0 and blind[1, 0] < 0


def test_orientation_zone_aligns_and_repulsion_overrides_it():
    pos = [[10.0, 10.0, 10.0], [12.0, 10.0, 10.0], [10.0, 12.0, 10.0]]  # 2 apart: orientation zone
    head = [[1.0, 0, 0], [0.0, 0, 1.0], [0.0, 0, 1.0]]
    _, u = step(pos, head, max_turn=math.pi)
    np.testing.assert_allclose(u[0], [0, 0, 1.0], atol=1e-12)  # the mean heading of its neighbours
    pos[2] = [10.0, 10.5, 10.0]  # now in the repulsion zone: only it counts
    _, u = step(pos, head, max_turn=math.pi)
    np.testing.assert_allclose(u[0], [0, -1.0, 0], atol=1e-12)


def test_positions_move_at_the_speed_and_wrap():
    pos = [[19.95, 5.0, 5.0], [5.0, 15.0, 5.0]]  # far apart (beyond r_a): no interaction
    head = [[1.0, 0, 0], [0, 0, -1.0]]
    r, u = step(pos, head, speed=2.0, dt=0.1)
    np.testing.assert_allclose(r, [[0.15, 5.0, 5.0], [5.0, 15.0, 4.8]], atol=1e-12)
    np.testing.assert_allclose(u, head, atol=0)


def test_noise_is_a_gaussian_kick_of_the_given_size_and_headings_stay_unit():
    rng = np.random.default_rng(0)
    n = 400
    pos = rng.uniform(0, 20, (n, 3))  # zones of radius 0: no neighbours, only noise
    head = rng.normal(size=(n, 3))
    head /= np.linalg.norm(head, axis=1, keepdims=True)
    _, u = step(np.mod(pos, 20.0), head, noise=0.01, key=3, r_repulsion=0.0, r_orientation=0.0, r_attraction=0.0)
    np.testing.assert_allclose(np.linalg.norm(u, axis=1), 1.0, atol=1e-14)
    # small kicks: the turn angle is the tangential part of sigma * g, Rayleigh with mean sigma sqrt(pi / 2)
    angles = np.arccos(np.clip(np.sum(u * head, axis=1), -1, 1))
    assert abs(angles.mean() / (0.01 * math.sqrt(math.pi / 2)) - 1) < 0.1


# ----------------------------------------------------------------------------- reproducibility and paths
def test_runs_are_bit_reproducible_and_seeds_differ():
    cfg = sc.preset("swarm", n_agents=20, steps=20)
    a = sc.simulate_school(cfg, seed=5, record_every=2, entropies=False)
    b = sc.simulate_school(cfg, seed=5, record_every=2, entropies=False)
    c = sc.simulate_school(cfg, seed=6, record_every=2, entropies=False)
    assert np.array_equal(a.positions, b.positions) and np.array_equal(a.headings, b.headings)
    assert not np.allclose(a.positions[-1], c.positions[-1])


def test_cell_list_gives_the_all_pairs_step():
    cfg = sc.SchoolConfig(n_agents=300, box_size=40.0, r_repulsion=1.0, r_orientation=4.0, r_attraction=10.0, seed=2)
    pos, _ = sc.initial_school(cfg)
    fullest = np.bincount(np.dot(np.floor(pos / 10.0).astype(int), [16, 4, 1])).max()
    assert fullest > 8  # so the capacity of 8 overflows and is doubled
    cells = sc.simulate_school(cfg, steps=10, record_every=1, neighbours="cells", capacity=8, entropies=False)
    full = sc.simulate_school(cfg, steps=10, record_every=1, entropies=False)
    np.testing.assert_allclose(cells.positions, full.positions, atol=1e-9)
    np.testing.assert_allclose(cells.headings, full.headings, atol=1e-9)


def test_cell_list_needs_three_cells_per_side():
    with pytest.raises(ValueError, match="at least 3 cells"):
        sc.school("swarm", neighbours="cells")


def test_the_school_is_a_map_that_trajectory_runs_and_seeds_form_an_ensemble():
    cfg = sc.preset("dynamic-parallel", n_agents=30, steps=12)
    system = sc.school(cfg, seed=3)
    assert system.kind == "map" and system.dim == 180 and system.dt == 0.1
    traj = trajectory(system, n=12)
    run = sc.simulate_school(cfg, seed=3, record_every=1, entropies=False)
    np.testing.assert_allclose(traj.x.reshape(13, 2, 30, 3)[:, 0], run.positions, atol=1e-12)
    ens = trajectory(system, n=12, params={"seed": np.array([3.0, 4.0])})
    np.testing.assert_allclose(ens.x[0], traj.x, atol=1e-12)
    assert not np.allclose(ens.x[1, -1], traj.x[-1])


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "changes, match",
    [
        (dict(r_repulsion=-1.0), "r_repulsion must be >= 0"),
        (dict(r_orientation=20.0), "zone radii out of order"),
        (dict(n_agents=1), "n_agents"),
        (dict(max_turn=4.0), "max_turn"),
        (dict(blind_angle=180.0), "blind_angle"),
        (dict(noise=-0.1), "noise"),
    ],
)
def test_bad_configurations_are_refused(changes, match):
    with pytest.raises(ValueError, match=match):
        sc.preset("swarm", **changes)


def test_unknown_configuration_suggests_close_matches():
    with pytest.raises(KeyError, match="did you mean 'torus'"):
        sc.preset("tors")
    with pytest.raises(KeyError, match="did you mean 'r_attraction'"):
        sc.preset("swarm", r_atraction=3.0)


# ----------------------------------------------------------------------------- order parameters and entropies
def ring(n, radius, centre, box):
    phi = 2 * np.pi * np.arange(n) / n
    pos = np.stack([centre[0] + radius * np.cos(phi), centre[1] + radius * np.sin(phi), np.full(n, centre[2])], 1)
    head = np.stack([-np.sin(phi), np.cos(phi), np.zeros(n)], 1)
    return np.mod(pos, box), head


def test_polarization_and_milling_of_known_states():
    pos, head = ring(60, 4.0, (12.5, 12.5, 12.5), 25.0)
    assert sc.polarization(head) < 1e-12
    assert math.isclose(sc.milling(pos, head, 25.0), 1.0, abs_tol=1e-12)
    assert sc.polarization(np.tile([0.0, 0.6, 0.8], (10, 1))) == pytest.approx(1.0, abs=1e-15)
    # a mill straddling a face of the box: the periodic centroid still sees it, the original's does not
    pos, head = ring(60, 4.0, (0.5, 12.5, 12.5), 25.0)
    assert math.isclose(sc.milling(pos, head, 25.0), 1.0, abs_tol=1e-12)
    assert sc.milling(pos, head, 25.0, centroid="arithmetic") < 0.5


def test_entropies_of_an_aligned_lattice_and_a_random_gas():
    box = 20.0
    g = np.arange(5) * 4.0 + 1.0
    lattice = np.stack(np.meshgrid(g, g, g, indexing="ij"), -1).reshape(-1, 3)
    aligned = np.tile([1.0, 0, 0], (125, 1))
    h = sc.school_entropies(lattice, aligned, box)
    assert h["cohesion"] == 0.0  # every nearest-neighbour distance is 4
    assert h["velocity"] == 0.0 and h["polarization"] == 0.0  # one heading
    assert h["nearest_neighbour"] == 0.0  # 6 neighbours at 4 (periodic lattice): cv = 0 for all
    assert h["shape"] == pytest.approx(1.0, abs=1e-12)  # isotropic covariance
    assert h["depth"] == pytest.approx(math.log(5) / math.log(15), abs=1e-12)  # 5 equal layers of 15 bins
    rng = np.random.default_rng(1)
    gas = sc.school_entropies(rng.uniform(0, box, (1500, 3)), rng.normal(size=(1500, 3)), box)
    assert gas["depth"] > 0.99 and gas["shape"] > 0.99
    assert gas["polarization"] > 0.9  # uniform on the sphere, sin-weighted
    # (u_i . u_j + 1) / 2 is uniform on [0, 1] for independent uniform headings: entropy 1
    assert gas["velocity"] > 0.999
    flat = lattice.copy()
    flat[:, 2] = 5.0
    assert sc.school_entropies(flat, aligned, box)["shape"] == pytest.approx(math.log(2) / math.log(3), abs=1e-6)


def test_schooling_index_weights_and_regimes():
    assert sum(sc.OSI_WEIGHTS.values()) == pytest.approx(1.0)
    assert sc.schooling_index(dict.fromkeys(sc.ENTROPY_NAMES, 1.0)) == pytest.approx(1.0)
    assert sc.classify_regime(0.08, 0.06, 0.71) == "swarm"
    assert sc.classify_regime(0.997, 0.2, 0.24) == "highly parallel"
    assert sc.classify_regime(0.978, 0.02, 0.30) == "dynamic parallel"
    assert sc.classify_regime(0.2, 0.8, 0.5) == "torus"
    assert sc.classify_regime(0.5, 0.35, 0.5) == "transitional"


def test_netcdf_round_trip_with_cf_attributes(tmp_path):
    run = sc.simulate_school(sc.preset("swarm", n_agents=20), steps=20, record_every=2)
    path = tmp_path / "school.nc"
    run.to_netcdf(path)
    back = sc.load_school(path)
    np.testing.assert_array_equal(back.positions, run.positions)
    np.testing.assert_array_equal(back.osi, run.osi)
    assert back.config == run.config and back.seed == run.seed
    ds = run.to_xarray()
    assert ds.attrs["Conventions"] == "CF-1.8"
    assert all("units" in ds[v].attrs and "long_name" in ds[v].attrs for v in ds.data_vars)
    assert [p.name for p in tmp_path.iterdir()] == ["school.nc"]


def test_progress_is_reported_in_frames():
    calls = []
    sc.simulate_school(sc.preset("swarm", n_agents=20), steps=20, record_every=2, entropies=False,
                       progress=lambda d, t: calls.append((d, t)))  # fmt: skip
    assert calls[0] == (0, 10) and calls[-1] == (10, 10)


# ----------------------------------------------------------------------------- the published regimes (slow)
def second_half_means(name, seeds=(1, 2, 3), **kw):
    rows = [sc.simulate_school(name, seed=s, **kw).second_half() for s in seeds]
    return {k: float(np.mean([r[k] for r in rows])) for k in rows[0]}


@pytest.mark.slow
def test_swarm_matches_the_published_numbers():
    m = second_half_means("swarm")
    assert m["P"] < 0.1 and 0.68 <= m["OSI"] <= 0.74


@pytest.mark.slow
def test_highly_parallel_matches_the_published_numbers():
    m = second_half_means("highly-parallel")
    assert m["P"] > 0.99 and 0.22 <= m["OSI"] <= 0.28 and m["H_velocity"] < 0.05


@pytest.mark.slow
def test_dynamic_parallel_matches_the_published_numbers():
    m = second_half_means("dynamic-parallel")
    assert m["P"] > 0.95 and 0.27 <= m["OSI"] <= 0.33


@pytest.mark.slow
def test_the_milling_configuration_mills_and_the_published_torus_does_not():
    m = second_half_means("milling")
    assert m["M"] > 0.5 and sc.classify_regime(m["P"], m["M"], m["OSI"]) == "torus"
    t = second_half_means("torus")
    assert t["M"] < 0.5
    # the same school with the original's interpolated turn does not hold its mill as well
    assert second_half_means("milling", turn="nlerp")["M"] < m["M"] - 0.2


def test_a_step_too_big_for_the_memory_limit_is_refused_before_any_work():
    from dynstab.limits import AllocationError, memory_limit

    with memory_limit(0.5), pytest.raises(AllocationError, match="neighbours='cells'"):
        sc.school(sc.SchoolConfig(n_agents=3000))
