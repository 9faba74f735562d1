"""The ``promosim`` command line (also ``python -m sim``).

Sub-commands live beside what they run: this module holds ``run``, ``validate`` and
``interventions``; other packages add theirs through an ``add_commands(subparsers)`` function
(see ``COMMAND_MODULES``). Every user mistake ends as one line on stderr and exit code 2; work
the machinery stopped (``ExecutionError``: a lost Dask scheduler) as one line and exit code 1.
"""

from __future__ import annotations

import argparse
import difflib
import functools
import importlib
import json
import math
import os
import platform
import shlex
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from sim.errors import ExecutionError, InputError, output_folder
from sim.wording import counted

COMMAND_MODULES = ("sim.experiment.cli", "sim.app.cli", "sim.orgdata.cli")

_ctrl_c: list[int] = []  # the signal (SIGINT, SIGTERM) once one arrived during this call of main()


def _on_ctrl_c(signum: int, frame: Any) -> None:
    """Note the Ctrl-C (or SIGTERM), then raise it as Python raises a Ctrl-C.

    Python drops an exception raised inside a weakref callback or ``__del__`` ("Exception
    ignored in ..."), and importlib runs such a callback while the engine's modules load. A Ctrl-C
    landing there would be lost and the run would go on to the end; the note lets ``checkpoint``
    and ``main`` raise it again.

    SIGTERM, which batch schedulers (Slurm, PBS) and ``timeout`` send to stop a job, is taken the
    same way: it killed the command with no word (exit -15; a researcher's trial), though the
    finished runs were saved, where a Ctrl-C said where they are and how to resume.
    """
    _ctrl_c.append(signum)
    raise KeyboardInterrupt


def _quiet_dropped_ctrl_c(unraisable: Any, previous: Callable[[Any], None]) -> None:
    """Keep Python's "Exception ignored" report of a dropped Ctrl-C off the screen.

    ``checkpoint`` raises it again, so the user sees one line, not a traceback; anything else goes
    to the hook that was there before.
    """
    if isinstance(unraisable.exc_value, KeyboardInterrupt) and _ctrl_c:
        return
    previous(unraisable)


class Interrupted(KeyboardInterrupt):
    """Ctrl-C, with what the user needs to know next (where the finished work is), for ``main``'s one line."""


def checkpoint() -> None:
    """Stop here if Ctrl-C was pressed, even when the interrupt itself was swallowed."""
    if _ctrl_c:
        raise KeyboardInterrupt


class ArgumentParser(argparse.ArgumentParser):
    """argparse that reports a bad argument as one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        """Print one line naming the command and the problem.

        A ``--levers`` mistake is said as the command's own input errors are ("command line:
        --levers ...: ..."), since most of its mistakes are found by the command, past argparse:
        one option, one style (an org-design trial met both).
        """
        detail = message.removeprefix("argument --levers: ")
        if detail != message:
            if detail == "expected one argument":
                detail = "expected lever names separated by commas (promosim interventions lists them)"
            self.exit(2, f"{self.prog}: {InputError(detail, source='command line', path='--levers')}\n")
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")

    def parse_args(self, args: Sequence[str] | None = None, namespace: Any = None) -> Any:  # type: ignore[override]
        """Parse; an unknown option is named by the sub-command it was given to, with the closest it has.

        argparse leaves unknown options to the top parser, which says only "promosim: error:
        unrecognized arguments".
        """
        parsed, extra = self.parse_known_args(args, namespace)
        if extra:
            words = list(sys.argv[1:] if args is None else args)
            before = words[: words.index(extra[0])] if extra[0] in words else words
            parser = self._chosen(parsed, before)
            options = [o for action in parser._actions for o in action.option_strings]
            close = [m for e in extra if e.startswith("-") for m in [_closest_option(e, options)] if m]
            hint = f" (did you mean {close[0]}?)" if close else self._elsewhere_hint(parser, extra[0])
            if "--set" not in options and any(e.split("=")[0] == "--set" for e in extra):
                # not "did you mean --seed?": the user wants to change a setting of one arm
                hint = (f" ({parser.prog} has no --set: write the change in a variant file that extends the "
                        "baseline's, or in an experiment file's set: block, see docs/experiments.md)")
            hint = hint or _set_hint(words, extra[0])
            fix = None if hint else _list_fix(words, extra[0])
            if fix is not None and fix[0] == "--levers":  # said in the style of every other --levers mistake
                parser.error(f"argument --levers: a space split the list, leaving {' '.join(extra)} over; "
                             f"--levers takes {_ONE_WORD}: --levers {fix[1]}")
            if fix is not None:
                hint = f" ({fix[0]} takes {_ONE_WORD}: {fix[0]} {fix[1]})"
            parser.error(f"unrecognized arguments: {' '.join(extra)}{hint}")
        return parsed

    def _elsewhere_hint(self, parser: argparse.ArgumentParser, typed: str) -> str:
        """The hint for an option that other promosim commands take (``experiment run --metrics``), else "".

        It got "did you mean --years?", which the two words' leading dashes made look close.
        """
        option = typed.split("=", maxsplit=1)[0]
        if not option.startswith("--"):
            return ""
        others = [p.prog for p in _parsers(self) if p is not parser
                  and any(option in a.option_strings for a in p._actions)]
        if not others:
            return ""
        key = option[2:].replace("-", "_")
        file = ""
        if f"{parser.prog} ".startswith("promosim experiment "):
            from sim.experiment.design import ExperimentFile  # noqa: PLC0415

            file = f"the experiment file's {key}: sets it; " if key in ExperimentFile.model_fields else ""
        return f" ({parser.prog} has no {option}: {file}{' and '.join(others)} take{'s' * (len(others) == 1)} it)"

    def _chosen(self, parsed: argparse.Namespace, before: Sequence[str]) -> argparse.ArgumentParser:
        """The innermost sub-command parser ``parsed`` went through whose name is among ``before``."""
        parser: argparse.ArgumentParser = self
        while True:
            subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
            chosen = getattr(parsed, subs[0].dest, None) if subs else None
            if chosen not in (subs[0].choices if subs else {}) or chosen not in before:
                return parser
            parser = subs[0].choices[chosen]


def _closest_option(typed: str, options: Sequence[str]) -> str | None:
    """The long option a mistyped ``--option`` most likely meant, compared without the dashes (None if none is close).

    With them, every pair of options shares two characters: ``--metrics`` was "close" to ``--years``.
    """
    bare = {o.lstrip("-"): o for o in options if o.startswith("--")}
    close = difflib.get_close_matches(typed.split("=", maxsplit=1)[0].lstrip("-"), list(bare), n=1, cutoff=0.6)
    return bare[close[0]] if close and typed.startswith("--") else None


def _parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """``parser`` and every sub-command parser under it, each once."""
    found = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):
                found.extend(_parsers(sub))
    return found


def _set_hint(words: Sequence[str], first_extra: str) -> str:
    """The hint for ``--set KEY VALUE``: the value is left over because ``--set`` takes one word.

    argparse gives ``--set`` the key alone and calls the value an unrecognized argument,
    which does not point at the missing ``=``.
    """
    if first_extra not in words:
        return ""
    at = list(words).index(first_extra)
    key = words[at - 1] if at >= 2 and words[at - 2] == "--set" else None
    if key is None or "=" in key:
        return ""
    value = first_extra.lstrip("=")  # --set key =0.15
    example = f": --set {key}={value}" if value else ""
    return f" (--set takes KEY=VALUE as one word, without spaces{example})"


_ONE_WORD = "one comma-separated word, without spaces"


def _list_fix(words: Sequence[str], first_extra: str) -> tuple[str, str] | None:
    """For ``--levers a, b`` or ``--metrics a, b``, where a space after a comma split the list: the option and its word.

    A space beside ``--levers``' ``+`` (``mentoring + career_conversations``, unquoted) splits it too.
    None when the words left over are not such a list's.
    """
    if first_extra not in words:
        return None
    at = list(words).index(first_extra)
    option = words[at - 2] if at >= 2 else ""
    joins = (",", "+") if option == "--levers" else (",",)  # + joins levers in one arm

    def joined(k: int) -> bool:  # words[k] and words[k + 1] were meant as one word
        return words[k].endswith(joins) or (k + 1 < len(words) and words[k + 1].startswith(joins))

    if not option.startswith("--") or not joined(at - 1):
        return None
    parts = [words[at - 1]]
    for k in range(at, len(words)):  # "--levers a, b, c": every piece up to the first not joined to the next
        parts.append(words[k])
        if not joined(k):
            break
    return option, "".join(parts).rstrip(",")


def parse_set(items: Sequence[str]) -> dict[str, Any]:
    """``KEY.PATH=VALUE`` pairs to a mapping; values are read as YAML scalars (1, 0.5, true)."""
    from sim.scenario import parse_yaml  # noqa: PLC0415

    out: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--set expects KEY.PATH=VALUE, got '{item}'", source="command line")
        if not raw.strip():  # YAML reads nothing as null, which the scenario then reports as 'None'
            raise InputError(f"--set {key.strip()}= has no value; write KEY.PATH=VALUE (null for none, '' for no text)",
                             source="command line")
        if key.strip() in out:  # the last would win, silently (``--levers`` refuses a parameter set twice)
            raise InputError(f"--set {key.strip()} is given twice; set each key once", source="command line")
        out[key.strip()] = parse_yaml(raw, f"--set {key.strip()}")
    return out


def load_with_set(scenario: str, headcount: int | None, overrides: dict[str, Any], typed: Sequence[str]) -> Any:
    """``load_scenario`` with overrides; a bad value among ``typed`` (the ``--set`` keys) is blamed on ``--set``.

    The scenario's validation names the scenario as the source of every error, so a typo typed on
    the command line read as if it were in the scenario file.
    """
    from sim.scenario import load_scenario  # noqa: PLC0415

    try:
        return load_scenario(scenario, headcount=headcount, overrides=overrides)
    except InputError as exc:
        path = exc.path or ""
        # A lever switched on (or misspelt) by a --set key is checked as a block: its path is the
        # key's parent (``interventions.mentoring`` for ``interventions.mentoring.coverage``).
        lever = path.startswith("interventions.") and any(key.startswith(f"{path}.") for key in typed)
        if not lever and not any(path == key or path.startswith((f"{key}.", f"{key}[")) for key in typed):
            raise
        raise InputError(exc.detail, source="--set", path=path) from None


def _whole_number(text: str, minimum: int, wording: str, maximum: int | None = None) -> int:
    """Parse a whole number from ``minimum`` to ``maximum`` for argparse, or say what is allowed."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got '{text}'") from None
    if value < minimum or (maximum is not None and value > maximum):
        raise argparse.ArgumentTypeError(f"must be {wording}, got {value}")
    return value


def positive_int(text: str) -> int:
    """Argparse type: an integer >= 1."""
    return _whole_number(text, 1, "at least 1")


def headcount(text: str) -> int:
    """Argparse type: a headcount to resize to, at least 2 (as scenarios and experiment files require).

    Checked here so that the message names the option typed, not a file's ``headcount``.
    """
    from sim.scenario import MAX_HEADCOUNT  # noqa: PLC0415 (the commands import it anyway)

    return _whole_number(text, 2, f"from 2 to {MAX_HEADCOUNT:,}", MAX_HEADCOUNT)


MAX_SEED = 2**63 - 1  # what experiment files and their derived replication seeds stay within


def seed_number(text: str) -> int:
    """Argparse type: a seed from 0 to 2**63 - 1, the range experiment files take, named as the option typed."""
    return _whole_number(text, 0, f"from 0 to {MAX_SEED}", MAX_SEED)


def run_years(text: str) -> float:
    """Argparse type: simulated years, a finite number covering at least one month.

    Checked here so that a too-short ``--years`` is named as the option the user typed, not as
    the scenario or experiment file's ``years``.
    """
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got '{text}'") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a finite number above 0, got {text}")
    from sim.scenario import MAX_YEARS  # noqa: PLC0415 (the commands import it anyway)

    if value > MAX_YEARS:
        raise argparse.ArgumentTypeError(f"must be at most {MAX_YEARS} years, got {text}")
    if round(12 * value) < 1:  # a run steps round(12 * years) months
        raise argparse.ArgumentTypeError(f"must cover at least one month (1/12 = 0.0833 years), got {text}")
    return value


FIGURE_FORMATS = ("png", "svg", "pdf")  # what ``--figures`` takes; svg and pdf are the vector ones journals ask for
DEFAULT_FIGURES = ("png",)
NO_FIGURES = "none"  # ``--figures none``: every table and report.md, no plot (the empty tuple of formats)


def figure_formats(text: str) -> tuple[str, ...]:
    """Argparse type: ``--figures``, the formats to write each figure in, separated by commas (``png,pdf``).

    One comma-separated word, as ``--metrics`` and ``--levers`` take; case is ignored (``SVG``).
    """
    names = [f.strip().lower().removeprefix(".") for f in text.split(",") if f.strip()]
    allowed = f"{', '.join(FIGURE_FORMATS)}, or several separated by commas, e.g. png,pdf, or {NO_FIGURES}"
    if not names:
        raise argparse.ArgumentTypeError(f"expected {allowed}")
    repeated = next((name for i, name in enumerate(names) if name in names[:i]), None)
    if repeated is not None:
        raise argparse.ArgumentTypeError(f"'{repeated}' is listed twice; list each format once")
    if NO_FIGURES in names:  # a scripted sweep's tables without the plots, which cost more than a small run
        if len(names) > 1:
            raise argparse.ArgumentTypeError(f"'{NO_FIGURES}' draws no plot, so it goes alone, not with other formats")
        return ()
    unknown = next((name for name in names if name not in FIGURE_FORMATS), None)
    if unknown is not None:
        raise argparse.ArgumentTypeError(f"unknown format '{unknown}'; choose {allowed}")
    return tuple(names)


def reproducing_command(*words: Any, args: argparse.Namespace, figures_default: Sequence[str] = DEFAULT_FIGURES) -> str:
    """The command that reproduces a result: ``promosim WORDS`` and the options that change it, shell-quoted.

    Recorded in metadata.json (and shown in report.md) beside the folder it ran in, since its
    paths are as typed. Options that change no number or file (the executor, ``--quiet``,
    ``--full``) are left out; ``--csv`` is kept, as it changes the files written, and so is
    ``--figures`` other than the command's default; ``--confidence`` is kept when given (left out, a
    report's level is the default, or for ``experiment report`` the folder's).

    Args:
        *words: The sub-command and its positional arguments, as typed.
        args: The parsed options; any of the known ones it has and was given are added.
        figures_default: The ``--figures`` the command writes without the option: PNG, but for
            ``experiment report`` the formats of the folder's own command.
    """
    parts = ["promosim", *(str(w) for w in words)]
    for flag in ("replications", "years", "headcount", "seed", "method", "samples", "levels", "confidence", "out",
                 "against"):
        value = getattr(args, flag, None)
        if value is not None:
            # A whole float as 1, any other exactly (a rounded --years would be another design).
            parts += [f"--{flag}", (f"{value:.0f}" if value.is_integer() else repr(value))
                      if isinstance(value, float) else str(value)]
    for flag in ("metrics", "levers", "interaction"):
        if getattr(args, flag, None):
            parts += [f"--{flag}", ",".join(map(str, getattr(args, flag)))]  # a lever as typed
    if getattr(args, "interaction", None) == []:  # `--interaction none`: without it, a report shows the folder's pairs
        parts += ["--interaction", "none"]
    for item in getattr(args, "set", None) or []:
        parts += ["--set", item]
    if getattr(args, "csv", False):
        parts.append("--csv")
    figures = getattr(args, "figures", None)
    if figures is not None and set(figures) != set(figures_default):  # the same files, in any order
        parts += ["--figures", ",".join(figures) or NO_FIGURES]
    return shlex.join(parts)


def run_metadata(seed: int | None = None, **extra: Any) -> dict[str, Any]:
    """What a result needs beside it to be reproduced: versions, git revision, seed."""
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415

    versions = {}
    # numba compiles the engine's loops; scipy gives the intervals and p-values, SALib the
    # sensitivity indices: a methods section has to name them too.
    for pkg in ("promosim", "mesa", "numpy", "numba", "scipy", "SALib", "pandas", "pyarrow", "pydantic"):
        try:
            versions[pkg] = version(pkg)
        except PackageNotFoundError:
            versions[pkg] = None
    here = Path(__file__).resolve().parent
    try:
        rev = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True,
                             cwd=here).stdout.strip()
        # A revision alone does not reproduce results made with edits not yet committed. Without
        # optional locks, so that asking does not refresh .git/index (a commit made meanwhile
        # could meet index.lock).
        changed = subprocess.run(["git", "--no-optional-locks", "status", "--porcelain", "--untracked-files=no",
                                  "--", "sim", "scenarios", "experiments", "pyproject.toml"],
                                 capture_output=True, text=True, check=True, cwd=here.parent).stdout.strip()
        dirty: bool | None = bool(changed)
    except (OSError, subprocess.CalledProcessError):
        rev, dirty = None, None
    from sim.experiment.fingerprint import code_digest  # noqa: PLC0415 (standard library only)

    return {
        "seed": seed,
        "python": platform.python_version(),
        "packages": versions,
        "git_revision": rev,
        "git_uncommitted_changes": dirty,
        # The engine's source as imported: two sessions at one revision, each with other uncommitted edits,
        # read as one version, and a resume reused the other edit's runs without a warning.
        "engine_digest": code_digest()[0],
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        **extra,
    }


def _progress(quiet: bool) -> Any:
    """A rich progress bar when talking to a terminal, else nothing."""
    if quiet or not sys.stderr.isatty():
        return None, None
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn  # noqa: PLC0415

    bar = Progress(TextColumn("simulating"), BarColumn(), TextColumn("{task.completed}/{task.total} months"),
                   TimeRemainingColumn(), transient=True)
    return bar, None


def under(path: str | Path, exc: InputError) -> InputError:
    """The error named under the scenario file given, when it was found in a file that scenario reads.

    An organisation file's problem names that file; the user typed the scenario's.
    """
    return exc if str(exc).startswith(str(path)) else InputError(str(exc), source=str(path))


def cmd_run(args: argparse.Namespace) -> int:
    """Run one scenario and write its tables."""
    import pandas as pd  # noqa: PLC0415

    from sim.experiment.design import label_from_file  # noqa: PLC0415
    from sim.orgdata.loader import CapacityError  # noqa: PLC0415
    from sim.simulation import simulate  # noqa: PLC0415

    if args.csv and not args.out:
        raise InputError("--csv needs --out DIR, the folder to write the tables to", source="command line")
    overrides = parse_set(args.set or [])
    typed = list(overrides)
    if args.years is not None:
        overrides["years"] = args.years
    scenario = load_with_set(args.scenario, args.headcount, overrides, typed)
    if args.out and (Path(args.out) / "experiment.json").exists():
        raise InputError("holds an experiment's results (experiment.json), whose metadata.json a run would "
                         "overwrite; give run another --out", source=str(args.out))
    if args.out:
        from sim.experiment.store import refuse_inside_tables  # noqa: PLC0415

        refuse_inside_tables(args.out)
    fresh = bool(args.out) and not Path(args.out).exists()
    out = output_folder(args.out) if args.out else None  # made before the run: a bad --out fails at once
    if not args.quiet:
        from sim import compiled  # noqa: PLC0415

        compiled.prepare("promosim run")
    bar, _ = _progress(args.quiet)
    try:
        if bar is not None:
            with bar:
                task = bar.add_task("run", total=round(12 * scenario.years))

                def advance(month: int, months: int) -> None:
                    checkpoint()
                    bar.update(task, completed=month)

                result = simulate(scenario, seed=args.seed, progress=advance)
        else:
            result = simulate(scenario, seed=args.seed, progress=lambda month, months: checkpoint())
    except InputError as exc:
        if fresh and out is not None and not any(out.iterdir()):
            out.rmdir()  # nothing was written; leave no trace of the failed run
        if args.headcount and isinstance(exc, CapacityError):
            exc = exc.after_resizing(args.headcount, "--headcount")
        raise under(args.scenario, exc) from None
    # The scenario's own name, with the label compare and experiment files give it (its file's name)
    # where the two differ: "Acme Engineering (acme, seed 1, ...)", as compare names it "Acme Engineering (acme)".
    label = label_from_file(args.scenario)
    said = [*([label] if label != scenario.name else []), f"seed {args.seed}",
            f"{scenario.years:g} {'year' if scenario.years == 1 else 'years'}"]
    from sim.wording import top_levels_words  # noqa: PLC0415

    levels = [level.model_dump(mode="json") for level in scenario.organisation.levels]
    print_summary(result.summary, f"{scenario.name} ({', '.join(said)})",
                  top_is_everyone=scenario.metrics.key_levels >= scenario.n_levels,
                  one_group=len(scenario.groups) < 2, top_levels=top_levels_words(levels, scenario.metrics.key_levels))
    for note in result.notes:
        print(note)
    if result.names:
        print_story(result)
    if out is not None:
        summary = pd.DataFrame({"metric": list(result.summary), "value": list(result.summary.values())})
        tables = {"summary": summary, "timeseries": result.timeseries, "events": result.events,
                  "promotions": result.promotions, "decliners": result.decliners, "development": result.development}
        if result.file_ids:  # the events name agent ids; this joins them to the HR file's ids
            tables["people"] = pd.DataFrame({"employee": list(result.file_ids), "id": list(result.file_ids.values())})
        # What was typed, not only its outcome: scenario.yaml holds the values, but "scenario": "baseline"
        # alone read as the shipped baseline when --set had changed its policy (a reproducibility trial).
        # The command's paths are as typed, so relative ones need the folder it ran in to be run again.
        meta = run_metadata(args.seed, command=reproducing_command("run", args.scenario, args=args),
                            cwd=str(Path.cwd()), scenario=scenario.name, source=str(args.scenario),
                            set={key: overrides[key] for key in typed}, headcount=args.headcount,
                            years=scenario.years, names={str(k): v for k, v in result.names.items()})
        schemas = run_table_schemas()
        try:
            for name, frame in tables.items():
                if args.csv:
                    frame.to_csv(out / f"{name}.csv", index=False)
                else:
                    frame.to_parquet(out / f"{name}.parquet", index=False, schema=schemas[name])
            (out / "scenario.yaml").write_text(scenario.to_yaml(), encoding="utf-8")
            (out / "metadata.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot write the results ({exc.strerror})", source=str(exc.filename or out)) from None
        fmt = "CSV" if args.csv else "Parquet"
        people = ", people (the file's ids)" if "people" in tables else ""
        print(f"wrote summary, timeseries, events, promotions, decliners, development{people} ({fmt}), "
              "scenario.yaml and metadata.json "
              f"to {out}")
    return 0


def run_table_schemas() -> dict[str, Any]:
    """The Arrow schema of each Parquet table ``promosim run --out`` writes.

    Left to infer the types from the frame, a table without rows (a run in which nothing was
    logged) gets null-typed columns, so the file layout would depend on what happened in the run.
    """
    import pyarrow as pa  # noqa: PLC0415

    from sim.experiment.store import PROMOTION_COLUMNS, PROMOTION_NOTES, described  # noqa: PLC0415

    # The columns every ledger's table has: step, employee, group, then the ledger's own, then outcome, settled_step.
    ledger = [*PROMOTION_COLUMNS[:3], *PROMOTION_COLUMNS[-2:]]

    schemas = {
        "summary": pa.schema([("metric", pa.string()), ("value", pa.float64())]),
        "timeseries": pa.schema([("step", pa.int64()), ("year", pa.int64()), ("metric", pa.string()),
                                 ("value", pa.float64()), ("level", pa.int64()), ("group", pa.string()),
                                 ("track", pa.string())]),
        "events": pa.schema([("step", pa.int64()), ("employee", pa.int64()), ("kind", pa.string()),
                             ("details", pa.string())]),
        "people": pa.schema([("employee", pa.int64()), ("id", pa.string())]),
        "promotions": pa.schema(PROMOTION_COLUMNS),
        "decliners": pa.schema(ledger),
        "development": pa.schema([*ledger[:3], ("toward", pa.string()), *ledger[3:]]),
    }
    # Each column says what it holds (its field's description); a name the tables share may mean
    # another thing in one (a decliner's outcome is whether they stayed, not whether a promotion stuck).
    own = {"promotions": PROMOTION_NOTES, "decliners": {**PROMOTION_NOTES, **DECLINER_NOTES},
           "development": {**PROMOTION_NOTES, **DEVELOPMENT_NOTES}}
    return {name: described(schema, own.get(name)) for name, schema in schemas.items()}


# What the decliners' and development tables' own columns hold (sim.simulation.decliner_table, development_table).
DECLINER_NOTES = {
    "step": "the month the offer was declined",
    "outcome": "stayed (still employed when metrics.decliner_window_months had passed), left, or pending",
}
DEVELOPMENT_NOTES = {
    "step": "the month the development was given",
    "toward": "specialist or management, the track the development aimed at",
    "outcome": "succeeded (a wanted promotion the way it aimed within metrics.roi_window_months), failed, or pending",
}


def print_summary(summary: dict[str, float], title: str, top_is_everyone: bool = False,
                  one_group: bool = False, top_levels: str = "") -> None:
    """The summary as a table (rich when available), which levels "the top" is, and why each n/a has no value.

    Args:
        summary: Metric name to value.
        title: The table's title.
        top_is_everyone: Whether ``metrics.key_levels`` covers every level (representation is
            then undefined however long the run: ``metrics.undefined_reasons``).
        one_group: Whether the scenario has one group (representation is undefined there too).
        top_levels: The levels "at the top" in words (``wording.top_levels_words``), said under
            the table where a metric of the top has a value: "women at the top" did not say
            which levels (an org-design trial), as report.md does.
    """
    from rich.console import Console  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    from sim.metrics import REPRESENTATION, TOP_SHARE, direction_words, metric_info, undefined_reasons  # noqa: PLC0415

    undefined = [k for k, v in summary.items() if math.isnan(v)]
    # A bare NaN reads as a fault; say why there is nothing to count (docs/ODD.md 7.12). Metrics
    # are named in words as `compare` names them, with the key that files, --set and experiment
    # definitions use beside them (a new user met "hidden_ambition_rate" here, "hidden ambition" there).
    # At a terminal narrower than the table (80 columns: it was 94 wide, so each row broke in two),
    # the words wrap within their cells; a key, typed into files, stays whole on its line.
    table = Table(title=title)
    table.add_column("metric", overflow="fold", min_width=16)
    table.add_column("value", justify="right", no_wrap=True)
    table.add_column("which is better", style="italic", overflow="fold", min_width=12)
    table.add_column("key in files", style="dim", no_wrap=True, overflow="fold")
    for key, value in summary.items():
        counts = key in ("headcount", "promotions")
        shown = "n/a" if math.isnan(value) else (f"{value:,.0f}" if counts else f"{value:.3f}")
        info = metric_info(key)
        table.add_row(info.label if info else key, shown, "" if counts else direction_words(key), key)
    # A terminal's own width, or COLUMNS when set (rich reads it), as compare's table; else 110.
    Console(width=None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 110).print(table)
    if top_levels and any(key.startswith((REPRESENTATION, TOP_SHARE)) and not math.isnan(value)
                          for key, value in summary.items()):
        print(f"at the top: {top_levels}")
    if undefined:
        for reason in undefined_reasons(undefined, top_is_everyone, one_group):
            print(f"n/a: {reason}")


def print_story(result: Any) -> None:
    """What happened to the scenario's named people, in plain words."""
    from sim.metrics import totals  # noqa: PLC0415 (the CLI imports the engine only when it runs)
    events = result.events[result.events["employee"].isin(list(result.names))]
    events = events[~events["kind"].isin(["micro_penalty"])]
    print("What happened to the named people:")
    for step, uid, details in zip(events["step"], events["employee"], events["details"], strict=True):
        name = result.names[int(uid)]
        # "Alex manager now believes ..." (a new user): a misread is about the person's manager.
        print(f"  month {step:>3}: {name}'s {details}" if details.startswith("manager ") else
              f"  month {step:>3}: {name} {details}")
    ts = result.timeseries
    team = totals(ts[ts["metric"] == "team_performance"])
    if len(team):
        low = team.loc[team["value"].idxmin()]
        print(f"Team performance: {team['value'].iloc[0]:.3f} at month 1, lowest {low['value']:.3f} "
              f"at month {int(low['step'])}, {team['value'].iloc[-1]:.3f} at the end.")


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate scenario files; one line per file, and a note per ladder that stops and resumes higher up."""
    from sim.model import check_fills  # noqa: PLC0415
    from sim.org import ladder_gaps  # noqa: PLC0415
    from sim.scenario import load_scenario  # noqa: PLC0415

    bad = 0
    for path in args.files:
        try:
            scenario = load_scenario(path)
            check_fills(scenario)
        except InputError as exc:
            print(str(under(path, exc)), file=sys.stderr)
            bad += 1
        else:
            print(f"{path}: ok ({scenario.name}: {scenario.total_positions} positions, "
                  f"{scenario.n_levels} levels, {counted(len(scenario.interventions), 'intervention')})")
            for gap in ladder_gaps(scenario):
                print(f"{path}: note: {gap}")
    return 2 if bad else 0


def lever_name(text: str) -> str:
    """A lever named on the command line, refused with the likely intended one and every lever.

    An org-design trial typed ``promosim interventions parallel_ladders`` to read one lever and
    met "unrecognized arguments".
    """
    from sim.interventions import load_all, unknown_lever  # noqa: PLC0415

    if text not in load_all():
        raise argparse.ArgumentTypeError(unknown_lever(text))
    return text


def cmd_interventions(args: argparse.Namespace) -> int:
    """List the levers (or those named): what each is, how it moves the metrics, its side effects, its parameters."""
    from sim.interventions import load_all  # noqa: PLC0415

    registry = load_all()
    if not registry:
        print("no interventions are installed")
    for name, cls in registry.items():
        if args.levers and name not in args.levers:
            continue
        print(f"{name}: {cls.description}")
        if cls.why:  # the text report.md shows under an arm with the lever (Intervention.why)
            print(textwrap.fill(f"how it works: {cls.why}", width=100, initial_indent="    ",
                                subsequent_indent="      ", break_on_hyphens=False))
        for field, info in cls.Params.model_fields.items():
            unit = f" {info.description}" if info.description else ""
            print(f"    {field} = {info.default!r}{unit}")
    if registry:
        print("\nSwitch a lever on in a scenario's interventions: block ({mentoring: {coverage: 0.5}}), with "
              "run --set interventions.mentoring.coverage=0.5, or beside your baseline with compare --levers "
              "mentoring:coverage=0.5 (the other parameters keep these defaults; + switches levers on together: "
              "mentoring:coverage=0.5+career_conversations).")
    return 0


def build_parser() -> ArgumentParser:
    """The full parser, with sub-commands from the other packages."""
    parser = ArgumentParser(prog="promosim", description="Simulate promotion dynamics with hidden aspiration.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=ArgumentParser)

    run = sub.add_parser("run", help="run one scenario and write its tables")
    run.add_argument("scenario", help="scenario file, or the name of a shipped scenario (e.g. baseline)")
    run.add_argument("--seed", type=seed_number, default=1, help="run seed (default 1)")
    run.add_argument("--years", type=run_years, help="simulated years (default: the scenario's)")
    run.add_argument("--headcount", type=headcount, help="resize the organisation to about N people")
    run.add_argument("--set", action="append", metavar="KEY.PATH=VALUE",
                     help="override a scenario key, e.g. policy.name=random or organisation.levels.0.hire_share=0.5 "
                          "(list items from 0; levels[0] works too; repeatable)")
    run.add_argument("--out", help="folder for the tables, scenario and metadata")
    run.add_argument("--csv", action="store_true", help="write CSV instead of Parquet")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.set_defaults(func=cmd_run)

    val = sub.add_parser("validate", help="check scenario files")
    val.add_argument("files", nargs="+", help="scenario files")
    val.set_defaults(func=cmd_validate)

    lev = sub.add_parser("interventions", help="list the levers and their parameters")
    lev.add_argument("levers", nargs="*", type=lever_name, metavar="LEVER",
                     help="only these levers (e.g. parallel_ladders); all when none is named")
    lev.set_defaults(func=cmd_interventions)

    for module in COMMAND_MODULES:
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name and module.startswith(exc.name):
                continue
            raise
        mod.add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: parse, run, and turn input errors into one line with exit code 2 (``ExecutionError``: 1)."""
    prefix = "promosim"
    _ctrl_c.clear()
    in_main_thread = threading.current_thread() is threading.main_thread()  # only it may set handlers
    previous = signal.getsignal(signal.SIGINT) if in_main_thread else None
    noting = previous is signal.default_int_handler  # keep SIG_IGN (`cmd &` in a script) or a caller's own handler
    if noting:
        signal.signal(signal.SIGINT, _on_ctrl_c)
    previous_term = signal.getsignal(signal.SIGTERM) if in_main_thread else None
    noting_term = previous_term == signal.SIG_DFL  # likewise, a caller's own SIGTERM handler stays
    if noting_term:
        signal.signal(signal.SIGTERM, _on_ctrl_c)
    hook = sys.unraisablehook
    sys.unraisablehook = functools.partial(_quiet_dropped_ctrl_c, previous=hook)
    try:
        args = build_parser().parse_args(argv)  # inside: a Ctrl-C while the commands import is handled too
        prefix = f"promosim {args.command}"
        code = int(args.func(args) or 0)
        checkpoint()  # a Ctrl-C swallowed on the way still ends as an interruption
        return code
    except (InputError, ExecutionError) as exc:
        print(f"{prefix}: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt as exc:
        return _stopped(f": {exc}" if isinstance(exc, Interrupted) else "")
    except MemoryError:  # a scenario's positions are checked, but a machine may have less than they need
        print(f"{prefix}: not enough memory for this organisation; try a smaller --headcount", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0
    except Exception:
        if not _ctrl_c:
            raise
        # The Ctrl-C came first and this is what it broke: numpy, interrupted while its C
        # extensions load, reports an ImportError instead of the KeyboardInterrupt (seen in CI).
        return _stopped("")
    finally:
        sys.unraisablehook = hook
        if noting:
            signal.signal(signal.SIGINT, previous)
        if noting_term:
            signal.signal(signal.SIGTERM, previous_term)


def _stopped(detail: str) -> int:
    """Say that the command was stopped, by Ctrl-C or SIGTERM, and return the shell's code for it (128 + signal)."""
    signum = _ctrl_c[0] if _ctrl_c else signal.SIGINT
    how = "interrupted" if signum == signal.SIGINT else f"stopped by {signal.Signals(signum).name}"
    print(f"promosim: {how}{detail}", file=sys.stderr)
    return 128 + int(signum)



def entry() -> NoReturn:
    """The ``promosim`` program: ``main``, then exit with its code.

    After Ctrl-C it exits at once, once the output is flushed. What had to be saved is saved by
    then (an experiment commits its finished runs in a ``finally``), but a process pool's manager
    thread can be stuck reading a result that a terminated worker was half-way through sending,
    and Python would wait for that thread forever at exit, deaf to a second Ctrl-C.
    """
    code = main()
    if code in (128 + signal.SIGINT, 128 + signal.SIGTERM):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    entry()
