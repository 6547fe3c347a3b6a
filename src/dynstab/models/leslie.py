r"""Leslie (age-structured) population models: single species, predator-prey and competition, Gause's data.

A Leslie matrix has the fecundities :math:`f_1 .. f_n` in its first row and the survival rates
:math:`s_1 .. s_{n-1}` on its sub-diagonal; by Perron-Frobenius its dominant eigenvalue
:math:`\lambda` (`perron`) is the long-run growth factor per step and its eigenvector the stable
age distribution.

Coupled species (`coupled`), after Gilman, Miller, Son, Waheed & Wang, "Leslie population models in
predator-prey and competitive populations" (arXiv:2412.19831, 2024). **The paper's equations
could not be verified** (only its abstract was readable); what is implemented is the
reconstruction in the project notes (shared/notes/seed-models.md, section 4): the Lotka-Volterra
constants replaced by matrices,

.. math::

    x_{t+1} = L_x x_t - A y_t,\qquad y_{t+1} = L_y y_t \pm B x_t

(``+`` predator-prey: x the prey, y the predator; ``-`` competition), with non-negative coupling
matrices A, B. Populations are clipped at zero (an age class driven below zero is empty: a
species that dies out stays out under competition); ``nonnegative=False`` gives the pure linear
map. "Last species standing" (`last_species_standing`): the species whose own operator has the
larger dominant eigenvalue dominates in the long run, the other's share going to zero; checked
against simulation over random parameter draws by `verify_last_species_standing`.

Gause's experiment (`load_gause`, `fit_gause`): P. aurelia and P. caudatum alone and in mixture
(Gause 1934, Fig. 22; the table shipped in ``models/data/gause_1934_book_f22.csv`` with its
source). The linear model cannot level off, so the fit uses the simplest age-structured
competition model the data support: two age classes per species (juveniles, which do not
reproduce, and adults), with the density dependence of Leslie (1948) and Leslie & Gower (1958),
a Beverton-Holt factor on the whole matrix,

.. math::

    n_i(t+1) = D_i L_i n_i(t),\qquad L_i = \begin{pmatrix} 0 & F_i \\ S_i & S_i \end{pmatrix},\qquad
    D_i = \frac{1}{1 + \alpha_{ii} N_i + \alpha_{ij} N_j},

with N the total volume of a species, one step per day. The single-species equilibrium is
N_i* = (lambda_i - 1) / alpha_ii (lambda_i the Perron root of L_i). The "effective operator" of
species i is D_i L_i at the other species' equilibrium N_j*; its Perron root
lambda_i / (1 + alpha_ij N_j*) is the invasion growth factor, and the species whose root exceeds
1 while the other's is below excludes it (`GauseFit.invasion`). (Density dependence on the
fecundity alone fitted slightly worse, residual sd 0.274 against 0.230 in log units, with F ~ 26,
S ~ 0.2 and a period-2 oscillation of the adult/juvenile classes after day 30 that the data do not
show.) The paper fitted its model with a machine-learning scheme; this least-squares fit is
dynstab's own.

References
----------
P. H. Leslie, Biometrika 33, 183 (1945); P. H. Leslie, J. C. Gower, Biometrika 45, 316 (1958)
(the density dependence). G. F. Gause, The Struggle for Existence (1934), Fig. 22. Gilman et al.,
arXiv:2412.19831 (2024).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import Any, cast

import jax
import jax.numpy as jnp
import numpy as np

from .._precision import float64
from ..systems import Map
from ..validation import as_finite_array, as_float, as_int

__all__ = [
    "GAUSE_FILE",
    "GauseData",
    "GauseFit",
    "LastSpecies",
    "coupled",
    "fit_gause",
    "gause_model",
    "last_species_standing",
    "leslie_matrix",
    "load_gause",
    "perron",
    "plot_gause",
    "single_species",
    "verify_last_species_standing",
]

REFERENCE = "Gilman, Miller, Son, Waheed, Wang, arXiv:2412.19831 (2024) (equations reconstructed, unverified)"
KINDS = ("predator-prey", "competition")
#: The Gause table shipped with dynstab.
GAUSE_FILE = "gause_1934_book_f22.csv"
#: Order of the fitted parameters of `fit_gause`.
GAUSE_PARAMS = ("F_c", "S_c", "alpha_cc", "alpha_ca", "F_a", "S_a", "alpha_aa", "alpha_ac", "n0_c", "n0_a")


# ------------------------------------------------------------------------------------------ matrices
def leslie_matrix(fecundity: Any, survival: Any) -> np.ndarray:
    """The Leslie matrix with ``fecundity`` in the first row and ``survival`` on the sub-diagonal.

    Parameters
    ----------
    fecundity : array_like, shape (n,)
        Offspring per individual of each age class per step (>= 0, not all zero).
    survival : array_like, shape (n - 1,)
        Fraction of age class j that survives into class j + 1 (in [0, 1]).

    Returns
    -------
    numpy.ndarray, shape (n, n)

    Raises
    ------
    ValueError
        For negative fecundities, all-zero fecundities, survival outside [0, 1] or mismatched lengths.
    """
    f = as_finite_array(fecundity, name="fecundity", ndim=1)
    s = as_finite_array(survival, name="survival", ndim=1)
    if s.shape[0] != f.shape[0] - 1:
        raise ValueError(f"survival has {s.shape[0]} entries; {f.shape[0]} age classes need {f.shape[0] - 1}")
    if np.any(f < 0) or not np.any(f > 0):
        raise ValueError(f"fecundity must be >= 0 with at least one positive entry, got {f.tolist()}")
    if np.any((s < 0) | (s > 1)):
        raise ValueError(f"survival rates must lie in [0, 1], got {s.tolist()}")
    m = np.zeros((f.shape[0], f.shape[0]))
    m[0] = f
    m[np.arange(1, f.shape[0]), np.arange(f.shape[0] - 1)] = s
    return m


def _as_square(m: Any, name: str) -> np.ndarray:
    a = as_finite_array(m, name=name, ndim=2)
    if a.shape[0] != a.shape[1]:
        raise ValueError(f"{name} must be square, got shape {a.shape}")
    if np.any(a < 0):
        raise ValueError(f"{name} has negative entries; population matrices are non-negative")
    return a


def perron(matrix: Any) -> tuple[float, np.ndarray]:
    """Dominant (Perron) eigenvalue and its eigenvector (non-negative, summing to 1) of a non-negative matrix.

    Parameters
    ----------
    matrix : array_like, shape (n, n)

    Returns
    -------
    lam : float
    v : numpy.ndarray, shape (n,)
        The stable age distribution.
    """
    m = _as_square(matrix, "matrix")
    w, v = np.linalg.eig(m)
    i = int(np.argmax(w.real))
    vec = np.abs(v[:, i].real)
    return float(w[i].real), vec / vec.sum()


# ------------------------------------------------------------------------------------------ systems
@float64
def single_species(fecundity: Any, survival: Any, x0: Any = None) -> Map:
    """One age-structured species, x_{t+1} = L x_t, as a dynstab `Map`.

    Parameters
    ----------
    fecundity, survival : array_like
        See `leslie_matrix`.
    x0 : array_like, optional
        Initial age classes (default the stable age distribution, total 1).

    Returns
    -------
    Map
    """
    m = leslie_matrix(fecundity, survival)
    x0 = perron(m)[1] if x0 is None else _population(x0, m.shape[0], "x0")

    def law(x: Any, p: Any, _t: Any) -> Any:
        return p["L"] @ x

    return cast(
        Map,
        Map.from_law(
            law,
            params={"L": m},
            x0=x0,
            names=[f"age{j + 1}" for j in range(m.shape[0])],
            name="leslie",
            reference="P. H. Leslie, Biometrika 33, 183 (1945)",
            description="age-structured population x_{t+1} = L x_t",
        ),
    )


def _population(x: Any, n: int, name: str) -> np.ndarray:
    a = as_finite_array(x, name=name, shape=(n,))
    if np.any(a < 0):
        raise ValueError(f"{name} has negative populations: {a.tolist()}")
    return a


def _coupling(lx: np.ndarray, ly: np.ndarray, a: Any, b: Any) -> tuple[np.ndarray, np.ndarray]:
    am = as_finite_array(a, name="A", shape=(lx.shape[0], ly.shape[0]))
    bm = as_finite_array(b, name="B", shape=(ly.shape[0], lx.shape[0]))
    if np.any(am < 0) or np.any(bm < 0):
        raise ValueError("the coupling matrices A and B must be non-negative (the sign comes from kind)")
    return am, bm


def _block(lx: Any, ly: Any, a: Any, b: Any, kind: str) -> Any:
    sign = 1.0 if kind == "predator-prey" else -1.0
    top = jnp.concatenate([lx, -a], axis=1)
    bottom = jnp.concatenate([sign * b, ly], axis=1)
    return jnp.concatenate([top, bottom], axis=0)


@float64
def coupled(
    lx: Any, ly: Any, a: Any, b: Any, *, kind: str = "competition", x0: Any = None, nonnegative: bool = True
) -> Map:
    """Two age-structured species coupled through matrices (the notes' reconstruction; see the module docstring).

    z = (x, y), z_{t+1} = max(M z_t, 0) with M = [[L_x, -A], [+-B, L_y]] (``+`` for ``kind="predator-prey"``,
    ``-`` for ``"competition"``); without ``nonnegative`` the pure linear map z_{t+1} = M z_t.

    Parameters
    ----------
    lx, ly : array_like, shape (n, n) and (m, m)
        Leslie (or any non-negative) matrices of the two species.
    a : array_like, shape (n, m)
        Effect of y on x (>= 0).
    b : array_like, shape (m, n)
        Effect of x on y (>= 0).
    kind : {"competition", "predator-prey"}
    x0 : array_like, shape (n + m,), optional
        Initial state (default each species' stable age distribution, total 1 each).
    nonnegative : bool, default True
        Clip populations at zero.

    Returns
    -------
    Map
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    lxm, lym = _as_square(lx, "lx"), _as_square(ly, "ly")
    am, bm = _coupling(lxm, lym, a, b)
    n, m = lxm.shape[0], lym.shape[0]
    x0 = np.concatenate([perron(lxm)[1], perron(lym)[1]]) if x0 is None else _population(x0, n + m, "x0")
    first, second = ("prey", "predator") if kind == "predator-prey" else ("x", "y")

    def law(z: Any, p: Any, _t: Any) -> Any:
        out = _block(p["Lx"], p["Ly"], p["A"], p["B"], kind) @ z
        return jnp.maximum(out, 0.0) if nonnegative else out

    return cast(
        Map,
        Map.from_law(
            law,
            params={"Lx": lxm, "Ly": lym, "A": am, "B": bm},
            x0=x0,
            names=[f"{first}{j + 1}" for j in range(n)] + [f"{second}{j + 1}" for j in range(m)],
            name=f"leslie_{kind.replace('-', '_')}",
            reference=REFERENCE,
            description=f"two coupled Leslie populations ({kind})",
        ),
    )


# ------------------------------------------------------------------------------------------ last species standing
@dataclass(frozen=True)
class LastSpecies:
    """The dominant eigenvalues of two species' own operators and the predicted long-run winner (0: x, 1: y)."""

    lam_x: float
    lam_y: float
    winner: int
    gap: float


def last_species_standing(lx: Any, ly: Any) -> LastSpecies:
    """Predict the long-run dominant species: the one whose own Leslie matrix has the larger Perron root.

    Parameters
    ----------
    lx, ly : array_like
        The two species' Leslie matrices.

    Returns
    -------
    LastSpecies
        ``gap`` is |lambda_x - lambda_y| / max(lambda_x, lambda_y).
    """
    lam_x, lam_y = perron(lx)[0], perron(ly)[0]
    top = max(lam_x, lam_y)
    return LastSpecies(lam_x, lam_y, int(lam_y > lam_x), abs(lam_x - lam_y) / top if top > 0 else 0.0)


@functools.lru_cache(maxsize=8)
def _winner_kernel(n: int, m: int, steps: int, kind: str) -> Any:
    def one(lx: Any, ly: Any, a: Any, b: Any, z0: Any) -> Any:
        mat = _block(lx, ly, a, b, kind)

        def body(z: Any, _: Any) -> Any:
            z = jnp.maximum(mat @ z, 0.0)
            total = jnp.sum(z)
            # the clipped map is positively homogeneous: normalising keeps every ratio and avoids overflow
            return z / jnp.where(total > 0, total, 1.0), None

        z, _ = jax.lax.scan(body, z0, None, length=steps)
        return jnp.sum(z[:n]), jnp.sum(z[n:])

    return jax.jit(jax.vmap(one))


@dataclass(frozen=True)
class Verification:
    """`verify_last_species_standing`'s draws: eigenvalue gaps, predicted and simulated winners, final shares."""

    gap: np.ndarray
    predicted: np.ndarray
    simulated: np.ndarray
    loser_share: np.ndarray
    gap_tol: float

    @property
    def decided(self) -> np.ndarray:
        """Draws whose eigenvalue gap exceeds ``gap_tol``."""
        return self.gap > self.gap_tol

    @property
    def agreement(self) -> float:
        """Fraction of the decided draws where the predicted winner is the simulated one."""
        d = self.decided
        return float(np.mean(self.predicted[d] == self.simulated[d])) if np.any(d) else math.nan


@float64
def verify_last_species_standing(
    draws: int = 500,
    *,
    ages: int = 3,
    coupling: float = 0.05,
    kind: str = "competition",
    steps: int = 2000,
    gap_tol: float | None = None,
    seed: int = 0,
) -> Verification:
    """Check the last-species-standing prediction against simulation over random parameter draws.

    Each draw: two species with ``ages`` age classes, fecundities uniform in [0, 1.5] (the first
    class 0), survival uniform in [0.2, 0.95], coupling entries uniform in [0, ``coupling``],
    initial classes uniform in [0.5, 1.5]; the clipped coupled map (`coupled`) is iterated
    ``steps`` times (normalised each step), and the simulated winner is the species with the
    larger final share.

    Parameters
    ----------
    draws : int, default 500
    ages : int, default 3
    coupling : float, default 0.05
    kind : {"competition", "predator-prey"}
    steps : int, default 2000
    gap_tol : float, optional
        Relative eigenvalue gap above which the prediction is claimed; default 5 x ``coupling``.
        Below it the competitor's early pressure can decide the race (a priority effect): over
        3 x 2000 draws at each coupling 0.005, 0.02 and 0.05 the mismatches all had gaps below
        3.5 x ``coupling`` (docs/models/leslie.md).
    seed : int, default 0

    Returns
    -------
    Verification
    """
    draws = as_int(draws, name="draws", minimum=1)
    ages = as_int(ages, name="ages", minimum=1)
    coupling = as_float(coupling, name="coupling", minimum=0.0)
    steps = as_int(steps, name="steps", minimum=1)
    gap_tol = 5.0 * coupling if gap_tol is None else as_float(gap_tol, name="gap_tol", minimum=0.0)
    seed = as_int(seed, name="seed", minimum=0)
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    rng = np.random.default_rng(seed)

    def leslie_batch() -> np.ndarray:
        f = rng.uniform(0.0, 1.5, (draws, ages))
        if ages > 1:
            f[:, 0] = 0.0
        s = rng.uniform(0.2, 0.95, (draws, max(ages - 1, 0)))
        out = np.zeros((draws, ages, ages))
        out[:, 0] = f
        out[:, np.arange(1, ages), np.arange(ages - 1)] = s
        return out

    lx, ly = leslie_batch(), leslie_batch()
    a = rng.uniform(0.0, coupling, (draws, ages, ages))
    b = rng.uniform(0.0, coupling, (draws, ages, ages))
    z0 = rng.uniform(0.5, 1.5, (draws, 2 * ages))
    z0 /= z0.sum(axis=1, keepdims=True)
    sx, sy = (np.asarray(v) for v in _winner_kernel(ages, ages, steps, kind)(lx, ly, a, b, z0))
    preds = [last_species_standing(p, q) for p, q in zip(lx, ly, strict=True)]
    simulated = (sy > sx).astype(int)
    total = np.where(sx + sy > 0, sx + sy, 1.0)
    return Verification(
        np.array([p.gap for p in preds]),
        np.array([p.winner for p in preds]),
        simulated,
        np.minimum(sx, sy) / total,
        gap_tol,
    )


# ------------------------------------------------------------------------------------------ Gause's data
@dataclass(frozen=True)
class GauseData:
    """Gause (1934) Fig. 22: volumes of P. caudatum and P. aurelia (NaN: no reading) by day and treatment."""

    day: np.ndarray
    caudatum: dict[str, np.ndarray]
    aurelia: dict[str, np.ndarray]
    source: str


def load_gause(path: Any = None) -> GauseData:
    """Read the shipped Gause table (or a file of the same columns).

    Parameters
    ----------
    path : str or Path, optional
        A CSV with columns Day, Treatment (Pc, Pa, Mixture), Volume_caudatum, Volume_aurelia;
        default the table shipped with dynstab.

    Returns
    -------
    GauseData
        Per treatment, the series on days 0 .. 25 (NaN where there is no reading).

    Raises
    ------
    FileNotFoundError
        If the data file is missing (the message names it).
    ValueError
        For a file without the expected columns or treatments.
    """
    import csv
    import io

    if path is None:
        res = resources.files("dynstab.models").joinpath("data", GAUSE_FILE)
        if not res.is_file():
            raise FileNotFoundError(
                f"the Gause data file {GAUSE_FILE} is missing from dynstab/models/data (a broken install?)"
            )
        text, source = res.read_text(encoding="utf-8"), f"dynstab/models/data/{GAUSE_FILE}"
    else:
        from pathlib import Path

        p = Path(path)
        if not p.is_file():
            raise FileNotFoundError(f"no Gause data file at {p}")
        text, source = p.read_text(encoding="utf-8"), str(p)
    rows = list(csv.DictReader(io.StringIO("\n".join(ln for ln in text.splitlines() if not ln.startswith("#")))))
    need = {"Day", "Treatment", "Volume_caudatum", "Volume_aurelia"}
    if not rows or not need <= set(rows[0]):
        raise ValueError(f"{source} needs the columns {sorted(need)}")
    day = np.arange(26)
    cau = {tr: np.full(26, np.nan) for tr in ("Pc", "Pa", "Mixture")}
    aur = {tr: np.full(26, np.nan) for tr in ("Pc", "Pa", "Mixture")}
    for r in rows:
        tr, d = r["Treatment"], int(float(r["Day"]))
        if tr not in cau or not 0 <= d < 26:
            raise ValueError(f"{source}: unexpected row {r}")
        for store, key in ((cau, "Volume_caudatum"), (aur, "Volume_aurelia")):
            if r[key] not in ("", None):
                store[tr][d] = float(r[key])
    return GauseData(day, cau, aur, source)


def _gause_params(theta: Any) -> Any:
    """Fit coordinates (log F, logit S, log alpha, log alpha; per species; log n0) -> model parameters."""
    e = jnp.exp(theta)
    s = jax.nn.sigmoid(theta)
    return jnp.stack([e[0], s[1], e[2], e[3], e[4], s[5], e[6], e[7], e[8], e[9]])


def _gause_step(p: Any, z: Any) -> Any:
    """One day of the two-age Leslie-Gower competition model; z = (c_juv, c_adult, a_juv, a_adult)."""
    nc, na = z[0] + z[1], z[2] + z[3]
    dc = 1.0 / (1.0 + p[2] * nc + p[3] * na)
    da = 1.0 / (1.0 + p[6] * na + p[7] * nc)
    return jnp.stack([dc * p[0] * z[1], dc * p[1] * (z[0] + z[1]), da * p[4] * z[3], da * p[5] * (z[2] + z[3])])


def _stable(f: Any, s: Any) -> Any:
    """Stable age distribution of [[0, f], [s, s]] (total 1): lambda^2 - s lambda - f s = 0, v = (f, lambda)."""
    lam = 0.5 * (s + jnp.sqrt(s * s + 4.0 * f * s))
    return jnp.stack([f, lam]) / (f + lam)


def _gause_runs(p: Any, days: int = 26) -> Any:
    """Totals (caudatum, aurelia) on days 0 .. days-1 of the three treatments (Pc, Pa, Mixture)."""
    zc = p[8] * _stable(p[0], p[1])
    za = p[9] * _stable(p[4], p[5])
    zero = jnp.zeros(2)
    starts = jnp.stack([jnp.concatenate([zc, zero]), jnp.concatenate([zero, za]), jnp.concatenate([zc, za])])

    def run(z0: Any) -> Any:
        # a hand-written scan, not dynstab.trajectory: the least-squares fit differentiates it (jacfwd)
        def body(z: Any, _: Any) -> Any:
            return _gause_step(p, z), jnp.stack([z[0] + z[1], z[2] + z[3]])

        return jax.lax.scan(body, z0, None, length=days)[1]

    return jax.vmap(run)(starts)


def _invasion_factors(theta: Any) -> Any:
    """(caudatum, aurelia) invasion growth factors as a JAX function of the fit coordinates."""
    p = _gause_params(theta)
    lam_c = 0.5 * (p[1] + jnp.sqrt(p[1] ** 2 + 4.0 * p[0] * p[1]))
    lam_a = 0.5 * (p[5] + jnp.sqrt(p[5] ** 2 + 4.0 * p[4] * p[5]))
    eq_c = jnp.maximum((lam_c - 1.0) / p[2], 0.0)
    eq_a = jnp.maximum((lam_a - 1.0) / p[6], 0.0)
    return jnp.stack([lam_c / (1.0 + p[3] * eq_a), lam_a / (1.0 + p[7] * eq_c)])


@float64
def gause_model(params: Any, treatment: str = "Mixture") -> Map:
    """The fitted two-age Leslie-Gower competition model as a dynstab `Map` (state c_juv, c_adult, a_juv, a_adult).

    Parameters
    ----------
    params : array_like, shape (10,)
        In the order `GAUSE_PARAMS` (``GauseFit.params``).
    treatment : {"Mixture", "Pc", "Pa"}
        Which species start (from n0 in the stable age distribution).

    Returns
    -------
    Map
    """
    p = as_finite_array(params, name="params", shape=(10,))
    if np.any(p <= 0) or not 0 < p[1] < 1 or not 0 < p[5] < 1:
        raise ValueError("params must be positive with survival rates S_c, S_a in (0, 1)")
    if treatment not in ("Mixture", "Pc", "Pa"):
        raise ValueError(f"treatment must be 'Mixture', 'Pc' or 'Pa', got {treatment!r}")
    zc = p[8] * np.asarray(_stable(p[0], p[1])) * (treatment != "Pa")
    za = p[9] * np.asarray(_stable(p[4], p[5])) * (treatment != "Pc")

    def law(z: Any, q: Any, _t: Any) -> Any:
        return _gause_step(q["p"], z)

    return cast(
        Map,
        Map.from_law(
            law,
            params={"p": p},
            x0=np.concatenate([zc, za]),
            names=["caudatum_juv", "caudatum_adult", "aurelia_juv", "aurelia_adult"],
            name="gause_leslie_gower",
            reference="Gause (1934) Fig. 22; Leslie & Gower, Biometrika 45, 316 (1958)",
            description="two-age Leslie-Gower competition of P. caudatum and P. aurelia (one step = one day)",
        ),
    )


@dataclass(frozen=True)
class GauseFit:
    """Least-squares fit of the two-age Leslie-Gower model to Gause's Fig. 22 (see `fit_gause`)."""

    params: np.ndarray
    stderr: np.ndarray
    theta: np.ndarray
    theta_cov: np.ndarray
    residual_sd: float
    n_points: int
    data: GauseData

    @property
    def table(self) -> dict[str, tuple[float, float]]:
        """Parameter name -> (value, standard error)."""
        return {k: (float(v), float(e)) for k, v, e in zip(GAUSE_PARAMS, self.params, self.stderr, strict=True)}

    @float64
    def curves(self, days: int = 26) -> np.ndarray:
        """Model totals, shape (3 treatments Pc, Pa, Mixture, days, 2 species caudatum, aurelia)."""
        return np.asarray(_gause_runs(jnp.asarray(self.params), as_int(days, name="days", minimum=1)))

    def growth(self, species: str) -> float:
        """Low-density growth factor per day: the Perron root of L = [[0, F], [S, S]]."""
        f, s = self._species(species)[:2]
        return perron(np.array([[0.0, f], [s, s]]))[0]

    def equilibrium(self, species: str) -> float:
        """Single-species equilibrium volume N* = (lambda - 1) / alpha_ii (where D lambda = 1); 0 if lambda <= 1."""
        a = self._species(species)[2]
        return max(0.0, (self.growth(species) - 1.0) / a)

    def _species(self, species: str) -> tuple[float, float, float, float]:
        p = self.params
        if species == "caudatum":
            return float(p[0]), float(p[1]), float(p[2]), float(p[3])
        if species == "aurelia":
            return float(p[4]), float(p[5]), float(p[6]), float(p[7])
        raise ValueError(f"species must be 'caudatum' or 'aurelia', got {species!r}")

    def invasion(self) -> dict[str, float]:
        """Perron roots of each species' effective operator at the other's equilibrium (invasion growth factors)."""
        out = {}
        for me, other in (("caudatum", "aurelia"), ("aurelia", "caudatum")):
            cross = self._species(me)[3]
            out[me] = self.growth(me) / (1.0 + cross * self.equilibrium(other))
        return out

    @float64
    def invasion_stderr(self) -> dict[str, float]:
        """Standard errors of `invasion` by the delta method on the fit's covariance (closed-form Perron roots)."""
        g = np.asarray(jax.jacfwd(_invasion_factors)(jnp.asarray(self.theta)))
        return {
            k: float(np.sqrt(row @ self.theta_cov @ row)) for k, row in zip(("caudatum", "aurelia"), g, strict=True)
        }

    @float64
    def forward(self, days: int = 1000) -> np.ndarray:
        """The mixture simulated by `dynstab.trajectory` of `gause_model`: totals (days + 1, 2) (caudatum, aurelia)."""
        from ..simulate import trajectory

        x = trajectory(gause_model(self.params, "Mixture"), n=as_int(days, name="days", minimum=1)).x
        return np.stack([x[:, 0] + x[:, 1], x[:, 2] + x[:, 3]], axis=1)


@float64
def fit_gause(
    data: GauseData | None = None,
    *,
    starts: int = 8,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> GauseFit:
    """Fit the two-age Leslie-Gower competition model to Gause's three cultures by least squares.

    Residuals are log(model) - log(data) over every reading (the cultures span 6 to 240 volume
    units; a multiplicative error). The ten parameters (`GAUSE_PARAMS`: F, S, alpha_ii, alpha_ij per
    species and the day-0 volumes n0) are fitted in log / logit coordinates by
    ``scipy.optimize.least_squares`` (Levenberg-Marquardt, JAX Jacobian) from ``starts`` seeded
    random starts; the standard errors come from the Jacobian covariance s^2 (J^T J)^-1 of the best
    fit, carried to the parameters by the delta method.

    Parameters
    ----------
    data : GauseData, optional
        Default `load_gause`.
    starts : int, default 8
        Random starts.
    seed : int, default 0
    progress : callable, optional
        ``progress(done, starts)`` after each start (Ctrl-C stops between starts).

    Returns
    -------
    GauseFit
    """
    from scipy.optimize import least_squares

    data = load_gause() if data is None else data
    starts = as_int(starts, name="starts", minimum=1)
    seed = as_int(seed, name="seed", minimum=0)
    obs = np.stack(
        [np.stack([data.caudatum[t], data.aurelia[t]], axis=1) for t in ("Pc", "Pa", "Mixture")]
    )  # (3, 26, 2)
    mask = np.isfinite(obs) & (obs > 0)
    mask[0, :, 1] = False  # aurelia absent from the caudatum culture (recorded as 0)
    idx = np.nonzero(mask)
    logy = np.log(obs[idx])

    def residuals(theta: Any) -> Any:
        return jnp.log(_gause_runs(_gause_params(theta))[idx]) - logy

    fun = jax.jit(residuals)
    jac = jax.jit(jax.jacfwd(residuals))
    base = np.array([math.log(2.0), 0.0, math.log(0.01), math.log(0.01)] * 2 + [0.0, 0.0])
    spread = np.array([1.0, 1.0, 2.0, 2.0] * 2 + [1.0, 1.0])
    rng = np.random.default_rng(seed)
    best = None
    if progress is not None:
        progress(0, starts)
    for k in range(starts):
        x0 = base if k == 0 else base + spread * rng.standard_normal(10)
        with np.errstate(all="ignore"):
            sol = least_squares(
                lambda th: np.asarray(fun(th)), x0, jac=lambda th: np.asarray(jac(th)), method="lm", max_nfev=4000
            )
        if np.all(np.isfinite(sol.fun)) and (best is None or sol.cost < best.cost):
            best = sol
        if progress is not None:
            progress(k + 1, starts)
    if best is None:
        raise RuntimeError("no start of the Gause fit converged to finite residuals; try more starts")
    n = len(logy)
    s2 = 2.0 * best.cost / (n - 10)
    j = np.asarray(jac(best.x))
    cov = s2 * np.linalg.pinv(j.T @ j)
    se_theta = np.sqrt(np.diag(cov))
    p = np.asarray(_gause_params(jnp.asarray(best.x)))
    # delta method: d p / d theta is p for the log coordinates and S (1 - S) for the logit ones
    deriv = p.copy()
    deriv[[1, 5]] = p[[1, 5]] * (1.0 - p[[1, 5]])
    return GauseFit(p, np.abs(deriv) * se_theta, np.asarray(best.x), cov, math.sqrt(s2), n, data)


def plot_gause(fit: GauseFit) -> Any:
    """Gause's three cultures (points) with the fitted model (lines) and the mixture run on to 100 days.

    Parameters
    ----------
    fit : GauseFit

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    curves = fit.curves(26)
    fig, axes = plt.subplots(1, 4, figsize=(16.0, 4.2), layout="constrained")
    colors = {"caudatum": "tab:blue", "aurelia": "tab:red"}
    for ax, (k, tr) in zip(axes[:3], enumerate(("Pc", "Pa", "Mixture")), strict=True):
        for j, (sp, series) in enumerate((("caudatum", fit.data.caudatum), ("aurelia", fit.data.aurelia))):
            if (tr, sp) in (("Pc", "aurelia"), ("Pa", "caudatum")):
                continue
            ax.plot(fit.data.day, series[tr], "o", color=colors[sp], label=f"P. {sp} (Gause 1934)")
            ax.plot(fit.data.day, curves[k, :, j], "-", color=colors[sp], label=f"P. {sp} (fit)")
        ax.set_title({"Pc": "P. caudatum alone", "Pa": "P. aurelia alone", "Mixture": "mixture"}[tr])
        ax.set_xlabel("day")
        ax.set_ylabel("volume (Gause's units)")
        ax.legend(fontsize=7)
    run = fit.forward(100)
    axes[3].semilogy(
        np.arange(run.shape[0]), np.maximum(run[:, 0], 1e-30), color=colors["caudatum"], label="P. caudatum"
    )
    axes[3].semilogy(np.arange(run.shape[0]), run[:, 1], color=colors["aurelia"], label="P. aurelia")
    axes[3].set_xlabel("day")
    axes[3].set_ylabel("volume (Gause's units)")
    axes[3].set_title("fitted mixture, run on: exclusion")
    axes[3].legend(fontsize=7)
    return fig
