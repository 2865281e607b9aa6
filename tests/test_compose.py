"""compose.yaml, without a Docker engine: valid against the Compose specification's own
JSON schema (the copy check-jsonschema ships, pinned in requirements-dev.txt), and in
agreement with itself, the Dockerfile and deploy/nginx.conf: the services and their
health checks, the database's volume and credentials, the replicas' port, and the
proxy's configuration file, port and trust."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "compose.yaml"
NGINX_CONF = ROOT / "deploy" / "nginx.conf"


def schema_check(path: Path) -> subprocess.CompletedProcess:
    argv = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec", str(path)]
    return subprocess.run(argv, capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


@pytest.mark.system  # lint, as tests/test_lint.py: a second or so per file
def test_the_compose_file_is_valid_against_the_compose_specification():
    result = schema_check(COMPOSE)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.system
@pytest.mark.parametrize("breakage", [
    ('      test: ["CMD", "pg_isready"', '      tests: ["CMD", "pg_isready"'),  # a misspelt key
    ('    ports:\n      - "8000:8080"', '    ports: "8000:8080"'),  # a string for a list
    ("volumes:\n  db-data:", "volume:\n  db-data:"),  # an unknown top-level key
])
def test_the_schema_check_fails_on_a_broken_file(tmp_path, breakage):
    old, new = breakage
    text = COMPOSE.read_text()
    assert old in text
    broken = tmp_path / "compose.yaml"
    broken.write_text(text.replace(old, new, 1))
    assert schema_check(broken).returncode != 0


def health_command(service: dict) -> list[str]:
    test = service["healthcheck"]["test"]
    assert isinstance(test, list) and test[0] == "CMD", "an exec-form health check (no shell needed)"
    return test[1:]


def test_three_services_each_with_a_health_check_and_a_restart_policy(compose):
    services = compose["services"]
    assert set(services) == {"db", "app", "proxy"}
    for name, service in services.items():
        assert health_command(service), name
        assert service["restart"] == "unless-stopped", name


def test_postgresql_keeps_its_data_in_a_named_volume_and_is_checked_with_pg_isready(compose):
    db = compose["services"]["db"]
    assert db["image"].startswith("postgres:")
    mounts = dict(volume.split(":", 1) for volume in db["volumes"])
    assert mounts == {"db-data": "/var/lib/postgresql/data"}
    assert set(compose["volumes"]) == {"db-data"}
    command = health_command(db)
    assert command[0] == "pg_isready"
    assert f"--username={db['environment']['POSTGRES_USER']}" in command
    assert f"--dbname={db['environment']['POSTGRES_DB']}" in command


def test_the_replicas_reach_the_database_and_wait_for_it(compose):
    db, app = compose["services"]["db"], compose["services"]["app"]
    assert app["deploy"]["replicas"] == 2
    # (urlsplit cannot read it: the password is compose's "${NAME:?message}")
    url = re.fullmatch(r"postgresql\+psycopg://(\w+):\$\{(\w+):\?[^}]*\}@([\w-]+):(\d+)/(\w+)",
                       app["environment"]["HANDGRID_DATABASE_URL"])
    environment = db["environment"]
    assert url, app["environment"]["HANDGRID_DATABASE_URL"]
    user, variable, host, port, database = url.groups()
    assert (user, database) == (environment["POSTGRES_USER"], environment["POSTGRES_DB"])
    assert (host, port) == ("db", "5432")  # the service's name, PostgreSQL's port
    # The same password, from the same variable, which compose refuses to start without.
    password = re.fullmatch(r"\$\{(\w+):\?[^}]*\}", environment["POSTGRES_PASSWORD"])
    assert password and password[1] == variable
    assert app["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert ".env" in (ROOT / ".gitignore").read_text().split()  # the password never goes into git


def test_the_replicas_health_check_asks_healthz_on_the_port_nginx_sends_to(compose):
    app = compose["services"]["app"]
    dockerfile = (ROOT / "Dockerfile").read_text()
    bind = re.search(r"HANDGRID_BIND=(\S+)", dockerfile)[1]  # the image's: compose leaves it
    assert "HANDGRID_BIND" not in app["environment"]
    port = bind.rsplit(":", 1)[1]
    assert f"http://127.0.0.1:{port}/healthz" in " ".join(health_command(app))
    upstream = re.findall(r"^\s*server (\S+?)(?: [^;]*)?;$", NGINX_CONF.read_text(), re.M)
    assert upstream == [f"app:{port}"]  # the service's name: every replica, by compose's DNS


def test_nginx_uses_the_config_the_tests_use_on_the_port_compose_publishes(compose):
    proxy = compose["services"]["proxy"]
    assert proxy["image"].startswith("nginx:")
    source, target, mode = proxy["volumes"][0].split(":")
    assert (ROOT / source).resolve() == NGINX_CONF and target == "/etc/nginx/nginx.conf" and mode == "ro"
    listen = re.findall(r"^\s*listen (\d+);$", NGINX_CONF.read_text(), re.M)
    assert listen == ["8080"]
    assert [ports.split(":")[1] for ports in proxy["ports"]] == listen
    assert f"http://127.0.0.1:{listen[0]}/healthz" in health_command(proxy)
    # Unprivileged and read-only: nginx.conf keeps its pid and temporary files in /tmp, a tmpfs here.
    assert proxy["user"] != "0" and not proxy["user"].startswith("0:") and proxy["read_only"] is True
    assert proxy["tmpfs"] == ["/tmp"]
    assert set(re.findall(r"(/tmp/\S+?);", NGINX_CONF.read_text())) >= {"/tmp/nginx.pid"}
    # Started once a replica is healthy, and restarted when compose replaces the replicas.
    assert proxy["depends_on"] == {"app": {"condition": "service_healthy", "restart": True}}


def test_the_replicas_trust_exactly_the_one_proxy_in_front(compose):
    assert compose["services"]["app"]["environment"]["HANDGRID_PROXIES"] == "1"
    assert "ports" not in compose["services"]["app"], "replicas are reached only through the proxy"
