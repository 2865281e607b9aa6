"""The real PostgreSQL the tests start (tests/realpg.py): it answers SQLAlchemy through
psycopg 3, each test gets a database of its own, it runs as an unprivileged user,
listens on 127.0.0.1 alone and starts well within the suite's time budget."""

from __future__ import annotations

import os
import pwd
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from tests import realpg

pytestmark = pytest.mark.system


def test_sqlalchemy_queries_it_through_psycopg(pg_url):
    assert pg_url.startswith("postgresql+psycopg://")
    engine = create_engine(pg_url)
    try:
        assert engine.dialect.driver == "psycopg"
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE checks (id serial PRIMARY KEY, cells int NOT NULL)"))
            connection.execute(text("INSERT INTO checks (cells) VALUES (:n)"), [{"n": 36}, {"n": 12}])
        with engine.connect() as connection:
            assert connection.execute(text("SELECT sum(cells) FROM checks")).scalar_one() == 48
            version = connection.execute(text("SHOW server_version_num")).scalar_one()
            assert int(version) >= 150000  # bookworm's 15 or later
            assert connection.execute(text("SELECT current_user")).scalar_one() == realpg.USER
    finally:
        engine.dispose()


@pytest.mark.parametrize("turn", ["first", "second"])
def test_each_test_gets_an_empty_database_and_leaves_its_tables_behind(pg_url, turn):
    """Both turns write the same table and neither drops it: the second would find
    the first's table if they shared a database."""
    engine = create_engine(pg_url)
    try:
        assert inspect(engine).get_table_names() == []
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE left_behind (turn text)"))
            connection.execute(text("INSERT INTO left_behind VALUES (:turn)"), {"turn": turn})
    finally:
        engine.dispose()


def test_two_databases_see_nothing_of_each_other_and_are_dropped_after(postgres):
    with postgres.database() as first, postgres.database() as second:
        assert first != second
        one, other = create_engine(first), create_engine(second)
        try:
            with one.begin() as connection:
                connection.execute(text("CREATE TABLE only_here (n int)"))
            assert inspect(one).get_table_names() == ["only_here"]
            assert inspect(other).get_table_names() == []
        finally:
            one.dispose()
            other.dispose()
    with postgres.connect() as connection:
        names = {row[0] for row in connection.execute("SELECT datname FROM pg_database")}
    assert first.rsplit("/", 1)[1] not in names and second.rsplit("/", 1)[1] not in names


def _uids(pid: int) -> list[int]:
    status = Path(f"/proc/{pid}/status").read_text().splitlines()
    return [int(uid) for uid in next(line for line in status if line.startswith("Uid:")).split()[1:]]


def test_it_runs_as_an_unprivileged_user(postgres):
    with postgres.connect() as connection:  # open while its backend is looked at: it ends with it
        backend = connection.execute("SELECT pg_backend_pid()").fetchone()[0]
        data = connection.execute("SHOW data_directory").fetchone()[0]
        # The postmaster (the process the fixture started: setpriv execs) and the backend serving us.
        uids = {pid: _uids(pid) for pid in (postgres.process.pid, backend)}
    for pid, found in uids.items():
        assert 0 not in found, f"process {pid} runs as root"
    owner = Path(data).stat().st_uid
    assert owner != 0
    if os.geteuid() == 0:  # as in CI: the package's own user
        assert pwd.getpwuid(owner).pw_name == realpg.SYSTEM_USER == pwd.getpwuid(uids[backend][0]).pw_name


def _listening(port: int) -> list[str]:
    """The local addresses (as hex) of sockets listening on `port`, IPv4 and IPv6."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.partition(":")
            if int(hex_port, 16) == port and state == "0A":
                found.append(address)
    return found


def test_it_listens_on_127_0_0_1_only_and_has_no_unix_socket(postgres):
    assert _listening(postgres.port) == ["0100007F"]  # 127.0.0.1, little-endian
    with postgres.connect() as connection:
        assert connection.execute("SHOW listen_addresses").fetchone()[0] == "127.0.0.1"
        assert connection.execute("SHOW unix_socket_directories").fetchone()[0] == ""


def test_a_wrong_password_is_refused(postgres):
    import psycopg

    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(host="127.0.0.1", port=postgres.port, user=realpg.USER, password="not-it",
                        dbname="postgres", connect_timeout=5).close()


@pytest.mark.alone
def test_it_starts_within_3_seconds_and_stops_leaving_nothing():
    """initdb to the first connection, on a quiet machine (about 0.6 s measured on 2 cores)."""
    with realpg.running() as server:
        seconds, root, process = server.startup_seconds, server.root, server.process
        assert seconds < 3, f"PostgreSQL took {seconds:.2f} s to start"
    assert process.returncode == 0  # a clean fast shutdown, not a kill
    assert not root.exists()
