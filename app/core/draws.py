"""Random numbers for generation that stay the same on every machine, forever.

Problem codes store only (profile, sizes, seed), so a seed must always give the
same numbers. NumPy promises a stable stream for the PCG64 bit generator, but
not for `Generator.integers` and friends, so every number a generator uses is
made here from `random_raw()` words by arithmetic of our own. The golden tests
of app/core/codes.py pin the results.
"""

from __future__ import annotations

import numpy as np

from .presets import Profile
from .problem import Sizes


class Draw:
    """Integers from a PCG64 stream, by arithmetic of our own (see module docstring)."""

    def __init__(self, entropy: list[int]) -> None:
        generator = np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy)))
        self._bits = generator.bit_generator

    def words(self, count: int) -> np.ndarray:
        return self._bits.random_raw(count)

    def below(self, bound: int, count: int) -> np.ndarray:
        # The modulo bias is below 2**-58 for the bounds used here.
        return (self.words(count) % np.uint64(bound)).astype(np.int64)

    def choose(self, table: tuple[int, ...], shape: tuple[int, ...]) -> np.ndarray:
        count = int(np.prod(shape))
        chosen: np.ndarray = np.asarray(table, dtype=np.int64)[self.below(len(table), count)]
        return chosen.reshape(shape)

    def between(self, low: int, high: int, count: int) -> np.ndarray:
        return low + self.below(high - low + 1, count)

    def distinct(self, count: int, low: int, high: int) -> list[int]:
        """`count` different integers from low..high, in random order (sparse Fisher-Yates)."""
        size = high - low + 1
        moved: dict[int, int] = {}
        picked = []
        for i, word in enumerate(self.words(count).tolist()):
            j = i + word % (size - i)
            picked.append(low + moved.get(j, j))
            moved[j] = moved.get(i, i)
        return picked


def draw_inputs(draw: Draw, profile: Profile, sizes: Sizes) -> np.ndarray:
    """X with `batch` different columns, never all zeros."""
    low, high = profile.inputs[0], profile.input_high(sizes)
    radix = high - low + 1
    # Column vectors are numbered 0..radix**inputs-1; number 0 is all zeros, so a
    # batch of one skips it (two or more different columns cannot all be zero).
    first = 1 if sizes.batch == 1 else 0
    numbers = draw.distinct(sizes.batch, first, radix**sizes.inputs - 1)
    digits = [[(n // radix**f) % radix + low for n in numbers] for f in range(sizes.inputs)]
    return np.array(digits, dtype=np.int64)
