"""shPLRNN / clipped shPLRNN with generalized teacher forcing (Hess et al., ICML 2023)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import dynstab
from dynstab.learn.base import NonFiniteLossError
from dynstab.learn.plrnn import (
    REFERENCE_CHOICES,
    ShallowPLRNN,
    _Config,
    anneal_alpha,
    gtf_alpha,
    gtf_kappa,
    gtf_loss,
    gtf_predictions,
    init_latent,
    init_params,
    observe,
    shplrnn_jacobian,
    shplrnn_step,
)

LAMBDA1_LORENZ = 0.9056


def _params(seed=0, M=3, H=7, scale=1.0):
    rng = np.random.default_rng(seed)
    return {
        "A": rng.uniform(-0.9, 0.9, M),
        "W1": scale * rng.standard_normal((M, H)),
        "W2": scale * rng.standard_normal((H, M)),
        "h1": rng.standard_normal(M),
        "h2": rng.standard_normal(H),
    }


@pytest.fixture(scope="module")
def lorenz_short():
    traj = dynstab.trajectory(dynstab.systems.get("lorenz"), t=40.0, dt=0.01, transient=10.0)
    x = traj.x
    return (x - x.mean(0)) / x.std(0)


@pytest.mark.parametrize("clipped", [True, False])
def test_step_and_jacobian_match_equations(clipped):
    p = _params()
    z = np.array([0.3, -1.2, 0.8])
    u = p["W2"] @ z
    phi = np.maximum(u + p["h2"], 0) - (np.maximum(u, 0) if clipped else 0)
    expected = p["A"] * z + p["W1"] @ phi + p["h1"]
    jp = {k: jnp.asarray(v) for k, v in p.items()}
    np.testing.assert_allclose(shplrnn_step(jnp.asarray(z), jp, clipped), expected, rtol=1e-13)
    # analytic piecewise-constant Jacobian = autodiff Jacobian (away from the kinks)
    for zz in np.random.default_rng(1).standard_normal((20, 3)):
        auto = jax.jacfwd(lambda v: shplrnn_step(v, jp, clipped))(jnp.asarray(zz))
        np.testing.assert_allclose(shplrnn_jacobian(jnp.asarray(zz), jp, clipped), auto, atol=1e-13)
    # batched step = row-wise step
    Z = np.random.default_rng(2).standard_normal((5, 3))
    np.testing.assert_allclose(
        shplrnn_step(jnp.asarray(Z), jp, clipped),
        np.stack([shplrnn_step(jnp.asarray(r), jp, clipped) for r in Z]),
        rtol=1e-13,
    )


def test_clipped_orbits_bounded_when_A_contracts():
    """Hess et al. (2023): the clipped shPLRNN has bounded orbits if max|A| < 1, since
    |ReLU(u + h2) - ReLU(u)| <= |h2|: ||z_t|| <= a^t ||z_0|| + (||W1|| ||h2|| + ||h1||) / (1 - a)."""
    p = _params(seed=3, H=20, scale=3.0)  # strong weights: the unclipped model explodes
    model = ShallowPLRNN.from_params(**p, clipped=True)
    z0 = np.array([50.0, -40.0, 30.0])
    zs = model.generate(z0, 5000, latent=True)
    a = np.max(np.abs(p["A"]))
    c = np.linalg.norm(p["W1"], 2) * np.linalg.norm(p["h2"]) + np.linalg.norm(p["h1"])
    t = np.arange(1, 5001)
    bound = a**t * np.linalg.norm(z0) + c / (1 - a)
    assert np.all(np.linalg.norm(zs, axis=1) <= bound * (1 + 1e-12))
    plain = ShallowPLRNN.from_params(**p, clipped=False).generate(z0, 200, latent=True)
    assert not np.all(np.isfinite(plain)) or np.max(np.abs(plain)) > 1e6


def test_gtf_alpha_one_is_one_step_loss_and_alpha_zero_free_running():
    cfg = _Config(3, 7, 3, True, "identity")
    jp = {k: jnp.asarray(v) for k, v in _params(H=7, scale=0.3).items()}
    x = jnp.asarray(np.random.default_rng(4).standard_normal((2, 11, 3)))
    one_step = jnp.mean((shplrnn_step(x[:, :-1], jp, True) - x[:, 1:]) ** 2)
    np.testing.assert_allclose(gtf_loss(jp, x, jnp.asarray(1.0), cfg), one_step, rtol=1e-13)
    free = jnp.stack([x[:, 0]] * 1, axis=1)
    z = x[:, 0]
    preds = []
    for _ in range(10):
        z = shplrnn_step(z, jp, True)
        preds.append(z)
    free = jnp.stack(preds, axis=1)
    np.testing.assert_allclose(gtf_predictions(jp, x, jnp.asarray(0.0), cfg), free, rtol=1e-12)
    # in between: z~ = (1 - a) z + a x
    a = 0.3
    z, preds = x[:, 0], []
    for t in range(10):
        zp = shplrnn_step(z, jp, True)
        preds.append(zp)
        z = (1 - a) * zp + a * x[:, t + 1]
    np.testing.assert_allclose(gtf_predictions(jp, x, jnp.asarray(a), cfg), jnp.stack(preds, 1), rtol=1e-12)


def test_partial_forcing_with_extra_latents():
    """Identity model with M > N: only the first N latents are forced; the first state is [x, L x]."""
    cfg = _Config(5, 6, 3, True, "identity")
    p = init_params(jax.random.PRNGKey(0), cfg)
    x = jnp.asarray(np.random.default_rng(5).standard_normal((1, 4, 3)))
    z0 = init_latent(x[:, 0], p, "identity", 5)
    np.testing.assert_allclose(z0, jnp.concatenate([x[:, 0], x[:, 0] @ p["L"].T], axis=-1))
    zs = gtf_predictions(p, x, jnp.asarray(1.0), cfg)
    z1 = shplrnn_step(z0, p, True)
    np.testing.assert_allclose(zs[:, 0], z1, rtol=1e-13)
    z1f = z1.at[:, :3].set(x[:, 1])  # first N units replaced, hidden ones kept
    np.testing.assert_allclose(zs[:, 1], shplrnn_step(z1f, p, True), rtol=1e-13)


def test_affine_observation_inverts_least_squares():
    cfg = _Config(5, 6, 3, True, "affine")
    p = init_params(jax.random.PRNGKey(1), cfg)
    x = jnp.asarray(np.random.default_rng(6).standard_normal((4, 3)))
    z = init_latent(x, p, "affine", 5)
    np.testing.assert_allclose(observe(z, p, "affine", 3), x, atol=1e-12)  # B full row rank: exact


def test_init_matches_reference_scheme():
    cfg = _Config(4, 64, 4, True, "identity")
    p = init_params(jax.random.PRNGKey(2), cfg)
    assert 0 < float(jnp.min(p["A"])) and float(jnp.max(p["A"])) <= 1.0
    assert float(jnp.max(jnp.abs(p["W1"]))) <= 1 / 8 and float(jnp.max(jnp.abs(p["W2"]))) <= 1 / 2
    assert float(jnp.max(jnp.abs(p["h2"]))) <= 1 / 8 and float(jnp.max(jnp.abs(p["h2"]))) > 0
    assert not np.any(np.asarray(p["h1"]))
    assert not np.any(np.asarray(init_params(jax.random.PRNGKey(2), _Config(4, 64, 4, False, "identity"))["h2"]))


def test_adaptive_alpha_on_constructed_jacobians():
    """kappa estimators and the annealing rule of aGTF (Hess et al. 2023, Algorithm 1)."""
    s1 = np.array([2.0, 0.5, 4.0])  # spectral norms along sequence 1 -> geometric mean 4^(1/3)
    s2 = np.array([1.5, 1.5, 1.5])
    J = np.zeros((2, 3, 2, 2))
    for b, s in enumerate((s1, s2)):
        for t in range(3):
            J[b, t] = np.diag([s[t], 0.1])
    kappa = float(gtf_kappa(J, "product_upper_bound"))
    assert kappa == pytest.approx(4 ** (1 / 3), rel=1e-12)
    assert float(gtf_kappa(J, "batch_maximum")) == pytest.approx(4.0)
    assert float(gtf_kappa(J, "arithmetic_mean")) == pytest.approx(max(s1.mean(), 1.5))
    assert float(gtf_alpha(kappa)) == pytest.approx(1 - 4 ** (-1 / 3))
    assert float(gtf_alpha(0.5)) == 0.0  # contracting: no forcing needed
    assert float(anneal_alpha(0.5, 0.7)) == pytest.approx(0.7)  # larger estimate: jump up
    assert float(anneal_alpha(0.5, 0.2, 0.999)) == pytest.approx(0.999 * 0.5 + 0.001 * 0.2)  # else: anneal
    with pytest.raises(ValueError, match="unknown alpha method"):
        gtf_kappa(J, "nope")


def test_adaptive_alpha_updates_every_k_steps(lorenz_short):
    kw = dict(hidden_dim=8, sequence_length=20, batch_size=4, n_epochs=1, progress=False)
    m4 = ShallowPLRNN(batches_per_epoch=4, **kw).fit(lorenz_short, dt=0.01)
    assert m4.alpha_ == 1.0  # no update before step k = 5
    m5 = ShallowPLRNN(batches_per_epoch=5, **kw).fit(lorenz_short, dt=0.01)
    assert 0.999 <= m5.alpha_ < 1.0  # estimate < 1 -> 0.999 * 1 + 0.001 * estimate
    mc = ShallowPLRNN(alpha=0.25, batches_per_epoch=5, **kw).fit(lorenz_short, dt=0.01)
    assert mc.alpha_ == 0.25


def test_fit_reproducible_and_interface(lorenz_short):
    kw = dict(hidden_dim=16, sequence_length=30, n_epochs=3, batches_per_epoch=10, progress=False)
    a = ShallowPLRNN(seed=3, **kw).fit(lorenz_short, dt=0.01)
    b = ShallowPLRNN(seed=3, **kw).fit(lorenz_short, dt=0.01)
    for k in a.params_:
        np.testing.assert_array_equal(a.params_[k], b.params_[k])
    other = init_params(jax.random.PRNGKey(4), _Config(3, 16, 3, True, "identity"))
    assert not np.allclose(a.params_["W1"], other["W1"])
    assert a.fitted_ and a.dim_ == 3 and a.dt_ == 0.01 and a.loss_history_.shape == (3,)
    assert a.generate(lorenz_short[0], 7).shape == (7, 3)
    assert a.generate(lorenz_short[:4], 7).shape == (4, 7, 3)
    f = a.forecast(lorenz_short[:50], 5)
    assert f.shape == (5, 3)
    # M = N identity: forecasting from a context = generating from its last state
    np.testing.assert_allclose(f, a.generate(lorenz_short[49], 5), atol=1e-12)
    with pytest.raises(ValueError, match="fitted on 3"):
        a.forecast(lorenz_short[:50, :2], 5)
    with pytest.raises(ValueError, match="steps"):
        a.generate(lorenz_short[0], 0)
    # affine observation and extra latents run through the same interface
    aff = ShallowPLRNN(5, observation="affine", **kw).fit(lorenz_short, dt=0.01)
    assert aff.forecast(lorenz_short[:20], 4).shape == (4, 3) and aff.params_["B"].shape == (3, 5)
    ide = ShallowPLRNN(5, **kw).fit(lorenz_short, dt=0.01)
    assert ide.params_["L"].shape == (2, 3) and ide.generate(lorenz_short[0], 3, latent=True).shape == (3, 5)


def test_as_system_is_a_map_with_lyapunov_spectrum():
    p = _params(seed=7, H=10, scale=0.8)
    model = ShallowPLRNN.from_params(**p, clipped=True, dt=0.01)
    system = model.as_system()
    assert isinstance(system, dynstab.Map) and system.dim == 3
    z = np.array([0.2, -0.1, 0.4])
    np.testing.assert_allclose(system.f(z), shplrnn_step(jnp.asarray(z), system.params, True), rtol=1e-13)
    np.testing.assert_allclose(system.jacobian(z), jax.jacfwd(lambda v: system.rhs(v, system.params, 0))(z))
    spec = dynstab.lyapunov_spectrum(system, n=2000, transient=200)
    # exponents of an affine-in-regions map sum to <ln|det J|>
    assert spec.exponents.sum() == pytest.approx(spec.divergence, abs=1e-6)


def test_bad_input_raises(lorenz_short):
    bad = lorenz_short.copy()
    bad[10, 1] = np.nan
    with pytest.raises(ValueError, match="non-finite"):
        ShallowPLRNN(n_epochs=1, progress=False).fit(bad, dt=0.01)
    with pytest.raises(ValueError, match="shorter than the window"):
        ShallowPLRNN(n_epochs=1, progress=False).fit(lorenz_short[:100], dt=0.01)
    with pytest.raises(ValueError, match="latent_dim"):
        ShallowPLRNN(2, n_epochs=1).fit(lorenz_short, dt=0.01)
    with pytest.raises(ValueError, match="alpha"):
        ShallowPLRNN(alpha=1.5).fit(lorenz_short, dt=0.01)
    with pytest.raises(ValueError, match="observation"):
        ShallowPLRNN(observation="linear").fit(lorenz_short, dt=0.01)
    with pytest.raises(RuntimeError, match="not fitted"):
        ShallowPLRNN().generate(np.zeros(3), 3)


def test_non_finite_loss_keeps_last_good_parameters(lorenz_short):
    model = ShallowPLRNN(
        hidden_dim=16,
        sequence_length=50,
        n_epochs=20,
        batches_per_epoch=5,
        alpha=0.0,
        learning_rate=1e3,
        final_learning_rate=1e3,
        clipped=False,
        progress=False,
    )
    with pytest.raises(NonFiniteLossError) as info:
        model.fit(lorenz_short, dt=0.01)
    res = info.value.result
    if res.best_epoch < 0:  # the first epoch is already NaN here: nothing to keep, not fitted (issue 14)
        assert not model.fitted_ and "not fitted" in str(info.value)
    else:
        assert model.fitted_ and "holds those parameters" in str(info.value)
        assert all(np.all(np.isfinite(v)) for v in model.params_.values())
        assert res.best_loss == res.losses.min()


# ---------------------------------------------------------------------------------------------
# done-means (issue 6): the GTF Lorenz-63 benchmark, papers' protocol. ~2-4 min per seed on 1 CPU core.


def _metrics(test, gen):
    try:
        from dynstab.learn.metrics import power_spectrum_distance, state_space_divergence

        return float(state_space_divergence(test, gen)), float(power_spectrum_distance(test, gen))
    except ImportError:  # pragma: no cover - the metrics module is written in parallel
        import importlib.util
        import pathlib

        path = pathlib.Path(__file__).resolve().parents[2] / "examples" / "train_plrnn_lorenz.py"
        spec = importlib.util.spec_from_file_location("train_plrnn_lorenz", path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        return mod.d_stsp_binned(test, gen), mod.d_hellinger(test, gen)


# ---------------------------------------------------------------------------------------------
# done-means (issue 6): the GTF Lorenz-63 benchmark with the papers' protocol, the reduced training budget
# of examples/train_plrnn_lorenz.py (one source of truth for the configuration). Several minutes per seed.


def _example():
    import importlib.util
    import pathlib

    path = pathlib.Path(__file__).resolve().parents[2] / "examples" / "train_plrnn_lorenz.py"
    spec = importlib.util.spec_from_file_location("train_plrnn_lorenz", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.slow
def test_gtf_lorenz63_done_means(shared_dir):
    """shPLRNN + aGTF on the GTF paper's Lorenz-63 data (5% noise): median over 5 seeds of D_stsp <= 1.0 and
    D_H <= 0.1 at T = 1e5 (1.25 T generated from the first test state, 0.25 T dropped) and lambda_1 of the
    learned map (per step / dt) within 15% of 0.9056. Budget of examples/train_plrnn_lorenz.py: 1500 epochs,
    checkpoint selection by D_stsp on the training series (~3.5 min per seed); measured medians 0.41 / 0.083 /
    0.953 (seed 1 ends on a non-chaotic attractor from the first test state)."""
    ex = _example()
    train, test = ex.load(shared_dir / "data" / "lorenz63-gtf")
    rows = [ex.run("plrnn", seed, train, test) for seed in range(5)]
    assert np.median([r["D_stsp"] for r in rows]) <= 1.0, rows
    assert np.median([r["D_H"] for r in rows]) <= 0.1, rows
    assert abs(np.median([r["lambda1"] for r in rows]) / LAMBDA1_LORENZ - 1) <= 0.15, rows


def test_nan_first_epoch_is_not_marked_fitted(lorenz_short):
    """Issue 14 probe: a first epoch already NaN left the model fitted with "best epoch -1"."""
    from dynstab.learn.base import NonFiniteLossError

    kw = dict(hidden_dim=8, sequence_length=20, batch_size=4, n_epochs=3, batches_per_epoch=5, progress=False)
    m = ShallowPLRNN(learning_rate=1e8, final_learning_rate=1e8, **kw)
    with pytest.raises(NonFiniteLossError, match=r"no epoch finished.*not fitted"):
        m.fit(lorenz_short, dt=0.01)
    assert not m.fitted_
    with pytest.raises(Exception, match="fit"):
        m.generate(lorenz_short[0], 5)


def _float64_arrays(jaxpr_text):
    """The float64 arrays (not scalars) of a jaxpr's text: ``f64[5,250]`` etc."""
    import re

    return sorted(set(re.findall(r"f64\[[^\]]+\]", jaxpr_text)))


@pytest.mark.parametrize(
    "kw",
    [
        dict(alpha=0.3, latent_dim=5, regularization=1e-4, obs_regularization=1e-4),
        dict(alpha="adaptive", observation="affine", latent_dim=5, obs_regularization=1e-7, **REFERENCE_CHOICES),
    ],
)
def test_float32_training_step_stays_float32(lorenz_short, kw):
    """dtype="float32": inside dynstab's float64 scope the loss, its gradient and every array of the compiled step
    are float32 (no silent promotion by a float64 constant); only optax's scalar step-size bookkeeping is float64."""
    from dynstab.learn.base import as_training_data

    model = ShallowPLRNN(hidden_dim=12, sequence_length=20, batch_size=4, dtype="float32", **kw)
    with dynstab.float64_scope():
        step, state = model.training_step(as_training_data(lorenz_short, 0.01))
        key = jax.random.PRNGKey(0)
        assert jnp.zeros(1).dtype == jnp.float64  # the scope is on
        new_state, loss = jax.eval_shape(step, state, key)
        assert loss.dtype == jnp.float32
        same = jax.tree_util.tree_map(lambda a, b: a.dtype == b.dtype, new_state, state)
        assert jax.tree_util.tree_all(same)
        assert {a.dtype for a in jax.tree_util.tree_leaves(state["params"])} == {jnp.dtype(jnp.float32)}
        cfg = model._validate(3)
        windows = jnp.asarray(lorenz_short[:84].reshape(4, 21, 3), dtype=jnp.float32)
        alpha = jnp.asarray(0.3, dtype=jnp.float32)
        lat, obs = model.regularization, model.obs_regularization
        value, grads = jax.eval_shape(
            lambda p: jax.value_and_grad(gtf_loss)(p, windows, alpha, cfg, lat, obs), state["params"]
        )
        assert value.dtype == jnp.float32
        assert {g.dtype for g in jax.tree_util.tree_leaves(grads)} == {jnp.dtype(jnp.float32)}
        jaxpr = jax.make_jaxpr(step)(state, key)
    assert _float64_arrays(str(jaxpr)) == []
    # the same step in float64 (default) has float64 arrays: the check can fail
    with dynstab.float64_scope():
        step64, state64 = ShallowPLRNN(hidden_dim=12, sequence_length=20, batch_size=4, **kw).training_step(
            as_training_data(lorenz_short, 0.01)
        )
        assert "f64[4,21,3]" in _float64_arrays(str(jax.make_jaxpr(step64)(state64, jax.random.PRNGKey(0))))


def test_float32_training_gives_a_float64_model(lorenz_short):
    """The parameters trained in float32 are cast back: params_, predictions and the System are float64."""
    kw = dict(hidden_dim=8, sequence_length=20, n_epochs=2, batches_per_epoch=5, progress=False, seed=2)
    m32 = ShallowPLRNN(dtype="float32", **kw).fit(lorenz_short, dt=0.01)
    assert m32.dtype == "float32" and m32.fitted_
    assert all(v.dtype == np.float64 for v in m32.params_.values())
    assert m32.train_result_.state["params"]["W1"].dtype == jnp.float32  # it did train in float32
    assert m32.generate(lorenz_short[0], 5).dtype == np.float64
    assert np.asarray(m32.as_system().params["W1"]).dtype == np.float64
    assert m32.loss_history_.shape == (2,) and np.all(np.isfinite(m32.loss_history_))


def test_paper_preset_trains_in_float32_and_dtype_is_checked(lorenz_short):
    assert ShallowPLRNN.paper_preset("ecg").dtype == "float32"
    assert ShallowPLRNN.paper_preset("ecg", dtype="float64").dtype == "float64"
    assert ShallowPLRNN().dtype == "float64"
    with pytest.raises(ValueError, match="dtype must be one of"):
        ShallowPLRNN(dtype="float16", n_epochs=1).fit(lorenz_short, dt=0.01)
    with pytest.raises(ValueError, match="dtype must be one of"):
        ShallowPLRNN(dtype="double precision", n_epochs=1).fit(lorenz_short, dt=0.01)


@pytest.mark.slow
def test_float32_training_quality_matches_float64_on_lorenz():
    """A short Lorenz-63 GTF training (clipped shPLRNN M=3, H=50, alpha=0.2, windows of 50, 200 epochs x 20 steps,
    RAdam 5e-3 -> 1e-4) in float32 and in float64 from the same initialisation and batches: the first epoch's loss
    agrees to float32 rounding, the final loss within 10% (measured: 3.31e-4 both), and both 5000-step free runs
    are near the attractor (D_stsp < 5; the untrained model gives ~13) within 0.5 of each other (measured 2.4 vs
    2.1; chaotic runs differ by rounding only)."""
    from dynstab.learn.metrics import state_space_divergence

    traj = dynstab.trajectory(dynstab.systems.get("lorenz"), t=100.0, dt=0.01, transient=10.0)
    x = (traj.x - traj.x.mean(0)) / traj.x.std(0)
    kw = dict(alpha=0.2, sequence_length=50, n_epochs=200, batches_per_epoch=20, progress=False, seed=0)
    rows, models = {}, {}
    for dtype in ("float64", "float32"):
        m = models[dtype] = ShallowPLRNN(3, 50, dtype=dtype, learning_rate=5e-3, final_learning_rate=1e-4, **kw)
        m.fit(x, dt=0.01)
        rows[dtype] = (float(m.loss_history_[-1]), state_space_divergence(x, m.generate(x[0], 5000)))
    (l64, d64), (l32, d32) = rows["float64"], rows["float32"]
    assert models["float32"].loss_history_[0] == pytest.approx(models["float64"].loss_history_[0], rel=1e-4)
    assert not np.array_equal(models["float32"].params_["W1"], models["float64"].params_["W1"])
    assert l32 == pytest.approx(l64, rel=0.1), rows
    assert d32 < 5 and d64 < 5 and abs(d32 - d64) <= 0.5, rows
