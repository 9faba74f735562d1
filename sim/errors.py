"""The one error type users see.

Every mistake in a scenario file, a CSV, a command-line argument or an app upload is raised as an
``InputError`` whose message is a single line naming the file, the key path and what is allowed.
The command line prints that line and exits with code 2; the app shows it in the page.
"""

from __future__ import annotations


class InputError(ValueError):
    """Bad input from a user: one line, no traceback, exit code 2.

    Args:
        message: What is wrong and what is allowed.
        source: The file (or other origin) the input came from, if any.
        path: The key path inside the input, e.g. ``organisation.levels[2].positions``.
    """

    exit_code = 2

    def __init__(self, message: str, source: str | None = None, path: str | None = None):
        self.source = source
        self.path = path
        self.detail = message
        prefix = ": ".join(p for p in (source, path) if p)
        super().__init__(f"{prefix}: {message}" if prefix else message)


ScenarioError = InputError
