"""Explicit career conversations at each annual review.

Every review includes a direct question about promotion interest, timing and role type
(leadership vs. specialist). People answer as honestly as the culture's safety allows (see
``sim.managers.career_conversation``), so the lever changes what managers come to believe; it
does not touch any metric. Knowing each person's direction, managers stop treating ambition as
a wish to manage when both tracks exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import numpy as np
from pydantic import Field

from sim.interventions import Intervention, Params, register
from sim.managers import career_conversation

if TYPE_CHECKING:
    from sim.model import PromotionModel


class CareerConversationParams(Params):
    """Parameters of career conversations."""

    coverage: Annotated[float, Field(ge=0, le=1, description="share of employees asked each review")] = 1.0
    hours_per_conversation: Annotated[
        float, Field(ge=0, le=40, description="hours (manager + employee) per conversation")
    ] = 1.5


@register
class CareerConversations(Intervention):
    """Ask everyone, at every review, whether, when and which way they want to move."""

    name = "career_conversations"
    description = "a direct question about promotion interest, timing and role type at every review"
    why = ("Managers hear each person's interest, timing and direction, as candidly as the climate allows, so the "
           "misread rate and hidden ambition fall, and where both tracks have roles people are considered for "
           "openings on the track they named. Known side effects: where no specialist ladder leads up, surfaced "
           "specialists are offered management, so unwanted and wrong-fit promotions rise and team performance "
           "dips; the plateaued share rises as stuck aspirants move out of hidden ambition; where managers write "
           "off silence slowly, the polite \"not ready yet\" can raise misreads instead; lever time is the hours "
           "of each conversation.")
    Params = CareerConversationParams
    phases = ("reviews",)
    # Direction counts only for those asked in a conversation, held at reviews.
    waits_for = ("reviews",)

    def setup(self, model: PromotionModel) -> None:
        """Managers who ask about direction take it into account when filling openings."""
        model.consider_direction = True

    def before_reviews(self, model: PromotionModel, rng: np.random.Generator) -> None:
        """Hold the conversations at the start of the review, before the year's development is handed out.

        What a manager hears in the review is what they hand out development on. Held after the
        allocation (until session 12), the conversations revealed aspirants who then competed in
        that month's round without development, while some just-developed people gave the polite
        answer and were dropped: development_roi fell by about 0.08 in the baseline, a measure
        of the timing rather than of the lever (docs/interventions.md).
        """
        rows = model.workforce.rows
        asked = rows[rng.random(model.workforce.capacity)[rows] < self.params.coverage]
        career_conversation(model, asked, rng)
        self.charge(model, asked.size * self.params.hours_per_conversation)
