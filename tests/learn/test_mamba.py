"""PhyxMamba (issue 16): the MMD with the rational-quadratic kernel against a numpy reference, the estimator
contract on a tiny configuration (params, seeds, bad input, shapes, interruption, non-finite loss, as_system
against forecast), and, slow, learning a periodic orbit and beating persistence on Lorenz-63."""

import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from sklearn.base import clone
from tiny_models import TINY_PHYXMAMBA

import dynstab
from dynstab.learn import PhyxMamba, rational_quadratic_mmd
from dynstab.learn.base import NonFiniteLossError
from dynstab.learn.mamba import PHYXMAMBA_PRESETS, PhyxNet, delay_tokens

TINY = TINY_PHYXMAMBA


@pytest.fixture(scope="module")
def series():
    t = np.arange(160) * 0.1
    return np.stack([np.sin(t), np.cos(1.3 * t) + 0.5 * np.sin(t)], axis=1)


@pytest.fixture(scope="module")
def tiny(series):
    return PhyxMamba(**TINY, seed=3).fit(series, dt=0.1)


# ---------------------------------------------------------------- MMD
def _mmd_numpy(x, y, sigmas):
    def k(a, b):
        d2 = ((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)
        return sum(1.0 / (1.0 + d2 / (2 * s * s)) for s in sigmas)

    return k(x, x).mean() + k(y, y).mean() - 2 * k(x, y).mean()


def test_mmd_zero_for_identical_samples_and_hand_value():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(20, 3))
    assert abs(float(rational_quadratic_mmd(x, x))) < 1e-14
    # two points in 1-d, one sigma: k(0,0)=1, k(0,1) = 1/(1 + 1/2) = 2/3 -> MMD^2 = 1 + 1 - 2 * 2/3 = 2/3
    assert float(rational_quadratic_mmd([[0.0]], [[1.0]], sigmas=(1.0,))) == pytest.approx(2.0 / 3.0, rel=1e-14)
    y = rng.normal(size=(15, 3))
    sig = (0.2, 0.5, 0.9, 1.3)
    assert float(rational_quadratic_mmd(x, y, sig)) == pytest.approx(_mmd_numpy(x, y, sig), rel=1e-12)


def test_mmd_positive_for_shifted_distributions_and_grows_with_the_shift():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, 2))
    same = float(rational_quadratic_mmd(x, rng.normal(size=(200, 2))))
    small = float(rational_quadratic_mmd(x, rng.normal(size=(200, 2)) + 0.5))
    large = float(rational_quadratic_mmd(x, rng.normal(size=(200, 2)) + 2.0))
    assert 0 < same < small < large


def test_mmd_kernel_is_the_sum_over_sigmas():
    x, y = np.array([[0.0, 0.0]]), np.array([[0.3, -0.4]])  # distance 0.5
    sig = (0.2, 1.3)
    expected = 2 * len(sig) - 2 * sum(1 / (1 + 0.25 / (2 * s * s)) for s in sig)
    assert float(rational_quadratic_mmd(x, y, sig)) == pytest.approx(expected, rel=1e-14)


# ---------------------------------------------------------------- embedding
def test_delay_tokens_layout():
    d, m, tau, P = 2, 3, 2, 2
    window = np.arange((2 * P + (m - 1) * tau) * d, dtype=float).reshape(-1, d)  # 8 samples
    tok = np.asarray(delay_tokens(jnp.asarray(window), m, tau, P))
    assert tok.shape == (2, P * d * m)
    # token 0, first sample t = 4: variable 0 is (x0(4), x0(2), x0(0)), variable 1 likewise
    np.testing.assert_array_equal(
        tok[0, :6], [window[4, 0], window[2, 0], window[0, 0], window[4, 1], window[2, 1], window[0, 1]]
    )
    np.testing.assert_array_equal(tok[1, 6:9], [window[7, 0], window[5, 0], window[3, 0]])


# ---------------------------------------------------------------- estimator contract
def test_params_clone_and_presets():
    m = PhyxMamba("paper", d_state=64, seed=7)
    assert m.get_params()["d_state"] == 64 and m.get_params()["size"] == "paper"
    c = clone(m)
    assert c.get_params() == m.get_params()
    s = m._settings()
    assert s["d_state"] == 64 and s["d_model"] == PHYXMAMBA_PRESETS["paper"]["d_model"] == 256
    assert s["mtp_steps"] == 3 and s["n_epochs"] == 800 and s["learning_rate"] == 1e-3
    assert PhyxMamba(learning_rate=0.02)._settings()["learning_rate"] == 0.02
    assert PhyxMamba()._settings()["learning_rate"] == PHYXMAMBA_PRESETS["cpu"]["learning_rate"]
    assert PhyxMamba().context_length == 30 * 10 + 2 * 7


def test_bad_input_is_refused_before_work(series):
    with pytest.raises(ValueError, match="size must be one of"):
        PhyxMamba("gpu").fit(series)
    with pytest.raises(ValueError, match="multiple of headdim"):
        PhyxMamba(**{**TINY, "headdim": 3}).fit(series)
    with pytest.raises(ValueError, match="learning_rate"):
        PhyxMamba(**TINY, learning_rate=-1.0).fit(series)
    with pytest.raises(ValueError, match="mmd_sigmas"):
        PhyxMamba(**TINY, mmd_sigmas=(0.2, 0.0)).fit(series)
    with pytest.raises(ValueError, match="lookback"):
        PhyxMamba(**{**TINY, "lookback": 0}).fit(series)
    with pytest.raises(ValueError, match="at least"):
        PhyxMamba(**TINY).fit(series[:20])
    bad = series.copy()
    bad[5, 1] = np.nan
    with pytest.raises(ValueError, match="non-finite"):
        PhyxMamba(**TINY).fit(bad)
    with pytest.raises(RuntimeError, match="not fitted"):
        PhyxMamba(**TINY).forecast(series, 3)


def test_same_seed_same_numbers_and_shapes(tiny, series):
    again = PhyxMamba(**TINY, seed=3).fit(series, dt=0.1)
    np.testing.assert_array_equal(tiny.losses_, again.losses_)
    np.testing.assert_array_equal(tiny.forecast(series, 9), again.forecast(series, 9))
    other = PhyxMamba(**TINY, seed=4, increments=True).fit(series, dt=0.1)
    assert not np.array_equal(tiny.losses_, other.losses_)
    z = jnp.asarray((series[-tiny.context_length :] - other.mean_) / other.scale_)
    H = other.net_.hidden(other.net_.embed(delay_tokens(z, 2, 2, 4)))[-1]  # increments: last sample + decoder
    plain = (other.net_.norm_f(H) @ other.net_.w_dec.T + other.net_.b_dec).reshape(4, 2)
    np.testing.assert_allclose(np.asarray(other.net_.next_patch(z)), np.asarray(z[-1] + plain), atol=1e-12)
    assert tiny.forecast(series, 9).shape == (9, 2)
    assert len(tiny.losses_) == 3 and tiny.finetune_result_ is not None
    with pytest.raises(ValueError, match="x0 must be the last"):
        tiny.generate(series[-3:], 4)
    with pytest.raises(ValueError, match="fitted on 2"):
        tiny.forecast(series[:, :1], 4)
    with pytest.raises(ValueError, match="steps"):
        tiny.forecast(series, 0)


def test_as_system_iterates_like_forecast(tiny, series):
    system = tiny.as_system()
    assert isinstance(system, dynstab.Map)
    P, L = tiny.token_size, tiny.context_length
    assert system.dt == pytest.approx(P * 0.1) and tiny.samples_per_iteration == P
    s = jnp.asarray(tiny.window_state(series))
    patches = []
    for n in range(3):
        s = system.f(s, n)
        patches.append(np.asarray(s).reshape(L, 2)[-P:])
    np.testing.assert_allclose(np.concatenate(patches), tiny.forecast(series, 3 * P), rtol=0, atol=1e-12)
    # generate from the flattened state is forecast from the window
    np.testing.assert_allclose(tiny.generate(tiny.window_state(series), 5), tiny.forecast(series, 5), atol=1e-12)


def test_recurrent_and_scan_rollouts_agree(tiny, series):
    z = jnp.asarray((series[-tiny.context_length :] - tiny.mean_) / tiny.scale_)
    a = tiny.net_.rollout(z, 3, recurrent=False)
    b = tiny.net_.rollout(z, 3, recurrent=True)
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=0, atol=1e-10)


def test_interruption_keeps_the_best_state(series, monkeypatch):
    import dynstab.learn.base as base

    calls = {"n": 0}
    real = base._compiled_epoch

    def interrupting(step, steps_per_epoch):
        epoch = real(step, steps_per_epoch)

        def run(state, key):
            calls["n"] += 1
            if calls["n"] == 3:
                raise KeyboardInterrupt
            return epoch(state, key)

        return run

    monkeypatch.setattr(base, "_compiled_epoch", interrupting)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = PhyxMamba(**{**TINY, "n_epochs": 5}).fit(series, dt=0.1)
    assert m.fitted_ and len(m.train_result_.losses) == 2 and m.train_result_.interrupted
    assert m.finetune_result_ is None  # an interrupted stage 1 skips the fine-tuning
    assert np.all(np.isfinite(m.forecast(series, 4)))


def test_non_finite_loss_keeps_the_best_parameters(series, monkeypatch):
    import dynstab.learn.base as base

    calls = {"n": 0}
    real = base._compiled_epoch

    def diverging(step, steps_per_epoch):
        epoch = real(step, steps_per_epoch)

        def run(state, key):
            calls["n"] += 1
            new, loss = epoch(state, key)
            return new, (loss if calls["n"] < 3 else jnp.nan)

        return run

    monkeypatch.setattr(base, "_compiled_epoch", diverging)
    m = PhyxMamba(**{**TINY, "n_epochs": 4})
    with pytest.raises(NonFiniteLossError, match="best parameters"):
        m.fit(series, dt=0.1)
    assert m.fitted_ and m.train_result_.best_epoch in (0, 1) and len(m.train_result_.losses) == 2
    assert np.all(np.isfinite(m.forecast(series, 4)))


@pytest.mark.slow
def test_network_gradient_matches_finite_differences():
    from jax.test_util import check_grads

    from dynstab._precision import float64

    net = PhyxNet(2, 2, 1, 2, 4, 2, 1, 2, 2, 1, 1, key=jax.random.PRNGKey(0))
    window = jax.random.normal(jax.random.PRNGKey(1), (3 * 2 + 1, 2), jnp.float64)

    @float64
    def run():
        def f(w_emb, w_dec):
            import equinox as eqx

            n = eqx.tree_at(lambda t: (t.w_emb, t.w_dec), net, (w_emb, w_dec))
            return jnp.sum(n.rollout(window, 2) ** 2)

        check_grads(f, (net.w_emb, net.w_dec), order=1, modes=("rev",), eps=1e-6, atol=1e-7, rtol=1e-6)

    run()


# ---------------------------------------------------------------- learning (slow)
@pytest.mark.slow
def test_cpu_preset_learns_a_periodic_orbit():
    """A sine pair sampled at 40 points per period: the forecast of 4 periods stays within 5 % of the amplitude."""
    t = np.arange(1200) * (2 * np.pi / 40)
    x = np.stack([np.sin(t), np.cos(t)], axis=1)
    m = PhyxMamba(n_epochs=20, finetune_epochs=2, progress=False, seed=0).fit(x[:900])
    pred = m.forecast(x[:900], 160)
    assert np.max(np.abs(pred - x[900:1060])) < 0.05


@pytest.mark.slow
def test_cpu_preset_beats_persistence_on_lorenz():
    """Lorenz-63 at 30 samples per Lyapunov time (the lyapunov30 sampling, 700 training samples): VPT
    (cumulative sMAPE > 30) of the CPU preset (200 + 10 epochs) above one Lyapunov time and above the
    last-value forecast's, median over 3 test windows (3-5 minutes on 2 cores)."""
    from dynstab.learn.metrics import valid_prediction_time

    lam = 0.9056
    dt = 1.0 / lam / 30
    x = np.asarray(dynstab.trajectory(dynstab.systems.get("lorenz"), t=1800 * dt, dt=dt, transient=20.0).x)
    train, test = x[:700], x[700:]
    m = PhyxMamba(progress=False, seed=0).fit(train, dt=dt)
    ctx = m.context_length
    model_v, last_v = [], []
    for start in (ctx, ctx + 150, ctx + 300):
        truth = test[start : start + 150]
        model_v.append(valid_prediction_time(truth, m.forecast(test[:start], 150), dt, lam, method="smape"))
        last_v.append(
            valid_prediction_time(truth, np.repeat(test[start - 1 : start], 150, axis=0), dt, lam, method="smape")
        )
    assert np.median(model_v) > max(1.0, np.median(last_v)), (model_v, last_v)
