"""``dynstab model NAME``: run one of the papers' own models (`dynstab.models`).

One command per model family, each in its own module ``cli/model_<family>.py``; they share the
conventions of ``dynstab simulate``: ``--out FILE.nc`` written atomically (NetCDF, CF attributes),
``--figures DIR`` / ``--no-figures``, ``--seed``, ``--quiet``, a progress bar on long runs, and every
bad option refused before any work with one ``error:`` line (exit 2). Importing this module costs
only typer: each command imports its numerics when it runs.
"""

from __future__ import annotations

import typer

from .model_burgers import burgers
from .model_chains import chain
from .model_enso import enso
from .model_fields import kleingordon
from .model_kinetics import kinetics
from .model_leslie import leslie
from .model_schooling import couzin

model_app = typer.Typer(
    no_args_is_help=True, help="Run the papers' own models (fields, schools, chains, kinetics, ...)."
)

# one line per model command (each helper adds its own):
model_app.command("chain")(chain)
model_app.command("kleingordon")(kleingordon)
model_app.command("couzin")(couzin)
model_app.command("kinetics")(kinetics)
model_app.command("burgers")(burgers)
model_app.command("leslie")(leslie)
model_app.command("enso")(enso)
