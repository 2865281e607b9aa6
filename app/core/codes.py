"""Problem codes: a problem's whole identity, short enough to read aloud.

A code is Crockford base32 (0-9 and A-Z without I, L, O, U), read
case-insensitively with O as 0 and I and L as 1, hyphens and spaces ignored.
Its first symbol names the scheme, its last is a check symbol:

* ``G`` + 8 symbols + check: a generated problem. The 40 payload bits hold the
  profile (2 bits), the four sizes (3 bits each, size - 1) and the seed (26 bits).
  Displayed as two groups of five, e.g. ``G1A2B-3C4DX``. ``H`` is the same with
  generator version 2 (app/core/generate_v2.py): new problems get ``H`` codes,
  and every ``G`` code keeps its version-1 problem.
* ``C`` + 3 symbols of sizes + 2 of the largest magnitude m + the matrices +
  check: a custom problem. The sizes are as above; the values are packed as one
  base-(2m+1) number, so the code is as long as the problem needs: 27 symbols
  for a classic shape with values in -3..3, 191 for the largest possible.

The check symbol makes the running value ``v = 2*v + symbol`` in GF(32)
(polynomial x^5 + x^2 + 1) end at zero. Multiplying by 2 in a field is a
bijection and ``2 - 1 != 0``, so every single wrong symbol and every swap of two
neighbours is caught (this is Damm's construction of a check digit; the tests
try all of them). Crockford's own mod-37 check would need ``*~$=U``, which do
not belong in a URL a student types.

Never change what an existing code means: add a scheme letter instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from . import presets
from .generate import MAX_SEED, NEWEST, generate
from .presets import Profile
from .problem import DIMENSIONS, GIVEN_NAMES, MAX_SIZE, MAX_VALUE, MIN_VALUE, Problem, ProblemError, Sizes

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUE = {symbol: i for i, symbol in enumerate(ALPHABET)}
_VALUE.update({"O": 0, "I": 1, "L": 1})
GENERATED, CUSTOM = "G", "C"
# The letter of each generator version's codes: a new version gets a new letter.
GENERATOR_LETTERS = {1: GENERATED, 2: "H"}
VERSION_OF_LETTER = {letter: version for version, letter in GENERATOR_LETTERS.items()}
GENERATED_LENGTH = 10
SIZE_BITS = 3
# The longest custom code (every size 6, values up to 99) is 191 symbols.
MAX_CODE_LENGTH = 200
# Characters of a code as typed: the longest in groups of five (229) with room to
# spare. The code box holds no more, and an error page shows no more of it back.
MAX_TYPED = 240


class CodeError(ValueError):
    """A code that names no problem; the message says why, for people."""


@dataclass(frozen=True)
class Generated:
    """What a generated code stores."""

    profile: Profile
    sizes: Sizes
    seed: int
    version: int = 1  # of the generator: the code's first letter

    @property
    def preset(self) -> str | None:
        return presets.preset_of(self.profile, self.sizes)


def _times_two(value: int) -> int:
    value <<= 1
    return value ^ 0b100101 if value & 0b100000 else value


def _running(values: list[int]) -> int:
    state = 0
    for value in values:
        state = _times_two(state) ^ value
    return state


def _with_check(symbols: str) -> str:
    return symbols + ALPHABET[_times_two(_running([_VALUE[s] for s in symbols]))]


def _to_base32(number: int, length: int) -> str:
    digits = []
    for _ in range(length):
        number, digit = divmod(number, 32)
        digits.append(ALPHABET[digit])
    if number:
        raise ValueError("number too large for its length")
    return "".join(reversed(digits))


def _from_base32(symbols: str) -> int:
    number = 0
    for symbol in symbols:
        number = number * 32 + _VALUE[symbol]
    return number


def _pack_sizes(sizes: Sizes) -> int:
    number = 0
    for name in DIMENSIONS:
        number = (number << SIZE_BITS) | (getattr(sizes, name) - 1)
    return number


def _unpack_sizes(number: int) -> Sizes:
    values = []
    for _ in DIMENSIONS:
        values.append((number & (1 << SIZE_BITS) - 1) + 1)
        number >>= SIZE_BITS
    try:
        return Sizes(*reversed(values))
    except ProblemError:
        raise CodeError("This code has impossible sizes; check it for typos.") from None


def _values_length(count: int, radix: int) -> int:
    """Symbols needed for `count` base-`radix` values (exact integer arithmetic)."""
    top, length = radix**count - 1, 1
    while top >= 32**length:
        length += 1
    return length


def generated_code(profile: Profile, sizes: Sizes, seed: int, version: int = NEWEST) -> str:
    if not 0 <= seed <= MAX_SEED:
        raise ValueError(f"seed must be within 0..{MAX_SEED}")
    # The seed goes first so that codes of one preset differ from their first symbols.
    payload = (seed << 2 | profile.id) << 12 | _pack_sizes(sizes)
    return _with_check(GENERATOR_LETTERS[version] + _to_base32(payload, 8))


def custom_code(problem: Problem) -> str:
    values = np.concatenate([getattr(problem, name).ravel() for name in GIVEN_NAMES]).tolist()
    largest = max(abs(value) for value in values)
    if largest > MAX_VALUE:
        raise ProblemError(f"Values go from {MIN_VALUE} to {MAX_VALUE}.")
    radix, number = 2 * largest + 1, 0
    for value in values:
        number = number * radix + value + largest
    body = _to_base32(number, _values_length(len(values), radix))
    head = _to_base32(_pack_sizes(problem.sizes), 3) + _to_base32(largest, 2)
    return _with_check(CUSTOM + head + body)


def _value_count(sizes: Sizes) -> int:
    i, h, o, b = sizes.inputs, sizes.hidden, sizes.outputs, sizes.batch
    return h * i + h + o * h + o + i * b


def normalize(text: str) -> str:
    """The canonical form of what someone typed, or a CodeError saying what is wrong."""
    if not isinstance(text, str):
        raise CodeError("A code is a string of letters and digits.")
    raw = "".join(ch for ch in text[: MAX_CODE_LENGTH * 2] if ch not in "- \t")
    # Only ASCII: str.upper() would turn a Turkish dotless "ı" into "I", and so into 1.
    cleaned = "".join(ch.upper() if ch.isascii() else ch for ch in raw)
    if not cleaned:
        raise CodeError("Type a problem code, such as the one at the top of a worksheet.")
    if len(cleaned) > MAX_CODE_LENGTH or len(text) > MAX_CODE_LENGTH * 2:
        raise CodeError("That is too long to be a problem code.")
    bad = sorted({ch for ch in cleaned if ch not in _VALUE})
    if bad:
        shown = " ".join(repr(ch) for ch in bad[:5])
        raise CodeError(f"Codes use only digits and letters other than U; this one has {shown}.")
    canonical = "".join(ALPHABET[_VALUE[ch]] for ch in cleaned)
    if canonical[0] not in (*VERSION_OF_LETTER, CUSTOM):
        starts = ", ".join(VERSION_OF_LETTER)
        raise CodeError(f"Codes start with {starts} or {CUSTOM}; check the first symbol.")
    if len(canonical) < 2 or _running([_VALUE[ch] for ch in canonical]) != 0:
        raise CodeError("That code has a typo: its check symbol does not match. Compare it symbol by symbol.")
    return canonical


def display(code: str) -> str:
    """Groups of five for reading aloud and copying by hand (idempotent)."""
    code = code.replace("-", "")
    return "-".join(code[i : i + 5] for i in range(0, len(code), 5))


def _decode_generated(code: str) -> Generated:
    if len(code) != GENERATED_LENGTH:
        raise CodeError(f"A generated code has {GENERATED_LENGTH} symbols; this one has {len(code)}.")
    payload = _from_base32(code[1:-1])
    sizes = _unpack_sizes(payload & (1 << 12) - 1)
    profile = presets.BY_ID.get(payload >> 12 & 0b11)
    seed = payload >> 14
    if profile is None:
        raise CodeError("This code names a preset this server does not know; check it for typos.")
    return Generated(profile=profile, sizes=sizes, seed=seed, version=VERSION_OF_LETTER[code[0]])


def _decode_custom(code: str) -> Problem:
    if len(code) < 8:
        raise CodeError("This custom code is too short; check that all of it was copied.")
    packed = _from_base32(code[1:4])
    if packed >> (SIZE_BITS * len(DIMENSIONS)):  # the 3 spare bits: one problem, one code
        raise CodeError("This code has impossible sizes; check it for typos.")
    sizes = _unpack_sizes(packed)
    largest = _from_base32(code[4:6])
    if largest > MAX_VALUE:
        raise CodeError("This custom code holds impossible values; check it for typos.")
    count, radix = _value_count(sizes), 2 * largest + 1
    body = code[6:-1]
    if len(body) != _values_length(count, radix):
        raise CodeError("This custom code is cut short or too long; check that all of it was copied.")
    number = _from_base32(body)
    if number >= radix**count:
        raise CodeError("This custom code holds impossible values; check it for typos.")
    values = []
    for _ in range(count):
        number, digit = divmod(number, radix)
        values.append(digit - largest)
    # One problem, one code: the stored magnitude must be the largest one used.
    if max(abs(value) for value in values) != largest:
        raise CodeError("This custom code holds impossible values; check it for typos.")
    values.reverse()
    i, h, o, b = (getattr(sizes, name) for name in DIMENSIONS)
    shapes = {"W1": (h, i), "b1": (h,), "W2": (o, h), "b2": (o,), "X": (i, b)}
    arrays, start = {}, 0
    for name in GIVEN_NAMES:
        size = int(np.prod(shapes[name]))
        arrays[name] = np.array(values[start : start + size]).reshape(shapes[name])
        start += size
    return Problem(**arrays)


class Loaded(NamedTuple):
    """A code read back: its canonical form, its problem, and for a generated
    code what generated it (None for a custom code)."""

    code: str
    problem: Problem
    generated: Generated | None


@lru_cache(maxsize=4096)
def load(text: str) -> Loaded:
    """The problem of any code, or a CodeError saying what is wrong with it.
    Remembered as typed too (a code that fails is not): every request of a
    page starts here, with the code from its URL."""
    return _load(normalize(text))


@lru_cache(maxsize=4096)
def _load(code: str) -> Loaded:
    # A class checks the same few problems again and again; problems are
    # immutable (read-only arrays), so one copy serves every request. What the
    # bounded caches cost a worker is measured by `make loadtest` (docs/operations.md).
    found = _decode_generated(code) if code[0] in VERSION_OF_LETTER else _decode_custom(code)
    if isinstance(found, Generated):
        return Loaded(code, generate(found.profile, found.sizes, found.seed, found.version), found)
    return Loaded(code, found, None)


assert 7 + _values_length(_value_count(Sizes(*(MAX_SIZE,) * 4)), 2 * MAX_VALUE + 1) <= MAX_CODE_LENGTH
assert len(display("G" * 191)) <= MAX_TYPED


# --- Worksheet codes (scheme W) -------------------------------------------------
#
# ``W`` + 2 symbols of payload length n + n symbols of payload + check: a whole
# worksheet (a *set code*). What the payload holds is app.core.worksheet's
# (settings, seed, listed problem codes); here it is only symbols. A *version
# code* is a set code, two decimal digits of the version number and a second
# check symbol over all of it, e.g. ``W0D4K-...-X-07Q``: the sheet shows the set
# code the key carries, and a typo anywhere is still caught. The length in front
# says where the set code ends, so the two forms are never confused.

WORKSHEET = "W"
_LENGTH_SYMBOLS = 2
MAX_WORKSHEET_PAYLOAD = 32**_LENGTH_SYMBOLS - 1


class WorksheetCode(NamedTuple):
    """A worksheet code read back: its payload symbols and, for a version code,
    the version number (None for the set code itself)."""

    set_code: str  # canonical, with its check symbol
    payload: str
    version: int | None


def worksheet_code(payload: str) -> str:
    """The canonical set code holding `payload` (symbols of ALPHABET)."""
    if len(payload) > MAX_WORKSHEET_PAYLOAD:
        raise ValueError("payload too long for a worksheet code")
    return _with_check(WORKSHEET + _to_base32(len(payload), _LENGTH_SYMBOLS) + payload)


def worksheet_version_code(set_code: str, version: int) -> str:
    """The canonical code of one version (1..99) of the set `set_code`."""
    if not 1 <= version <= 99:
        raise ValueError("versions go from 1 to 99")
    return _with_check(set_code.replace("-", "") + f"{version:02d}")


def display_worksheet_code(code: str) -> str:
    """A set code in groups of five; a version code as its set code, then its
    number and check symbol as one last group (``…-07Q``)."""
    code = code.replace("-", "")
    read = read_worksheet_code(code)
    if read.version is None:
        return display(code)
    return f"{display(read.set_code)}-{code[len(read.set_code):]}"


def read_worksheet_code(text: str) -> WorksheetCode:
    """A set or version code as typed, or a CodeError saying what is wrong."""
    canonical = _canonical_symbols(text)
    if not canonical.startswith(WORKSHEET):
        raise CodeError(f"Worksheet codes start with {WORKSHEET}.")
    if len(canonical) < 2 + _LENGTH_SYMBOLS or _running([_VALUE[ch] for ch in canonical]) != 0:
        raise CodeError("That code has a typo: its check symbol does not match. Compare it symbol by symbol.")
    length = _from_base32(canonical[1:1 + _LENGTH_SYMBOLS])
    end = 1 + _LENGTH_SYMBOLS + length + 1  # the set code, its check symbol included
    payload = canonical[1 + _LENGTH_SYMBOLS:end - 1]
    rest = canonical[end:]
    if len(canonical) == end:
        return WorksheetCode(canonical, payload, None)
    if (len(rest) == 3 and rest[:2].isdigit() and 1 <= int(rest[:2])
            and _running([_VALUE[ch] for ch in canonical[:end]]) == 0):
        return WorksheetCode(canonical[:end], payload, int(rest[:2]))
    raise CodeError("This worksheet code is cut short or too long; check that all of it was copied.")


def _canonical_symbols(text: str) -> str:
    """What someone typed as code symbols (the rules of `normalize`, any scheme)."""
    if not isinstance(text, str):
        raise CodeError("A code is a string of letters and digits.")
    if len(text) > MAX_TYPED * 2:
        raise CodeError("That is too long to be a worksheet code.")
    cleaned = "".join(ch.upper() if ch.isascii() else ch for ch in text if ch not in "- \t")
    bad = sorted({ch for ch in cleaned if ch not in _VALUE})
    if bad:
        shown = " ".join(repr(ch) for ch in bad[:5])
        raise CodeError(f"Codes use only digits and letters other than U; this one has {shown}.")
    return "".join(ALPHABET[_VALUE[ch]] for ch in cleaned)


def to_symbols(number: int, length: int) -> str:
    """`number` as exactly `length` base32 symbols (for payloads built elsewhere)."""
    return _to_base32(number, length)


def from_symbols(symbols: str) -> int:
    return _from_base32(symbols)


# --- Check symbols for other short codes (a class's join code: app.core.classroom) ---


def with_check_symbol(symbols: str) -> str:
    """`symbols` (canonical) with this module's check symbol appended."""
    return _with_check(symbols)


def checks_out(symbols: str) -> bool:
    """Whether canonical `symbols` end in their right check symbol."""
    return len(symbols) >= 2 and _running([_VALUE[ch] for ch in symbols]) == 0


def canonical_symbols(text: str) -> str:
    """What someone typed, read as code symbols by `normalize`'s rules, or a CodeError."""
    return _canonical_symbols(text)
