"""Catalog data: every module here registers its systems on import."""

from . import flows, maps  # noqa: F401
