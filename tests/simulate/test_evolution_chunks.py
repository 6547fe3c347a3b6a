"""Long runs in compiled chunks (`dynstab.simulate.evolution.intervals_part`, `in_chunks`; issue 14).

A chunked run must give exactly the intervals of the one-call loop (`intervals`), whatever the chunk
boundaries, call ``progress(done, total)`` between chunks and size its chunks from measured time.
"""

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from dynstab.simulate.evolution import estimated_seconds, in_chunks, intervals, intervals_part

# a chaotic map (Henon) advanced in intervals of n_sub steps; finish records the state and a running sum
A, B = 1.4, 0.3


def henon_step(s, t, k):
    x, y, acc = s
    return 1.0 - A * x * x + y, B * x, acc + t * 1e-6  # t enters: the law time must match too


def finish(s):
    return s, jnp.stack([s[0], s[1], s[2]])


@functools.partial(jax.jit, static_argnames=("n_sub", "n_out"))
def one_call(s, n_sub, n_out):
    return intervals(henon_step, s, jnp.asarray(3), 1, n_sub, n_out, finish)


@functools.partial(jax.jit, static_argnames=("n_sub", "size"))
def piece(s, start, count, n_sub, size):
    return intervals_part(henon_step, s, jnp.asarray(3), 1, n_sub, size, start, count, finish)


START = (jnp.asarray(0.1), jnp.asarray(0.2), jnp.asarray(0.0))


@pytest.mark.parametrize(
    "n_sub, chunks",
    [
        (3, [400]),
        (3, [1, 399]),
        (3, [7, 100, 2, 291]),
        (1, [400]),  # single-step intervals go in pairs: chunks of even length but the last
        (1, [2, 398]),
        (1, [8, 100, 2, 290]),
        (1, [2, 2, 397]),
    ],
)
def test_any_chunks_give_the_one_call_intervals_bit_for_bit(n_sub, chunks):
    """Henon over 400 intervals: round-off differences would grow to O(1), so equality means identical arithmetic."""
    end, ys = one_call(START, n_sub, sum(chunks))
    s, parts, start = START, [], 0
    for count in chunks:
        s, buf = piece(s, start, count, n_sub, 400)
        parts.append(np.asarray(buf)[:count])
        start += count
    np.testing.assert_array_equal(np.concatenate(parts), np.asarray(ys))
    np.testing.assert_array_equal(np.stack(s), np.stack(end))


def test_in_chunks_covers_the_run_reports_progress_and_stores_in_place():
    calls, out = [], np.empty((3, 1001))
    run = functools.partial(piece, n_sub=1, size=200)

    def store(start, ys):
        out[:, start : start + ys.shape[1]] = ys

    end, kept = in_chunks(
        lambda s, j, m: (lambda r: (r[0], r[1].T))(run(s, j, m)),
        START,
        1001,
        first=51,
        size=200,
        axis=1,
        progress=lambda d, n: calls.append((d, n)),
        seconds=1e-9,  # every timed chunk shrinks to the smallest allowed (a multiple of 2)
        multiple=2,
        store=store,
    )
    assert kept == []
    ref_end, ref = one_call(START, 1, 1001)
    np.testing.assert_array_equal(out, np.asarray(ref).T)
    np.testing.assert_array_equal(np.stack(end), np.stack(ref_end))
    done = [d for d, _ in calls]
    assert calls[0] == (0, 1001) and done[-1] == 1001 and all(n == 1001 for _, n in calls)
    steps = np.diff(done)
    assert steps[0] == 50 and steps[1] == 50  # the first chunk (rounded to pairs) and its untimed repeat
    assert set(steps[2:-1]) == {2} and steps[-1] in (1, 2)  # then the smallest multiple, and the odd rest


def test_in_chunks_refuses_a_size_below_the_multiple():
    with pytest.raises(ValueError, match="size must be at least multiple = 2"):
        in_chunks(lambda s, j, m: (s, None), START, 10, first=1, size=1, multiple=2)


def test_estimated_seconds_scales_with_steps_numbers_and_batch():
    base = estimated_seconds(1000, 12)
    assert estimated_seconds(2000, 12) == pytest.approx(2 * base)
    assert estimated_seconds(1000, 24, batch=3) == pytest.approx(6 * base)
