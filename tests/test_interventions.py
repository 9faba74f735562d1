"""The eight interventions: measured effects over paired replications, costs, errors and listing.

Each statistical test runs a lever's scenario and ``baseline.yaml`` with the same seeds (common
random numbers: every random stream is named by process and month, so both arms share every draw
the lever does not change) and asserts the direction the lever's mechanism implies on its
primary metric: the 95% confidence interval (Student t) of the mean paired difference must lie
entirely on the predicted side of zero.

Most tests use a half-size copy of the organisation (``SMALL``: 500 people, same shape, 8 years,
30 replications; 100 where the effect is close to the noise of 30), which keeps the file to a few
minutes on two cores; the mentoring test needs the full size (``FULL``: 1,000 people, 10 years,
100 replications) because representation at the top two levels of a 500-person organisation
(about 30 people) is too coarse to move. The replications are chosen for power, not for the
seeds at hand: every random-number change of the engine re-draws every run, and a test whose
confidence bound sits just beyond zero fails one time in several after such a change (the two
tests at 100 had bounds about half a half-width from zero at 50). Runs are cached for the
module, so each arm (baseline included) is simulated once per seed and shared by every test that
needs it. Where a lever's primary metric does not move under baseline conditions, the test names
the condition under which the mechanism shows and docs/interventions.md records both results;
the full-size measurements there come from ``scripts/measure_interventions.py``.
"""

from __future__ import annotations

import json
import multiprocessing
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import ROOT, SCENARIOS, cli_env, run_cli
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from sim import PromotionModel, load_scenario, simulate
from sim.cli import main
from sim.errors import InputError
from sim.interventions import highest, load_all

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


# ---------------------------------------------------------------------------------------------
# Paired replications


@dataclass(frozen=True)
class Size:
    """How big and how long (the organisation is resized keeping its shape), and how many seeds."""

    headcount: int
    years: float
    replications: int

    def more(self, replications: int) -> Size:
        """The same organisation and horizon with more seeds (the first ones are shared)."""
        return Size(self.headcount, self.years, replications)


SMALL = Size(headcount=500, years=8, replications=30)
FULL = Size(headcount=1000, years=10, replications=100)
# Effects near the noise floor of 30 half-size replications get 100 (see the module docstring).
SMALL_100 = SMALL.more(100)


@dataclass(frozen=True)
class Arm:
    """One side of a comparison: a shipped scenario plus overrides (key paths to values)."""

    scenario: str
    overrides: str = "{}"  # JSON, so that arms can be cache keys

    @classmethod
    def of(cls, scenario: str, overrides: Mapping[str, Any] | None = None) -> Arm:
        return cls(scenario, json.dumps(dict(overrides or {}), sort_keys=True))


BASELINE = Arm.of("baseline")


def run_summary(task: tuple[str, str, int, int, float]) -> dict[str, float]:
    """Worker: one run's summary (no time series or events, to keep the pool's traffic small)."""
    scenario, overrides, seed, headcount, years = task
    spec = load_scenario(scenario, headcount=headcount, overrides=json.loads(overrides))
    model = PromotionModel(scenario=spec, rng=seed)
    for _ in range(round(12 * years)):
        model.step()
    return model.recorder.summary()


@dataclass(frozen=True)
class Effect:
    """Paired differences (variant minus base) of one statistic over the same seeds."""

    name: str
    base: np.ndarray
    variant: np.ndarray

    @property
    def diff(self) -> np.ndarray:
        return self.variant - self.base

    @property
    def mean(self) -> float:
        return float(self.diff.mean())

    @property
    def ci(self) -> tuple[float, float]:
        d = self.diff
        half = stats.t.ppf(0.975, d.size - 1) * d.std(ddof=1) / np.sqrt(d.size)
        return self.mean - half, self.mean + half

    def __str__(self) -> str:
        lo, hi = self.ci
        return (f"{self.name}: {self.base.mean():.4f} -> {self.variant.mean():.4f}, paired difference "
                f"{self.mean:+.4f} [95% CI {lo:+.4f}, {hi:+.4f}], n={self.diff.size}")


def assert_down(effect: Effect) -> None:
    assert np.isfinite(effect.diff).all(), f"NaN in {effect.name}"
    assert effect.ci[1] < 0, f"expected a fall: {effect}"


def assert_up(effect: Effect) -> None:
    assert np.isfinite(effect.diff).all(), f"NaN in {effect.name}"
    assert effect.ci[0] > 0, f"expected a rise: {effect}"


class Runs:
    """Summaries per (arm, size, seed), computed once on a process pool and cached."""

    def __init__(self, pool: ProcessPoolExecutor):
        self.pool = pool
        self.cache: dict[tuple[Arm, int, float, int], dict[str, float]] = {}

    def summaries(self, *arms: Arm, size: Size = SMALL) -> list[list[dict[str, float]]]:
        """For each arm, the summaries of seeds 0..replications-1 (all arms share the seeds)."""
        seeds = range(size.replications)
        wanted = [(arm, size.headcount, size.years, seed) for arm in arms for seed in seeds]
        missing = list(dict.fromkeys(k for k in wanted if k not in self.cache))
        tasks = [(a.scenario, a.overrides, seed, headcount, years) for a, headcount, years, seed in missing]
        for key, summary in zip(missing, self.pool.map(run_summary, tasks), strict=True):
            self.cache[key] = summary
        return [[self.cache[(arm, size.headcount, size.years, seed)] for seed in seeds] for arm in arms]

    def values(self, metric: str, *arms: Arm, size: Size = SMALL) -> list[np.ndarray]:
        return [np.array([s[metric] for s in runs]) for runs in self.summaries(*arms, size=size)]

    def effect(self, metric: str, variant: Arm, base: Arm = BASELINE, size: Size = SMALL) -> Effect:
        b, v = self.values(metric, base, variant, size=size)
        return Effect(metric, b, v)


@pytest.fixture(scope="module")
def runs() -> Iterator[Runs]:
    # Mesa's batchrunner switches the default start method to spawn on import; fork is much
    # cheaper when this process has no other threads (workers inherit the loaded model code).
    method = "fork" if threading.active_count() == 1 else "spawn"
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context(method)) as pool:
        yield Runs(pool)


def lever(name: str, conditions: Mapping[str, Any] | None = None) -> Arm:
    return Arm.of(name, conditions)


def baseline(conditions: Mapping[str, Any] | None = None) -> Arm:
    return Arm.of("baseline", conditions)


# Conditions named by the tests below (the same overrides in both arms); see docs/interventions.md.
COSTLY_PLATEAU = {"exits.plateau_multiplier": 3}
# Promotion sticking is judged on fit only when nobody can be promoted again before the stick
# window closes (a re-promotion counts as "stuck") and the new role needs new skills.
FIT_DECIDES = {"organisation.min_months_in_role": 18, "promotion.carry_over_same_track": 0.3}
RARELY_VOICED = {"behaviour.voice_rate": 0.03}


# ---------------------------------------------------------------------------------------------
# Each lever's primary metric, in the direction its mechanism implies


@pytest.mark.slow
def test_career_conversations_lower_misreads_and_hidden_ambition(runs: Runs) -> None:
    for metric in ("misread_rate", "hidden_ambition_rate"):
        assert_down(runs.effect(metric, lever("career_conversations")))


@pytest.mark.slow
def test_parallel_ladders_lower_unwanted_promotions(runs: Runs) -> None:
    assert_down(runs.effect("unwanted_promotion_rate", lever("parallel_ladders")))


@pytest.mark.slow
def test_parallel_ladders_keep_specialists_when_plateaus_drive_exits(runs: Runs) -> None:
    """The lever's mechanism: a specialist ladder lifts the plateau that drives specialists out.

    Under baseline conditions the new specialist openings also create competition that is felt
    as unfair (the passed-over exit channel), which cancels the relief (docs/interventions.md);
    where plateaus are a strong exit driver the relief shows.
    """
    effect = runs.effect("specialist_retention_rate", lever("parallel_ladders", COSTLY_PLATEAU),
                         baseline(COSTLY_PLATEAU))
    assert_up(effect)


@pytest.mark.slow
def test_published_criteria_lower_wrong_fit_promotions(runs: Runs) -> None:
    assert_down(runs.effect("wrong_fit_promotion_rate", lever("published_criteria")))


@pytest.mark.slow
def test_published_criteria_raise_promotion_stick_rate(runs: Runs) -> None:
    assert_up(runs.effect("promotion_stick_rate", lever("published_criteria")))


@pytest.mark.slow
def test_stretch_pilots_raise_promotion_stick_rate_when_fit_decides(runs: Runs) -> None:
    effect = runs.effect("promotion_stick_rate", lever("stretch_pilots", FIT_DECIDES), baseline(FIT_DECIDES),
                         size=SMALL_100)
    assert_up(effect)


@pytest.mark.slow
def test_psychological_safety_unmasks_aspiration_and_raises_applications_and_stretch(runs: Runs) -> None:
    arm = lever("psychological_safety")
    assert_down(runs.effect("masked_aspiration_rate", arm))
    assert_up(runs.effect("internal_application_rate", arm))
    assert_up(runs.effect("stretch_acceptance_rate", arm))


@pytest.mark.slow
def test_mentoring_moves_womens_representation_toward_parity(runs: Runs) -> None:
    """The mean ratio rises, and not past the mirror of the baseline's gap (so it ends nearer parity).

    The claim is about the mean ratio. Each run's distance from parity, ``|ratio - 1|``, falls
    too little to test: about -0.01 to -0.02 (docs/interventions.md, 200 replications), since
    the mentored organisation overshoots parity in almost half of the runs.
    """
    b, v = runs.values("representation_ratio.women", BASELINE, lever("mentoring"), size=FULL)
    assert b.mean() < 1.0, "the test presumes women are under-represented at the top at baseline"
    rise = Effect("representation_ratio.women", b, v)
    assert_up(rise)
    assert rise.ci[1] < 2.0 * (1.0 - b.mean()), f"the mean ratio may have overshot parity: {rise}"


@pytest.mark.slow
def test_succession_dashboard_raises_succession_coverage(runs: Runs) -> None:
    assert_up(runs.effect("succession_coverage", lever("succession_dashboard")))


@pytest.mark.slow
def test_development_plans_raise_development_roi_when_aspiration_is_rarely_voiced(runs: Runs) -> None:
    effect = runs.effect("development_roi", lever("development_plans", RARELY_VOICED), baseline(RARELY_VOICED))
    assert_up(effect)


@pytest.mark.slow
def test_career_conversations_work_better_with_psychological_safety(runs: Runs) -> None:
    """Without safety, aspirants give the polite "not ready yet" answer: the difference in
    differences (conversations' effect with safety on, minus with safety off) is negative."""
    safety = {"interventions.psychological_safety": {}}
    arms = (BASELINE, lever("career_conversations"), lever("psychological_safety"),
            lever("career_conversations", safety))
    for metric in ("misread_rate", "hidden_ambition_rate"):
        base, talk, safe, both = runs.values(metric, *arms)
        off = Effect(f"{metric}, conversations without safety", base, talk)
        on = Effect(f"{metric}, conversations with safety", safe, both)
        assert_down(off)
        assert_down(on)
        assert_down(Effect(f"{metric}, difference in differences", off.diff, on.diff))


# ---------------------------------------------------------------------------------------------
# Cost


def test_intervention_cost_is_zero_at_baseline_and_positive_with_each_lever() -> None:
    def cost(scenario: str) -> float:
        spec = load_scenario(scenario, headcount=200, overrides={"warmup_months": 0})
        model = PromotionModel(scenario=spec, rng=3)
        for _ in range(24):
            model.step()
        return model.recorder.summary()["intervention_cost"]

    assert cost("baseline") == 0.0
    costs = {name: cost(name) for name in LEVERS}
    assert all(c > 0 for c in costs.values()), costs
    assert cost("all_levers") == pytest.approx(sum(costs.values()), rel=0.25)


def test_a_lever_changes_nothing_before_what_it_waits_for() -> None:
    """``waits_for``, which the app's side-by-side header reads: without a warm-up, and with promotion
    rounds every six months (the Sam and Priya story), a run with the lever is the run without it until
    the first review or round it names. The header said the succession dashboard made no difference
    until the review in month 12 while the table under it showed one from month 7 (a review's trial)."""
    overrides = {"warmup_months": 0, "policy.cycle_months": 6, "managers.review_every_months": 12}

    def run(levers: Mapping[str, Any], months: int) -> PromotionModel:
        model = PromotionModel(scenario=load_scenario("baseline", headcount=300,
                                                      overrides={**overrides, "interventions": levers}), rng=4)
        for _ in range(months):
            model.step()
        return model

    starts = {"reviews": 12, "promotions": 6}
    waiting = {name: cls.waits_for for name, cls in load_all().items() if cls.waits_for}
    assert {"career_conversations", "mentoring", "succession_dashboard"} <= set(waiting)
    for name, phases in waiting.items():
        months = min(starts[phase] for phase in phases) - 1
        with_it, without = run({name: {}}, months), run({}, months)
        assert with_it.recorder.timeseries().equals(without.recorder.timeseries()), name
        for column in ("level", "b_interest", "b_mgmt", "b_ready", "mgmt_ready", "spec_ready"):
            same = np.array_equal(getattr(with_it.workforce, column), getattr(without.workforce, column))
            assert same, (name, column)


def test_a_resolved_scenario_spells_out_each_levers_parameters() -> None:
    """A results folder's scenarios/*.yaml kept `mentoring: {}`, so nobody could see what coverage ran, and
    `{}` and `{coverage: 0.3}` (the default) ran as two arms with identical numbers (an org-design trial)."""
    assert load_scenario("mentoring").interventions["mentoring"] == {
        "group": "women", "coverage": 0.3, "sponsorship_rate": 0.1, "visibility_gain": 0.1,
        "readiness_gain_per_year": 0.3, "hours_per_mentee_month": 3.0}
    assert "    coverage: 0.3\n" in load_scenario("mentoring").to_yaml()
    same = load_scenario("baseline", overrides={"interventions": {"mentoring": {"coverage": 0.3}}})
    assert same.interventions == load_scenario("mentoring").interventions


def test_a_pilot_is_charged_once_for_each_month_it_runs() -> None:
    """A 6-month pilot was booked 7 times: in the month it started and again in the month it ended (ODD audit).
    With 1-month pilots, the month after the start is free."""
    spec = load_scenario("stretch_pilots", headcount=300,
                         overrides={"warmup_months": 0, "interventions.stretch_pilots.months": 1})
    model = PromotionModel(scenario=spec, rng=2)
    hours = []
    started = []
    for _ in range(26):
        model.step()
        hours.append(model.flow["hours.stretch_pilots"])
        started.append(model.flow["stretch_accepts"])
    months = [m for m, n in enumerate(started) if n > 0]
    assert len(months) >= 2, started
    for m in months:
        assert hours[m] > 0 and hours[m + 1] == 0, (m, hours[m - 1:m + 3])


def test_parallel_ladders_leave_a_specialist_only_level_as_it_is() -> None:
    """Above the first management level, a level with no management posts had a specialist post turned into a
    management one (moved = -1; ODD audit)."""
    levels = [{"name": "A", "positions": {"specialist": 50}}, {"name": "B", "positions": {"management": 10}},
              {"name": "C", "positions": {"specialist": 5}}]
    spec = load_scenario("baseline", overrides={"organisation.levels": levels,
                                                "interventions": {"parallel_ladders": {"specialist_share": 0.4}}})
    adjusted = PromotionModel(scenario=spec, rng=1).scenario
    assert [dict(level.positions) for level in adjusted.organisation.levels] == [
        {"specialist": 50}, {"management": 6, "specialist": 4}, {"specialist": 5}]


def test_a_mentees_extra_voice_says_when_as_the_core_voice_does() -> None:
    """Mentoring's extra voice set neither the manager's "later" nor halved for people who want to move later
    (ODD audit). Four aspiring mentees, the first two wanting to move only later; each draw sits between half
    the own voice's chance and all of it (no sponsorship), so only those who want to move now speak."""
    from sim.interventions.mentoring import _voice_rows  # noqa: PLC0415

    n = 4
    wait = np.array([6, 12, 0, 0], dtype=np.int16)
    voiced, b_later = np.zeros(n, bool), np.array([False, False, True, True])
    last_voice = np.full(n, -1, dtype=np.int32)
    own = 0.2 * (0.25 + 0.75 * 1.0) * 1.0  # voice_rate x visibility term x no suppression
    group, suppression = np.zeros(n, np.int16), np.ones(1)  # one group, whose suppression the mentee's voice makes up
    _voice_rows(np.arange(n), np.full(n, 0.75 * own), np.ones(n), np.zeros(n, bool), voiced, np.ones(n), last_voice,
                wait, b_later, 0.2, group, suppression, 0.0, 7)
    assert voiced.tolist() == [False, False, True, True]
    assert last_voice.tolist() == [-1, -1, 7, 7]
    assert b_later.tolist() == [False, False, False, False], "a voice now says 'now', as the core voice does"
    _voice_rows(np.arange(2), np.full(2, 0.25 * own), np.ones(n), np.zeros(n, bool), voiced, np.ones(n), last_voice,
                wait, b_later, 0.2, group, suppression, 0.0, 8)
    assert voiced.tolist() == [True, True, True, True] and b_later.tolist() == [True, True, False, False]


def test_mentoring_can_target_several_groups() -> None:
    """Groups that cross gender with place (women_office, women_remote) could not all be mentored at once
    (an org-design trial): ``group`` takes a list. One group in a list is that group, to the last bit."""
    from sim.interventions.mentoring import Mentoring  # noqa: PLC0415

    def mentees(group: Any) -> tuple[set[int], dict[str, float]]:
        spec = load_scenario("baseline", headcount=300, overrides={"interventions": {"mentoring": {"group": group}}})
        model = PromotionModel(scenario=spec, rng=3)
        for _ in range(14):
            model.step()
        lever = next(x for x in model.interventions if isinstance(x, Mentoring))
        return set(model.workforce.group[lever.mentees(model)].tolist()), model.recorder.summary()

    both, _ = mentees(["women", "men"])
    assert both == {0, 1}
    only, alone = mentees("women")
    assert only == {1}
    listed, as_list = mentees(["women"])
    assert listed == only and as_list == pytest.approx(alone, nan_ok=True, abs=0)
    for group, words in ((["women", "martians"], "group 'martians' does not exist; groups: men, women"),
                         (["women", "women"], "group 'women' is listed twice")):
        with pytest.raises(InputError, match=words):
            load_scenario("baseline", overrides={"interventions": {"mentoring": {"group": group}}})
    from sim.experiment.cli import lever_list  # noqa: PLC0415

    arm, other = lever_list("mentoring:group=[women_office,women_remote],career_conversations")
    assert arm.label == "mentoring_group_women_office_women_remote" and other.label == "career_conversations"


# ---------------------------------------------------------------------------------------------
# Picking the highest scores


@given(
    st.lists(st.sampled_from([0.0, -0.0, 0.25, 1.0, np.inf, -np.inf, np.nan]) | st.floats(-3, 3), max_size=60),
    st.integers(-1, 65),
)
def test_highest_picks_what_a_full_stable_sort_picks(scores: list[float], k: int) -> None:
    """Ties (-0.0 and 0.0 among them), infinities and NaNs included, any ``k``."""
    values = np.array(scores, dtype=float)
    assert np.array_equal(highest(values, k), np.argsort(-values, kind="stable")[:max(k, 0)])


# ---------------------------------------------------------------------------------------------
# Bad lever parameters: one line each, exit code 2


FLAT_ORG = """\
name: flat
organisation:
  levels:
    - {name: Junior, positions: {specialist: 20}, hire_share: 1.0}
    - {name: Senior, positions: {specialist: 8}}
interventions:
  parallel_ladders: {}
"""

BAD_LEVERS: dict[str, tuple[str, list[str]]] = {
    "unknown_lever": (
        "interventions:\n  career_conversation: {}\n",
        ["interventions.career_conversation", "unknown intervention", "did you mean 'career_conversations'"],
    ),
    "unknown_parameter": (
        "interventions:\n  career_conversations: {covrage: 0.5}\n",
        ["interventions.career_conversations.covrage", "unknown parameter", "did you mean 'coverage'",
         "allowed: coverage, hours_per_conversation"],
    ),
    "out_of_range": (
        "interventions:\n  stretch_pilots: {time_share: 1.5}\n",
        ["interventions.stretch_pilots.time_share", "must be from 0 to 1", "1.5"],
    ),
    "wrong_type": (
        "interventions:\n  psychological_safety: {penalty_reduction: high}\n",
        ["interventions.psychological_safety.penalty_reduction", "must be a number, from 0 to 1", "'high'"],
    ),
    "missing_group": (
        "interventions:\n  mentoring: {group: martians}\n",
        ["interventions.mentoring", "group 'martians' does not exist; groups: men, women"],
    ),
    # Group names are matched exactly: a capital letter read as a group that does not exist, with no hint.
    "group_in_another_case": (
        "interventions:\n  mentoring: {group: Women}\n",
        ["interventions.mentoring", "group 'Women' does not exist (did you mean 'women'?); groups: men, women"],
    ),
    "no_management_track": (FLAT_ORG, ["interventions.parallel_ladders", "no level has management positions"]),
    # Two levels are both key levels at the default of 2: nobody below them to mentor, so the
    # lever ran at no cost and changed nothing, which a comparison reported as its effect.
    "mentoring_with_no_level_below_the_key_levels": (
        FLAT_ORG.replace("specialist: 8", "specialist: 4, management: 4")
        .replace("parallel_ladders: {}", "mentoring: {group: all}"),
        ["interventions.mentoring", "metrics.key_levels (2)", "2 levels", "at most 1"],
    ),
}


def write_case(case: str, folder: Path) -> Path:
    text, _ = BAD_LEVERS[case]
    body = text if text.startswith("name:") else f"extends: {SCENARIOS / 'baseline.yaml'}\n{text}"
    path = folder / f"{case}.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def test_bad_lever_parameters_give_one_line_errors(tmp_path: Path) -> None:
    """All cases through the real ``python -m sim validate`` in one process (it is slow to start)."""
    files = [write_case(case, tmp_path).name for case in BAD_LEVERS]
    done = run_cli("validate", *files, cwd=tmp_path)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == len(BAD_LEVERS), done.stderr
    for line, (case, (_, words)) in zip(lines, BAD_LEVERS.items(), strict=True):
        assert line.startswith(f"{case}.yaml: "), line
        for word in words:
            assert word in line, (case, word, line)


@pytest.mark.parametrize("case", list(BAD_LEVERS))
def test_each_bad_lever_file_alone_exits_with_code_2(case: str, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """The same cases one at a time, in-process (``python -m sim`` is ``sim.cli.main``)."""
    path = write_case(case, tmp_path)
    assert main(["validate", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and err.endswith("\n"), err
    for word in BAD_LEVERS[case][1]:
        assert word in err, (word, err)


def test_every_shipped_lever_scenario_validates(capsys: pytest.CaptureFixture[str]) -> None:
    names = [*LEVERS, "all_levers"]
    assert main(["validate", *(str(SCENARIOS / f"{n}.yaml") for n in names)]) == 0
    lines = capsys.readouterr().out.splitlines()
    for line, name in zip(lines, names, strict=True):
        ending = "8 interventions)" if name == "all_levers" else "1 intervention)"
        assert f"({name}: " in line and line.endswith(ending), line


# ---------------------------------------------------------------------------------------------
# Listing


def test_promosim_interventions_lists_all_eight_with_parameters() -> None:
    script = shutil.which("promosim", path=str(Path(sys.executable).parent))
    if script is not None:
        done = subprocess.run([script, "interventions"], capture_output=True, text=True, cwd=ROOT,
                              env=cli_env(), timeout=120, check=False)
    else:
        done = run_cli("interventions")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    registry = load_all()
    assert set(registry) == set(LEVERS)
    listing, how = out.split("\n\n")
    headers = [line.split(":", 1)[0] for line in listing.splitlines() if not line.startswith(" ")]
    assert sorted(headers) == sorted(LEVERS)
    assert "compare --levers mentoring:coverage=0.5" in how  # how to set them, from the command line too
    words = " ".join(out.split())  # the listing wraps each lever's why at 100 columns
    for name, cls in registry.items():
        assert f"{name}: {cls.description}" in out
        # How it moves the metrics and its side effects: the text report.md shows under its arms (Intervention.why).
        assert cls.why.endswith(".") and "Known side effects: " in cls.why and "lever time" in cls.why, name
        assert f"how it works: {' '.join(cls.why.split())}" in words, name
        assert cls.Params.model_fields, name
        for field, info in cls.Params.model_fields.items():
            assert f"    {field} = {info.default!r}" in out, (name, field)


def test_promosim_interventions_shows_the_levers_named(capsys: pytest.CaptureFixture[str]) -> None:
    """An org-design trial typed ``promosim interventions parallel_ladders`` to read one lever and met
    "unrecognized arguments"."""
    assert main(["interventions", "parallel_ladders", "mentoring"]) == 0
    out = capsys.readouterr().out
    headers = [line.split(":", 1)[0] for line in out.split("\n\n")[0].splitlines() if not line.startswith(" ")]
    assert headers == ["mentoring", "parallel_ladders"]
    assert "    specialist_share = 0.35" in out and "compare --levers" in out
    with pytest.raises(SystemExit) as stop:
        main(["interventions", "parallel_ladder"])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and err.count("\n") == 1, err
    assert "unknown intervention 'parallel_ladder' (did you mean 'parallel_ladders'?); known: " in err


def _latest_measured(lever: str, metric: str) -> tuple[float, str]:
    """A lever's paired difference of ``metric`` and its sign (+, - or 0) in docs/interventions.md's latest measured
    block, the first under "Measured effects" (``scripts/measure_interventions.py``'s output, pasted unchanged)."""
    text = (ROOT / "docs" / "interventions.md").read_text(encoding="utf-8")
    latest = text.split("\n## Measured effects\n", 1)[1].split("\nMeasured with `")[1]
    row = next(line for line in latest.splitlines() if line.startswith(f"| {lever} | baseline | `{metric}` |"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    return float(cells[6]), cells[8]


def test_psychological_safetys_team_performance_is_said_as_the_latest_block_measured_it() -> None:
    """The latest measured block has team performance dip clearly (-0.0020 [-0.0032, -0.0008]), while the lever's
    section said "does not measurably change" and its ``why``, which report.md shows under its arms, said
    nothing: both now say the dip, with the figure in the docs."""
    diff, sign = _latest_measured("psychological_safety", "team_performance")
    assert sign == "-", "the latest block changed: say what it measured, here and in the lever's why"
    assert "team performance dips slightly" in load_all()["psychological_safety"].why
    text = (ROOT / "docs" / "interventions.md").read_text(encoding="utf-8")
    section = text.split("### 5. Psychological safety")[1].split("\n### ")[0]
    said = " ".join(section.split("**Side effects (measured).**")[1].split())
    assert "does not measurably change" not in said
    assert f"Team performance dips slightly, for a reason not yet traced: {diff:+.3f}".replace("-", "\u2212") in said


@pytest.mark.parametrize(("lever", "metric", "sign", "said"), [
    ("parallel_ladders", "team_performance", "+", "team performance rises slightly"),
    ("psychological_safety", "plateau_rate", "+", "slightly more people are plateaued"),
    ("psychological_safety", "development_roi", "-", "the share of development that leads to a wanted promotion"),
])
def test_a_levers_why_says_its_clear_side_effects(lever: str, metric: str, sign: str, said: str) -> None:
    """report.md shows each lever's ``why`` under its arms; it left out side effects the latest measured block
    calls clear (parallel ladders' team performance +0.0028, psychological safety's plateaus +0.0074 and
    development ROI -0.0074), so a reader took them for surprises of their own run."""
    assert _latest_measured(lever, metric)[1] == sign, "the latest block changed: say what it measured in the why"
    assert said in " ".join(load_all()[lever].why.split())


def test_career_conversations_with_nobody_asked_change_nothing() -> None:
    """The lever's use of direction rests on its conversations: at coverage 0 it used to sort everyone never
    asked by the prior's 0.5 (as if they wanted management), which removed most unwanted promotions in an
    organisation with two ladders without a single conversation (from an org-design trial)."""
    two_ladders = {"extends": "parallel_ladders", "years": 3}
    without = simulate(two_ladders, seed=3).summary
    asked_nobody = simulate({**two_ladders, "interventions": {"career_conversations": {"coverage": 0.0}}},
                            seed=3).summary
    assert asked_nobody == pytest.approx(without, nan_ok=True)


def test_a_retired_lever_parameter_says_what_replaced_it() -> None:
    """parallel_ladders' accept_wrong_track went in session 10: files that set it got "unknown parameter" alone."""
    with pytest.raises(InputError, match=r"interventions\.parallel_ladders\.accept_wrong_track: no longer a "
                                         r"parameter of the lever.*promotion\.accept_other_track"):
        load_scenario("baseline", overrides={"interventions": {"parallel_ladders": {"accept_wrong_track": 0.15}}})


def test_a_pilot_left_behind_by_someone_who_left_does_not_bar_the_rows_next_occupant() -> None:
    """A pilot longer than the review cycle outlived a holder who left; the newcomer in that row was kept out of
    the next review's offers until the outcomes phase forgot the pilot (ODD audit). The row's pilot is made
    someone else's (a uid nobody has) and its occupant made the keenest: they must be offered a place."""
    spec = load_scenario("stretch_pilots", headcount=300, overrides={
        "warmup_months": 0, "interventions.stretch_pilots.months": 24,
        "interventions.stretch_pilots.pilots_per_100": 1})
    model = PromotionModel(scenario=spec, rng=3)
    for _ in range(11):
        model.step()
    lever = next(lever for lever in model._hooks["reviews"] if lever.name == "stretch_pilots")
    wf = model.workforce
    row = int(wf.rows[wf.level[wf.rows] == 0][0])
    lever.until[row], lever.holder[row] = model.month + 12, -7
    wf.b_interest[row], wf.visibility[row] = 5.0, 1.0  # far ahead of everyone in the ranking
    offers = model.flow["stretch_offers"]
    model.month += 1  # the review month, as _advance sets it
    lever.on_reviews(model, np.random.default_rng(0))
    assert model.flow["stretch_offers"] > offers
    assert lever.holder[row] == wf.uid[row] or wf.b_interest[row] == 5.0 * 0.8


def test_pilots_are_offered_at_the_warm_ups_first_review() -> None:
    """A row never piloted was marked as ending at month -1, which the review at month -12 read as a pilot still
    running: the warm-up's first review offered no place while every other lever acted from the warm-up's start
    (ODD 11.2). Pilots from that review (ending at month -12 + months) must be on the lever's books after the
    warm-up, held by people still in their row."""
    spec = load_scenario("stretch_pilots", headcount=300)
    assert spec.warmup_months >= 12
    model = PromotionModel(scenario=spec, rng=1)
    lever = next(lever for lever in model._hooks["reviews"] if lever.name == "stretch_pilots")
    ends = lever.until[lever.pilot_rows]
    assert np.count_nonzero(ends == -12 + lever.params.months) > 0, sorted(set(ends.tolist()))


@given(st.dictionaries(st.integers(0, 6), st.tuples(st.integers(1, 120), st.integers(0, 130)), min_size=1,
                       max_size=4), st.floats(0.001, 0.999))
def test_the_specialist_share_said_to_fit_is_the_largest_that_does(levels: dict[int, tuple[int, int]],
                                                                    share: float) -> None:
    """The capacity error said "convert a smaller share" without saying which (an org-design trial): the share it
    names leaves every level the management posts its people hold, and one step more does not."""
    from sim.interventions.parallel_ladders import converted, largest_share  # noqa: PLC0415

    management = {level: m for level, (m, _) in levels.items()}
    held = {level: h for level, (_, h) in levels.items()}
    moved = round(management[min(levels)] * share)  # the conversion as it always was, one level
    assert converted(management[min(levels)], share) == min(moved, management[min(levels)] - 1)

    def fits(s: float) -> bool:
        return all(m - converted(m, s) >= held[level] for level, m in management.items())

    found = largest_share(management, held)
    if any(h > management[level] for level, h in held.items()):
        assert found is None  # the people do not fit the positions the lever started from
        return
    assert found is not None and 0 < found < 1 and fits(found)
    step = 10.0 ** -max(2, len(repr(found).split(".")[1]))  # hundredths, or finer where none fits
    assert found + step >= 1 or not fits(round(found + step, 6))


def test_a_headcount_file_names_the_ladder_share_that_fits(capsys: pytest.CaptureFixture[str]) -> None:
    """Run at the share the error names, the file's people fit; a hundredth more, they do not."""
    from sim.model import check_fills  # noqa: PLC0415

    key = "interventions.parallel_ladders.specialist_share"
    check_fills(load_scenario(SCENARIOS / "synthetic_org.yaml", overrides={key: 0.1}))
    with pytest.raises(InputError, match=r"specialist_share of 0\.1 or less fits \(this one was 0\.11\)"):
        check_fills(load_scenario(SCENARIOS / "synthetic_org.yaml", overrides={key: 0.11}))
    # A file that does not fit the scenario's own positions, lever or not, is not blamed on the lever.
    for level, track in ((3, "management"), (1, "specialist")):
        positions = {key: 0.1, f"organisation.levels.{level}.positions.{track}": 3}
        with pytest.raises(InputError) as refused:
            check_fills(load_scenario(SCENARIOS / "synthetic_org.yaml", overrides=positions))
        assert f"but 3 positions in the scenario (organisation.levels[{level}].positions.{track})" in str(refused.value)
        assert str(refused.value).endswith(f"positions.{track})"), "no word of the lever, which no share of would fix"
