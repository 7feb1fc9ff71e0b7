"""Is the address free? Asked before anything heavy loads, so a busy port costs no model load.

Light on purpose: the CLI imports it for every command, and Gradio (seconds to
import) only when the app is served.
"""

from __future__ import annotations


class PortError(OSError):
    """The app cannot listen where it was asked to (port in use, address not available)."""


def check_port(host: str, port: int) -> None:
    """Bind and release ``host:port`` so a busy port is reported before "running on …" is printed."""
    import socket

    if not 1 <= port <= 65535:
        raise PortError(f"port {port} is out of range; use 1 to 65535 (--port / LABSTORIES_PORT)")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise PortError(f"cannot listen on {host}: {error.strerror} (--host / LABSTORIES_HOST)") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as error:
            raise PortError(
                f"cannot listen on {host}:{port}: {error.strerror or error}; "
                "choose another with --port or stop what is using it"
            ) from None


__all__ = ["PortError", "check_port"]
