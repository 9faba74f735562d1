"""``promosim app``: serve the workshop app, offline-ready.

The command prepares the offline asset cache when it is missing (see :mod:`sim.app.assets`),
compiles the engine's loops once per engine version (``sim.compiled.prepare``), then replaces
itself with ``solara run sim.app.app`` in production mode, bound to 127.0.0.1 unless told
otherwise, with telemetry off and the cache configured.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from sim import compiled
from sim.errors import InputError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def port_number(text: str) -> int:
    """Argparse type: a TCP port (0 picks a free one)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got '{text}'") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be between 0 and 65535, got {value}")
    return value


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


def cmd_app(args: argparse.Namespace) -> int:
    """Prepare the asset cache if needed, then run the Solara server in this process."""
    from sim.app import assets  # noqa: PLC0415

    cache = Path(args.asset_cache) if args.asset_cache else assets.default_cache_dir()
    if cache.exists() and not cache.is_dir():
        raise InputError("is not a folder", source=str(cache), path="--asset-cache")
    if args.no_prepare or args.dry_run:  # a dry run says what would happen, without fetching 70 MB first
        ready = cache if assets.cache_ready(cache) else None
        if ready is None and args.dry_run and not args.no_prepare:
            print(f"note: the asset cache {cache} is not prepared yet; promosim app fetches it before serving",
                  file=sys.stderr)
        elif ready is None:
            print(f"warning: the asset cache {cache} is incomplete; the page will need internet", file=sys.stderr)
    else:
        ready = assets.ensure_cache(cache)
    command = server_command(args.host, args.port)
    env = server_environment(ready)
    if args.dry_run:
        print(" ".join(command))
        return 0
    compiled.prepare("promosim app")
    where = "localhost" if args.host in ("127.0.0.1", "localhost", "::1") else args.host
    print(f"promosim app: serving on http://{where}:{args.port} (Ctrl-C stops)", file=sys.stderr, flush=True)
    os.execvpe(command[0], command, env)
    return 0  # not reached
