"""The one version number of dynstab.

``pyproject.toml`` reads it (``[tool.setuptools.dynamic]``), ``dynstab.__version__`` re-exports it, and the
CLI and the metadata written into result files take it from here, so they cannot disagree.
"""

__version__ = "0.1.0"
