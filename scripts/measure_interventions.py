"""Measure every intervention against the baseline over paired replications; print a markdown table.

    .venv/bin/python scripts/measure_interventions.py                      # 30 replications, full size
    .venv/bin/python scripts/measure_interventions.py --out /tmp/effects.md --replications 40

Replication k runs with seed k in every arm (common random numbers), so each lever's effect is
the mean of paired differences (variant minus baseline), with a Student-t 95% confidence
interval. Besides each lever's primary metrics under baseline conditions, it measures the side
effects (team performance, attrition, cost, ...), the conditions under which a mechanism shows
when it does not under baseline conditions (the same overrides in both arms), and the
interaction of career conversations with psychological safety (difference in differences).
docs/interventions.md explains every row.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sim import PromotionModel, load_scenario  # noqa: E402 (after the path fix, for a fresh checkout)

LEVERS = (
    "career_conversations",
    "parallel_ladders",
    "published_criteria",
    "stretch_pilots",
    "psychological_safety",
    "mentoring",
    "succession_dashboard",
    "development_plans",
)
# The primary metrics of each lever and the direction its mechanism implies.
PRIMARY: dict[str, list[tuple[str, str]]] = {
    "career_conversations": [("misread_rate", "down"), ("hidden_ambition_rate", "down")],
    "parallel_ladders": [("unwanted_promotion_rate", "down"), ("specialist_retention_rate", "up")],
    "published_criteria": [("wrong_fit_promotion_rate", "down"), ("promotion_stick_rate", "up")],
    "stretch_pilots": [("promotion_stick_rate", "up")],
    "psychological_safety": [
        ("masked_aspiration_rate", "down"),
        ("internal_application_rate", "up"),
        ("stretch_acceptance_rate", "up"),
    ],
    "mentoring": [("representation_ratio.women", "up"), ("abs(representation_ratio.women - 1)", "down")],
    "succession_dashboard": [("succession_coverage", "up")],
    "development_plans": [("development_roi", "up")],
}
SIDE_EFFECTS = (
    "team_performance",
    "attrition_rate",
    "regretted_attrition_rate",
    "unwanted_promotion_rate",
    "wrong_fit_promotion_rate",
    "promotion_stick_rate",
    "misread_rate",
    "plateau_rate",
    "development_roi",
    "intervention_cost",
)
# Conditions under which a mechanism shows (the same overrides in both arms).
PASSED_OVER_OFF = {"exits.passed_over_multiplier": 0}
COSTLY_PLATEAU = {"exits.plateau_multiplier": 3}
FIT_DECIDES = {"organisation.min_months_in_role": 18, "promotion.carry_over_same_track": 0.3}
RARELY_VOICED = {"behaviour.voice_rate": 0.03}
WITH_CRITERIA = {"interventions.published_criteria": {}}
CONDITIONS: list[tuple[str, str, str, dict[str, Any]]] = [
    ("parallel_ladders", "specialist_retention_rate", "passed-over exits off", PASSED_OVER_OFF),
    ("parallel_ladders", "specialist_retention_rate", "passed-over exits halved",
     {"exits.passed_over_multiplier": 0.75}),
    ("parallel_ladders", "specialist_retention_rate", "plateau exits x2", {"exits.plateau_multiplier": 1}),
    ("parallel_ladders", "specialist_retention_rate", "plateau exits x3", {"exits.plateau_multiplier": 2}),
    ("parallel_ladders", "specialist_retention_rate", "plateau exits x4", COSTLY_PLATEAU),
    ("parallel_ladders", "specialist_retention_rate", "ranked on assessed readiness", {"policy.name": "readiness"}),
    ("parallel_ladders", "specialist_retention_rate", "published criteria in both arms", WITH_CRITERIA),
    ("parallel_ladders", "unwanted_promotion_rate", "passed-over exits off", PASSED_OVER_OFF),
    ("published_criteria", "promotion_stick_rate", "fit decides sticking", FIT_DECIDES),
    ("published_criteria", "wrong_fit_promotion_rate", "fit decides sticking", FIT_DECIDES),
    ("stretch_pilots", "promotion_stick_rate", "fit decides sticking", FIT_DECIDES),
    ("stretch_pilots", "wrong_fit_promotion_rate", "fit decides sticking", FIT_DECIDES),
    ("development_plans", "development_roi", "aspiration rarely voiced", RARELY_VOICED),
]
EXPECTED = {(lever, metric): way for lever, rows in PRIMARY.items() for metric, way in rows}
SAFETY = {"interventions.psychological_safety": {}}


@dataclass(frozen=True)
class Arm:
    """A shipped scenario plus overrides (JSON, so that arms can be dictionary keys)."""

    scenario: str
    overrides: str = "{}"

    @classmethod
    def of(cls, scenario: str, overrides: Mapping[str, Any] | None = None) -> Arm:
        """An arm from a scenario name and an overrides mapping."""
        return cls(scenario, json.dumps(dict(overrides or {}), sort_keys=True))


def run_summary(task: tuple[str, str, int, int, float]) -> dict[str, float]:
    """Worker: one run's end-of-run summary."""
    scenario, overrides, seed, headcount, years = task
    spec = load_scenario(scenario, headcount=headcount, overrides=json.loads(overrides))
    model = PromotionModel(scenario=spec, rng=seed)
    for _ in range(round(12 * years)):
        model.step()
    return model.recorder.summary()


def value(summary: Mapping[str, float], metric: str) -> float:
    """A summary metric, or a derived one (``abs(name - 1)``: distance from parity)."""
    if metric.startswith("abs(") and metric.endswith(" - 1)"):
        return abs(summary[metric[4:-5]] - 1.0)
    return summary[metric]


@dataclass
class Row:
    """One line of a table: the paired differences of one metric between two arms."""

    lever: str
    condition: str
    metric: str
    expected: str
    base: np.ndarray
    variant: np.ndarray

    def cells(self) -> list[str]:
        """Markdown cells: lever, condition, metric, expected, means, difference, CI, n."""
        d = self.variant - self.base
        ok = np.isfinite(d)
        d = d[ok]
        if d.size < 2:
            return [self.lever, self.condition, f"`{self.metric}`", self.expected, "n/a", "n/a", "n/a", "n/a", "",
                    str(d.size)]
        mean = float(d.mean())
        half = float(stats.t.ppf(0.975, d.size - 1) * d.std(ddof=1) / np.sqrt(d.size))
        lo, hi = mean - half, mean + half
        sign = "+" if lo > 0 else ("-" if hi < 0 else "0")
        return [self.lever, self.condition, f"`{self.metric}`", self.expected,
                f"{np.nanmean(self.base[ok]):.4f}", f"{np.nanmean(self.variant[ok]):.4f}", f"{mean:+.4f}",
                f"[{lo:+.4f}, {hi:+.4f}]", sign, str(d.size)]


HEADER = ["lever", "condition", "metric", "expected", "baseline mean", "variant mean",
          "mean paired difference", "95% CI", "sign", "n"]


def table(rows: list[Row]) -> str:
    """A markdown table of rows."""
    align = ["---"] * 4 + ["---:"] * 3 + ["---", ":-:", "---:"]
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(row.cells()) + " |" for row in rows]
    return "\n".join(lines)


def plan(args: argparse.Namespace) -> dict[str, list[Arm]]:
    """Every arm the tables need, grouped by what they are for."""
    base = Arm.of("baseline")
    arms = {"baseline": [base], "levers": [Arm.of(name) for name in (*LEVERS, "all_levers")]}
    arms["interaction"] = [Arm.of("career_conversations", SAFETY)]
    arms["conditions"] = [Arm.of("baseline", cond) for _, _, _, cond in CONDITIONS]
    arms["conditions"] += [Arm.of(lever, cond) for lever, _, _, cond in CONDITIONS]
    return {k: list(dict.fromkeys(v)) for k, v in arms.items()}


def simulate_all(arms: list[Arm], args: argparse.Namespace,
                 log: Callable[[str], None]) -> dict[Arm, list[dict[str, float]]]:
    """Run every arm for seeds 0..replications-1 on a process pool of ``args.workers``."""
    n = args.replications
    tasks = [(arm.scenario, arm.overrides, seed, args.headcount, args.years) for arm in arms for seed in range(n)]
    method = "fork" if threading.active_count() == 1 else "spawn"
    out: list[dict[str, float]] = []
    start = time.time()
    with ProcessPoolExecutor(args.workers, mp_context=multiprocessing.get_context(method)) as pool:
        for i, summary in enumerate(pool.map(run_summary, tasks, chunksize=1), 1):
            out.append(summary)
            if i % 50 == 0 or i == len(tasks):
                log(f"{i}/{len(tasks)} runs, {time.time() - start:.0f} s")
    return {arm: out[k * n:(k + 1) * n] for k, arm in enumerate(arms)}


def column(runs: list[dict[str, float]], metric: str) -> np.ndarray:
    """One metric over the replications."""
    return np.array([value(s, metric) for s in runs], dtype=float)


def interaction_table(results: dict[Arm, list[dict[str, float]]]) -> str:
    """Career conversations' effect with and without psychological safety, and their difference."""
    base, talk = results[Arm.of("baseline")], results[Arm.of("career_conversations")]
    safe, both = results[Arm.of("psychological_safety")], results[Arm.of("career_conversations", SAFETY)]
    lines = ["| metric | conversations' effect, safety off | conversations' effect, safety on | "
             "difference in differences | 95% CI | n |", "|---|---:|---:|---:|---|---:|"]
    for metric in ("misread_rate", "hidden_ambition_rate"):
        off = column(talk, metric) - column(base, metric)
        on = column(both, metric) - column(safe, metric)
        did = on - off
        half = stats.t.ppf(0.975, did.size - 1) * did.std(ddof=1) / np.sqrt(did.size)
        lines.append(f"| `{metric}` | {off.mean():+.4f} | {on.mean():+.4f} | {did.mean():+.4f} | "
                     f"[{did.mean() - half:+.4f}, {did.mean() + half:+.4f}] | {did.size} |")
    return "\n".join(lines)


def git_revision() -> str:
    """The working tree's commit (with a mark when sim/ or scenarios/ have local changes), or 'unknown'."""
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "sim", "scenarios"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return rev + (" (with uncommitted changes in sim/ or scenarios/)" if dirty else "")


def source_digest() -> str:
    """A hash of the model's code and scenarios, to notice edits made while measuring."""
    digest = hashlib.sha1()
    for path in sorted([*(ROOT / "sim").rglob("*.py"), *(ROOT / "scenarios").rglob("*.yaml")]):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def report(results: dict[Arm, list[dict[str, float]]], args: argparse.Namespace, seconds: float,
           revision: str) -> str:
    """All tables as one markdown document."""
    base = results[Arm.of("baseline")]
    primary = [Row(lever, "baseline", metric, way, column(base, metric), column(results[Arm.of(lever)], metric))
               for lever, rows in PRIMARY.items() for metric, way in rows]
    conditional = [
        Row(lever, name, metric, EXPECTED.get((lever, metric), ""),
            column(results[Arm.of("baseline", cond)], metric), column(results[Arm.of(lever, cond)], metric))
        for lever, metric, name, cond in CONDITIONS
    ]
    side = [Row(lever, "baseline", metric, EXPECTED.get((lever, metric), ""), column(base, metric),
                column(results[Arm.of(lever)], metric))
            for lever in (*LEVERS, "all_levers") for metric in SIDE_EFFECTS]
    together = [Row("all_levers", "baseline", metric, way, column(base, metric),
                    column(results[Arm.of("all_levers")], metric))
                for metric, way in dict.fromkeys(m for rows in PRIMARY.values() for m in rows)]
    command = " ".join(["python", "scripts/measure_interventions.py", *sys.argv[1:]])
    head = (f"Measured with `{command}`: {args.replications} paired replications (seeds 0-{args.replications - 1}) "
            f"of about {args.headcount:,} people over {args.years:g} years after the warm-up, process pool of "
            f"{args.workers}; revision {revision}; {time.strftime('%Y-%m-%d')}; {seconds / 60:.1f} minutes. "
            "Sign: + or - when the 95% CI excludes zero, 0 when it does not.")
    return "\n\n".join([
        head,
        "### Primary metrics, baseline conditions\n\n" + table(primary),
        "### Primary metrics under named conditions (the same overrides in both arms)\n\n" + table(conditional),
        "### Interaction: career conversations with and without psychological safety\n\n"
        + interaction_table(results),
        "### Side effects and cost (hours per employee per year), baseline conditions\n\n" + table(side),
        "### All eight levers together\n\n" + table(together),
    ]) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run everything, print (and optionally write) the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=30, help="paired replications per arm (default 30)")
    parser.add_argument("--headcount", type=int, default=1000, help="organisation size (default 1000)")
    parser.add_argument("--years", type=float, default=10.0, help="simulated years (default 10)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--out", type=Path, help="also write the markdown here")
    args = parser.parse_args(argv)
    if args.replications < 2:
        parser.error("--replications must be at least 2")

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    arms = [a for group in plan(args).values() for a in group]
    arms = list(dict.fromkeys(arms))
    log(f"{len(arms)} arms x {args.replications} replications = {len(arms) * args.replications} runs")
    start, revision, digest = time.time(), git_revision(), source_digest()
    results = simulate_all(arms, args, log)
    if source_digest() != digest:
        log(f"warning: sim/ or scenarios/ changed while measuring (started at {revision})")
        revision += "; sim/ or scenarios/ changed during the run"
    text = report(results, args, time.time() - start, revision)
    print(text)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
