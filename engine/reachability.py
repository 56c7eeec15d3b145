"""Whether anything listens at a network address, and whether it speaks gRPC: a quick answer before
handing the address to a client (Ray, MLflow) that would otherwise retry for minutes."""

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


# What an HTTP/2 client sends first (RFC 9113 §3.4): the preface, then its SETTINGS frame (empty here).
_HTTP2_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + bytes([0, 0, 0, 4, 0, 0, 0, 0, 0])
_FRAME_HEADER = 9
_SETTINGS = 4


def not_grpc(host: str, port: int, *, timeout_s: float = 5.0) -> str | None:
    """Why the server at ``host:port`` is not a cleartext gRPC server, or None if it is.

    A gRPC server speaks HTTP/2, whose server opens with a SETTINGS frame: the first nine bytes back
    after the client preface say whether the peer speaks it. Anything else (a database greeting, an
    HTTP/1 reply, a closed or silent connection) is not gRPC."""
    try:
        with socket.create_connection((host.strip("[]"), port), timeout=timeout_s) as peer:
            peer.sendall(_HTTP2_PREFACE)
            head = b""
            while len(head) < _FRAME_HEADER and (chunk := peer.recv(_FRAME_HEADER - len(head))):
                head += chunk
    except TimeoutError:
        return f"it did not answer gRPC within {timeout_s:g} s"
    except OSError as failure:
        return failure.strerror or str(failure) or type(failure).__name__
    if len(head) == _FRAME_HEADER and head[3] == _SETTINGS:
        return None
    return "it does not speak gRPC" + (" (it closed the connection)" if not head else "")


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
