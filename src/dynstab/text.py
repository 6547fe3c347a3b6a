"""Words for counts in messages, titles and reprs: ``1 attractor``, ``3 equilibria``.

Used by the library's reprs and figure titles and by the command line's tables, so that every
count dynstab prints agrees with its noun.
"""

from __future__ import annotations

__all__ = ["count", "plural"]

IRREGULAR_PLURALS = {"equilibrium": "equilibria", "basis": "bases", "matrix": "matrices", "vertex": "vertices"}


def plural(noun: str, n: int) -> str:
    """``noun`` in the singular for ``n == 1`` and in the plural otherwise.

    The plural of the last word: the irregular ones dynstab prints (``equilibrium`` ->
    ``equilibria``), ``-y`` after a consonant -> ``-ies``, ``-s``/``-x``/``-ch``/``-sh`` -> ``-es``,
    else ``-s`` (``fixed point`` -> ``fixed points``).

    Parameters
    ----------
    noun : str
        The noun (or noun phrase, whose last word is inflected) in the singular.
    n : int
        The count.
    """
    if n == 1:
        return noun
    head, _, last = noun.rpartition(" ")
    if last in IRREGULAR_PLURALS:
        last = IRREGULAR_PLURALS[last]
    elif last.endswith("y") and last[-2:-1] not in ("a", "e", "i", "o", "u", ""):
        last = last[:-1] + "ies"
    elif last.endswith(("s", "x", "ch", "sh")):
        last += "es"
    else:
        last += "s"
    return f"{head} {last}" if head else last


def count(n: int, noun: str) -> str:
    """``n`` and ``noun`` agreeing in number: ``count(1, "attractor")`` is ``"1 attractor"``,
    ``count(2, "equilibrium")`` is ``"2 equilibria"`` (see `plural`).

    Parameters
    ----------
    n : int
        The count.
    noun : str
        The noun in the singular.
    """
    return f"{n} {plural(noun, n)}"
