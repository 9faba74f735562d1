"""The organisation's structure: levels, tracks, positions, teams and vacancies.

Positions ("slots") are fixed for a run; people move between them. Teams are defined by
positions, not people: every slot reports to a management slot on the nearest level above that
has management positions, so when a manager leaves, the team stays and waits for the next
occupant (who starts without the old manager's beliefs). A slot with no occupant is a vacancy.
"""

from __future__ import annotations

import itertools

import numpy as np

from sim.compiled import jit
from sim.scenario import TRACKS, Scenario
from sim.workforce import group_tables, trait_table

VACANT = -1


class Org:
    """Slots of a scenario's pyramid, ordered by level then track.

    Attributes:
        level: Level of each slot (0 is the bottom).
        track: Track code of each slot (0 specialist, 1 management).
        parent: The management slot each slot reports to, or -1 at the top.
        occupant: Workforce row holding each slot, or -1 when vacant.
    """

    def __init__(self, scenario: Scenario):
        levels, tracks = [], []
        self.ranges: dict[tuple[int, int], tuple[int, int]] = {}
        for li, lv in enumerate(scenario.organisation.levels):
            for ti, name in enumerate(TRACKS):
                n = lv.positions.get(name, 0)
                start = len(levels)
                levels.extend([li] * n)
                tracks.extend([ti] * n)
                self.ranges[(li, ti)] = (start, start + n)
        self.n_levels = scenario.n_levels
        self.level = np.asarray(levels, dtype=np.int16)
        self.track = np.asarray(tracks, dtype=np.int8)
        self.n_slots = len(levels)
        self.occupant = np.full(self.n_slots, VACANT, dtype=np.int64)
        self.parent = self._assign_teams()
        self._heads: np.ndarray | None = None
        self._lead_uid: np.ndarray | None = None
        key_from = max(0, self.n_levels - scenario.metrics.key_levels)
        self.is_key = self.level >= key_from
        self.path_ok = self._paths()
        # ``alternative_at[level, track]``: whether the track is a real alternative at the level, at
        # least ``promotion.other_track_min_share`` of its positions. An offer off someone's path
        # is easier to decline there (7.8.4); one token post of a 71 is not a ladder to wait for.
        self.alternative_at = self._alternatives(scenario.promotion.other_track_min_share)
        self.step_up_ok = self._steps_up()
        self.succession_quota = self._succession_quota()
        # Each (level, track)'s slot range as [start, stop), for compiled loops over positions.
        self.bounds = np.zeros((self.n_levels, 2, 2), dtype=np.int64)
        for (level, track), (start, stop) in self.ranges.items():
            self.bounds[level, track] = start, stop
        # ``next_rung_is_management`` for every (level, believed track) cell, flattened by
        # ``level * 2 + believed_mgmt``, for the compiled beliefs loop (positions never change).
        levels = np.repeat(np.arange(self.n_levels), 2)
        self.judged_on_mgmt = self.next_rung_is_management(levels, np.tile([False, True], self.n_levels))
        # What the monthly measurement reads of the structure, worked out once: the key positions
        # (succession_coverage's denominator) and, for the compiled per-row pass, ``step_up_ok``
        # and "this pool names successors" as the bits of one integer each (None when an
        # organisation has too many levels for 64 bits; the measurement then goes by numpy).
        self.n_key_successors = int(self.succession_quota.sum())
        fits = self.step_up_ok.size <= 64
        self.step_up_bits = as_bits(self.step_up_ok.ravel()) if fits else None
        self.pool_bits = as_bits(self.succession_quota > 0) if fits else None
        # What monthly hiring reads of the scenario: the groups' and traits' draw tables (``draw_people``)
        # and the hire events' details, "hired as <level>", coded by level in the smallest integer type.
        self.hire_groups = group_tables(scenario.groups, hiring=True)
        self.hire_traits = trait_table(scenario, hiring=True)
        self.hire_labels = tuple(f"hired as {lv.name}" for lv in scenario.organisation.levels)
        self.hire_codes = self.level.astype(np.min_scalar_type(max(len(self.hire_labels) - 1, 0)))

    def _alternatives(self, min_share: float) -> np.ndarray:
        """``alternative_at``: per level and track, whether the track holds at least ``min_share`` of the positions."""
        counts = np.array([[self.count(level, track) for track in (0, 1)] for level in range(self.n_levels)])
        return (counts > 0) & (counts >= min_share * counts.sum(axis=1, keepdims=True))

    def _paths(self) -> np.ndarray:
        """Which roles lie on whose path: ``path_ok[level, wants_mgmt, track]``.

        Their own track where it exists at that level; where it does not exist yet but does
        higher up, the rungs that exist are stepping stones.
        """
        ok = np.zeros((self.n_levels, 2, 2), dtype=bool)
        for level in range(self.n_levels):
            for wants in (0, 1):
                if self.track_exists(level, wants):
                    ok[level, wants, wants] = True
                elif any(self.track_exists(m, wants) for m in range(level + 1, self.n_levels)):
                    for track in (0, 1):
                        ok[level, wants, track] = self.track_exists(level, track)
        return ok

    def _steps_up(self) -> np.ndarray:
        """Whether any role one level up lies on someone's path: ``step_up_ok[level, wants_mgmt]``.

        ``path_ok`` folded over the tracks of the next level, so that a per-person question
        ("is there a next rung for me?") is one table lookup instead of a pass per track. The top
        level has no next rung; it is also the row that index -1 (an empty row's level) reads.
        """
        ok = np.zeros((self.n_levels, 2), dtype=bool)
        for level in range(self.n_levels - 1):
            for track in (0, 1):
                if self.track_exists(level + 1, track):
                    ok[level] |= self.path_ok[level + 1, :, track]
        return ok

    def _succession_quota(self) -> np.ndarray:
        """How many successors a succession plan names from each pool of people.

        ``succession_quota[level * 2 + track]`` is the number of key positions on ``track`` one
        level above ``level`` (0 where that role is not key or has no positions), so that each
        person's pool (their level and believed direction) reads its quota in one lookup.
        """
        quota = np.zeros(2 * self.n_levels, dtype=np.int64)
        for level in range(1, self.n_levels):
            for track in (0, 1):
                if self.track_exists(level, track) and self.is_key[self.ranges[(level, track)][0]]:
                    quota[(level - 1) * 2 + track] = self.count(level, track)
        return quota

    def next_rung_is_management(self, level: np.ndarray, believed_mgmt: np.ndarray) -> np.ndarray:
        """The track of the role one level up that someone would be judged for.

        Where only one track exists one level up, that one; where both do, the direction the
        manager believes the person wants. The top level has no next rung: its own tracks are
        read the same way (ODD 7.5.4).
        """
        nxt = np.minimum(np.asarray(level) + 1, self.n_levels - 1)
        has = np.array([[self.track_exists(lv, t) for t in (0, 1)] for lv in range(self.n_levels)], dtype=bool)
        has_s, has_m = has[nxt, 0], has[nxt, 1]
        return np.where(has_m & has_s, np.asarray(believed_mgmt, dtype=bool), has_m)

    def wanted_move(self, level: np.ndarray | int, wants_mgmt: np.ndarray, track: np.ndarray | int) -> np.ndarray:
        """Whether a role at (level, track) lies on the path of someone wanting that direction.

        Usually asked for one (level, track) over a whole column of ``wants_mgmt``: then the
        answer is a constant or the column itself (or its negation), with no gather.
        """
        wants = np.asarray(wants_mgmt, dtype=bool)
        if np.ndim(level) == 0 and np.ndim(track) == 0:
            if_not, if_wants = self.path_ok[int(level), :, int(track)]
            if if_not == if_wants:
                return np.full(wants.shape, bool(if_wants))
            return wants.copy() if if_wants else ~wants
        return self.path_ok[level, wants.view(np.int8), track]

    def _assign_teams(self) -> np.ndarray:
        """Round-robin every slot to the management slots of the nearest level above."""
        parent = np.full(self.n_slots, VACANT, dtype=np.int64)
        for li in range(self.n_levels):
            above = next(
                (m for m in range(li + 1, self.n_levels) if self.count(m, 1) > 0), None
            )
            if above is None:
                continue
            bosses = np.arange(*self.ranges[(above, 1)])
            mine = np.flatnonzero(self.level == li)
            parent[mine] = bosses[np.arange(mine.size) % bosses.size]
        return parent

    def heads(self) -> np.ndarray:
        """The positions that lead a team (some slot reports to them), ascending.

        Teams are fixed once people are placed (an organisation file sets ``parent`` before),
        so this is worked out on first use and kept.
        """
        if self._heads is None:
            self._heads = np.unique(self.parent[self.parent >= 0])
        return self._heads

    def lead_uids(self, uid: np.ndarray) -> np.ndarray:
        """Who leads each team now: by position, its occupant's uid if it heads a team, else -1.

        Indexed by a report's ``boss_slot``, this answers "who is my manager" with one lookup
        instead of two chained ones (position -> row -> uid); the chained lookups, scattered
        over two 100k-entry columns, took a fifth of the monthly beliefs pass at 100k people.
        The extra last entry (-1) serves index -1, no manager. The array is reused: call again
        after anyone moves.

        Args:
            uid: The workforce's ``uid`` column (rows as in ``occupant``).
        """
        if self._lead_uid is None:
            self._lead_uid = np.full(self.n_slots + 1, -1, dtype=np.int64)
        _fill_lead_uids(self.heads(), self.occupant, uid, self._lead_uid)
        return self._lead_uid

    def count(self, level: int, track: int) -> int:
        """Number of positions at a level on a track."""
        start, stop = self.ranges.get((level, track), (0, 0))
        return stop - start

    def slots(self, level: int, track: int) -> np.ndarray:
        """Slot indices at a level on a track."""
        return np.arange(*self.ranges.get((level, track), (0, 0)))

    def vacancies(self, level: int, track: int) -> np.ndarray:
        """Vacant slots at a level on a track."""
        start, stop = self.ranges.get((level, track), (0, 0))
        return np.flatnonzero(self.occupant[start:stop] == VACANT) + start

    def all_vacancies(self) -> np.ndarray:
        """Every vacant slot."""
        return np.flatnonzero(self.occupant == VACANT)

    def track_exists(self, level: int, track: int) -> bool:
        """Whether a level has any position on a track."""
        return self.count(level, track) > 0


def ladder_gaps(scenario: Scenario) -> list[str]:
    """Levels where a track stops and resumes higher up, said as the model reads them.

    An org-design trial wrote a specialist rung as a level of its own between two management
    levels ({name: Principal, positions: {specialist: 10}} between Staff and Director), and the file
    validated without a word: managers there step up through Principal's specialist posts
    (stepping stones, docs/ODD.md 2.3), which may be what was meant or a ladder drawn wrongly.

    Returns:
        One phrase per gap, e.g. "no management posts at Principal, between Staff and Director:
        people who want to manage step up through the specialist posts there (stepping stones); ...".
    """
    levels = scenario.organisation.levels
    has = [[lv.positions.get(track, 0) > 0 for lv in levels] for track in TRACKS]
    wants = {"management": "want to manage", "specialist": "want to advance as specialists"}
    gaps = []
    for ti, track in enumerate(TRACKS):
        at = [i for i, here in enumerate(has[ti]) if here]
        for low, high in itertools.pairwise(at):
            if high - low < 2:
                continue
            missing = [levels[i].name for i in range(low + 1, high)]
            names = " and ".join([", ".join(missing[:-1]), missing[-1]] if len(missing) > 1 else missing)
            other = TRACKS[1 - ti]
            rungs = (f"{names} is a {other} rung beside a {track} level, put its positions on that level"
                     if len(missing) == 1 else
                     f"{names} are {other} rungs beside {track} levels, put their positions on those levels")
            gaps.append(f"no {track} posts at {names}, between {levels[low].name} and {levels[high].name}: people "
                        f"who {wants[track]} step up through the {other} posts there (stepping stones); if {rungs}")
    return gaps


@jit
def _fill_lead_uids(heads, occupant, uid, lead_uid) -> None:
    for h in heads:
        row = occupant[h]
        lead_uid[h] = uid[row] if row >= 0 else -1


def as_bits(flags: np.ndarray) -> int:
    """A boolean table of at most 64 entries as the bits of a signed 64-bit integer.

    Compiled per-row loops read such a table with a shift rather than a gather, which keeps them
    vectorised.
    """
    packed = sum(1 << k for k, f in enumerate(flags.tolist()) if f)
    return packed - (1 << 64) if packed >= 1 << 63 else packed
