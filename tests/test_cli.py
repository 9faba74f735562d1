"""The real command line, run as a subprocess: help, outputs, and one-line errors with exit code 2."""

from __future__ import annotations

import json
import re
import shlex
import signal
import subprocess
import sys
import time
from collections import Counter
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml
from conftest import BASELINE, ROOT, SCENARIOS, TINY, cli_env, run_cli, run_cli_dropping_ctrl_c

from sim import PromotionModel, load_scenario, simulate
from sim.cli import main, run_table_schemas
from sim.experiment.report import Provenance, provenance_lines
from sim.metrics import METRICS
from sim.simulation import decliner_table, development_table, promotion_table

# ---------------------------------------------------------------------------------------------
# Help


@pytest.fixture(scope="module")
def top_help() -> subprocess.CompletedProcess[str]:
    return run_cli("--help")


def test_python_dash_m_sim_help(top_help: subprocess.CompletedProcess[str]) -> None:
    out = top_help
    assert out.returncode == 0, out.stderr
    for command in ("run", "validate"):
        assert command in out.stdout
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("run", ["--seed", "--years", "--set", "--out", "--csv", "--headcount"]),
        ("validate", ["files"]),
    ],
)
def test_subcommand_help(command: str, options: list[str]) -> None:
    out = run_cli(command, "--help")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("usage:")
    for option in options:
        assert option in out.stdout


def test_compare_help_names_every_family_shown_only_when_named() -> None:
    """``--metrics``'s default leaves out each group's ledger rates and share of the top (``ON_REQUEST``);
    the help named the ledger rates alone, so a reader could not tell ``top_share.<group>`` is left out too."""
    out = run_cli("compare", "--help")
    assert out.returncode == 0, out.stderr
    said = " ".join(out.stdout.split())
    assert "share of the top, such as promotion_stick_rate.<group> and top_share.<group>, shown when named" in said


def test_the_promosim_script_is_the_same_program(top_help: subprocess.CompletedProcess[str]) -> None:
    script = Path(sys.executable).parent / "promosim"
    if not script.exists():
        pytest.skip("the promosim console script is not installed in this environment")
    out = subprocess.run([str(script), "--help"], capture_output=True, text=True, env=cli_env(), check=False)
    assert out.returncode == 0
    assert out.stdout == top_help.stdout


# ---------------------------------------------------------------------------------------------
# promosim run: the files it writes

RUN_ARGS = ("--seed", "7", "--years", "1", "--headcount", "120", "--set", "warmup_months=6", "--set",
            "policy.name=random", "--quiet")


@pytest.fixture(scope="module")
def parquet_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    out_dir = tmp_path_factory.mktemp("run") / "out"
    return run_cli("run", BASELINE, *RUN_ARGS, "--out", out_dir), out_dir


def test_run_writes_parquet_tables_scenario_and_metadata(parquet_run: tuple[Any, Path]) -> None:
    done, out_dir = parquet_run
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    for name in ("summary.parquet", "timeseries.parquet", "events.parquet", "promotions.parquet", "decliners.parquet",
                 "development.parquet", "scenario.yaml", "metadata.json"):
        assert (out_dir / name).is_file(), name
    # the summary is printed as a table, each metric in words (as compare names it) beside its key
    line = next(line for line in done.stdout.splitlines() if "misread_rate" in line)
    assert "misread rate" in line and "lower is better" in line
    assert "headcount" in done.stdout


def test_run_metadata_has_seed_versions_and_revision(parquet_run: tuple[Any, Path]) -> None:
    _, out_dir = parquet_run
    meta = json.loads((out_dir / "metadata.json").read_text())
    assert meta["seed"] == 7
    packages = meta["packages"]
    # numba, scipy and SALib too: the compiled loops, the intervals and the sensitivity indices depend on them.
    for pkg in ("mesa", "numpy", "numba", "scipy", "SALib", "pandas"):
        assert packages[pkg] == version(pkg)
    assert packages["mesa"].startswith("3.3.")
    revision = meta["git_revision"]
    assert revision is None or re.fullmatch(r"[0-9a-f]{40}", revision)
    root = Path(__file__).resolve().parent.parent
    if (root / ".git").exists():
        assert revision is not None
        edited = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", "sim", "scenarios",
                                 "experiments", "pyproject.toml"], check=True, capture_output=True, text=True,
                                cwd=root).stdout
        assert meta["git_uncommitted_changes"] is bool(edited.strip())  # a revision alone would not reproduce edits


def test_run_metadata_records_the_command_that_reproduces_it(tmp_path: Path) -> None:
    """metadata.json said ``"scenario": "baseline"`` after ``--set policy.name=readiness``, with no word of the
    command, its overrides, --headcount or --years (a reproducibility trial): only scenario.yaml had the values."""
    here = tmp_path / "my study"
    here.mkdir()
    (here / "org.yaml").write_text(f"extends: {BASELINE}\nname: org\n")
    done = run_cli("run", "org.yaml", "--set", "policy.name=readiness", "--set", "warmup_months=6", "--headcount",
                   "120", "--years", "1", "--seed", "5", "--quiet", "--out", "first run", cwd=here)
    assert done.returncode == 0, done.stderr
    meta = json.loads((here / "first run" / "metadata.json").read_text())
    # Paths as typed (shell-quoted), with the folder they are relative to; --quiet changes nothing, so it is left out.
    assert meta["command"] == ("promosim run org.yaml --years 1 --headcount 120 --seed 5 --out 'first run' "
                               "--set policy.name=readiness --set warmup_months=6")
    assert meta["cwd"] == str(here)
    assert meta["set"] == {"policy.name": "readiness", "warmup_months": 6}
    assert (meta["headcount"], meta["years"], meta["seed"], meta["scenario"]) == (120, 1, 5, "org")
    # The command, run again from its folder into another, gives the same tables.
    words = shlex.split(meta["command"])
    assert words[0] == "promosim"
    words[words.index("--out") + 1] = str(tmp_path / "again")
    again = run_cli(*words[1:], cwd=Path(meta["cwd"]))
    assert again.returncode == 0, again.stderr
    for table in ("summary", "timeseries", "events", "promotions"):
        first = pd.read_parquet(here / "first run" / f"{table}.parquet")
        assert len(first) > 0 or table == "promotions", table
        pd.testing.assert_frame_equal(first, pd.read_parquet(tmp_path / "again" / f"{table}.parquet"))
    summary = pd.read_parquet(here / "first run" / "summary.parquet").set_index("metric")["value"]
    assert summary["promotions"] > 0  # a run in which something happened
    # Without --set, none is recorded; --csv, which changes the files written, is in the command.
    done = run_cli("run", "org.yaml", "--quiet", "--csv", "--headcount", "60", "--years", "0.5", "--out", "csv",
                   cwd=here)
    assert done.returncode == 0, done.stderr
    meta = json.loads((here / "csv" / "metadata.json").read_text())
    assert meta["command"] == "promosim run org.yaml --years 0.5 --headcount 60 --seed 1 --out csv --csv"
    assert meta["set"] == {}


def test_uncommitted_changes_are_named_in_the_report() -> None:
    meta = {"python": "3.11", "packages": {}, "git_revision": "abc", "executor": "x", "created": "now"}
    for edited in (False, True):
        session = {**meta, "git_uncommitted_changes": edited}
        lines = "".join(provenance_lines(Provenance(latest=session, makers=[session], made=Counter())))
        assert ("with uncommitted changes" in lines) is edited


def test_runs_reused_from_another_version_are_warned_of() -> None:
    # The same command after a change to the engine reuses every stored run (its id does not depend on
    # the code): the report must say that its numbers are not this version's, also when one version made them all.
    meta = {"python": "3.11", "packages": {"numpy": "2"}, "git_revision": "abc", "git_uncommitted_changes": True,
            "executor": "x", "created": "now"}
    old = {**meta, "session": "s1", "engine_digest": "111111111111"}
    later = {**meta, "session": "s2", "git_revision": "def"}  # a later commit (of the docs, say)
    for latest, maker, warned in ((later | {"engine_digest": "222222222222"}, old, True),
                                  (later | {"engine_digest": "111111111111"}, old, False),  # the same engine
                                  (later | {"engine_digest": "111111111111"}, meta | {"session": "s1"}, True)):
        lines = "\n".join(provenance_lines(Provenance(latest=latest, makers=[maker], made=Counter({"s1": 4}))))
        assert ("made by another version than the latest command's" in lines) is warned


def test_run_writes_the_fully_resolved_scenario(parquet_run: tuple[Any, Path]) -> None:
    _, out_dir = parquet_run
    written = load_scenario(out_dir / "scenario.yaml")
    overrides = {"warmup_months": 6, "policy.name": "random", "years": 1}
    expected = load_scenario(BASELINE, headcount=120, overrides=overrides)
    assert written == expected
    assert "behaviour" in yaml.safe_load((out_dir / "scenario.yaml").read_text())


def test_run_tables_equal_the_api_run(parquet_run: tuple[Any, Path]) -> None:
    _, out_dir = parquet_run
    scenario = load_scenario(out_dir / "scenario.yaml")
    api = simulate(scenario, seed=7)
    summary = pd.read_parquet(out_dir / "summary.parquet")
    assert list(summary.columns) == ["metric", "value"]
    assert set(METRICS) <= set(summary["metric"])
    pd.testing.assert_series_equal(
        summary.set_index("metric")["value"], pd.Series(api.summary, name="value").rename_axis("metric")
    )
    timeseries = pd.read_parquet(out_dir / "timeseries.parquet")
    pd.testing.assert_frame_equal(timeseries, api.timeseries, check_dtype=False)
    events = pd.read_parquet(out_dir / "events.parquet")
    pd.testing.assert_frame_equal(events, api.events, check_dtype=False)
    assert {"hire", "exit"} & set(events["kind"])
    promotions = pd.read_parquet(out_dir / "promotions.parquet")
    pd.testing.assert_frame_equal(promotions, api.promotions, check_dtype=False)
    assert len(promotions) == api.summary["promotions"] > 0


def test_the_promotions_table_holds_what_the_promotion_metrics_count() -> None:
    """A stick rate by group needs the records the one number counts (a researcher's trial)."""
    result = simulate(load_scenario(BASELINE, headcount=400), seed=3, years=4)
    table, summary = result.promotions, result.summary
    assert len(table) == summary["promotions"] and table["step"].between(1, 48).all()
    settled_by_then = table[table["step"] <= 48 - result.scenario.promotion.stick_window_months]
    assert (settled_by_then["outcome"] == "stuck").mean() == summary["promotion_stick_rate"]
    # Each group's stick rate is the same share among its own promotions.
    by_group = (settled_by_then["outcome"] == "stuck").groupby(settled_by_then["group"]).mean()
    assert by_group.to_dict() == {g: summary[f"promotion_stick_rate.{g}"] for g in ("men", "women")}
    assert by_group.min() < summary["promotion_stick_rate"] < by_group.max()  # not the whole rate twice
    assert table["unwanted"].mean() == summary["unwanted_promotion_rate"]
    assert table["wrong_fit"].mean() == summary["wrong_fit_promotion_rate"]
    assert set(table["group"]) == {"men", "women"} and set(table["track"]) <= {"specialist", "management"}
    assert (table["to_level"] == table["from_level"] + 1).all()
    pending = table["outcome"] == "pending"
    assert table["settled_step"].isna().eq(pending).all() and (table["settled_step"] >= table["step"]).all()
    # The same people as the events' promotions.
    events = result.events[result.events["kind"] == "promotion"]
    made = sorted(zip(table["step"], table["employee"], strict=True))
    assert made == sorted(zip(events["step"], events["employee"], strict=True))


def test_the_decliner_and_development_tables_hold_what_their_metrics_count() -> None:
    """decliner_retention and development_roi, broken down by person and month, as the promotions are."""
    result = simulate(load_scenario(BASELINE, headcount=400), seed=3, years=4)
    summary, windows = result.summary, result.scenario.metrics
    for table, window, rate, success in (
        (result.decliners, windows.decliner_window_months, "decliner_retention", "stayed"),
        (result.development, windows.roi_window_months, "development_roi", "succeeded"),
    ):
        assert len(table) > 20 and table["step"].between(1, 48).all()
        cohort = table[table["step"] <= 48 - window]
        assert (cohort["outcome"] == success).mean() == summary[rate], rate
        by_group = (cohort["outcome"] == success).groupby(cohort["group"]).mean()
        assert by_group.to_dict() == {g: summary[f"{rate}.{g}"] for g in ("men", "women")}, rate
        pending = table["outcome"] == "pending"
        assert table["settled_step"].isna().eq(pending).all() and (table["settled_step"] >= table["step"]).all()
    assert set(result.decliners["outcome"]) == {"stayed", "left", "pending"}
    assert set(result.development["toward"]) == {"specialist", "management"}
    declines = result.events[result.events["kind"] == "decline"]
    assert sorted(zip(result.decliners["step"], result.decliners["employee"], strict=True)) == sorted(
        zip(declines["step"], declines["employee"], strict=True))


def test_each_groups_ledger_rates_are_its_own_records_and_make_up_the_whole() -> None:
    """``promotion_stick_rate.<group>``, ``decliner_retention.<group>`` and ``development_roi.<group>``:
    each is the rate over the group's records, which weighted by their numbers give the whole rate."""
    import numpy as np  # noqa: PLC0415

    from sim.metrics import ledger_window  # noqa: PLC0415

    scenario = load_scenario(BASELINE, headcount=400)
    model = PromotionModel(scenario=scenario, rng=3)
    for _ in range(48):
        model.step()
    summary, wf, groups = model.recorder.summary(), model.workforce, scenario.group_names
    for rate, ledger in (("promotion_stick_rate", model.promotions), ("decliner_retention", model.decliners),
                         ("development_roi", model.development)):
        n = ledger.n
        uid, group, step = ledger.cols["uid"][:n], ledger.cols["group"][:n], ledger.cols["step"][:n]
        # A record's group is its person's (checked on those still employed).
        here = np.isin(uid, wf.uid[wf.active])
        assert here.sum() > 20, rate
        assert (group[here] == wf.group[model.row_of_uid(uid[here])]).all(), rate
        made = (step >= 1) & (step <= 48 - ledger_window(scenario, rate))
        counts = np.bincount(group[made], minlength=len(groups))
        assert (counts > 5).all(), (rate, counts)
        by_group = [summary[f"{rate}.{g}"] for g in groups]
        assert np.dot(counts, by_group) / counts.sum() == pytest.approx(summary[rate], abs=1e-12), rate
        assert min(by_group) < summary[rate] < max(by_group), rate  # not the whole rate once per group


def test_each_groups_share_of_the_top_is_its_people_there() -> None:
    """``top_share.<group>``: each month the group's people in the top ``metrics.key_levels`` levels over
    everyone there (the time series' headcounts by group and level), in the summary their last-year mean;
    the shares add up to 1, and over the group's share of everyone each is its representation ratio."""
    scenario = load_scenario(BASELINE, headcount=400)
    model = PromotionModel(scenario=scenario, rng=3)
    for _ in range(30):
        model.step()
    summary, ts = model.recorder.summary(), model.recorder.timeseries()
    cells = ts[(ts["metric"] == "headcount") & ts["level"].notna() & ts["group"].notna()]
    heads = cells.pivot_table(index="step", columns=["group", "level"], values="value", aggfunc="sum")
    top = heads.loc[:, [lv >= scenario.n_levels - scenario.metrics.key_levels for _, lv in heads.columns]]
    whole = ts[ts["level"].isna() & ts["group"].isna()].pivot_table(index="step", columns="metric", values="value")
    window = scenario.metrics.summary_window_months
    for group in scenario.group_names:
        share = top[group].sum(axis=1) / top.sum(axis=1)
        assert (whole[f"top_share.{group}"] == share).all(), group  # exact: sums of whole numbers
        assert summary[f"top_share.{group}"] == pytest.approx(share.iloc[-window:].mean(), abs=1e-12)
        of_all = heads[group].sum(axis=1) / heads.sum(axis=1)
        assert (whole[f"representation_ratio.{group}"] - share / of_all).abs().max() < 1e-12, group
    assert sum(summary[f"top_share.{g}"] for g in scenario.group_names) == pytest.approx(1.0)
    assert 0.2 < summary["top_share.women"] < 0.8


def test_every_event_kind_the_code_logs_is_listed_in_the_odd() -> None:
    """The README's "..." left a researcher to find the kinds in the code; the ODD lists them, and this keeps it so."""
    logged = set()
    for path in (ROOT / "sim").rglob("*.py"):
        logged |= set(re.findall(r'events\.add\w*\(\s*[^"]*?"([a-z_]+)"', path.read_text(encoding="utf-8"), re.S))
    odd = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")
    listed = odd.split("The `kind` values are", 1)[1].split(".\n", 1)[0]
    assert len(logged) >= 16 and set(re.findall(r"`([a-z_]+)`", listed)) == logged


def test_every_per_group_stock_is_listed_where_the_odd_says_how_stocks_are_summarised() -> None:
    """The ODD's 7.12.4 named ``representation_ratio.*`` among the stocks averaged over the last year, and
    ``top_share.*``, averaged the same way, was left for a reader to guess at (a review's trial)."""
    model = PromotionModel(scenario=load_scenario(BASELINE, headcount=100), rng=1)
    model.step()
    families = {key.split(".", 1)[0] for key in model.recorder.stocks[-1] if "." in key}
    odd = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")
    stocks = odd.split("**7.12.4 Summary aggregation**", 1)[1].split("**flows**", 1)[0]
    assert families >= {"representation_ratio", "top_share"}
    assert {family for family in families if f"`{family}.*`" not in stocks} == set()


def test_run_tables_keep_their_types_when_empty(parquet_run: tuple[Any, Path], tmp_path: Path) -> None:
    """Tables without rows (a model not yet stepped: no series rows, no events) keep a full run's schemas.

    Left to infer types from the frame, pyarrow writes such columns as nulls.
    """
    model = PromotionModel(scenario=load_scenario(TINY), rng=1)
    frames = {"summary": pd.DataFrame({"metric": pd.Series(dtype="str"), "value": pd.Series(dtype="float64")}),
              "timeseries": model.recorder.timeseries(), "events": model.events.to_frame(),
              "promotions": promotion_table(model), "decliners": decliner_table(model),
              "development": development_table(model)}
    assert all(frame.empty for frame in frames.values() if frame is not frames["summary"])
    _, full = parquet_run
    schemas = run_table_schemas()
    for name, frame in frames.items():
        empty, other = tmp_path / f"{name}.parquet", full / f"{name}.parquet"
        frame.to_parquet(empty, index=False, schema=schemas[name])
        assert pq.read_schema(empty).remove_metadata().equals(pq.read_schema(other).remove_metadata()), name
        pd.testing.assert_series_equal(pd.read_parquet(empty).dtypes, pd.read_parquet(other).dtypes, obj=name)


def test_the_run_summary_fits_an_80_column_terminal(capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """With words and keys side by side the table was 94 characters wide at any terminal (a fixed
    width of 110): at 80 columns every row broke in two. The words wrap; each key stays whole."""
    from sim.cli import print_summary  # noqa: PLC0415

    summary = {**{m: 0.5 for m in METRICS}, "representation_ratio.men": 0.8, "representation_ratio.women": 1.2}
    monkeypatch.setenv("COLUMNS", "80")
    print_summary(summary, "baseline (seed 1, 10 years)")
    lines = capsys.readouterr().out.splitlines()
    assert max(map(len, lines)) <= 80, "\n".join(lines)
    for key in summary:
        assert any(f"│ {key} " in line for line in lines), key  # a key is typed into files: never cut or folded
    monkeypatch.delenv("COLUMNS")
    print_summary(summary, "baseline (seed 1, 10 years)")  # not a terminal: one line a metric
    wide = capsys.readouterr().out
    assert "│ hidden ambition " in wide and "closer to 1 is better" in wide


def test_the_run_summary_says_which_levels_the_top_is(capsys: pytest.CaptureFixture[str]) -> None:
    """"women at the top" in run's summary did not say which levels (an org-design trial); report.md did."""
    assert main(["run", str(BASELINE), "--years", "0.25", "--headcount", "200", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^at the top: Director and Executive \(the top 2 of 6 levels, metrics\.key_levels; \d+ "
                     r"positions: one person there is about \d+ percentage points of a share\)$", out, re.M), out


def test_the_readme_explains_hire_share_where_its_example_sets_it() -> None:
    """The README's organisation set ``hire_share: 1.0`` unexplained, on the entry level, where it has no effect
    (docs/ODD.md): its example now sets it where it acts, says what it is, and validates."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rest = readme.partition("An organisation of your own")[2]
    prose, _, block = rest.partition("```yaml\n")
    example = yaml.safe_load(block.partition("```")[0])
    levels = example["organisation"]["levels"]
    assert "hire_share" not in levels[0] and any("hire_share" in level for level in levels[1:])
    assert "`hire_share`" in prose and "from outside" in prose and "entry level always hires" in prose
    assert load_scenario(example).organisation.levels[-1].hire_share == 0.5


def test_run_with_csv(tmp_path: Path) -> None:
    done = run_cli("run", BASELINE, *RUN_ARGS, "--out", tmp_path, "--csv")
    assert done.returncode == 0, done.stderr
    for name in ("summary", "timeseries", "events", "promotions"):
        frame = pd.read_csv(tmp_path / f"{name}.csv")
        assert len(frame) > 0
    assert (tmp_path / "scenario.yaml").is_file()
    assert json.loads((tmp_path / "metadata.json").read_text())["seed"] == 7


# ---------------------------------------------------------------------------------------------
# Every bad input: one line on stderr, exit code 2, the file and key path named, no traceback.

PARENT = (
    "organisation:\n  levels:\n    - {name: A, positions: {specialist: 10}}\n"
    "    - {name: B, positions: {management: 3}}\n"
)

# name -> (files to write, the file given to the CLI, words the line must contain)
BAD_FILES: dict[str, tuple[dict[str, str], str, list[str]]] = {
    "unknown key": (
        {"parent.yaml": PARENT, "bad.yaml": "extends: parent.yaml\npolicy:\n  nme: random\n"},
        "bad.yaml", ["policy.nme", "did you mean 'name'"],
    ),
    "wrong type": (
        {"bad.yaml": PARENT + "policy:\n  cycle_months: often\n"},
        "bad.yaml", ["policy.cycle_months", "must be a whole number, from 1 to 1,200 (got 'often')"],
    ),
    "out of range": (
        {"bad.yaml": PARENT + "exits:\n  base_monthly: 1.5\n"},
        "bad.yaml", ["exits.base_monthly", "must be from 0 to 1 (got 1.5)"],
    ),
    "shares not summing to 1": (
        {"bad.yaml": PARENT + "groups:\n  - {name: a, workforce_share: 0.5, hiring_share: 0.5}\n"
                              "  - {name: b, workforce_share: 0.3, hiring_share: 0.5}\n"},
        "bad.yaml", ["groups", "workforce_share", "sum to 1"],
    ),
    "level with no positions": (
        {"bad.yaml": "organisation:\n  levels:\n    - {name: A, positions: {specialist: 10}}\n"
                     "    - {name: B, positions: {management: 0}}\n"},
        "bad.yaml", ["organisation.levels[1]", "position"],
    ),
    "track that does not exist": (
        {"bad.yaml": "organisation:\n  levels:\n    - {name: A, positions: {specialist: 10}}\n"
                     "    - {name: B, positions: {managment: 3}}\n"},
        "bad.yaml", ["organisation.levels[1].positions.managment", "management"],
    ),
    "person on a track their level lacks": (
        {"bad.yaml": PARENT + "people:\n  - {name: Sam, level: A, track: management}\n"},
        "bad.yaml", ["people[0].track", "management"],
    ),
    "misspelt level of a named person": (
        {"bad.yaml": PARENT + "people:\n  - {name: Sam, level: AA}\n"},
        "bad.yaml", ["people[0].level: level 'AA' does not exist (did you mean 'A'?); levels: A, B"],
    ),
    "group that does not exist": (
        {"bad.yaml": PARENT + "people:\n  - {name: Sam, level: A, group: nobody}\n"},
        "bad.yaml", ["people[0].group", "nobody"],
    ),
    "yaml syntax error": (
        {"bad.yaml": "name: x\nyears: 2\npolicy: name: random\n"},
        "bad.yaml", ["line 3"],
    ),
    "key written twice": (
        {"bad.yaml": PARENT + "policy:\n  name: visibility\n  name: readiness\n"},
        "bad.yaml", ["line 7, column 3", "key 'name' appears twice"],
    ),
    "levels listed top first": (
        {"bad.yaml": "organisation:\n  levels:\n    - {name: C, positions: {management: 3}}\n"
                     "    - {name: B, positions: {management: 5}}\n    - {name: A, positions: {specialist: 10}}\n"},
        "bad.yaml", ["organisation: levels go from the bottom", "(C 3, B 5, A 10): listed top first?"],
    ),
    "two people of one name": (
        {"bad.yaml": PARENT + "people:\n  - {name: Sam, level: A}\n  - {name: Sam, level: B, track: management}\n"},
        "bad.yaml", ["people: names must be unique; repeated: ['Sam']"],
    ),
    "more positions than any machine holds": (
        {"bad.yaml": PARENT.replace("specialist: 10", "specialist: 900000000")},
        "bad.yaml", ["organisation: 900,000,003 positions in all; at most 3,000,000"],
    ),
    "missing file": ({}, "missing.yaml", ["missing.yaml", "not found"]),
    "extends cycle": (
        {"one.yaml": "extends: two.yaml\n", "two.yaml": "extends: one.yaml\n"},
        "one.yaml", ["extends", "cycle", "two.yaml"],
    ),
    "missing parent": (
        {"bad.yaml": "extends: ghost.yaml\n"},
        "bad.yaml", ["extends", "ghost.yaml", "looked beside this file", f"shipped scenarios ({SCENARIOS})"],
    ),
    "misspelt required key": (
        {"my_org.yaml": PARENT.replace("levels:", "levls:")},
        "my_org.yaml", ["organisation.levls: unknown key 'levls' (did you mean 'levels'?); "
                        "allowed: initial_fill, levels, min_months_in_role, source"],
    ),
    "misspelt required key of a group": (
        {"bad.yaml": PARENT + "groups: [{nme: a, workforce_share: 1.0, hiring_share: 1.0}]\n"},
        "bad.yaml", ["groups[0].nme", "did you mean 'name'"],
    ),
    "unsafe object tag": (
        {"bad.yaml": 'name: !!python/object/apply:os.system ["touch PWNED"]\n' + PARENT},
        "bad.yaml", ["python/object/apply:os.system"],
    ),
    "not a mapping": ({"bad.yaml": "- just\n- a list\n"}, "bad.yaml", ["mapping"]),
    "more named people than positions": (
        {"bad.yaml": PARENT + "people:\n" + "".join(f"  - {{name: P{i}, level: B, track: management}}\n"
                                                     for i in range(4))},
        "bad.yaml", ["people", "4 named people at level 'B'", "3 management positions"],
    ),
    "named people a lever leaves without positions": (
        {"bad.yaml": PARENT + "interventions: {parallel_ladders: {specialist_share: 0.9}}\npeople:\n"
                              "  - {name: P0, level: B, track: management}\n"
                              "  - {name: P1, level: B, track: management}\n"},
        "bad.yaml", ["people", "after the parallel_ladders lever changed the scenario", "1 management positions",
                     # B's 3 posts keep 2 while round(3 * share) <= 1: below 0.5, which rounds 1.5 up to 2
                     "interventions.parallel_ladders.specialist_share of 0.49 or less fits (this one was 0.9)"],
    ),
    "a run shorter than a month": ({"bad.yaml": PARENT + "years: 0.01\n"}, "bad.yaml", ["years", "one month"]),
    "a share written as a percentage": (
        {"bad.yaml": PARENT.replace("{specialist: 10}}", "{specialist: 10}, hire_share: 20%}")},
        "bad.yaml", ["organisation.levels[0].hire_share", "(got '20%'); this is a fraction from 0 to 1: write 0.2 "
                     "for 20%"],
    ),
    "a lever's share written as a percentage": (
        {"bad.yaml": PARENT + "interventions:\n  mentoring: {coverage: 15%}\n"},
        "bad.yaml", ["interventions.mentoring.coverage", "this is a fraction from 0 to 1: write 0.15 for 15%"],
    ),
    "a number in quotes": (
        {"bad.yaml": PARENT + 'behaviour:\n  voice_rate: "0.6"\n'},
        "bad.yaml", ["behaviour.voice_rate", "(got '0.6'); a number in quotes is text: write it without quotes"],
    ),
    "an exponent without a point": (
        {"bad.yaml": PARENT + "behaviour:\n  voice_rate: 1e-2\n"},
        "bad.yaml", ["behaviour.voice_rate", "YAML reads 1e-2 as text (an exponent needs a point, 1.0e-2): write 0.01"],
    ),
    "a group name with a space": (
        {"bad.yaml": PARENT + "groups: [{name: all staff, workforce_share: 1.0, hiring_share: 1.0}]\n"},
        "bad.yaml", ["groups[0].name: 'all staff' may hold only letters a-z, A-Z (no accents), digits, '_', '-'"],
    ),
    "an organisation file not found": (
        {"bad.yaml": PARENT + "  source: {file: nothere.csv}\n"},
        "bad.yaml", ["nothere.csv: file not found; looked in ", "(a relative organisation.source.file is read from "
                     "the folder of the scenario file that names it)"],
    ),
    "a headcount file given for the scenario": (
        {}, "nothere.csv", ["nothere.csv: file not found in the working folder (",
                            "a headcount file is not a scenario: give the scenario whose organisation.source.file"],
    ),
    "a mapping target that is not a level": (
        {"hris_team.yaml": PARENT + "  source:\n    file: org.csv\n    values:\n      level: {lead: Team Lead}\n",
         "org.csv": "id,level,track,manager\n1,lead,management,\n"},
        "hris_team.yaml", ["hris_team.yaml: organisation.source.values.level.lead: 'Team Lead' is not a level; "
                           "levels: A, B"],
    ),
    # The did-you-mean of a mapped column is one of what the file's cells may say (the mapping's keys), not the
    # model's names the cells are read as: 'Not rigth now' got none, the intents being manage, not_now, ...
    "misspelt values of mapped columns in a headcount file": (
        {"hris.yaml": PARENT + "  source:\n    file: org.csv\n    columns: {level: grade}\n    values:\n"
                               "      level: {Grade 1: A, Grade 2: B}\n"
                               "      intent: {Not right now: not_now, Prefer not to say: null}\n",
         "org.csv": "id,grade,track,manager,intent\n1,Grade 2,management,,\n2,Grade 1,specialist,1,Not rigth now\n"
                    "3,Grde 1,specialist,1,\n"},
        "hris.yaml", ["org.csv: row 3, column 'intent': value 'Not rigth now' (did you mean 'Not right "
                      "now'?) is not in the mapping organisation.source.values.intent ('Not right now', 'Prefer not "
                      "to say') nor an intent (manage, specialist, not_now, no_answer); map it to an intent",
                      "; also, 1 more cell to fix: column 'grade' row 4 (not in the mapping nor a level: 'Grde 1' "
                      "(did you mean 'Grade 1'?))"],
    ),
    "a lever taking positions an organisation file's people hold": (
        {"bad.yaml": f"extends: {SCENARIOS / 'synthetic_org.yaml'}\n"
                     "interventions: {parallel_ladders: {specialist_share: 0.9}}\n"},
        "bad.yaml", ["synthetic_org.csv", "people in the file", "after parallel_ladders changed the positions",
                     # what share fits, worked out: "convert a smaller share" alone left it to trial and error
                     "convert a smaller share: interventions.parallel_ladders.specialist_share of 0.1 or less fits "
                     "(this one was 0.9)"],
    ),
}


def _assert_one_line_error(done: subprocess.CompletedProcess[str], words: list[str]) -> str:
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert done.stderr.endswith("\n")
    line = lines[0]
    for word in words:
        assert word in line, (word, line)
    return line


def _write_case(case: str, folder: Path) -> tuple[str, list[str]]:
    files, target, words = BAD_FILES[case]
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return target, [target, *words]


def test_validate_gives_one_line_per_bad_file(tmp_path: Path) -> None:
    """Every bad case through the real ``promosim validate`` in one process (it is slow to start).

    Each case gets its own folder; ``validate`` checks them in order and prints one line per bad
    file, so N bad files must give exactly N lines, each naming its file, key path and problem.
    Good files among them (one in the middle, the shipped baseline at the end) print their "ok".
    """
    targets, expected = [], []
    for i, case in enumerate(BAD_FILES):
        folder = tmp_path / f"case{i:02d}"
        folder.mkdir()
        target, words = _write_case(case, folder)
        targets.append(f"case{i:02d}/{target}")
        expected.append((case, words))
    good = tmp_path / "good.yaml"
    good.write_text(yaml.safe_dump(TINY), encoding="utf-8")
    done = run_cli("validate", *targets[:3], "good.yaml", *targets[3:], BASELINE, cwd=tmp_path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    ok = done.stdout.splitlines()
    assert len(ok) == 2
    assert ok[0] == f"good.yaml: ok (tiny: {load_scenario(TINY).total_positions} positions, 3 levels, 0 interventions)"
    assert ok[1].startswith(f"{BASELINE}: ok (baseline:")
    lines = done.stderr.splitlines()
    assert len(lines) == len(BAD_FILES), done.stderr
    for line, target, (case, words) in zip(lines, targets, expected, strict=True):
        assert line.startswith(target), (case, line)
        for word in words:
            assert word in line, (case, word, line)
    assert not list(tmp_path.rglob("PWNED"))


def test_validate_and_describe_note_a_ladder_that_stops_and_resumes(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """A specialist rung written as a level of its own between management levels validated without a
    word (an org-design trial): the file is valid, so it stays exit 0, with a note naming the gap."""
    levels = [{"name": "Associate", "positions": {"specialist": 60}},
              {"name": "Senior", "positions": {"specialist": 30, "management": 8}},
              {"name": "Staff", "positions": {"specialist": 6}},
              {"name": "Principal", "positions": {"specialist": 3}},
              {"name": "Director", "positions": {"management": 2}}]
    path = tmp_path / "gap.yaml"
    path.write_text(yaml.safe_dump({"extends": "baseline", "organisation": {"levels": levels}}), encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    ok, note = capsys.readouterr().out.splitlines()
    assert ok.startswith(f"{path}: ok (")
    assert note == (f"{path}: note: no management posts at Staff and Principal, between Senior and Director: people "
                    "who want to manage step up through the specialist posts there (stepping stones); if Staff and "
                    "Principal are specialist rungs beside management levels, put their positions on those levels")
    assert main(["org", "describe", str(path)]) == 0
    assert "  note: no management posts at Staff and Principal" in capsys.readouterr().out
    assert main(["validate", str(BASELINE)]) == 0
    assert "note" not in capsys.readouterr().out, "the baseline's ladders run without a break"


# The slow-to-start subprocess is used for a representative set of ``run`` cases; every case also
# goes through the same ``main()`` in-process below, which is the code behind ``python -m sim``.
RUN_SUBPROCESS_CASES = ["unknown key", "yaml syntax error", "missing file", "extends cycle", "unsafe object tag",
                        "misspelt values of mapped columns in a headcount file"]


@pytest.mark.parametrize("case", RUN_SUBPROCESS_CASES)
def test_run_with_a_bad_scenario_is_one_line_with_exit_2(case: str, tmp_path: Path) -> None:
    target, words = _write_case(case, tmp_path)
    done = run_cli("run", target, "--years", "0.1", "--quiet", "--out", "out", cwd=tmp_path)
    line = _assert_one_line_error(done, words)
    assert line.startswith("promosim run:")
    assert done.stdout == ""
    assert not (tmp_path / "out").exists()  # nothing is written for a bad scenario
    assert not (tmp_path / "PWNED").exists()


def _main_in_process(argv: list[str], capsys: pytest.CaptureFixture[str]) -> subprocess.CompletedProcess[str]:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse exits; main() returns for everything else
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return subprocess.CompletedProcess(argv, code, captured.out, captured.err)


@pytest.mark.parametrize("command", ["validate", "run"])
@pytest.mark.parametrize("case", list(BAD_FILES))
def test_every_bad_file_through_main(case: str, command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    target, words = _write_case(case, tmp_path)
    years = [] if case == "a run shorter than a month" else ["--years", "0.1"]  # --years would replace the file's
    extra = [*years, "--quiet", "--out", "out"] if command == "run" else []
    _assert_one_line_error(_main_in_process([command, target, *extra], capsys), words)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("parent", ["baseline.yaml", "baseline"])
def test_a_file_outside_scenarios_extends_a_shipped_one(parent: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    Path("mine.yaml").write_text(f"extends: {parent}\nname: mine\n", encoding="utf-8")
    done = _main_in_process(["validate", "mine.yaml"], capsys)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"mine.yaml: ok (mine: {load_scenario(BASELINE).total_positions} positions")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--years", "x"], ["--years", "'x'"]),
        (["--seed", "minus"], ["--seed"]),
        (["--headcount", "0"], ["--headcount"]),
        (["--headcount", "1"], ["--headcount", "from 2 to 2,000,000"]),  # the option, not the scenario's key
        (["--headcount", "1000000000"], ["--headcount", "from 2 to 2,000,000"]),  # was a MemoryError traceback
        (["--headcount", "2000000", "--set", "organisation.initial_fill=0.5"],  # named only the positions' limit
         ["headcount 2,000,000 with organisation.initial_fill 0.5 needs", "a smaller headcount"]),
        (["--set", "policy.name"], ["--set", "KEY.PATH=VALUE", "policy.name"]),
        (["--set", "policy.nam=random"], ["policy.nam", "did you mean 'name'"]),
        (["--bogus-option"], ["--bogus-option"]),
        (["--years", "inf"], ["--years", "finite"]),
        (["--years", "1e-9"], ["--years", "one month"]),
        (["--out", str(BASELINE)], ["cannot create output folder", str(BASELINE)]),  # a file, not a folder
        # A folder that exists but takes no files (as root, chmod cannot make one): was a traceback, exit 1.
        (["--out", "/proc"], ["cannot write in output folder", "/proc"]),
    ],
)
def test_bad_command_line_arguments_are_one_line_with_exit_2(args: list[str], words: list[str]) -> None:
    done = run_cli("run", BASELINE, "--quiet", *args)
    _assert_one_line_error(done, words)
    assert done.stdout == ""


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--years", "x"], ["--years", "'x'"]),
        (["--years", "-1"], ["--years"]),
        (["--years", "nan"], ["--years"]),
        (["--seed", "-3"], ["--seed"]),
        (["--seed", str(2**63)], ["--seed", "from 0 to 9223372036854775807"]),  # as experiment files allow
        (["--headcount", "0"], ["--headcount"]),
        (["--headcount", "1"], ["--headcount", "from 2 to 2,000,000"]),  # the option, not the scenario's key
        (["--set", "policy.name"], ["--set", "KEY.PATH=VALUE"]),
        (["--set", "=3"], ["--set"]),
        (["--set", "policy.name="], ["--set policy.name= has no value", "null for none"]),  # not "None"
        (["--set", "a..b=3"], ["a..b"]),
        (["--set", "years=2", "--set", "years=3"], ["--set years is given twice; set each key once"]),  # not last-wins
        (["--set", "policy.nam=random"], ["--set: policy.nam", "did you mean 'name'"]),
        (["--set", "exits.base_monthly=lots"], ["--set: exits.base_monthly", "lots"]),  # not the scenario's
        (["--set", "exits.base_monthly=7"], ["--set: exits.base_monthly", "must be from 0 to 1 (got 7)"]),
        (["--set", "policy.name=[oops"], ["policy.name"]),
        (["--set", "organisation.levels.40.name=x"], ["organisation.levels.40"]),
        # a lever switched on, or misspelt, by --set is checked as a block: blamed on --set, not the file
        (["--set", "interventions.mentorng.coverage=0.2"], ["--set: interventions.mentorng", "'mentoring'"]),
        (["--set", "interventions.mentoring.group=martians"], ["--set: interventions.mentoring", "'martians'"]),
        (["--years", "500"], ["--years", "must be at most 100 years"]),  # the option, not the scenario's years
        (["--csv"], ["--csv needs --out"]),
        (["--headcount", "3"], ["headcount must be at least 6", "one position for each level and track"]),
    ],
)
def test_bad_arguments_through_main(args: list[str], words: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    done = _main_in_process(["run", str(BASELINE), "--quiet", *args], capsys)
    _assert_one_line_error(done, words)


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["run", "{experiment}"], ["is an experiment file", "'promosim experiment run'"]),
        (["experiment", "run", "{scenario}", "--out", "{out}"], ["is a scenario file", "'promosim run'"]),
        (["org", "describe", "{csv}"], ["is a headcount file, not a scenario", "organisation.source.file"]),
        (["run", "{csv}"], ["is a headcount file, not a scenario"]),
    ],
)
def test_the_wrong_kind_of_file_says_which_command_takes_it(argv: list[str], words: list[str], tmp_path: Path) -> None:
    """A trial gave each command the others' files and got "organisation: required key is missing"."""
    files = {"experiment": tmp_path / "exp.yaml", "scenario": tmp_path / "team.yaml", "out": tmp_path / "out",
             "csv": SCENARIOS / "data" / "synthetic_org.csv"}
    files["experiment"].write_text("name: e\nscenarios: {baseline: baseline}\n")
    files["scenario"].write_text("extends: baseline\nname: team\n")
    done = run_cli(*(arg.format(**files) for arg in argv))
    _assert_one_line_error(done, words)
    assert not files["out"].exists()


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (["run", "baseline", "--yeras", "3"],
         "promosim run: error: unrecognized arguments: --yeras 3 (did you mean --years?) (see --help)"),
        (["experiment", "run", "x.yaml", "--replicatons", "3"],
         "promosim experiment run: error: unrecognized arguments: --replicatons 3 (did you mean --replications?) "
         "(see --help)"),
        (["run", "baseline", "extra"], "promosim run: error: unrecognized arguments: extra (see --help)"),
        # another command's option: not "did you mean --years?", which only the two words' dashes made close
        (["experiment", "run", "x.yaml", "--metrics", "misread_rate"],
         "promosim experiment run: error: unrecognized arguments: --metrics misread_rate (promosim experiment run "
         "has no --metrics: the experiment file's metrics: sets it; promosim compare and promosim experiment report "
         "take it) (see --help)"),
        (["compare", "baseline", "--against", "mentoring"],
         "promosim compare: error: unrecognized arguments: --against mentoring (promosim compare has no --against: "
         "promosim experiment report takes it) (see --help)"),
        (["compare", "baseline", "--levers", "mentoring,", "published_criteria,", "stretch_pilots"],  # spaces
         "promosim compare: command line: --levers: a space split the list, leaving published_criteria, stretch_pilots "
         "over; --levers takes one comma-separated word, without spaces: --levers "
         "mentoring,published_criteria,stretch_pilots"),
        # a + with spaces beside it, unquoted, splits the arm as a space after a comma splits the list
        (["compare", "baseline", "--levers", "mentoring", "+", "career_conversations,stretch_pilots"],
         "promosim compare: command line: --levers: a space split the list, leaving + "
         "career_conversations,stretch_pilots over; --levers takes one comma-separated word, without spaces: "
         "--levers mentoring+career_conversations,stretch_pilots"),
        (["compare", "baseline", "--metrics", "misread_rate,", "attrition_rate"],  # other options: argparse's words
         "promosim compare: error: unrecognized arguments: attrition_rate (--metrics takes one comma-separated word, "
         "without spaces: --metrics misread_rate,attrition_rate) (see --help)"),
        (["--yeras", "run", "baseline"], "promosim: error: unrecognized arguments: --yeras (see --help)"),
        # experiment run has no --set: not "did you mean --seed?" (an org-design trial)
        (["experiment", "run", "x.yaml", "--set", "interventions.mentoring.coverage=0.2"],
         "promosim experiment run: error: unrecognized arguments: --set interventions.mentoring.coverage=0.2 "
         "(promosim experiment run has no --set: write the change in a variant file that extends the baseline's, "
         "or in an experiment file's set: block, see docs/experiments.md) (see --help)"),
        # a space for the '=': --set takes the key alone and the value is left over
        (["run", "baseline", "--set", "exits.base_monthly", "0.15"],
         "promosim run: error: unrecognized arguments: 0.15 (--set takes KEY=VALUE as one word, without spaces: "
         "--set exits.base_monthly=0.15) (see --help)"),
        (["org", "describe", "baseline", "--set", "years", "=3"],
         "promosim org describe: error: unrecognized arguments: =3 (--set takes KEY=VALUE as one word, without "
         "spaces: --set years=3) (see --help)"),
    ],
)
def test_an_unknown_option_is_named_by_its_command_with_the_closest(
    argv: list[str], line: str, capsys: pytest.CaptureFixture[str],
) -> None:
    """A trial's --yeras got "promosim: error: unrecognized arguments", unlike every other error."""
    assert _assert_one_line_error(_main_in_process(argv, capsys), []) == line


@pytest.mark.parametrize("argv", [[], ["frobnicate"], ["validate"], ["run"]])
def test_missing_or_unknown_subcommands_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    _assert_one_line_error(_main_in_process(argv, capsys), [])


def test_no_subcommand_through_the_real_cli() -> None:
    _assert_one_line_error(run_cli(), ["promosim"])


@pytest.mark.parametrize("delay", [0.3, 1.5])
def test_ctrl_c_is_one_line_and_exit_130_from_the_start(delay: float) -> None:
    """Early (while the engine imports) and later (while it runs): never an import traceback.

    The delay counts from when a bare interpreter would be up: a Ctrl-C inside Python's own
    start-up (the ``site`` module reading the editable install's .pth file) is printed and
    swallowed by CPython before any of promosim runs, which a loaded CI machine reached at 0.3 s.
    """
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], env=cli_env(), check=True)
    startup = time.perf_counter() - started
    proc = subprocess.Popen([sys.executable, "-m", "sim", "run", str(BASELINE), "--years", "5", "--quiet"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli_env())
    time.sleep(startup + delay)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert err == "promosim: interrupted\n"


def test_ctrl_c_while_the_command_line_itself_imports_is_one_line() -> None:
    """A fresh clone's CI run sent Ctrl-C at 0.3 s while ``sim.cli`` compiled its own imports: a traceback, -2.

    The Ctrl-C is made to land there for certain: the import of ``difflib`` (one of ``sim.cli``'s) raises it.
    """
    landing = ("import builtins, runpy, sys\nreal = builtins.__import__\n"
               "def imp(name, *args, **kwargs):\n"
               "    if name == 'difflib':\n        raise KeyboardInterrupt\n"
               "    return real(name, *args, **kwargs)\n"
               "builtins.__import__ = imp\nsys.argv[0] = 'promosim'\nrunpy.run_module('sim', run_name='__main__')")
    done = subprocess.run([sys.executable, "-c", landing, "run", str(BASELINE), "--quiet"], check=False,
                          capture_output=True, text=True, env=cli_env(), timeout=120)
    assert (done.returncode, done.stderr) == (130, "promosim: interrupted\n")


def test_an_ignored_ctrl_c_stays_ignored() -> None:
    """``promosim run ... &`` in a script starts with SIGINT ignored; the run must not stop at a Ctrl-C."""
    ignoring = ("import runpy, signal, sys; signal.signal(signal.SIGINT, signal.SIG_IGN); "
                "sys.argv[0] = 'promosim'; runpy.run_module('sim', run_name='__main__')")
    proc = subprocess.Popen([sys.executable, "-c", ignoring, "run", str(BASELINE), "--years", "5", "--quiet"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli_env())
    time.sleep(1.5)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "baseline (seed 1, 5 years)" in out


def test_after_ctrl_c_a_thread_that_never_ends_does_not_keep_the_program_alive(tmp_path: Path) -> None:
    """A trial saw an interrupted experiment print its lines, then hang at exit, deaf to Ctrl-C.

    Its process pool's manager thread was stuck reading a result that a terminated worker had
    half sent, and Python waits for such threads at exit.
    """
    done = run_cli_dropping_ctrl_c("sim.simulation:simulate", "run", BASELINE, "--years", "5", "--quiet",
                                   stuck_thread=True, timeout=60)
    assert done.returncode == 130, done.stderr
    assert done.stderr == "promosim: interrupted\n"


def test_a_ctrl_c_python_drops_still_stops_the_run(tmp_path: Path) -> None:
    """CI once saw a Ctrl-C land in importlib's weakref callback: Python printed "Exception ignored",
    the run went on to the end and exited 0."""
    done = run_cli_dropping_ctrl_c("sim.simulation:simulate", "run", BASELINE, "--years", "5", "--quiet",
                                   "--out", tmp_path / "out")
    assert done.returncode == 130, done.stderr
    assert done.stderr == "promosim: interrupted\n"
    assert done.stdout == ""  # stopped at the first month: no summary, and no tables written
    assert not any((tmp_path / "out").iterdir())


def test_a_ctrl_c_that_an_import_turns_into_an_import_error_is_still_one_line() -> None:
    """CI sent Ctrl-C 0.3 s in, while pandas imported numpy: numpy reported "Importing the numpy
    C-extensions failed" and the user got that traceback with exit code 1."""
    done = run_cli_dropping_ctrl_c("sim.simulation:simulate", "run", BASELINE, "--years", "5", "--quiet",
                                   as_import_error=True)
    assert done.returncode == 130, done.stderr
    assert done.stderr == "promosim: interrupted\n"


def test_named_people_who_leave_during_the_warm_up_are_named_in_the_notes() -> None:
    """The event log is off during the warm-up: they used to vanish from the story unsaid."""
    people = [{"name": "Dana", "level": 2, "ambition": 0.8}, {"name": "Omar", "level": 1}]
    data = {"extends": "baseline", "name": "named", "people": people, "exits": {"base_monthly": 0.3}}
    result = simulate(data, seed=1, years=1 / 12)
    assert any("Omar, Dana left during the 24 warm-up months" in n for n in result.notes), result.notes
    kept = simulate({**data, "warmup_months": 0}, seed=1, years=1 / 12)
    assert not any("warm-up" in n for n in kept.notes)


def test_a_headcount_too_small_for_the_file_is_named_as_the_cause(capsys: pytest.CaptureFixture[str]) -> None:
    """'110 people in the file but 55 positions' alone sent the reader to the file, not to the option."""
    assert main(["run", "synthetic_org", "--headcount", "150", "--years", "1", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "people in the file but" in err
    assert "--headcount 150 resized the positions below the file's people" in err
    assert main(["compare", "synthetic_org", "--levers", "mentoring", "--headcount", "150", "--replications", "2"]) == 2
    assert "--headcount 150 resized the positions below the file's people" in capsys.readouterr().err
    assert main(["org", "describe", "synthetic_org", "--headcount", "150"]) == 2
    assert "--headcount 150 resized the positions below the file's people" in capsys.readouterr().err


def test_a_rate_with_nothing_to_count_is_n_a_with_the_reason(capsys: pytest.CaptureFixture[str]) -> None:
    """A 1-year run has no promotion old enough to have settled: its stick rate is undefined, not a fault."""
    assert main(["run", "baseline", "--years", "1", "--headcount", "100", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "promotion_stick_rate" in out and "NaN" not in out
    # Each rate that is n/a with its own window (a new user read three windows beside two rates).
    note = next(line for line in out.splitlines() if line.startswith("n/a: ") and "promotion_stick_rate" in line)
    assert "decliner_retention" not in note or "decliners" in note
    assert "promotions" in note and "(18" in note and "count" in note
    assert any(line.startswith("n/a: ") and "promotion_stick_rate" in line for line in out.splitlines())


def test_run_names_a_scenario_by_its_name_with_the_label_compare_gives_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """``run`` titled a team's table "Acme Engineering" and ``compare`` its arm "acme" (the file's name): two
    organisations, to an org-design trial. Both now say "Acme Engineering (acme)"."""
    acme = tmp_path / "acme.yaml"
    acme.write_text("extends: baseline\nname: Acme Engineering\n", encoding="utf-8")
    assert main(["run", str(acme), "--years", "1", "--headcount", "100", "--quiet"]) == 0
    assert "Acme Engineering (acme, seed 1, 1 year)" in capsys.readouterr().out
    assert main(["run", "baseline", "--years", "1", "--headcount", "100", "--quiet"]) == 0
    assert "baseline (seed 1, 1 year)" in capsys.readouterr().out  # a name its label says already, once


def test_an_n_a_that_no_longer_run_would_fill_is_not_blamed_on_the_run_length(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """In a flat organisation the top key levels are everyone: representation is n/a however long the run.

    The one note under the table said every n/a was a ledger rate still settling ("longer runs
    give them"), sending the reader to a longer run that would never give a value.
    """
    flat = tmp_path / "flat.yaml"
    flat.write_text("extends: baseline\nname: flat\norganisation:\n  levels:\n"
                    "    - {name: Staff, positions: {specialist: 90}, hire_share: 1.0}\n"
                    "    - {name: Boss, positions: {management: 10}}\n", encoding="utf-8")
    assert main(["run", str(flat), "--years", "1", "--quiet"]) == 0
    notes = [line for line in capsys.readouterr().out.splitlines() if line.startswith("n/a: ")]
    flat_note = next(line for line in notes if "representation_ratio.men" in line)
    assert "representation_ratio.women" in flat_note and "metrics.key_levels covers every level" in flat_note
    assert "longer runs" not in flat_note
    stick_note = next(line for line in notes if "promotion_stick_rate" in line)
    assert "count only once settled" in stick_note and "representation" not in stick_note


def test_running_without_compiling_prints_no_overflow_warnings() -> None:
    """With NUMBA_DISABLE_JIT=1 (for a debugger) the counter hash's 64-bit wraps flooded stderr."""
    done = run_cli("run", BASELINE, "--years", "0.25", "--headcount", "60", "--quiet",
                   env={**cli_env(), "NUMBA_DISABLE_JIT": "1"})
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


def test_the_named_peoples_story_reads_as_sentences(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``run sam_and_priya`` printed "Alex manager now believes they are not interested" (a new user)."""
    assert main(["run", "sam_and_priya", "--years", "1", "--quiet", "--out", str(tmp_path / "out")]) == 0
    story = capsys.readouterr().out.split("What happened to the named people:\n", 1)[1].splitlines()
    misread = [line for line in story if "manager now believes" in line]
    assert misread and all(re.search(r": (Alex|Sam|Priya)'s manager now believes", line) for line in misread)
    assert not any(re.search(r"(Alex|Sam|Priya) manager", line) for line in story)
