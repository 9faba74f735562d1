"""Shared fixtures for the engine's tests: paths, small scenarios, and a real-CLI runner."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import settings

# Speed lives in benchmarks: a property test of a fast function failed once on a loaded machine,
# an example slower than hypothesis's 200 ms deadline with nothing wrong (a helper's run).
settings.register_profile("promosim", deadline=None)
settings.load_profile("promosim")

# A suite started in the background of a script (`./dev test &`, or `nohup ... &` from a
# non-interactive shell) inherits SIGINT ignored, and so would every command it starts: the tests
# that press Ctrl-C in a child then saw runs finish with exit code 0. Python's own handler here is
# reset to the default in each child at exec, so children start as from a terminal. (The test
# of a command started with SIGINT ignored sets that up itself.)
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
BASELINE = SCENARIOS / "baseline.yaml"
# For a command whose test reads no plot: its two plots take longer to draw than a small comparison's runs.
NO_PLOTS = ("--figures", "none")

# A small but complete organisation: three levels, a management track from level 1, two groups.
TINY: dict[str, Any] = {
    "name": "tiny",
    "years": 1,
    "warmup_months": 0,
    "organisation": {
        "levels": [
            {"name": "Junior", "positions": {"specialist": 20}, "hire_share": 1.0},
            {"name": "Senior", "positions": {"specialist": 8, "management": 4}},
            {"name": "Head", "positions": {"management": 2}},
        ]
    },
    "groups": [
        {"name": "a", "workforce_share": 0.6, "hiring_share": 0.5},
        {"name": "b", "workforce_share": 0.4, "hiring_share": 0.5},
    ],
    "policy": {"name": "visibility", "cycle_months": 3},
}


@pytest.fixture
def tiny() -> dict[str, Any]:
    """A fresh copy of the tiny scenario mapping (tests may change it)."""
    return yaml.safe_load(yaml.safe_dump(TINY))


@pytest.fixture
def write_yaml(tmp_path: Path) -> Callable[[str, str | Mapping[str, Any]], Path]:
    """Write YAML text (or a mapping, dumped) to ``tmp_path / name`` and return the path."""

    def write(name: str, content: str | Mapping[str, Any]) -> Path:
        path = tmp_path / name
        text = content if isinstance(content, str) else yaml.safe_dump(dict(content), sort_keys=False)
        path.write_text(text, encoding="utf-8")
        return path

    return write


# A two-ladder organisation (synthetic_org's shape): both tracks from Senior up, the top management
# only; where promotion.accept_other_track applies (ODD 7.8.4).
TWO_LADDERS = [
    {"name": "Associate", "positions": {"specialist": 120}, "hire_share": 1.0},
    {"name": "Professional", "positions": {"specialist": 95}, "hire_share": 0.2},
    {"name": "Senior", "positions": {"specialist": 60, "management": 14}, "hire_share": 0.2},
    {"name": "Lead", "positions": {"specialist": 22, "management": 12}, "hire_share": 0.2},
    {"name": "Director", "positions": {"specialist": 4, "management": 6}, "hire_share": 0.25},
    {"name": "Executive", "positions": {"management": 2}, "hire_share": 0.3},
]


def cli_env() -> dict[str, str]:
    """The environment for a CLI subprocess: this working tree first on the path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    env.pop("PYTHONHASHSEED", None)
    return env


def run_cli(*args: str | Path, cwd: Path | None = None, env: Mapping[str, str] | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run ``python -m sim ARGS`` as a real subprocess and capture its output.

    The timeout leaves room for the first process of a fresh clone, which compiles every loop
    (about 20 s on a quiet machine, over 120 s on a loaded one).
    """
    return subprocess.run(
        [sys.executable, "-m", "sim", *map(str, args)],
        cwd=cwd or ROOT,
        env=dict(env) if env is not None else cli_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@contextlib.contextmanager
def ended(proc: subprocess.Popen[str]) -> Iterator[subprocess.Popen[str]]:
    """``proc``, killed with its process group on the way out if it is still running (a failed wait)."""
    try:
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def stderr_until(proc: subprocess.Popen[str], words: str, what: str) -> str:
    """What a running command wrote on stderr up to the line holding ``words`` (it must get there).

    Args:
        proc: The command, started with ``stderr=subprocess.PIPE`` and ``text=True``.
        words: What the awaited line holds.
        what: The moment awaited, for the failure message ("it compiled").
    """
    said = ""
    while words not in said:
        line = proc.stderr.readline()  # type: ignore[union-attr]
        assert line, f"the command ended before {what}: {said}"
        said += line
    return said


_DROPPED_CTRL_C = """
import importlib, signal, sys, threading
from sim.cli import entry

if {stuck_thread!r}:  # a thread that never ends, as a process pool's can after Ctrl-C
    threading.Thread(target=threading.Event().wait).start()

class PressesCtrlC:
    def __del__(self):
        signal.raise_signal(signal.SIGINT)

module = importlib.import_module({module!r})
wrapped = getattr(module, {function!r})

def pressing_first(*args, **kwargs):
    if {as_import_error!r}:  # as numpy does when a Ctrl-C lands while its C extensions load
        try:
            signal.raise_signal(signal.SIGINT)
        except KeyboardInterrupt:
            raise ImportError("Importing the numpy C-extensions failed.") from None
    PressesCtrlC()
    return wrapped(*args, **kwargs)

setattr(module, {function!r}, pressing_first)
entry()
"""


def run_cli_dropping_ctrl_c(before: str, *args: str | Path, stuck_thread: bool = False,
                            as_import_error: bool = False, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the ``promosim`` program with a Ctrl-C pressed, and dropped by Python, just before ``before`` is called.

    ``before`` is ``module:function``. Python drops what a finaliser raises ("Exception ignored"), as
    it does in importlib's weakref callback, where CI once saw a real Ctrl-C land and be lost.
    ``stuck_thread`` starts a thread that never ends first. ``as_import_error`` turns the Ctrl-C
    into an ImportError instead, as numpy does when it lands while numpy's C extensions load.
    """
    module, function = before.split(":")
    script = _DROPPED_CTRL_C.format(module=module, function=function, stuck_thread=stuck_thread,
                                    as_import_error=as_import_error)
    return subprocess.run([sys.executable, "-c", script, *map(str, args)], cwd=ROOT, env=cli_env(),
                          capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture
def cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    """The real command line as a function: ``cli("validate", path, cwd=...)``."""
    return run_cli
