"""Whether anything listens at a network address: a quick answer before handing the address to a client
(Ray, MLflow) that would otherwise retry for minutes."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit
from urllib.request import getproxies, proxy_bypass


def unreachable(host: str, port: int, *, timeout_s: float = 5.0) -> str | None:
    """Why nothing answers a TCP connection at ``host:port`` within ``timeout_s``, or None if it does."""
    try:
        socket.create_connection((host.strip("[]"), port), timeout=timeout_s).close()
    except OSError as failure:
        return failure.strerror or str(failure) or type(failure).__name__
    return None


def url_unreachable(url: str, *, default_ports: dict[str, int], timeout_s: float = 5.0) -> str | None:
    """:func:`unreachable` for the host and port of a URL whose scheme (before any ``+driver``) is in
    ``default_ports``; None for other URLs (files, SQLite), URLs without a host, and web URLs the
    environment sends through a proxy (only the client knows how to reach those)."""
    try:
        parts = urlsplit(url)
        scheme = parts.scheme.split("+")[0]
        port = parts.port or default_ports.get(scheme)
    except ValueError:  # a port that is not a number: the client will say so
        return None
    if scheme not in default_ports or not parts.hostname or port is None:
        return None
    if scheme in getproxies() and not proxy_bypass(parts.hostname):
        return None
    return unreachable(parts.hostname, port, timeout_s=timeout_s)
