"""``promosim compare`` and ``promosim experiment run|sensitivity|report|validate``.

Registered through ``sim.cli.COMMAND_MODULES``. Every command writes into one output folder and
can be re-run after an interruption: finished runs are skipped. Exit codes: 0 done, 1 some runs
failed (recorded in the store and the report) or the Dask scheduler was lost, 2 bad input, 130
interrupted, 143 stopped by SIGTERM.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import re
import shlex
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.cli import (
    DEFAULT_FIGURES,
    FIGURE_FORMATS,
    NO_FIGURES,
    Interrupted,
    _whole_number,
    checkpoint,
    figure_formats,
    headcount,
    parse_set,
    positive_int,
    reproducing_command,
    run_metadata,
    run_years,
    seed_number,
)
from sim.errors import InputError, output_folder
from sim.experiment.progress import reporting
from sim.wording import DEFAULT_CONFIDENCE, counted, percent_level

if TYPE_CHECKING:
    from sim.experiment.design import Design, LeverArm, LeverSetting

RESULTS = Path("results")


DASK_SCHEMES = ("tcp", "tls", "ws", "wss", "ucx")  # what a Dask client can connect with


def dask_address(text: str) -> str:
    """Argparse type: a scheduler address like ``tcp://10.0.0.5:8786`` (or ``host:port``).

    The dashboard's address (``http://HOST:8787``, what a browser shows) was let through and
    failed with Dask's traceback ("unknown address scheme 'http'"), leaving the plan files in a
    new ``--out``; a port out of range was tried for 15 s before "cannot reach".
    """
    found = re.match(r"^(?:([A-Za-z][A-Za-z0-9+.\-]*)://)?[A-Za-z0-9_.\-\[\]:]+:(\d+)$", text)
    if not found:
        raise argparse.ArgumentTypeError(f"expected a scheduler address like tcp://HOST:PORT, got '{text}'")
    scheme, port = found.group(1), int(found.group(2))
    if scheme and scheme.lower() in ("http", "https"):
        raise argparse.ArgumentTypeError(f"'{text}' is a web address (the dashboard's?); the scheduler's is "
                                         "tcp://HOST:PORT, as `dask scheduler` prints it (port 8786 by default)")
    if scheme and scheme not in DASK_SCHEMES:  # Dask reads them in lower case only
        raise argparse.ArgumentTypeError(f"unknown scheme '{scheme}://' in '{text}'; a Dask scheduler's address "
                                         f"starts with {', '.join(s + '://' for s in DASK_SCHEMES)}")
    if not 0 < port < 65536:
        raise argparse.ArgumentTypeError(f"port {port} in '{text}' is not a port (1 to 65535)")
    return text


def confidence_level(text: str) -> float:
    """Argparse type: ``--confidence``, a level strictly between 0 and 1 (0.9, 0.99), named as typed.

    A level typed as a percentage (``95``, ``90%``) is refused with the number it stands for:
    taking 95 as 95% would guess, and a t quantile of 95 is no interval at all.
    """
    allowed = "a level strictly between 0 and 1, e.g. 0.9 or 0.99"
    try:
        value = float(text.removesuffix("%"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {allowed}, got '{text}'") from None
    meant = value / 100 if 0 < value < 100 and (text.endswith("%") or value >= 50) else None  # a percentage
    if text.endswith("%") or not 0 < value < 1:  # NaN too
        hint = f" (for {text.removesuffix('%')}%, write {meant:.10g})" if meant else ""
        raise argparse.ArgumentTypeError(f"must be {allowed}, got {text}{hint}")
    return value


def metric_list(text: str) -> list[str]:
    """Argparse type: comma-separated metric names, checked against the engine's metrics."""
    from sim.experiment.design import unknown_metric  # noqa: PLC0415

    names = [m.strip() for m in text.split(",") if m.strip()]
    if not names:
        raise argparse.ArgumentTypeError("expected metric names separated by commas")
    # "a; b" read as one name was blamed on its group ("unknown group 'women; top_share.women'").
    joined = next((name for name in names if re.search(r"[;\s]", name)), None)
    if joined:
        apart = ",".join(re.split(r"[;\s]+", joined))
        raise argparse.ArgumentTypeError(f"'{joined}': separate metric names with commas, e.g. {apart}")
    for name in names:
        problem = unknown_metric(name)
        if problem:
            raise argparse.ArgumentTypeError(problem)
    repeated = [n for i, n in enumerate(names) if n in names[:i]]
    if repeated:
        raise argparse.ArgumentTypeError(f"'{repeated[0]}' is listed twice; list each metric once")
    return names


def lever_list(text: str) -> list[LeverArm]:
    """The arms ``promosim compare --levers`` names: comma-separated, each known and listed once.

    ``NAME:KEY=VALUE`` (more parameters after more colons) sets a lever's parameters, the rest
    keeping their defaults: trying ``mentoring`` on an organisation whose groups are not named
    'women' took a variant file before. One lever at two settings compares doses
    (``mentoring,mentoring:coverage=0.6``), and ``+`` puts levers in one arm, switched on
    together (``mentoring+career_conversations``). Values are read as ``--set`` reads them, a list
    in brackets too (``mentoring:group=[women_office,women_remote]``).

    Read by the command, not as argparse's ``type``: argparse said a mistake here in its own
    words ("error: argument --levers: ... (see --help)"), and a value the lever refused later in
    ours ("command line: --levers mentoring:coverage=2: ..."), two styles for one option.

    Raises:
        InputError: One line naming ``--levers`` and the arm or lever as typed.
    """
    from sim.experiment.design import LeverArm  # noqa: PLC0415

    # A comma inside [...] is a list's, not a new arm's: mentoring:group=[women_office,women_remote].
    items = [n.strip() for n in re.split(r",(?![^\[\]]*\])", text) if n.strip()]
    if not items:
        raise _levers_error("expected lever names separated by commas (promosim interventions lists them)")
    arms: list[LeverArm] = []
    for i, item in enumerate(items):
        if item.isdigit() and i and "=" in items[i - 1]:  # `coverage=0,5`: split at the decimal comma
            raise _levers_error(f"a decimal comma? --levers splits levers at commas: write {items[i - 1]}.{item}",
                                f"{items[i - 1]},{item}")
        # A `+` joins levers; one before a number is its sign (coverage=+0.5).
        settings = [_lever_setting(part.strip(), item) for part in re.split(r"\+(?![\d.])", item)]
        names = [setting.name for setting in settings]
        twice = next((name for k, name in enumerate(names) if name in names[:k]), None)
        if twice:
            raise _levers_error(f"names {twice} twice; give each lever once in an arm (a lever at two settings is "
                                "two arms: separate them with a comma)", item)
        arm = LeverArm(tuple(settings))
        if arm in arms:
            same = arms[arms.index(arm)].typed
            raise _levers_error("listed twice; list each lever once" if same == arm.typed
                                else f"the same arm as '{same}'; list each arm once", item)
        arms.append(arm)
    return arms


def _levers_error(detail: str, typed: str = "") -> InputError:
    """A ``--levers`` mistake, in the one-line style of every input error: ``command line: --levers ITEM: ...``."""
    return InputError(detail, source="command line", path=f"--levers {typed}".rstrip())


def _lever_setting(part: str, item: str) -> LeverSetting:
    """One lever of a ``--levers`` arm (``NAME:KEY=VALUE:...``), its name known and its parameters its own."""
    from sim.experiment.design import LeverSetting  # noqa: PLC0415
    from sim.interventions import REGISTRY, load_all, unknown_lever  # noqa: PLC0415
    from sim.scenario import parse_yaml, unknown_key  # noqa: PLC0415

    load_all()
    name, *pairs = (piece.strip() for piece in part.split(":"))
    if name not in REGISTRY:
        raise _levers_error(unknown_lever(name), part) if name else \
            _levers_error("a lever's name is missing (levers in one arm are joined by +)", item)
    allowed = list(REGISTRY[name].Params.model_fields)
    params: dict[str, Any] = {}
    typed = [name]
    for pair in pairs:
        key, sep, raw = (piece.strip() for piece in pair.partition("="))
        if not sep or not key or not raw:
            raise _levers_error(f"set a parameter as {name}:KEY=VALUE, e.g. {name}:{allowed[0]}=... (promosim "
                                "interventions lists them)", part)
        if key not in allowed:
            raise _levers_error(unknown_key(key, allowed, "parameter"), part)
        if key in params:
            raise _levers_error(f"sets {key} twice; set each parameter once", part)
        try:
            params[key] = parse_yaml(raw, f"--levers {name}:{key}")
        except InputError as exc:  # its detail alone did not say which value ("YAML syntax error at ...")
            raise _levers_error(f"the value of {key}: {exc.detail}", part) from None
        typed.append(f"{key}={raw}")
    return LeverSetting(name, tuple(params.items()), text=":".join(typed))


def _sensitivity_count(text: str, key: str) -> int:
    """A whole number in the range the file's ``sensitivity.<key>`` takes, or what is allowed."""
    from sim.experiment.design import sensitivity_limits  # noqa: PLC0415

    low, high = sensitivity_limits(key)
    return _whole_number(text, low, f"from {low} to {high:,}", high)


def sample_size(text: str) -> int:
    """Argparse type: ``--samples``, checked against the file's ``sensitivity.samples`` rule and named as typed.

    Whether Sobol' can take it (a power of two) depends on the method, known once the file is
    read: :func:`cmd_sensitivity` names ``--samples`` in that refusal too.
    """
    return _sensitivity_count(text, "samples")


def grid_levels(text: str) -> int:
    """Argparse type: ``--levels``, checked against the file's ``sensitivity.levels`` rule and named as typed."""
    return _sensitivity_count(text, "levels")


def _sizing_options(parser: argparse.ArgumentParser, sample: bool = False) -> None:
    """--replications, --years, --headcount and --seed over the file's own, for a quick trial of a big experiment.

    ``--seed`` gives a second, independent set of replications without editing the file.

    With ``sample`` (``experiment sensitivity``), --samples and --levels too: a publishable Sobol'
    analysis (256 or more) or a trial of 2 trajectories needed an edited copy of the file.
    """
    group = parser.add_argument_group("a smaller (or larger) version of the file's experiment")
    group.add_argument("--replications", type=positive_int, metavar="R",
                       help=f"replications per {'sample point' if sample else 'arm'} instead of the file's")
    group.add_argument("--years", type=run_years, metavar="Y", help="simulated years instead of the file's")
    group.add_argument("--headcount", type=headcount, metavar="N", help="resize every scenario to about N people")
    group.add_argument("--seed", type=seed_number, metavar="S",
                       help="experiment seed instead of the file's (every run seed derives from it)")
    if sample:
        group.add_argument("--samples", type=sample_size, metavar="N",
                           help="instead of the file's sensitivity.samples: Morris trajectories, or the Sobol' base "
                                "sample N (a power of two; 256 or more for indices to publish)")
        group.add_argument("--levels", type=grid_levels, metavar="L",
                           help="instead of the file's sensitivity.levels: the levels of Morris's grid (4 is usual; "
                                "SALib warns against odd numbers)")


# The file's key each sizing option stands for, so that the file's own rule, when it refuses the
# value, names the option typed: `--replications 20000` was blamed on the file's sensitivity.replications.
_SENSITIVITY_OPTIONS = {"replications": "--replications", "samples": "--samples", "levels": "--levels"}


def _sized(spec: Any, args: argparse.Namespace, source: str) -> Any:
    """The experiment with the command line's sizes in place of the file's, validated as the file is.

    Raises:
        InputError: The file's rule refuses a value given on the command line: one line naming the option.
    """
    from sim.experiment.design import validate_experiment  # noqa: PLC0415

    data = spec.model_dump(exclude_unset=True)
    given: dict[str, str] = {}  # key path -> the option that set it
    for key in ("years", "headcount", "seed"):
        if getattr(args, key) is not None:
            data[key] = getattr(args, key)
    if args.seed is not None:
        given["seed"] = "--seed"
    sensitivity = data.get("sensitivity") if args.func is cmd_sensitivity else None
    for key, option in _SENSITIVITY_OPTIONS.items():
        value = getattr(args, key, None)  # experiment run has no --samples or --levels
        if value is None:
            continue
        if sensitivity is not None:
            sensitivity[key] = value
            given[f"sensitivity.{key}"] = option
        elif key == "replications":
            data[key] = value
            given[key] = option
    try:
        return validate_experiment(data, source)
    except InputError as exc:
        raise _as_option(exc, given) from None


def _as_option(exc: InputError, given: Mapping[str, str]) -> InputError:
    """``exc`` named by the command-line option that set the value it refuses, when one did (else ``exc``)."""
    option = given.get(exc.path or "")
    return InputError(exc.detail, source="command line", path=option) if option else exc


def _sizes_given(args: argparse.Namespace) -> dict[str, str]:
    """The experiment's ``years`` and ``headcount``, when ``--years`` or ``--headcount`` gave them, to the option.

    For :func:`_as_option`: a headcount too small for a scenario's organisation is blamed on the
    experiment's ``headcount``, which the file did not set when the option was typed.
    """
    return {key: f"--{key}" for key in ("years", "headcount") if getattr(args, key, None) is not None}


def _executor_options(parser: argparse.ArgumentParser) -> None:
    """--workers | --dask-address | --dask-local, --retry-failed and --quiet."""
    group = parser.add_argument_group("where runs execute (default: one worker process per core)")
    only_one = group.add_mutually_exclusive_group()
    only_one.add_argument("--workers", type=positive_int, metavar="N",
                          help="N worker processes on this machine (1 = in this process, one run at a time)")
    only_one.add_argument("--dask-address", type=dask_address, metavar="ADDR",
                          help="an existing Dask scheduler, e.g. tcp://10.0.0.5:8786 (workers need promosim installed)")
    only_one.add_argument("--dask-local", type=positive_int, metavar="N",
                          help="start a Dask LocalCluster of N single-threaded worker processes")
    parser.add_argument("--retry-failed", action="store_true", help="run again the runs recorded as failed")
    parser.add_argument("--quiet", action="store_true",
                        help="no progress bar and no table (errors, warnings and notes still shown, on stderr)")


def _table_option(parser: argparse.ArgumentParser, rebuilt: bool = False) -> None:
    """--full: the researchers' effects table (every statistic) instead of the plain-verdict one; --interaction.

    ``rebuilt`` (``experiment report``): ``--interaction`` defaults to the pairs the folder's command
    asked for, and ``none`` drops them; a command that makes runs has no such default to say.
    """
    parser.add_argument("--full", action="store_true",
                        help="print every statistic (means, difference, CI, n, Cohen's d, CI vs unpaired) "
                             "instead of the plain table of verdicts; effects.csv has them all either way")
    parser.add_argument("--interaction", type=pair_list, metavar="A+B,...",
                        help="do two levers add up? for arms A, B and both together (a compare's --levers A,B,A+B "
                             "makes them; name the together arm as A+B=ARM), what the two do together beyond the "
                             "sum of each alone, with its interval: in report.md and interactions.csv"
                             + (" (default: the pairs the folder's command asked for; none for none)" if rebuilt
                                else ""))


def pair_list(text: str) -> list[str]:
    """Argparse type: lever pairs separated by commas (``A+B`` or ``A+B=ARM``), checked against the arms later.

    ``none`` (for ``experiment report``) drops the pairs the folder's command asked for.
    """
    if text.strip().lower() == "none":
        return []
    pairs = [p.strip() for p in text.split(",") if p.strip()]
    if not pairs:
        raise argparse.ArgumentTypeError("expected pairs of arms joined by '+', e.g. career_conversations+mentoring")
    return pairs


def _check_pairs(args: argparse.Namespace, design: dict[str, Any], source: str) -> None:
    """Refuse a --interaction the design's arms cannot make before its runs start, not after them.

    ``design`` as stored (``Design.to_json``); for ``experiment report`` of a sensitivity folder,
    which no pair fits and whose report would otherwise leave the option out without a word.
    """
    from sim.experiment.interaction import find_pair  # noqa: PLC0415

    for typed in args.interaction or ():
        find_pair(design, typed, source)


def _print_interactions(args: argparse.Namespace, result: Any) -> None:
    if result.interactions is not None and not args.quiet:
        from sim.experiment.interaction import print_interactions  # noqa: PLC0415

        print_interactions(result.interactions, result.confidence)


def _figures_option(parser: argparse.ArgumentParser, rebuild: bool = False) -> None:
    """--figures: the formats every plot is written in (``figure_formats``).

    ``rebuild`` (``experiment report``): without the option, the formats the folder's own command
    wrote, so that rebuilding a report after a resume does not swap a journal's PDFs for PNGs.
    """
    default = "the formats the folder's command wrote, png unless it had --figures" if rebuild else "png"
    parser.add_argument("--figures", type=figure_formats, default=None if rebuild else DEFAULT_FIGURES,
                        metavar="FORMAT[,FORMAT]",
                        help=f"write each plot as {', '.join(FIGURE_FORMATS)} or several, separated by commas, e.g. "
                             f"--figures png,pdf (default: {default}; svg and pdf are vector figures for a journal), "
                             f"or {NO_FIGURES} for the tables and report without plots (quicker for a scripted sweep); "
                             "the plots' files in other formats are removed")


def _confidence_option(parser: argparse.ArgumentParser, rebuilt: bool = False, indices: bool = False) -> None:
    """--confidence: the level of the report's intervals, and so of its "clear" verdicts and Holm's correction.

    With ``rebuilt`` (``experiment report``) its default is the level the folder's runs were
    reported at (``report.recorded_confidence``), so that a report rebuilt without options is the
    same report; a command that makes runs reports at 0.95 unless given another. With ``indices``
    (``experiment sensitivity``) it sets the indices' intervals, which have no verdict to say.
    """
    default = ("the level the command that made the runs used, 0.95 unless it had --confidence" if rebuilt
               else str(DEFAULT_CONFIDENCE))
    what = ("the sensitivity indices' intervals" if indices else
            "every interval and band; a change is clear, and stays clear after Holm's correction, at 1 - LEVEL "
            "significance")
    parser.add_argument("--confidence", type=confidence_level, metavar="LEVEL",
                        help=f"confidence level, strictly between 0 and 1, e.g. 0.9 or 0.99, of {what} (default: "
                             f"{default})")


def _level(args: argparse.Namespace) -> float:
    """The confidence level a command that makes runs reports at: ``--confidence``, else the default."""
    return DEFAULT_CONFIDENCE if args.confidence is None else args.confidence


def add_commands(sub: Any) -> None:
    """Add ``compare`` and ``experiment`` to the promosim parser."""
    cmp = sub.add_parser("compare", help="compare scenarios against a baseline with paired replications",
                         description="Run BASELINE and each VARIANT with the same seeds, then report paired "
                                     "differences with confidence intervals "
                                     f"({percent_level(DEFAULT_CONFIDENCE)} unless --confidence).")
    cmp.add_argument("baseline", help="baseline scenario file (or a shipped name such as baseline)")
    cmp.add_argument("variants", nargs="*", metavar="variant", help="variant scenario files")
    cmp.add_argument("--levers", metavar="L,L",  # read by cmd_compare (lever_list), to say mistakes in our words
                     help="also compare the baseline with each of these levers switched on in it (your "
                          "organisation), e.g. --levers career_conversations,parallel_ladders, at the lever's "
                          "defaults or with parameters set as NAME:KEY=VALUE, e.g. mentoring:group=women:coverage=0.5 "
                          "(promosim interventions lists them); + switches levers on together in one arm, e.g. "
                          "mentoring+career_conversations")
    cmp.add_argument("--replications", type=positive_int, default=30, metavar="R",
                     help="paired replications per scenario (default 30)")
    cmp.add_argument("--years", type=run_years, metavar="Y", help="simulated years (default: each scenario's)")
    cmp.add_argument("--headcount", type=headcount, metavar="N", help="resize every scenario to about N people")
    cmp.add_argument("--seed", type=seed_number, default=1, help="experiment seed (default 1)")
    cmp.add_argument("--metrics", type=metric_list, metavar="M,M",
                     help="metrics to analyse (default: all but each group's ledger rates and share of the "
                          "top, such as promotion_stick_rate.<group> and top_share.<group>, shown when named)")
    cmp.add_argument("--set", action="append", default=[], metavar="KEY.PATH=VALUE",
                     help="change a scenario key in every arm, baseline and variants alike, e.g. "
                          "metrics.key_levels=3 (what counts as the top); repeatable")
    cmp.add_argument("--out", metavar="DIR", help="output folder (default results/compare)")
    _figures_option(cmp)
    _confidence_option(cmp)
    _table_option(cmp)
    _executor_options(cmp)
    cmp.set_defaults(func=cmd_compare)

    exp = sub.add_parser("experiment", help="run, analyse and report experiments described in YAML")
    actions = exp.add_subparsers(dest="action", required=True, metavar="ACTION")

    run = actions.add_parser("run", help="run an experiment file and write effects, plots and report.md")
    run.add_argument("experiment",
                     help="experiment file, or a shipped experiment's name (interventions, peter_principle)")
    run.add_argument("--out", metavar="DIR", help="output folder (default results/<experiment name>)")
    _sizing_options(run)
    _figures_option(run)
    _confidence_option(run)
    _table_option(run)
    _executor_options(run)
    run.set_defaults(func=cmd_run)

    sens = actions.add_parser("sensitivity", help="global sensitivity analysis (SALib) over the file's ranges")
    sens.add_argument("experiment",
                      help="experiment file with a 'sensitivity' block, or a shipped one's name (sensitivity)")
    sens.add_argument("--method", choices=("morris", "sobol"), help="default: the file's sensitivity.method")
    sens.add_argument("--out", metavar="DIR", help="output folder (default results/<name>-<method>)")
    _sizing_options(sens, sample=True)
    _figures_option(sens)
    _confidence_option(sens, indices=True)
    _executor_options(sens)
    sens.set_defaults(func=cmd_sensitivity)

    rep = actions.add_parser("report", help="rebuild effects.csv, plots and the report from an output folder")
    rep.add_argument("folder", help="an output folder written by compare, experiment run or sensitivity")
    rep.add_argument("--metrics", type=metric_list, metavar="M,M",
                     help="report these metrics instead of the experiment's (every summary metric is stored)")
    rep.add_argument("--against", metavar="ARM",
                     help="compare every arm with this one instead of the baseline (runs of one replication share "
                          "their seed in every arm, so any two arms pair), e.g. --against mentoring to see what a "
                          "mentoring+career_conversations arm adds to mentoring; written into FOLDER/against-ARM/, and "
                          "rewritten whenever the folder's own report is")
    rep.add_argument("--quiet", action="store_true", help="do not print the table")
    _figures_option(rep, rebuild=True)
    _confidence_option(rep, rebuilt=True)
    _table_option(rep, rebuilt=True)
    rep.set_defaults(func=cmd_report)

    val = actions.add_parser("validate", help="check experiment files and every scenario they resolve")
    val.add_argument("files", nargs="+", help="experiment files, or shipped experiments' names")
    val.set_defaults(func=cmd_validate)


def _execute(design: Any, out: Path, args: argparse.Namespace, command: str) -> Any:
    """Run a design with the chosen executor, a progress bar and a resume hint on Ctrl-C or a lost scheduler.

    A new ``out`` is removed again when the command stops before any run is stored, at any point
    after it was made: also at a Ctrl-C while the engine compiles, which left it empty (a
    researcher's trial). A folder that was there before is never removed.
    """
    from sim.experiment.runner import SchedulerLostError, finished_runs  # noqa: PLC0415
    from sim.experiment.store import refuse_inside_tables  # noqa: PLC0415

    made = not out.exists()
    refuse_inside_tables(out)
    if (out / "metadata.json").exists() and not (out / "experiment.json").exists():
        raise InputError("holds the results of a single run (metadata.json, no experiment.json), whose "
                         "metadata.json an experiment would overwrite; give another --out", source=str(out))
    output_folder(out)  # a folder that cannot be made fails before the plan is announced
    try:
        return _execute_in(design, out, args, command)
    except BaseException as exc:
        if made and out.is_dir() and not any(out.iterdir()):  # emptied by run_design, or never written: no run
            out.rmdir()
        if isinstance(exc, KeyboardInterrupt):
            # A Ctrl-C before the first run finished said "finished runs are saved" of a folder without any.
            raise Interrupted(f"finished runs are saved in {out}; run the same command again to resume"
                              if finished_runs(out, design) else
                              "no run had finished, so none is saved; run the same command again to start") from None
        if isinstance(exc, SchedulerLostError):  # the command that resumes is the one typed, every option included
            raise exc.resumed_by(shlex.join([*shlex.split(command), *_unrecorded_options(args)])) from None
        raise


def _execute_in(design: Any, out: Path, args: argparse.Namespace, command: str) -> Any:
    """``_execute`` once ``out`` is made: reach the scheduler, announce, compile, run."""
    from sim.experiment.executor import executor_from_options, hear_scheduler  # noqa: PLC0415
    from sim.experiment.progress import make_progress  # noqa: PLC0415
    from sim.experiment.runner import run_design  # noqa: PLC0415

    executor = executor_from_options(args.workers, args.dask_address, args.dask_local)
    if executor.address:
        # Asked now, before the plan is written and the engine compiled (minutes, the first time): a
        # wrong address is said at once, and a scheduler that stops answering later is known to have
        # gone, not to have been mistyped (it was "cannot reach", exit code 2, as for a wrong address).
        hear_scheduler(executor.address)
    # The command's paths are as typed, so relative ones need the folder it ran in to be run again.
    # figures: what `experiment report` rebuilds the plots as when not told (folder_figures); the
    # level the report is made at and its lever pairs: a report rebuilt without --confidence or
    # --interaction takes them from here.
    meta = run_metadata(design.seed, executor=executor.describe(), command=command, cwd=str(Path.cwd()),
                        experiment=design.name, figures=list(args.figures), confidence=_level(args),
                        interactions=list(getattr(args, "interaction", None) or []))
    total = len({t.run_id for t in design.tasks})
    if not args.quiet:
        same = f" ({total} distinct: some sample points coincide)" if total < len(design.tasks) else ""
        arms = counted(len(design.arms), "sample point" if design.kind == "sensitivity" else "arm")
        print(f"{design.name}: {arms} x {counted(design.replications, 'replication')} = "
              f"{counted(len(design.tasks), 'run')}{same} on {executor.describe()} -> {out}", file=sys.stderr)
    # Warnings, so said under --quiet too (it keeps errors and warnings, drops progress).
    replaced = replaced_design_note(out, design.to_json())
    if replaced:
        print(replaced, file=sys.stderr)
    for note in other_settings_notes(design):
        print(note, file=sys.stderr)
    if not args.quiet:  # once here, rather than in every worker, and said
        from sim import compiled  # noqa: PLC0415

        compiled.prepare(f"promosim {args.command}")
    stats = run_design(design, out, executor, progress=make_progress(args.quiet), metadata=meta,
                       retry_failed=args.retry_failed, on_outcome=lambda outcome: checkpoint(),
                       scheduler_heard=bool(executor.address))
    if not args.quiet:
        print(stats.line(), file=sys.stderr)
    return stats


def _unrecorded_options(args: argparse.Namespace) -> list[str]:
    """The options typed that ``reproducing_command`` leaves out (they change no number), as typed.

    The command that resumes is the one typed: the lost scheduler's line named it without
    ``--quiet`` and ``--full``, so that, run as shown, it went on with the progress bar and the
    table the user had turned off, or the other one.
    """
    words: list[str] = []
    for option in ("dask_address", "dask_local", "workers"):
        if getattr(args, option, None):
            words += [f"--{option.replace('_', '-')}", str(getattr(args, option))]
    for flag in ("retry_failed", "full", "quiet"):
        if getattr(args, flag, False):
            words.append(f"--{flag.replace('_', '-')}")
    return words


def other_settings_notes(design: Any) -> list[str]:
    """A note per variant that changes more than its levers against its baseline (``other_settings_note``)."""
    from sim.experiment.report import other_settings_note  # noqa: PLC0415

    arms = {arm.label: arm for arm in design.arms}
    notes = []
    for arm in design.arms:
        ref = arms.get(arm.reference or "")
        if ref is None or ref.scenario == arm.scenario:
            continue
        also = other_settings_note(ref.label, ref.content, arm.content)
        if also:
            notes.append(f"note: variant '{arm.label}' {also}")
    return notes


def replaced_design_note(out: Path, new: dict[str, Any]) -> str | None:
    """A note when ``out`` holds another experiment, whose report this run replaces (None otherwise).

    Another design's runs are kept beside the new one's, but its report, effects and plots are
    written over: a researcher's slip in ``--out`` replaced a 72-run sweep's report without a word.
    A sensitivity analysis is told by its sample, not its arms: its points are labelled p00, p01,
    ... whatever they are, so another ``--samples`` listed every label of both (1,536 of them at
    Sobol' N = 256), and another ``--levels`` moved every point under the same labels without a word.
    """
    try:
        old = json.loads((out / "experiment.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None

    def what(design: dict[str, Any]) -> tuple[tuple[Any, ...], str]:
        """What makes the design another (name, kind, arms, sample points), and how the note says it."""
        arms = [str(arm.get("label")) for arm in design.get("arms") or [] if isinstance(arm, dict)]
        name, kind = str(design.get("name")), str(design.get("kind") or "comparison")
        extra = design.get("extra") or {}
        key = (name, kind, arms, extra.get("problem"), extra.get("X"))
        if kind != "sensitivity":
            return key, f"'{name}' ({kind}: {', '.join(arms)})"
        levels = f", levels {extra.get('levels')}" if extra.get("method") == "morris" else ""
        return key, (f"'{name}' ({kind}: {extra.get('method')}, samples {extra.get('samples')}{levels}, "
                     f"{counted(len(arms), 'sample point')})")

    (old_key, old_shown), (new_key, new_shown) = what(old), what(new)
    if old_key == new_key:  # the same design, resumed or extended, or the same arms run otherwise
        return _fewer_runs_note(out, old, new)
    if new_shown == old_shown:  # a sample of the same size at other points: other ranges or another seed
        new_shown += " at other points"
    # Two samples share the points a run's id cannot tell apart: a larger sample of the same seed
    # starts with the smaller one's (SALib's Sobol' and Morris samples both do), so growing one reuses it.
    resampled = old_key[1] == new_key[1] == "sensitivity"
    files = "report, indices and plot" if old_key[1] == "sensitivity" else "report, effects and plots"
    kept = "kept, and reused at the points both samples share" if resampled else "kept"
    # A comparison writes report.md, a sensitivity analysis sensitivity.md: across kinds nothing is written
    # over, and the note said "replaced" of files that stayed (a helper's trial).
    fate = f"are replaced by {new_shown}" if old_key[1] == new_key[1] else f"stay, beside those of {new_shown}"
    return (f"note: {out} held experiment {old_shown}; its {files} {fate}; its runs are {kept} "
            "(run its command again to report it)")


RUN_SETTINGS = ("replications", "years", "headcount", "seed", "set", "timeseries")  # design keys a run's id follows


def _fewer_runs_note(out: Path, old: dict[str, Any], new: dict[str, Any]) -> str | None:
    """A note when the same arms run otherwise into ``out``, so that its report no longer covers the old runs.

    More replications extend a design (its report then counts the old runs too), but a trial of
    the same file with ``--replications 2`` or ``--years 1`` into the full experiment's folder
    replaced a 3-replication, 2-year report by the trial's without a word (a researcher's trial).
    """
    def ids(design: dict[str, Any]) -> set[str]:
        return {str(task[0]) for task in design.get("tasks") or [] if task}

    if ids(old) <= ids(new):  # resumed, or extended (more replications): the report still counts every old run
        return None

    def shown(key: str, value: Any) -> str:
        """One setting as the note says it."""
        if key == "set":
            return "set: " + (", ".join(f"{k}={v}" for k, v in (value or {}).items()) or "none")
        if value is None:
            value = {"years": "each scenario's own", "headcount": "as written"}.get(key, value)
        return f"{key} {f'{value:g}' if isinstance(value, float) else value}"

    changed = [key for key in RUN_SETTINGS if old.get(key) != new.get(key)]
    if changed:
        before = ", ".join(shown(key, old.get(key)) for key in changed)
        after = ", ".join(shown(key, new.get(key)) for key in changed)
    else:  # the same settings and arms, but other runs: a scenario's content changed since
        hashes = {str(arm.get("label")): arm.get("scenario_hash") for arm in old.get("arms") or []}
        edited = sorted({str(arm.get("scenario")) for arm in new.get("arms") or []
                         if hashes.get(str(arm.get("label"))) != arm.get("scenario_hash")})
        before, after = "the scenarios as they were", f"scenarios changed since ({', '.join(edited) or 'other runs'})"
    files = "report, indices and plot" if old.get("kind") == "sensitivity" else "report, effects and plots"
    return (f"note: {out} held experiment '{old.get('name')}' with {before}; its {files} are replaced by this "
            f"run's, with {after}; its runs are kept (run its command again to report it)")


def _said_alone(design: Mapping[str, Any], out: Path, result: Any) -> bool:
    """For a design of one arm (``report.no_variant``), say there is nothing to compare, and print its means.

    In place of an empty effects table: each metric's mean over the runs with its interval
    (``Analysis.means``), which report.md has too.
    """
    from sim.experiment.report import no_variant, print_means  # noqa: PLC0415

    if not no_variant(design):
        return False
    arm = design["arms"][0]["label"]
    print(f"{result.subject}: nothing to compare: one arm, {arm}, and no variant, so no paired change and no "
          f"verdict; each metric's mean over its runs is below, each run's values are in {out / 'summaries'}")
    n = int(result.means["n"].max()) if len(result.means) else 0
    print_means(result.means, f"{result.subject}: {arm}, mean over {counted(n, 'run')}")
    return True


def read_report_line(files: dict[str, Path]) -> str:
    """The last line after a printed table: where the verdicts are in plain words.

    A trial's last line was ``wrote .../report.md``, which did not say that report.md, not the
    table above it, is where a manager reads what each lever did.
    """
    return (f"read {files['report']}: each variant at a glance and its verdicts in plain words, "
            "with what the metrics mean")


def _finish(failed: int, out: Path, files: dict[str, Path], point_to_report: bool = False, reused: str = "",
            against: Any = None) -> int:
    """Say where the results are (and, after a comparison's table, where to read them); exit 1 when runs failed.

    ``against``: the comparison's ``Analysis``, whose reports ``--against`` were rewritten or removed with it.
    """
    shown = ", ".join(str(p) for p in files.values())
    print(f"wrote {shown}")
    if against is not None:
        _against_lines(against)
    _note(reused)
    if point_to_report:
        print(read_report_line(files))
    if failed:
        print(f"{failed} run(s) failed: see {out / 'report.md'}; re-run with --retry-failed to try them again",
              file=sys.stderr)
        return 1
    return 0


def _arm_label(typed: str, labels: Sequence[str]) -> str:
    """The arm label ``--levers`` would give ``typed`` (levers joined by +, in any order), else ``typed``."""
    parts = typed.split("+")
    for order in itertools.permutations(parts) if len(parts) <= 4 else [parts]:
        with contextlib.suppress(InputError):
            label = lever_list("+".join(order))[0].label
            if label in labels:
                return label
    return typed


def _against_lines(result: Any) -> None:
    """What happened to the folder's reports ``--against`` an arm (``refresh_against_folders``), a line each.

    A rewritten one goes with the ``wrote`` line, on stdout; a removed one is a ``note:`` (kept
    under --quiet, as warnings are): a report someone made is gone, and they are told why.
    """
    for line in result.rewritten:
        print(line)
    for line in result.removed:
        _note(line)


def _show_effects(args: argparse.Namespace, result: Any, alone: bool, **against: Any) -> None:
    """The effects table, unless ``alone`` said the design has nothing to compare; under ``--quiet``, its warning only.

    The table carries the warning that too few pairs make its verdicts unsafe (``few_pairs_note``);
    under ``--quiet`` that warning was in report.md only, and a script running 3 replications quietly
    was never told. It is a warning, so it is said there too, as a ``note:`` on stderr.

    Args:
        args: The command's arguments (``quiet`` and ``full``).
        result: The folder's ``Analysis``.
        alone: Whether the design's one arm was said instead (``_said_alone``).
        against: ``reference`` (the arm compared with, ``baseline`` unless told) and ``shown_as``, for
            ``print_effects``.
    """
    from sim.experiment.report import few_pairs_note, print_effects  # noqa: PLC0415

    if args.quiet:
        _note(few_pairs_note(result.effects, result.confidence))
    elif not alone:
        reference = against.get("reference", "baseline")
        print_effects(result.effects, title=f"{result.subject}: paired effects (variant - {reference})",
                      full=args.full, confidence=result.confidence, **against)


def _note(text: str) -> None:
    """A ``note:`` line on stderr, when there is one (kept under --quiet, as warnings are)."""
    if text:
        print(f"note: {text}", file=sys.stderr)


def _with_lever_hint(exc: InputError, levers: Mapping[str, LeverArm]) -> InputError:
    """An error in a ``--levers`` lever's parameters, named as typed, with the way to set them.

    An org-design trial with groups named female/male read ``scenarios.variants.mentoring.set.
    interventions.mentoring: group 'women' does not exist`` (an internal key path), and nothing
    said how to give the lever other parameters.

    Args:
        exc: The error of building or checking the comparison.
        levers: Each ``--levers`` arm by the label its variant has in the comparison: a label
            taken by a variant file (``compare baseline mentoring.yaml --levers mentoring``) gets
            ``-2``, so only the error's own arm, at its start, is the lever's. Matched anywhere in
            the message, "arm 'mentoring_coverage_0.3' runs the same scenario as arm 'mentoring'"
            was blamed on the lever's parameters.
    """
    found = next(((label, arm) for label, arm in levers.items()
                  if f"{exc.path}.".startswith(f"scenarios.variants.{label}.set.interventions.")
                  or exc.detail.startswith(f"arm '{label}': ")), None)
    if found is None:  # not about a lever's parameters
        return exc
    label, arm = found
    detail = re.sub(r"^(scenarios\.variants\.\S+?\.set\.interventions\.\w+|arm '[\w.\-]+'): ", "", exc.detail)
    setting = _lever_at_fault(exc, label, arm)
    if setting is None:  # an arm of several levers, the error not saying which: the arm as typed
        return InputError(f"--levers {arm.typed}: {detail}", source="command line")
    from sim.interventions import REGISTRY  # noqa: PLC0415

    # How to set parameters, for a lever typed without any (one typed with them shows it is known), where they
    # are at fault: an org-design trial's file without a track column read "...map the file's track column or
    # leave the lever off; set a lever's parameters as ...", which no parameter fixes.
    about_params = (f"{exc.path}.".startswith(f"scenarios.variants.{label}.set.interventions.")
                    or f"interventions.{setting.name}." in detail)
    hint = "" if setting.params or not about_params else (
        f"; set a lever's parameters as --levers NAME:KEY=VALUE, e.g. {setting.name}:"
        f"{next(iter(REGISTRY[setting.name].Params.model_fields))}=... (promosim interventions lists them)")
    return InputError(f"--levers {setting.typed}: {detail}{hint}", source="command line")


def _as_typed(exc: InputError) -> InputError:
    """An error in a ``--set`` or ``--metrics`` value named by the option typed (``--set: metrics.key_levelz: ...``).

    The comparison's ``--set`` is its experiment's ``set:``, which the error's path ("command
    line: set.metrics...") called by a name nothing typed; its ``--metrics`` likewise, named
    ``metrics[0]`` where ``experiment report`` says ``--metrics``.
    """
    path = exc.path or ""
    if exc.source == "command line" and path.startswith("metrics["):
        return InputError(exc.detail, source="command line", path="--metrics")
    if exc.source != "command line" or not path.startswith("set."):
        return exc
    return InputError(exc.detail, source="--set", path=path.removeprefix("set."))


def _lever_at_fault(exc: InputError, label: str, arm: LeverArm) -> LeverSetting | None:
    """The lever of ``arm`` an error is about: by its key path, else the lever the message names, else None.

    A problem found when the arm's organisation is filled (``check_arms``: "after the
    parallel_ladders lever changed the scenario: ...") has no key path; taking its first lever
    named the wrong one in an arm of several, and reading the missing path was a traceback.
    """
    if len(arm.levers) == 1:
        return arm.levers[0]
    lever = (exc.path or "").removeprefix(f"scenarios.variants.{label}.set.interventions.").partition(".")[0]
    return next((s for s in arm.levers if s.name == lever), None) or next(
        (s for s in arm.levers if f"the {s.name} lever" in exc.detail), None)


def cmd_compare(args: argparse.Namespace) -> int:
    """Paired comparison of scenario files given on the command line."""
    from sim.experiment.design import build_design, check_arms, comparison_spec  # noqa: PLC0415

    args.levers = [] if args.levers is None else lever_list(args.levers)
    if not args.variants and not args.levers:
        raise InputError("give at least one variant scenario file or --levers NAME,NAME", source="command line")
    sets = parse_set(args.set)
    spec = comparison_spec(args.baseline, args.variants, replications=args.replications, seed=args.seed,
                           years=args.years, headcount=args.headcount, metrics=args.metrics, levers=args.levers,
                           sets=sets)
    levers = dict(zip(list(spec.scenarios.variants)[len(args.variants):], args.levers, strict=True))
    try:
        design = build_design(spec, "command line", base_dir=Path.cwd(), name="compare")
        check_arms(design)
    except InputError as exc:
        raise _with_lever_hint(_as_option(_as_typed(exc), _sizes_given(args)), levers) from None
    # A lever's --set is easily read as that arm's: it runs in the baseline too (a researcher's trial).
    # Said once the design is valid: before, it named a misspelt lever as running, above the error.
    for key in (key for key in sets if key.startswith("interventions.")):
        lever = key.split(".")[1]
        print(f"note: --set {key} applies to every arm, the baseline too: {lever} runs in all of them, and the "
              "comparison is of the other changes", file=sys.stderr)
    _check_pairs(args, design.to_json(), "command line")
    out = Path(args.out) if args.out else RESULTS / "compare"
    return _run_and_report(design, out, args, reproducing_command("compare", args.baseline, *args.variants, args=args))


def _run_and_report(design: Design, out: Path, args: argparse.Namespace, command: str) -> int:
    """Make the design's runs into ``out``, then write and print its report: ``compare`` and ``experiment run``.

    The report's modules (scipy, matplotlib) are imported only here, once the design is known to be
    valid: a mistake its check finds (a misspelt lever, an experiment file's) is said without waiting
    for them (a scenario file is read with the model's own modules, which take their time too).
    """
    from sim.experiment.report import analyse  # noqa: PLC0415

    _execute(design, out, args, command)
    with reporting(args.quiet, args.figures):
        result = analyse(out, confidence=_level(args), figures=args.figures, interactions=args.interaction)
    alone = not args.quiet and _said_alone(design.to_json(), out, result)
    _show_effects(args, result, alone)
    _print_interactions(args, result)
    return _finish(result.failed, out, result.files, point_to_report=not (args.quiet or alone), reused=result.reused,
                   against=result)


def cmd_run(args: argparse.Namespace) -> int:
    """Run an experiment file."""
    from sim.experiment.design import build_design, check_arms, experiment_file, load_experiment  # noqa: PLC0415

    args.experiment = experiment_file(args.experiment)
    spec = _sized(load_experiment(args.experiment), args, args.experiment)
    try:
        design = build_design(spec, args.experiment)
    except InputError as exc:
        raise _as_option(exc, _sizes_given(args)) from None
    check_arms(design)
    _check_pairs(args, design.to_json(), args.experiment)
    out = Path(args.out) if args.out else RESULTS / design.name
    return _run_and_report(design, out, args, reproducing_command("experiment", "run", args.experiment, args=args))


def cmd_sensitivity(args: argparse.Namespace) -> int:
    """Sample the file's ranges, run every point, and report SALib indices."""
    from sim.experiment.design import check_arms, experiment_file, load_experiment  # noqa: PLC0415
    from sim.experiment.report import design_runs  # noqa: PLC0415
    from sim.experiment.sensitivity import analyse_sensitivity, build_sensitivity_design, print_indices  # noqa: PLC0415
    from sim.experiment.store import ResultStore  # noqa: PLC0415

    args.experiment = experiment_file(args.experiment)
    spec = _sized(load_experiment(args.experiment), args, args.experiment)
    method = args.method or (spec.sensitivity.method if spec.sensitivity else None)
    if args.levels is not None and method == "sobol":  # it would change nothing but the recorded design
        raise InputError("sets the levels of Morris's grid, and sobol samples no grid: leave --levels out, or use "
                         "--method morris", source="command line", path="--levels")
    given = _sizes_given(args)
    if args.samples is not None:  # a Sobol' --samples that is not a power of two
        given["sensitivity.samples"] = "--samples"
    try:
        design = build_sensitivity_design(spec, args.experiment, args.method,
                                          levels_word="--levels" if args.levels is not None else "levels")
    except InputError as exc:
        raise _as_option(exc, given) from None
    check_arms(design)
    if spec.grid:  # a file may serve both commands; a researcher's trial took the grid to be in force here
        print(f"note: the file's grid ({', '.join(spec.grid)}) is for experiment run; experiment sensitivity varies "
              "only sensitivity.parameters", file=sys.stderr)
    out = Path(args.out) if args.out else RESULTS / design.name
    _execute(design, out, args, reproducing_command("experiment", "sensitivity", args.experiment, args=args))
    with reporting(args.quiet, args.figures):
        indices, skipped, files = analyse_sensitivity(out, confidence=_level(args), figures=args.figures)
    if not args.quiet:
        if len(indices):
            print_indices(indices, design.extra["method"])
        for metric, why in skipped.items():
            print(f"left out {metric}: {why}", file=sys.stderr)
    runs = design_runs(ResultStore(out), design.to_json())
    return _finish(int((runs["status"] != "ok").sum()), out, files)


def _check_report_metrics(names: list[str] | None, store: Any) -> None:
    """Check ``--metrics`` against the groups of the folder's scenarios, which argparse cannot know.

    Raises:
        InputError: A per-group metric names a group none of the scenarios has (it would report
            nothing), or a metric (or a group's rate) the folder's runs were made without.
    """
    from sim.experiment.design import first_unknown_metric, first_unweighted_metric, scenario_groups  # noqa: PLC0415
    from sim.metrics import METRICS, ON_REQUEST, TOP_SHARE, group_ratio_rates  # noqa: PLC0415

    scenarios = store.scenarios()
    found = first_unknown_metric(names, scenario_groups(scenarios))
    if found:
        raise InputError(found[1], source="command line", path="--metrics")
    unweighted = first_unweighted_metric(names, scenarios) if scenarios else None
    if unweighted:  # (a report of "no value in any run" rows, exit 0, written over the folder's own)
        raise InputError(f"'{unweighted[1]}' is computed only when metrics.level_weights is set (docs/ODD.md "
                         "7.12.3, as scenarios/peter_principle/ do), and none of this folder's scenarios sets it, "
                         "so no run computed it", source="command line", path="--metrics")
    # Runs made before each group's ledger rates were in the summary have no row of them: the report
    # said "no value in any run ... runs this short have none" of runs long enough (a review's trial).
    # So for a metric added since (hidden_ambition_exit_rate): a run stores every metric it computes,
    # NaN included, so one that no run stored was not computed then.
    wanted = [rate for name in names or () if name.startswith(ON_REQUEST)  # a ratio: its two rates
              for rate in group_ratio_rates(name)]
    wanted += [name for name in names or () if name in METRICS]
    stored = set(store.summaries(design_only=True)["metric"]) if wanted else set()
    missing = next((name for name in wanted if stored and name not in stored), None)
    if missing in METRICS:
        raise InputError(f"{missing}: this folder's runs were made by a promosim that did not yet compute it; run "
                         "the experiment again into a new folder (report.md has its command)",
                         source="command line", path="--metrics")
    if missing:
        # Only a stick rate can be rebuilt, and only from a folder whose runs stored their promotions
        # (from session 15): pointing an older folder there sent a researcher to an empty table.
        rebuild = (", or break the stick rate down by group from the stored promotions (docs/experiments.md, "
                   "Python API)" if missing.startswith("promotion_stick_rate.")
                   and len(store.promotions(design_only=True)) else "")
        what = "share of the top" if missing.startswith(TOP_SHARE) else "ledger rates"
        raise InputError(f"{missing}: this folder's runs were made by a promosim that did not yet put each group's "
                         f"{what} in the summary; run the experiment again into a new folder (report.md has its "
                         f"command){rebuild}", source="command line", path="--metrics")


def cmd_report(args: argparse.Namespace) -> int:
    """Rebuild the analysis of an output folder (e.g. after a resume or on another machine)."""
    from sim.experiment.report import (  # noqa: PLC0415
        analyse,
        folder_figures,
        recorded_confidence,
        recorded_interactions,
    )
    from sim.experiment.sensitivity import analyse_sensitivity, print_indices  # noqa: PLC0415
    from sim.experiment.store import ResultStore  # noqa: PLC0415

    store = ResultStore(args.folder)
    folder = Path(args.folder)
    if folder.name.startswith("against-") and not store.exists() and ResultStore(folder.parent).exists():
        # An against report's own folder holds no runs (an org-design trial pointed report at it).
        raise InputError(f"holds a report --against {folder.name.removeprefix('against-')}, not the runs; give the "
                         f"comparison's folder: promosim experiment report {folder.parent} --against ARM",
                         source=str(args.folder))
    design = store.design()
    output_folder(args.folder)  # the report is written into the folder: a read-only one fails here, in one line
    if args.against and "+" in args.against:  # the arm as --levers spells it (a+b is labelled a_and_b), any order
        args.against = _arm_label(args.against, [str(a["label"]) for a in design.get("arms", [])])
    # A report with other metrics, another reference, another level or other figures than the one the
    # runs' command wrote names the command that made it; without options it is that report again,
    # and says nothing more.
    written_as = folder_figures(store)
    if args.figures is None:  # not given (--figures none is the empty tuple: no plot, whatever the folder drew)
        args.figures = written_as
    command = reproducing_command("experiment", "report", args.folder, args=args, figures_default=written_as)
    other_level = args.confidence is not None and args.confidence != recorded_confidence(store)
    made_by = ({"command": command, "cwd": str(Path.cwd())}
               if args.metrics or args.against or other_level or set(args.figures) != set(written_as)
               or (args.interaction is not None and args.interaction != recorded_interactions(store))
               else None)
    if design.get("kind") == "sensitivity":
        if args.against:
            raise InputError("--against re-pairs the arms of a comparison; a sensitivity folder has sample points, "
                             "not arms", source=str(args.folder), path="--against")
        if args.metrics:
            raise InputError("--metrics chooses effects of a comparison; a sensitivity folder reports the metrics "
                             "of its design (its experiment file's sensitivity.metrics)", source=str(args.folder))
        _check_pairs(args, design, str(args.folder))
        with reporting(args.quiet, args.figures):
            indices, _, files = analyse_sensitivity(args.folder, confidence=args.confidence, figures=args.figures,
                                                    made_by=made_by)
        if not args.quiet and len(indices):
            print_indices(indices, design["extra"]["method"])
        print(f"wrote {', '.join(str(p) for p in files.values())}")
        return 0
    _check_report_metrics(args.metrics, store)
    with reporting(args.quiet, args.figures):
        result = analyse(args.folder, confidence=args.confidence, metrics=args.metrics, against=args.against,
                         made_by=made_by, figures=args.figures, interactions=args.interaction)
    alone = not args.quiet and _said_alone(design, Path(args.folder), result)
    _show_effects(args, result, alone, reference=args.against or "baseline", shown_as=result.glance_labels)
    _print_interactions(args, result)
    if result.missing:
        print(f"{result.missing} planned run(s) are not in the store yet", file=sys.stderr)
    print(f"wrote {', '.join(str(p) for p in result.files.values())}")
    _against_lines(result)
    _note(result.reused)
    if not (args.quiet or alone):
        print(read_report_line(result.files))
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """Check experiment files, resolving every scenario, grid point and sample point, and filling each organisation."""
    from sim.experiment.design import build_design, check_arms, experiment_file, load_experiment  # noqa: PLC0415
    from sim.experiment.sensitivity import build_sensitivity_design  # noqa: PLC0415

    bad = 0
    for path in map(experiment_file, args.files):
        try:
            spec = load_experiment(path)
            design = build_design(spec, path)
            check_arms(design)
            line = (f"{path}: ok ({counted(len(design.arms), 'arm')} x "
                    f"{counted(design.replications, 'replication')} = {counted(len(design.tasks), 'run')}")
            if spec.sensitivity is not None:
                sens = build_sensitivity_design(spec, path)
                check_arms(sens)
                line += f"; sensitivity: {len(sens.arms)} sample points"
            print(line + ")")
        except InputError as exc:
            print(f"promosim experiment: {exc}", file=sys.stderr)
            bad += 1
    return 2 if bad else 0
