# ruff: noqa: N802 (Solara components are named like classes)
"""The Solara components of the workshop page.

The run's buttons (:func:`RunControls`: Reset, Play/Pause, Step, as Mesa's ``ModelController``)
signal a redraw through Mesa's ``update_counter``, the signal SolaraViz's own components listen
to. Here only one component listens to it (:func:`MainView`) and passes the model's step count
down as a ``tick`` argument: every listener costs Solara a render pass over the whole page, so one
pass per step instead of one per chart keeps a 1,000-person step and redraw well under 250 ms. The page's state lives in
one :class:`AppState` per browser session; components take it (or the model) as an argument,
which keeps them testable with ``solara.render`` and no browser.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import threading
import time
import traceback
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

import numpy as np
import solara
import solara.lab
from solara.alias import rv

# Mesa 3.3's own ComponentsView (which this page does not use) trips Solara's hook check on import.
warnings.filterwarnings("ignore", message=r".*ComponentsView: `use_state` found despite early return")

from mesa.visualization.solara_viz import UserInputs  # noqa: E402
from mesa.visualization.utils import force_update, update_counter  # noqa: E402

from sim.app import drawing  # noqa: E402
from sim.app.address import (  # noqa: E402
    MAX_DIGITS,
    NOT_RESTORED,
    RESTORED,
    UPLOADED,
    Restored,
    from_query,
    same_run,
    to_query,
)
from sim.app.feed import belief_word, when  # noqa: E402
from sim.app.widgets import (  # noqa: E402
    AddressWidget,
    KeysWidget,
    PictureWidget,
    PyramidWidget,
    RevealWidget,
    StepWidget,
    UploadWidget,
)
from sim.app.workshop import (  # noqa: E402
    CONTROLS,
    DATA_UPLOADS,
    GUIDED_SCENARIO,
    SIZES,
    STICK_RATE,
    Control,
    History,
    Settings,
    WorkshopModel,
    build_specs,
    check_buildable,
    empty_posts,
    hidden_ambition,
    lever_problem,
    parse_upload,
    save_data_upload,
    shipped_scenarios,
    uploaded_names,
    with_data_file,
)
from sim.errors import InputError  # noqa: E402
from sim.interventions import load_all  # noqa: E402
from sim.metrics import COSTS, REPRESENTATION, TOP_SHARE, metric_info  # noqa: E402
from sim.model import PromotionModel  # noqa: E402
from sim.orgdata.loader import load_org  # noqa: E402
from sim.orgdata.workbook import SHEET_SETTING, candidate_sheets  # noqa: E402
from sim.policies import POLICIES  # noqa: E402
from sim.promotions import DIRECTION_KNOWN  # noqa: E402
from sim.scenario import Scenario  # noqa: E402
from sim.wording import counted  # noqa: E402

TAB_ORGANISATION, TAB_SIDE_BY_SIDE, TAB_GUIDE = 0, 1, 2
STORY_LEVERS = ("career_conversations", "parallel_ladders", "psychological_safety")


# -- state ------------------------------------------------------------------------------------
@dataclass
class AppState:
    """One browser session's state, as reactive variables.

    Attributes:
        model: The running WorkshopModel (Reset, a new scenario and the guide replace it).
        settings: What the next Reset builds (scenario, levers, seed, behaviour).
        uploads: Scenarios uploaded in this session, by label.
        data_files: Headcount files uploaded in this session, by file name, where they are kept.
        selected: The uid shown in the inspector.
        tab: The open tab of the main area.
        message: A one-line error to show (a bad upload, a lever the scenario cannot host).
        notice: A one-line note (what was loaded).
        order: The pyramid's order, ``"colour"`` or ``"position"``.
        play_interval: The play interval in milliseconds (between steps while playing).
        render_interval: Steps per redraw while playing.
        playing: Whether the run is playing (``RunControls``' play loop runs while it is True).
        shortcuts: Whether the single-key shortcuts (``RUN_KEYS``) are on; a switch turns them off
            for a speech-input user, whose spoken words would otherwise press them (WCAG 2.1.4).
        tab_focus: Raised by a button that switches tabs: the page then puts the keyboard focus on
            the tab now selected (``KeysWidget.tab_focus``).
        origins: For each uploaded headcount file's label, the scenario whose levels and behaviour
            it runs in: a second file, uploaded onto the first, runs in the same ones.
        refusals: How many changes were refused: a new count redraws the fields and switches that
            already show the refused value, so that they show the one still in force.
        sheet_choice: An uploaded workbook with several sheets that could be the people, and
            their names, offered as buttons until one is read or another file is uploaded.
    """

    model: solara.Reactive[WorkshopModel]
    settings: solara.Reactive[Settings]
    uploads: solara.Reactive[dict[str, Scenario]]
    data_files: solara.Reactive[dict[str, Path]]
    selected: solara.Reactive[int | None]
    tab: solara.Reactive[int]
    message: solara.Reactive[str | None]
    notice: solara.Reactive[str | None]
    order: solara.Reactive[str]
    play_interval: solara.Reactive[int]
    render_interval: solara.Reactive[int]
    playing: solara.Reactive[bool] = field(default_factory=lambda: solara.reactive(False))
    shortcuts: solara.Reactive[bool] = field(default_factory=lambda: solara.reactive(True))
    tab_focus: solara.Reactive[int] = field(default_factory=lambda: solara.reactive(0))
    origins: dict[str, str] = field(default_factory=dict)
    refusals: solara.Reactive[int] = field(default_factory=lambda: solara.reactive(0))
    sheet_choice: solara.Reactive[tuple[Path, tuple[str, ...]] | None] = field(
        default_factory=lambda: solara.reactive(None))
    # Held while a month is stepped and while a new model replaces the running one, so the play
    # loop never steps a model that is being replaced, nor the new one before the room sees it.
    lock: threading.RLock = field(default_factory=threading.RLock)
    loops: int = 0  # the play loop's generation: a loop started before the latest one stops
    paused: bool = False  # whether the latest rebuild paused a playing run
    shown: tuple[str, int] | None = None  # the run (``run_key``) and month the page last showed
    finished: str | None = None  # the run (``run_key``) that reached its end while playing

    @classmethod
    def create(cls, settings: Settings | None = None) -> AppState:
        """Fresh state with a model built from ``settings`` (default: the baseline)."""
        chosen = settings or Settings()
        return cls(
            model=solara.reactive(WorkshopModel(settings=chosen)),
            settings=solara.reactive(chosen),
            uploads=solara.reactive({}),
            data_files=solara.reactive({}),
            selected=solara.reactive(None),
            tab=solara.reactive(TAB_ORGANISATION),
            message=solara.reactive(None),
            notice=solara.reactive(None),
            order=solara.reactive("colour"),
            play_interval=solara.reactive(150),
            render_interval=solara.reactive(1),
        )

    @classmethod
    def from_address(cls, search: str | None) -> AppState:
        """The run an address holds (``sim.app.address``), replayed to its month; the baseline for a plain one.

        The page says what was restored and what could not be, in its one-line note.
        """
        restored = from_query(search)
        state = cls.create(restored.settings)
        state.notice.value = state._replay(restored)
        return state

    def follow_address(self, search: str | None) -> None:
        """Replace the run with the one an address holds, paused: the browser's Back and Forward.

        They changed the address and not the run, so the next reload (or the link copied) showed
        another month than the page did. An upload of this session is found by its label.
        """
        restored = from_query(search, self.uploads.value)
        running = self.model.value
        chosen = restored.settings or Settings()
        if chosen == running.settings and min(restored.month, running.horizon) == running.month:
            return  # the run on screen (the address the page was opened at, written in another order)
        # Held until the note is set: a Reset pressed during the replay swaps its model in (and clears
        # the note) only after, or the note of the replaced run stayed above the new one.
        with self.lock:
            if self.rebuild(chosen):
                self.notice.value = self._replay(restored)
        force_update()

    def _replay(self, restored: Restored) -> str | None:
        """Step the new model to the restored month; the note that says what was restored."""
        model = self.model.value
        run_to(model, restored.month)
        if model.month < restored.month:  # the note said "month 99999" above a run at its end, month 120
            restored = dataclasses.replace(restored, month=model.month, problems=(
                *restored.problems, f"month {restored.month} (the run ends at month {model.month})"))
        return restored.note()

    def rebuild(self, settings: Settings | None = None) -> bool:
        """Build a new model now (as Reset does), from ``settings`` or the current ones.

        All or nothing: on an error the one-line message is shown and the settings and the
        running model stay as they were. A run that was playing is paused first: the new one
        starts at month 0 and waits for Play (``paused`` says whether that happened), as Reset
        does. Uploading a scenario while the model played used to start it at once, several
        months in before the room had seen it.
        """
        chosen = self.settings.value if settings is None else settings
        try:
            model = WorkshopModel(settings=chosen)  # the old run may go on playing meanwhile
        except InputError as exc:
            self._refuse(exc)
            return False
        with self.lock:  # not in the middle of a month of the old run
            self.paused = self.playing.value
            self.playing.value = False
            self.settings.value = chosen
            self.model.value = model
        self.message.value = None
        if self.notice.value and self.notice.value.startswith(RESTORED):  # named the run this one replaces
            self.notice.value = None
        self._forget_absent(model)
        force_update()
        return True

    def _forget_absent(self, model: WorkshopModel) -> None:
        """Close the inspector on someone not in ``model``'s organisation (a new run, an earlier month)."""
        if self.selected.value is not None and model.treated.employee(self.selected.value) is None:
            self.selected.value = None

    def choose_scenario(self, name: str, upload: Scenario | None = None, *, own_size: bool = False) -> bool:
        """Switch to a shipped or uploaded scenario and load it at once (or change nothing).

        ``own_size`` drops the size setting, as does a scenario that reads a file or names people (the
        guided story's team of eight): their organisation is shown at its own size.
        """
        if upload is None:  # chosen in the menu: sheets offered for the last scenario's level column go
            self.sheet_choice.value = None
        upload = upload if upload is not None else self.uploads.value.get(name)
        try:
            chosen = self.settings.value.with_scenario(name, upload)
        except InputError as exc:
            self._refuse(exc)
            return False
        spec = chosen.base()
        if own_size or spec.organisation.source is not None or spec.people:  # a file's or a story's own size
            chosen = dataclasses.replace(chosen, headcount=None)
        if not self.rebuild(chosen):
            return False
        self.selected.value = None
        self.notice.value = PAUSED_NOTE if self.paused else None
        return True

    def upload(self, filename: str, content: str | bytes | None, size: int) -> bool:
        """Validate an uploaded scenario; load it, or show its one-line error and change nothing.

        It joins the scenario list only once its organisation has been built. A .csv, .xlsx or
        .parquet is a headcount file (``upload_data``).
        """
        self.sheet_choice.value = None
        if Path(filename).suffix.lower() in DATA_UPLOADS:
            return self.upload_data(filename, content, size)
        text = content.decode("utf-8", errors="replace") if isinstance(content, bytes) else content
        try:
            spec = parse_upload(filename, text, size, data_files=self.data_files.value)
        except InputError as exc:
            self._refuse(exc)
            return False
        label = f"{filename}{UPLOADED}"
        if not self.choose_scenario(label, spec, own_size=spec.organisation.source is not None):
            return False
        self.uploads.value = {**self.uploads.value, label: spec}
        notice = f"Loaded {filename}: {spec.total_positions:,} positions, {spec.n_levels} levels."
        source = spec.organisation.source
        if source is not None:  # how many the file gave, so that a file read otherwise than meant shows here
            table = load_org(spec)
            sheet = f", sheet '{table.sheet}'" if source.sheet else ""  # the sheet's own name, not as typed
            notice += f" {table.people()} read from {Path(source.file).name}{sheet}"
            notice += (f"; the {spec.warmup_months} warm-up months run before month 1 (warmup_months: 0 starts from "
                       "the file as it is)." if spec.warmup_months else ".")
        self.notice.value = notice + (f" {PAUSED_NOTE}" if self.paused else "")
        return True

    def upload_data(self, filename: str, content: str | bytes | None, size: int) -> bool:
        """Keep an uploaded headcount file and start the chosen scenario from it, in the file's own positions.

        The file is kept even when the chosen scenario cannot read it (its columns or values are
        named differently, or a workbook has several sheets): a scenario uploaded next can map
        them, name the sheet and name the file.
        """
        try:
            path = save_data_upload(filename, content, size)
        except InputError as exc:
            self._refuse(exc)
            return False
        self.data_files.value = {**self.data_files.value, path.name: path}
        return self.start_from_data(path)

    def start_from_data(self, path: Path, sheet: str | None = None) -> bool:
        """Start the chosen scenario from the people of a kept headcount file (of one of its sheets).

        A workbook with several sheets that could be the people (a People and a Leavers sheet,
        both with levels) is refused with its sheets offered (``sheet_choice``): a workshop room
        had no way to name one short of writing a scenario file.
        """
        offered, self.sheet_choice.value = self.sheet_choice.value, None
        base = self.settings.value.base()
        origin = self.origins.get(self.settings.value.scenario, base.name)
        label = f"{path.name}{UPLOADED}"
        try:
            spec = with_data_file(base, path, origin, sheet)
        except InputError as exc:
            self._refuse(exc)
            spec = None
        if spec is None or not self.choose_scenario(label, spec, own_size=True):
            if ": header: " in str(self.message.value):  # its columns are named otherwise: a mapping can fix that
                mapped = base.organisation.source is not None and bool(base.organisation.source.columns)
                other = ("; or, if the file uses the model's own column names, choose a scenario without a "
                         "mapping (such as baseline) and upload it again" if mapped else "")
                self.message.value = (f"{self.message.value}; {path.name} is kept, so a scenario uploaded next can "
                                      f"name it in organisation.source.file and map its columns{other}")
            elif SHEET_SETTING in str(self.message.value) and sheet is None:  # several sheets: choose one
                source = base.organisation.source
                needs = source.columns.get("level", "level") if source is not None else "level"
                sheets = tuple(candidate_sheets(path, path.name, needs))
                if sheets:
                    self.sheet_choice.value = (path, sheets)
                    self.message.value = (f"{self.message.value}; or choose the sheet below ({path.name} is kept, so "
                                          f"a scenario uploaded next can also name it in organisation.source.file)")
            if sheet is not None and offered is not None and offered[0] == path:
                # The sheet chosen could not be read: the others stay offered (they vanished with the error).
                self.sheet_choice.value = offered
                self.message.value = f"{self.message.value}; or choose another sheet than '{sheet}' below"
            return False
        self.uploads.value = {**self.uploads.value, label: spec}
        self.origins[label] = origin
        table = load_org(spec)
        # A sheet chosen, or kept from the scenario's (a newer export of the same workbook): said either way.
        named = spec.organisation.source is not None and spec.organisation.source.sheet is not None
        read = f"{path.name}, sheet '{table.sheet}'" if named else path.name
        self.notice.value = (f"Loaded {read}: {table.people()} in their positions, as in the file, with "
                             f"{origin}'s levels and behaviour{empty_posts_note(empty_posts(spec, table))}."
                             + (f" {PAUSED_NOTE}" if self.paused else ""))
        return True

    def update_settings(self, new: Settings) -> bool:
        """Accept new settings for the next Reset if both runs can be built from them.

        A change of organisation (scenario, size, levers or the comparison run) is checked by filling it
        (``check_buildable``); a behavioural control only needs the scenario's validation.
        """
        old = self.settings.value
        # The comparison run is an organisation too: switching it on must be able to fill it.
        reshaped = (new.scenario, new.upload, new.levers, new.headcount, new.compare) != (
            old.scenario, old.upload, old.levers, old.headcount, old.compare)
        try:
            if reshaped:
                check_buildable(new)
            else:
                build_specs(new)
        except InputError as exc:
            if new.headcount != old.headcount:  # name the control that caused it, not only the file's positions
                size = "the scenario's own" if new.headcount is None else f"about {new.headcount:,} people"
                exc = InputError(f"Organisation size {size}: {exc}")
            self._refuse(exc)
            return False
        self.message.value = None
        self.settings.value = new
        return True

    def _refuse(self, exc: InputError) -> None:
        """Show why a change was refused; a notice about what was loaded before no longer applies."""
        self.message.value = uploaded_names(str(exc))
        self.notice.value = None
        # A refused switch or field must show the value still in force again: the browser's widget
        # already shows what was clicked or typed, and an unchanged value sends it nothing.
        self.refusals.value += 1

    def step(self, months: int, *, loop: int | None = None) -> bool:
        """Run ``months`` months now (Step, the guide's buttons, the play loop) and redraw.

        With ``loop`` (the play loop's generation), nothing happens once playing has stopped or a
        newer loop runs, and playing stops at the end of the run. Returns whether the play loop
        should go on.
        """
        with self.lock:
            if loop is not None and (not self.playing.value or loop != self.loops):
                return False
            model = self.model.value
            for _ in range(months):
                if not model.running:
                    break
                model.step()
            if not model.running:
                if self.playing.value:  # the page still shows Pause: a press of it may be on its way
                    self.finished = run_key(model)
                self.playing.value = False
        if loop is None:  # the run has moved on: "paused at month 0", "restored ..., month 10" no longer hold
            self._drop_stale_notes()
        force_update()
        return self.playing.value and model.running

    def reset(self) -> None:
        """Reset: a new model from the settings, paused at month 0 (as Mesa's Reset)."""
        self.rebuild()

    def toggle_play(self) -> None:
        """Play or pause (the button, the P key); once playing, the note that the run waits at month 0 no longer holds.

        A run at its end does not play. One that reached it while playing is paused instead: the
        press left the page while it still showed Pause, at an earlier month (``pause``).
        """
        model = self.model.value
        if self.playing.value or self.finished == run_key(model):
            self.pause()
            return
        if not model.running:
            return
        self.playing.value = True
        self._drop_stale_notes()

    def saw(self, run: str, month: int) -> None:
        """The page shows ``month`` of the run ``run`` (``StepWidget`` says so): where a Pause stops."""
        self.shown = (run, month)

    def pause(self) -> None:
        """Stop playing, at the month the page shows.

        The page shows a month 0.1-0.3 s after the server has stepped it, so when a Pause arrived the
        run had often moved one month past the month the room saw, and stopped there (3 of 8 pauses
        at the default speed in a facilitator's trial). Such a run is replayed to the month shown, as
        an address is: every run is deterministic. So is a run that reached its end meanwhile (it
        stayed at its end); one whose end the page showed stays there. The browser says which month
        it shows before it sends the click (``saw``); a page that has said nothing (``solara.render``)
        pauses where it is.
        """
        with self.lock:  # after the month under way, which the play loop then follows with no other
            self.playing.value = False
            model = self.model.value
            if self.shown is None or self.shown[0] != run_key(model) or self.shown[1] >= model.month:
                return
            back = WorkshopModel(settings=model.settings)  # built before, from the same settings
            run_to(back, self.shown[1])
            self.model.value = back
        self._forget_absent(back)
        force_update()

    def _drop_stale_notes(self) -> None:
        """Drop the notes about where the run stood, once it moves on.

        A trial found "Restored from the address: baseline, month 10" still shown at month 24.
        """
        notice = self.notice.value
        if notice and notice.startswith(RESTORED):  # what could not be restored still holds ("upload it again")
            _, found, rest = notice.partition(NOT_RESTORED)
            self.notice.value = f"{NOT_RESTORED}{rest}" if found else None
        elif notice and PAUSED_NOTE in notice:
            self.notice.value = notice.replace(PAUSED_NOTE, "").strip() or None


def run_key(model: WorkshopModel) -> str:
    """What names a run to the page (``StepWidget``): the model's ``serial``.

    A month the page showed of an earlier run is then never taken for one of the running model. It
    was the model's ``id()``, which a model built after the earlier one was freed can have (a Reset
    frees the run it replaces).
    """
    return str(model.serial)


def run_to(model: WorkshopModel, month: int) -> None:
    """Step ``model`` to ``month`` (an address's, a Pause's), or to the end of its run if that comes first."""
    while model.running and model.month < month:
        model.step()


PAUSED_NOTE = "The run was playing: it is paused at month 0 of the new one; press \u25b6 to play it."


# -- small helpers ----------------------------------------------------------------------------
def num(value: float, digits: int = 2) -> str:
    """A number, or a dash when undefined."""
    return "n/a" if value is None or not math.isfinite(value) else f"{value:.{digits}f}"


def slider_value(control: Control, value: float) -> str:
    """A slider's value to the slider's own precision (0.05, not 0.05000000000000001)."""
    digits = max(0, -math.floor(math.log10(control.step))) if control.step > 0 else 2
    return f"{value:.{digits}f}"


def issued(run: PromotionModel, uid: int) -> bool:
    """Whether ``uid`` was ever given to someone in this run (employed now or not).

    The engine numbers people 1, 2, 3, ... as they are placed, so any other number never
    belonged to anyone; the inspector says so rather than that they left.
    """
    return 1 <= uid < run.next_uid


def empty_posts_note(posts: list[str]) -> str:
    """The end of an uploaded team's notice: where an empty post waits that the file did not have."""
    if not posts:
        return ""
    where = posts[0] if len(posts) == 1 else f"each of {', '.join(posts[:-1])} and {posts[-1]}"
    return f"; an empty post waits at {where}, where the file has no one"


def gone_text(run: PromotionModel, story: list[str]) -> str:
    """What the inspector says of someone who is not in the organisation now.

    The feed records every event since month 0 in the person's story, so someone gone with no
    story left during the warm-up, before the room's run began. It said "is no longer in the
    organisation" over "Nothing has happened to them yet in this run", which a room reads as a
    contradiction (a facilitator typed a person's number at random).
    """
    warmup = run.scenario.warmup_months
    if story or not warmup:
        return "is no longer in the organisation."
    return (f"left the organisation during the {counted(warmup, 'warm-up month')} before month 1, so this run "
            "has no history of them.")


@dataclass(frozen=True)
class ChartSpec:
    """A headline chart: which metrics, how labelled, and which way is better.

    Attributes:
        title: Caption.
        metrics: (metric key, legend label) pairs; ``"representation"`` expands to every group.
        percent: Values are fractions.
        reference: A dotted reference line.
        better: ``"lower"``, ``"higher"`` or ``"one"`` (closer to 1), for the comparison table.
    """

    title: str
    metrics: tuple[tuple[str, str], ...]
    percent: bool = True
    reference: float | None = None
    better: str = "lower"


# A ratio with no unit: on a projector (no tooltips) the room asked what 1.2 meant.
REPRESENTATION_TITLE = "Representation at the top (1 = parity)"
HEADLINE_CHARTS: tuple[ChartSpec, ...] = (
    ChartSpec("Mismatch types", (("hidden_ambition_rate", "hidden ambition"),
                                 ("unwanted_promotion_rate", "unwanted promotion"),
                                 ("timing_mismatch_rate", "timing"))),
    ChartSpec("Managers' misread rate", (("misread_rate", "misread"),)),
    ChartSpec("Succession coverage", (("succession_coverage", "ready, willing successor"),), better="higher"),
    ChartSpec("Attrition (yearly)", (("attrition_rate", "everyone"), ("regretted_attrition_rate", "high performers"))),
    ChartSpec("Promotions that stick", (("promotion_stick_rate", "stuck after the window"),), better="higher"),
    ChartSpec(REPRESENTATION_TITLE, (("representation", ""),), percent=False, reference=1.0, better="one"),
)
COMPARE_CHARTS: tuple[ChartSpec, ...] = (
    ChartSpec("All mismatches", (("mismatch_rate", "mismatch"),)),
    ChartSpec("Hidden ambition", (("hidden_ambition_rate", "hidden ambition"),)),
    ChartSpec("Managers' misread rate", (("misread_rate", "misread"),)),
    ChartSpec("Succession coverage", (("succession_coverage", "coverage"),), better="higher"),
    ChartSpec("Attrition (yearly)", (("attrition_rate", "attrition"),)),
    ChartSpec("Promotions that stick", (("promotion_stick_rate", "stick rate"),), better="higher"),
    ChartSpec(REPRESENTATION_TITLE, (("representation", ""),), percent=False, reference=1.0, better="one"),
)
# (metric, label, is a fraction); which way is better comes from sim.metrics.METRIC_INFO.
COMPARE_TABLE: tuple[tuple[str, str, bool], ...] = (
    ("mismatch_rate", "all mismatches", True),
    ("hidden_ambition_rate", "hidden ambition (of those who want to move up)", True),
    ("misread_rate", "managers' misread rate", True),
    ("unwanted_promotion_rate", "unwanted promotions (12 months)", True),
    ("timing_mismatch_rate", "timing mismatch", True),
    ("succession_coverage", "succession coverage", True),
    ("attrition_rate", "attrition (yearly)", True),
    ("regretted_attrition_rate", "high performers leaving (yearly)", True),
    ("hidden_ambition_exit_rate", "unseen ambition leaving (yearly, share of everyone)", True),
    ("promotion_stick_rate", "promotions that stick", True),
    ("team_performance", "team performance", True),
    ("intervention_cost", "lever hours per person per year", False),
)
# Rows whose value is the charts' trailing-year rate averaged, where ``promosim run``'s summary counts
# over the whole run (or, for promotions that stick, the promotions whose window has closed).
TRAILING_RATE_ROWS = ("attrition_rate", "regretted_attrition_rate", "hidden_ambition_exit_rate",
                      "unwanted_promotion_rate", "promotion_stick_rate")


def shown_charts(specs: Sequence[ChartSpec], groups: Sequence[str]) -> list[ChartSpec]:
    """The charts worth drawing: representation only with two groups or more.

    With one group everyone is at parity by definition, and a team of one group showed a flat
    "all: 1.00" line that the room asked about.
    """
    return [spec for spec in specs
            if drawing.compares_groups(groups) or all(key != "representation" for key, _ in spec.metrics)]


def expand(spec: ChartSpec, groups: list[str]) -> list[tuple[str, str]]:
    """The chart's (metric, label) pairs with ``representation`` expanded to each group."""
    out: list[tuple[str, str]] = []
    for key, label in spec.metrics:
        if key == "representation":
            out.extend((f"representation_ratio.{g}", g) for g in groups)
        else:
            out.append((key, label))
    return out


def stick_note(*histories: History) -> tuple[str, str] | None:
    """Why the stick-rate line starts late: (what its empty chart says, the explanation).

    The engine gives the rate only from ``History.stick_from`` on (docs/ODD.md 7.12.1); this says
    why on the page. None when no history charts it.
    """
    windows = [h.stick_window for h in histories if h.stick_window is not None]
    starts = [h.stick_from for h in histories if h.stick_from is not None]
    if not windows or not starts:
        return None
    window, start = windows[0], min(starts)
    pending = f"from month {start}, once promotions can stick"
    why = (f"Promotions that stick starts at month {start}: a promotion counts as stuck only when its "
           f"{window}-month window closes, but as failed as soon as the person steps back or leaves, so until "
           f"the last year's promotions can all have been in their role for {window} months the rate would count "
           "mostly failures, not how many promotions stick.")
    return pending, why


def _chart_notes(spec: ChartSpec, *histories: History) -> dict[str, str | None]:
    """``line_chart``'s tooltip and empty-chart text for the stick-rate chart (none for the others)."""
    note = stick_note(*histories) if any(key == STICK_RATE for key, _ in spec.metrics) else None
    return {"pending": note[0], "note": note[1]} if note else {}


# A chart line of what the pyramid colours takes the pyramid's colour (hidden ambition was drawn in the
# pyramid's blue for "the manager knows"); the other lines take ``drawing.PALETTE``, none of the pyramid's.
LINE_COLOURS = {"hidden_ambition_rate": next(c.colour for c in drawing.CATEGORIES if c.key == "hidden")}


def line_colours(keys: Sequence[str]) -> list[str]:
    """Each line's colour: its own (``LINE_COLOURS``), else the palette's next one that no line of the chart has."""
    taken = {LINE_COLOURS[k] for k in keys if k in LINE_COLOURS}
    rest = [c for c in drawing.PALETTE if c not in taken]
    free = iter(rest * (len(keys) // len(rest) + 1))
    return [LINE_COLOURS.get(k) or next(free) for k in keys]


def headline_chart_svg(spec: ChartSpec, history: History, groups: list[str], width: int = 300) -> str:
    """One headline chart of one run."""
    lines = expand(spec, groups)
    series = [drawing.Series(label, history.series(key), colour)
              for (key, label), colour in zip(lines, line_colours([k for k, _ in lines]), strict=True)]
    return drawing.line_chart(history.months, series, title=spec.title, percent=spec.percent,
                              reference=spec.reference, width=width, **_chart_notes(spec, history))


def compare_chart_svg(spec: ChartSpec, model: WorkshopModel, width: int = 300) -> str:
    """One chart with the run with levers (solid) and without (dashed)."""
    groups = model.treated.scenario.group_names
    series = []
    lines = expand(spec, groups)
    for (key, label), colour in zip(lines, line_colours([k for k, _ in lines]), strict=True):
        name = f"{label}: " if label and len(lines) > 1 else ""
        series.append(drawing.Series(f"{name}with levers", model.history.series(key), colour))
        series.append(drawing.Series(f"{name}without", model.control_history.series(key), colour, dashed=True))
    return drawing.line_chart(model.history.months, series, title=spec.title, percent=spec.percent,
                              reference=spec.reference, width=width,
                              **_chart_notes(spec, model.history, model.control_history))


# The charts share their card's width: columns of at least 300 px (fewer when the card is
# narrower: two at 1280 px with the sidebar open, one on a 1024 px laptop), at most three until a
# column would be wider than 400 px (then four or more, on a very wide screen), and a chart no
# wider than 480 px, so that its text (in viewBox units: 11 for the axes, 13 for the title, at a
# 300-unit width) shows at 11 to 18 px. Columns of 240 px showed the axes at 9 px on a projector.
CHART_GRID_STYLE = ("display:grid;grid-template-columns:repeat(auto-fill,"
                    "minmax(min(100%,clamp(300px,calc((100% - 32px) / 3),400px)),1fr));gap:8px 16px")
CHART_MAX_WIDTH = 480


def chart_grid_html(svgs: list[str]) -> str:
    """Charts (from ``line_chart``) in a grid that follows the width of the card they are in."""
    cells = "".join(
        f'<div class="promosim-chart" style="min-width:0;max-width:{CHART_MAX_WIDTH}px">{svg}</div>' for svg in svgs
    )
    return f'<div class="promosim-chart-grid" style="{CHART_GRID_STYLE}">{cells}</div>'


@solara.component
def ChartNote(histories: list[History], tick: int) -> None:
    """The stick-rate chart's explanation under the charts, visible without hovering."""
    note = stick_note(*histories)
    if note:
        solara.Text(note[1], classes=["promosim-chart-note"],
                    style={"font-size": "12px", "color": "#546e7a", "display": "block"})


# -- the run bar and the sidebar -----------------------------------------------------------
@solara.component
def StepInfo(model: WorkshopModel, tick: int, on_seen: Callable[[str, int], None] | None = None) -> None:
    """Mesa's step counter (``Step: N``), plus the month and year in words.

    The counter tells ``on_seen`` which month the page shows (``StepWidget``; ``AppState.saw``).
    """
    years = model.treated.scenario.years
    if model.month == 0:
        where = f"start of the run, {years:g} years to go"
    else:
        end = "" if model.running else " (the end of the scenario's run: press Reset to start again)"
        where = f"{when(model.month, of=years)}{end}"
    with solara.Row(style={"align-items": "baseline", "gap": "12px", "flex-wrap": "wrap", "row-gap": "0"}):
        StepWidget.element(shown={"run": run_key(model), "month": tick}, on_seen=on_seen)
        solara.Text(where, style={"font-size": "13px", "color": "#546e7a"})


# Above the tabs, and kept there while the main area scrolls: the run's buttons, the step and the
# pending note stay on screen with the sidebar closed (the only way to bigger pyramids) and while a
# lever low in the sidebar is switched (the note sat in the sidebar's first card, scrolled away).
# The step's words and the note are two short lines beside the buttons: as a third item of the
# row, the note went under the buttons at 1280 px with the sidebar open, and the page below
# jumped down by a line whenever a setting changed.
RUN_BAR_CSS = (
    ".promosim-runbar{position:sticky;top:0;z-index:5;background:white;align-items:center;flex-wrap:wrap;"
    "gap:4px 16px;padding:6px 0;margin:0!important}"
    # White over the area's top padding, where the page scrolled by in a strip above the buttons: a
    # shadow, set more specifically than Vuetify's elevation-0 (none, !important), which won before.
    ".v-sheet.promosim-runbar{box-shadow:0 -12px 0 white!important}"
    ".promosim-runbar .promosim-controller{display:flex;gap:12px;flex:none}"
    ".promosim-runbar .promosim-where{display:flex;flex-direction:column;min-width:0;flex:1 1 300px;line-height:17px}"
    ".promosim-runbar .promosim-pending{font-size:13px;color:#bf360c;white-space:nowrap;overflow:hidden;"
    "text-overflow:ellipsis}"
)


# The run's keyboard shortcuts (``KeysWidget``): the buttons are 23 presses of Tab into the page,
# after the sidebar's controls. A key is pressed with no Ctrl, Alt, Meta or Shift, outside text fields.
RUN_KEYS = {"r": "Reset", "p": "Play or pause", "s": "Step"}
KEYS_NOTE = "Keys: " + ", ".join(f"{key.upper()} {what.lower()}" for key, what in RUN_KEYS.items()) + "."

# Keyboard focus, drawn where Vuetify's own (a light overlay) was all but invisible: on the blue
# buttons and tabs a facilitator at a keyboard could not tell which one Enter would press.
FOCUS_CSS = (
    ".v-btn:focus-visible,[role=tab]:focus-visible,[role=slider]:focus-visible,.promosim-picture:focus-visible,"
    ".promosim-event:focus-visible,.promosim-upload-label:focus-within{outline:3px solid #0d47a1!important;"
    "outline-offset:2px}"
    "header .v-btn:focus-visible{outline-color:white!important}"
    ".promosim-event:focus-visible{outline-offset:-2px}"  # inside the feed's scrolling box, which clips it
    ".v-input--selection-controls.v-input--is-focused .v-input--selection-controls__input{outline:3px solid #0d47a1;"
    "outline-offset:2px;border-radius:4px}"
)


# Card titles as headings (``card``), which look as Vuetify's titles did.
HEADING_CSS = ".promosim-heading{font-size:inherit;font-weight:inherit;line-height:inherit;margin:0}"


def card(title: str, level: int = 2, **kwargs: Any) -> Any:
    """A Solara card whose title is a heading of ``level``, to use as ``solara.Card`` is.

    Solara's card title is a ``div``: the page had no heading at all, so a screen reader's
    heading keys, the usual way round a page, found nothing (an accessibility trial).
    """
    return solara.Card(rv.Html(tag=f"h{level}", children=[title], class_="promosim-heading"), **kwargs)


@solara.component
def RunControls(state: AppState, tick: int) -> None:
    """Reset, Play/Pause and Step, as Mesa's ``ModelController`` (its labels, its ``update_counter`` redraws).

    Mesa keeps whether it is playing inside its component, where nothing else can pause it: an
    upload while the model played started the new organisation at once, and a run that had reached
    its end kept Play disabled after a new scenario was loaded (only Mesa's own Reset re-enabled
    it). Here whether it plays is ``AppState.playing``, so a new model (an upload, a scenario, the
    guide) pauses it first, and stepping holds ``AppState.lock``.
    """
    model = state.model.value
    error, set_error = solara.use_state(None)

    def play() -> None:
        with state.lock:
            state.loops += 1
            loop = state.loops
        try:
            while state.playing.value:
                time.sleep(state.play_interval.value / 1000)
                if not state.step(state.render_interval.value, loop=loop):
                    break
        except Exception as exc:  # shown in the page, as Mesa's controller does
            set_error(f"error in step: {exc}")
            state.playing.value = False
            traceback.print_exc()

    solara.lab.use_task(play, dependencies=[state.playing.value], prefer_threaded=True)

    def reset() -> None:
        set_error(None)
        state.reset()

    def step() -> None:  # as Mesa's Step: one redraw's worth of months (the render interval)
        set_error(None)
        state.step(state.render_interval.value)

    def shortcut(key: str) -> None:
        """A key of ``RUN_KEYS``: as its button, and only when the button is on."""
        running = state.model.value.running
        if key == "r":
            reset()
        elif key == "p":  # at the end of a run only a Pause pressed before the page showed it (toggle_play)
            state.toggle_play()
        elif key == "s" and running and not state.playing.value:
            step()

    playing = state.playing.value
    with solara.Div(classes=["promosim-controller"]):
        keys = list(RUN_KEYS) if state.shortcuts.value else []
        KeysWidget.element(shortcuts=keys, on_key=shortcut, tab_focus=state.tab_focus.value)

        def named(key: str, **more: str) -> dict[str, str]:
            return {**more, "aria-keyshortcuts": key.upper()} if key in keys else more

        # Named in words: a screen reader read the ▶ button as "black right-pointing triangle".
        solara.Button(label="Reset", color="primary", on_click=reset, attributes=named("r"))
        solara.Button(label="\u275a\u275a" if playing else "\u25b6", color="primary",
                      on_click=state.toggle_play, disabled=not model.running,
                      attributes=named("p", **{"aria-label": "Pause" if playing else "Play"}))
        solara.Button(label="Step", color="primary", on_click=step, disabled=playing or not model.running,
                      attributes=named("s"))
    if error:
        solara.Error(label=error)


@solara.component
def RunBar(state: AppState, model: WorkshopModel, tick: int) -> None:
    """Reset, Play/Pause and Step (``RunControls``), the step and the pending note, above the tabs.

    There is one set of run buttons, here rather than in the sidebar. The speed sliders stay in
    the sidebar (``ControlsCard``).
    """
    # One root element, so that the bar sticks within the whole main area (a wrapper of its own
    # would be only as tall as the bar).
    with solara.Row(classes=["promosim-runbar"]):
        solara.Style(RUN_BAR_CSS)
        KeepAddress(state, model, tick)
        RunControls(state, tick)
        with solara.Div(classes=["promosim-where"]):
            StepInfo(model, tick, on_seen=state.saw)
            PendingNote(state)


@solara.component
def KeepAddress(state: AppState, model: WorkshopModel, tick: int) -> None:
    """Keep the running model's settings and month in the page's address (``sim.app.address``).

    Written whenever the run stands still: paused, stepped, reset or replaced. Not while it
    plays: a message to the browser every month, for an address nobody reads then (and browsers
    throttle a page that changes its history too often). A new month of the same
    settings replaces the address in place (:class:`~sim.app.widgets.AddressWidget`); new settings
    are pushed with Solara's router, a new entry in the browser's history. Every Step used to be
    pushed, so after 30 Steps Back walked back month by month instead of to the previous settings.

    An address it did not write (the browser's Back and Forward) is followed: the run it holds is
    replayed. Solara's router does not see a replaced address: ``router.search`` keeps the one last
    pushed or followed, so what the browser shows is kept here (``shown``). Back and Forward still
    change ``router.search``: the entry beside holds other settings than the router's address, also
    when that entry's month was replaced. (Only a jump of several entries at once, from the
    browser's history menu, to exactly the address the router holds goes unseen; the run stays.)
    A push is told from the browser's moves by the addresses pushed and not yet seen back, and the
    first address the router holds that was not pushed here ends the wait for them: Back pressed
    as a new entry appeared, on a busy laptop, reached the router before the render that would
    have shown the push, so the push was never seen, and the Forward to its entry was taken for it
    (the address said the new scenario, the page kept the old run).

    A run replaced while it plays (a scenario chosen, a file uploaded) first gets the month it was
    left at written over its own entry, and only then are the new settings pushed: its entry still
    held the month it was last paused or stepped at, so Back went there (a facilitator's trial: a
    run stepped to month 2, played on and left for another scenario came back at month 2). The push
    waits for the next pass of the effect, after the replacement has gone to the browser, so that
    the replacement never lands on the new entry.
    """
    router = solara.use_router()
    playing = state.playing.value
    shown = solara.use_ref(router.search or "")  # the query in the browser's address, as written or followed
    pushed = solara.use_ref([])  # addresses pushed here and not yet seen back in ``router.search``
    written = solara.use_ref(model)  # the run the address was last written for (or followed to)
    replaced, set_replaced = solara.use_state({"search": "", "count": 0})  # for the AddressWidget

    def replace(query: str) -> None:
        set_replaced(lambda old: {"search": query, "count": old["count"] + 1})
        shown.current = query

    def write() -> None:
        if playing or router.set_path is None:  # no address: rendered outside a page (solara.render, a notebook)
            return
        left, written.current = written.current, model
        query = to_query(model.settings, model.month)
        if query == shown.current:
            return
        if same_run(query, shown.current):  # only the month moved: the same entry of the history
            replace(query)
            return
        last = to_query(left.settings, left.month)
        if left is not model and last != shown.current and same_run(last, shown.current):
            replace(last)  # the run left while playing, at its month; the new settings are pushed next pass
        else:
            pushed.current.append(query)
            router.push(f"{router.path}?{query}" if query else router.path)
            shown.current = query

    def follow() -> None:
        """The address moved without the run (the browser's Back and Forward): replay the run it holds."""
        search = router.search or ""
        if router.set_path is None:
            return
        if search in pushed.current:  # pushed here (two pushes before a render: only the later is seen)
            del pushed.current[: pushed.current.index(search) + 1]
            return
        pushed.current.clear()  # the browser has moved on: a push not seen by now never will be
        shown.current = search  # before the replay, whose months are then written over this entry
        running = state.model.value
        if search != to_query(running.settings, running.month):
            state.follow_address(search)
        written.current = state.model.value  # the run left here was not left by the app: its entry stays

    solara.use_effect(write, [model, tick, playing, replaced["count"]])
    solara.use_effect(follow, [router.search])
    AddressWidget.element(address=replaced)


@solara.component
def ControlsCard(state: AppState) -> None:
    """How fast Mesa's controller plays: its play interval and render interval (the buttons are in ``RunBar``)."""
    keys = KEYS_NOTE if state.shortcuts.value else "Single-key shortcuts are off."
    with card("Play speed", subtitle=f"Reset, play and step are above the tabs. {keys}"):
        solara.Checkbox(label="Single-key shortcuts (R, P, S)", value=state.shortcuts)
        # The values are in the labels: Vuetify shows a slider's value only while it is dragged.
        every = state.render_interval.value
        solara.SliderInt(f"Play interval: {state.play_interval.value} ms", value=state.play_interval, min=10,
                         max=1000, step=10)
        solara.SliderInt(f"Render interval: {every} step{'s' if every != 1 else ''}",
                         value=state.render_interval, min=1, max=24)


@solara.component
def PendingNote(state: AppState) -> None:
    """Says when Reset would change things, or when a new run waits at month 0 for Play.

    The second: the one that was playing was replaced (a scenario chosen or uploaded). Both beside
    the buttons: the paused note was in the sidebar's Scenario card, half off a 1280x720
    projector and not shown at all with the sidebar closed (a facilitator's trial).
    """
    if state.settings.value != state.model.value.settings:
        solara.Text("\u26a0 Your changes take effect when you press Reset.", classes=["promosim-pending"])
    if PAUSED_NOTE in (state.notice.value or ""):  # both when both hold: the sidebar no longer shows this one
        solara.Text(PAUSED_NOTE, classes=["promosim-pending"])


@solara.component
def ScenarioCard(state: AppState) -> None:
    """Choose or upload a scenario, the seed, the organisation's size, and whether to compare."""
    settings = state.settings.value
    names = shipped_scenarios() + [n for n in state.uploads.value if n not in shipped_scenarios()]
    with card("Scenario"):
        solara.Select("Scenario", values=names, value=settings.scenario, on_value=state.choose_scenario)
        try:
            description = settings.base().description
        except InputError:
            description = ""
        if description:
            solara.Text(description, style={"font-size": "12px", "color": "#546e7a"})
        UploadWidget.element(
            label="Upload a scenario or people (CSV, Excel)",
            hint="or drop a file here: a .yaml is checked like 'promosim validate'; a .csv, .xlsx or .parquet "
                 "of people starts this scenario from them (docs/orgdata.md)",
            on_upload=state.upload,
        )
        if state.message.value:
            solara.Error(state.message.value, dense=True, classes=["promosim-error"])
        if state.sheet_choice.value:
            path, sheets = state.sheet_choice.value
            with solara.Row(gap="6px", style={"flex-wrap": "wrap"}):
                for sheet in sheets:
                    solara.Button(f"Read sheet '{sheet}'", outlined=True, small=True,
                                  on_click=functools.partial(state.start_from_data, path, sheet))
        sidebar_note = (state.notice.value or "").replace(PAUSED_NOTE, "").strip()  # that one is beside the buttons
        if sidebar_note:
            solara.Info(sidebar_note, dense=True)

        def set_seed(text: str | None) -> None:
            # Read here rather than by Solara's InputInt: "abc" or "1.5" there only turned the field's
            # label red ("Value must be an integer"), kept in the field while Reset quietly used the
            # old seed, with no line a screen reader announces. Every bad seed is refused alike now.
            digits = (text or "").strip()
            value = int(digits) if digits.isdecimal() and len(digits) <= MAX_DIGITS else -1  # int() refuses 4,300+
            if value >= 0:
                state.update_settings(dataclasses.replace(state.settings.value, seed=value))
            else:
                state._refuse(InputError(f"must be a whole number, 0 or more; the seed stays {settings.seed}",
                                         source="Seed"))

        solara.InputText("Seed", value=str(settings.seed), on_value=set_seed).key(f"seed-{state.refusals.value}")
        size_label = next((k for k, v in SIZES.items() if v == settings.headcount), "as the scenario says")

        def set_size(label: str) -> None:
            state.update_settings(dataclasses.replace(state.settings.value, headcount=SIZES[label]))

        solara.Select("Organisation size", values=list(SIZES), value=size_label, on_value=set_size)


@solara.component
def SettingSwitch(label: str, value: bool, on_value: Callable[[bool], Any], disabled: bool = False) -> None:
    """A switch that flips back when its change is refused.

    The browser's switch shows the click at once; a refused change leaves ``value`` as it was, so
    the page's next render has nothing new to send and the switch stayed on (a lever shown on that
    the next Reset did not use). Showing the click first and then ``value`` again sends it back.
    """
    shown, set_shown = solara.use_state(value)

    def changed(new: bool) -> None:
        set_shown(new)
        on_value(new)

    def settle() -> None:
        if shown != value:
            set_shown(value)

    solara.use_effect(settle, [shown, value])
    solara.Switch(label=label, value=shown, on_value=changed, disabled=disabled)


@solara.component
def LeversCard(state: AppState) -> None:
    """One switch per registered lever (those the scenario cannot host are disabled, with why)."""
    settings = state.settings.value
    registry = load_all()
    try:
        base = settings.base()
    except InputError:
        base = None
    problems = solara.use_memo(
        lambda: {name: lever_problem(base, name) for name in registry} if base is not None else {},
        [settings.scenario, id(base)],
    )
    with card("Levers"):
        if not registry:
            solara.Text("No levers are installed yet.")

        def set_compare(value: bool) -> None:
            state.update_settings(dataclasses.replace(state.settings.value, compare=value))

        SettingSwitch(label="Side by side: also run without the levers", value=settings.compare,
                      on_value=set_compare)
        for name, cls in registry.items():
            problem = problems.get(name)

            def toggle(value: bool, name: str = name) -> None:
                state.update_settings(state.settings.value.set_lever(name, value))

            SettingSwitch(label=name.replace("_", " "), value=name in settings.levers, on_value=toggle,
                          disabled=problem is not None)
            hint = f"Not for this scenario: {problem}" if problem else cls.description
            solara.Text(hint, style={"font-size": "12px", "color": "#546e7a", "display": "block",
                                     "margin": "-14px 0 4px 44px"})


@solara.component
def BehaviourCard(state: AppState) -> None:
    """Sliders and switches for the key behavioural parameters (Mesa's UserInputs)."""
    settings = state.settings.value
    user_params: dict[str, dict[str, Any]] = {}
    for control in CONTROLS:
        value = settings.value(control.name)
        if control.kind == "float":
            # Mesa's UserInputs passes no thumb label on, so the value goes in the label.
            label = f"{control.label}: {slider_value(control, value)}"
            user_params[control.name] = {"type": "SliderFloat", "label": label, "value": float(value),
                                         "min": control.low, "max": control.high, "step": control.step}
        elif control.kind == "bool":
            user_params[control.name] = {"type": "Checkbox", "label": control.label, "value": bool(value)}
        else:
            user_params[control.name] = {"type": "Select", "label": control.label, "value": value,
                                         "values": list(control.choices)}

    def on_change(name: str, value: Any) -> None:
        state.update_settings(state.settings.value.set_param(name, value))

    with card("Behaviour", subtitle="Speaking up: monthly chance a person raises their career. Failed "
                     "risks penalised: the climate, the chance a failed risk is quietly blamed."):
        UserInputs(user_params, on_change=on_change)
        solara.Text(policy_note(settings.value("policy")), classes=["promosim-policy"],
                    style={"font-size": "13px", "color": "#546e7a"})


def policy_note(name: str) -> str:
    """What the chosen promotion policy ranks candidates by, in one line (its scorer's docstring).

    The choices are the engine's names, and "best", "worst" or "mixed" told a room nothing (best
    at what?). The docstring is the policy's own description, so a new policy explains itself.
    """
    lines = (POLICIES[name].__doc__ or "").strip().splitlines() if name in POLICIES else []
    return f"Promotion policy '{name}': {lines[0]}" if lines else f"Promotion policy '{name}'."


# -- the organisation -------------------------------------------------------------------------
@solara.component
def Counters(model: WorkshopModel, tick: int) -> None:
    """Tiles with the month, headcount and what has happened so far."""
    c = model.counters()
    tiles = [
        ("month", str(model.month), when(model.month) if model.month else "not started"),
        ("people", f"{c['people']:,.0f}", "people"),
        ("aspiring", f"{c['aspiring']:,.0f}", "want to move up"),
        ("hidden", f"{c['hidden']:,.0f}", "hidden ambition now"),
        ("promotions", f"{c.get('promotions', 0):,.0f}", "promotions so far"),
        ("declines", f"{c.get('declines', 0):,.0f}", "offers declined"),
        ("left", f"{c.get('left', 0):,.0f}", "people left"),
    ]
    html = "".join(
        f'<div class="promosim-tile" data-counter="{key}"><div class="promosim-tile-value">{escape(value)}</div>'
        f'<div class="promosim-tile-label">{escape(label)}</div></div>'
        for key, value, label in tiles
    )
    solara.HTML(
        tag="div",
        unsafe_innerHTML=(
            "<style>.promosim-counters{display:flex;flex-wrap:wrap;gap:8px}"
            ".promosim-tile{border:1px solid #cfd8dc;border-radius:6px;padding:4px 10px;min-width:92px}"
            ".promosim-tile-value{font:600 20px sans-serif;color:#263238}"
            ".promosim-tile-label{font:12px sans-serif;color:#546e7a}</style>"
            f'<div class="promosim-counters">{html}</div>'
        ),
        classes=["promosim-counters-box"],
    )


@solara.component
def Pyramid(
    run: PromotionModel,
    *,
    steps: int,
    order: str = "colour",
    highlight: int | None = None,
    title: str | None = None,
    max_width: int = 620,
    on_pick: Callable[[int], None] | None = None,
    label: str = "The organisation by level and track",
    partner: PromotionModel | None = None,
) -> None:
    """The pyramid picture of one run (clickable when ``on_pick`` is given).

    It is laid out for the width its card has (the browser reports it); ``max_width`` is the width
    it is drawn at until then. With ``partner`` (the run beside it) its levels line up with the partner's.
    """
    card_width, set_card_width = solara.use_state(0)
    width = card_width or max_width
    picture = solara.use_memo(
        lambda: json.dumps(drawing.pyramid_picture(run, max_width=width, order=order, highlight=highlight,
                                                   title=title, partner=partner), separators=(",", ":")),
        [run, steps, order, highlight, title, width, partner],
    )
    PyramidWidget.element(picture=picture, label=label, clickable=on_pick is not None, on_pick=on_pick,
                          on_resize=set_card_width)


@solara.component
def PyramidCard(state: AppState, model: WorkshopModel, tick: int) -> None:
    """The organisation as a picture, with its key and the choice of order.

    The key is above the picture: below a 1,000-person pyramid it was off a 1280x720 projector.
    """
    with card("The organisation", subtitle="Colour: what people want against what their manager "
                     "believes. Click a person to inspect them.", classes=["promosim-pyramid-card"]):
        solara.ToggleButtonsSingle(value=state.order, values=["colour", "position"], dense=True)
        solara.HTML(tag="div", unsafe_innerHTML=drawing.legend_html(model.treated))
        Pyramid(model.treated, steps=tick, order=state.order.value, highlight=state.selected.value,
                on_pick=state.selected.set)


@solara.component
def ChartsCard(model: WorkshopModel, tick: int) -> None:
    """The headline metrics month by month."""
    groups = model.treated.scenario.group_names
    svgs = solara.use_memo(
        lambda: [headline_chart_svg(spec, model.history, groups) for spec in shown_charts(HEADLINE_CHARTS, groups)],
        [model, tick],
    )
    with card("Headline metrics", classes=["promosim-charts"]):
        solara.HTML(tag="div", unsafe_innerHTML=chart_grid_html(svgs))
        ChartNote([model.history], tick)


FEED_LABEL = "Event feed, newest first: the arrow keys go through the events, Enter inspects the person"


@solara.component
def EventFeed(state: AppState, model: WorkshopModel, tick: int, n: int = 40) -> None:
    """The latest events in plain language, newest first (click a line to inspect the person)."""
    items = model.feed.recent(n)
    if not items:
        body = ("<i>Nothing yet: press Step or Play.</i>" if model.month == 0
                else "<i>No events in this run yet.</i>")
    else:
        lines = []
        for item in items:
            attr = f' data-uid="{item.uid}"' if item.uid is not None else ""
            weight = "600" if item.kind == "summary" else "400"
            focus = ' tabindex="-1"' if item.uid is not None else ""  # reached with the arrow keys (PictureWidget)
            lines.append(f'<div class="promosim-event" role="listitem"{attr}{focus} '
                         f'style="font-weight:{weight};padding:1px 0">'
                         f'<span style="color:#546e7a">{escape(when(item.month))}:</span> {escape(item.text)}</div>')
        body = "".join(lines)
    # A region of text, not a picture: as role="img" a screen reader said "Event feed, image" and
    # none of its sentences, and the lines could only be clicked.
    with card("What happened", classes=["promosim-feed"]):
        PictureWidget.element(
            svg=f'<div role="list" style="max-height:340px;overflow-y:auto;font-size:13px">{body}</div>',
            label=FEED_LABEL, role="region", clickable=True, on_pick=state.selected.set,
        )


# In a narrow inspector (a 1024 px window with the sidebar open gives it 175 px on the organisation
# tab, 224 px in the story) a button's label wraps instead of running out of the card (Vuetify keeps
# it on one line at a fixed height). The person's table of what is true and what is believed needs
# about 250 px in three columns: narrower than 300 px, each question goes on a line of its own above
# its two answers, which keep two equal columns (what is true beside what is believed), at 12 px so
# that their longest words ("(management)", "organisation") fit at 175 px; a word wider than its
# column (a narrower window) breaks rather than pushing the table out. In three columns the believed
# one ran out of the card there, and the room scrolled the table sideways to read it (a
# facilitator's trial at 1024x640).
INSPECTOR_CSS = (
    ".promosim-inspector .v-btn{max-width:100%;height:auto!important;min-height:28px;white-space:normal}"
    ".promosim-inspector .v-btn__content{flex:1 1 auto;max-width:100%;white-space:normal;padding:4px 0}"
    ".promosim-inspector .promosim-person{max-width:100%;overflow-x:auto;container-type:inline-size}"
    ".promosim-beliefs{font-size:13px;margin-top:6px;border-collapse:collapse}"
    ".promosim-beliefs th{text-align:left}"
    ".promosim-beliefs td,.promosim-beliefs th{padding:2px 8px}"
    ".promosim-beliefs td:first-child{padding-left:0;color:#546e7a}"
    "@container (max-width:299px){"
    ".promosim-beliefs{display:block;font-size:12px}"
    ".promosim-beliefs tbody{display:grid;grid-template-columns:1fr 1fr;gap:0 8px}"
    ".promosim-beliefs tr{display:grid;grid-column:1/-1;grid-template-columns:subgrid;margin-top:4px}"
    ".promosim-beliefs td,.promosim-beliefs th{padding:0;overflow-wrap:anywhere}"
    # The questions (and the empty corner above them, of no height, kept for a screen reader's columns).
    ".promosim-beliefs tr>:first-child{grid-column:1/-1}"
    "}"
)


@solara.component
def Inspector(state: AppState, model: WorkshopModel, tick: int) -> None:
    """Pick a person; see their hidden state, their manager's beliefs and their story."""
    run = model.treated
    uid = state.selected.value
    named = {name: u for u, name in run.names.items() if run.employee(u) is not None}

    # With nobody to show (an organisation without a warm-up starts with every manager unsure), the
    # button picked anyone, and the room was shown "someone with hidden ambition" whose manager was
    # unsure: it is off then, and says there is nobody.
    hidden_rows = np.flatnonzero(hidden_ambition(run))

    def pick_hidden() -> None:
        if hidden_rows.size:
            pick = np.random.default_rng([run.seed, run.month, state.selected.value or 0]).choice(hidden_rows)
            state.selected.set(int(run.workforce.uid[pick]))

    with card("Inspector", classes=["promosim-inspector"]):
        solara.Style(INSPECTOR_CSS)
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap", "row-gap": "14px"}):
            if named:
                solara.Select("Named people", values=sorted(named), value=run.names.get(uid or -1),
                              on_value=lambda name: state.selected.set(named.get(name)), dense=True,
                              style={"max-width": "180px"})
            # The button says so in its own place: a line under it pushed the story's inspector table
            # below the fold of a 1280x720 projector.
            solara.Button("Someone with hidden ambition" if hidden_rows.size else "Nobody has hidden ambition now",
                          on_click=pick_hidden, outlined=True, small=True, disabled=hidden_rows.size == 0)
            solara.InputInt("Person #", value=uid, optional=True, dense=True,
                            on_value=state.selected.set, style={"max-width": "110px"})
        if uid is None:
            solara.Text("Click a person in the pyramid or the feed, or use the buttons above.")
            return
        PersonDetails(state, model, uid, tick)


@solara.component
def PersonDetails(state: AppState, model: WorkshopModel, uid: int, tick: int) -> None:
    """The inspector's body for one person."""
    run = model.treated
    agent = run.employee(uid)
    name = run.names.get(uid)
    heading = f"{name} (#{uid})" if name else f"Person #{uid}"
    story = model.feed.story(uid)
    if agent is None and not issued(run, uid):
        solara.HTML(tag="div", unsafe_innerHTML=f"No person #{uid} in this run.")
        return
    if agent is None:
        solara.HTML(tag="div", unsafe_innerHTML=f"<b>{escape(heading)}</b> {gone_text(run, story)}")
        if story:
            StoryList(story)
        return
    hidden, beliefs = agent.hidden_state(), agent.beliefs()
    wf = run.workforce
    row = agent.row
    level_name = run.scenario.organisation.levels[hidden["level"]].name
    wants_track = hidden["direction"]
    ready_true = hidden["management_readiness"] if wants_track == "management" else hidden["specialist_readiness"]
    when_text = "now" if hidden["wants_to_move_in_months"] <= 0 else f"in {hidden['wants_to_move_in_months']} months"
    which_text = wants_track
    if not hidden["aspiring"]:  # a direction and a timing are only leanings until ambition returns
        which_text, when_text = f"would lean {wants_track}, if ever", "not looking to move"
    lean = beliefs["management_direction"]  # a view only from 0.75 either way, as promotions.DIRECTION_KNOWN
    believed_dir = ("management" if lean >= DIRECTION_KNOWN else "specialist" if lean <= 1 - DIRECTION_KNOWN
                    else "no view")
    rows_html = [
        ("Wants to move up?", f"{'yes' if hidden['aspiring'] else 'no'} (ambition {hidden['ambition']:.2f})",
         f"{belief_word(run, beliefs['interest'])} (interest {beliefs['interest']:.2f})"
         + ("; wrote them off after a decline" if beliefs["refused_for_good"] else "")),
        ("Which way?", which_text, f"{believed_dir} ({beliefs['management_direction']:.0%} management)"),
        ("When?", when_text, "knows they want to wait" if beliefs["knows_wants_later"] else "assumes now"),
        ("Ready for the next step?", f"{ready_true:.1f} / 10 ({wants_track})", f"{beliefs['readiness']:.1f} / 10"),
    ]
    manager = agent.manager
    # The model keeps a view of everyone (ODD: it goes on updating as if someone were watching);
    # the column says whose it is when nobody manages them, which the room otherwise asks.
    believer = "What their manager believes"
    if manager is not None:
        manager_name = run.names.get(manager.unique_id) or f"#{manager.unique_id}"
    elif run.org.parent[run.workforce.slot[row]] < 0:
        manager_name = "none (top of the organisation)"
        believer = "What the organisation believes (no manager above them)"
    else:
        manager_name = "none (the post above them is vacant)"
        believer = "What the organisation believes (their manager's post is vacant)"
    table = "".join(f"<tr><td>{escape(q)}</td><td>{escape(t)}</td><td>{escape(b)}</td></tr>" for q, t, b in rows_html)
    traits = (
        f"visibility {hidden['visibility']:.2f} · risk sensitivity {hidden['risk_sensitivity']:.2f} · "
        f"engagement {hidden['engagement']:.2f} · competence {hidden['competence']:.1f} · "
        f"quietly blamed {int(wf.penalties[row])} time{'' if int(wf.penalties[row]) == 1 else 's'} · "
        f"{'hides their ambition' if hidden['masking'] else 'not masking'}"
    )
    # A scenario with one group (Sam and Priya's team: "all") has nothing to say about groups.
    groups = drawing.compares_groups(model.treated.scenario.group_names)
    group_words = f"group {escape(hidden['group'])} · " if groups else ""
    solara.HTML(tag="div", classes=["promosim-person"], unsafe_innerHTML=(
        f"<div style='font:600 15px sans-serif'>{escape(heading)}</div>"
        f"<div style='font-size:12px;color:#546e7a'>{escape(level_name)} · {hidden['track']} track · "
        f"{group_words}{hidden['tenure_months'] // 12} years here · age {hidden['age']:.0f}</div>"
        "<table class='promosim-beliefs'>"
        f"<tr><th></th><th>What is true</th><th>{escape(believer)}</th></tr>"
        f"{table}</table>"
        f"<div style='font-size:12px;margin-top:6px'><b>Hidden traits:</b> {escape(traits)}</div>"
        f"<div style='font-size:12px'><b>Manager:</b> {escape(manager_name)}</div>"
    ))
    if manager is not None:
        solara.Button("Inspect their manager", on_click=lambda: state.selected.set(int(manager.unique_id)),
                      text=True, small=True)
    StoryList(story)


@solara.component
def StoryList(story: list[str]) -> None:
    """A person's history since the run started in the app, newest first."""
    if not story:
        solara.Text("Nothing has happened to them yet in this run.", style={"font-size": "12px"})
        return
    items = "".join(f"<li>{escape(line)}</li>" for line in reversed(story))
    solara.HTML(tag="div", unsafe_innerHTML=(
        "<div style='font:600 13px sans-serif;margin-top:6px'>History</div>"
        f"<ul style='font-size:12px;max-height:180px;overflow-y:auto;margin:0'>{items}</ul>"
    ), classes=["promosim-story"])


@solara.component
def OrganisationView(state: AppState, model: WorkshopModel, tick: int) -> None:
    """The main tab: counters, pyramid, inspector, feed and charts."""
    Counters(model, tick)
    with solara.Columns([7, 5]):
        PyramidCard(state, model, tick)
        with solara.Column():
            Inspector(state, model, tick)
            EventFeed(state, model, tick)
    ChartsCard(model, tick)


# -- side by side -----------------------------------------------------------------------------
def difference(a: float, b: float, better: str | None, is_pct: bool) -> tuple[str, str]:
    """The difference of a with levers against b without, as shown, and its verdict.

    Judged as shown: a difference that displays as zero (0.0 pts, 0.00) is ``same``, not
    better or worse, and one that leaves both equally far from parity (``better="one"``) gets
    no verdict.
    """
    if not (math.isfinite(a) and math.isfinite(b)):
        return "n/a", ""
    scale, digits, unit = (100.0, 1, " pts") if is_pct else (1.0, 2, "")
    # From the values as the table shows them (``shown_value``), so the three columns agree:
    # rounded apart, 12.44% and 12.56% showed as "12% | 13% | -0.1 pts".
    diff = round(round(scale * a, digits) - round(scale * b, digits), digits)
    if diff == 0:
        return f"{0:.{digits}f}{unit}", "same"
    if better is None:  # a share of the top: more women there is not better or worse in itself
        return f"{diff:+.{digits}f}{unit}", ""
    gain = -diff if better == "lower" else diff if better == "higher" else round(
        scale * (abs(b - 1) - abs(a - 1)), digits)
    verdict = "better" if gain > 0 else "worse" if gain < 0 else ""
    return f"{diff:+.{digits}f}{unit}", verdict


def shown_value(value: float, is_pct: bool) -> str:
    """A value in the side-by-side table, at the precision its difference is shown (0.1 pts, 0.01)."""
    if not math.isfinite(value):
        return "n/a"
    return f"{100 * value:.1f}%" if is_pct else num(value, 2)


RECENT_MONTHS = 12


def recent_mean(history: History, key: str, months: int = RECENT_MONTHS) -> float:
    """A metric averaged over the last ``months`` months shown (NaN where none is defined).

    The headline metrics swing with the review and promotion cycle (the misread rate of the
    baseline jumps by ten points every sixth month), so one month's difference can have the other
    sign from the year's: with career conversations, month 120 read +0.2 pts "worse" on all
    mismatches while the last twelve months averaged 4.7 pts better. The engine's own summary
    (``METRIC_INFO``) averages over the last year for the same reason.
    """
    values = [v for v in history.series(key)[-months:] if v is not None and math.isfinite(v)]
    return sum(values) / len(values) if values else math.nan


def table_value(history: History, key: str) -> float:
    """A metric's value in the side-by-side table: the last year's, as the room reads the row.

    The levers' hours (``COSTS``) are already a yearly total over the trailing twelve months, and
    the levers asked at the review book them once a year. Averaged again like the rates, the months
    before the run's first review (zero) pulled them down: career conversations read 0.12 hours
    per person per year at month 12, and 1.46 from month 24, for the same 1.46 hours each year.
    So a cost is its latest trailing-year value; every other metric is :func:`recent_mean`.
    """
    return history.last(key) if key in COSTS else recent_mean(history, key)


def compare_table_html(model: WorkshopModel) -> str:
    """The headline values with and without the levers over the last year (``table_value``), and the difference."""
    rows = []
    groups = model.treated.scenario.group_names
    # Each group's ratio to parity, and the share of the top it is (a room asked "so what share of
    # the top are women?" of the ratio alone).
    entries = [*COMPARE_TABLE, *(entry for g in (groups if drawing.compares_groups(groups) else ())
                                 for entry in ((f"{REPRESENTATION}{g}", f"representation at the top: {g}", False),
                                               (f"{TOP_SHARE}{g}", f"share of the top: {g}", True)))]
    for key, label, is_pct in entries:
        better = metric_info(key).better
        a, b = table_value(model.history, key), table_value(model.control_history, key)
        shown, verdict = difference(a, b, better, is_pct)
        colour = {"better": "#2e7d32", "worse": "#c62828"}.get(verdict, "#546e7a")
        if key in COSTS and verdict in ("better", "worse"):  # lever hours: what the levers take, not a result
            verdict, colour = ("cost" if verdict == "worse" else "saving"), "#546e7a"
        elif better == "one" and verdict in ("better", "worse"):
            # "+0.04 worse" in red for more women at the top read as a judgement on women to a room of
            # HR managers (a facilitator's trial): the ratio is judged on its distance from parity, so say that.
            verdict = "closer to parity" if verdict == "better" else "further from parity"
        rows.append(
            f"<tr><td style='padding:2px 8px 2px 0'>{escape(label)}</td><td style='text-align:right;padding:2px 8px'>"
            f"{shown_value(a, is_pct)}</td><td style='text-align:right;padding:2px 8px'>{shown_value(b, is_pct)}</td>"
            f"<td style='text-align:right;padding:2px 8px;color:{colour}'>{shown} {verdict}</td></tr>"
        )
    recent = recent_months(model)
    heading = f"Average of {recent}" if recent else "No months yet"
    # Said where the figures are: the pyramids above are this month, and the same hidden ambition read
    # 23 % here and 19 % there for one moment (a facilitator's trial), explained only in docs/app.md.
    caption = (f"<caption style='caption-side:top;text-align:left;font-size:12px;color:#546e7a;padding-bottom:4px'>"
               f"Each figure here is the average of {recent}, as one month's figures swing with the reviews; "
               f"the pyramids above show this month only (month {model.month}), so their figures can differ."
               "</caption>") if recent else ""
    return (
        f"<table class='promosim-compare' style='font-size:13px;border-collapse:collapse'>{caption}"
        f"<tr><th style='text-align:left'>{heading}</th>"
        "<th style='padding:2px 8px'>with levers</th>"
        "<th style='padding:2px 8px'>without</th><th style='padding:2px 8px'>difference</th></tr>"
        + "".join(rows) + "</table>" + (compare_note_html() if recent else "")
    )


def recent_months(model: WorkshopModel) -> str | None:
    """Over which months the side-by-side table averages (``recent_mean``), in words; None before month 1."""
    months = min(RECENT_MONTHS, len(model.history.months))
    if not months:
        return None
    return "the last month" if months == 1 else f"the last {months} months"


def this_month_html(model: WorkshopModel) -> str:
    """The line over each side-by-side pyramid: it is this month, where the table below is a yearly average."""
    recent = recent_months(model)
    table = f"; the table below averages {escape(recent)}" if recent else ""
    return (f"<div class='promosim-this-month' style='font-size:13px;color:#546e7a;margin-bottom:4px'>"
            f"<b>This month</b> (month {model.month}){table}.</div>")


def compare_note_html() -> str:
    """The line under the side-by-side table: which rows ``promosim run`` prints with other figures, and why.

    A facilitator who prepared with ``promosim run`` of the same scenario and seed found every row
    of the table in its summary but a few (lever hours by a hundredth): at month 36 of the baseline
    with career conversations, seed 1, attrition read 10.7 % here and 9.8 % there, promotions that
    stick 76.7 % and 84.7 % (docs/app.md). Both are right (the summary counts
    these over the whole run, or the promotions whose window has closed; the table averages the
    charts' trailing-year rates), but a room shown both sets of numbers asks which is wrong.
    """
    labels = {key: label for key, label, _ in COMPARE_TABLE}
    names = [labels[key] for key in TRAILING_RATE_ROWS]
    rows = f"{', '.join(names[:-1])} and {names[-1]}".capitalize()
    return ("<div class='promosim-compare-note' style='font-size:12px;color:#546e7a;max-width:640px;margin-top:6px'>"
            f"{escape(rows)} average the charts' rates over the last year, and lever hours are the last year's; "
            "the summary of 'promosim run' counts these over the whole run (promotions that stick: "
            "those whose window has closed), so it shows other figures for them. The other rows are its figures "
            "for the same scenario, seed and levers run to this month.</div>")


def compare_header_html(model: WorkshopModel) -> str:
    """The line above the two pyramids: what runs on each side, and since when the levers act.

    With a warm-up the levers have acted before month 1, so the two sides differ at the start.
    Without one, levers that act at the managers' reviews wait for the first (month 12 by
    default), and the line says so until then: a facilitator's uploaded team with mentoring
    showed two identical pyramids and "same" on every row for eleven months.
    """
    levers = ", ".join(name.replace("_", " ") for name in model.levers)
    warmup = model.treated.scenario.warmup_months
    html = (f"<b>Same organisation, same seed.</b> Left: with {escape(levers)}. Right: without any lever. "
            f"Both runs are at month {model.month}")
    if warmup:
        return html + (f"; the levers have been on through the {counted(warmup, 'warm-up month')} before month 1, "
                       "so the two already differ at the start.")
    waiting = model.levers_before_first_review()
    if waiting is None:
        return html + "."
    month, names = waiting
    words = [name.replace("_", " ") for name in names]
    named = escape(words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}")
    return html + (f". Until the managers' first review, in month {month}, {named} "
                   f"{'makes' if len(words) == 1 else 'make'} no difference: "
                   f"{'it acts' if len(words) == 1 else 'they act'} at reviews, and this organisation has no "
                   "warm-up before month 1.")


@solara.component
def SideBySide(state: AppState, model: WorkshopModel, tick: int) -> None:
    """The same organisation and seed with and without the chosen levers, in lockstep."""
    if model.control is None:
        pending = state.settings.value  # what the next Reset builds: the advice follows the sidebar
        with card("Side by side"):
            if pending.levers and pending.compare:
                solara.Info("Press Reset: the organisation then runs twice from the same seed, with and without "
                            "the levers you switched on, month by month.")
            elif not pending.levers:
                solara.Info("Switch on at least one lever (in the sidebar), keep 'Side by side' on, and press "
                            "Reset: the organisation then runs twice from the same seed, with and without "
                            "the levers, month by month.")
            else:
                solara.Info("The comparison is switched off: turn 'Side by side' on and press Reset.")
        return
    solara.HTML(tag="div", unsafe_innerHTML=compare_header_html(model))
    with solara.Columns([6, 6]):
        with card("With the levers", classes=["promosim-with"]):
            solara.HTML(tag="div", unsafe_innerHTML=this_month_html(model))
            solara.HTML(tag="div", unsafe_innerHTML=drawing.legend_html(model.treated, model.control))
            Pyramid(model.treated, steps=tick, order=state.order.value, max_width=470,
                    label="With the levers", partner=model.control)
        with card("Without any lever", classes=["promosim-without"]):
            solara.HTML(tag="div", unsafe_innerHTML=this_month_html(model))
            solara.HTML(tag="div", unsafe_innerHTML=drawing.legend_html(model.control, model.treated))
            Pyramid(model.control, steps=tick, order=state.order.value, max_width=470,
                    label="Without any lever", partner=model.treated)
    CompareCharts(model, tick)


@solara.component
def CompareCharts(model: WorkshopModel, tick: int) -> None:
    """The comparison charts and the table of differences over the last year."""
    groups = model.treated.scenario.group_names
    svgs = solara.use_memo(lambda: [compare_chart_svg(spec, model) for spec in shown_charts(COMPARE_CHARTS, groups)],
                           [model, tick])
    with card("With (solid) and without (dashed) the levers", classes=["promosim-compare-charts"]):
        solara.HTML(tag="div", unsafe_innerHTML=chart_grid_html(svgs))
        ChartNote([model.history, model.control_history], tick)
        solara.HTML(tag="div", unsafe_innerHTML=compare_table_html(model))


# -- the guided start -------------------------------------------------------------------------
# The source's worked example as chapters (title, HTML text); see scenarios/sam_and_priya.yaml.
GUIDE: tuple[tuple[str, str], ...] = (
    ("1. Meet the team",
     "A product team has two senior engineers. <b>Sam</b> leads critical projects but wants to stay an "
     "individual contributor and grow as one; he rarely talks about his career. <b>Priya</b> wants to move "
     "into engineering management, asks for it, and is highly visible, but has had no coaching, so her "
     "readiness to manage is low. <b>Alex</b>, an engineer, would like to lead one day but keeps saying he "
     "is <i>not ready</i>. The engineering-manager post is open. Press <i>Load the story</i>, then look at Sam: "
     "what is true, and what his manager believes."),
    ("2. Silence and visibility",
     "Run six months. Each month someone stays quiet, their manager's belief in their interest fades: silence "
     "is read as lack of ambition (the <i>silence as disinterest</i> misread). That hits Sam, who never talks "
     "about his career, and Priya too until she speaks up or applies. Priya's visibility is read as readiness "
     "(<i>visibility as readiness</i>), so she is rated ready though her readiness to manage is low. A "
     "<i>misread</i> line in someone's history marks the month their manager came to believe they are not "
     "interested; asking or applying later restores the belief. Watch their colours in the pyramid and their "
     "rows in the inspector."),
    ("3. The promotion",
     "At the promotion round the manager role goes to whoever looks keen and ready. Check who got it, "
     "how ready they truly were, and the event feed. A promotion on asking rather than evidence is the "
     "source's wrong fit: the team's performance can dip, and the promotion may not stick."),
    ("4. The edge case",
     "Look at Alex. He would like to lead, but he is afraid of being blamed, and his fear outweighs his "
     "ambition: he masks the wish, says he is not ready and seldom takes a visible risk. When one fails it may "
     "be quietly punished, which makes him more afraid (the inspector counts such penalties; in many runs "
     "there is none in three years, because he hardly dares). His silence comes from fear, not from a lack of "
     "ambition: a safety problem that looks like low aspiration. Ambition also drifts month by month, as "
     "everyone's does, so in some runs his falls below wanting a move at all."),
    ("5. Try the levers",
     "Switch on career conversations, parallel ladders and psychological safety (where available) and "
     "watch the same team, same seed, with and without them, side by side. The story starts again at month 0, "
     "with no warm-up, so career conversations, which ask Sam what he wants, wait for the yearly review, in "
     "month 12. Press Run six months twice (or play), then compare how Sam and Alex are read on "
     "each side (their colours, and the inspector). In a team of eight one person is 12 points of any rate, "
     "so the rates can lean either way by chance; for the levers' effect on an organisation, compare them "
     "side by side on the baseline's 1,000 people over a few years."),
)


def guide_chapter(model: WorkshopModel, selected: int | None) -> int:
    """The chapter of :data:`GUIDE` the story has reached (0-based), from what the page shows.

    Levers on: trying them (5); Alex inspected: the edge case (4); a promotion made: the promotion
    (3); months run: silence and visibility (2); otherwise meeting the team (1).
    """
    if model.settings.scenario != GUIDED_SCENARIO:
        return 0
    if model.levers:
        return 4
    if selected is not None and model.treated.names.get(selected) == "Alex":
        return 3
    if model.counters().get("promotions", 0):
        return 2
    return 1 if model.month else 0


def guide_html(current: int) -> str:
    """The chapters as ``<details>``: the current one and the one before it open, the others one title line each.

    All five open made the card taller than a 1280x720 projector, with the story's buttons under
    them: after "Load the story" the room scrolled past every chapter, and the team picture and
    the inspector beside them scrolled away. The one before stays open because "Run six months"
    goes from the first chapter straight to the promotion: silence and visibility, what those
    months showed, would never have been open. A closed chapter opens with a click.
    """
    return "".join(
        f"<details class='promosim-chapter' style='margin-top:8px'{' open' if current - 1 <= i <= current else ''}>"
        f"<summary style='font:600 15px sans-serif;cursor:pointer'>{escape(title)}</summary>"
        f"<div style='font-size:14px'>{text}</div></details>"
        for i, (title, text) in enumerate(GUIDE)
    )


# The story, the team and the inspector side by side where the page is wide enough for three
# columns of 380 px (1280 px with the sidebar closed, the projector); else two, the story beside
# the team and the inspector under the team, as before (a column is then at least 45 % of the
# page, so a 1024 px laptop with the sidebar open keeps them side by side). Two columns put what
# Sam wants and what his manager believes below the fold of a 1280x720 projector even with the
# sidebar closed: "Look at Sam" changed nothing the room could see.
STORY_GRID_STYLE = ("display:grid;grid-template-columns:repeat(auto-fit,minmax(min(380px,45%),1fr));gap:16px;"
                    "align-items:start;width:100%")


@solara.component
def Guide(state: AppState, model: WorkshopModel, tick: int) -> None:
    """The Sam and Priya story as a guided start, with buttons that do each step."""
    available = GUIDED_SCENARIO in shipped_scenarios()
    in_story = model.settings.scenario == GUIDED_SCENARIO

    def loaded() -> None:
        # As a scenario chosen in the sidebar: what an upload's note said is no longer what runs,
        # and a run that was playing is paused (the story loaded while playing paused it silently).
        state.notice.value = PAUSED_NOTE if state.paused else None

    def load() -> None:
        fresh = Settings(seed=state.settings.value.seed).with_scenario(GUIDED_SCENARIO)
        if state.rebuild(dataclasses.replace(fresh, compare=True)):
            state.selected.value = state.model.value.find_named("Sam")
            loaded()

    # Each "Look at" scrolls the inspector into view: on a 1024x640 laptop it was below the fold.
    looked, set_looked = solara.use_state(0)

    def look(name: str) -> None:
        state.selected.value = state.model.value.find_named(name)
        set_looked(lambda n: n + 1)

    def try_levers() -> None:
        registry = load_all()
        settings = state.settings.value
        for name in STORY_LEVERS:
            if name in registry and lever_problem(settings.base(), name) is None:
                settings = settings.set_lever(name, True)
        if state.rebuild(dataclasses.replace(settings, compare=True)):
            state.tab.value = TAB_SIDE_BY_SIDE
            state.tab_focus.value += 1  # this button goes with the guide's tab: focus the one shown now
            loaded()

    with solara.Div(style=STORY_GRID_STYLE, classes=["promosim-story"]):
        with card("Sam and Priya: a guided start", classes=["promosim-guide"], style="grid-row:span 2"):
            if not available:
                solara.Warning(f"The scenario '{GUIDED_SCENARIO}' is not shipped yet.")
                return
            # The buttons first, above the chapters, so that every step's button is on screen.
            with solara.Row(style={"flex-wrap": "wrap"}, classes=["promosim-guide-buttons"]):
                solara.Button("Load the story", on_click=load, color="primary")
                # Off while playing, as Step is: pressed then, it added six months at once to a
                # playing run, and "six months" told the room nothing.
                solara.Button("Run six months", on_click=lambda: state.step(6),
                              disabled=not in_story or state.playing.value or not model.running, outlined=True)
                for who in ("Sam", "Priya", "Alex"):
                    solara.Button(f"Look at {who}", on_click=lambda who=who: look(who), disabled=not in_story,
                                  outlined=True)
                solara.Button("Try the levers", on_click=try_levers, disabled=not in_story, outlined=True)
            solara.HTML(tag="div", unsafe_innerHTML=guide_html(guide_chapter(model, state.selected.value)))
        if in_story:
            with card("The team now", level=3):
                Pyramid(model.treated, steps=tick, highlight=state.selected.value, max_width=470,
                        on_pick=state.selected.set, label="The team")
                solara.Text(f"Team performance this month: "
                            f"{shown_value(model.treated.metric('team_performance'), True)} "
                            f"· {when(model.month) if model.month else 'not started'}")
            Inspector(state, model, tick)
            RevealWidget.element(box=".promosim-story .promosim-inspector", part=".promosim-person",
                                 cover=".promosim-runbar", count=looked)
        else:
            solara.Info("Press 'Load the story' to load the Sam and Priya scenario.")


# -- the whole main area ----------------------------------------------------------------------
@solara.component
def MainView(state: AppState) -> None:
    """Tabs: the organisation, side by side, and the guided start (redrawn after every step)."""
    update_counter.get()
    model = state.model.value
    tick = model.steps
    solara.Style(FOCUS_CSS + HEADING_CSS)
    RunBar(state, model, tick)
    with solara.lab.Tabs(value=state.tab, lazy=True):
        with solara.lab.Tab("Organisation"):
            OrganisationView(state, model, tick)
        with solara.lab.Tab("Side by side"):
            SideBySide(state, model, tick)
        with solara.lab.Tab("Sam and Priya"):
            Guide(state, model, tick)


@solara.component
def Sidebar(state: AppState) -> None:
    """The sidebar's cards."""
    ControlsCard(state)
    ScenarioCard(state)
    LeversCard(state)
    BehaviourCard(state)

