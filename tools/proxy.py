"""Handgrid as replicas behind a real nginx, on this machine: each replica started
exactly as the Docker image starts it (`python -m app.server`, through
tools/serving.py) on its own loopback port, and Debian's nginx in front with
deploy/nginx.conf, the file compose.yaml uses. Only the port nginx listens on,
the replicas' addresses and the /tmp/ paths are changed (`render`).

nginx runs as an unprivileged user: as www-data (setpriv) when this runs as root,
as CI does; as whoever runs it otherwise. Each replica is a process group of its
own, so that `kill` can take a whole replica down at once, as a crashed container
would go, and its access log is a file (`Replica.requests` counts its lines).
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from tools import serving

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "deploy" / "nginx.conf"
NGINX = os.environ.get("HANDGRID_NGINX", "/usr/sbin/nginx")
NGINX_USER = "www-data"  # Debian's web server account, when the tests run as root


def render(config: str, port: int, replicas: list[str], tmp: Path) -> str:
    """deploy/nginx.conf for this machine: listening on 127.0.0.1:`port`, with the
    `replicas` ("127.0.0.1:8001", ...) as the upstream servers, temp files in `tmp`."""
    listen, count = re.subn(r"^(\s*)listen 8080;$", rf"\g<1>listen 127.0.0.1:{port};", config, flags=re.M)
    assert count == 1, "deploy/nginx.conf should listen on 8080 once"
    server = re.compile(r"^(\s*)server app:8000( [^;]*)?;$", re.M)
    match = server.search(listen)
    assert match and len(server.findall(listen)) == 1, "deploy/nginx.conf should have one `server app:8000`"
    servers = "\n".join(f"{match[1]}server {address}{match[2] or ''};" for address in replicas)
    rendered = listen[:match.start()] + servers + listen[match.end():]
    assert "/tmp/nginx" in rendered
    return rendered.replace("/tmp/nginx", f"{tmp}/nginx")


@dataclass
class Replica:
    process: subprocess.Popen
    url: str
    log: Path

    def requests(self, path_prefix: str = "/") -> int:
        """Requests under `path_prefix` in this replica's access log (combined format, a line each)."""
        line = rf'^\S+ - - \[[^]]+\] "[A-Z]+ {re.escape(path_prefix)}\S* HTTP/1\.1" '
        return len(re.findall(line, self.log.read_text(errors="replace"), re.M))

    def kill(self) -> None:
        """SIGKILL to the replica's whole process group (server and workers), and reap it."""
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


@dataclass
class Cluster:
    url: str  # nginx's
    replicas: list[Replica]
    nginx: subprocess.Popen
    nginx_log: Path


@contextmanager
def nginx_in_front(replicas: list[str]) -> Iterator[tuple[subprocess.Popen, str, Path]]:
    """nginx with deploy/nginx.conf in front of `replicas`: (its process, its URL, its log).
    Its directory is right under the system's temporary one, which nginx's user can reach."""
    if not Path(NGINX).exists():
        raise RuntimeError(f"{NGINX} is missing: `make test` installs Debian's nginx")
    tmp = Path(tempfile.mkdtemp(prefix="handgrid-nginx-"))
    port = serving.free_port()
    config = tmp / "nginx.conf"
    config.write_text(render(CONFIG.read_text(), port, replicas, tmp))
    log = tmp / "nginx.log"
    log.touch()
    if os.geteuid() == 0:  # nginx opens its own files, the log (as /dev/stdout) included
        account = pwd.getpwnam(NGINX_USER)
        for path in (tmp, config, log):
            os.chown(path, account.pw_uid, account.pw_gid)
    argv = [NGINX, "-p", str(tmp), "-c", str(config), "-e", "stderr", "-g", "daemon off;"]
    # SIGTERM to nginx if whoever started it dies without stopping it.
    argv = serving.as_user(argv, NGINX_USER, "TERM")
    with log.open("a") as out:
        process = subprocess.Popen(argv, cwd=tmp, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_listening(port, process, log)
        yield process, url, log
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGQUIT)  # graceful: workers finish what they hold
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        shutil.rmtree(tmp, ignore_errors=True)


def _wait_until_listening(port: int, process: subprocess.Popen, log: Path, seconds: float = 20) -> None:
    """Until nginx accepts connections: a RuntimeError with its log if not. Nothing is sent
    through it, so no replica sees a request the caller did not make."""
    deadline = time.monotonic() + seconds
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited with {process.returncode}:\n{_tail(log)}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not listen within {seconds} s:\n{_tail(log)}") from None
            time.sleep(0.05)


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:]


@contextmanager
def running(replicas: int = 2, workers: int = 1, env: dict[str, str] | None = None) -> Iterator[Cluster]:
    """`replicas` app servers of `workers` each, behind nginx; everything stopped at the end.
    The replicas trust one proxy (HANDGRID_PROXIES=1, as in compose.yaml); `env` adds settings."""
    logs = Path(tempfile.mkdtemp(prefix="handgrid-replicas-"))
    settings = {"HANDGRID_PROXIES": "1", **(env or {})}
    started: list[Replica] = []
    try:
        for number in range(replicas):
            log = logs / f"replica-{number + 1}.log"
            with log.open("w") as out:
                process, url = serving.start(workers, settings, stdout=out, stderr=subprocess.STDOUT,
                                             start_new_session=True)
            started.append(Replica(process, url, log))
        for replica in started:
            serving.wait_until_up(replica.url + "/healthz", replica.process)
        addresses = [replica.url.removeprefix("http://") for replica in started]
        with nginx_in_front(addresses) as (nginx, url, nginx_log):
            yield Cluster(url, started, nginx, nginx_log)
    finally:
        for replica in started:
            if replica.process.poll() is None:
                replica.process.terminate()
        for replica in started:
            try:
                replica.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                replica.kill()
        shutil.rmtree(logs, ignore_errors=True)


def get(url: str, headers: dict[str, str] | None = None, timeout: float = 10) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_for(condition, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("timed out waiting")
        time.sleep(0.05)
