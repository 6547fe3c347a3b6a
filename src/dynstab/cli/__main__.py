"""``python -m dynstab.cli``: the same as the ``dynstab`` command."""

from . import app

app()
