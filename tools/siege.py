"""Slow and idle clients, as a classroom's phones and a slowloris attack make them.

`Siege` holds `idle` connections that send nothing and `slow` ones that send a
request's headers one line every `interval` seconds and never finish them. With
`reopen`, a connection the server drops is opened again at once, so the
pressure lasts as long as the siege does (tools/loadtest.py runs one beside
its load; tests/test_server.py holds one while it measures /healthz).
Traffic goes to 127.0.0.1 only; the siege ends when `close` is called.
"""

from __future__ import annotations

import socket
import threading

HEAD = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"


class Siege:
    def __init__(self, port: int, idle: int, slow: int, interval: float = 1.0, reopen: bool = False) -> None:
        self.port, self.interval, self.reopen = port, interval, reopen
        self.idle = [self._connect() for _ in range(idle)]
        self.slow = [self._connect(HEAD) for _ in range(slow)]
        self.sent_lines = 0
        self.dropped = 0  # connections the server closed (and, with reopen, that were opened again)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._drip, name="siege", daemon=True)
        self._thread.start()

    def _connect(self, first: bytes = b"") -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", self.port))
        if first:
            sock.sendall(first)
        return sock

    def _drip(self) -> None:
        n = 0
        while not self._stop.wait(self.interval):
            n += 1
            for i, sock in enumerate(self.slow):
                try:
                    if not is_open(sock):
                        raise ConnectionError
                    sock.sendall(f"X-Slow-{n}: still typing\r\n".encode())
                    self.sent_lines += 1
                except OSError:
                    self._replace(self.slow, i, HEAD)
            for i, sock in enumerate(self.idle):
                if not is_open(sock):
                    self._replace(self.idle, i)

    def _replace(self, group: list[socket.socket], i: int, first: bytes = b"") -> None:
        self.dropped += 1
        if self.reopen:
            group[i].close()
            try:
                group[i] = self._connect(first)
            except OSError:
                pass  # tried again on the next round

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        for sock in self.idle + self.slow:
            sock.close()


def is_open(sock: socket.socket) -> bool:
    """Whether the server still holds the connection (nothing to read, no end of stream)."""
    sock.setblocking(False)
    try:
        return sock.recv(1, socket.MSG_PEEK) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        sock.setblocking(True)
