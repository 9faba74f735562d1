"""Filling a model's positions from a headcount file.

``PromotionModel._populate`` calls :func:`populate_from_file` when the scenario names a source.
People are placed in file order into the slots of their (level, track); each person's slot
reports to their manager's slot; everyone is first drawn as a drawn organisation's people are
(``draw_people``) and then given what the file says and what it implies (``infer``). What was
read and inferred is kept on the model as ``model.orgdata`` (an :class:`OrgReport`).
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.errors import InputError
from sim.interventions import Intervention
from sim.orgdata import infer
from sim.orgdata.loader import CapacityError, OrgTable, TrackError, load_org
from sim.random import key_from
from sim.scenario import TRACKS
from sim.wording import counted
from sim.workforce import draw_people

if TYPE_CHECKING:
    from sim.model import PromotionModel

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OrgReport:
    """What a model's starting organisation took from its file.

    Attributes:
        table: The validated file (fields read and inferred, reporting-line counts).
        uids: Each file person's agent ``unique_id``, in file order (to join results to ids).
        informed_aspiration: People whose aspiration was conditioned on an honest answer.
        named: Named people (``people:``) placed into the remaining vacancies.
        at_retirement: File people at the retirement age or over at the start, who retire in the
            first month: (all of them, those whose age was drawn from a tenure with no age given).
        retirement_age: The scenario's ``exits.retirement_age``, for the note.
    """

    table: OrgTable
    uids: np.ndarray
    informed_aspiration: int
    named: int
    at_retirement: tuple[int, int] = (0, 0)
    retirement_age: float = 65.0

    def summary_line(self) -> str:
        """One line for logs and the command line, with the people who retire at once (``retirement_note``)."""
        note = self.retirement_note()
        return self.table.summary_line() + (f"; {note}" if note else "")

    def retirement_note(self) -> str:
        """Who retires in the first month, and why, or "".

        Without an age column, an age is drawn that allows the tenure (joining at 21 at the
        earliest), so a tenure over ``retirement_age - 21.5`` years (a typo of 600 for 60 months)
        made a person retire in the first month without a word (a review).
        """
        total, from_tenure = self.at_retirement
        if not total:
            return ""
        age = f"{self.retirement_age:g}"
        why = (f" ({from_tenure} of them by an age drawn from a tenure over {self.retirement_age - 21.5:g} years, "
               "with no age given: give their age or birth date, or check the tenure column)") if from_tenure else ""
        are, retire = ("is", "retires") if total == 1 else ("are", "retire")
        return (f"{counted(total, 'person', 'people')} {are} at the retirement age ({age}, exits.retirement_age) or "
                f"over at the start and {retire} in the first month{why}")


def assign_slots(table: OrgTable, ranges: dict[tuple[int, int], tuple[int, int]]) -> np.ndarray:
    """Each person's slot: the k-th person of a (level, track) in file order takes its k-th slot.

    The loader has already checked that no (level, track) holds more people than positions.
    """
    code = table.level.astype(np.int64) * len(TRACKS) + table.track
    order = np.argsort(code, kind="stable")
    sorted_code = code[order]
    first = np.searchsorted(sorted_code, sorted_code, side="left")
    rank = np.arange(code.size) - first
    n_codes = int(code.max()) + 1 if code.size else 0
    start = np.array([ranges.get(divmod(c, len(TRACKS)), (0, 0))[0] for c in range(n_codes)], dtype=np.int64)
    slots = np.empty(code.size, dtype=np.int64)
    slots[order] = start[sorted_code] + rank
    return slots


def populate_from_file(model: PromotionModel, rng: np.random.Generator) -> None:
    """Fill the model's organisation from ``scenario.organisation.source``.

    ``organisation.initial_fill`` and ``start_filled`` do not apply: the file says who is
    there, and positions beyond the file's people start vacant (hiring fills them). Named
    people (``people:``) then take vacant slots of their level and track.

    Raises:
        InputError: A bad file (see docs/orgdata.md), or no vacancy left for a named person.
    """
    sc, org, wf = model.scenario, model.org, model.workforce
    source = sc.organisation.source
    assert source is not None
    try:
        table = load_org(sc)
    except (CapacityError, TrackError) as exc:
        raise _with_lever_hint(exc, model) from None
    slots = assign_slots(table, org.ranges)
    has = table.manager >= 0
    org.parent[slots[has]] = slots[table.manager[has]]

    rows = wf.free_rows(table.n)
    draw_people(wf, rows, sc, key_from(rng), hiring=False)
    informed = _apply(model, rows, table, model.stream("initialise.orgdata"))
    model.place(rows, slots)
    named = _place_named(model, rng)
    retiring = wf.age[rows] >= sc.exits.retirement_age
    drawn = retiring & ~np.isfinite(table.age) & np.isfinite(table.tenure)
    model.orgdata = OrgReport(table=table, uids=wf.uid[rows].copy(), informed_aspiration=informed, named=named,
                              at_retirement=(int(retiring.sum()), int(drawn.sum())),
                              retirement_age=sc.exits.retirement_age)
    log.info(model.orgdata.summary_line())


def _with_lever_hint(exc: CapacityError | TrackError, model: PromotionModel) -> InputError:
    """Name the levers that reshaped the positions, since the scenario file alone looks right.

    Only where a smaller setting of one would make room (``Intervention.room_for``): a file with more
    people at a level than the scenario gives it, lever or not, was blamed on the lever ("convert a
    smaller share") when no share would do.
    """
    movers = [lv.name for lv in model.interventions
              if type(lv).adjust_scenario is not Intervention.adjust_scenario]
    if not movers:
        return exc
    if isinstance(exc, TrackError):  # the file was fine for the scenario: the lever made a second track
        return InputError(f"{exc.detail}; {', '.join(movers)} made the second track there, so map the file's "
                          "track column or leave the lever off", source=exc.source, path=exc.path)
    # The file's people, and the named people seated after them in the same positions.
    held = Counter({(level, TRACKS[track]): int(n) for (level, track), n in np.ndenumerate(exc.held)}
                   if exc.held is not None else {}) + model.scenario.named_positions()
    fits = "; ".join(fit for lever in model.interventions if (fit := lever.room_for(held)))
    if not fits:  # no smaller setting of a lever would make room: the file does not fit the scenario's own positions
        return exc
    return InputError(f"{exc.detail}, after {', '.join(movers)} changed the positions; a lever that converts "
                      "positions at the start cannot convert positions the file's people hold: give that level "
                      f"more positions in the scenario, or convert a smaller share: {fits}", source=exc.source,
                      path=exc.path)


def _apply(model: PromotionModel, rows: np.ndarray, table: OrgTable, rng: np.random.Generator) -> int:
    """Overwrite drawn traits with the file's values and with draws conditional on them.

    Returns:
        How many people's aspiration was conditioned on an (honest) stated intent.
    """
    sc, wf = model.scenario, model.workforce
    emp = sc.employees
    source = sc.organisation.source
    assert source is not None

    # Group: the file's where given (visibility redrawn with that group's shift); else the draw.
    known = table.group >= 0
    wf.group[rows[known]] = table.group[known]
    shift = np.array([g.visibility_shift for g in sc.groups])[table.group[known]]
    base = rng.beta(emp.visibility.a, emp.visibility.b, table.n)[known]
    wf.visibility[rows[known]] = np.clip(base + shift, 0.0, 1.0)
    group = wf.group[rows].astype(np.int64)

    asp = infer.aspiration(table.intent, group, sc, source.survey_honesty, rng)
    wf.ambition[rows] = asp.ambition
    wf.wants_mgmt[rows] = asp.wants_mgmt
    wf.wait[rows] = asp.wait

    rated = np.isfinite(table.performance)
    comp = infer.competence_from_rating(table.performance[rated], group[rated], sc, rng)
    wf.competence[rows[rated]] = comp.competence
    wf.b_ready[rows] = wf.competence[rows]
    wf.b_ready[rows[rated]] = comp.rating

    age = wf.age[rows].copy()
    tenure = wf.tenure[rows].astype(float)
    has_age, has_tenure = np.isfinite(table.age), np.isfinite(table.tenure)
    age[has_age] = table.age[has_age]
    tenure[has_tenure] = table.tenure[has_tenure]
    only_tenure = has_tenure & ~has_age
    age[only_tenure] = infer.age_given_tenure(table.tenure[only_tenure], sc, rng)
    only_age = has_age & ~has_tenure
    tenure[only_age] = infer.tenure_given_age(table.age[only_age], rng)
    wf.age[rows] = age
    wf.tenure[rows] = np.round(tenure).astype(np.int32)
    wf.time_in_role[rows] = (rng.random(table.n) * np.minimum(wf.tenure[rows], 60)).astype(np.int32)
    return int(asp.informed.sum())


def _place_named(model: PromotionModel, rng: np.random.Generator) -> int:
    """Put the scenario's named people into vacant slots of their level and track."""
    sc, org, wf = model.scenario, model.org, model.workforce
    for i, person in enumerate(sc.people):
        li, ti = sc.level_index(person.level), TRACKS.index(person.track)
        free = org.vacancies(li, ti)
        if free.size == 0:
            raise InputError(
                f"no vacant {person.track} position at level '{sc.organisation.levels[li].name}' is left after "
                "the file's people; add positions or remove the person",
                source=sc.name, path=f"people[{i}]",
            )
        row = wf.free_rows(1)
        draw_people(wf, row, sc, key_from(rng), hiring=False)
        model.place(row, free[:1])
        model._pin(int(row[0]), person)  # the model's own way to set stated traits
    return len(sc.people)
