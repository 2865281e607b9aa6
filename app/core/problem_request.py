"""A request for a problem (a preset, custom sizes and a seed, or typed-in
matrices) turned into the problem's code. Pages and the API both come through
here, so a preset name or a size means the same thing wherever it is typed."""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from . import presets
from .codes import custom_code, display, generated_code
from .generate import MAX_SEED, NEWEST, VERSIONS
from .problem import DIMENSIONS, GIVEN_NAMES, ProblemError, Sizes, problem_from_lists


def random_seed() -> int:
    return secrets.randbelow(MAX_SEED + 1)


def parse_seed(value: object) -> int:
    if value is None:
        return random_seed()
    if type(value) is not int or not 0 <= value <= MAX_SEED:
        raise ProblemError(f"seed must be a whole number from 0 to {MAX_SEED}.")
    return value


def parse_generator(value: object) -> int:
    """The generator version asked for (1 gives the problems of `G` codes); the newest when None."""
    if value is None:
        return NEWEST
    if type(value) is not int or value not in VERSIONS:
        raise ProblemError(f"generator must be one of {', '.join(map(str, VERSIONS))}.")
    return value


def sizes_from(data: object) -> Sizes:
    """Sizes from a mapping with exactly inputs, hidden, outputs and batch."""
    if not isinstance(data, dict):
        raise ProblemError("sizes must be an object with inputs, hidden, outputs and batch.")
    missing = [name for name in DIMENSIONS if name not in data]
    extra = sorted(str(name)[:20] for name in data if name not in DIMENSIONS)
    if missing or extra:
        raise ProblemError("sizes takes exactly inputs, hidden, outputs and batch"
                           + (f"; {', '.join(extra)} is not one of them." if extra else "."))
    return Sizes(**{name: data[name] for name in DIMENSIONS})


def code_for(data: Mapping[str, object]) -> str:
    """The display code for an API-style request body (see the OpenAPI document)."""
    custom = [name for name in GIVEN_NAMES if name in data]
    if custom:
        if any(key in data for key in GENERATED_FIELDS):
            raise ProblemError(
                "Send either a preset or sizes, or the five matrices of a custom problem, not both.")
        return display(custom_code(problem_from_lists(data)))
    unknown = sorted(str(key)[:20] for key in data if key not in GENERATED_FIELDS)
    if unknown:
        raise ProblemError(
            f"Unknown field {unknown[0]!r}; send preset, sizes and seed, or W1, b1, W2, b2 and X.")
    if "preset" in data and "sizes" in data:
        raise ProblemError("Send a preset or sizes, not both.")
    seed = parse_seed(data.get("seed"))
    version = parse_generator(data.get("generator"))
    if "sizes" in data:
        sizes = sizes_from(data["sizes"])
        return display(generated_code(presets.CUSTOM_SIZES_PROFILE, sizes, seed, version))
    profile = presets.by_name(data.get("preset", presets.DEFAULT.name))
    return display(generated_code(profile, profile.sizes, seed, version))


GENERATED_FIELDS = ("preset", "sizes", "seed", "generator")
