"""The forecasting benchmark: frozen datasets from the catalog, every model, on Dask, a resumable store.

See ``dynstab bench --help`` and the modules: presets and datasets, models, metrics, the task,
the runner, the store, the leaderboard and the HTML report.
"""
