"""Mentoring aimed at an under-represented group, to surface latent aspiration.

A share of the target group's members below the top levels get a mentor. Mentors help
mentees voice what they want (the group's suppression of visible ambition is lifted for them),
raise their visibility a little, build readiness, and speak up for aspiring mentees to their
managers (sponsorship).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import numpy as np
from pydantic import Field

from sim.compiled import jit
from sim.interventions import Intervention, Params, register

if TYPE_CHECKING:
    from sim.model import PromotionModel
    from sim.scenario import Scenario


class MentoringParams(Params):
    """Parameters of targeted mentoring."""

    group: Annotated[
        str | list[Annotated[str, Field(min_length=1)]],
        Field(min_length=1, description="name of the group the programme targets, or a list of groups "
                                        "(women_office and women_remote where groups split gender by place)"),
    ] = "women"
    coverage: Annotated[float, Field(ge=0, le=1, description="share of the group below the top levels mentored")] = 0.3
    sponsorship_rate: Annotated[
        float, Field(ge=0, le=1, description="monthly chance a mentor speaks up for an aspiring mentee")
    ] = 0.1
    visibility_gain: Annotated[float, Field(ge=0, le=0.5, description="visibility added to a mentee")] = 0.1
    readiness_gain_per_year: Annotated[float, Field(ge=0, le=5, description="readiness points per year")] = 0.3
    hours_per_mentee_month: Annotated[float, Field(ge=0, le=40, description="mentor + mentee hours per month")] = 3.0


def target_groups(params: MentoringParams) -> list[str]:
    """The groups the programme targets, one or several (``group: [women_office, women_remote]``).

    Where a scenario's groups cross gender with place or role, "mentoring for women" targets
    several of them (an org-design trial's groups could not all be mentored at once).
    """
    return [params.group] if isinstance(params.group, str) else list(params.group)


@register
class Mentoring(Intervention):
    """Mentors for an under-represented group."""

    name = "mentoring"
    description = "mentors for an under-represented group surface latent aspiration and sponsor it"
    why = ("A share of the target group below the key levels get a mentor: mentees voice their ambition without the "
           "group's suppression, mentors speak up for aspiring mentees, and mentees gain a little visibility and "
           "readiness, so the group's representation at the top rises, toward parity where it is under-represented, "
           "and misreads fall. Known side effects: the ratio's move is clearer than its distance from parity, which "
           "is at the noise floor (the mentored group can overshoot parity); lever time is mentor and mentee hours "
           "every month, at the defaults the most of any single lever.")
    Params = MentoringParams
    phases = ("reviews", "signals", "learning")
    waits_for = ("reviews",)  # mentees are enrolled at reviews; the monthly hooks act on them

    @classmethod
    def describe(cls, params: Params) -> str:
        """Names the group: an HR user's VP read "an under-represented group" and could not tell it meant women."""
        named = target_groups(params)
        shown = named[0] if len(named) == 1 else ", ".join(named[:-1]) + f" and {named[-1]}"
        return f"mentors for an under-represented group, here {shown}, surface latent aspiration and sponsor it"

    @classmethod
    def check(cls, scenario: Scenario, params: Params) -> None:
        """The target group must exist, and some level must lie below the key levels.

        Mentees are enrolled below the top ``metrics.key_levels`` levels. In a flat organisation
        (two levels, with the default of 2) that is nobody: the lever would cost nothing and
        change nothing, and a comparison would report that as its effect.
        """
        named = target_groups(params)
        twice = next((g for k, g in enumerate(named) if g in named[:k]), None)
        if twice is not None:
            raise ValueError(f"group '{twice}' is listed twice; list each group once")
        for group in named:
            if group in scenario.group_names:
                continue
            from sim.scenario import closest  # noqa: PLC0415 (the scenario module loads the levers)

            unset = "group" not in params.model_fields_set
            # Group names are matched exactly; "Women" for "women" is the likeliest slip.
            same = [g for g in scenario.group_names if g.casefold() == group.casefold()]
            close = same[0] if same else closest(group, scenario.group_names)
            raise ValueError(
                f"group '{group}' does not exist"
                + (f" (did you mean '{close}'?)" if close and not unset else "")
                + f"; groups: {', '.join(scenario.group_names)}"
                + (f" ('{group}' is the lever's default: give group: one of these, or a list of them)"
                   if unset else "")
            )
        key, n = scenario.metrics.key_levels, scenario.n_levels
        if key >= n:
            raise ValueError(
                f"mentors people below the top metrics.key_levels ({key}) levels, but the organisation has "
                f"{n} levels, so nobody could be mentored; set metrics.key_levels to at most {n - 1}"
            )

    def setup(self, model: PromotionModel) -> None:
        """No mentees until the first review."""
        names = model.scenario.group_names
        self.codes = np.array([names.index(g) for g in target_groups(self.params)], dtype=model.workforce.group.dtype)
        self.mentee_uid = np.full(model.workforce.capacity, -1, dtype=np.int64)
        # The rows enrolled so far (ascending), less those found to have left: mentees are a
        # few per cent of the rows, and this saves a scan of every row twice a month.
        self.mentee_rows = np.empty(0, dtype=np.int64)

    def mentees(self, model: PromotionModel) -> np.ndarray:
        """Rows currently in the programme (ascending).

        Only a review enrols anyone, and a uid is never used again once its holder has left
        (the row gets a new one), so a row that drops out stays out: the remembered rows are
        narrowed to those still in rather than looked for again among all rows.
        """
        wf = model.workforce
        rows = self.mentee_rows
        self.mentee_rows = rows[wf.active[rows] & (self.mentee_uid[rows] == wf.uid[rows])]
        return self.mentee_rows

    def on_reviews(self, model: PromotionModel, rng: np.random.Generator) -> None:
        """Enrol new mentees up to the coverage (new hires and those not yet in)."""
        wf, sc = model.workforce, model.scenario
        eligible = wf.active & np.isin(wf.group, self.codes) & (wf.level < sc.n_levels - sc.metrics.key_levels)
        enrolled = eligible & (self.mentee_uid == wf.uid)
        wanted = round(float(eligible.sum()) * self.params.coverage) - int(enrolled.sum())
        pool = np.flatnonzero(eligible & ~enrolled)
        if wanted > 0 and pool.size:
            new = rng.choice(pool, size=min(wanted, pool.size), replace=False)
            self.mentee_uid[new] = wf.uid[new]
            self.mentee_rows = np.union1d(self.mentees(model), new)
            wf.visibility[new] = np.minimum(wf.visibility[new] + self.params.visibility_gain, 1.0)
            model.events.add(model.month, wf.uid[new], "mentoring", "was matched with a mentor")

    def on_signals(self, model: PromotionModel, rng: np.random.Generator) -> None:
        """Mentees voice without the group's suppression; mentors sponsor aspiring mentees."""
        wf, sc = model.workforce, model.scenario
        rows = self.mentees(model)
        if rows.size == 0:
            return
        self.charge(model, rows.size * self.params.hours_per_mentee_month)
        _voice_rows(
            rows, rng.random(rows.size), wf.ambition, wf.masking, wf.voiced, wf.visibility, wf.last_voice, wf.wait,
            wf.b_later, sc.behaviour.voice_rate, wf.group, model.group_suppression, self.params.sponsorship_rate,
            model.month,
        )

    def on_learning(self, model: PromotionModel, rng: np.random.Generator) -> None:
        """Mentees build readiness toward the direction they want."""
        wf = model.workforce
        rows = self.mentees(model)
        _grow_readiness(rows, wf.wants_mgmt, wf.mgmt_ready, wf.spec_ready, self.params.readiness_gain_per_year / 12.0)


# The two monthly updates touch only the mentees' rows, scattered among all rows; one compiled
# loop over them reads each column once instead of gathering and scattering it per operator.
@jit
def _voice_rows(
    rows, draw, ambition, masking, voiced, visibility, last_voice, wait, b_later, voice_rate, group, suppression,
    sponsorship, month,
) -> None:
    """``on_signals`` for each mentee row: ``draw[n]`` decides for ``rows[n]``.

    The mentee's own extra voice is the core voice's (halved for someone who wants to move only
    later, ODD 7.3) that their group's suppression took away, and it says the timing as the core
    voice does, so the manager learns "later".
    """
    for n in range(rows.size):
        i = rows[n]
        willing = (ambition[i] >= 0.5) & (not masking[i]) & (not voiced[i])
        own = voice_rate * (0.25 + 0.75 * visibility[i]) * suppression[group[i]] * (1.0 - 0.5 * (wait[i] > 0))
        if willing & (draw[n] < own + sponsorship):
            voiced[i] = True
            last_voice[i] = month
            b_later[i] = wait[i] > 0


@jit
def _grow_readiness(rows, wants_mgmt, mgmt_ready, spec_ready, gain) -> None:
    """``on_learning`` for each mentee row: readiness grows toward the direction they want, up to 10."""
    for i in rows:
        if wants_mgmt[i]:
            mgmt_ready[i] = min(mgmt_ready[i] + gain, 10.0)
        else:
            spec_ready[i] = min(spec_ready[i] + gain, 10.0)
