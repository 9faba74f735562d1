"""Make the synthetic headcount file shipped as scenarios/data/synthetic_org.csv.

No real people: every row is drawn from a seeded generator. The file looks like an HR export,
not like the model's own vocabulary, so that the shipped scenario (scenarios/synthetic_org.yaml)
shows the column and value mapping at work: grades ``G1``-``G6``, ladders ``IC``/``MGR``,
years of service, 1-5 ratings and free-text survey answers, with blanks where real exports
have them (people who skipped the survey, new joiners not yet rated, a missing gender) and a
few quirks real reporting lines have (people reporting to a tech lead, a second executive
reporting to a peer).

    python scripts/make_synthetic_org.py                 # writes scenarios/data/synthetic_org.csv
    python scripts/make_synthetic_org.py --scale 300 --out /tmp/big.csv   # about 100,000 people
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "scenarios" / "data" / "synthetic_org.csv"
SEED = 20250101

# (grade, level name in the scenario, specialist positions, management positions);
# scenarios/synthetic_org.yaml declares the same levels and positions.
LEVELS: tuple[tuple[str, str, int, int], ...] = (
    ("G1", "Associate", 120, 0),
    ("G2", "Professional", 95, 0),
    ("G3", "Senior", 60, 14),
    ("G4", "Lead", 22, 12),
    ("G5", "Director", 4, 6),
    ("G6", "Executive", 0, 2),
)
INTENT_ANSWERS = ("Move into people management", "Grow as a specialist/expert", "Not right now",
                  "Prefer not to say")
RATING_SHARES = (0.05, 0.15, 0.50, 0.22, 0.08)


def headcount(scale: int, rng: np.random.Generator) -> list[tuple[int, int]]:
    """People per (level, track): positions times the scale, 90-100 % filled (the top full)."""
    out = []
    for i, (_grade, _name, spec, mgmt) in enumerate(LEVELS):
        top = i == len(LEVELS) - 1
        fill = 1.0 if top else rng.uniform(0.90, 1.0)
        out.append((round(spec * scale * fill), max(1, round(mgmt * scale * fill)) if mgmt else 0))
    return out


def make_org(seed: int = SEED, scale: int = 1) -> pd.DataFrame:
    """A synthetic organisation as an HR export would show it (see the module docstring)."""
    rng = np.random.default_rng(seed)
    counts = headcount(scale, rng)
    level, track = [], []
    for li, (spec, mgmt) in enumerate(counts):
        level += [li] * (spec + mgmt)
        track += [0] * spec + [1] * mgmt
    level_a, track_a = np.array(level), np.array(track)
    n = level_a.size
    manager = np.full(n, -1)

    def idx(li: int, tr: int) -> np.ndarray:
        return np.flatnonzero((level_a == li) & (track_a == tr))

    def report_to(people: np.ndarray, bosses: np.ndarray) -> None:
        manager[people] = bosses[rng.integers(0, bosses.size, people.size)]

    execs = idx(5, 1)
    manager[execs[1:]] = execs[0]  # the other executives report to a peer: not a higher level
    report_to(idx(4, 1), execs)
    report_to(idx(4, 0), idx(4, 1))
    report_to(idx(3, 1), idx(4, 1))
    report_to(idx(3, 0), idx(4, 1))
    report_to(idx(2, 1), idx(3, 1))
    report_to(idx(2, 0), idx(3, 1))
    report_to(idx(1, 0), idx(2, 1))
    associates = idx(0, 0)
    report_to(associates, idx(2, 1))
    tech_led = rng.choice(associates, size=max(1, associates.size // 25), replace=False)
    report_to(tech_led, idx(2, 0))  # a few report to a senior specialist (a tech lead)

    # Ids in random order, and the export sorted by id, so that grades are mixed in the file.
    file_id = np.array([f"P{k:06d}" for k in range(1, n + 1)])[rng.permutation(n)]

    women_share = np.interp(level_a, [0, 5], [0.5, 0.3])
    gender = np.where(rng.random(n) < women_share, "F", "M").astype(object)
    gender[rng.random(n) < 0.03] = None
    years = np.round(rng.gamma(2.0, 1.2 + 1.3 * level_a), 1)
    years_col = years.astype(object)
    years_col[rng.random(n) < 0.05] = None
    rating = (rng.choice(5, size=n, p=RATING_SHARES) + 1).astype(object)
    rating[(years < 1.0) | (rng.random(n) < 0.04)] = None
    answered = rng.random(n) < 0.7
    intent = rng.choice(np.array(INTENT_ANSWERS, dtype=object), size=n, p=(0.30, 0.22, 0.38, 0.10))
    intent[~answered] = None
    ladder = np.where(track_a == 1, "MGR", "IC").astype(object)
    ladder[(level_a == 0) & (rng.random(n) < 0.05)] = None  # one ladder at G1: may be left blank

    frame = pd.DataFrame({
        "employee_id": file_id,
        "grade": np.array([g for g, *_ in LEVELS])[level_a],
        "ladder": ladder,
        "manager_id": np.where(manager >= 0, file_id[np.maximum(manager, 0)], None),
        "years_of_service": years_col,
        "gender": gender,
        "rating": rating,
        "career_intent": intent,
        "site": rng.choice(np.array(["North", "South", "Remote"]), size=n),
    })
    return frame.sort_values("employee_id", kind="stable").reset_index(drop=True)


def main() -> None:
    """Write the file (by default the shipped one)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"output CSV or Parquet (default {OUT})")
    parser.add_argument("--seed", type=int, default=SEED, help=f"generator seed (default {SEED})")
    parser.add_argument("--scale", type=int, default=1, help="multiply every level's positions (default 1)")
    args = parser.parse_args()
    frame = make_org(args.seed, args.scale)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if args.out.suffix in (".parquet", ".pq"):
        frame.to_parquet(args.out, index=False)
    else:
        frame.to_csv(args.out, index=False, lineterminator="\n")
    print(f"wrote {len(frame)} people to {args.out}")


if __name__ == "__main__":
    main()
