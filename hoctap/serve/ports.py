"""Addresses and ports of the servers `hoctap serve` runs: can a port be listened on (and which one to suggest when
it cannot), and the host to put in a URL."""

from __future__ import annotations

import errno
import socket

from hoctap.errors import ServeError

WILDCARD_HOSTS = {"", "0.0.0.0", "::", "*"}


def check_port(host: str, port: int, option: str) -> None:
    """Raise ServeError naming the port and `option` when `host:port` cannot be listened on."""
    if not 0 < port < 65536:
        raise ServeError(f"{option} {port}: cổng phải từ 1 đến 65535 / a port is 1 to 65535")
    try:
        infos = socket.getaddrinfo(
            None if host in WILDCARD_HOSTS else host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except socket.gaierror as error:
        raise ServeError(f"--host {host}: không phân giải được / cannot resolve ({error.strerror})") from None
    for family, kind, proto, _, address in infos:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as tornado does: TIME_WAIT is fine
            try:
                probe.bind(address)
            except OSError as error:
                if error.errno == errno.EADDRINUSE:
                    raise ServeError(
                        f"cổng {port} đang được dùng / port {port} is already in use: chọn cổng khác / choose "
                        f"another with {option} (vd. / e.g. {option} {_suggest(host, port)})"
                    ) from None
                if error.errno == errno.EADDRNOTAVAIL:
                    continue  # e.g. ::1 on a machine without IPv6: the server skips it too
                raise ServeError(
                    f"không mở được cổng {port} / cannot listen on port {port}: {error.strerror}"
                ) from None


def local_host(host: str) -> str:
    return "127.0.0.1" if host in WILDCARD_HOSTS else host


def lan_address() -> str:
    """This machine's address on its default route (no packet is sent), else its host name."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))
            return probe.getsockname()[0]
        except OSError:
            return socket.gethostname()


def url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _suggest(host: str, port: int) -> int:
    for candidate in range(port + 1, min(port + 50, 65536)):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind((local_host(host) if ":" not in host else "127.0.0.1", candidate))
            except OSError:
                continue
            return candidate
    return port + 1
