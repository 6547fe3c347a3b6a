"""The system catalog: metadata, laws, Jacobians, short simulations and exact properties."""

import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import dynstab
from dynstab.systems import get, names
from dynstab.systems.catalog.flows import double_pendulum_energy, henon_heiles_energy

ALL = names()
YEAR = re.compile(r"\b(18|19|20)\d\d\b")


def _rk4_step(system):
    def step(carry, _):
        x, t = carry
        h, p, f = system.dt, system.params, system.rhs
        k1 = f(x, p, t)
        k2 = f(x + 0.5 * h * k1, p, t + 0.5 * h)
        k3 = f(x + 0.5 * h * k2, p, t + 0.5 * h)
        k4 = f(x + h * k3, p, t + h)
        x = x + h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
        return (x, t + h), x

    return step


def simulate(system, steps):
    """Local stand-in for dynstab.trajectory: RK4 at system.dt for flows, plain iteration for maps."""
    if system.kind == "flow":
        step = _rk4_step(system)
    else:

        def step(carry, _):
            x, n = carry
            x = system.rhs(x, system.params, n)
            return (x, n + 1.0), x

    _, xs = jax.lax.scan(step, (system.x0, 0.0), None, length=steps)
    return np.asarray(xs)


def test_catalog_size():
    assert len(ALL) >= 20
    assert {"flow", "map"} <= {get(n).kind for n in ALL}


@pytest.mark.parametrize("name", ALL)
def test_metadata_law_and_jacobian(name):
    s = get(name)
    assert s.name == name
    assert s.reference and YEAR.search(s.reference), s.reference
    assert s.description
    assert len(s.names) == s.dim
    if s.kind == "flow":
        assert 0.0 < s.dt <= 0.1
    fx = s.f(s.x0)
    assert fx.shape == (s.dim,)
    assert np.all(np.isfinite(fx))

    x0 = np.asarray(s.x0)
    jac = np.asarray(jax.jit(lambda x: s.jacobian(x))(s.x0))
    assert jac.shape == (s.dim, s.dim)
    h = 1e-6 * np.maximum(1.0, np.abs(x0))
    steps = np.diag(h)
    law = jax.jit(jax.vmap(lambda x: s.f(x, 0.0)))
    fd = ((np.asarray(law(x0 + steps)) - np.asarray(law(x0 - steps))) / (2.0 * h[:, None])).T
    scale = max(1.0, np.abs(jac).max())
    np.testing.assert_allclose(jac, fd, rtol=0, atol=1e-6 * scale)


@pytest.mark.parametrize("name", ALL)
def test_short_simulation_bounded(name):
    s = get(name)
    if s.kind == "delay":
        xs = dynstab.trajectory(s, t=2000 * s.dt, transient=20 * s.tau).x
    else:
        xs = simulate(s, 2000 if s.kind == "flow" else 1000)
    bounded = [i for i in range(s.dim) if i not in s.unbounded]
    xs = xs[:, bounded]
    assert np.all(np.isfinite(xs))
    assert np.abs(xs).max(initial=0.0) < 1e3
    # started on the attractor: the orbit does not wander far from the scale of x0
    assert np.abs(xs).max(initial=0.0) < 100.0 * max(1.0, np.abs(np.asarray(s.x0)[bounded]).max(initial=0.0))


def test_flags():
    assert "forced" in get("duffing").flags
    assert "hamiltonian" in get("henon_heiles").flags
    assert "hamiltonian" in get("double_pendulum").flags
    for n in ("standard_map", "arnold_cat", "gingerbreadman"):
        assert "conservative" in get(n).flags
    # only the forced system depends on t
    s = get("duffing")
    assert not np.allclose(s.f(s.x0, 0.0), s.f(s.x0, 1.0))


@pytest.mark.parametrize("N", [5, 10, 40])
def test_lorenz96_fixed_point(N):
    s = get("lorenz96", N=N)
    assert s.dim == N and s.name == "lorenz96"
    np.testing.assert_allclose(s.f(jnp.full(N, 8.0)), 0.0, atol=1e-14)
    s = get("lorenz96", N=N, F=10.0)
    np.testing.assert_allclose(s.f(jnp.full(N, 10.0)), 0.0, atol=1e-14)
    assert not np.allclose(s.f(jnp.full(N, 8.0)), 0.0)


def test_lorenz96_law_matches_index_form():
    s = get("lorenz96", N=7)
    x = np.random.default_rng(0).normal(size=7)
    F = 8.0
    expected = [(x[(i + 1) % 7] - x[i - 2]) * x[i - 1] - x[i] + F for i in range(7)]
    np.testing.assert_allclose(s.f(x), expected, rtol=1e-14)
    with pytest.raises(ValueError):
        get("lorenz96", N=3)


@pytest.mark.parametrize(
    "name, energy", [("henon_heiles", henon_heiles_energy), ("double_pendulum", double_pendulum_energy)]
)
def test_energy_conserved(name, energy):
    s = get(name)
    xs = simulate(s, int(round(20.0 / s.dt)))  # 20 time units
    e0 = float(energy(s.x0, s.params))
    es = np.asarray(jax.vmap(energy, in_axes=(0, None))(jnp.asarray(xs), s.params))
    assert np.abs(es - e0).max() <= 1e-6 * abs(e0)
    if name == "henon_heiles":
        assert abs(e0 - 0.125) < 1e-7


def test_double_pendulum_energy_is_the_hamiltonian():
    # the law is the Euler-Lagrange flow of L = T - V: d/dt E = 0 exactly along the vector field
    s = get("double_pendulum")
    rate = jax.jit(jax.vmap(lambda x: jax.grad(double_pendulum_energy)(x, s.params) @ s.f(x)))
    xs = jnp.asarray(np.random.default_rng(1).normal(size=(20, 4)) * 2.0)
    assert np.abs(np.asarray(rate(xs))).max() < 1e-11


def test_logistic_fixed_point():
    s = get("logistic")
    np.testing.assert_allclose(s.f(jnp.array([0.75])), [0.75], rtol=1e-15)


def test_henon_det():
    s = get("henon")
    for x in ([0.0, 0.27], [0.5, -0.2], [-1.1, 0.3]):
        assert float(jnp.linalg.det(s.jacobian(jnp.array(x)))) == pytest.approx(-0.3, rel=1e-12)


@pytest.mark.parametrize("name", ["standard_map", "arnold_cat", "gingerbreadman"])
def test_area_preserving(name):
    s = get(name)
    for x in np.random.default_rng(2).uniform(0.1, 3.0, size=(5, 2)):
        jac = s.jacobian(jnp.asarray(x))
        assert abs(float(jnp.linalg.det(jac))) == pytest.approx(1.0, rel=1e-12)
    # the analytic Jacobian of the standard map matches autodiff
    if s.jac is not None:
        x = jnp.array([0.3, 2.0])
        np.testing.assert_allclose(s.jacobian(x), jax.jacfwd(s.rhs)(x, s.params, 0.0), rtol=1e-14)


def test_tent_map_stays_chaotic():
    s = get("tent")
    xs = simulate(s, 1000)
    assert xs[-100:].std() > 0.1
    assert float(s.params["mu"]) < 1.0  # mu is half the slope (dysts' parametrization)
    assert np.log(2.0 * float(s.params["mu"])) == pytest.approx(np.log(2.0), abs=1e-7)


def test_lotka_volterra_array_params():
    s = get("lotka_volterra4")
    assert s.params["a"].shape == (4, 4) and s.params["r"].shape == (4,)
    x = s.x0
    np.testing.assert_allclose(s.f(x), s.params["r"] * x * (1.0 - s.params["a"] @ x), rtol=1e-15)
    assert np.all(np.asarray(simulate(s, 2000)) > 0.0)


@pytest.mark.parametrize(
    "alias, canonical",
    [
        ("Lorenz", "lorenz"),
        ("Rossler", "rossler"),
        ("Henon", "henon"),
        ("Logistic", "logistic"),
        ("Chen", "chen"),
        ("Chua", "chua"),
        ("Thomas", "thomas"),
        ("Halvorsen", "halvorsen"),
        ("SprottB", "sprott_b"),
        ("Lorenz96", "lorenz96"),
        ("Duffing", "duffing"),
        ("HenonHeiles", "henon_heiles"),
        ("DoublePendulum", "double_pendulum"),
        ("Ikeda", "ikeda"),
        ("Tinkerbell", "tinkerbell"),
        ("Chirikov", "standard_map"),
        ("Tent", "tent_map"),
        ("Ricker", "ricker"),
        ("Gingerbreadman", "gingerbreadman"),
        ("VanDerPol", "van_der_pol"),
        ("lorenz-63", "lorenz"),
    ],
)
def test_registry_finds_dysts_names(alias, canonical):
    assert dynstab.systems.resolve(alias) == canonical
    assert get(alias).name == canonical


def test_unknown_name_suggests():
    with pytest.raises(KeyError, match=r"did you mean.*'lorenz96'"):
        get("Lorenz97")
    with pytest.raises(KeyError, match="unknown system"):
        get("no_such_system_at_all")


def test_name_index_is_current():
    """catalog/index.json lists every name and alias with its module (regenerate with registry.write_index())."""
    import json

    from dynstab.systems.registry import INDEX_FILE, catalog_index

    shipped = json.loads(INDEX_FILE.read_text())["names"]
    assert shipped == catalog_index(), (
        'catalog/index.json is stale: run `python -c "from dynstab.systems.registry import write_index; write_index()"`'
    )
    assert {canonical for canonical, _ in shipped.values()} == set(ALL)


def _fresh_python(code: str) -> list[str]:
    """The output lines of ``code`` run in a fresh interpreter (nothing of the catalog loaded yet)."""
    import subprocess
    import sys
    import textwrap

    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout.splitlines()


def test_one_name_loads_only_its_module():
    """Resolving a name imports only the catalog module that defines it (catalog/index.json), not all 218 systems."""
    out = _fresh_python("""
        import sys
        from dynstab.systems import get
        prefix = "dynstab.systems.catalog."
        assert get("Henon").name == "henon"
        print(sorted(m[len(prefix):] for m in sys.modules if m.startswith(prefix)))
    """)
    assert out == ["['maps']"]


@pytest.mark.slow
def test_stale_index_falls_back_to_the_full_catalog(tmp_path):
    """An index entry naming the wrong module costs a full load, not a wrong or missing system."""
    bogus = tmp_path / "index.json"
    bogus.write_text('{"names": {"lorenz": ["lorenz", "maps"]}}')
    out = _fresh_python(f"""
        from dynstab.systems import get, registry
        registry.INDEX_FILE = registry.Path({str(bogus)!r})
        assert get("lorenz").name == "lorenz"  # maps does not define it: every module is loaded
        print(len(registry.names()))
    """)
    assert out == [str(len(ALL))]
