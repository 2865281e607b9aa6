"""Presets: the shape of each exercise and the ranges its numbers are drawn from.

The ranges are part of every generated problem's identity (a code names a
profile, not the numbers), so a profile is never edited once released: a new
range means a new profile with a new id.

| profile   | sizes (inputs-hidden-outputs-batch) | weights | biases | inputs | h_z, y_z within |
|-----------|-------------------------------------|---------|--------|--------|-----------------|
| gentle    | 2-3-2-2                             | -1..1   | -3..1  | 0..2   | -6..6           |
| classic   | 3-4-2-3                             | -1..1   | -5..2  | 0..3   | -9..9           |
| challenge | 4-5-3-4                             | -2..2   | -9..5  | 0..4   | -19..19         |

Custom sizes use the classic ranges. When a single input feature cannot give
`batch` different columns, its input range is widened just enough (to 0..batch-1).
"""

from __future__ import annotations

from dataclasses import dataclass

from .problem import ProblemError, Sizes


@dataclass(frozen=True)
class Profile:
    id: int  # stored in problem codes: never reuse or renumber
    name: str
    label: str
    sizes: Sizes
    weights: tuple[int, ...]  # drawn uniformly from this table; repeats make zeros likelier
    biases: tuple[int, int]
    inputs: tuple[int, int]
    bound: int  # every entry of h_z and y_z lies within -bound..bound

    def input_high(self, sizes: Sizes) -> int:
        low, high = self.inputs
        if sizes.inputs == 1:
            high = max(high, low + sizes.batch - 1)
        return high


PROFILES = (
    Profile(0, "gentle", "Gentle (2 inputs, 3 hidden, 2 outputs, batch of 2)",
            Sizes(2, 3, 2, 2), (-1, 0, 1), (-3, 1), (0, 2), 6),
    Profile(1, "classic", "Classic (3 inputs, 4 hidden, 2 outputs, batch of 3)",
            Sizes(3, 4, 2, 3), (-1, 0, 1), (-5, 2), (0, 3), 9),
    Profile(2, "challenge", "Challenge (4 inputs, 5 hidden, 3 outputs, batch of 4)",
            Sizes(4, 5, 3, 4), (-2, -1, 0, 0, 1, 2), (-9, 5), (0, 4), 19),
)
BY_NAME = {profile.name: profile for profile in PROFILES}
BY_ID = {profile.id: profile for profile in PROFILES}
DEFAULT = BY_NAME["classic"]
CUSTOM_SIZES_PROFILE = DEFAULT


def by_name(name: object) -> Profile:
    """The preset of that name, whatever a request sent as the name."""
    if isinstance(name, str) and name in BY_NAME:
        return BY_NAME[name]
    known = ", ".join(BY_NAME)
    raise ProblemError(f"Unknown preset {str(name)[:40]!r}; choose one of {known}.")


def preset_of(profile: Profile, sizes: Sizes) -> str | None:
    """The preset name when (profile, sizes) is exactly a preset, else None."""
    return profile.name if profile.sizes == sizes else None
