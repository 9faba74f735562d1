"""The page's address holds the run on screen, so a reload (or the link sent to someone) brings it back.

A run is deterministic: the scenario, its levers, the seed, the size, the behavioural controls
and the month say everything that is on screen, and the run is replayed to that month. A
reload used to start a new session at the baseline, month 0, in front of the room. The address
holds the *running* model's settings, not changes waiting for Reset, and is written when the
run stops moving (paused, stepped, reset, a new scenario), not at every month of play. A new
month of the same settings replaces the address in place (:func:`same_run`); new settings add an
entry to the browser's history, so Back goes to the previous settings, not to the previous Step.

An uploaded scenario or headcount file cannot be put in an address: it is named, and the
restored page says to upload it again. A value that does not fit (a scenario that is not
shipped, a lever that does not exist, a seed that is not a number) is left at its default and
the page says which one, in one line; an address never stops the page from opening.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode

from sim.app.workshop import (
    CONTROL_BY_NAME,
    CONTROLS,
    DATA_UPLOADS,
    SIZES,
    Settings,
    check_buildable,
    lever_problem,
    shipped_scenarios,
)
from sim.errors import InputError
from sim.interventions import load_all
from sim.scenario import Scenario
from sim.wording import counted

KEYS = ("scenario", "levers", "seed", "compare", "size", "month")
RESTORED = "Restored from the address:"
NOT_RESTORED = "Not restored: "
UPLOADED = " (uploaded)"  # how the page labels an uploaded scenario or headcount file
MAX_DIGITS = 100  # a whole number in an address: int() refuses over 4,300 digits (a traceback in the page)
SHOWN = 40  # characters of a value the note quotes: a 3,000-character value widened the sidebar


@dataclass(frozen=True)
class Restored:
    """What an address asks for.

    Attributes:
        settings: The settings to build, or None when the address holds none (a first visit).
        month: The month to replay to (0: not started).
        problems: One phrase per value that could not be used (left at its default).
    """

    settings: Settings | None
    month: int = 0
    problems: tuple[str, ...] = ()

    def note(self) -> str | None:
        """The page's one-line note about the restored run, or None for a first visit."""
        if self.settings is None and not self.problems:
            return None
        settings = self.settings or Settings()
        # A scenario's own levers go without saying ("parallel_ladders with parallel ladders", a facilitator's trial).
        own = settings.upload is None and settings.levers == Settings().with_scenario(settings.scenario).levers
        levers = f" with {', '.join(n.replace('_', ' ') for n in settings.levers)}" if settings.levers and not own \
            else ""
        more = [f"seed {settings.seed}"] if settings.seed != Settings.seed else []
        more += [f"about {settings.headcount:,} people"] if settings.headcount else []
        more += ["without the side-by-side run"] if not settings.compare else []
        more += [counted(len(settings.params), "behaviour setting") + " changed"] if settings.params else []
        done = f"{RESTORED} {settings.scenario}{levers}, {', '.join([*more, f'month {self.month}'])}."
        return done + (f" {NOT_RESTORED}{'; '.join(self.problems)}." if self.problems else "")


def to_query(settings: Settings, month: int) -> str:
    """The query string (without ``?``) for a run of ``settings`` at ``month``.

    Defaults are left out, so a baseline at month 0 has an empty query and the plain address.
    """
    pairs: list[tuple[str, str]] = []
    if settings.scenario != Settings.scenario or settings.upload is not None:
        pairs.append(("scenario", settings.scenario))
    if settings.upload is not None or settings.levers != Settings().with_scenario(settings.scenario).levers:
        pairs.append(("levers", ",".join(settings.levers)))  # also none, where the scenario has some of its own
    if settings.seed != Settings.seed:
        pairs.append(("seed", str(settings.seed)))
    if settings.compare != Settings.compare:
        pairs.append(("compare", "1" if settings.compare else "0"))
    if settings.headcount is not None:
        pairs.append(("size", str(settings.headcount)))
    for name, value in settings.params.items():
        pairs.append((name, _text(value)))
    if month:
        pairs.append(("month", str(month)))
    return urlencode(pairs)


def same_run(search: str, other: str) -> bool:
    """Whether two queries hold the same settings, at any month (their keys in any order).

    The page replaces its address in place when only the month moved (a Step, a pause, a Reset of
    the same run), so that the browser's Back goes to the previous settings, not the previous month.
    """
    def settings_of(query: str) -> dict[str, list[str]]:
        return {k: v for k, v in parse_qs(query, keep_blank_values=True).items() if k != "month"}

    return settings_of(search) == settings_of(other)


def _text(value: object) -> str:
    return ("1" if value else "0") if isinstance(value, bool) else str(value)


def _upload_again(filename: str) -> str:
    """What to do about a file uploaded in an earlier session, which an address cannot hold.

    Only a file of people runs "onto the scenario it ran in" (it is uploaded after choosing one);
    said of a scenario file too, the room was told to pick a scenario for a file that is one.
    """
    again = "upload it again"
    if filename.lower().endswith(DATA_UPLOADS):
        again += " (a file of people onto the scenario it ran in)"
    return f"'{_shown(filename)}' was uploaded in an earlier session: {again}"


def from_query(search: str | None, uploads: Mapping[str, Scenario] | None = None) -> Restored:
    """The run an address asks for; values that do not fit are named in ``problems`` and left at their defaults.

    ``uploads``: the scenarios uploaded in this session, by label (the browser's Back and Forward).
    """
    query = {k: v[-1] for k, v in parse_qs(search or "", keep_blank_values=True).items()}
    if not query:
        return Restored(None)
    problems: list[str] = []
    unknown = [k for k in query if k not in KEYS and k not in CONTROL_BY_NAME]
    if unknown:
        problems.append(f"unknown {_shown(', '.join(unknown))}")
    settings = Settings()
    name = query.get("scenario", Settings.scenario)
    if name in shipped_scenarios():
        settings = settings.with_scenario(name)
    elif uploads and name in uploads:
        settings = settings.with_scenario(name, uploads[name])
    elif name.endswith(UPLOADED):
        problems.append(_upload_again(name.removesuffix(UPLOADED)))
    else:
        problems.append(f"scenario '{_shown(name)}' is not shipped")
    if problems[-1:] and "scenario" in query and settings.scenario != name:
        # Another organisation than the one on screen: replaying it to the address's month showed a run
        # that was never there, under the old settings.
        return Restored(Settings(), 0, (*problems, "the rest of the address, which was for that scenario"))
    if "levers" in query:
        registry = load_all()
        asked = [n for n in query["levers"].split(",") if n]
        if bad := [n for n in asked if n not in registry]:
            problems.append(f"lever {_shown(', '.join(bad))} (levers: {', '.join(registry)})")
        settings = dataclasses.replace(settings, levers=tuple(n for n in registry if n in asked))
        for lever in settings.levers:  # one lever the scenario cannot take lost the whole address
            if (why := lever_problem(settings.base(), lever)) is not None:
                problems.append(f"lever {lever} ({why})")
                settings = settings.set_lever(lever, on=False)
    settings = _with_number(settings, query, "seed", problems, lambda n: n >= 0, "a whole number, 0 or more")
    if "compare" in query:
        if query["compare"] in ("0", "1"):
            settings = dataclasses.replace(settings, compare=query["compare"] == "1")
        else:
            problems.append(f"compare '{_shown(query['compare'])}' (0 or 1)")
    own_size = settings.base().organisation.source is not None or settings.base().people
    if "size" in query and own_size:
        problems.append(f"size (scenario {settings.scenario} has a size of its own)")
    elif "size" in query:
        settings = _with_number(settings, query, "size", problems, lambda n: n in SIZES.values(),
                                f"one of {', '.join(str(n) for n in SIZES.values() if n)}", field="headcount")
    for control in CONTROLS:
        if control.name in query:
            settings = _with_control(settings, control.name, query[control.name], problems)
    try:
        check_buildable(settings)
    except InputError as exc:
        problems.append(f"these settings ({exc.detail})")
        settings = Settings()
    month = 0
    if "month" in query:
        raw = query["month"]
        if (whole := _whole(raw)) is not None:
            month = whole
        else:
            problems.append(f"month '{_shown(raw)}' (a whole number)")
    return Restored(settings, month, tuple(problems))


def _with_number(settings: Settings, query: dict[str, str], key: str, problems: list[str],
                 ok: Callable[[int], bool], allowed: str, field: str | None = None) -> Settings:
    """``settings`` with the whole number ``query[key]`` in ``field`` (default ``key``), if it is one ``ok`` allows."""
    if key not in query:
        return settings
    raw = query[key]
    whole = _whole(raw)
    if whole is not None and ok(whole):
        return dataclasses.replace(settings, **{field or key: whole})
    problems.append(f"{key} '{_shown(raw)}' ({allowed})")
    return settings


def _with_control(settings: Settings, name: str, raw: str, problems: list[str]) -> Settings:
    """``settings`` with a behavioural control set from its text, if the control allows that value."""
    control = CONTROL_BY_NAME[name]
    if control.kind == "bool" and raw in ("0", "1"):
        return settings.set_param(name, raw == "1")
    if control.kind == "choice" and raw in control.choices:
        return settings.set_param(name, raw)
    if control.kind == "float":
        try:
            value = float(raw)
        except ValueError:
            value = float("nan")
        steps = (value - control.low) / control.step
        # On the slider's steps: the slider moves 0.33 to 0.35 and sends that back, so the page
        # opened saying "Your changes take effect when you press Reset" for a run built with 0.33.
        if control.low <= value <= control.high and abs(steps - round(steps)) < 1e-6:
            return settings.set_param(name, value)
    allowed = {"bool": "0 or 1", "choice": ", ".join(control.choices)}.get(
        control.kind, f"a number from {control.low:g} to {control.high:g} in steps of {control.step:g}")
    problems.append(f"{name} '{_shown(raw)}' ({allowed})")
    return settings


def _whole(raw: str) -> int | None:
    """``raw`` as a whole number, or None: ASCII digits only ('²' passes ``isdigit`` and made int() raise)."""
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= MAX_DIGITS else None


def _shown(raw: str) -> str:
    """A value as the note quotes it: cut to ``SHOWN`` characters."""
    return raw if len(raw) <= SHOWN else raw[:SHOWN - 1] + "\u2026"
