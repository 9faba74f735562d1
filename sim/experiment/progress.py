"""Progress on long work: runs done, failed and the time left, on stderr.

A bar only makes sense on a terminal; in CI logs or pipes it would print thousands of lines, so
it is off when stderr is not a terminal and with ``--quiet``. The runner reports through the
small :class:`Progress` protocol, so tests and other front ends (the app) can plug in their own.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator, Sequence
from typing import Any, Protocol


class Progress(Protocol):
    """What the runner calls while it works."""

    def start(self, total: int, done: int, description: str) -> None:
        """Work begins: ``total`` runs in the plan, ``done`` of them already in the store."""

    def advance(self, ok: bool) -> None:
        """One more run finished (``ok`` False when it failed)."""

    def stop(self) -> None:
        """Work ended (normally or not)."""


class NoProgress:
    """Says nothing."""

    def start(self, total: int, done: int, description: str) -> None:
        """Ignore."""

    def advance(self, ok: bool) -> None:
        """Ignore."""

    def stop(self) -> None:
        """Ignore."""


class RichProgress:
    """A rich bar: description, bar, done/total, failed, elapsed and ETA."""

    def __init__(self) -> None:
        from rich.console import Console  # noqa: PLC0415
        from rich.progress import (  # noqa: PLC0415
            BarColumn,
            MofNCompleteColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as Bar  # noqa: PLC0415

        self._bar = Bar(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("runs, [red]{task.fields[failed]} failed[/red]"), TimeElapsedColumn(),
            TextColumn("ETA"), TimeRemainingColumn(), console=Console(stderr=True), transient=False,
        )
        self._task: Any = None
        self._failed = 0

    def start(self, total: int, done: int, description: str) -> None:
        """Show the bar, counting runs already in the store as done."""
        self._bar.start()
        self._task = self._bar.add_task(description, total=total, completed=done, failed=0)

    def advance(self, ok: bool) -> None:
        """Move the bar one run."""
        if not ok:
            self._failed += 1
        self._bar.update(self._task, advance=1, failed=self._failed)

    def stop(self) -> None:
        """Leave the final state on screen."""
        self._bar.stop()


def make_progress(quiet: bool) -> Progress:
    """A bar on a terminal, silence otherwise."""
    if quiet or not sys.stderr.isatty():
        return NoProgress()
    return RichProgress()


@contextlib.contextmanager
def reporting(quiet: bool, figures: Sequence[str]) -> Iterator[None]:
    """Say on a terminal that the report is being written (and its plots drawn) while it is.

    After the runs' bar, a report with its plots took 15 s and more of a silent screen (a
    researcher's trial: a shrunk peter_principle folder rebuilt as PNG). A spinner, gone once the
    report is written; nothing with ``--quiet`` or off a terminal, as for the bar.
    """
    if quiet or not sys.stderr.isatty():
        yield
        return
    from rich.console import Console  # noqa: PLC0415

    what = "writing the report and drawing its plots" if figures else "writing the report"
    with Console(stderr=True).status(what):
        yield
