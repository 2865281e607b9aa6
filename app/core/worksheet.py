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
  A teacher may list problem codes of their own (``codes``): every version
  gets that list (``mix=same``), or each version gets the listed problems
  first and generated ones after them (``mix=mix``).
* ``set_code`` writes the settings and seed into a ``W`` code (app.core.codes),
  and ``from_set_code`` reads them back: the code printed on every sheet opens
  the worksheet, or that version, online. Title and instructions are not in it.
* Every generated problem comes from `seeded`, which takes the generator
  version (``gen``): a worksheet keeps the generator it was made with.

How the versions fill printed pages is `app.present.printing`'s.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

import numpy as np

from . import codes, presets
from .codes import CodeError, display, generated_code
from .generate import MAX_SEED, NEWEST, generate
from .generate import VERSIONS as generate_versions
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
SIDES = {"off": "one-sided", "on": "double-sided"}
# How listed codes make the versions: the query's "mix" field.
MIXES = {"same": "every version gets exactly these problems",
         "mix": "these first on every version, then generated problems"}
# Generator versions a worksheet can name (the query's "gen"); a URL without one
# was made before there was a choice, with version 1. A new worksheet gets the newest.
GENERATORS = generate_versions
NEWEST_GENERATOR = NEWEST
DEFAULTS = {"preset": presets.DEFAULT.name, "problems": "2", "versions": "30", "notation": "grid",
            "title": "", "instructions": "", "paper": "a4", "key": "end", "duplex": "off", "codes": "",
            "mix": "same"}
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
    duplex: bool = False  # every version padded to an even number of pages
    codes: tuple[str, ...] = ()  # listed problem codes, canonical (display form)
    mix: str = "same"  # one of MIXES; matters only with codes
    gen: int = 1  # the generator version (one of GENERATORS)

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
                     duplex="on" if self.duplex else "off")
        if self.codes:
            query.update(codes=" ".join(self.codes), mix=self.mix)
        query.update(gen=str(self.gen), seed=str(self.seed))
        return query

    @property
    def generated_per_version(self) -> int:
        """Generated problems on each version: the listed codes take the rest."""
        return 0 if self.codes and self.mix == "same" else self.problems - len(self.codes)


def _clean_text(value: str) -> str:
    """One line of printable text: control characters dropped, spaces collapsed."""
    kept = "".join(" " if ch.isspace() else ch for ch in value
                   if ch.isspace() or unicodedata.category(ch)[0] != "C")
    return " ".join(kept.split())


def _whole(args: Mapping[str, str], name: str, low: int, high: int, what: str,
           errors: list[str], default: str = "") -> int | None:
    text = str(args.get(name, DEFAULTS.get(name, default))).strip()
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
    duplex = _choice(args, "duplex", SIDES, "Double-sided", errors)
    mix = _choice(args, "mix", MIXES, "How listed codes are used", errors)
    listed = _listed_codes(str(args.get("codes", "")), errors)
    if listed and mix == "same":
        problems = len(listed)  # the list is every version's problems
    elif listed and problems is not None and len(listed) > problems:
        errors.append(f"{len(listed)} codes are listed but a sheet has {problems} problems; "
                      "raise the number of problems or list fewer codes.")
    # A worksheet made before generators had versions (no "gen") used version 1.
    gen = (NEWEST_GENERATOR if "seed" not in args
           else _whole(args, "gen", GENERATORS[0], GENERATORS[-1], "Generator versions", errors, default="1"))
    seed = new_seed() if "seed" not in args else _whole(args, "seed", 0, MAX_SEED, "Seeds", errors)
    if (errors or preset is None or sizes is None or problems is None or versions is None
            or notation is None or paper is None or answer_key is None or seed is None
            or duplex is None or mix is None or gen is None):
        raise WorksheetError(errors)  # every None above has its message in errors
    settings = Settings(preset=preset, sizes=sizes, problems=problems, versions=versions,
                        notation=notation, title=title, instructions=instructions, paper=paper,
                        answer_key=answer_key, seed=seed, duplex=duplex == "on", codes=listed,
                        mix=mix if listed else DEFAULTS["mix"], gen=gen)
    return settings


MAX_LISTED_CHARS = MAX_PROBLEMS * (codes.MAX_TYPED + 1)


def _listed_codes(text: str, errors: list[str]) -> tuple[str, ...]:
    """Problem codes separated by spaces, commas or new lines, each read as
    "Open a code" reads it; a message per code that names no problem."""
    if len(text) > MAX_LISTED_CHARS:
        errors.append(f"The list of codes has at most {MAX_LISTED_CHARS} characters.")
        return ()
    words = text.replace(",", " ").replace(";", " ").split()
    if len(words) > MAX_PROBLEMS:
        errors.append(f"List at most {MAX_PROBLEMS} problem codes; this list has {len(words)}.")
        return ()
    found = []
    for number, word in enumerate(words, 1):
        shown = f"Code {number} ({word[:24]}{'…' if len(word) > 24 else ''})"
        try:
            code = display(codes.load(word).code)
        except CodeError as error:
            errors.append(f"{shown}: {error}")
            continue
        if code in found:
            errors.append(f"{shown} is listed twice; every problem of a sheet is different.")
        found.append(code)
    return tuple(found)


def _shape(sizes: Sizes) -> str:
    return "-".join(str(value) for value in sizes.as_dict().values())


def _search_budget(needed: int) -> int:
    return 8 * needed + 64



@dataclass(frozen=True)
class Item:
    number: int  # 1-based, within its version
    code: str  # display form, e.g. "HV6T9-856AD"
    problem: Problem
    solution: Solution


@dataclass(frozen=True)
class Version:
    number: int  # 1-based
    code: str  # the set code and the version number, e.g. "7K3QM-03"
    items: list[Item]


def seeded(profile: Profile, sizes: Sizes, seed: int, gen: int) -> tuple[str, Problem]:
    """(code, problem) of the generated problem `seed` by generator version `gen`:
    the one place a worksheet turns a seed into a problem and its code."""
    if gen not in GENERATORS:
        raise ValueError(f"unknown generator version {gen}")
    return generated_code(profile, sizes, seed, gen), generate(profile, sizes, seed, gen)


# The set code's payload, field by field: (name, bits). Sizes are written only
# for custom sizes; then the listed codes, each as its length and its symbols.
_PRESETS = (*presets.BY_NAME, CUSTOM)
# The seed goes first, so that the codes of two worksheets differ from their first symbols.
_FIELDS = (("seed", 26), ("gen", 3), ("preset", 2), ("problems", 3), ("versions", 6), ("notation", 1),
           ("paper", 1), ("key", 2), ("duplex", 1), ("mix", 1), ("listed", 3))
_SIZE_BITS, _LISTED_LENGTH_BITS = 3, 8


def _bits(settings: Settings) -> list[tuple[int, int]]:
    values = {"gen": settings.gen - 1, "preset": _PRESETS.index(settings.preset),
              "problems": settings.problems - 1, "versions": settings.versions - 1,
              "notation": list(NOTATIONS).index(settings.notation),
              "paper": list(PAPERS).index(settings.paper),
              "key": list(ANSWER_KEY_PLACES).index(settings.answer_key), "duplex": int(settings.duplex),
              "mix": list(MIXES).index(settings.mix), "listed": len(settings.codes), "seed": settings.seed}
    fields = [(values[name], width) for name, width in _FIELDS]
    if settings.preset == CUSTOM:
        fields += [(value - 1, _SIZE_BITS) for value in settings.sizes.as_dict().values()]
    for code in settings.codes:
        symbols = code.replace("-", "")
        fields.append((len(symbols), _LISTED_LENGTH_BITS))
        fields += [(codes.from_symbols(symbol), 5) for symbol in symbols]
    return fields


def set_code(settings: Settings) -> str:
    """The worksheet's ``W`` code: its settings and seed (not its title or
    instructions), printed on every sheet and the key so that a stray page finds
    its key and the set can be opened again from it."""
    number, width = 0, 0
    for value, bits in _bits(settings):
        number, width = number << bits | value, width + bits
    length = -(-width // 5)
    return display(codes.worksheet_code(codes.to_symbols(number << (length * 5 - width), length)))


def version_code(set_code_: str, version: int) -> str:
    return codes.display_worksheet_code(codes.worksheet_version_code(set_code_, version))


class _Reader:
    def __init__(self, payload: str) -> None:
        self.number, self.left = codes.from_symbols(payload), 5 * len(payload)

    def take(self, bits: int) -> int:
        if bits > self.left:
            raise CodeError("This worksheet code is cut short; check that all of it was copied.")
        self.left -= bits
        return self.number >> self.left & ((1 << bits) - 1)


def from_set_code(text: str) -> tuple[Settings, int | None]:
    """The settings a set or version code holds, and the version (None for the
    set code), or a CodeError saying what is wrong with it."""
    read = codes.read_worksheet_code(text)
    reader = _Reader(read.payload)
    values = {name: reader.take(bits) for name, bits in _FIELDS}
    query = {"gen": str(values["gen"] + 1), "problems": str(values["problems"] + 1),
             "versions": str(values["versions"] + 1), "seed": str(values["seed"]),
             "duplex": list(SIDES)[values["duplex"]]}
    for name, choices in (("preset", _PRESETS), ("notation", NOTATIONS), ("paper", PAPERS),
                          ("key", ANSWER_KEY_PLACES), ("mix", MIXES)):
        index = values[name]
        if index >= len(choices):
            raise CodeError("This worksheet code holds impossible settings; check it for typos.")
        query[name] = list(choices)[index]
    if query["preset"] == CUSTOM:
        query.update({name: str(reader.take(_SIZE_BITS) + 1) for name in DIMENSIONS})
    listed = []
    for _ in range(values["listed"]):
        length = reader.take(_LISTED_LENGTH_BITS)
        listed.append("".join(codes.ALPHABET[reader.take(5)] for _ in range(length)))
    if reader.left >= 5 or reader.take(reader.left):  # padding: fewer than 5 bits, all zero
        raise CodeError("This worksheet code is cut short or too long; check that all of it was copied.")
    query["codes"] = " ".join(listed)
    try:
        settings = parse(query, new_seed=lambda: 0)
    except WorksheetError as error:
        raise CodeError("This worksheet code holds impossible settings; check it for typos.") from error
    if read.version is not None and read.version > settings.versions:
        raise CodeError(f"This set has {settings.versions} versions, not {read.version}; check the number.")
    return settings, read.version


def _problem_seeds(settings: Settings) -> list[tuple[str, Problem]]:
    """(code, problem) for every generated problem of the worksheet, all
    different, and different from the listed ones."""
    needed = settings.generated_per_version * settings.versions
    sequence = np.random.SeedSequence(
        [_STREAM_TAG, settings.seed, settings.profile.id, *settings.sizes.as_dict().values()])
    bits = np.random.PCG64(sequence)
    chosen: list[tuple[str, Problem]] = []
    seen_seeds: set[int] = set()
    seen_problems: set[Problem] = {codes.load(code).problem for code in settings.codes}
    budget = _search_budget(needed)
    while len(chosen) < needed and budget > 0:
        for word in bits.random_raw(min(budget, needed - len(chosen) + 8)).tolist():
            budget -= 1
            seed = word % (MAX_SEED + 1)
            if seed in seen_seeds:
                continue
            seen_seeds.add(seed)
            code, problem = seeded(settings.profile, settings.sizes, seed, settings.gen)
            if problem in seen_problems:
                continue
            seen_problems.add(problem)
            chosen.append((code, problem))
            if len(chosen) == needed:
                break
    if len(chosen) < needed:
        raise WorksheetError([f"Could not find {needed} different problems of sizes "
                              f"{_shape(settings.sizes)}; ask for fewer versions or problems."])
    return chosen




def versions(settings: Settings) -> list[Version]:
    found = iter(_problem_seeds(settings))
    code = set_code(settings)
    listed = [(code_, codes.load(code_).problem) for code_ in settings.codes]
    result = []
    for v in range(1, settings.versions + 1):
        chosen = listed + [next(found) for _ in range(settings.generated_per_version)]
        items = [Item(n, display(item_code), problem, solve(problem))
                 for n, (item_code, problem) in enumerate(chosen, 1)]
        result.append(Version(v, version_code(code, v), items))
    return result
