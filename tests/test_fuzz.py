"""Fuzzing every route: arbitrary JSON and form bodies, codes and query strings.

Two fuzzers, both deterministic (derandomized, no example database) and bounded:

* hypothesis drives Flask's test client at every rule of `app.url_map` (new
  routes are picked up by themselves), with every method the rule takes plus one
  it does not, codes near to and far from real ones, query strings and form
  fields named like the app's own fields, JSON of any shape, and raw bytes;
* schemathesis reads the OpenAPI document the app serves at /api/openapi.json
  and generates valid and invalid requests for every operation in it, checking
  the answers against the document.

Whatever comes in: no 5xx, and every 4xx says why, as JSON {"error": message}
under /api/ and as a page with a role=alert message elsewhere. Redirects stay on
this site, and every answer has the security headers.
"""

from __future__ import annotations

import json
import tempfile
import urllib.parse

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import positive_data_acceptance

from app import create_app
from app.core import codes, presets
from app.core.problem import ANSWER_NAMES, GIVEN_NAMES
from tests.pages import soup

# Classes keep their data in a database: the fuzzers get a file of their own. They send
# thousands of failing requests from one address, which the failure limit would soon
# answer with 429 (tests/test_classes_api.py tests it): here it is out of their way.
CONFIG = {"TESTING": True, "DATABASE_URL": f"sqlite:///{tempfile.mkdtemp(prefix='handgrid-fuzz-')}/handgrid.db",
          "RATE_LIMIT_FAILURES": "1000000/minute"}
APP = create_app(CONFIG)
CLIENT = APP.test_client()
SEEDS = (0, 1, 4242, 123456)
CODES = [codes.display(codes.generated_code(profile, profile.sizes, seed))
         for profile in presets.PROFILES for seed in SEEDS]
CODES.append(codes.display(codes.custom_code(codes.load(CODES[0])[1])))
FUZZ = settings(derandomize=True, database=None, deadline=None, max_examples=1500,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                       HealthCheck.data_too_large])


def _field_names() -> list[str]:
    """Every field name of every form on the app's pages, found by reading them."""
    names = {"code", "action", "view", "checked", *GIVEN_NAMES, "preset", "sizes", "seed"}
    for path in (f"/p/{CODES[0]}", f"/p/{CODES[-1]}", "/new", "/custom", "/worksheet"):
        response = CLIENT.get(path, follow_redirects=True)
        names |= {tag["name"] for tag in soup(response.data).select("[name]") if tag.name != "meta"}
    return sorted(names)


FIELDS = _field_names()
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")


def _routes() -> list[tuple[str, str]]:
    found = []
    for rule in APP.url_map.iter_rules():
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        wrong = next(method for method in METHODS if method not in rule.methods)
        found += [(rule.rule, method) for method in [*methods, wrong]]
    return found


ROUTES = _routes()

codes_ = st.one_of(
    st.sampled_from(CODES),
    st.sampled_from(CODES).map(lambda code: code.lower().replace("-", "").replace("0", "o")),
    st.tuples(st.sampled_from(CODES), st.integers(0, 10), st.sampled_from("0123456789ABCXYZUIOL-")).map(
        lambda t: t[0][: t[1]] + t[2] + t[0][t[1] + 1:]),
    st.text(alphabet="0123456789ABCDEFGHJKMNPQRSTVWXYZ-", min_size=0, max_size=40).map(lambda s: "C" + s),
    st.text(min_size=1, max_size=40),
)
short_text = st.one_of(st.text(max_size=12), st.integers(-10**6, 10**6).map(str),
                       st.sampled_from(["", " ", "-0", "3.0", "\u22123", "1e9", "NaN", "<b>", "%00", "\x00"]))
names = st.one_of(st.sampled_from(FIELDS), st.text(max_size=10))
# The fields that steer a page (not the answer cells), each present in half the queries
# and forms: a bug that needs two of them at once is then still found.
CONTROLS = [name for name in FIELDS if not name.startswith(tuple(f"{n}-" for n in ANSWER_NAMES))]
every_control = st.fixed_dictionaries({}, optional={name: short_text for name in CONTROLS}).map(
    lambda fields: list(fields.items()))
pairs = st.one_of(st.lists(st.tuples(names, short_text), max_size=8), every_control)
queries = pairs
json_keys = st.one_of(st.sampled_from([*GIVEN_NAMES, *ANSWER_NAMES, "preset", "sizes", "seed", "inputs",
                                       "hidden", "outputs", "batch"]), st.text(max_size=8))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=7) | st.dictionaries(json_keys, inner, max_size=7),
    max_leaves=60,
)
bodies = st.one_of(
    st.none(),
    json_values.map(lambda value: (json.dumps(value).encode(), "application/json")),
    st.tuples(pairs, st.lists(st.tuples(names, short_text), max_size=30)).map(
        lambda t: (urllib.parse.urlencode(t[0] + t[1]).encode(), "application/x-www-form-urlencoded")),
    st.tuples(st.binary(max_size=300), st.sampled_from(
        ["application/json", "text/plain", "multipart/form-data", "application/x-www-form-urlencoded", ""])),
)


def _path(rule: str, code: str) -> str:
    quoted = urllib.parse.quote(code, safe="")
    return rule.replace("<code>", quoted).replace("<path:filename>", quoted)


def assert_answer_is_sound(response, path: str) -> None:
    status = response.status_code
    assert status < 500, f"{status} for {path}: {response.get_data(as_text=True)[:300]}"
    assert "Content-Security-Policy" in response.headers and "X-Content-Type-Options" in response.headers
    if 300 <= status < 400:
        location = urllib.parse.urlsplit(response.headers["Location"])
        # Werkzeug's own slash redirects are absolute, to the host that was asked.
        assert location.netloc in ("", response.request.host) and location.scheme in ("", "http"), \
            f"off-site redirect {response.headers['Location']}"
    if 400 <= status < 500:
        if path.startswith("/api/"):
            body = response.get_json(silent=True)
            assert isinstance(body, dict) and isinstance(body.get("error"), str) and body["error"].strip(), \
                f"{status} for {path} without a message: {response.get_data(as_text=True)[:200]}"
        else:
            alert = soup(response.data).select_one("[role=alert]")
            assert alert is not None and alert.get_text().strip(), f"{status} for {path} without a message"


@FUZZ
@given(route=st.sampled_from(ROUTES), code=codes_, query=queries, body=bodies, htmx=st.booleans())
def test_no_request_to_any_route_gets_a_5xx_and_every_4xx_says_why(route, code, query, body, htmx):
    rule, method = route
    path = _path(rule, code)
    headers = {"HX-Request": "true"} if htmx else {}
    data = None
    if body is not None and method != "GET":
        data, content_type = body
        if content_type:
            headers["Content-Type"] = content_type
    response = CLIENT.open(path, method=method, query_string=urllib.parse.urlencode(query),
                           data=data, headers=headers)
    assert_answer_is_sound(response, path)


@FUZZ
@given(path=st.text(min_size=1, max_size=60), query=queries)
def test_any_address_at_all_gets_a_sound_answer(path, query):
    path = "/" + urllib.parse.quote(path, safe="/")
    response = CLIENT.get(path, query_string=urllib.parse.urlencode(query))
    assert_answer_is_sound(response, path)


# --- schemathesis, from the served OpenAPI document ----------------------------------------

SCHEMA = schemathesis.openapi.from_wsgi("/api/openapi.json", create_app(CONFIG))


@SCHEMA.parametrize()
@settings(derandomize=True, database=None, deadline=None, max_examples=150,
          suppress_health_check=list(HealthCheck))
def test_the_api_answers_as_its_openapi_document_says(case):
    # Every schemathesis check but one: "a schema-valid request is accepted" cannot
    # hold here, since a JSON Schema cannot say that W1's columns must match X's rows
    # or that answers must have the shape of the problem a code names.
    response = case.call_and_validate(excluded_checks=[positive_data_acceptance])
    assert response.status_code < 500
    if 400 <= response.status_code < 500:
        body = response.json()
        assert isinstance(body, dict) and isinstance(body.get("error"), str) and body["error"].strip()
