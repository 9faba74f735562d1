"""``promosim app``: serve the workshop app, offline-ready.

The command prepares the offline asset cache when it is missing (see :mod:`sim.app.assets`),
compiles the engine's loops once per engine version (``sim.compiled.prepare``), then replaces
itself with ``solara run sim.app.app`` in production mode, bound to 127.0.0.1 unless told
otherwise, with telemetry off and the cache configured.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import ipaddress
import os
import socket
import sys
from pathlib import Path

from sim import compiled
from sim.errors import InputError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """``host`` as an IP address (``[::1]`` too), or None for a name such as ``localhost``."""
    try:
        return ipaddress.ip_address(host.removeprefix("[").removesuffix("]"))
    except ValueError:
        return None


def is_loopback(host: str) -> bool:
    """Whether only this computer can reach ``host``: 127.0.0.1, any 127.x (Debian names itself 127.0.1.1), ::1."""
    address = _address(host)
    return host.lower() == "localhost" if address is None else address.is_loopback


def is_any_address(host: str) -> bool:
    """Whether ``host`` listens on every network of the computer (0.0.0.0, ::)."""
    address = _address(host)
    return host == "" if address is None else address.is_unspecified


def http_url(host: str, port: int) -> str:
    """The page's address at ``host``; an IPv6 address in brackets, as a browser needs it."""
    address = _address(host)
    shown = f"[{address}]" if isinstance(address, ipaddress.IPv6Address) else host
    return f"http://{shown}:{port}"


def port_number(text: str) -> int:
    """Argparse type: a TCP port (0 picks a free one)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got '{text}'") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be between 0 and 65535, got {value}")
    return value


def usable_port(host: str, port: int) -> int:
    """The port the server will listen on: ``port``, or a free one for 0; one line when it cannot.

    Checked here, before the server starts, because the terminal names the page's address first:
    with ``--port 0`` it said ``http://localhost:0`` (Solara picks the port later), and with a
    port in use (a second ``promosim app``) it said "serving on ..." and then Solara's own
    ``ERROR: [Errno 98]`` line. Bound the way uvicorn binds (``SO_REUSEADDR``), so a port its
    last server has just let go of counts as free, as it will for the server. Picking a free
    port and handing it on leaves a moment in which another program could take it; the server
    then stops with its own error.

    Raises:
        InputError: The port is in use or needs administrator rights (it was blamed on ``--host``),
            or the host is not an address of this computer.
    """
    address = _address(host)
    family = socket.AF_INET6 if isinstance(address, ipaddress.IPv6Address) else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((str(address) if address is not None else host, port))
            return sock.getsockname()[1]
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise InputError(f"{port} is in use on {host} (another promosim app?); choose another port, or 0 for "
                             "a free one", source="command line", path="--port") from None
        if exc.errno in (errno.EACCES, errno.EPERM):  # a port below 1024 without administrator rights
            raise InputError(f"{port} needs administrator rights on this computer (ports below 1024 do); choose "
                             "1024 or above, or 0 for a free one", source="command line", path="--port") from None
        reason = exc.strerror or str(exc)
        raise InputError(f"cannot listen on '{host}' ({reason}); give an address of this computer, e.g. "
                         f"{DEFAULT_HOST} or 0.0.0.0", source="command line", path="--host") from None


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Add ``app`` to the ``promosim`` command line."""
    app = subparsers.add_parser("app", help="start the interactive workshop app in the browser")
    app.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})")
    app.add_argument("--port", type=port_number, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    app.add_argument("--asset-cache", metavar="DIR",
                     help="offline cache of the front-end packages (default: .solara-cdn/ in the project)")
    app.add_argument("--no-prepare", action="store_true",
                     help="do not fetch missing front-end packages (the page then needs internet)")
    app.add_argument("--dry-run", action="store_true", help="print the server command instead of running it")
    app.set_defaults(func=cmd_app)


def server_command(host: str, port: int) -> list[str]:
    """The ``solara run`` command line for the app."""
    return [
        sys.executable, "-m", "solara", "run", "sim.app.app:Page",
        "--host", host, "--port", str(port), "--production", "--no-open", "--no-check-version",
    ]


def server_environment(cache: Path | None) -> dict[str, str]:
    """The environment for the server: telemetry and Solara's corner badge off, the asset cache configured."""
    from sim.app import TITLE  # noqa: PLC0415
    from sim.app.assets import ENV_VAR  # noqa: PLC0415

    env = dict(os.environ)
    env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    env["SOLARA_THEME_SHOW_BANNER"] = "False"  # its fixed corner badge covered charts and the event feed
    # The page's own title is set by script once the page runs; before that, and for a link
    # preview or a bookmark made early, the tab said "Solara ☀️".
    env["SOLARA_THEME_TITLE"] = TITLE
    # Solara warns, 13 lines per browser session, that a cookie for pages embedded in an iframe
    # needs https; the app is not embedded, and the facilitator's terminal filled with it.
    quiet = "ignore:Cookies with samesite=none require https"
    env["PYTHONWARNINGS"] = ",".join(w for w in (env.get("PYTHONWARNINGS"), quiet) if w)
    if cache is not None:
        env[ENV_VAR] = str(cache.resolve())
    return env


def network_addresses() -> list[str]:
    """The machine's IPv4 addresses on its networks (no loopback), best guess first; empty offline.

    The address of the route out is asked of the kernel by connecting a UDP socket, which sends
    nothing; the host name's addresses follow, for a network with no route out (a room's own
    Wi-Fi router without internet).
    """
    found: list[str] = []
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.connect(("192.0.2.1", 9))  # TEST-NET-1: never reached, only routed
        found.append(sock.getsockname()[0])
    with contextlib.suppress(OSError):
        found += [info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)]
    return [a for a in dict.fromkeys(found) if a and not is_loopback(a) and not is_any_address(a)]


def room_lines(host: str, port: int, addresses: list[str] | None = None) -> list[str]:
    """What the terminal says about opening the page from the room's laptops (plan step: share a run).

    A run's address is shared by copying it from the address bar, so it names the host the
    facilitator's browser opened. Bound to 127.0.0.1 (the default) no other laptop can open it,
    and with ``--host 0.0.0.0`` the terminal said only "serving on http://0.0.0.0:8765", which no
    laptop can open either, and a link copied from a browser at localhost pointed each laptop at
    itself (a facilitator's trial). So the terminal names the address to use, in both places.

    Args:
        host: The address the server listens on (``--host``).
        port: Its port.
        addresses: This machine's network addresses (default: :func:`network_addresses`).
    """
    if is_loopback(host):
        return ["promosim app: only this computer can open the page; to share it, or a run's address, with the "
                "room's laptops, start it with --host 0.0.0.0 (on a network you trust)"]
    if not is_any_address(host):
        return [f"promosim app: the room's laptops open {http_url(host, port)} (and a run's address copied from a "
                "browser that opened the page there)"]
    found = network_addresses() if addresses is None else addresses
    if not found:
        return ["promosim app: this computer has no network address now: connect it to the room's network, then "
                "start the app again"]
    urls = " or ".join(http_url(a, port) for a in found)
    return [f"promosim app: the room's laptops open {urls}; open it there yourself too, so that a run's address "
            "you copy from the address bar opens on their laptops (one copied at localhost does not)"]


def cmd_app(args: argparse.Namespace) -> int:
    """Prepare the asset cache if needed, then run the Solara server in this process."""
    from sim.app import assets  # noqa: PLC0415

    cache = Path(args.asset_cache) if args.asset_cache else assets.default_cache_dir()
    if cache.exists() and not cache.is_dir():
        raise InputError("is not a folder", source=str(cache), path="--asset-cache")
    port = args.port if args.dry_run else usable_port(args.host, args.port)  # before a 70 MB fetch
    if args.no_prepare or args.dry_run:  # a dry run says what would happen, without fetching 70 MB first
        ready = cache if assets.cache_ready(cache) else None
        if ready is None and args.dry_run and not args.no_prepare:
            print(f"note: the asset cache {cache} is not prepared yet; promosim app fetches it before serving",
                  file=sys.stderr)
        elif ready is None:
            print(f"warning: the asset cache {cache} is incomplete; the page will need internet", file=sys.stderr)
    else:
        ready = assets.ensure_cache(cache)
    env = server_environment(ready)
    if args.dry_run:
        print(" ".join(server_command(args.host, port)))
        return 0
    compiled.prepare("promosim app")
    if args.port == 0:
        # Picked again just before the server starts: the fetch and the compile above can take a
        # minute, in which their own connections take ports from the same range.
        port = usable_port(args.host, 0)
    command = server_command(args.host, port)
    where = "localhost" if is_loopback(args.host) or is_any_address(args.host) else args.host
    print(f"promosim app: serving on {http_url(where, port)} (Ctrl-C stops)", file=sys.stderr)
    for line in room_lines(args.host, port):
        print(line, file=sys.stderr)
    sys.stderr.flush()
    os.execvpe(command[0], command, env)
    return 0  # not reached
