"""The models of the papers behind dynstab, written against the system protocol.

Each module is one model family; import it by name (``from dynstab.models import fields``).
Every model is a dynstab system (or a documented derived kind of one), so `trajectory`,
Lyapunov exponents where defined, the entropies and NetCDF export work on it, and each has a
``dynstab model NAME`` command.

* `dynstab.models.fields`: Klein-Gordon, phi^4 and sine-Gordon fields in 1+1 D (amangkurat, corrected; ``dynstab model kleingordon``).
* `dynstab.models.oscillator_chains`: rings of phase oscillators roughening as EW / KPZ / random deposition (Gutierrez & Cuerno; ``dynstab model chain``).
* `dynstab.models.kinetics`: reaction networks by exact SSA, tau-leaping, the CLE and moment closures with their validity checks (Schnoerr, Sanguinetti & Grima 2014; ``dynstab model kinetics``).
* `dynstab.models.burgers`: viscous Burgers by pseudo-spectral ETDRK4, NetCDF datasets and rollout diagnostics for learned steps (Cox & Matthews 2002; Kassam & Trefethen 2005; ``dynstab model burgers``).
* `dynstab.models.leslie`: Leslie age-structured populations, coupled competition / predator-prey (reconstructed), last species standing, a fit to Gause 1934 (Gilman et al. 2024; ``dynstab model leslie``).
* `dynstab.models.enso`: Nino 3.4 recurrence diagnostics and gamelan (pelog/slendro) sonification to WAV with acoustic phase-space measures (Herho et al. 2026; ``dynstab model enso``).
* `dynstab.models.schooling`: the 3D Couzin fish school with its seven entropies and schooling index (dewi-kadita, seeded and fast; ``dynstab model couzin``).
* `dynstab.models.acceleration`: gradient descent, heavy ball and Nesterov as maps and their ODEs as flows; spectral radii, stability regions, rates (Polyak 1964; Su, Boyd & Candes 2016).
* `dynstab.models.phonons`: phonon stability of crystals with ASE and phonopy, PhononBench's criterion (Han et al. 2025; ``dynstab phonons``).
* `dynstab.models.learning_stability`: sharpness, Hessian trace and the exact mean-square stability of linearized SGD at a minimum of any JAX loss (Wu & Su 2023).
* `dynstab.models.network_dynamics`: Lyapunov spectra of input-driven sequence models (ESN, PLRNN, SSMs), reduced-precision divergence, Jacobian spectra of deep stacks (dynamical isometry).
"""
