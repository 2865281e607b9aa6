"""Reading form bodies (app/formdata.py): the same fields Werkzeug would read,
missing fields found without an exception, and the field count held to
MAX_FORM_PARTS for urlencoded bodies too."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import ImmutableMultiDict

from app.formdata import ERRORS, Fields, decode

# Bodies as browsers and attackers write them: the separators, escapes (valid,
# invalid and not UTF-8), plus signs, and any other text.
PIECES = st.sampled_from(["&", "=", "+", "%", "%2", "%20", "%26", "%3D", "%2B", "%C3%A9", "%FF", "%e2%88%92",
                          "h_z-0-0", "action", "check", "-3", "\u2212", "é", " "])
BODIES = st.lists(PIECES | st.text(max_size=6), max_size=40).map("".join)


@given(BODIES)
def test_decode_reads_every_body_as_werkzeug_does(body):
    assert decode(body) == parse_qsl(body, keep_blank_values=True, errors=ERRORS)


@given(st.lists(st.tuples(st.text(max_size=8), st.text(max_size=8)), max_size=12))
def test_decode_reads_back_what_a_browser_encodes(pairs):
    assert decode(urlencode(pairs)) == pairs


FIELDS = Fields([("a", "1"), ("a", "2"), ("b", ""), ("n", "7"), ("x", "seven")])
PLAIN = ImmutableMultiDict(list(FIELDS.items(multi=True)))


@pytest.mark.parametrize("key, default, kind", [
    ("a", None, None), ("b", "d", None), ("missing", None, None), ("missing", "d", None),
    ("n", None, int), ("x", -1, int), ("missing", 0, int),
])
def test_fields_get_answers_as_werkzeug_does(key, default, kind):
    assert FIELDS.get(key, default, kind) == PLAIN.get(key, default, kind)
    assert FIELDS.getlist(key) == PLAIN.getlist(key)


def test_missing_fields_are_looked_up_without_an_exception(monkeypatch):
    # Werkzeug's own get makes (and catches) a BadRequestKeyError for every missing key.
    def fail(*args, **kwargs):
        raise AssertionError("an exception was made for a missing key")
    monkeypatch.setattr("werkzeug.exceptions.BadRequestKeyError.__init__", fail)
    assert FIELDS.get("hint") is None and FIELDS.get("a") == "1"


def test_the_app_reads_forms_through_fields(app):
    with app.test_request_context("/", method="POST", data={"h_z-0-0": "3", "x": "a+b%26"}):
        from flask import request
        assert isinstance(request.form, Fields) and isinstance(request.args, Fields)
        assert request.form.to_dict() == {"h_z-0-0": "3", "x": "a+b%26"}


@pytest.mark.parametrize("fields, status", [(400, 200), (401, 413)])
def test_urlencoded_bodies_are_held_to_max_form_parts(client, fields, status):
    body = "&".join(f"f{i}=1" for i in range(fields))
    response = client.post("/p/G0000-0GM90", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == status
    if status == 413:
        assert "Traceback" not in response.get_data(as_text=True)


def test_a_body_that_is_not_utf8_is_an_empty_form_not_an_error(client):
    response = client.post("/p/G0000-0GM90", data=b"h_z-0-0=\xff\xfe&action=check",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
