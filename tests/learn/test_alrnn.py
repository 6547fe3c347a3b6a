"""AL-RNN and its symbolic code (Brenner et al., NeurIPS 2024)."""

import jax.numpy as jnp
import numpy as np
import pytest

import dynstab
from dynstab.learn.alrnn import ALRNN, SymbolicDynamics, alrnn_step, stf_loss, symbolic_code


@pytest.fixture(scope="module")
def lorenz_short():
    traj = dynstab.trajectory(dynstab.systems.get("lorenz"), t=30.0, dt=0.01, transient=10.0)
    x = traj.x
    return (x - x.mean(0)) / x.std(0)


def test_step_matches_equation():
    rng = np.random.default_rng(0)
    M, P = 5, 2
    p = {"A": rng.uniform(-1, 1, M), "W": rng.standard_normal((M, M)), "h": rng.standard_normal(M)}
    z = np.array([0.5, -1.0, 2.0, -0.3, 0.7])
    phi = np.concatenate([z[:3], np.maximum(z[3:], 0)])
    expected = p["A"] * z + p["W"] @ phi + p["h"]
    jp = {k: jnp.asarray(v) for k, v in p.items()}
    np.testing.assert_allclose(alrnn_step(jnp.asarray(z), jp, P), expected, rtol=1e-13)
    # within one subregion the map is affine: z' = (diag(A) + W D_r) z + h
    model = ALRNN.from_params(**p, pwl_units=P)
    region = int(model.symbolic_code(z[None])[0])
    assert region == 2  # unit 4 (bit 0) negative, unit 5 (bit 1) positive
    J, h = model.linear_map(region)
    np.testing.assert_allclose(J @ z + h, expected, rtol=1e-12)
    np.testing.assert_allclose(model.as_system().jacobian(z), J, atol=1e-13)


def test_symbolic_code_bits():
    z = np.array(
        [[9.0, -1.0, -2.0], [9.0, 1.0, -2.0], [9.0, -1.0, 2.0], [9.0, 1.0, 2.0], [-9.0, 0.0, 0.0]]
    )  # zero counts as inactive (ReLU'(0) = 0 side)
    np.testing.assert_array_equal(symbolic_code(z, 2), [0, 1, 2, 3, 0])
    np.testing.assert_array_equal(symbolic_code(z, 0), [0, 0, 0, 0, 0])
    with pytest.raises(ValueError, match="exceeds"):
        symbolic_code(z, 4)
    with pytest.raises(ValueError, match="non-finite"):
        symbolic_code(np.full((2, 3), np.nan), 1)


def test_counts_on_constructed_alrnn():
    """M = 2, P = 1: z1' = -z1 flips the sign of the ReLU unit each step (period-2 orbit through both
    subregions), z0' = 0.5 z0 is linear; exact visit counts and transitions."""
    model = ALRNN.from_params(A=[0.5, -1.0], W=np.zeros((2, 2)), h=[0.0, 0.0], pwl_units=1)
    z = model.generate(np.array([1.0, 1.0]), 9, latent=True)
    stats = model.subregions(z)
    np.testing.assert_array_equal(stats.codes, [0, 1, 0, 1, 0, 1, 0, 1, 0])
    np.testing.assert_array_equal(stats.used, [0, 1])
    np.testing.assert_array_equal(stats.counts, [5, 4])
    np.testing.assert_array_equal(stats.transitions, [[0, 4], [4, 0]])
    assert stats.n_used == 2 and stats.frequencies.sum() == pytest.approx(1.0)
    np.testing.assert_array_equal(stats.bits(1), [1])
    ds = stats.to_xarray()
    assert int(ds["counts"].sel(region=1)) == 4
    assert "2 of 2^1" in repr(stats)
    # P = 2, a constructed orbit visiting 3 of the 4 subregions with known frequencies
    codes = SymbolicDynamics.from_codes([3, 3, 1, 0, 3, 1], 2)
    np.testing.assert_array_equal(codes.used, [0, 1, 3])
    np.testing.assert_array_equal(codes.counts, [1, 2, 3])
    assert codes.transitions.sum() == 5 and codes.transitions[2, 1] == 2  # 3 -> 1 twice
    fig = codes.plot()
    assert fig is not None


def test_stf_interval_one_is_one_step_loss():
    rng = np.random.default_rng(1)
    M = 3
    p = {
        "A": jnp.asarray(rng.uniform(0, 1, M)),
        "W": jnp.asarray(0.3 * rng.standard_normal((M, M))),
        "h": jnp.zeros(M),
        "B": jnp.zeros((M, M)),
    }
    x = jnp.asarray(rng.standard_normal((2, 9, M)))
    one_step = jnp.mean((alrnn_step(x[:, :-1], p, 1) - x[:, 1:]) ** 2)
    np.testing.assert_allclose(stf_loss(p, x, 1, 1), one_step, rtol=1e-13)
    # interval longer than the window: free running from x_0
    z, preds = x[:, 0], []
    for _ in range(8):
        z = alrnn_step(z, p, 1)
        preds.append(z)
    np.testing.assert_allclose(stf_loss(p, x, 1, 100), jnp.mean((jnp.stack(preds, 1) - x[:, 1:]) ** 2), rtol=1e-12)


def test_fit_reproducible_and_interface(lorenz_short):
    kw = dict(latent_dim=8, pwl_units=2, sequence_length=40, n_epochs=2, batches_per_epoch=10, progress=False)
    a = ALRNN(seed=1, **kw).fit(lorenz_short, dt=0.01)
    b = ALRNN(seed=1, **kw).fit(lorenz_short, dt=0.01)
    for k in a.params_:
        np.testing.assert_array_equal(a.params_[k], b.params_[k])
    other = ALRNN(seed=2, **kw)._init_params(__import__("jax").random.PRNGKey(2), 8, 3)
    assert not np.allclose(a.params_["W"], other["W"])
    assert a.params_["B"].shape == (3, 8) and a.dim_ == 3
    assert a.generate(lorenz_short[0], 5).shape == (5, 3)
    assert a.forecast(lorenz_short[:30], 5).shape == (5, 3)
    stats = a.subregions(x0=lorenz_short[0], steps=500, transient=100)
    assert 1 <= stats.n_used <= 4 and stats.counts.sum() == 500
    system = a.as_system()
    assert isinstance(system, dynstab.Map) and system.dim == 8
    with pytest.raises(ValueError, match="latent states"):
        a.symbolic_code(lorenz_short[:5])


def test_checkpoint_selection_by_state_space_divergence(lorenz_short):
    """select_every > 0: median D_stsp of free runs from several training states at every checkpoint; the kept
    checkpoint is select_checkpoint's choice and its recorded median is reproduced by the fitted model."""
    from dynstab.learn.metrics import state_space_divergence
    from dynstab.learn.rnn_training import select_checkpoint

    m = ALRNN(
        6,
        1,
        sequence_length=30,
        n_epochs=2,
        batches_per_epoch=4,
        select_every=1,
        select_steps=300,
        select_starts=2,
        progress=False,
    ).fit(lorenz_short, dt=0.01)
    hist = m.selection_history_
    assert hist.shape == (2, 2) and list(hist[:, 0]) == [1, 2]
    assert m.loss_history_.shape == (2,)
    det = m.selection_details_
    assert [d["n_runs"] for d in det] == [2, 2] and all(len(d["statuses"]) == 2 for d in det)
    best = select_checkpoint(det)
    assert m.selected_epoch_ == det[best]["epoch"]
    if np.isfinite(det[best]["d_stsp"]):
        runs = m.generate(lorenz_short[[0, len(lorenz_short) - 1]], 300)
        d = np.median([state_space_divergence(lorenz_short, r) for r in runs])
        assert d == pytest.approx(det[best]["d_stsp"], rel=1e-9)


def test_bad_input(lorenz_short):
    bad = lorenz_short.copy()
    bad[3, 0] = np.inf
    with pytest.raises(ValueError, match="non-finite"):
        ALRNN(n_epochs=1).fit(bad, dt=0.01)
    with pytest.raises(ValueError, match="shorter than the window"):
        ALRNN(n_epochs=1).fit(lorenz_short[:50], dt=0.01)
    with pytest.raises(ValueError, match="pwl_units"):
        ALRNN(4, 5).fit(lorenz_short, dt=0.01)
    with pytest.raises(ValueError, match="latent_dim"):
        ALRNN(2, 1).fit(lorenz_short, dt=0.01)


@pytest.mark.slow
def test_alrnn_lorenz63_done_means(shared_dir):
    """AL-RNN M=20, P=2 on the GTF Lorenz-63 data (published settings, 2000 epochs, checkpoints every 25 epochs
    selected on 1e5-step free runs against the training series): at most 4 subregions, D_stsp <= 3.5 (1e4
    generated steps after 2500 against the whole test series, the AL-RNN tutorial's evaluation; tutorial 3.52)
    and D_H <= 0.15 (against the first 1e4 test samples), median over 3 seeds (~2.5 min each)."""
    import importlib.util
    import pathlib

    path = pathlib.Path(__file__).resolve().parents[2] / "examples" / "train_plrnn_lorenz.py"
    spec = importlib.util.spec_from_file_location("train_plrnn_lorenz", path)
    ex = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ex)
    train, test = ex.load(shared_dir / "data" / "lorenz63-gtf")
    rows = [ex.run("alrnn", seed, train, test) for seed in range(3)]
    assert all(r["n_subregions"] <= 4 for r in rows), rows
    assert np.median([r["D_stsp"] for r in rows]) <= 3.5, rows
    assert np.median([r["D_H"] for r in rows]) <= 0.15, rows


def test_float32_training(lorenz_short):
    """dtype="float32": the sparse-teacher-forcing step computes in float32 inside dynstab's float64 scope (loss,
    state, no float64 array in its jaxpr), and the fitted model is float64."""
    import re

    import jax

    from dynstab.learn.base import as_training_data

    kw = dict(latent_dim=8, pwl_units=2, sequence_length=20, batch_size=4, n_epochs=1, batches_per_epoch=3)
    model = ALRNN(dtype="float32", progress=False, **kw)
    with dynstab.float64_scope():
        step, state = model.training_step(as_training_data(lorenz_short, 0.01))
        new_state, loss = jax.eval_shape(step, state, jax.random.PRNGKey(0))
        jaxpr = str(jax.make_jaxpr(step)(state, jax.random.PRNGKey(0)))
    assert loss.dtype == jnp.float32
    assert {a.dtype for a in jax.tree_util.tree_leaves(new_state["params"])} == {jnp.dtype(jnp.float32)}
    assert re.findall(r"f64\[[^\]]+\]", jaxpr) == []
    model.fit(lorenz_short, dt=0.01)
    assert all(v.dtype == np.float64 for v in model.params_.values())
    assert model.generate(lorenz_short[0], 4).dtype == np.float64
    with pytest.raises(ValueError, match="dtype must be one of"):
        ALRNN(dtype="int32", **kw).fit(lorenz_short, dt=0.01)
