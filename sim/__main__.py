"""``python -m sim`` and the ``promosim`` command: ``sim.cli.entry``, with Ctrl-C handled from the start.

``sim.cli`` turns a Ctrl-C into its one line "promosim: interrupted" once it is imported, but a
Ctrl-C can land while it is still being imported (a fresh checkout compiles every module's bytecode
first): that printed an import traceback and exited with -2, not 130.
"""

from __future__ import annotations

import sys
from typing import NoReturn


def run() -> NoReturn:
    """Import the command line and run it; a Ctrl-C during the import is the same one line, exit 130."""
    try:
        from sim.cli import entry  # noqa: PLC0415 (inside the try: the import is what can be interrupted)
    except KeyboardInterrupt:
        sys.stderr.write("promosim: interrupted\n")
        raise SystemExit(130) from None
    entry()


if __name__ == "__main__":
    run()
