"""Reporting lines from a headcount file: cycles, teams and who really manages whom.

Everything here is vectorised over the whole file (a 100,000-row file must load in seconds):
cycle detection by pointer jumping takes ``log2(depth)`` passes of numpy indexing, and the walk
to the nearest valid manager moves only the rows still looking for one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.scenario import MANAGEMENT

NONE = -1


def find_cycle(parent: np.ndarray) -> list[int] | None:
    """One reporting cycle (as row indices, in reporting order), or None if the lines form a forest."""
    cycles = find_cycles(parent)
    return cycles[0] if cycles else None


def find_cycles(parent: np.ndarray) -> list[list[int]]:
    """Every reporting cycle (each as row indices, in reporting order); empty if the lines form a forest.

    Pointer jumping: after ``k`` passes, ``jump[i]`` is the ``2**k``-th manager above ``i`` (or
    -1 once the chain has ended). A chain without a cycle ends within ``n`` steps, so any row
    still pointing somewhere after ``2**k >= n`` steps lies on, or leads into, a cycle; its
    ``2**k``-th ancestor lies on the cycle itself. Only the cycles' members are then walked in
    Python, each once, the first cycle being that of the first such row.
    """
    n = parent.size
    jump = parent.copy()
    steps = 1
    while True:
        alive = jump >= 0
        if not alive.any():
            return []
        if steps >= n:
            break
        jump = np.where(alive, jump[np.maximum(jump, 0)], NONE)
        steps *= 2
    seen = np.zeros(n, dtype=bool)
    cycles = []
    for start in pd.unique(jump[alive]).tolist():  # on a cycle each; in order of the rows leading there
        if seen[start]:
            continue
        cycle, node = [start], int(parent[start])
        while node != start:
            cycle.append(node)
            node = int(parent[node])
        seen[cycle] = True
        cycles.append(cycle)
    return cycles


def managers_from_teams(team: pd.Series, level: np.ndarray, track: np.ndarray) -> tuple[np.ndarray, pd.DataFrame]:
    """Manager indices from team ids: each team's lead manages its other members.

    A team's lead is its member on the management track at the team's highest level. A team
    without one has no lead (its members keep the scenario's default teams); a team with two
    or more candidates is ambiguous and returned for the caller to report.

    Returns:
        The manager index of each row (-1 for leads, people without a team and members of a
        team without a lead), and the ambiguous teams' candidate rows (columns ``team``, ``i``).
    """
    n = level.size
    frame = pd.DataFrame({"team": team.to_numpy(), "level": level, "mgmt": track == MANAGEMENT, "i": np.arange(n)})
    frame = frame[frame["team"].notna()]
    top = frame.groupby("team", sort=False)["level"].transform("max")
    cand = frame[(frame["level"] == top) & frame["mgmt"]]
    counts = cand.groupby("team", sort=False)["i"].transform("size")
    ambiguous = cand[counts > 1][["team", "i"]]
    lead = cand[counts == 1].set_index("team")["i"]
    parent = np.full(n, NONE, dtype=np.int64)
    mapped = frame["team"].map(lead)
    has = mapped.notna().to_numpy()
    parent[frame["i"].to_numpy()[has]] = mapped.to_numpy()[has].astype(np.int64)
    parent[lead.to_numpy()] = NONE
    return parent, ambiguous


def effective_managers(parent: np.ndarray, level: np.ndarray, track: np.ndarray) -> np.ndarray:
    """Each row's nearest stated ancestor who can hold a team in the model, or -1.

    In the model a team belongs to a management position above its members' level. A stated
    manager on the specialist track (a tech lead) or at the same or a lower level is skipped,
    and the line is followed upwards to the first ancestor on the management track at a higher
    level than the person. The file must be free of cycles (see :func:`find_cycle`).
    """
    cand = parent.copy()
    todo = np.flatnonzero(cand >= 0)
    while todo.size:
        boss = cand[todo]
        ok = (track[boss] == MANAGEMENT) & (level[boss] > level[todo])
        todo = todo[~ok]
        cand[todo] = parent[cand[todo]]
        todo = todo[cand[todo] >= 0]
    return cand
