"""The app's model: one organisation with and without the chosen levers, stepping in lockstep.

:class:`WorkshopModel` is a ``mesa.Model`` whose keyword-only constructor reads a
:class:`Settings` (scenario, levers, seed, behaviour parameters), so the page's Reset
can re-create it. It holds two :class:`~sim.model.PromotionModel` runs built from the
same scenario and seed: ``treated`` with the chosen levers, and ``control`` without any (only when
a lever is on and the comparison is wanted). Both step together, so the difference the levers
make is seen as it emerges. Nothing here knows about Solara.
"""

from __future__ import annotations

import atexit
import dataclasses
import hashlib
import itertools
import math
import os
import re
import shutil
import tempfile
import threading
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import mesa
import numpy as np

from sim.app.feed import Feed
from sim.errors import InputError
from sim.interventions import load_all
from sim.metrics import first_ledger_month
from sim.model import SHORTCUTS, PromotionModel, check_fills
from sim.orgdata.loader import OrgTable, load_org, resolve_file
from sim.orgdata.read import NOT_UTF8, display_path, read_table
from sim.orgdata.workbook import named_sheet, sheet_names
from sim.scenario import (
    MAX_POSITIONS,
    POLICIES,
    SCENARIO_DIR,
    TRACKS,
    OrgSource,
    Scenario,
    load_scenario,
    parse_yaml,
    relative_source,
    scenario_mapping,
    shipped_scenario,
)

FIRST_SCENARIOS = ("baseline", "sam_and_priya")
GUIDED_SCENARIO = "sam_and_priya"
MAX_HEADCOUNT = 5000
STICK_RATE = "promotion_stick_rate"
# Each WorkshopModel's ``serial``, in the order they are built, never reused in this process.
SERIALS = itertools.count(1)


@dataclass(frozen=True)
class Control:
    """One behavioural parameter the page offers, addressed by its ``SHORTCUTS`` name.

    Attributes:
        name: The shortcut name (a key of ``sim.model.SHORTCUTS``).
        label: What the page shows.
        kind: ``"float"``, ``"bool"`` or ``"choice"``.
        low: Smallest value (floats).
        high: Largest value (floats).
        step: Slider step (floats).
        choices: Allowed values (choices).
    """

    name: str
    label: str
    kind: str
    low: float = 0.0
    high: float = 1.0
    step: float = 0.01
    choices: tuple[str, ...] = ()

    @property
    def key_path(self) -> str:
        """The scenario key path this control sets."""
        return SHORTCUTS[self.name]


CONTROLS: tuple[Control, ...] = (
    Control("voice_rate", "Speaking up (per month)", "float", 0.0, 0.5, 0.01),
    Control("micro_penalty_rate", "Failed risks penalised", "float", 0.0, 1.0, 0.05),
    Control("silence_as_disinterest", "Managers read silence as disinterest", "bool"),
    Control("visibility_as_readiness", "Managers read visibility as readiness", "bool"),
    Control("decline_as_permanent", "Managers read one declined offer as a permanent no", "bool"),
    Control("policy", "Promotion policy", "choice", choices=POLICIES),
)
CONTROL_BY_NAME = {c.name: c for c in CONTROLS}
# The organisation sizes the page offers (``Settings.headcount``), by what it shows.
SIZES = {"as the scenario says": None, "about 100 people": 100, "about 300 people": 300,
         "about 1,000 people": 1000, "about 3,000 people": 3000}


def _dig(data: Mapping[str, Any], key_path: str) -> Any:
    node: Any = data
    for part in key_path.split("."):
        node = node[part]
    return node


def scenario_params(spec: Scenario) -> dict[str, Any]:
    """The scenario's own values of the page's behavioural controls."""
    data = spec.model_dump(mode="json")
    return {c.name: _dig(data, c.key_path) for c in CONTROLS}


def shipped_scenarios() -> list[str]:
    """Names of the scenarios in ``scenarios/`` (baseline and the guided story first)."""
    names = sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))
    first = [n for n in FIRST_SCENARIOS if n in names]
    return first + [n for n in names if n not in first]


@lru_cache(maxsize=64)
def _load_shipped(name: str, mtime: float) -> Scenario:
    return load_scenario(name)


def load_shipped(name: str) -> Scenario:
    """A shipped scenario by name (cached until its file changes)."""
    path = SCENARIO_DIR / f"{name}.yaml"
    if not path.exists():
        raise InputError(f"no shipped scenario '{name}'; shipped: {', '.join(shipped_scenarios())}", source="app")
    return _load_shipped(name, path.stat().st_mtime)


UPLOAD_KINDS = "a YAML scenario (.yaml, .yml) or a headcount file (.csv, .xlsx, .ods, .parquet)"
BINARY_UPLOADS = (*OrgSource.WORKBOOKS, ".parquet", ".pq")  # the page sends these as bytes
DATA_UPLOADS = (".csv", *BINARY_UPLOADS, *OrgSource.SPREADSHEETS)  # headcount files, whatever their format


def _upload_name(filename: str, content: str | bytes | None, size: int, limit: int, default: str) -> str:
    """The uploaded file's own name, once its size is known to be within ``limit``."""
    source = Path(filename).name or default
    if content is None or size > limit or len(content) > limit:
        raise InputError(f"file too large ({size:,} bytes); the limit is {limit:,}", source=source)
    return source


def parse_upload(filename: str, text: str | None, size: int = 0, limit: int = 1_000_000,
                 data_files: Mapping[str, Path] | None = None) -> Scenario:
    """Validate an uploaded scenario file as the command line does: a Scenario or a one-line InputError.

    ``extends:`` names a shipped scenario (the upload has no folder of its own), and
    ``organisation.source.file`` may name a headcount file uploaded before it: the file names the
    user wrote for the command line (``data/team.csv``) then work unchanged.

    Args:
        filename: The file's name as the browser gave it (used in messages and as the default name).
        text: The file's text, or None when it was too large to read.
        size: The file's size in bytes.
        limit: Largest accepted size in bytes.
        data_files: Headcount files uploaded in this session, by file name (see ``save_data_upload``).
    """
    source = _upload_name(filename, text, size, limit, "upload.yaml")
    if Path(source).suffix.lower() not in (".yaml", ".yml"):
        raise InputError(f"expected {UPLOAD_KINDS}", source=source)
    data = scenario_mapping(parse_yaml(text, source), source)
    data.setdefault("name", Path(source).stem)
    parent = data.get("extends")
    if parent is not None and not isinstance(parent, str):
        raise InputError("must be a file name (string)", source=source, path="extends")
    shipped = shipped_scenario(Path(parent).name) if parent is not None else None
    if parent is not None and shipped is None:
        raise InputError(
            f"parent file not found: {parent}; an upload can extend a shipped scenario: "
            f"{', '.join(f'{n}.yaml' for n in shipped_scenarios())}",
            source=source, path="extends",
        )
    if shipped is not None:
        data["extends"] = str(shipped)
    _point_at_uploaded_file(data, source, data_files or {})
    try:
        return load_scenario(data)
    except InputError as exc:
        if exc.source in (None, "<mapping>"):
            raise InputError(exc.detail, source=source, path=exc.path) from None
        raise


def _point_at_uploaded_file(data: dict[str, Any], source: str, data_files: Mapping[str, Path]) -> None:
    """Point ``organisation.source.file`` at the uploaded file of that name, or say it is missing.

    Raises:
        InputError: The upload names a relative file that was neither uploaded nor found the way
            ``resolve_file`` looks (which would only say "file not found" once people are placed).
    """
    found = relative_source(data)
    if found is None:
        return  # no file, or one left to the scenario's own checks
    src, file = found
    if not file.lower().endswith(OrgSource.SUFFIXES):
        return  # a wrong kind of file: OrgSource's own check names it as one line
    uploaded = data_files.get(Path(file).name)
    if uploaded is not None:
        src["file"] = str(uploaded)
    elif not resolve_file(OrgSource(file=file)).exists():
        raise InputError(f"'{file}' has not been uploaded: upload it first, then this scenario",
                         source=source, path="organisation.source.file")


@lru_cache(maxsize=1)
def uploads_folder() -> Path:
    """Where this server keeps uploaded headcount files (the organisation loader reads files).

    One temporary folder per process, removed when it exits.
    """
    folder = Path(tempfile.mkdtemp(prefix="promosim-uploads-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def save_data_upload(filename: str, content: str | bytes | None, size: int = 0, limit: int = 1_000_000) -> Path:
    """Keep an uploaded headcount file on disk under its own name; refuse one that is not a table.

    Files are kept by content (the same file uploaded twice, or in two sessions, is one file), so
    two sessions' different files of the same name do not overwrite each other.

    Args:
        filename: The file's name as the browser gave it.
        content: A CSV's text, or the bytes of a workbook or Parquet file (``BINARY_UPLOADS``).
        size: The file's size in bytes.
        limit: Largest accepted size in bytes.

    Raises:
        InputError: Too large, not a headcount file the loader reads (a Numbers file gets the
            way to export it), or not readable as a table (a header without names, repeated
            names, bad quoting) or as a workbook.
    """
    source = _upload_name(filename, content, size, limit, "upload.csv")
    suffix = Path(source).suffix.lower()
    if suffix not in (".csv", *BINARY_UPLOADS):
        raise InputError(f"expected {UPLOAD_KINDS}; export it as an Excel workbook (.xlsx) or as CSV and upload that",
                         source=source)
    assert content is not None  # _upload_name refuses a file that was not read
    if isinstance(content, str):
        if suffix != ".csv":  # what this page never sends: a binary file read as text
            raise InputError(f"cannot read the upload as a {suffix} file; upload it again", source=source)
        if "\ufffd" in content:  # the browser decodes as UTF-8 and replaces what is not: 'José' in Windows-1252
            raise InputError(NOT_UTF8, source=source)
        data = content.encode("utf-8")
    else:
        data = content
    folder = uploads_folder() / hashlib.sha256(data).hexdigest()[:16]
    path = folder / source
    if not path.exists():  # same content, same name: the file is there, maybe being read by another session
        try:
            folder.mkdir(exist_ok=True)
            part = folder / f".{source}.{os.getpid()}.{threading.get_ident()}.part"
            part.write_bytes(data)
            part.replace(path)
        except OSError as exc:
            raise InputError(f"cannot keep the upload ({exc.strerror})", source=source) from None
    if suffix in OrgSource.WORKBOOKS:
        sheet_names(path, source)  # its sheet may be named by a scenario uploaded next
    else:
        read_table(path, source)
    return path


def with_data_file(base: Scenario, path: Path, origin: str | None = None, sheet: str | None = None) -> Scenario:
    """``base`` starting from the organisation in ``path`` as it is today: its people, in as many positions.

    A scenario that already reads a file keeps its column and value mapping, so a newer export
    in the same format replaces the old one; otherwise columns and values are the model's own
    (docs/orgdata.md, section 1). The positions are the file's: a team of 60 dropped into the
    baseline's 1,020 posts was swamped by some 950 hires within two months, and warm-up months
    would move people away from the file before the room sees them. Each kind of position the
    scenario has keeps at least one, so its ladders stay. Its description says so (it showed the
    base's "About 1,000 people in 6 levels" above a team of 30), naming ``origin`` (default: the
    base's name) as the scenario whose levels and behaviour it runs in. ``sheet`` names the
    workbook's sheet to read, chosen in the app among several.
    """
    if base.organisation.source is not None:
        overrides: dict[str, Any] = {"organisation.source.file": str(path)}
        own = base.organisation.source.sheet
        if sheet is not None:
            overrides["organisation.source.sheet"] = sheet
        elif own is not None and not _has_sheet(path, own):  # the sheet was the other file's (an HR trial)
            overrides["organisation.source.sheet"] = None
    else:
        overrides = {"organisation.source": {"file": str(path), **({"sheet": sheet} if sheet else {})}}
    overrides.update({"name": path.stem, "warmup_months": 0})
    kinds = [(i, track) for i, level in enumerate(base.organisation.levels)
             for track, n in level.positions.items() if n > 0]
    # Room for everyone in the file at any position, without reading it once more: a row takes
    # at least two bytes, so the file's size bounds its head count (within the positions allowed).
    room = min(path.stat().st_size, MAX_POSITIONS // len(kinds))
    roomy = {f"organisation.levels.{i}.positions.{track}": room for i, track in kinds}
    table = load_org(load_scenario(base, overrides={**overrides, **roomy}))
    counts = _headcounts(table)
    fitted = {f"organisation.levels.{i}.positions.{track}": max(1, counts[i, TRACKS.index(track)])
              for i, track in kinds}
    described = {"description": f"The {table.n:,} people of {path.name}, in their own positions, with "
                                f"{origin or base.name}'s levels and behaviour."}
    return load_scenario(base, overrides={**overrides, **fitted, **described})


def _headcounts(table: OrgTable) -> Counter[tuple[int, int]]:
    """The file's people per (level, track code): the positions ``with_data_file`` gives a team."""
    return Counter(zip(table.level.tolist(), table.track.tolist(), strict=True))


def empty_posts(spec: Scenario, table: OrgTable) -> list[str]:
    """The posts ``with_data_file`` adds to a team's own: one per level (and track) the file has no one at.

    The upload's notice said "40 people in 41 positions, as in the file", and the room asked where
    the 41st came from: it is the scenario's Executive level, kept with one empty post so its ladder
    stays, which the file had no one at. Names carry the track where the level has both.
    """
    counts = _headcounts(table)
    posts = []
    for i, level in enumerate(spec.organisation.levels):
        tracks = [track for track, n in level.positions.items() if n > 0]
        posts += [f"{level.name} ({track})" if len(tracks) > 1 else level.name
                  for track in tracks if counts[i, TRACKS.index(track)] == 0]
    return posts


def _has_sheet(path: Path, sheet: str) -> bool:
    """Whether the workbook at ``path`` has a sheet named ``sheet`` (as ``organisation.source.sheet`` matches)."""
    if not path.name.lower().endswith(OrgSource.WORKBOOKS):
        return False
    try:
        names = sheet_names(path, path.name)
    except InputError:
        return True  # unreadable: the loader says so, whatever the sheet
    return named_sheet(names, sheet) is not None


def uploaded_names(message: str) -> str:
    """A message with every uploaded file's server path replaced by the name the user uploaded.

    Every upload of the session counts, also an earlier one of a name uploaded again since.
    """
    if uploads_folder.cache_info().currsize == 0:  # nothing uploaded: no folder to look for
        return message
    folder = uploads_folder()
    for shown in (str(folder), display_path(folder)):  # the absolute path first: the other may be its tail
        message = re.sub(re.escape(shown) + r"/[0-9a-f]{16}/", "", message)
    return message


@dataclass(frozen=True)
class Settings:
    """Everything a Reset reads: which organisation, which levers, which seed, which behaviour.

    Attributes:
        scenario: A shipped scenario's name, or the label of an uploaded one.
        upload: The uploaded Scenario when ``scenario`` names an upload, else None.
        levers: The levers switched on (registry names), in registry order.
        seed: The run seed (both runs share it).
        compare: Also run the organisation without any lever, in lockstep.
        headcount: Resize the organisation to about this many people (None keeps its size).
        params: Behavioural controls (``CONTROLS`` names) that differ from the scenario's values.
    """

    scenario: str = "baseline"
    upload: Scenario | None = None
    levers: tuple[str, ...] = ()
    seed: int = 1
    compare: bool = True
    headcount: int | None = None
    params: Mapping[str, Any] = field(default_factory=dict)

    def base(self) -> Scenario:
        """The chosen scenario as shipped or uploaded (no lever changes, no controls applied)."""
        return self.upload if self.upload is not None else load_shipped(self.scenario)

    def with_scenario(self, name: str, upload: Scenario | None = None) -> Settings:
        """These settings for another scenario: its own levers and parameters, seed kept."""
        spec = upload if upload is not None else load_shipped(name)
        registry = load_all()
        levers = tuple(n for n in registry if n in spec.interventions)
        return dataclasses.replace(self, scenario=name, upload=upload, levers=levers, params={})

    def value(self, name: str) -> Any:
        """A control's value: the override if set, else the scenario's own."""
        if name in self.params:
            return self.params[name]
        return scenario_params(self.base())[name]

    def set_param(self, name: str, value: Any) -> Settings:
        """These settings with one control changed.

        A control set back to the scenario's own value is dropped from ``params`` (which holds only
        what differs): kept, a checkbox unticked and ticked again left "Your changes take effect when
        you press Reset" on screen with nothing to change, and the address held it after Reset.
        """
        own = scenario_params(self.base())[name]
        same = (math.isclose(float(value), float(own), rel_tol=0.0, abs_tol=1e-9)
                if isinstance(own, float) and isinstance(value, (int, float)) and not isinstance(value, bool)
                else value == own)
        params = {k: v for k, v in self.params.items() if k != name}
        return dataclasses.replace(self, params=params if same else {**params, name: value})

    def set_lever(self, name: str, on: bool) -> Settings:
        """These settings with one lever switched on or off (registry order kept)."""
        chosen = (set(self.levers) | {name}) if on else (set(self.levers) - {name})
        return dataclasses.replace(self, levers=tuple(n for n in load_all() if n in chosen))


class HasValue(Protocol):
    """Anything with a ``.value`` holding Settings (such as a ``solara.Reactive``)."""

    @property
    def value(self) -> Settings:
        """The current settings."""
        ...


def lever_params(base: Scenario, name: str) -> dict[str, Any]:
    """A lever's parameters: the scenario's own when it has them, else the defaults."""
    raw = base.interventions.get(name)
    return dict(raw) if raw else {}


def build_specs(settings: Settings) -> tuple[Scenario, Scenario | None]:
    """The scenarios of the two runs: with the chosen levers, and (if compared) without any.

    Raises:
        InputError: One line, as for the command line (e.g. a lever the scenario cannot host).
    """
    base = settings.base()
    overrides = {CONTROL_BY_NAME[k].key_path: v for k, v in settings.params.items() if k in CONTROL_BY_NAME}
    levers = {name: lever_params(base, name) for name in settings.levers}
    treated = load_scenario(base, headcount=settings.headcount, overrides={**overrides, "interventions": levers})
    control = None
    if settings.compare and settings.levers:
        control = load_scenario(base, headcount=settings.headcount, overrides={**overrides, "interventions": {}})
    return treated, control


def check_buildable(settings: Settings) -> None:
    """Fill both runs' organisations (without warm-up), so that Mesa's Reset cannot fail on them.

    ``build_specs`` validates the scenario; an organisation file, named people and the
    positions a lever leaves are only checked when people are placed. Mesa's Reset builds the
    model with no error handling, so settings are checked this way before the page accepts them.

    Raises:
        InputError: One line, as for the command line.
    """
    for spec in build_specs(settings):
        if spec is not None:
            check_fills(spec, settings.seed)


def lever_problem(base: Scenario, name: str) -> str | None:
    """Why a lever cannot be switched on for this scenario (one line), or None when it can."""
    try:
        load_scenario(base, overrides={"interventions": {name: lever_params(base, name)}})
    except InputError as exc:
        return exc.detail
    return None


@dataclass
class History:
    """The headline metrics of one run, month by month, as the page shows them.

    The engine gives the promotion stick rate only once its trailing year's records can all have
    settled (NaN before: a gap in its chart, docs/ODD.md 7.12.1; ``metrics.first_ledger_month``);
    ``stick_from`` is that month, so that the page can say why the line starts late.

    Attributes:
        months: The months recorded.
        values: Each metric's values, one per month.
        stick_window: The scenario's ``promotion.stick_window_months`` (None: the stick rate is
            kept as recorded).
    """

    months: list[int] = field(default_factory=list)
    values: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    stick_window: int | None = None

    @property
    def stick_from(self) -> int | None:
        """The first month whose stick rate is given (None when the stick rate is not charted)."""
        return None if self.stick_window is None else first_ledger_month(self.stick_window)

    def record(self, month: int, metrics: Mapping[str, float]) -> None:
        """Append this month's values (NaN where a metric is not yet defined)."""
        n = len(self.months)
        self.months.append(month)
        for key, value in metrics.items():
            column = self.values[key]
            if len(column) < n:
                column.extend([math.nan] * (n - len(column)))
            column.append(float(value))
        for column in self.values.values():
            if len(column) < n + 1:
                column.append(math.nan)

    def series(self, key: str) -> list[float]:
        """One metric's values (all NaN when never recorded)."""
        return self.values.get(key, [math.nan] * len(self.months))

    def last(self, key: str) -> float:
        """The latest value of a metric (NaN before the first month)."""
        column = self.values.get(key)
        return column[-1] if column else math.nan


class WorkshopModel(mesa.Model):
    """The organisation with and without the chosen levers, stepping together.

    Args:
        settings: The settings, or something whose ``.value`` holds them (the page passes its
            reactive variable, so Mesa's Reset always builds from what the page shows).

    Attributes:
        serial: This model's number among those built in this process (``SERIALS``), which no other
            model ever has: the page names the run by it. An ``id()`` is reused by a model built after
            this one is freed, so a month the page reported of a run gone could be taken for the new one's.
    """

    def __init__(self, *, settings: Settings | HasValue | None = None):
        chosen = settings if isinstance(settings, Settings) else (Settings() if settings is None else settings.value)
        super().__init__(rng=chosen.seed)
        self.serial = next(SERIALS)
        treated_spec, control_spec = build_specs(chosen)
        self.settings = chosen
        self.treated = PromotionModel(scenario=treated_spec, rng=chosen.seed)
        self.control = PromotionModel(scenario=control_spec, rng=chosen.seed) if control_spec is not None else None
        self.horizon = max(1, round(12 * self.treated.scenario.years))
        self.feed = Feed(self.treated)
        self.history = History(stick_window=self.treated.scenario.promotion.stick_window_months)
        self.control_history = History(
            stick_window=self.control.scenario.promotion.stick_window_months if self.control is not None else None)
        self.running = True

    @property
    def month(self) -> int:
        """Months simulated since the app's start of this run (0 before the first step)."""
        return self.treated.month

    @property
    def levers(self) -> tuple[str, ...]:
        """The levers on in the treated run."""
        return tuple(lever.name for lever in self.treated.interventions)

    def step(self) -> None:
        """One month in both runs, then the feed and the charts' history.

        Past the scenario's horizon nothing happens. Mesa's step counter (``steps``, shown as
        ``Step: N``) is kept equal to the months simulated.
        """
        if not self.running:
            self.steps = self.treated.month
            return
        self.feed.before_step()
        self.treated.step()
        if self.control is not None:
            self.control.step()
        self.feed.after_step()
        self.history.record(self.treated.month, self.treated.current_metrics)
        if self.control is not None:
            self.control_history.record(self.control.month, self.control.current_metrics)
        self.running = self.treated.month < self.horizon
        self.steps = self.treated.month

    def levers_before_first_review(self) -> tuple[int, tuple[str, ...]] | None:
        """The levers that have not acted yet because the first review is still ahead, and its month.

        A lever such as career conversations acts at the managers' reviews. A warm-up ends at
        month 0, a review month, so with one they have acted before month 1. An organisation
        without a warm-up (an uploaded file, the Sam and Priya story) meets its first review at
        month ``managers.review_every_months``, and until then the two runs are alike: an
        uploaded team with mentoring showed "same" on every row of the side-by-side table for
        eleven months, as if the lever did nothing.

        A lever waits for what its ``waits_for`` names, not for every phase it has a hook in:
        the succession dashboard and stretch pilots also act at promotion rounds, which in the
        Sam and Priya story come every six months, so from month 7 the table showed the
        dashboard's difference under a line saying it made none. Such a lever is left out when
        a round comes before the first review.

        Returns:
            (the month of the first review, the waiting levers' names), or None when the run
            is not compared, had a warm-up, has reached that month, or no lever waits for it.
        """
        spec = self.treated.scenario
        first = spec.managers.review_every_months
        if self.control is None or spec.warmup_months > 0 or self.month >= first:
            return None
        # Without a warm-up a scheduled phase first runs in the month of its period (month 0 is not run).
        starts = {"reviews": first, "promotions": spec.policy.cycle_months}
        waiting = tuple(lever.name for lever in self.treated.interventions
                        if lever.waits_for and min(starts[phase] for phase in lever.waits_for) >= first)
        return (first, waiting) if waiting else None

    def find_named(self, name: str) -> int | None:
        """The uid of a named person (scenario ``people``), if employed now."""
        for uid, who in self.treated.names.items():
            if who == name and self.treated.employee(uid) is not None:
                return uid
        return None

    def counters(self) -> dict[str, float]:
        """Plain counts for the page's tiles: people now, and what happened so far."""
        wf = self.treated.workforce
        return {
            "people": float(wf.active.sum()),
            "aspiring": float(wf.aspiring().sum()),
            "hidden": float(hidden_ambition(self.treated).sum()),
            **{k: float(v) for k, v in self.feed.totals.items()},
        }


def hidden_ambition(model: PromotionModel) -> np.ndarray:
    """Who has hidden ambition now (a mask over the rows): they want to move up, their manager believes not.

    One definition for the counter and the inspector's "Someone with hidden ambition", with the
    scenario's ``metrics.disinterested_belief``, the hidden-ambition metric's threshold.
    """
    wf = model.workforce
    return wf.aspiring() & (wf.b_interest <= model.scenario.metrics.disinterested_belief)


def people_table(model: PromotionModel) -> dict[str, np.ndarray]:
    """Columns of everyone employed now, for pickers: uid, level, track, group."""
    wf = model.workforce
    rows = wf.rows
    return {"uid": wf.uid[rows], "level": wf.level[rows], "track": wf.track[rows], "group": wf.group[rows]}
