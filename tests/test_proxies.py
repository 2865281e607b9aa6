"""HANDGRID_PROXIES: behind that many proxies the app takes the client's address, the
scheme and the host from their X-Forwarded-* headers (werkzeug's ProxyFix), so the
links it prints (worksheet QR codes) are the ones students reach; with 0, the
default, those headers are ignored, since anyone can send them to a bare server.

What nginx actually sends in front of replicas is tested with the real nginx in
tests/test_replicas.py."""

from __future__ import annotations

import os
import subprocess

import pytest
from flask import request

from app import create_app
from tests.pages import soup
from tools import serving

WORKSHEET = ("/worksheet?preset=classic&problems=1&versions=1&notation=grid&title=&instructions="
             "&paper=a4&key=end&duplex=off&gen=1&seed=7")


def probed(proxies: object):
    """The app as the server builds it, plus a route that says what it took the request for."""
    app = create_app({"TESTING": True, "PROXIES": proxies})

    @app.get("/test-probe")
    def probe():
        return {"remote_addr": request.remote_addr, "scheme": request.scheme, "host_url": request.host_url}

    return app.test_client()


def seen(client, client_address: str, headers: dict) -> dict:
    return client.get("/test-probe", headers=headers, environ_base={"REMOTE_ADDR": client_address}).get_json()


NGINX_SENDS = {  # as deploy/nginx.conf passes a request on: the client's own claims first
    "X-Forwarded-For": "6.6.6.6, 203.0.113.9", "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "grid.school.example", "Host": "grid.school.example"}


def test_with_no_proxy_forwarded_headers_are_ignored():
    client = probed(0)
    assert seen(client, "203.0.113.9", {"X-Forwarded-For": "6.6.6.6", "X-Forwarded-Proto": "https",
                                        "X-Forwarded-Host": "evil.example"}) == {
        "remote_addr": "203.0.113.9", "scheme": "http", "host_url": "http://localhost/"}


def test_behind_one_proxy_only_the_entry_it_appended_is_trusted():
    client = probed(1)
    assert seen(client, "10.0.0.2", NGINX_SENDS) == {
        "remote_addr": "203.0.113.9", "scheme": "https", "host_url": "https://grid.school.example/"}


def test_behind_two_proxies_the_second_to_last_entry_is_the_client():
    client = probed(2)
    headers = {"X-Forwarded-For": "6.6.6.6, 198.51.100.4, 10.0.0.1", "X-Forwarded-Proto": "https, http",
               "X-Forwarded-Host": "grid.school.example, handgrid-proxy"}
    assert seen(client, "10.0.0.2", headers) == {
        "remote_addr": "198.51.100.4", "scheme": "https", "host_url": "https://grid.school.example/"}


def test_behind_a_proxy_a_request_without_the_headers_keeps_its_own_values():
    assert seen(probed(1), "10.0.0.2", {}) == {
        "remote_addr": "10.0.0.2", "scheme": "http", "host_url": "http://localhost/"}


@pytest.mark.parametrize("proxies, link", [(0, "http://localhost/p/"),
                                           (1, "https://grid.school.example/p/")])
def test_the_worksheet_qr_links_follow_the_proxy_only_when_it_is_trusted(proxies, link):
    client = create_app({"TESTING": True, "PROXIES": proxies}).test_client()
    headers = {key: value for key, value in NGINX_SENDS.items() if key != "Host"}
    page = soup(client.get(WORKSHEET, headers=headers).data)
    section = page.select_one(".ws-problem")
    assert section.select_one(".ws-qr")["aria-label"] == f"QR code of {link}{section['data-code']}"


def test_the_setting_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("HANDGRID_PROXIES", "1")
    assert create_app({"TESTING": True}).config["PROXIES"] == 1
    client = create_app({"TESTING": True}).test_client()
    page = soup(client.get(WORKSHEET, headers={"X-Forwarded-Proto": "https"}).data)
    assert page.select_one(".ws-qr")["aria-label"].startswith("QR code of https://localhost/p/")


@pytest.mark.parametrize("value", [-1, 6, "two", True, 1.5, [1]])
def test_a_number_of_proxies_that_is_not_one_is_refused_at_start(value):
    with pytest.raises(ValueError, match="HANDGRID_PROXIES must be how many proxies are in front"):
        create_app({"PROXIES": value})


@pytest.mark.system
def test_the_server_stops_with_the_message_when_the_setting_is_wrong():
    env = {**os.environ, "HANDGRID_PROXIES": "two", "HANDGRID_BIND": f"127.0.0.1:{serving.free_port()}",
           "HANDGRID_WORKERS": "1"}
    result = subprocess.run(serving.COMMAND, cwd=serving.ROOT, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode != 0
    assert "HANDGRID_PROXIES must be how many proxies are in front of Handgrid, from 0 to 5, not 'two'." in (
        result.stdout + result.stderr)
