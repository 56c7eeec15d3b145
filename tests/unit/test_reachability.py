"""Whether anything listens at an address, asked before a client that would retry for minutes."""

from __future__ import annotations

import socket

import pytest

from engine.reachability import unreachable, url_unreachable

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
