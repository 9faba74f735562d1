"""The event feed in plain language, and each person's story for the inspector.

After every month the new events of the run (``model.events``) are turned into sentences such as
"Year 3, month 5: a specialist at Senior level (#812) declined Manager (management): wants it,
but not now. Their manager now believes they are not interested." The sentence is written at the
end of the event's month, so it says what the manager believes *then*, as the inspector does for
that month; people who left are described by the role they had before the month began.

A busy month in a large organisation becomes its most telling events plus one summary line (shown
first, as the feed lists the newest first); a small team (the Sam and Priya story) gets every
event.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.scenario import TRACKS

if TYPE_CHECKING:
    from sim.model import PromotionModel

FEED_LENGTH = 300
PERSON_STORY_LENGTH = 60
ALL_EVENTS_UP_TO = 10
NOTABLE_PER_MONTH = 6
QUIET_KINDS = frozenset(
    {"offer", "hire", "micro_penalty", "application", "stretch_accept", "stretch_decline", "misread"}
)
COUNTED = {
    "promotion": "promotions",
    "decline": "declines",
    "exit": "left",
    "hire": "hired",
    "passed_over": "passed over",
    "micro_penalty": "quietly blamed",
    "step_back": "stepped back",
    "misread": "newly misread by their manager",
}
_PROMOTED = re.compile(r"^promoted (?P<src>.+?) -> (?P<dst>.+?) \((?P<track>\w+)\)(?P<rest>.*)$")
_DECLINED = re.compile(r"^declined (?P<role>.+?): (?P<why>.+)$")


@dataclass(frozen=True)
class FeedItem:
    """One line of the feed.

    Attributes:
        month: The month it happened.
        text: The sentence (without the date).
        uid: The person it is about, if one.
        kind: The event kind, or ``"summary"``.
    """

    month: int
    text: str
    uid: int | None
    kind: str


def when(month: int, of: float | None = None) -> str:
    """``Year 3, month 5`` for month 29; ``Year 3 of 10, month 5`` with ``of=10``.

    The run's length in years goes beside the year: after the month ("month 5 of 10") it
    read as a count of months.
    """
    total = "" if of is None else f" of {of:g}"
    return f"Year {(month - 1) // 12 + 1}{total}, month {(month - 1) % 12 + 1}"


def belief_word(model: PromotionModel, value: float) -> str:
    """What a believed interest means under the scenario's thresholds.

    One wording for the inspector's column and the feed's sentences, so that both say the same of a month.
    """
    m = model.scenario.metrics
    if value >= m.interested_belief:
        return "believes they want to move up"
    if value <= m.disinterested_belief:
        return "believes they do not"
    return "is unsure"


def article(word: str) -> str:
    """``a`` or ``an`` before a word."""
    return "an" if word[:1].lower() in "aeiou" else "a"


def events_at(model: PromotionModel, month: int) -> list[tuple[int, int, str, str]]:
    """Every event the run logged in ``month`` (oldest first)."""
    n = 256
    while True:
        got = model.events.recent(n)
        if len(got) < n or got[0][0] < month:
            return [e for e in got if e[0] == month]
        n *= 4


class Feed:
    """Turns a run's events into sentences as the months pass.

    Args:
        model: The run to narrate.
    """

    def __init__(self, model: PromotionModel):
        self.model = model
        self.items: deque[FeedItem] = deque(maxlen=FEED_LENGTH)
        self.stories: dict[int, deque[str]] = {}
        self.totals: Counter[str] = Counter()
        self._before: dict[int, tuple[int, int, int]] = {}
        self._now: dict[int, int] = {}
        self._level_names = [lv.name for lv in model.scenario.organisation.levels]

    # -- describing people ---------------------------------------------------------------
    def _snapshot(self) -> dict[int, tuple[int, int, int]]:
        wf = self.model.workforce
        rows = wf.rows
        return dict(zip(wf.uid[rows].tolist(), zip(wf.level[rows].tolist(), wf.track[rows].tolist(),
                                                    wf.group[rows].tolist(), strict=True), strict=True))

    def role(self, level: int, track: int) -> str:
        """``a specialist at Senior level``."""
        names = self._level_names
        noun = "manager" if TRACKS[track] == "management" else "specialist"
        level_name = names[level] if 0 <= level < len(names) else "unknown"
        return f"{article(noun)} {noun} at {level_name} level"

    def row(self, uid: int) -> int:
        """The person's workforce row now, or -1 when they are gone."""
        if uid in self._now:
            return self._now[uid]
        return int(self.model.row_of_uid(np.array([uid]))[0])

    def who(self, uid: int) -> str:
        """A named person's name, else their role (at the start of the month) and number."""
        name = self.model.names.get(uid)
        if name:
            return name
        if uid in self._before:
            place = self._before[uid][:2]
        else:
            row = self.row(uid)
            if row < 0:
                return f"person #{uid}"
            wf = self.model.workforce
            place = (int(wf.level[row]), int(wf.track[row]))
        return f"{self.role(*place)} (#{uid})"

    def belief_note(self, uid: int) -> str:
        """What the manager believes about someone now, when it is the story's point."""
        row = self.row(uid)
        if row < 0:
            return ""
        wf, m = self.model.workforce, self.model.scenario.metrics
        if wf.b_refused[row]:
            return " Their manager now writes them off for good."
        if wf.b_interest[row] <= m.disinterested_belief:
            return " Their manager now believes they are not interested."
        return ""

    def misread(self, uid: int, manager: str) -> str:
        """A manager's misread as it stands at the end of its month, which is what the inspector shows then.

        It is logged when beliefs are updated, early in the month; a career conversation at the
        month's review or an application at its promotion round can set the belief right before the
        month ends. The story said "Alex's manager now believes they are not interested" beside an
        inspector reading "believes they want to move up" for the same month (month 12 of the Sam
        and Priya story with the levers on, where every review asks Alex; a facilitator's trial).
        """
        row = self.row(uid)
        if row < 0:  # left later in the month: no belief to show
            return f"{manager} came to believe they were not interested, though they were."
        wf = self.model.workforce
        interest = float(wf.b_interest[row])
        if interest > self.model.scenario.metrics.disinterested_belief:
            return (f"{manager} came to believe they were not interested, though they were; by the month's end "
                    f"the manager {belief_word(self.model, interest)}.")
        if not wf.aspiring()[row]:  # passed over later in the month, say
            return f"{manager} now believes they are not interested; they wanted to move up until later this month."
        return f"{manager} now believes they are not interested, though they are."

    # -- sentences ----------------------------------------------------------------------
    def sentence(self, uid: int, kind: str, details: str) -> str:
        """One event as a sentence (without the date)."""
        who = self.who(uid)
        if kind == "promotion":
            hit = _PROMOTED.match(details)
            if hit:
                return f"{who} was promoted from {hit['src']} to {hit['dst']}{hit['rest']}."
        elif kind == "decline":
            hit = _DECLINED.match(details)
            if hit:
                return f"{who} declined {hit['role']} ({hit['why']}).{self.belief_note(uid)}"
        elif kind == "passed_over":
            return f"{who} wanted the move, but someone else got it."
        elif kind == "exit":
            verb = {"left": "left the organisation", "retired": "retired", "dismissed": "was dismissed"}
            head, _, tail = details.partition(" ")
            return f"{who} {verb.get(head, head)}{(' ' + tail) if tail else ''}."
        elif kind == "offer" and details.startswith("offered "):
            return f"{who} was offered {details.removeprefix('offered ')}."
        elif kind == "stretch_decline":
            return f"{who} declined a stretch assignment; their manager reads less interest."
        elif kind == "hire":
            return f"{who} joined ({details})."
        manager = f"{who}'s manager" if uid in self.model.names else f"The manager of {who}"
        if kind == "misread":
            return self.misread(uid, manager)
        text = details or kind.replace("_", " ")
        if text.startswith("manager "):
            return f"{manager} {text.removeprefix('manager ')}."
        return f"{who} {text}."

    def _notable(self, uid: int, kind: str, details: str) -> int:
        """Priority of an event for a busy month's feed (higher first; 0 = only counted)."""
        if uid in self.model.names:
            return 5
        if kind == "decline":
            return 4
        if kind == "promotion" and "did not want" in details:
            return 4
        if kind == "exit" and "passed over" in details:
            return 3
        if kind in ("step_back", "promotion"):
            return 2
        if kind == "passed_over":
            return 1
        return 0 if kind in QUIET_KINDS else 1

    # -- the month's work ---------------------------------------------------------------
    def before_step(self) -> None:
        """Remember where everyone is, to describe those who leave during the month."""
        self._before = self._snapshot()

    def after_step(self) -> list[FeedItem]:
        """Narrate the month just simulated; returns its new feed items."""
        month = self.model.month
        wf = self.model.workforce
        rows = wf.rows
        self._now = dict(zip(wf.uid[rows].tolist(), rows.tolist(), strict=True))
        events = events_at(self.model, month)
        counts: Counter[str] = Counter()
        for _, uid, kind, details in events:
            counts[kind] += 1
            if kind == "promotion" and "did not want" in details:
                counts["unwanted"] += 1
            story = self.stories.setdefault(uid, deque(maxlen=PERSON_STORY_LENGTH))
            story.append(f"{when(month)}: {self.sentence(uid, kind, details)}")
        for kind, label in COUNTED.items():
            self.totals[label] += counts.get(kind, 0)
        loud = [e for e in events if e[2] != "offer"]
        if len(loud) <= ALL_EVENTS_UP_TO:
            chosen = loud
        else:
            ranked = sorted(
                (e for e in loud if self._notable(e[1], e[2], e[3]) > 0),
                key=lambda e: -self._notable(e[1], e[2], e[3]),
            )[:NOTABLE_PER_MONTH]
            keep = {id(e) for e in ranked}
            chosen = [e for e in loud if id(e) in keep]
        new = [FeedItem(month, self.sentence(uid, kind, details), uid, kind) for _, uid, kind, details in chosen]
        if len(loud) > ALL_EVENTS_UP_TO:
            new.append(FeedItem(month, self.summary(counts), None, "summary"))
        self.items.extend(new)
        return new

    @staticmethod
    def summary(counts: Counter[str]) -> str:
        """``5 promotions (2 into roles the person did not want), 3 declines, ...``."""
        parts = []
        if counts.get("promotion"):
            unwanted = counts.get("unwanted", 0)
            extra = f" ({unwanted} into roles the person did not want)" if unwanted else ""
            parts.append(f"{counts['promotion']} promotion{'s' if counts['promotion'] != 1 else ''}{extra}")
        for kind, label in COUNTED.items():
            if kind != "promotion" and counts.get(kind):
                parts.append(f"{counts[kind]} {label}")
        return ("This month: " + ", ".join(parts) + ".") if parts else "A quiet month."

    def recent(self, n: int = 40) -> list[FeedItem]:
        """The latest ``n`` feed items, newest first."""
        items = list(self.items)[-n:]
        return items[::-1]

    def story(self, uid: int) -> list[str]:
        """Everything that happened to one person since the run started in the app (oldest first)."""
        return list(self.stories.get(uid, ()))
