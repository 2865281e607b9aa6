"""JSON out through orjson (app/jsonprovider.py): the same documents as Flask's
own encoder, in the API's key order, and whatever orjson refuses still sent."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from flask.json.provider import DefaultJSONProvider
from hypothesis import given
from hypothesis import strategies as st

from app import create_app
from app.jsonprovider import OrjsonProvider

APP = create_app({"TESTING": True})

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-2**63, 2**63 - 1) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=20)


@given(JSON)
def test_documents_read_back_as_flasks_own_encoder_writes_them(value):
    flasks = DefaultJSONProvider(APP)
    flasks.sort_keys = False
    assert json.loads(APP.json.dumps(value)) == json.loads(flasks.dumps(value)) == value


def test_the_app_uses_it_and_keeps_the_apis_key_order(app, client):
    assert isinstance(app.json, OrjsonProvider)
    response = client.post("/api/problems/G0000-0GM90/check", json={})
    assert response.mimetype == "application/json"
    assert list(json.loads(response.data)) == ["score", "summary", "cells"]
    score = json.loads(response.data)["score"]
    assert list(score) == ["correct", "carried", "total", "wrong", "invalid", "blank", "with_help"]


@dataclass
class Point:
    x: int


@pytest.mark.parametrize("value", [{"seed": 2**64}, {"big": -(2**70)}, {"when": Point(3)}])
def test_what_orjson_refuses_goes_to_flasks_encoder(app, value):
    with app.app_context():
        assert json.loads(app.json.dumps(value)) == json.loads(DefaultJSONProvider(app).dumps(value))
        assert json.loads(app.json.response(value).data) == json.loads(app.json.dumps(value))
