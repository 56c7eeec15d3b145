"""Whether anything listens at an address, asked before a client that would retry for minutes."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from engine.reachability import not_grpc, unreachable, url_unreachable

PORTS = {"http": 80, "postgresql": 5432}


def test_a_listening_port_is_reachable_and_a_released_one_is_not() -> None:
    with socket.create_server(("127.0.0.1", 0)) as listening:
        port = listening.getsockname()[1]
        assert unreachable("127.0.0.1", port) is None
        assert url_unreachable(f"http://127.0.0.1:{port}/api", default_ports=PORTS) is None
    assert unreachable("127.0.0.1", port) == "Connection refused"
    assert url_unreachable(f"postgresql+psycopg://u:pw@127.0.0.1:{port}/db", default_ports=PORTS) == (
        "Connection refused"
    )


def test_urls_without_a_network_host_are_not_probed() -> None:
    for url in (
        "sqlite:///var/mlflow.sqlite3",
        "file:///tmp/runs",
        "/tmp/runs",
        "foo://bar",
        "http://h:port",
    ):
        assert url_unreachable(url, default_ports=PORTS) is None


def test_a_web_url_sent_through_a_proxy_is_left_to_the_client(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.create_server(("127.0.0.1", 0)) as released:
        port = released.getsockname()[1]
    url = f"http://mlflow.example:{port}"
    monkeypatch.setenv("http_proxy", "http://proxy.example:3128")
    monkeypatch.setenv("no_proxy", "")
    assert url_unreachable(url, default_ports=PORTS) is None
    monkeypatch.setenv("no_proxy", "mlflow.example")
    assert (
        url_unreachable(url, default_ports=PORTS) is not None
    )  # bypassed: asked directly, and nobody answers


@contextmanager
def one_shot_server(greeting: bytes | None) -> Iterator[int]:
    """A server on a free loopback port that reads the client's first bytes, then sends ``greeting``
    and closes (``None``: says nothing and keeps the connection open until the test ends)."""
    listening = socket.create_server(("127.0.0.1", 0))
    done = threading.Event()

    def serve() -> None:
        peer, _ = listening.accept()
        with peer:
            peer.recv(64)
            if greeting is not None:
                peer.sendall(greeting)
            else:
                done.wait(10)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listening.getsockname()[1]
    finally:
        done.set()
        thread.join(10)
        listening.close()


HTTP2_SETTINGS = bytes([0, 0, 6, 4, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 100])  # SETTINGS: 100 streams at most


def test_a_server_that_opens_with_http2_settings_speaks_grpc() -> None:
    with one_shot_server(HTTP2_SETTINGS) as port:
        assert not_grpc("127.0.0.1", port) is None


@pytest.mark.parametrize(
    ("greeting", "reason"),
    [
        (b"HTTP/1.0 400 Bad request\r\n\r\n", "it does not speak gRPC"),
        (b"-ERR unknown command 'PRI'\r\n", "it does not speak gRPC"),
        (b"", "it does not speak gRPC (it closed the connection)"),
        (None, "it did not answer gRPC within 0.5 s"),
    ],
    ids=["http1", "redis-like", "closes", "silent"],
)
def test_a_server_that_answers_otherwise_is_not_grpc(greeting: bytes | None, reason: str) -> None:
    with one_shot_server(greeting) as port:
        assert not_grpc("127.0.0.1", port, timeout_s=0.5) == reason


def test_not_grpc_says_why_when_nothing_listens() -> None:
    with socket.create_server(("127.0.0.1", 0)) as released:
        port = released.getsockname()[1]
    assert not_grpc("127.0.0.1", port) == "Connection refused"
