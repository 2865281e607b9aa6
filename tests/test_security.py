"""Hardening, through Flask's test client (and once through the real server):

* the security headers on every response: every rule of `app.url_map` with every
  method it takes, as a page and as an htmx fragment, every static file, and the
  error answers (400, 404, 405, 413);
* pages that need neither 'unsafe-inline' nor 'unsafe-eval': no inline script,
  style or handler, and htmx configured not to need them;
* the practice page never holds the answers: apart from the given numbers and
  the code, a page is the same for every problem of a shape, and a problem whose
  answers are unmistakable numbers never shows one of them;
* everything typed comes back escaped: script and attribute-breaking payloads
  through every field of every form on every page;
* limits: a body over 64 KiB gets a 413 with a plain message; sizes, versions and
  problems per sheet over their caps get 400s; a long entry is invalid and only
  its first characters are shown again.
"""

from __future__ import annotations

import http.client
import json
import re
import urllib.parse
from collections import defaultdict
from pathlib import Path

import pytest

from app import create_app
from app.core import codes, presets, problem_request
from app.core.parsing import MAX_ECHO, MAX_ENTRY
from app.core.problem import ANSWER_NAMES, Sizes, solve
from tests.pages import answer_cells, soup, status_of

ROOT = Path(__file__).resolve().parent.parent
APP = create_app({"TESTING": True})
CLIENT = APP.test_client()
HX = {"HX-Request": "true"}
CODE = codes.display(codes.generated_code(presets.DEFAULT, presets.DEFAULT.sizes, 31337))
LIMIT = APP.config["MAX_CONTENT_LENGTH"]
EXAMPLE_ARGS = {"code": CODE, "filename": "handgrid.css"}
POST_BODIES = {
    "api.create": {"json": {"preset": "gentle", "seed": 5}},
    "api.check": {"json": {"h_z": None}},
}
UNSAFE_SOURCES = ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "'wasm-unsafe-eval'",
                  "*", "data:", "http:", "https:", "blob:")


# --- headers ------------------------------------------------------------------------------

def csp_directives(response) -> dict[str, list[str]]:
    csp = response.headers.get("Content-Security-Policy")
    assert csp, f"no Content-Security-Policy on {response.request.path}"
    directives = {}
    for part in filter(None, (p.strip() for p in csp.split(";"))):
        name, *sources = part.split()
        directives[name.lower()] = sources
    return directives


def assert_secure_headers(response, where: str) -> None:
    directives = csp_directives(response)
    assert "unsafe-inline" not in str(directives) and "unsafe-eval" not in str(directives), where
    assert directives.get("default-src") in (["'none'"], ["'self'"]), where
    for name in ("script-src", "style-src"):
        sources = directives.get(name, directives["default-src"])
        assert not set(sources) & set(UNSAFE_SOURCES), f"{where}: {name} {sources}"
    assert directives.get("frame-ancestors") in (["'none'"], ["'self'"]), where
    assert directives.get("base-uri") in (["'none'"], ["'self'"]), where
    assert directives.get("form-action") == ["'self'"], where
    assert response.headers.get("X-Content-Type-Options") == "nosniff", where
    assert response.headers.get("Referrer-Policy") in (
        "no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"), where
    assert response.headers.get("X-Frame-Options") in ("DENY", "SAMEORIGIN"), where


def assert_no_inline_code(response, where: str) -> None:
    """What the CSP forbids is not in the page, so nothing on it is blocked."""
    if response.mimetype != "text/html" or 300 <= response.status_code < 400:
        return  # (Werkzeug's redirect bodies are a link to follow, not our page)
    page = soup(response.data)
    for script in page.select("script"):
        assert script.get("src", "").startswith("/static/") and not script.get_text().strip(), where
    assert page.select("style") == [] and page.select("[style]") == [], where
    for tag in page.find_all(True):
        for name, value in tag.attrs.items():
            assert not name.startswith(("on", "hx-on")) and name not in ("hx-vars", "hx-vals"), \
                f"{where}: <{tag.name} {name}>"
            if name in ("href", "src", "action", "formaction", "hx-get", "hx-post"):
                assert not str(value).strip().lower().startswith(("javascript:", "data:")), where
    if page.select_one("html"):
        meta = page.select_one("meta[name=htmx-config]")
        assert meta is not None, f"{where}: htmx is configured in every full page"
        config = json.loads(meta["content"])
        assert config["includeIndicatorStyles"] is False and config["allowEval"] is False, where
        assert config["allowScriptTags"] is False, where


def every_route_request():
    """(description, method, path, keyword arguments) for every rule and method of the app."""
    for rule in APP.url_map.iter_rules():
        path = rule.rule
        for name in rule.arguments:
            path = re.sub(rf"<(?:[^:<>]+:)?{name}>", EXAMPLE_ARGS.get(name, "example"), path)
        for method in sorted(rule.methods):
            kwargs = dict(POST_BODIES.get(rule.endpoint, {"data": {"action": "check"}})) \
                if method == "POST" else {}
            for headers in ({}, HX):
                yield f"{method} {rule.rule}{' (htmx)' if headers else ''}", method, path, {
                    **kwargs, "headers": headers}


ERRORS = [
    ("404 unknown page", "GET", "/no/such/page", {}),
    ("404 unknown API address", "GET", "/api/nothing", {}),
    ("404 mistyped code", "GET", "/p/GAAAA-AAAAA", {}),
    ("404 mistyped code, API", "GET", "/api/problems/GAAAA-AAAAA", {}),
    ("400 open a bad code", "GET", "/open?code=XYZ", {}),
    ("400 bad sizes", "GET", "/new?inputs=9&hidden=1&outputs=1&batch=1", {}),
    ("400 bad JSON", "POST", "/api/problems", {"data": "{not json", "content_type": "application/json"}),
    ("405 page", "DELETE", f"/p/{CODE}", {}),
    ("405 API", "PUT", "/api/problems", {}),
    ("413 page", "POST", f"/p/{CODE}", {"data": {"h_z-0-0": "1" * (LIMIT + 10)}}),
    ("413 API", "POST", "/api/problems", {"data": "1" * (LIMIT + 10), "content_type": "application/json"}),
]


@pytest.mark.parametrize("where, method, path, kwargs", [
    pytest.param(*case, id=case[0]) for case in [*every_route_request(), *ERRORS]])
def test_security_headers_on_every_route_and_error(where, method, path, kwargs):
    response = CLIENT.open(path, method=method, **kwargs)
    assert response.status_code < 500, f"{where}: {response.status_code}"
    assert_secure_headers(response, where)
    assert_no_inline_code(response, where)


def test_every_rule_of_the_app_is_covered():
    covered = {where.split(" ")[1] for where, *_ in every_route_request()}
    assert covered == {rule.rule for rule in APP.url_map.iter_rules()}


def test_security_headers_on_every_static_file():
    files = [path for path in (ROOT / "static").rglob("*") if path.is_file()]
    assert any(path.name == "htmx.min.js" for path in files)
    for path in files:
        response = CLIENT.get(f"/static/{path.relative_to(ROOT / 'static').as_posix()}")
        assert response.status_code == 200
        assert_secure_headers(response, str(path))


@pytest.mark.system
def test_security_headers_from_the_real_server(server_url):
    """The same headers through the real server, including its 413."""
    for path in ("/healthz", f"/p/{CODE}", "/static/handgrid.css", "/nothing"):
        connection = http.client.HTTPConnection(urllib.parse.urlsplit(server_url).netloc, timeout=10)
        connection.request("GET", path)
        response = connection.getresponse()
        assert response.getheader("X-Content-Type-Options") == "nosniff", path
        assert "frame-ancestors 'none'" in response.getheader("Content-Security-Policy"), path
        connection.close()


# --- the answers are never on the practice page ---------------------------------------------

def _problems_by_shape():
    """Generated problems (every preset, and custom sizes) and custom-code problems, grouped
    so that every page in a group must look the same apart from given numbers and code."""
    groups = defaultdict(list)
    for profile in presets.PROFILES:
        for seed in range(8):
            code = codes.generated_code(profile, profile.sizes, seed * 7919 + 11)
            groups[("preset", profile.name)].append(codes.display(code))
    for sizes in (Sizes(1, 1, 1, 1), Sizes(2, 5, 1, 6), Sizes(6, 6, 6, 6)):
        for seed in range(4):
            code = codes.generated_code(presets.CUSTOM_SIZES_PROFILE, sizes, seed + 99)
            groups[("sizes", sizes)].append(codes.display(code))
            problem = codes.load(code)[1]
            groups[("custom", sizes)].append(codes.display(codes.custom_code(problem)))
    return groups


def _variants(problem):
    """The requests a student makes before knowing any answer."""
    blank = {}
    invalid = {f"{name}-{i}-{j}": "x" for name in ANSWER_NAMES
               for i in range(problem.sizes.answer_shape(name)[0])
               for j in range(problem.sizes.answer_shape(name)[1])}
    return {
        "grid": ("GET", "", {}),
        "numpy": ("GET", "?view=numpy", {}),
        "htmx view switch": ("POST", "", {"data": {"view": "numpy"}, "headers": HX}),
        "check, all blank": ("POST", "", {"data": blank | {"action": "check"}}),
        "check, all invalid": ("POST", "", {"data": invalid | {"action": "check"}, "headers": HX}),
    }


def _normalized(html: bytes, code: str) -> str:
    page = soup(html)
    for cell in page.select("td.cell-given, .given-number"):
        cell.string = "#"
    return str(page).replace(code, "CODE")


def test_pages_differ_between_problems_only_in_given_numbers_and_code():
    """So nothing else about a problem, its answers included, is anywhere on its pages:
    not in hidden fields, data attributes, scripts, comments or markup."""
    for group, members in _problems_by_shape().items():
        problem = codes.load(members[0])[1]
        for variant, (method, query, kwargs) in _variants(problem).items():
            pages = {}
            for code in members:
                response = CLIENT.open(f"/p/{code}{query}", method=method, **kwargs)
                assert response.status_code == 200, (group, variant, code)
                pages[code] = _normalized(response.data, code)
            first = next(iter(pages.values()))
            differing = [code for code, page in pages.items() if page != first]
            assert not differing, f"{group}, {variant}: pages differ beyond givens and code: {differing}"


CANARY = {"W1": [[97, 89], [83, 79], [73, 71]], "b1": [67, 61, 59], "X": [[53, 47], [43, 41]],
          "W2": [[37, 31, 29], [23, 19, 17]], "b2": [13, 11]}


def test_a_problem_with_unmistakable_answers_never_shows_one():
    """Its answers are 4- to 6-digit numbers, none of them among the given ones: any
    form of the solution (JSON, a data attribute, a hidden field) would show one."""
    code = problem_request.code_for(CANARY)
    problem = codes.load(code)[1]
    solution = solve(problem).as_lists()
    numbers = {abs(value) for grid in solution.values() for row in grid for value in row}
    assert min(numbers) >= 1000
    pattern = re.compile(r"(?<![0-9A-Za-z])(?:" + "|".join(map(str, sorted(numbers))) + r")(?![0-9A-Za-z])")
    wrong = {f"{name}-{i}-{j}": str(i + j) for name, grid in solution.items()
             for i, row in enumerate(grid) for j in range(len(row))}
    requests = [(method, query, kwargs) for method, query, kwargs in _variants(problem).values()]
    requests += [("POST", "", {"data": wrong | {"action": "check"}}),
                 ("POST", "", {"data": wrong | {"action": "check"}, "headers": HX}),
                 ("POST", "", {"data": wrong | {"checked": "1", "view": "numpy"}, "headers": HX})]
    for method, query, kwargs in requests:
        response = CLIENT.open(f"/p/{code}{query}", method=method, **kwargs)
        assert response.status_code == 200
        found = pattern.findall(response.get_data(as_text=True)) + pattern.findall(str(response.headers))
        assert not found, f"{method} {query} {kwargs.get('headers')}: the page holds answers {found}"
    checked = soup(CLIENT.post(f"/p/{code}", data=wrong | {"action": "check"}).data)
    assert {status_of(td) for grid in answer_cells(checked).values() for row in grid for td in row} <= {
        "wrong", "carried"}
    api = CLIENT.get(f"/api/problems/{code}")
    assert api.status_code == 200 and not pattern.findall(api.get_data(as_text=True))


# --- escaping -------------------------------------------------------------------------------

PAYLOADS = [
    '<script>alert("hg-xss")</script>',
    '"><hg-xss onerror=alert(1)>',
    "'><hg-xss hg-xss=1>",
    '" hg-xss="1" x="',
    "' hg-xss='1' x='",
    "</textarea></title><hg-xss>",
    "<!--<hg-xss>-->",
    "javascript:alert(1)",
    # Evaluated as a template, this would print "generate_lorem_ipsum": a word no page holds by
    # chance, unlike 7*7's 49, which a random problem code can contain.
    "{{lipsum.__name__}}{%raw%}",
]
PAGES = ["/new", f"/p/{CODE}", f"/p/{CODE}?view=numpy", "/custom", "/worksheet", "/p/GAAAA-AAAAA"]


def _forms():
    """(page, action, method, {field: default}) for every form on the app's pages."""
    found = []
    for start in PAGES:
        response = CLIENT.get(start, follow_redirects=True)
        for form in soup(response.data).select("form"):
            fields = {}
            for tag in form.select("[name]"):
                if tag.name == "select":
                    option = tag.select_one("option[selected]") or tag.select_one("option")
                    fields[tag["name"]] = option.get("value", "") if option else ""
                elif tag.get("type") in ("radio", "checkbox") and not tag.has_attr("checked"):
                    fields.setdefault(tag["name"], tag.get("value", ""))
                else:
                    fields[tag["name"]] = tag.get("value", tag.get_text())
            found.append((start, form.get("action") or start, form.get("method", "get").upper(), fields))
    return found


def assert_escaped(response, payload: str, where: str) -> None:
    assert response.status_code < 500, f"{where}: {response.status_code}"
    body = response.get_data(as_text=True)
    if any(ch in payload for ch in "<>\"'"):
        assert payload not in body, f"{where}: {payload!r} came back unescaped"
    page = soup(response.data)
    assert page.select("hg-xss") == [], where
    for tag in page.find_all(True):
        assert not any(name == "hg-xss" or name.startswith("on") for name in tag.attrs), \
            f"{where}: <{tag.name} {list(tag.attrs)}>"
        for name in ("href", "src", "action"):
            assert not tag.get(name, "").lower().startswith("javascript:"), where
    assert all(script.get("src") and not script.get_text().strip() for script in page.select("script")), where
    assert "generate_lorem_ipsum" not in page.get_text(), where


def _send(action: str, method: str, fields: dict, headers: dict):
    if method == "GET":
        return CLIENT.get(action, query_string=fields, headers=headers)
    return CLIENT.post(action, data=fields, headers=headers)


def test_every_field_of_every_form_comes_back_escaped():
    forms = _forms()
    assert len(forms) >= 5 and any(fields.get("title") is not None for *_, fields in forms)
    sent = 0
    for _start, action, method, fields in forms:
        cells = [name for name in fields if name.split("-")[0] in ANSWER_NAMES]
        others = [name for name in fields if name not in cells]
        for payload in PAYLOADS:
            # Each field alone (the others as the form has them), then all the answer cells at once.
            for name in others:
                for headers in ({}, HX) if name in ("view", "checked", "shown", "action") else ({},):
                    response = _send(action, method, fields | {name: payload}, headers)
                    assert_escaped(response, payload, f"{method} {action} {name}={payload!r}")
                    sent += 1
            if cells:
                for headers in ({}, HX):
                    data = fields | dict.fromkeys(cells, payload) | {"action": "check"}
                    response = _send(action, method, data, headers)
                    assert_escaped(response, payload, f"{method} {action} cells={payload!r}")
                    if len(payload) <= MAX_ECHO and not headers:  # (htmx gets the marks alone)
                        page = soup(response.data)
                        assert page.select_one(f"input[name='{cells[0]}']")["value"] == payload
                    sent += 1
    assert sent > 100


@pytest.mark.parametrize("payload", PAYLOADS)
def test_codes_in_the_address_come_back_escaped(payload):
    for path in (f"/p/{urllib.parse.quote(payload, safe='')}", f"/open?code={urllib.parse.quote(payload)}"):
        response = CLIENT.get(path)
        assert response.status_code in (400, 404)
        assert_escaped(response, payload, path)
    api = CLIENT.get(f"/api/problems/{urllib.parse.quote(payload, safe='')}")
    assert api.status_code == 404 and api.mimetype == "application/json"


def test_api_errors_are_json_never_html():
    """What the API echoes (a field name, say) is in a JSON string, with nosniff."""
    for body in ({PAYLOADS[0]: 1}, {"preset": PAYLOADS[1]}, {"sizes": {PAYLOADS[2]: 1}}):
        response = CLIENT.post("/api/problems", json=body)
        assert response.status_code == 400 and response.mimetype == "application/json"
        assert response.get_json()["error"]


# --- limits ---------------------------------------------------------------------------------

POST_RULES = [(rule.rule, rule.endpoint) for rule in APP.url_map.iter_rules() if "POST" in rule.methods]


@pytest.mark.parametrize("rule, endpoint", POST_RULES)
@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "application/json"])
def test_bodies_over_64_kib_get_413_and_a_plain_message(rule, endpoint, content_type):
    path = re.sub(r"<(?:[^:<>]+:)?code>", CODE, rule)
    if content_type.endswith("urlencoded"):
        body = "h_z-0-0=" + "1" * LIMIT
    else:
        body = json.dumps({"h_z": "1" * LIMIT})
    response = CLIENT.post(path, data=body, content_type=content_type)
    assert response.status_code == 413
    if path.startswith("/api/"):
        message = response.get_json()["error"]
    else:
        message = soup(response.data).select_one("[role=alert]").get_text()
    assert "64 KiB" in message and "Traceback" not in message


@pytest.mark.system
def test_the_real_server_refuses_a_large_body_even_without_a_length(server_url):
    """Through the real server: with a Content-Length, and chunked with none (read up to the cap only)."""
    netloc = urllib.parse.urlsplit(server_url).netloc
    for chunked in (False, True):
        connection = http.client.HTTPConnection(netloc, timeout=10)
        body = b"h_z-0-0=" + b"1" * (LIMIT * 2)
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if chunked:
            chunks = iter([body[i:i + 8192] for i in range(0, len(body), 8192)])
            connection.request("POST", f"/p/{CODE}", body=chunks, headers=headers, encode_chunked=True)
        else:
            connection.request("POST", f"/p/{CODE}", body=body, headers=headers)
        response = connection.getresponse()
        page = response.read().decode()
        connection.close()
        assert response.status == 413, chunked
        assert "64 KiB" in soup(page).select_one("[role=alert]").get_text()
    # A small chunked body is read as usual.
    connection = http.client.HTTPConnection(netloc, timeout=10)
    connection.request("POST", f"/p/{CODE}", body=iter([b"h_z-0-0=-", b"42&action=check"]),
                       headers={"Content-Type": "application/x-www-form-urlencoded"}, encode_chunked=True)
    response = connection.getresponse()
    page = soup(response.read())
    connection.close()
    assert response.status == 200 and page.select_one("input[name='h_z-0-0']")["value"] == "-42"


@pytest.mark.parametrize("path, words", [
    ("/new?inputs=7&hidden=2&outputs=2&batch=2", "1 to 6"),
    ("/worksheet?preset=custom&inputs=7&hidden=2&outputs=2&batch=2&seed=1", "6"),
    ("/worksheet?versions=61&seed=1", "60"),
    ("/worksheet?versions=100000&seed=1", "60"),
    ("/worksheet?problems=7&seed=1", "6"),
    ("/worksheet?problems=-1&seed=1", "6"),
    ("/worksheet?title=" + "t" * 81 + "&seed=1", "80"),
])
def test_caps_on_sizes_versions_and_problems_per_sheet_get_a_400_that_says_the_limit(path, words):
    response = CLIENT.get(path)
    assert response.status_code == 400, response.status_code
    alert = soup(response.data).select_one("[role=alert]")
    assert alert is not None and words in alert.get_text()


@pytest.mark.parametrize("body", [
    {"sizes": {"inputs": 7, "hidden": 2, "outputs": 2, "batch": 2}},
    {"sizes": {"inputs": 10**9, "hidden": 2, "outputs": 2, "batch": 2}},
    {"W1": [[1] * 7] * 2, "b1": [1, 1], "W2": [[1, 1]], "b2": [1], "X": [[1]] * 7},
    {"W1": [[100, 1]], "b1": [1], "W2": [[1]], "b2": [1], "X": [[1], [1]]},
    {"preset": "classic", "seed": 10**30},
])
def test_api_caps_get_a_400_with_a_message(body):
    response = CLIENT.post("/api/problems", json=body)
    assert response.status_code == 400 and response.get_json()["error"]


def _cell(response, field="h_z-0-0"):
    return soup(response.data).select_one(f"input[name='{field}']").parent


def test_entries_longer_than_an_answer_are_invalid_and_shown_again_in_part():
    at_most = CLIENT.post(f"/p/{CODE}", data={"h_z-0-0": "-1234567", "action": "check"})
    assert status_of(_cell(at_most)) in ("wrong", "correct")  # 8 characters: a number
    too_long = "1" * (MAX_ENTRY + 1)
    response = CLIENT.post(f"/p/{CODE}", data={"h_z-0-0": too_long, "action": "check"})
    assert status_of(_cell(response)) == "invalid" and "Too long" in _cell(response).get_text()

    # What a student could have typed (50 characters) comes back whole, so they see it...
    typed = "12345 and then some more words to make it fifty.."
    assert len(typed) <= MAX_ECHO
    page = CLIENT.post(f"/p/{CODE}", data={"h_z-0-0": typed, "action": "check"})
    assert _cell(page).select_one("input")["value"] == typed and status_of(_cell(page)) == "invalid"
    # ...but 10 KB in one cell comes back as its first characters only, and the page does not grow.
    base = len(CLIENT.post(f"/p/{CODE}", data={"h_z-0-0": "x", "action": "check"}).data)
    huge = CLIENT.post(f"/p/{CODE}", data={"h_z-0-0": "7" * 10_000, "action": "check"})
    assert huge.status_code == 200
    assert _cell(huge).select_one("input")["value"] == "7" * MAX_ECHO and status_of(_cell(huge)) == "invalid"
    assert "7" * (MAX_ECHO + 1) not in huge.get_data(as_text=True)
    assert len(huge.data) < base + 2 * MAX_ECHO
    # htmx's check gets the marks alone: the entry is invalid there too, and not echoed.
    marks = CLIENT.post(f"/p/{CODE}", data={"h_z-0-0": "7" * 10_000, "action": "check"}, headers=HX)
    assert status_of(soup(marks.data).select_one("#mark-h_z-0-0")) == "invalid"
    assert "7" * (MAX_ECHO + 1) not in marks.get_data(as_text=True)


def test_api_entries_longer_than_an_answer_are_invalid_and_not_echoed_whole():
    problem = codes.load(CODE)[1]
    rows, cols = problem.sizes.answer_shape("h_z")
    grid = [["8" * 4_000] * cols for _ in range(rows)]
    response = CLIENT.post(f"/api/problems/{CODE}/check", json={"h_z": grid})
    assert response.status_code == 200
    assert {cell["status"] for row in response.get_json()["cells"]["h_z"] for cell in row} == {"invalid"}
    assert "8" * (MAX_ECHO + 1) not in response.get_data(as_text=True)
    assert len(response.data) < 20_000


@pytest.mark.parametrize("path", ["/open?code=", "/p/", "/worksheet?seed=1&title="])
def test_typed_codes_and_titles_are_not_echoed_at_full_length(path):
    response = CLIENT.get(path + "Q" * 3000)
    assert response.status_code in (400, 404)
    assert "Q" * 301 not in response.get_data(as_text=True)
