"""Worksheets as data: settings and a seed -> versions -> problem codes.

A worksheet is a class set of printed sheets, one *version* per student, each
with 1-6 problems, plus an optional answer key. Everything follows from the
settings and one seed, so the worksheet's URL is the whole worksheet:

* ``parse`` reads the settings from a URL's query (strings in, plain messages
  out for anything over a limit); ``Settings.query`` writes the canonical query.
* ``versions`` derives every problem's seed from the worksheet seed (a NumPy
  ``SeedSequence`` keyed by the seed and the problem shape, read through the
  PCG64 bit stream only, whose output NumPy keeps stable) and drops any seed
  whose problem is already on the worksheet, so every problem of every version
  is different.
* Each problem is an ordinary generated problem with an ordinary code, so a
  student can type the code printed beside it into "Open a code" and check it.

How the versions fill printed pages is `app.present.printing`'s.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

import numpy as np

from . import presets
from .codes import ALPHABET, display, generated_code
from .generate import MAX_SEED, generate
from .presets import Profile
from .problem import DIMENSIONS, MAX_SIZE, MIN_SIZE, Problem, Sizes, Solution, solve

MAX_PROBLEMS = 6
MAX_VERSIONS = 60
MAX_TITLE = 80
MAX_INSTRUCTIONS = 200
CUSTOM = "custom"
NOTATIONS = {"grid": "AI by Hand grid", "numpy": "NumPy notation"}
# Where the answer key goes: the query's "key" field.
ANSWER_KEY_PLACES = {
    "end": "after the sheets",
    "only": "on its own (the key alone, to print separately)",
    "none": "no key",
}
PAPERS = {"a4": "A4 (210 × 297 mm)", "letter": "US Letter (8.5 × 11 in)"}
DEFAULTS = {"preset": presets.DEFAULT.name, "problems": "2", "versions": "30", "notation": "grid",
            "title": "", "instructions": "", "paper": "a4", "key": "end"}
# A tag mixed into every seed sequence so worksheet seeds never coincide with
# the seed sequences that generate problems.
_STREAM_TAG = 0x57534854  # "WSHT"


class WorksheetError(ValueError):
    """Settings over a limit; `messages` says every limit that was broken."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__(" ".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class Settings:
    preset: str  # a preset's name, or CUSTOM
    sizes: Sizes
    problems: int
    versions: int
    notation: str
    title: str
    instructions: str
    paper: str  # one of PAPERS
    answer_key: str  # one of ANSWER_KEY_PLACES
    seed: int

    @property
    def profile(self) -> Profile:
        return presets.CUSTOM_SIZES_PROFILE if self.preset == CUSTOM else presets.BY_NAME[self.preset]

    def query(self) -> dict[str, str]:
        """The canonical query: every setting and the seed, in a fixed order."""
        query = {"preset": self.preset}
        if self.preset == CUSTOM:
            query.update({name: str(value) for name, value in self.sizes.as_dict().items()})
        query.update(problems=str(self.problems), versions=str(self.versions), notation=self.notation,
                     title=self.title, instructions=self.instructions, paper=self.paper, key=self.answer_key,
                     seed=str(self.seed))
        return query


def _clean_text(value: str) -> str:
    """One line of printable text: control characters dropped, spaces collapsed."""
    kept = "".join(" " if ch.isspace() else ch for ch in value
                   if ch.isspace() or unicodedata.category(ch)[0] != "C")
    return " ".join(kept.split())


def _whole(args: Mapping[str, str], name: str, low: int, high: int, what: str,
           errors: list[str]) -> int | None:
    text = str(args.get(name, DEFAULTS.get(name, ""))).strip()
    try:
        value = int(text)
    except ValueError:
        errors.append(f"{what} must be a whole number from {low} to {high}.")
        return None
    if not low <= value <= high:
        errors.append(f"{what} go from {low} to {high}; {value} is over the limit."
                      if value > high else f"{what} go from {low} to {high}; {value} is too few.")
        return None
    return value


def _choice(args: Mapping[str, str], name: str, choices: Collection[str], what: str,
            errors: list[str]) -> str | None:
    value = str(args.get(name, DEFAULTS[name]))
    if value not in choices:
        errors.append(f"{what} is one of {', '.join(choices)}.")
        return None
    return value


def parse(args: Mapping[str, str], new_seed: Callable[[], int]) -> Settings:
    """Settings from a query; a missing seed comes from `new_seed()`.

    Raises WorksheetError naming every limit that was broken."""
    errors: list[str] = []
    preset = _choice(args, "preset", [*presets.BY_NAME, CUSTOM], "The preset", errors)
    sizes = None
    if preset == CUSTOM:
        values = [_whole(args, name, MIN_SIZE, MAX_SIZE, f"Sizes ({name})", errors) for name in DIMENSIONS]
        whole = [value for value in values if value is not None]
        if len(whole) == len(DIMENSIONS):
            sizes = Sizes(*whole)
    elif preset is not None:
        sizes = presets.BY_NAME[preset].sizes
    problems = _whole(args, "problems", 1, MAX_PROBLEMS, "Problems per sheet", errors)
    versions = _whole(args, "versions", 1, MAX_VERSIONS, "Versions", errors)
    notation = _choice(args, "notation", NOTATIONS, "The notation", errors)
    paper = _choice(args, "paper", PAPERS, "The paper size", errors)
    answer_key = _choice(args, "key", ANSWER_KEY_PLACES, "The answer key", errors)
    title = _clean_text(str(args.get("title", "")))
    if len(title) > MAX_TITLE:
        errors.append(f"A title has at most {MAX_TITLE} characters; this one has {len(title)}.")
    instructions = _clean_text(str(args.get("instructions", "")))
    if len(instructions) > MAX_INSTRUCTIONS:
        errors.append(f"Instructions have at most {MAX_INSTRUCTIONS} characters; "
                      f"these have {len(instructions)}.")
    seed = new_seed() if "seed" not in args else _whole(args, "seed", 0, MAX_SEED, "Seeds", errors)
    if (errors or preset is None or sizes is None or problems is None or versions is None
            or notation is None or paper is None or answer_key is None or seed is None):
        raise WorksheetError(errors)  # every None above has its message in errors
    settings = Settings(preset=preset, sizes=sizes, problems=problems, versions=versions,
                        notation=notation, title=title, instructions=instructions, paper=paper,
                        answer_key=answer_key, seed=seed)
    return settings


def _shape(sizes: Sizes) -> str:
    return "-".join(str(value) for value in sizes.as_dict().values())


def _search_budget(needed: int) -> int:
    return 8 * needed + 64



@dataclass(frozen=True)
class Item:
    number: int  # 1-based, within its version
    code: str  # display form, e.g. "G3KQ7-WN6A3"
    problem: Problem
    solution: Solution


@dataclass(frozen=True)
class Version:
    number: int  # 1-based
    code: str  # the set code and the version number, e.g. "7K3QM-03"
    items: list[Item]


def set_code(settings: Settings) -> str:
    """Five symbols naming the whole worksheet (settings and seed), printed on
    every sheet and the key so a stray page finds its key."""
    text = "&".join(f"{name}={value}" for name, value in settings.query().items())
    number = int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big") >> 7
    return "".join(ALPHABET[number >> shift & 31] for shift in (20, 15, 10, 5, 0))


def _problem_seeds(settings: Settings) -> list[tuple[int, Problem]]:
    """(seed, problem) for every problem of the worksheet, all different."""
    needed = settings.problems * settings.versions
    sequence = np.random.SeedSequence(
        [_STREAM_TAG, settings.seed, settings.profile.id, *settings.sizes.as_dict().values()])
    bits = np.random.PCG64(sequence)
    chosen: list[tuple[int, Problem]] = []
    seen_seeds: set[int] = set()
    seen_problems: set[Problem] = set()
    budget = _search_budget(needed)
    while len(chosen) < needed and budget > 0:
        for word in bits.random_raw(min(budget, needed - len(chosen) + 8)).tolist():
            budget -= 1
            seed = word % (MAX_SEED + 1)
            if seed in seen_seeds:
                continue
            seen_seeds.add(seed)
            problem = generate(settings.profile, settings.sizes, seed, GENERATOR)
            if problem in seen_problems:
                continue
            seen_problems.add(problem)
            chosen.append((seed, problem))
            if len(chosen) == needed:
                break
    if len(chosen) < needed:
        raise WorksheetError([f"Could not find {needed} different problems of sizes "
                              f"{_shape(settings.sizes)}; ask for fewer versions or problems."])
    return chosen


# The generator version of every worksheet: its URL (settings and seed) must give
# the same sheets it always gave, so it stays 1 until the URL can say which.
GENERATOR = 1


def versions(settings: Settings) -> list[Version]:
    found = iter(_problem_seeds(settings))
    code = set_code(settings)
    result = []
    for v in range(1, settings.versions + 1):
        items = []
        for n in range(1, settings.problems + 1):
            seed, problem = next(found)
            items.append(Item(n, display(generated_code(settings.profile, settings.sizes, seed, GENERATOR)),
                              problem, solve(problem)))
        result.append(Version(v, f"{code}-{v:02d}", items))
    return result
