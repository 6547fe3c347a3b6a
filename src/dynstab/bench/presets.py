"""Named, frozen benchmark presets: which systems, how they are sampled, how long each split is.

A `Preset` says everything the dataset depends on (`build_dataset` hashes its `Preset.spec`):
the catalog systems, the number of initial conditions per system, the sampling (so many points
per dominant period or per Lyapunov time, both from the catalog's metadata), the length of the
training window and its validation tail, the test horizons and their context, the observation
noise and the seed. Three presets are built in (`PRESETS`):

``dysts2023``
    Gilpin 2023 (Phys. Rev. Research 5, 043252, "Model scale versus domain knowledge in
    statistical forecasting of chaotic systems"): the 135 dysts flows, 100 points per dominant
    period, 5 initial conditions per system, a training window of 10 periods whose last 1/6 is
    the validation split of the hyperparameter search, test horizons of 2 periods ("short", 200
    steps) and 50 periods ("long", 5000 steps), both after a context of the 10 training periods.
``lyapunov30``
    The protocol of PhyxMamba (Liu et al. 2025, arXiv:2505.23863) and Zhang & Gilpin (ICLR 2025,
    "Zero-shot forecasting of chaotic systems"): 30 points per Lyapunov time, 20 trajectories per
    system, a 700-step window (550 training + 150 validation steps, PhyxMamba's
    ``data/generator.py``: the last 1000 points split 550 / 150 / 300) and a 300-step test horizon
    ("h300", 10 Lyapunov times); optional observation noise.
``quick``
    10 systems spanning dimension and lambda_1 (see `QUICK_SYSTEMS`), 2 initial conditions, 50
    points per period, a 10-period window and a 2-period horizon, every model but the deep ones
    (`QUICK_MODELS`) at a fifth of their training epochs: smoke runs and tests.

A preset of one's own is a `Preset(...)` in Python or a few lines of TOML (`load_preset_toml`,
`get_preset` with a path)::

    base = "lyapunov30"  # optional: start from a built-in preset
    name = "lorenz-noisy"
    systems = ["lorenz", "rossler"]
    noise = 0.05  # 5% of each coordinate's standard deviation

Differences from the original protocols: dysts integrated each system with scipy's Radau
(rtol = atol = 1e-12) from its stored initial condition; dynstab integrates with fixed-step RK4
at the catalog's step (`dynstab.simulate.trajectory`) from states drawn on the attractor
(`dynstab.analysis.sampling.sample_initial_conditions`). The dominant periods and Lyapunov times
are dynstab's own catalog metadata (``dynstab catalog annotate``), not dysts' JSON: for 40 of the
135 flows the catalog's period differs from dysts' by more than a factor 2.5 (``lorenz``: 0.758 vs
1.501, a factor 2, within it), so "100 points per period" samples those systems differently; for a
few the catalog period spans hundreds of Lyapunov times (``hyper_xu``: 650 vs dysts' 1.13), so one
sample lies several Lyapunov times after the previous one. The list is in docs/bench.md.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..validation import as_float, as_int

__all__ = [
    "DYSTS_FLOWS",
    "PRESETS",
    "QUICK_SYSTEMS",
    "SAMPLINGS",
    "Preset",
    "check_names",
    "get_preset",
    "load_preset_toml",
]

SAMPLINGS = ("period", "lyapunov")
"""The time units a preset is sampled in: dominant periods or Lyapunov times (catalog metadata)."""

#: The 135 flows of dysts (``dysts/data/chaotic_attractors.json``, 129 ODEs and 6 delay equations),
#: by their dynstab catalog names: every one is in the catalog (the match is
#: `dynstab.systems.dysts_compat.dysts_class_name`, checked by tests/bench/test_presets.py when dysts
#: is installed). The delay equations are observed through their first coordinate (dimension 1).
DYSTS_FLOWS: tuple[str, ...] = (
    'aizawa', 'anishchenko_astakhov', 'arneodo', 'arnold_beltrami_childress', 'arnold_web', 'atmospheric_regime',
    'beer_rnn', 'belousov_zhabotinsky', 'bickley_jet', 'blasius', 'blinking_rotlet', 'blinking_vortex', 'bouali',
    'bouali2', 'burke_shaw', 'ca_two_plus', 'ca_two_plus_quasiperiodic', 'cell_cycle', 'cellular_neural_network',
    'chen', 'chen_lee', 'chua', 'circadian_rhythm', 'coevolving_predator_prey', 'colpitts', 'coullet', 'dadras',
    'dequan_li', 'double_gyre', 'double_pendulum', 'duffing', 'excitable_cell', 'finance', 'fluid_trampoline',
    'forced_brusselator', 'forced_fitzhugh_nagumo', 'forced_van_der_pol', 'genesio_tesi', 'glycolytic_oscillation',
    'guckenheimer_holmes', 'hadley', 'halvorsen', 'hastings_powell', 'henon_heiles', 'hindmarsh_rose', 'hopfield',
    'hyper_bao', 'hyper_cai', 'hyper_jha', 'hyper_lorenz', 'hyper_lu', 'hyper_pang', 'hyper_qi', 'hyper_rossler',
    'hyper_wang', 'hyper_xu', 'hyper_yan', 'hyper_yang_chen', 'ikeda_delay', 'interior_squirmer',
    'isothermal_chemical', 'itik_banks_tumor', 'jerk_circuit', 'kawczynski_strizhak', 'laser',
    'lid_driven_cavity_flow', 'liu_chen', 'lorenz', 'lorenz84', 'lorenz96', 'lorenz_bounded', 'lorenz_coupled',
    'lorenz_stenflo', 'lu_chen', 'lu_chen_cheng', 'macarthur', 'mackey_glass', 'moore_spiegel', 'multi_chua',
    'newton_leipnik', 'nose_hoover', 'nuclear_quadrupole', 'oscillating_flow', 'pan_xu_zhou', 'pehlivan_wei',
    'piecewise_circuit', 'qi', 'qi_chen', 'rabinovich_fabrikant', 'rayleigh_benard', 'rikitake_dynamo', 'rossler',
    'rucklidge', 'sakarya', 'salton_sea', 'san_um_srisuchinwong', 'scroll_delay', 'shimizu_morioka', 'sprott_a',
    'sprott_b', 'sprott_c', 'sprott_d', 'sprott_delay', 'sprott_e', 'sprott_f', 'sprott_g', 'sprott_h', 'sprott_i',
    'sprott_j', 'sprott_jerk', 'sprott_k', 'sprott_l', 'sprott_m', 'sprott_more', 'sprott_n', 'sprott_o',
    'sprott_p', 'sprott_q', 'sprott_r', 'sprott_s', 'sprott_torus', 'stick_slip_oscillator', 'swinging_atwood',
    'thomas', 'thomas_labyrinth', 'torus', 'tsucs2', 'turchin_hanski', 'vallis_el_nino', 'voss_delay', 'wang_sun',
    'windmi_reduced', 'yu_wang', 'yu_wang2', 'zhou_chen',
)  # fmt: skip

#: The ``quick`` preset's systems (catalog lambda_1 per time unit, dimension): chosen to span the
#: dimension (1 to 10) and lambda_1 (0.0069 to 26, 3.6 decades) with the kinds of dynamics the full
#: benchmark holds (dissipative, forced, Hamiltonian, delay, hyperchaotic), among the flows whose
#: catalog period agrees with dysts' (so the sampling is the intended one).
QUICK_SYSTEMS: tuple[str, ...] = (
    "lorenz",  # 0.90, d 3: the reference chaotic flow
    "rossler",  # 0.073, d 3: phase-coherent, slow divergence
    "belousov_zhabotinsky",  # 26, d 3: the fastest divergence of the dysts flows (stiff, dt 1e-5)
    "hastings_powell",  # 0.0069, d 3: the slowest divergence that is clearly chaotic (food chain)
    "duffing",  # 0.10, d 2: periodically forced (time-dependent law)
    "piecewise_circuit",  # 0.028, d 1: a delay equation, observed through one coordinate
    "henon_heiles",  # 0.052, d 4: Hamiltonian (conservative, no attractor)
    "hyper_wang",  # 1.17, d 4: hyperchaotic (two positive exponents)
    "hopfield",  # 0.071, d 6: a neural network
    "lorenz96",  # 1.18, d 10: spatially extended (N = 10, F = 8)
)


#: The ``quick`` preset's models: every built-in model but the deep ones (PhyxMamba and darts' forecasters,
#: minutes per fit each: they run on ``lyapunov30`` / ``dysts2023`` when named), so a smoke run of all the
#: others stays within minutes on two cores.
QUICK_MODELS: tuple[str, ...] = (
    "last_value", "mean", "seasonal_naive", "ridge_ar", "dmd", "hankel_dmd", "havok", "edmd", "sindy", "esn",
    "ngrc", "shplrnn", "alrnn", "neural_ode",
)  # fmt: skip


def _close(name: str, known: Iterable[str], n: int = 3) -> list[str]:
    return difflib.get_close_matches(name, list(known), n=n, cutoff=0.6)


def _unknown_message(what: str, name: str, known: Iterable[str]) -> str:
    close = _close(name, known)
    hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
    return f"unknown {what} {name!r}{hint}"


@dataclass(frozen=True)
class Preset:
    """A frozen benchmark dataset specification (see the module docstring for the built-in ones).

    Lengths are in the preset's units (dominant periods or Lyapunov times) and become steps as
    ``round(units * points_per_unit)``: ``n_train`` training steps, whose last
    ``n_validation = round(n_train * validation_fraction)`` are the validation split; every test
    horizon starts right after the training window and its context is the last ``n_context``
    training steps (so the contexts end where the truths begin).

    Parameters
    ----------
    name : str
        The preset's name (part of the dataset's file name).
    systems : tuple of str
        Catalog flows (names or aliases, checked by `check_names`).
    n_trajectories : int, default 5
        Initial conditions (trajectories) per system, drawn on the attractor with ``seed``.
    sampling : {"period", "lyapunov"}, default "period"
        The time unit: the dominant period or the Lyapunov time 1 / lambda_1, both from the catalog.
    points_per_unit : int, default 100
        Samples per unit (the sampling step is unit / points_per_unit).
    train_units : float, default 10.0
        Length of the training window (validation included).
    validation_fraction : float, default 1/6
        The tail of the training window held out for the hyperparameter search, in (0, 1).
    horizons : dict of str to int, default {"short": 200}
        Test horizons: label -> steps forecast. The first one is the headline horizon.
    context_units : float, default 10.0
        Length of each test's context (at most ``train_units``).
    noise : float, default 0.0
        Observation noise on what models see (training window and contexts, not the truths): a
        Gaussian of standard deviation ``noise`` times each coordinate's standard deviation over
        the trajectory's training window, seeded.
    seed : int, default 0
        Seed of the initial conditions and the noise (each system derives its own, `system_seed`).
    models : tuple of str, default ()
        The models a run uses when none are named; () means every available built-in model.
    transient_units : float, default 5.0
        Run from each drawn initial condition before recording (a delay equation starts from a
        constant history, which needs a few delays to be forgotten).
    training : float, default 1.0
        The fraction of each trained model's epochs (`dynstab.bench.models.ModelSpec.epochs`) its tasks
        use: 1 for the benchmarks, less for a smoke run (``quick``: 0.2). It changes the models, not the
        data: it is not part of the dataset's hash, and enters each result's key through the model's
        grid hash (`dynstab.bench.models.grid_hash`).
    """

    name: str
    systems: tuple[str, ...]
    n_trajectories: int = 5
    sampling: str = "period"
    points_per_unit: int = 100
    train_units: float = 10.0
    validation_fraction: float = 1.0 / 6.0
    horizons: dict[str, int] = field(default_factory=lambda: {"short": 200})
    context_units: float = 10.0
    noise: float = 0.0
    seed: int = 0
    models: tuple[str, ...] = ()
    transient_units: float = 5.0
    training: float = 1.0

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError(f"a preset's name must be a non-empty string, got {self.name!r}")
        if any(ch in self.name for ch in '/\\:*?"<>|'):
            raise ValueError(
                f'preset name {self.name!r} must not contain any of / \\ : * ? " < > | (used in file names)'
            )
        systems = (self.systems,) if isinstance(self.systems, str) else tuple(self.systems)
        if not systems or not all(isinstance(s, str) and s for s in systems):
            raise ValueError(
                f"preset {self.name!r}: systems must be a non-empty list of catalog names, got {self.systems!r}"
            )
        twice = sorted({s for s in systems if systems.count(s) > 1})
        if twice:
            raise ValueError(f"preset {self.name!r}: systems named twice: {', '.join(twice)}")
        models = (self.models,) if isinstance(self.models, str) else tuple(self.models)
        if not all(isinstance(m, str) and m for m in models):
            raise ValueError(f"preset {self.name!r}: models must be a list of model names, got {self.models!r}")
        if self.sampling not in SAMPLINGS:
            raise ValueError(f"preset {self.name!r}: sampling must be one of {SAMPLINGS}, got {self.sampling!r}")
        if not isinstance(self.horizons, Mapping) or not self.horizons:
            raise ValueError(f"preset {self.name!r}: horizons must be a non-empty mapping label -> steps")
        horizons = {}
        for label, steps in self.horizons.items():
            if not isinstance(label, str) or not label or "." in label:
                raise ValueError(
                    f"preset {self.name!r}: horizon label {label!r} must be a non-empty string without '.'"
                )
            horizons[label] = as_int(steps, name=f"horizons[{label!r}] (steps)", minimum=1)
        setter = object.__setattr__  # frozen: normalise the fields once, here
        setter(self, "systems", systems)
        setter(self, "models", models)
        setter(self, "horizons", horizons)
        setter(self, "n_trajectories", as_int(self.n_trajectories, name="n_trajectories", minimum=1))
        setter(self, "points_per_unit", as_int(self.points_per_unit, name="points_per_unit", minimum=2))
        setter(self, "train_units", as_float(self.train_units, name="train_units", minimum=0.0, inclusive="neither"))
        setter(
            self,
            "validation_fraction",
            as_float(
                self.validation_fraction, name="validation_fraction", minimum=0.0, maximum=1.0, inclusive="neither"
            ),
        )
        setter(
            self,
            "context_units",
            as_float(
                self.context_units, name="context_units", minimum=0.0, maximum=self.train_units, inclusive="right"
            ),
        )
        setter(self, "noise", as_float(self.noise, name="noise", minimum=0.0))
        setter(self, "seed", as_int(self.seed, name="seed", minimum=0))
        setter(self, "transient_units", as_float(self.transient_units, name="transient_units", minimum=0.0))
        setter(self, "training", as_float(self.training, name="training", minimum=0.0, maximum=1.0, inclusive="right"))
        if self.n_validation < 1 or self.n_validation >= self.n_train:
            raise ValueError(
                f"preset {self.name!r}: the validation split has {self.n_validation} of the {self.n_train} training "
                "steps; it needs at least 1 and must leave some to train on (change validation_fraction or train_units)"
            )
        if self.n_context < 1:
            raise ValueError(f"preset {self.name!r}: context_units * points_per_unit must give at least one step")

    def __hash__(self) -> int:  # the dict field is not hashable: hash the canonical spec instead
        return hash(self.spec_json())

    @property
    def n_train(self) -> int:
        """Steps of the training window (validation included)."""
        return int(round(self.train_units * self.points_per_unit))

    @property
    def n_validation(self) -> int:
        """Steps of the validation tail of the training window."""
        return int(round(self.n_train * self.validation_fraction))

    @property
    def n_context(self) -> int:
        """Steps of each test's context (the end of the training window)."""
        return int(round(self.context_units * self.points_per_unit))

    @property
    def n_steps(self) -> int:
        """Samples per trajectory: the training window and the longest horizon."""
        return self.n_train + max(self.horizons.values())

    def spec(self) -> dict[str, Any]:
        """Every field that shapes the data, as plain JSON values (what the dataset's hash covers): all but
        ``training``, which shapes the models."""
        out = dataclasses.asdict(self)
        out["systems"] = list(self.systems)
        out["models"] = list(self.models)
        del out["training"]
        return out

    def spec_json(self) -> str:
        """`spec` as canonical JSON (sorted keys, no spaces): the same text for the same preset."""
        return json.dumps(self.spec(), sort_keys=True, separators=(",", ":"))

    def with_systems(self, systems: Iterable[str]) -> Preset:
        """The same preset restricted to (or extended by) ``systems`` (a different dataset and hash).

        Parameters
        ----------
        systems : iterable of str
            Catalog names.

        Returns
        -------
        Preset
        """
        return dataclasses.replace(self, systems=tuple(systems))

    def system_seed(self, system: str, purpose: str) -> int:
        """The seed of one system's random draws: the first 8 bytes of sha256("seed:system:purpose").

        Each system's initial conditions (``purpose="ic"``) and noise (``"noise"``) depend only on
        the preset's seed and the system's name, not on which other systems the preset holds.

        Parameters
        ----------
        system : str
            The canonical system name.
        purpose : str
            What the seed is for.

        Returns
        -------
        int
            In [0, 2**63).
        """
        digest = hashlib.sha256(f"{self.seed}:{system}:{purpose}".encode()).digest()
        return int.from_bytes(digest[:8], "little") >> 1


PRESETS: dict[str, Preset] = {
    "dysts2023": Preset(
        name="dysts2023",
        systems=DYSTS_FLOWS,
        n_trajectories=5,
        sampling="period",
        points_per_unit=100,
        train_units=10.0,
        validation_fraction=1.0 / 6.0,
        horizons={"short": 200, "long": 5000},
        context_units=10.0,
    ),
    "lyapunov30": Preset(
        name="lyapunov30",
        systems=DYSTS_FLOWS,
        n_trajectories=20,
        sampling="lyapunov",
        points_per_unit=30,
        train_units=70.0 / 3.0,
        validation_fraction=3.0 / 14.0,
        horizons={"h300": 300},
        context_units=70.0 / 3.0,
    ),
    "quick": Preset(
        name="quick",
        systems=QUICK_SYSTEMS,
        n_trajectories=2,
        sampling="period",
        points_per_unit=50,
        train_units=10.0,
        validation_fraction=1.0 / 6.0,
        horizons={"short": 100},
        context_units=10.0,
        models=QUICK_MODELS,
        training=0.2,  # a smoke run: the trained models at a fifth of their epochs
    ),
}
"""The built-in presets by name (see the module docstring)."""

_FIELDS = tuple(f.name for f in dataclasses.fields(Preset))


def load_preset_toml(path: str | Path) -> Preset:
    """A preset from a TOML file: the `Preset` fields as keys, and optionally ``base``.

    ``base = "NAME"`` starts from the built-in preset NAME (its name too, unless ``name`` is
    given) and the other keys replace its fields; without ``base``, ``name`` and ``systems`` are
    required. ``horizons`` is a table ``{label = steps}``. Unknown keys are refused naming the close
    matches, before any work; the systems and models are checked by `check_names` when a run starts.

    Parameters
    ----------
    path : str or pathlib.Path
        The TOML file.

    Returns
    -------
    Preset

    Raises
    ------
    ValueError
        For a file that is not valid TOML, an unknown key or base preset, a missing required key,
        or a field out of range.
    FileNotFoundError
        If the file does not exist.
    """
    import tomllib

    path = Path(path)
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: not valid TOML ({exc})") from exc
    unknown = [k for k in data if k not in (*_FIELDS, "base")]
    if unknown:
        raise ValueError(
            f"{path}: "
            + "; ".join(_unknown_message("preset key", k, (*_FIELDS, "base")) for k in unknown)
            + f"; the keys are base, {', '.join(_FIELDS)}"
        )
    base_name = data.pop("base", None)
    if base_name is not None:
        if base_name not in PRESETS:
            raise ValueError(f"{path}: base: " + _unknown_message("preset", str(base_name), PRESETS))
        fields = PRESETS[base_name].spec()
    else:
        missing = [k for k in ("name", "systems") if k not in data]
        if missing:
            raise ValueError(f"{path}: missing {', '.join(missing)} (or give base = a built-in preset to start from)")
        fields = {}
    fields.update(data)
    try:
        return Preset(**fields)
    except TypeError as exc:  # a wrongly typed value (e.g. horizons = 3)
        raise ValueError(f"{path}: {exc}") from exc


def get_preset(name_or_toml_path: str | Path | Preset) -> Preset:
    """A built-in preset by name, or a preset from a TOML file (`load_preset_toml`).

    Parameters
    ----------
    name_or_toml_path : str, pathlib.Path or Preset
        ``"dysts2023"``, ``"lyapunov30"``, ``"quick"``, a path to a ``.toml`` file, or a preset
        (returned as it is).

    Returns
    -------
    Preset

    Raises
    ------
    ValueError
        For an unknown name (naming the close matches) or a bad TOML file.
    """
    if isinstance(name_or_toml_path, Preset):
        return name_or_toml_path
    text = str(name_or_toml_path)
    if text in PRESETS:
        return PRESETS[text]
    path = Path(text).expanduser()
    if path.suffix == ".toml" or path.is_file():
        if not path.is_file():
            raise ValueError(f"preset file {text!r} does not exist")
        return load_preset_toml(path)
    raise ValueError(
        _unknown_message("preset", text, PRESETS) + f"; the presets are {', '.join(PRESETS)}, or give a .toml file"
    )


def check_names(
    systems: Iterable[str] | None,
    models: Iterable[str] | None,
    *,
    known_models: Iterable[str] | None = None,
) -> tuple[list[str], list[str]]:
    """Check system and model names before any work; every unknown one is named with close matches.

    Systems are looked up in the catalog (`dynstab.systems.registry.resolve`: names and aliases,
    dysts' class names included) and must be flows or delay equations (the presets sample by
    periods or Lyapunov times); models in ``known_models`` (default: the keys of
    ``dynstab.bench.models.MODELS``).

    Parameters
    ----------
    systems : iterable of str or None
        System names (None: nothing to check).
    models : iterable of str or None
        Model names (None: nothing to check).
    known_models : iterable of str, optional
        The model names to accept; default the benchmark's registry.

    Returns
    -------
    systems : list of str
        The canonical catalog names, in the given order.
    models : list of str
        The model names, unchanged.

    Raises
    ------
    ValueError
        Naming every unknown system and model (with close matches) and every system that is not a
        flow, in one message.
    """
    problems: list[str] = []
    canonical: list[str] = []
    if systems is not None:
        from ..systems.registry import get, resolve

        for name in [systems] if isinstance(systems, str) else systems:
            try:
                resolved = resolve(name)
            except KeyError as exc:
                problems.append(str(exc.args[0]))
                continue
            kind = get(resolved).kind
            if kind not in ("flow", "delay"):
                problems.append(f"{name!r} is a {kind}: a benchmark preset samples flows by time")
                continue
            canonical.append(resolved)
    model_list = [] if models is None else ([models] if isinstance(models, str) else list(models))
    if model_list:
        if known_models is None:
            from .models import MODELS

            known_models = MODELS
        known = list(known_models)
        problems += [_unknown_message("model", m, known) for m in model_list if m not in known]
    if problems:
        raise ValueError("; ".join(problems))
    return canonical, model_list
