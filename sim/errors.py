"""The error types users see.

Every mistake in a scenario file, a CSV, a command-line argument or an app upload is raised as an
``InputError`` whose message is a single line naming the file, the key path and what is allowed.
The command line prints that line and exits with code 2; the app shows it in the page. Work that
cannot go on for a reason outside the input (a Dask scheduler lost mid-experiment) is an
``ExecutionError``: one line too, and exit code 1.
"""

from __future__ import annotations

from pathlib import Path


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


class ExecutionError(RuntimeError):
    """Work stopped by the machinery, not by the input: one line, no traceback, exit code 1.

    Not an ``InputError``: exit code 2 tells a script that the command line or a file is wrong,
    so that running it again unchanged fails again, while here the same command, run again once
    the machinery is back, goes on where it stopped (a lost Dask scheduler exited with 2: a
    researcher's trial).
    """

    exit_code = 1


def output_folder(path: str | Path) -> Path:
    """Create an output folder (and its parents) before any work is done for it.

    Made up front so that a path that cannot be a folder (an existing file, a read-only or
    missing mount) is reported in one line before a long run, not as a traceback after it.
    """
    folder = Path(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create output folder ({exc.strerror})", source=str(folder)) from None
    # An existing folder passes mkdir even when nothing can be written in it (another user's
    # folder, a read-only mount): the first write would then fail with a traceback after the plan.
    import tempfile  # noqa: PLC0415 (here: the command line imports this module before it handles Ctrl-C)

    try:
        tempfile.TemporaryFile(dir=folder).close()
    except OSError as exc:
        raise InputError(f"cannot write in output folder ({exc.strerror})", source=str(folder)) from None
    return folder
