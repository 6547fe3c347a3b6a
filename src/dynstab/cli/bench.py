"""``dynstab bench``: the forecasting benchmark (run, status, leaderboard, report)."""

from __future__ import annotations

import typer

bench_app = typer.Typer(no_args_is_help=True, help="The forecasting benchmark: run, status, leaderboard, report.")
