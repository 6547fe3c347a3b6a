"""The Koopman / dynamic mode decomposition family: exact DMD, EDMD, Hankel DMD, HAVOK and ResDMD.

All are linear models of the dynamics in some coordinates (the state, a dictionary of observables,
or delay coordinates). Each is a :class:`~dynstab.learn.base.LearnedModel` whose ``as_system()`` is a
linear :class:`dynstab.Map` (one iteration = ``dt_`` time units; HAVOK: a forced linear
:class:`dynstab.Flow`); the docstring of each class says what that system's state is. For chaotic data
these are short-term surrogates: check their modes with ResDMD residuals rather than by free running
(notes, section 4).

One module per method: :mod:`~dynstab.learn.exact_dmd` (DMD), :mod:`~dynstab.learn.hankel` (Hankel DMD,
HAVOK), :mod:`~dynstab.learn.edmd` (EDMD and its dictionaries), :mod:`~dynstab.learn.resdmd` (ResDMD,
pseudospectra), with the shared pieces in :mod:`~dynstab.learn.koopman`. This module gathers them.
"""

from .edmd import EDMD, MonomialDictionary, RBFDictionary
from .exact_dmd import DMD
from .hankel import HAVOK, HankelDMD
from .resdmd import Pseudospectrum, ResDMD

__all__ = ["DMD", "EDMD", "HankelDMD", "HAVOK", "ResDMD", "Pseudospectrum", "MonomialDictionary", "RBFDictionary"]
