"""Phonon (dynamical) stability of crystals: the PhononBench criterion with ASE and phonopy.

A crystal at a minimum of its potential energy is dynamically stable iff every phonon frequency
is real: the force-constant matrix (the Hessian of the energy in the atomic displacements) is
positive semi-definite at every wave vector q. An imaginary mode (reported by phonopy as a
negative frequency) is an unstable direction: the structure sits at a saddle. `phonon_stability`
runs the workflow of PhononBench (Han et al. 2025, ``phonon_from_cif_single.py``) with a
classical potential instead of their MLIP:

1. read the structure (ASE ``Atoms``, a CIF path or a built-in name from `BUILTIN_STRUCTURES`),
   refuse overlapping atoms (two atoms, or an atom and its periodic image, closer than
   ``min_distance``) before any calculation;
2. relax positions and cell with ASE: ``FrechetCellFilter`` + ``BFGS`` to ``fmax``, the space group
   kept (``FixSymmetry``, PhononBench's "symmetry fixed"; an unstable high-symmetry structure stays
   at its saddle instead of sliding off it);
3. finite displacements of 0.01 A in a supercell (default 3x3x3 for cells of up to 4 atoms, else
   2x2x2), forces with the calculator, the mean drift force of each displaced supercell subtracted,
   force constants produced and symmetrized by phonopy;
4. band structure along the standard path of phonopy's primitive cell (ASE's Setyawan-Curtarolo
   path, ``Cell.bandpath``, interpolated by phonopy's ``get_band_qpoints_and_path_connections``;
   101 points per segment; PhononBench uses seekpath, which is not installed here and whose
   standardized cell would need a change of basis; the two paths agree on the cubic lattices) and a
   Gamma-centred mesh (default 12^3);
5. verdict: stable iff the smallest frequency (band and mesh) is >= ``threshold`` (default
   -0.1 THz, PhononBench v3; ``strict`` -0.001 THz). The three acoustic modes at Gamma come out as
   tiny negative numbers from the finite differences, hence a tolerance.

Units: energies in eV, lengths in A, masses in amu; phonopy's default conversion factor then gives
THz. Under EMT (Jacobsen, Stoltze & Norskov 1996) fcc Cu and Al are stable, bcc Cu (-1.17 THz) and
simple-cubic Cu (-3.49 THz) are not (the verified table of ../shared/notes/seed-models.md, section 7).

References
----------
X. Han, Z. Gao, Y. Li, W. Guo, Y. Lu, "PhononBench: ...", arXiv:2512.21227 (2025); code
github.com/xqh19970407/PhononBench (MatterSim relaxation at fmax 0.005 eV/A with fixed cell, 2x2x2
supercell by default: this module relaxes the cell as well, under a classical potential).
A. Togo, L. Chaput, T. Tadano, I. Tanaka, "Implementation strategies in phonopy and phono3py",
J. Phys.: Condens. Matter 35, 353001 (2023), doi:10.1088/1361-648X/acd831.
W. Setyawan, S. Curtarolo, "High-throughput electronic band structure calculations", Comput. Mater.
Sci. 49, 299 (2010), doi:10.1016/j.commatsci.2010.05.010 (the ASE band path).
K. W. Jacobsen, P. Stoltze, J. K. Norskov, "A semi-empirical effective medium theory for metals and
alloys", Surf. Sci. 366, 394 (1996), doi:10.1016/0039-6028(96)00816-3 (EMT).
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..validation import as_float, as_int, as_positive_float

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: PhononBench v3's default threshold (THz) and its strict one.
DEFAULT_THRESHOLD = -0.1
STRICT_THRESHOLD = -0.001
#: Finite-displacement amplitude (A), as PhononBench.
DISPLACEMENT = 0.01

#: Built-in demo structures: name -> (element, crystal structure, lattice constant in A before relaxation).
BUILTIN_STRUCTURES: dict[str, tuple[str, str, float]] = {
    "cu-fcc": ("Cu", "fcc", 3.61),
    "cu-bcc": ("Cu", "bcc", 2.87),
    "cu-sc": ("Cu", "sc", 2.40),
    "al-fcc": ("Al", "fcc", 4.05),
    "ni-fcc": ("Ni", "fcc", 3.52),
    "ag-fcc": ("Ag", "fcc", 4.09),
    "au-fcc": ("Au", "fcc", 4.08),
}
CALCULATORS = ("emt", "lj")


@dataclass
class PhononResult:
    """The outcome of `phonon_stability`.

    Attributes
    ----------
    formula : str
        Chemical formula of the relaxed cell.
    min_frequency, max_frequency : float
        Smallest (most negative: an imaginary mode) and largest frequency in THz over the band path and
        the mesh.
    threshold : float
        The threshold (THz) of the verdict.
    stable : bool
        ``min_frequency >= threshold``.
    band_distances : list of numpy.ndarray
        Path coordinate (1/A) of each segment's q-points.
    band_frequencies : list of numpy.ndarray
        Frequencies (THz), one array (n_q, n_bands) per segment.
    labels : list of str
        High-symmetry point labels at the segment ends (``G`` for Gamma).
    label_positions : list of float
        Path coordinates of the labels.
    mesh_frequencies : numpy.ndarray
        Frequencies (THz) on the mesh, shape (n_irreducible_q, n_bands).
    settings : dict
        What was run: calculator, supercell, displacement, mesh, fmax, relaxed or not, band-path source...
    versions : dict
        ase, phonopy, spglib and dynstab versions.
    lattice_constants : list of float
        |a|, |b|, |c| (A) of the relaxed cell.
    timings : dict
        Seconds spent relaxing, computing forces and phonons.
    """

    formula: str
    min_frequency: float
    max_frequency: float
    threshold: float
    stable: bool
    band_distances: list[np.ndarray]
    band_frequencies: list[np.ndarray]
    labels: list[str]
    label_positions: list[float]
    mesh_frequencies: np.ndarray
    settings: dict[str, Any]
    versions: dict[str, str]
    lattice_constants: list[float]
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def verdict(self) -> str:
        """``"stable"`` or ``"unstable"`` at the threshold."""
        return "stable" if self.stable else "unstable"

    @property
    def min_band_frequency(self) -> float:
        """Smallest frequency along the band path (THz)."""
        return float(min(np.min(f) for f in self.band_frequencies))

    def to_dict(self, bands: bool = True) -> dict[str, Any]:
        """A JSON-ready dict (plain floats and lists).

        Parameters
        ----------
        bands : bool, default True
            Include the band and mesh frequencies (the bulk of the output).

        Returns
        -------
        dict
        """
        out: dict[str, Any] = {
            "formula": self.formula,
            "verdict": self.verdict,
            "stable": bool(self.stable),
            "min_frequency_THz": float(self.min_frequency),
            "max_frequency_THz": float(self.max_frequency),
            "min_band_frequency_THz": self.min_band_frequency,
            "threshold_THz": float(self.threshold),
            "lattice_constants_A": [float(v) for v in self.lattice_constants],
            "labels": list(self.labels),
            "label_positions": [float(v) for v in self.label_positions],
            "settings": self.settings,
            "versions": self.versions,
            "timings_s": {k: float(v) for k, v in self.timings.items()},
        }
        if bands:
            out["band_distances"] = [np.asarray(d).tolist() for d in self.band_distances]
            out["band_frequencies_THz"] = [np.asarray(f).tolist() for f in self.band_frequencies]
            out["mesh_frequencies_THz"] = np.asarray(self.mesh_frequencies).tolist()
        return out

    def plot(self, ax: Any = None) -> Figure:
        """Band-structure figure: frequency (THz) along the path, labels at the high-symmetry points,
        the zero line and the threshold marked.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes to draw on (default a new figure).

        Returns
        -------
        matplotlib.figure.Figure
        """

        from ..plotting import figure_axes

        fig, ax = figure_axes(ax, (6.0, 4.6))
        for i, (d, f) in enumerate(zip(self.band_distances, self.band_frequencies, strict=True)):
            ax.plot(d, f, color="C0", lw=1.0, label="phonon bands" if i == 0 else None)
        for x in self.label_positions:
            ax.axvline(x, color="0.7", lw=0.6)
        ax.axhline(0.0, color="k", lw=0.8, label="0 THz")
        ax.axhline(self.threshold, color="C3", ls="--", lw=1.0, label=f"threshold {self.threshold:g} THz")
        ax.set_xticks(self.label_positions)
        ax.set_xticklabels(["Γ" if lab in ("G", "GAMMA", "Γ") else lab for lab in self.labels])
        lo, hi = self.band_distances[0][0], self.band_distances[-1][-1]
        ax.set_xlim(lo, hi)
        ax.set_xlabel("wave vector along the high-symmetry path")
        ax.set_ylabel("frequency (THz)")
        ax.set_title(
            f"{self.formula}: {self.verdict} (min {self.min_frequency:.3f} THz, {self.settings['calculator']})"
        )
        ax.legend(loc="best", fontsize="small")
        return fig


# --- input ------------------------------------------------------------------------------------


def builtin_structure(name: str) -> Any:
    """One of `BUILTIN_STRUCTURES` as an ASE ``Atoms`` (``ase.build.bulk``, primitive cell).

    Parameters
    ----------
    name : str
        E.g. ``"cu-fcc"``, ``"cu-bcc"``, ``"cu-sc"``, ``"al-fcc"``.

    Returns
    -------
    ase.Atoms
    """
    from ase.build import bulk

    key = name.lower().replace("_", "-")
    if key not in BUILTIN_STRUCTURES:
        raise ValueError(f"unknown built-in structure {name!r}; known: {', '.join(BUILTIN_STRUCTURES)}")
    element, crystal, a = BUILTIN_STRUCTURES[key]
    return bulk(element, crystal, a=a)


def read_structure(structure: Any) -> Any:
    """The structure as ASE ``Atoms``: an ``Atoms`` (copied), a built-in name, or a file (CIF or any
    format ASE reads).

    Parameters
    ----------
    structure : ase.Atoms, str or path
        The crystal.

    Returns
    -------
    ase.Atoms

    Raises
    ------
    FileNotFoundError
        For a path that does not exist.
    ValueError
        For a file ASE cannot parse, or one without atoms or without a 3-D periodic cell.
    TypeError
        For anything else.
    """
    from ase import Atoms

    if isinstance(structure, Atoms):
        atoms = structure.copy()
    elif isinstance(structure, str | Path):
        text = str(structure)
        if text.lower().replace("_", "-") in BUILTIN_STRUCTURES and not Path(text).exists():
            return builtin_structure(text)
        path = Path(text)
        if not path.exists():
            raise FileNotFoundError(
                2, f"no such structure file (nor a built-in name: {', '.join(BUILTIN_STRUCTURES)})", str(path)
            )
        if path.is_dir():
            raise ValueError(f"structure {path} is a folder; give a CIF file")
        try:
            from ase.io import read

            atoms = read(str(path))
        except Exception as exc:  # noqa: BLE001  (ASE raises many kinds: StopIteration, IndexError, ValueError...)
            reason = str(exc) or type(exc).__name__
            raise ValueError(f"cannot read the structure file {path}: {reason}; is it a valid CIF?") from None
        if isinstance(atoms, list):
            atoms = atoms[0]
    else:
        raise TypeError(f"structure must be ASE Atoms, a CIF path or a built-in name, got {type(structure).__name__}")
    if len(atoms) == 0:
        raise ValueError("the structure has no atoms")
    if not all(atoms.pbc) or atoms.cell.rank != 3:
        raise ValueError("the structure needs a 3-D periodic cell (a crystal) for phonons")
    return atoms


def check_overlap(atoms: Any, min_distance: float = 0.5) -> None:
    """Refuse a structure with two atoms (or an atom and a periodic image) closer than ``min_distance`` A.

    Parameters
    ----------
    atoms : ase.Atoms
    min_distance : float, default 0.5
        A.

    Raises
    ------
    ValueError
        Naming the closest pair and its distance.
    """
    from ase.neighborlist import neighbor_list

    i, j, d = neighbor_list("ijd", atoms, float(min_distance), self_interaction=False)
    if len(d):
        k = int(np.argmin(d))
        raise ValueError(
            f"atoms overlap: atom {int(i[k])} ({atoms[int(i[k])].symbol}) and atom {int(j[k])} "
            f"({atoms[int(j[k])].symbol}) are {float(d[k]):.3f} A apart (< {min_distance:g} A); fix the structure"
        )


def make_calculator(calculator: Any) -> Any:
    """An ASE calculator: ``"emt"`` (default), ``"lj"`` (LennardJones, eps = 1 eV, sigma = 1 A, rc = 3,
    smooth), or any ASE calculator object (returned as is).

    Parameters
    ----------
    calculator : str or ase.calculators.calculator.BaseCalculator

    Returns
    -------
    ASE calculator
    """
    if isinstance(calculator, str):
        key = calculator.lower()
        if key == "emt":
            from ase.calculators.emt import EMT

            return EMT()
        if key in ("lj", "lennardjones", "lennard-jones"):
            from ase.calculators.lj import LennardJones

            return LennardJones(epsilon=1.0, sigma=1.0, rc=3.0, smooth=True)
        raise ValueError(f"unknown calculator {calculator!r}; use one of {CALCULATORS} or pass an ASE calculator")
    if not hasattr(calculator, "get_forces") and not hasattr(calculator, "calculate"):
        raise TypeError(f"calculator must be 'emt', 'lj' or an ASE calculator, got {type(calculator).__name__}")
    return calculator


def _check_emt_elements(atoms: Any, calc: Any) -> None:
    from ase.calculators.emt import EMT, parameters

    if isinstance(calc, EMT):
        missing = sorted(set(atoms.get_chemical_symbols()) - set(parameters))
        if missing:
            raise ValueError(
                f"EMT has no parameters for {', '.join(missing)} (it knows {', '.join(sorted(parameters))}); "
                "pass another ASE calculator"
            )


def default_supercell(atoms: Any) -> tuple[int, int, int]:
    """3x3x3 for cells of up to 4 atoms (the verified EMT table), 2x2x2 for larger cells (PhononBench's default)."""
    return (3, 3, 3) if len(atoms) <= 4 else (2, 2, 2)


def _as_triple(value: Any, name: str) -> tuple[int, int, int]:
    if isinstance(value, str):
        parts = [p for p in value.replace("x", ",").split(",") if p.strip()]
    else:
        parts = list(np.atleast_1d(value))
    if len(parts) == 1:
        parts = parts * 3
    if len(parts) != 3:
        raise ValueError(f"{name} needs three positive integers, e.g. 3,3,3; got {value!r}")
    try:
        return tuple(as_int(p if not isinstance(p, str) else int(p), name=name, minimum=1) for p in parts)  # type: ignore[return-value]
    except ValueError:
        raise ValueError(f"{name} needs three positive integers, e.g. 3,3,3; got {value!r}") from None


# --- the workflow ------------------------------------------------------------------------------


def relax(atoms: Any, fmax: float = 1e-3, steps: int = 500, fix_symmetry: bool = True) -> Any:
    """Relax positions and cell in place: ``FrechetCellFilter`` + ``BFGS`` (ASE), space group kept.

    Parameters
    ----------
    atoms : ase.Atoms
        With a calculator attached.
    fmax : float, default 1e-3
        Force (eV/A) and stress (as the filter scales it) tolerance.
    steps : int, default 500
        Most BFGS steps.
    fix_symmetry : bool, default True
        Keep the space group (``ase.constraints.FixSymmetry``).

    Returns
    -------
    ase.Atoms
        ``atoms`` (relaxed).
    """
    from ase.filters import FrechetCellFilter
    from ase.optimize import BFGS

    if fix_symmetry:
        from ase.constraints import FixSymmetry

        atoms.set_constraint(FixSymmetry(atoms))
    opt = BFGS(FrechetCellFilter(atoms), logfile=None)  # type: ignore[arg-type]  # ASE's stubs: filters are accepted
    opt.run(fmax=fmax, steps=steps)
    atoms.set_constraint()
    return atoms


def _band_path(primitive_cell: np.ndarray, npoints: int) -> tuple[list, list, list, str]:
    """q-points along the standard path in the primitive reciprocal basis, connections and labels.

    ASE's Setyawan-Curtarolo path (``Cell.bandpath``) in scaled coordinates of phonopy's primitive cell,
    interpolated by phonopy's ``get_band_qpoints_and_path_connections``. seekpath (phonopy's
    ``auto_band_structure``) is not used: it standardizes the cell first, so its q-points would be in
    another basis than phonopy's primitive cell, and it is not a dependency; for the cubic lattices its
    path and the Setyawan-Curtarolo one visit the same points.
    """
    from ase.cell import Cell
    from phonopy.phonon.band_structure import get_band_qpoints_and_path_connections

    path = Cell(primitive_cell).bandpath(npoints=0)
    special = path.special_points
    segments, labels = [], []
    for part in path.path.split(","):
        names = _split_labels(part)
        segments.append([list(special[n]) for n in names])
        labels.extend(names)
    qpoints, connections = get_band_qpoints_and_path_connections(segments, npoints=npoints)
    return qpoints, connections, labels, f"ase Setyawan-Curtarolo ({path.path})"


def _split_labels(part: str) -> list[str]:
    """``"GXWKGLUWLK"`` -> ``["G", "X", "W", ...]`` (a label is a capital letter and its digits)."""
    out: list[str] = []
    for ch in part:
        if ch.isupper() or not out:
            out.append(ch)
        else:
            out[-1] += ch
    return out


def phonon_stability(
    structure: Any,
    calculator: Any = "emt",
    *,
    supercell: Any = None,
    threshold: float | None = None,
    strict: bool = False,
    relax_structure: bool = True,
    fmax: float = 1e-3,
    displacement: float = DISPLACEMENT,
    mesh: Any = 12,
    band_points: int = 101,
    min_distance: float = 0.5,
    progress: Callable[[int, int], None] | None = None,
) -> PhononResult:
    """Phonon stability of a crystal (PhononBench's criterion) with ASE and phonopy.

    Parameters
    ----------
    structure : ase.Atoms, str or path
        The crystal: ASE ``Atoms``, a CIF file, or a built-in name (`BUILTIN_STRUCTURES`: ``cu-fcc``,
        ``cu-bcc``, ``cu-sc``, ``al-fcc``...).
    calculator : str or ASE calculator, default "emt"
        ``"emt"``, ``"lj"`` (see `make_calculator`) or any ASE calculator.
    supercell : int or sequence of 3 int or str, optional
        Diagonal supercell for the finite displacements (default `default_supercell`).
    threshold : float, optional
        Verdict threshold in THz (default -0.1, or -0.001 with ``strict``); must be <= 0.
    strict : bool, default False
        Use PhononBench's strict threshold -0.001 THz (ignored when ``threshold`` is given).
    relax_structure : bool, default True
        Relax positions and cell first (`relax`).
    fmax : float, default 1e-3
        Relaxation force tolerance, eV/A.
    displacement : float, default 0.01
        Finite-displacement amplitude, A.
    mesh : int or sequence of 3 int, default 12
        Gamma-centred mesh.
    band_points : int, default 101
        q-points per band segment.
    min_distance : float, default 0.5
        Atoms closer than this (A) are refused as overlapping, before any calculation.
    progress : callable, optional
        ``progress(done, total)`` after each displaced supercell's forces (Ctrl-C between them stops the run).

    Returns
    -------
    PhononResult

    Raises
    ------
    FileNotFoundError, ValueError, TypeError
        For a missing or malformed structure, overlapping atoms, an unknown calculator or element, or bad
        settings; all before any force is computed.
    """
    import ase
    import phonopy
    import spglib
    from phonopy import Phonopy
    from phonopy.structure.atoms import PhonopyAtoms
    from phonopy.structure.cells import PrimitiveMatrixAutoDefaultWarning

    from .._version import __version__

    # --- arguments, before any work
    if threshold is None:
        threshold = STRICT_THRESHOLD if strict else DEFAULT_THRESHOLD
    threshold = as_float(threshold, name="threshold", maximum=0.0)
    fmax = as_positive_float(fmax, name="fmax")
    displacement = as_positive_float(displacement, name="displacement")
    band_points = as_int(band_points, name="band_points", minimum=2)
    min_distance = as_float(min_distance, name="min_distance", minimum=0.0)
    mesh_t = _as_triple(mesh, "mesh")
    atoms = read_structure(structure)
    check_overlap(atoms, min_distance)
    sc = default_supercell(atoms) if supercell is None else _as_triple(supercell, "supercell")
    calc = make_calculator(calculator)
    _check_emt_elements(atoms, calc)
    calc_name = calculator.lower() if isinstance(calculator, str) else type(calculator).__name__

    timings: dict[str, float] = {}
    atoms.calc = calc
    t = time.perf_counter()
    if relax_structure:
        relax(atoms, fmax=fmax)
    timings["relax"] = time.perf_counter() - t

    # --- force constants by finite displacements
    t = time.perf_counter()
    unit = PhonopyAtoms(
        symbols=atoms.get_chemical_symbols(),
        cell=np.asarray(atoms.cell),
        scaled_positions=atoms.get_scaled_positions(),
        masses=atoms.get_masses(),
    )
    with warnings.catch_warnings():  # 'auto' is chosen on purpose (the band path is the primitive cell's)
        warnings.simplefilter("ignore", PrimitiveMatrixAutoDefaultWarning)
        phonon = Phonopy(unit, supercell_matrix=np.diag(sc), primitive_matrix="auto")
    phonon.generate_displacements(distance=displacement)
    supercells = phonon.supercells_with_displacements or []
    forces = []
    for k, scell in enumerate(supercells):
        displaced = ase.Atoms(symbols=scell.symbols, cell=scell.cell, scaled_positions=scell.scaled_positions, pbc=True)
        displaced.calc = calc
        f = displaced.get_forces()
        forces.append(f - f.mean(axis=0))  # drift force subtracted, as PhononBench
        if progress is not None:
            progress(k + 1, len(supercells))
    phonon.forces = np.asarray(forces)
    phonon.produce_force_constants()
    phonon.symmetrize_force_constants()
    timings["forces"] = time.perf_counter() - t

    # --- bands and mesh
    t = time.perf_counter()
    qpoints, connections, labels, source = _band_path(np.asarray(phonon.primitive.cell), band_points)
    phonon.run_band_structure(qpoints, path_connections=connections, labels=labels)
    bands: Any = phonon.band_structure
    distances = [np.asarray(d) for d in bands.distances]
    freqs = [np.asarray(f) for f in bands.frequencies]
    phonon.run_mesh(list(mesh_t), is_gamma_center=True)
    mesh_result: Any = phonon.mesh
    mesh_freqs = np.asarray(mesh_result.frequencies)
    timings["phonons"] = time.perf_counter() - t

    positions = [float(distances[0][0])]
    for d, conn in zip(distances, connections, strict=True):
        positions.append(float(d[-1]))
        if not conn:
            positions.append(float(d[-1]))  # a break: two labels at one position
    # one label per distinct position, joined "X|U" at a break
    shown: list[str] = []
    shown_pos: list[float] = []
    for lab, pos in zip(labels, positions, strict=False):
        if shown_pos and math.isclose(pos, shown_pos[-1], abs_tol=1e-12):
            shown[-1] = f"{shown[-1]}|{lab}"
        else:
            shown.append(lab)
            shown_pos.append(pos)

    all_min = min(float(np.min(mesh_freqs)), *(float(np.min(f)) for f in freqs))
    all_max = max(float(np.max(mesh_freqs)), *(float(np.max(f)) for f in freqs))
    settings = {
        "calculator": calc_name,
        "supercell": list(sc),
        "displacement_A": displacement,
        "mesh": list(mesh_t),
        "gamma_centred": True,
        "band_points_per_segment": band_points,
        "band_path": source,
        "relaxed": bool(relax_structure),
        "fmax_eV_per_A": fmax,
        "fix_symmetry": True,
        "drift_subtracted": True,
        "force_constants_symmetrized": True,
        "n_displacements": len(supercells),
        "min_distance_A": min_distance,
    }
    versions = {
        "ase": ase.__version__,
        "phonopy": phonopy.__version__,
        "spglib": spglib.__version__,
        "dynstab": __version__,
    }
    return PhononResult(
        formula=atoms.get_chemical_formula(),
        min_frequency=all_min,
        max_frequency=all_max,
        threshold=threshold,
        stable=all_min >= threshold,
        band_distances=distances,
        band_frequencies=freqs,
        labels=shown,
        label_positions=shown_pos,
        mesh_frequencies=mesh_freqs,
        settings=settings,
        versions=versions,
        lattice_constants=[float(v) for v in atoms.cell.lengths()],
        timings=timings,
    )
