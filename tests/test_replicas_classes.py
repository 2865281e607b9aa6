"""Classes on two replicas sharing one real PostgreSQL, behind a real nginx: the
replicas started together exactly as the image starts them (tools/proxy.py), one
class of 60 students joining and checking through the proxy (tools/classload.py),
one replica SIGKILLed halfway. Migrations run once; the teacher's results, read
through each replica directly, hold every check that was acknowledged; the errors
the kill causes are bounded, and listed in the report this test prints."""

from __future__ import annotations

import subprocess
import threading
import time

import pytest
from sqlalchemy import create_engine, text

from tools import classload, proxy, serving

pytestmark = pytest.mark.system

STUDENTS, CHECKS = 60, 10


def _stored(connection) -> int:
    """Checks stored so far, read from the database itself (cheaper than a dashboard)."""
    return connection.execute(text("SELECT coalesce(sum(checks), 0) FROM progress")).scalar_one()


def _restart(replica: proxy.Replica, settings: dict[str, str]) -> proxy.Replica:
    """The killed replica started again on its own port, as a container restarts."""
    bind = replica.url.removeprefix("http://")
    with replica.log.open("a") as out:
        process, _ = serving.start(1, {**settings, "HANDGRID_BIND": bind}, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    restarted = proxy.Replica(process, replica.url, replica.log)
    try:
        serving.wait_until_up(replica.url + "/healthz", process)
    except RuntimeError:
        restarted.kill()  # not left running: the cluster's clean-up does not know it yet
        raise
    return restarted


def test_sixty_students_on_two_replicas_and_one_killed_lose_no_acknowledged_check(postgres):
    with postgres.database() as url:  # empty: the replicas' start-up migrates it
        settings = {"HANDGRID_DATABASE_URL": url, "HANDGRID_PROXIES": "1"}
        with proxy.running(2, workers=1, env=settings) as cluster:
            first, second = cluster.replicas
            logs = [replica.log.read_text(errors="replace") for replica in cluster.replicas]
            migrated = [log.count("migrated from empty to ") for log in logs]
            assert sorted(migrated) == [0, 1], logs  # both started together; one migrated
            assert all("is up to date" in log for log in logs), logs
            engine = create_engine(url)
            with engine.connect() as connection:
                assert len(connection.execute(text("SELECT version_num FROM alembic_version")).all()) == 1

            made = classload.make_class(cluster.url, "Two replicas", problems=2)
            outcome: list[classload.Outcome] = []
            load = threading.Thread(target=lambda: outcome.append(
                classload.run(cluster.url, made["join_code"], STUDENTS, CHECKS)), daemon=True)
            load.start()
            deadline = time.monotonic() + 60
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                while _stored(connection) < STUDENTS * CHECKS // 2:
                    assert time.monotonic() < deadline, "the load did not get halfway within a minute"
                    time.sleep(0.01)
                served_before = [replica.requests("/api/") for replica in cluster.replicas]
                first.kill()
                killed_at = _stored(connection)
            engine.dispose()
            assert load.is_alive() and killed_at < STUDENTS * CHECKS * 3 // 4  # halfway, not at the end
            load.join(120)
            assert not load.is_alive()
            seen = outcome[0]
            report = (f"{seen.joined} joined, {seen.checks} checks acknowledged, {len(seen.errors)} errors, "
                      f"{seen.interrupted} interrupted; replica 1 killed at {killed_at} stored checks; "
                      f"API requests served before the kill: {served_before}\n" + "\n".join(seen.errors[:20]))
            print(report)
            assert min(served_before) > 0, report  # both replicas had their share
            assert second.requests("/api/") > served_before[1], report  # and the survivor went on
            assert seen.joined == STUDENTS and seen.interrupted == 0, report  # nginx always answered
            # Each student has one request in flight: at most one error each, at the kill itself.
            assert len(seen.errors) <= STUDENTS, report
            assert all(": 502:" in error for error in seen.errors), report
            assert seen.checks >= STUDENTS * CHECKS - len(seen.errors), report

            cluster.replicas[0] = first = _restart(first, settings)
            after = [classload.results(replica.url, made) for replica in (first, second)]
            for found in after:  # through each replica directly: every acknowledged check
                assert classload.missing(found, seen, exact=False) == [], report
                assert len(found["students"]) == STUDENTS
            assert after[0]["students"] == after[1]["students"]  # the same dashboard from either
            stored = sum(p["checks"] for s in after[0]["students"] for p in s["problems"])
            # A check cut off by the kill may have been stored without its answer reaching the student.
            assert seen.checks <= stored <= seen.checks + len(seen.errors), report
            assert classload.bad_log_lines(second.log) == []
