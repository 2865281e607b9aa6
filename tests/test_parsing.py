"""Parsing one typed cell: forgiving about form (Unicode minus, +, spaces, .0,
full-width digits), strict about meaning (only whole numbers are answers),
blank for nothing typed, a message for everything else, echoed text cut at
MAX_ECHO, and never an exception for any text or JSON-like value.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.parsing import BLANK, MAX_ECHO, MAX_ENTRY, Entry, parse


@pytest.mark.parametrize("raw, value", [
    ("-3", -3), ("\u22123", -3), ("\u20133", -3), ("+3", 3), (" 3 ", 3), ("\t3\n", 3),
    ("3.0", 3), ("-3.00", -3), ("3.", 3), ("0", 0), ("-0", 0), ("007", 7),
    ("\uff13", 3), ("\uff0d\uff11\uff12", -12), ("\u00a03", 3),
    (3, 3), (-12, -12), (3.0, 3), (-0.0, 0), ("12345678", 12345678), ("-1234567", -1234567),
])
def test_whole_numbers_in_any_common_form_are_read(raw, value):
    entry = parse(raw)
    assert (entry.value, entry.error, entry.blank) == (value, None, False)


@pytest.mark.parametrize("raw", ["-3", " 3 ", "\u22123", "3.0"])
def test_the_text_is_kept_as_typed(raw):
    assert parse(raw).text == raw


@pytest.mark.parametrize("raw", [None, "", " ", " \t\n ", "\u3000"])
def test_nothing_typed_is_blank(raw):
    entry = parse(raw)
    assert entry == BLANK
    assert entry.blank and entry.value is None and entry.error is None


@pytest.mark.parametrize("raw, message", [
    ("3.5", "Not a whole number"),
    ("-0.5", "Not a whole number"),
    (".5", "Not a whole number"),
    (3.5, "Not a whole number"),
    ("abc", "Not a number"),
    ("1e9", "Not a number"),
    ("3-", "Not a number"),
    ("--3", "Not a number"),
    ("+", "Not a number"),
    ("0x1F", "Not a number"),
    ("\u0663", "Not a number"),  # Arabic-Indic three is not read as a digit
    (float("nan"), "Not a number"),
    ("7" * 50, f"at most {MAX_ENTRY} characters"),
    ("123456789", f"at most {MAX_ENTRY} characters"),
    (10**8, f"at most {MAX_ENTRY} characters"),
    (1e9, f"at most {MAX_ENTRY} characters"),
    (True, "Type a whole number"),
    (False, "Type a whole number"),
    ({"value": 3}, "Type a whole number"),
    ([3], "Type a whole number"),
])
def test_anything_but_a_whole_number_is_invalid_with_a_message(raw, message):
    entry = parse(raw)
    assert entry.value is None and not entry.blank
    assert message in entry.error


def test_a_bad_entry_is_echoed_but_cut_at_max_echo():
    long_text = "".join(chr(ord("a") + i % 26) for i in range(MAX_ECHO + 40))
    entry = parse(long_text)
    assert entry.text == long_text[:MAX_ECHO]
    assert parse("x" * 50).text == "x" * 50
    assert parse({"k": "v" * 100}).text == str({"k": "v" * 100})[:MAX_ECHO]


def test_control_characters_are_not_echoed():
    entry = parse("ab\x00c\u200bd")
    assert entry.text == "abcd"
    assert entry.error is not None


def test_spaces_between_digits_do_not_join_two_numbers():
    assert parse("1 2").value is None
    assert parse("1 2").error is not None


@settings(derandomize=True, deadline=None, max_examples=300)
@given(st.integers(-10**6, 10**6))
def test_every_integer_written_out_reads_back(n):
    text = str(n)
    if len(text) <= MAX_ENTRY:
        assert parse(text) == Entry(text=text, value=n)
        assert parse(n).value == n
        assert parse(f" {text}.0 " if len(text) <= MAX_ENTRY - 2 else text).value == n
        assert parse(text.replace("-", "\u2212")).value == n


json_like = st.recursive(
    st.none() | st.booleans() | st.integers(-10**30, 10**30)
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=80),
    lambda children: (st.lists(children, max_size=3)
                      | st.dictionaries(st.text(max_size=5), children, max_size=3)),
    max_leaves=6,
)


def check_entry(entry: Entry) -> None:
    assert isinstance(entry, Entry)
    assert len(entry.text) <= MAX_ECHO
    # exactly one of blank, value, error
    assert [entry.blank, entry.value is not None, entry.error is not None].count(True) == 1
    if entry.value is not None:
        assert type(entry.value) is int and abs(entry.value) < 10**MAX_ENTRY


@settings(derandomize=True, deadline=None, max_examples=400)
@given(st.text())
def test_parse_never_raises_for_any_text(text):
    check_entry(parse(text))


@settings(derandomize=True, deadline=None, max_examples=300)
@given(json_like)
def test_parse_never_raises_for_any_json_like_value(value):
    check_entry(parse(value))


def test_huge_json_integers_are_too_long_not_a_crash():
    entry = parse(10**5000)
    assert entry.value is None and "Too long" in entry.error
    assert len(entry.text) <= 12


def test_short_entries_are_read_once_and_long_ones_never_kept():
    from app.core.parsing import _remembered
    before = _remembered.cache_info().currsize
    parse("1" * 17), parse("x" * 5000)  # longer than any cell: read, and forgotten
    assert _remembered.cache_info().currsize == before
    first = parse("-73")
    assert parse("-73") is first and parse(-73) == Entry(text="-73", value=-73)
    assert parse(True) != parse(1)  # a JSON true is no 1, remembered or not
