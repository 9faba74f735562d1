"""The result store: resumable after kill -9 and Ctrl-C, failed runs recorded, nothing duplicated."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml
from conftest import BASELINE, NO_PLOTS, ROOT, cli_env, ended, run_cli, run_cli_dropping_ctrl_c, stderr_until

from sim.errors import InputError
from sim.experiment import store as store_module
from sim.experiment.design import RunTask, build_design, load_experiment
from sim.experiment.executor import ExecutorSpec, RunOutcome, execute_run
from sim.experiment.report import analyse
from sim.experiment.runner import finished_runs, run_design
from sim.experiment.store import (
    COMPACTION,
    PROMOTIONS_SCHEMA,
    RUNS_SCHEMA,
    SORT_KEYS,
    SUMMARY_SCHEMA,
    TIMESERIES_SCHEMA,
    ResultStore,
)

SEQUENTIAL = ExecutorSpec(kind="sequential")


def write_experiment(folder: Path, **fields: Any) -> Path:
    """A small baseline, a random-policy variant and an experiment comparing them."""
    (folder / "small.yaml").write_text(f"extends: {BASELINE}\nname: small\nwarmup_months: 2\nyears: 1\n")
    (folder / "random.yaml").write_text("extends: small.yaml\nname: random\npolicy: {name: random}\n")
    data: dict[str, Any] = {"name": "t", "seed": 5, "replications": 4, "headcount": 120,
                            "scenarios": {"baseline": "small.yaml", "variants": ["random.yaml"]}}
    data.update(fields)
    path = folder / "exp.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def assert_each_run_exactly_once(out: Path, design: Any) -> None:
    """Every planned run is in the runs table once, and its summary and series rows once each."""
    store = ResultStore(out)
    runs = store.runs()
    planned = {t.run_id for t in design.tasks}
    assert len(runs) == len(planned)
    assert set(runs["run_id"]) == planned
    assert runs["run_id"].is_unique
    summaries = store.summaries()
    assert set(summaries["run_id"]) == set(runs.loc[runs["status"] == "ok", "run_id"])
    assert not summaries.duplicated(["run_id", "metric"]).any()
    series = store.timeseries()
    assert not series.duplicated(["run_id", "metric", "step", "level", "group", "track"]).any()
    promotions = store.promotions()
    assert set(promotions["run_id"]) <= set(runs.loc[runs["status"] == "ok", "run_id"])
    assert len(promotions) and not promotions.duplicated(["run_id", "step", "employee"]).any()


def group_alive(pgid: int) -> bool:
    """True while any process of the group is alive (zombies reaped by init do not count)."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


# What a finished experiment's folder holds that depends on its runs alone (the runs table and
# report.md also say when, where and by which command; metadata.json and sessions.jsonl only that).
VALUE_TABLES = ("summaries", "timeseries", "promotions")
IDENTICAL = (*VALUE_TABLES, "effects.csv",
             *(f"{plot}.{fmt}" for plot in ("forest", "trajectories") for fmt in ("png", "svg", "pdf")))


def archived(out: Path, names: tuple[str, ...] = IDENTICAL) -> dict[str, bytes]:
    """The bytes of each file of ``out`` that the same command must write identically, by relative path.

    Args:
        out: The output folder.
        names: The files and table folders to take (the tables alone for a folder not reported).
    """
    return {path.relative_to(out).as_posix(): path.read_bytes() for path in sorted(out.rglob("*"))
            if path.is_file() and path.relative_to(out).parts[0] in names}


def summary_values(out: Path) -> pd.DataFrame:
    frame = ResultStore(out).summaries()[["run_id", "metric", "value"]]
    return frame.sort_values(["run_id", "metric"]).reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# kill -9 and resume


def test_resume_after_sigkill_runs_every_run_exactly_once(tmp_path: Path) -> None:
    path = write_experiment(tmp_path, replications=30, metrics=["promotions"], years=3, headcount=200)
    design = build_design(load_experiment(path), path)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "sim", "experiment", "run", str(path), "--out", str(out), "--workers", "2",
           "--quiet"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=cli_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not list((out / "runs").glob("part-*.parquet")):
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            assert time.monotonic() < deadline, "no run was committed in time"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)  # only the main process, as `kill -9 PID` would
        proc.wait()
        # Its pool workers notice they were orphaned and exit by themselves.
        deadline = time.monotonic() + 30
        while group_alive(proc.pid):
            assert time.monotonic() < deadline, "pool workers outlived their parent"
            time.sleep(0.1)
    finally:
        if group_alive(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == -signal.SIGKILL
    done_before = len(ResultStore(out).runs())
    assert 0 < done_before < len(design.tasks), "the kill did not land mid-experiment"

    stats = run_design(design, out, ExecutorSpec(kind="processes", workers=2))
    assert stats.skipped == done_before
    assert stats.ok == len(design.tasks) - done_before
    assert_each_run_exactly_once(out, design)

    # The resumed store holds the same numbers as one uninterrupted run.
    clean = tmp_path / "clean"
    run_design(design, clean, SEQUENTIAL)
    pd.testing.assert_frame_equal(summary_values(out), summary_values(clean))
    assert archived(out, VALUE_TABLES) == archived(clean, VALUE_TABLES)  # and the same files, byte for byte


@pytest.mark.parametrize(("executor", "signum"), [(["--workers", "2"], signal.SIGINT),
                                                (["--dask-local", "2"], signal.SIGINT),
                                                (["--workers", "2"], signal.SIGTERM)],
                         ids=["processes", "dask", "processes-sigterm"])
def test_ctrl_c_in_a_terminal_stops_cleanly_and_the_rerun_completes(tmp_path: Path, executor: list[str],
                                                                    signum: int) -> None:
    """SIGINT to the whole process group, as a terminal sends it: exit 130, a hint, no traceback.

    Dask's worker processes printed a KeyboardInterrupt traceback each (about 65 lines) before the
    hint, until they were started with Ctrl-C ignored, as the process pool's workers are. SIGTERM
    to the group (a batch scheduler ending the job) killed the command with no word, exit -15: now
    exit 143 and the same hint.
    """
    # Long enough that the runs cannot all finish between the first commit and the signal on a
    # loaded machine (at 3 years, 60 runs took 6.5 s in all and once finished first).
    path = write_experiment(tmp_path, replications=30, metrics=["promotions"], years=6, headcount=200)
    design = build_design(load_experiment(path), path)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "sim", "experiment", "run", str(path), "--out", str(out), *executor]
    code, err = _interrupted(cmd, lambda pid: bool(list((out / "runs").glob("part-*.parquet"))), signum)
    assert code == 128 + signum, err
    said = "interrupted" if signum == signal.SIGINT else "stopped by SIGTERM"
    assert err.splitlines()[-1].startswith(f"promosim: {said}: finished runs are saved in"), err
    assert "run the same command again to resume" in err
    assert "Traceback" not in err
    done_before = len(ResultStore(out).runs())
    assert 0 < done_before < len(design.tasks)
    stats = run_design(design, out, SEQUENTIAL)
    assert stats.skipped == done_before
    assert_each_run_exactly_once(out, design)


def test_ctrl_c_while_the_dask_cluster_starts_stops_the_experiment(tmp_path: Path) -> None:
    """A researcher's Ctrl-C in the seconds a LocalCluster takes to start was thrown away.

    The command ignored SIGINT while the cluster started its workers (so that they inherited it
    ignored), and then ran the whole experiment to the end, exit code 0.
    """
    psutil = pytest.importorskip("psutil")
    path = write_experiment(tmp_path, replications=4, metrics=["promotions"], headcount=100)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "sim", "experiment", "run", str(path), "--out", str(out), "--dask-local", "2",
           "--quiet"]
    code, err = _interrupted(cmd, lambda pid: any("spawn_main" in _cmdline(psutil, child)  # a worker is starting
                                                  for child in _children(psutil, pid)))
    assert code == 130, err
    assert err.startswith("promosim: interrupted"), err
    assert "Traceback" not in err
    assert finished_runs(out) < 8  # (no folder at all when no run had finished)


def test_ctrl_c_before_the_first_run_finishes_says_that_none_is_saved(tmp_path: Path) -> None:
    """It said "finished runs are saved in DIR" of a new folder that held only the plan (a researcher's
    trial). None was: the line says so, and the new folder goes, as when a scheduler cannot be reached."""
    path = write_experiment(tmp_path, replications=4, headcount=100)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "sim", "experiment", "run", str(path), "--out", str(out), "--workers", "2",
           "--quiet"]
    code, err = _interrupted(cmd, lambda pid: (out / "sessions.jsonl").exists())  # the plan is written
    assert code == 130, err
    assert err.splitlines() == [
        "promosim: interrupted: no run had finished, so none is saved; run the same command again to start"]
    assert not out.exists()


@pytest.mark.parametrize("existed", [False, True], ids=["new-folder", "existing-folder"])
def test_ctrl_c_while_the_engine_compiles_says_that_none_is_saved(tmp_path: Path, existed: bool) -> None:
    """With an empty cache the command compiles the engine before the first run (a minute or two, said on the
    screen). A Ctrl-C then left the new --out folder behind, empty, under a bare "interrupted". Now it is
    as before the first run finished: the line says none is saved, and the new folder goes; one that was
    there before stays."""
    path = write_experiment(tmp_path, replications=2, headcount=100)
    out = tmp_path / "out"
    if existed:
        out.mkdir()
    env = {**cli_env(), "PROMOSIM_CACHE_DIR": str(tmp_path / "empty-cache")}  # nothing compiled yet
    proc = subprocess.Popen([sys.executable, "-m", "sim", "experiment", "run", str(path), "--out", str(out),
                             "--workers", "1"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    with ended(proc):
        said = stderr_until(proc, "compiling the simulation engine", "it compiled")
        assert out.is_dir()  # made before the engine compiles
        os.killpg(proc.pid, signal.SIGINT)
        _, rest = proc.communicate(timeout=120)
    err = said + rest
    assert proc.returncode == 130, err
    assert "compiled in" not in err and "Traceback" not in err, err  # stopped while it compiled
    assert err.splitlines()[-1] == (
        "promosim: interrupted: no run had finished, so none is saved; run the same command again to start"), err
    assert out.is_dir() == existed and (not existed or not any(out.iterdir()))


def test_a_folder_holding_only_the_plan_is_started_by_the_same_command(tmp_path: Path) -> None:
    """``kill -9`` before the first run finished leaves the plan alone in the folder. A Ctrl-C there said
    "finished runs are saved"; the folder, not the command's own now, is kept, and the same command
    then makes every run, once."""
    path = write_experiment(tmp_path, replications=2, headcount=100)
    design = build_design(load_experiment(path), path)
    out = tmp_path / "out"
    sessions = out / "sessions.jsonl"
    cmd = [sys.executable, "-m", "sim", "experiment", "run", str(path), "--out", str(out), "--workers", "2",
           "--quiet", *NO_PLOTS]
    code, _ = _interrupted(cmd, lambda pid: sessions.exists(), signal.SIGKILL)
    assert code == -signal.SIGKILL
    assert (out / "experiment.json").exists() and not finished_runs(out)  # the plan, no run
    code, err = _interrupted(cmd, lambda pid: len(sessions.read_text().splitlines()) == 2)  # its plan, again
    assert code == 130, err
    assert err.splitlines() == [
        "promosim: interrupted: no run had finished, so none is saved; run the same command again to start"]
    assert (out / "experiment.json").exists() and not finished_runs(out)
    done = run_cli(*cmd[3:])
    assert done.returncode == 0, done.stderr
    assert "report.md" in done.stdout, done.stderr
    assert done.stderr.startswith("note: 2 pairs of runs are few") and done.stderr.count("\n") == 1, done.stderr
    assert_each_run_exactly_once(out, design)


def _interrupted(cmd: list[str], ready: Callable[[int], bool], signum: int = signal.SIGINT) -> tuple[int, str]:
    """Run ``cmd`` in a session of its own, send ``signum`` to its group once ``ready(pid)``.

    SIGINT to the group is a terminal's Ctrl-C; SIGTERM to the group is how Slurm ends a job step.

    Returns:
        The exit code and what the command wrote on stderr.
    """
    proc = subprocess.Popen(cmd, cwd=ROOT, env=cli_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not ready(proc.pid):
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.02)
        os.killpg(proc.pid, signum)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    return proc.returncode, err


def _children(psutil: Any, pid: int) -> list[Any]:
    """The processes below ``pid``, or none once it has gone."""
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return []


def _cmdline(psutil: Any, process: Any) -> str:
    """A process's command line, or "" once it has gone (the cluster's processes come and go as it starts)."""
    try:
        return " ".join(process.cmdline())
    except psutil.Error:
        return ""


def test_a_ctrl_c_python_drops_still_stops_the_experiment(tmp_path: Path) -> None:
    """Dropped before the first run, it stops the experiment after that run, with the resume hint."""
    path = write_experiment(tmp_path, replications=10)
    design = build_design(load_experiment(path), path)
    out = tmp_path / "out"
    done = run_cli_dropping_ctrl_c("sim.experiment.runner:run_design", "experiment", "run", path, "--out", out,
                                   "--workers", "1", "--quiet")
    assert done.returncode == 130, done.stderr
    assert done.stderr.splitlines() == [  # one line, as for any other stop
        f"promosim: interrupted: finished runs are saved in {out}; run the same command again to resume"]
    assert 0 < len(ResultStore(out).runs()) < len(design.tasks)


def test_opening_the_store_drops_half_written_batches(tmp_path: Path) -> None:
    path = write_experiment(tmp_path, replications=2)
    design = build_design(load_experiment(path), path)
    out = tmp_path / "out"
    run_design(design, out, SEQUENTIAL)
    # Simulate a kill after a batch's summaries were written but before its runs part.
    part = next((out / "summaries").rglob("part-*.parquet"))
    orphan = part.with_name("part-deadbeef-000001.parquet")
    orphan.write_bytes(part.read_bytes())
    tmp = part.with_name(".part-x.parquet.abc.tmp")
    tmp.write_bytes(b"half")
    with ResultStore(out):
        pass
    assert not orphan.exists() and not tmp.exists()
    assert_each_run_exactly_once(out, design)


def partial_compaction(out: Path, commit: bool) -> None:
    """Start a merge as ResultStore.compact does, and stop it as a kill would (before or after its commit)."""
    with ResultStore(out) as store:
        old = sorted(p.stem.removeprefix("part-") for p in (out / "runs").glob("part-*.parquet"))
        new = "feedface-000001"
        (out / COMPACTION).write_text(json.dumps({"new": new, "old": old}))
        for folder in (out / "summaries").glob("scenario=*"):
            store._merge(sorted(folder.glob("part-*.parquet")), folder / f"part-{new}.parquet", SUMMARY_SCHEMA,
                         SORT_KEYS["summaries"])
        if commit:
            store._merge(sorted((out / "runs").glob("part-*.parquet")), out / "runs" / f"part-{new}.parquet",
                         RUNS_SCHEMA, SORT_KEYS["runs"])



def interrupt_after(n: int) -> tuple[list[str], Callable[[RunOutcome], None]]:
    """The run ids finished so far, and an ``on_outcome`` that presses Ctrl-C after the ``n``-th."""
    seen: list[str] = []

    def press(outcome: RunOutcome) -> None:
        seen.append(outcome.run_id)
        if len(seen) == n:
            raise KeyboardInterrupt

    return seen, press


@pytest.mark.parametrize("commit", [False, True], ids=["undone", "finished"])
def test_batches_are_merged_and_an_interrupted_merge_is_finished_or_undone(tmp_path: Path, commit: bool) -> None:
    path = write_experiment(tmp_path, replications=3)
    design = build_design(load_experiment(path), path)
    out = tmp_path / "out"
    run_design(design, out, SEQUENTIAL, flush_seconds=0)  # a batch per run, merged at the end
    assert len(list((out / "runs").glob("part-*.parquet"))) == 1
    assert len(list((out / "summaries").glob("scenario=small/part-*.parquet"))) == 1
    bigger = build_design(load_experiment(write_experiment(tmp_path, replications=5)), path)
    _, stop_after_two = interrupt_after(2)
    with pytest.raises(KeyboardInterrupt):  # an interrupted invocation leaves its batches unmerged
        run_design(bigger, out, SEQUENTIAL, flush_seconds=0, on_outcome=stop_after_two)
    assert len(list((out / "runs").glob("part-*.parquet"))) == 3
    partial_compaction(out, commit)
    with ResultStore(out):
        pass
    assert not (out / COMPACTION).exists()
    assert len(list((out / "runs").glob("part-*.parquet"))) == (1 if commit else 3)
    runs = ResultStore(out).runs()
    assert len(runs) == 6 + 2 and runs["run_id"].is_unique
    summaries = ResultStore(out).summaries()
    assert not summaries.duplicated(["run_id", "metric"]).any()
    assert set(summaries["run_id"]) == set(runs["run_id"])
    run_design(bigger, out, SEQUENTIAL)
    assert_each_run_exactly_once(out, bigger)


@pytest.mark.parametrize("commit", [False, True], ids=["undone", "finished"])
def test_a_folder_read_before_an_interrupted_merge_is_tidied_counts_each_run_once(tmp_path: Path,
                                                                                  commit: bool) -> None:
    # Reading takes no lock and does not tidy: `experiment report` on a folder whose merge was killed
    # read the merged parts beside the parts they replace, and failed on the duplicates.
    path = write_experiment(tmp_path, replications=3)
    out = tmp_path / "out"
    run_design(build_design(load_experiment(path), path), out, SEQUENTIAL)
    bigger = build_design(load_experiment(write_experiment(tmp_path, replications=5)), path)
    _, stop_after_two = interrupt_after(2)
    with pytest.raises(KeyboardInterrupt):  # batches left unmerged, to be merged below
        run_design(bigger, out, SEQUENTIAL, flush_seconds=0, on_outcome=stop_after_two)
    partial_compaction(out, commit)
    tidied = tmp_path / "tidied"
    shutil.copytree(out, tidied)
    with ResultStore(tidied):  # what a writer makes of it
        pass
    assert (out / COMPACTION).exists()  # not tidied: only a writer tidies
    store = ResultStore(out)
    assert len(store.runs()) == 6 + 2 and store.runs()["run_id"].is_unique
    assert not store.summaries().duplicated(["run_id", "metric"]).any()
    assert not store.timeseries().duplicated(["run_id", "metric", "step", "level", "group", "track"]).any()
    pd.testing.assert_frame_equal(analyse(out, figures=()).effects, analyse(tidied, figures=()).effects)


def test_a_damaged_part_is_named_in_one_line(tmp_path: Path) -> None:
    path = write_experiment(tmp_path, replications=2)
    out = tmp_path / "out"
    run_design(build_design(load_experiment(path), path), out, SEQUENTIAL)
    part = next((out / "summaries").rglob("part-*.parquet"))
    part.write_bytes(part.read_bytes()[: part.stat().st_size // 2])  # a copy cut short, a bad disk
    with pytest.raises(InputError, match=r"'summaries' table cannot be read .*part-.*move that file away"):
        analyse(out, figures=())


@pytest.mark.parametrize("when", ["after_listing", "before_listing"])
def test_a_read_while_another_process_merges_reads_every_run_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   when: str) -> None:
    # Reading takes no lock: a merge (`experiment run` ending in another terminal) that removed the parts a
    # report had just listed made it say a part was damaged and to move it away; one that removed them
    # before it listed them would have read none of them.
    path = write_experiment(tmp_path, replications=3)
    out = tmp_path / "out"
    _, stop_after_two = interrupt_after(2)
    with pytest.raises(KeyboardInterrupt):  # batches left unmerged, for the other process to merge
        run_design(build_design(load_experiment(path), path), out, SEQUENTIAL, flush_seconds=0,
                   on_outcome=stop_after_two)
    assert len(list((out / "runs").glob("part-*.parquet"))) > 1
    expected = ResultStore(out).summaries().sort_values(["run_id", "metric"], ignore_index=True)
    listed = ResultStore._committed_parts
    merged: list[str] = []

    def merging(self: ResultStore, table: str, committed: set[str] | None = None) -> list[Path]:
        if merged:
            return listed(self, table, committed)
        merged.append(table)
        parts = listed(self, table, committed) if when == "after_listing" else []
        with ResultStore(out) as writer:  # the other process, between the reader's listings and its reading
            writer.compact()
        return parts or listed(self, table, committed)

    monkeypatch.setattr(ResultStore, "_committed_parts", merging)
    got = ResultStore(out).summaries().sort_values(["run_id", "metric"], ignore_index=True)
    assert merged and len(list((out / "runs").glob("part-*.parquet"))) == 1
    pd.testing.assert_frame_equal(got, expected)


def test_the_same_command_on_other_executors_writes_byte_identical_files(tmp_path: Path) -> None:
    """A researcher archiving results with checksums could not tell the same results from others.

    Two runs of one command gave the same values, but each merged part held its rows in the order
    the runs finished and was named after the session that merged it. The tables are now merged
    in a canonical order under a name taken from the runs, so the files' bytes agree too. The plots
    in every format (``--figures``): SVG and PDF record no time, and SVG's ids are salted the same.
    """
    outs = {name: tmp_path / name for name in ("in_process", "pool")}
    for (name, out), executor in zip(outs.items(), (["--workers", "1"], ["--workers", "2"]), strict=True):
        done = run_cli("compare", BASELINE, "--levers", "mentoring", "--replications", "3", "--years", "1",
                       "--headcount", "60", "--out", out, "--quiet", "--figures", "png,svg,pdf", *executor,
                       "--metrics", "promotions,misread_rate")  # two panels a plot: twenty took most of the time
        assert done.returncode == 0, f"{name}: {done.stderr}"
    one, other = (archived(out) for out in outs.values())
    assert {path.split("/")[0] for path in one} == set(IDENTICAL)
    assert list(one) == list(other)
    for path in one:
        assert one[path] == other[path], path
    # The runs table also holds when, where and in which batch each run ran: the same name, rows
    # and file metadata, and the same values in every other column.
    runs = [sorted((out / "runs").glob("*")) for out in outs.values()]
    assert [[p.name for p in r] for r in runs] == [[runs[0][0].name]] * 2
    assert runs[0][0].name.startswith("part-merged-")
    assert pq.read_metadata(runs[0][0]).metadata == pq.read_metadata(runs[1][0]).metadata
    when_and_where = ["duration", "started", "worker", "batch"]
    pd.testing.assert_frame_equal(*(pd.read_parquet(r[0]).drop(columns=when_and_where) for r in runs))


def read_with_pandas(out: Path) -> dict[str, pd.DataFrame]:
    """Each table as ``pd.read_parquet`` gives it to someone without promosim, in a fixed row order."""
    keys = {"runs": ["run_id"], "summaries": ["run_id", "metric"],
            "timeseries": ["run_id", "metric", "step", "level", "group", "track"],
            "promotions": ["run_id", "step", "employee"]}
    return {table: pd.read_parquet(out / table).sort_values(key).reset_index(drop=True)
            for table, key in keys.items()}


def test_one_schema_per_table_however_runs_were_batched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A store merged from many batches reads back with the same dtypes as one written in one batch.

    Merged and rewritten parts once lost the pandas metadata of the first write, so ``level`` read
    back as float64 in one store and Int64 in another, depending on how runs happened to arrive.
    The merged files are the same bytes too, also when a table is merged a few runs at a time.
    """
    monkeypatch.setattr(store_module, "MERGE_ROWS", 2000)  # a row group per run or two, as for a large table
    path = write_experiment(tmp_path, replications=2, timeseries="all")
    design = build_design(load_experiment(path), path)
    run_design(design, tmp_path / "one", SEQUENTIAL, flush_seconds=3600)  # one batch, rewritten at the end
    run_design(design, tmp_path / "many", SEQUENTIAL, flush_seconds=0)  # a batch per run, merged at the end
    assert archived(tmp_path / "one", VALUE_TABLES) == archived(tmp_path / "many", VALUE_TABLES)
    series = next((tmp_path / "many" / "timeseries").rglob("part-merged-*.parquet"))
    assert pq.ParquetFile(series).metadata.num_row_groups > 1
    one, many = read_with_pandas(tmp_path / "one"), read_with_pandas(tmp_path / "many")
    assert one["timeseries"]["level"].notna().any() and one["timeseries"]["level"].isna().any()
    assert one["timeseries"]["level"].dtype == "Int64" and one["timeseries"]["group"].dtype == "string"
    assert one["timeseries"]["track"].dtype == "string" and one["timeseries"]["track"].notna().any()
    when_and_where = ["batch", "worker", "duration", "started"]
    for table in one:
        pd.testing.assert_series_equal(one[table].dtypes, many[table].dtypes, obj=table)
        pd.testing.assert_frame_equal(one[table].drop(columns=when_and_where, errors="ignore"),
                                      many[table].drop(columns=when_and_where, errors="ignore"),
                                      check_dtype=True, check_exact=True, obj=table)
    # The store's own reader agrees with pandas.
    series = ResultStore(tmp_path / "many").timeseries()
    assert dict(series.dtypes.drop("scenario")) == dict(many["timeseries"].dtypes.drop("scenario"))
    # Forgetting a run rewrites its parts with the same schema, metadata included.
    with ResultStore(tmp_path / "many") as store:
        store.drop_runs([design.tasks[0].run_id])
    for table, schema in (("runs", RUNS_SCHEMA), ("summaries", SUMMARY_SCHEMA), ("timeseries", TIMESERIES_SCHEMA),
                          ("promotions", PROMOTIONS_SCHEMA)):
        for part in (tmp_path / "many" / table).rglob("part-*.parquet"):
            assert pq.read_schema(part).equals(schema, check_metadata=True), part
    # Forgetting every run of an arm leaves no empty part and no empty scenario= folder behind.
    with ResultStore(tmp_path / "many") as store:
        store.drop_runs([t.run_id for t in design.tasks if t.arm == "random"])
    for table in ("summaries", "timeseries", "promotions"):
        assert [p.name for p in (tmp_path / "many" / table).iterdir()] == ["scenario=small"], table
    assert set(ResultStore(tmp_path / "many").summaries()["arm"]) == {"small"}


def test_each_runs_promotions_are_stored_and_give_its_stick_rate(tmp_path: Path) -> None:
    """A stick rate by group over replications needs each run's promotion records, which a folder did not keep.

    The share stuck among a run's promotions made a stick window before its end is the run's own
    ``promotion_stick_rate``; runs with ``timeseries: none`` (sensitivity) store none.
    """
    path = write_experiment(tmp_path, replications=2, years=3)
    design = build_design(load_experiment(path), path)
    out = tmp_path / "out"
    run_design(design, out, SEQUENTIAL)
    store = ResultStore(out)
    promotions, summaries = store.promotions(), store.summaries()
    assert set(promotions["run_id"]) == {t.run_id for t in design.tasks}
    assert {"men", "women"} == set(promotions["group"]) and promotions["settled_step"].dtype == "Int64"
    made = promotions[promotions["step"] <= 36 - 18]
    stuck = made.assign(stuck=made["outcome"] == "stuck").groupby("run_id")["stuck"].mean()
    stick = summaries[summaries["metric"] == "promotion_stick_rate"].set_index("run_id")["value"]
    pd.testing.assert_series_equal(stuck.astype(float), stick.loc[stuck.index], check_names=False)
    count = summaries[summaries["metric"] == "promotions"].set_index("run_id")["value"]
    assert (promotions.groupby("run_id").size() == count.loc[stuck.index]).all()
    lean = tmp_path / "lean"
    run_design(build_design(load_experiment(write_experiment(tmp_path, replications=1, timeseries="none")), path),
               lean, SEQUENTIAL)
    assert ResultStore(lean).promotions().empty and not ResultStore(lean).summaries().empty
    # report.md points to the table where there is one.
    analyse(out, figures=())
    analyse(lean, figures=())
    assert "- `promotions/scenario=*/`: each run's promotions" in (out / "report.md").read_text()
    assert "promotions/scenario" not in (lean / "report.md").read_text()
    # Another design into the same folder: its runs join the first's, and design_only keeps its own.
    other = build_design(load_experiment(write_experiment(tmp_path, replications=1, years=3, seed=6)), path)
    run_design(other, out, SEQUENTIAL)
    mine = {t.run_id for t in other.tasks}
    assert set(store.promotions()["run_id"]) == mine | {t.run_id for t in design.tasks}
    for table in (store.runs, store.summaries, store.timeseries, store.promotions):
        assert set(table(design_only=True)["run_id"]) == mine, table


def test_reading_what_is_not_there_is_named_not_an_empty_table(tmp_path: Path) -> None:
    """A notebook's typo read as an empty table: a missing folder, a folder of something else,
    a misspelt metric, a metric given as a plain string (read as its letters), an unknown arm label."""
    path = write_experiment(tmp_path, replications=1)
    out = tmp_path / "out"
    run_design(build_design(load_experiment(path), path), out, SEQUENTIAL)
    store = ResultStore(out)
    assert set(store.timeseries("misread_rate")["metric"]) == {"misread_rate"}
    with pytest.raises(InputError, match=r"the time series holds no 'misread_rat' \(did you mean 'misread_rate'\?\)"):
        store.timeseries(["misread_rat"])
    assert store.timeseries(["misread_rate", "no_such"], missing_ok=True)["metric"].unique().tolist() == [
        "misread_rate"]
    with pytest.raises(InputError, match=r"unknown scenario label 'smal' \(did you mean 'small'\?\)"):
        store.scenario("smal")
    single = tmp_path / "single"
    single.mkdir()
    (single / "summary.parquet").write_bytes(b"")
    for folder, words in ((tmp_path / "nope", "no such folder"), (path, "is a file, not a results folder"),
                          (single, "one run's tables (promosim run --out)")):
        for read in ("runs", "summaries", "timeseries", "promotions"):
            with pytest.raises(InputError, match=re.escape(words)):
                getattr(ResultStore(folder), read)()


def test_a_grid_arms_scenario_is_read_by_its_scenario_and_its_label_says_so(tmp_path: Path) -> None:
    """The docs' example, ``store.scenario(design["arms"][0]["label"])``, failed on a grid ("unknown scenario
    label 'small[voice_rate=0.1]'") with a hint to the same key: scenarios/ keeps one file per scenario."""
    path = write_experiment(tmp_path, replications=1, grid={"behaviour.voice_rate": [0.1, 0.2]},
                            scenarios={"baseline": "small.yaml"})
    out = tmp_path / "out"
    run_design(build_design(load_experiment(path), path), out, SEQUENTIAL)
    store = ResultStore(out)
    design = store.design()
    assert store.scenario(design["arms"][0]["scenario"])["years"] == 1  # as docs/experiments.md reads it
    with pytest.raises(InputError, match=re.escape(
            "'small[voice_rate=0.2]' is an arm of scenario 'small': read scenario('small') (kept at its first grid "
            "or sample point; this arm ran it at behaviour.voice_rate=0.2")):
        store.scenario("small[voice_rate=0.2]")
    with pytest.raises(InputError, match=re.escape("(the arms' scenarios, as in design()['arms'][i]['scenario'])")):
        store.scenario("smal")


def test_ctrl_c_keeps_finished_runs_and_the_rerun_completes(tmp_path: Path) -> None:
    path = write_experiment(tmp_path, replications=5)
    design = build_design(load_experiment(path), path)
    out = tmp_path / "out"
    seen, interrupt_after_three = interrupt_after(3)
    with pytest.raises(KeyboardInterrupt):
        run_design(design, out, SEQUENTIAL, on_outcome=interrupt_after_three, flush_seconds=3600)
    assert set(ResultStore(out).finished()) == set(seen)
    stats = run_design(design, out, SEQUENTIAL)
    assert stats.skipped == 3 and stats.ok == len(design.tasks) - 3
    assert_each_run_exactly_once(out, design)


def test_a_second_writer_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with ResultStore(out):
        with pytest.raises(InputError, match="another promosim process"):
            ResultStore(out).__enter__()
        other = subprocess.run([sys.executable, "-c", "import sys; from sim.experiment.store import ResultStore; "
                                f"ResultStore({str(out)!r}).__enter__()"],
                               cwd=ROOT, env=cli_env(), capture_output=True, text=True, check=False)
        assert other.returncode == 1 and "another promosim process is writing" in other.stderr
    with ResultStore(out):  # released on exit
        pass


def test_a_command_refused_by_another_writers_lock_leaves_that_writers_folder_alone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two commands started together on one new --out: the one the lock refused found the folder new
    and no run in it yet, and removed the other's plan and lock file while the other ran (the check
    for stored runs no longer takes the lock). A folder this call never held is not its to remove."""
    path = write_experiment(tmp_path, replications=2)
    design = build_design(load_experiment(path), path)
    out = tmp_path / "out"
    other, started = ResultStore(out), []
    refuse = store_module.refuse_inside_tables

    def the_other_takes_the_folder_first(folder: str | Path) -> None:
        if not started:  # between this call's look at the folder (new) and its lock
            started.append(True)
            other.__enter__()
            other.write_json("experiment.json", design.to_json())
        refuse(folder)

    monkeypatch.setattr(store_module, "refuse_inside_tables", the_other_takes_the_folder_first)
    try:
        with pytest.raises(InputError, match="another promosim process is writing"):
            run_design(design, out, SEQUENTIAL)
        assert (out / "experiment.json").is_file() and (out / ".lock").is_file()
    finally:
        other.__exit__()


# ---------------------------------------------------------------------------------------------
# Failed runs


def fail_one(task: RunTask) -> RunOutcome:
    """The real run, except that replication 1 of the variant raises inside the model."""
    if task.arm == "random" and task.replication == 1:
        task = RunTask(**{**task.__dict__, "content": {**task.content, "organisation": {"levels": "broken"}}})
    return execute_run(task)


def test_a_failing_run_is_recorded_and_the_others_go_on(tmp_path: Path) -> None:
    path = write_experiment(tmp_path, replications=4)
    design = build_design(load_experiment(path), path)
    out = tmp_path / "out"
    stats = run_design(design, out, SEQUENTIAL, run_fn=fail_one)
    assert (stats.ok, stats.failed) == (7, 1)
    runs = ResultStore(out).runs()
    failed = runs[runs["status"] == "failed"]
    assert len(failed) == 1
    row = failed.iloc[0]
    assert row["arm"] == "random" and row["replication"] == 1
    assert "Traceback (most recent call last)" in row["error"] and "InputError" in row["error"]
    assert runs.loc[runs["status"] == "ok", "error"].isna().all()

    result = analyse(out, figures=())
    assert result.failed == 1
    promotions = result.effects.set_index("metric").loc["promotions"]
    assert promotions["n"] == 3
    report = (out / "report.md").read_text()
    assert "1 run(s) failed" in report and "InputError" in report

    # Re-running skips the failure; --retry-failed runs it again, still once per run id.
    assert run_design(design, out, SEQUENTIAL).skipped == 8
    stats = run_design(design, out, SEQUENTIAL, retry_failed=True)
    assert (stats.skipped, stats.ok, stats.failed) == (7, 1, 0)
    assert_each_run_exactly_once(out, design)
    assert (ResultStore(out).runs()["status"] == "ok").all()
    # The merged part's name, taken from the run ids, was that of the part the failure was dropped
    # from; the tables are still those of a folder where no run failed, byte for byte.
    clean = tmp_path / "clean"
    run_design(design, clean, SEQUENTIAL)
    assert archived(out, VALUE_TABLES) == archived(clean, VALUE_TABLES)


def test_retry_failed_retries_only_its_own_designs_runs(tmp_path: Path) -> None:
    """--retry-failed deleted the failed runs of every design in the folder (a review): another design's
    report then showed them as not run yet instead of failed."""
    path = write_experiment(tmp_path, replications=4)
    out = tmp_path / "out"
    run_design(build_design(load_experiment(path), path), out, SEQUENTIAL, run_fn=fail_one)
    smaller = build_design(load_experiment(write_experiment(tmp_path, replications=1)), path)  # replication 0 only
    run_design(smaller, out, SEQUENTIAL, retry_failed=True)
    runs = ResultStore(out).runs()
    assert (runs["status"] == "failed").sum() == 1  # replication 1's failure is the first design's to retry


def die_once(task: RunTask) -> RunOutcome:
    """Kill the worker process the first time replication 0 of the variant runs (a lost machine)."""
    marker = Path(task.content["description"])
    if task.arm == "random" and task.replication == 0 and not marker.exists():
        marker.write_text("died")
        os._exit(1)
    return execute_run(task)


def test_a_run_lost_with_its_worker_is_retried_on_a_fresh_pool(tmp_path: Path) -> None:
    path = write_experiment(tmp_path, replications=3, set={"description": str(tmp_path / "died")})
    design = build_design(load_experiment(path), path)
    out = tmp_path / "out"
    stats = run_design(design, out, ExecutorSpec(kind="processes", workers=2), run_fn=die_once)
    assert (tmp_path / "died").exists()
    assert stats.retried >= 1 and stats.failed == 0
    assert_each_run_exactly_once(out, design)


def test_every_column_written_says_what_it_holds() -> None:
    """A Parquet file read without the docs (an archived dataset, another language's reader) carries
    each column's meaning in its field metadata (a researcher trial found none)."""
    from sim.cli import run_table_schemas  # noqa: PLC0415

    for schema in (RUNS_SCHEMA, SUMMARY_SCHEMA, TIMESERIES_SCHEMA, *run_table_schemas().values()):
        for field in schema:
            assert (field.metadata or {}).get(b"description"), f"{field.name} has no description"
    # A promotion always has a group and a track: the time series' "empty on rows that are not by
    # group" said otherwise of promotions.parquet, and the track is the post promoted into.
    promotions = run_table_schemas()["promotions"]
    for name in ("group", "track"):
        note = promotions.field(name).metadata[b"description"].decode()
        assert "empty" not in note, note
    assert "promoted into" in promotions.field("track").metadata[b"description"].decode()


def test_runs_reused_from_the_folder_do_not_read_as_failures() -> None:
    """"12 runs planned, 12 already done, 0 ok" read as twelve failures when every run had been reused from an
    earlier command into the folder (an org-design trial)."""
    from sim.experiment.runner import RunStats  # noqa: PLC0415

    assert RunStats(planned=12, skipped=12, elapsed=0.1).line() == (
        "12 runs planned: 12 reused (already in the folder), none new, in 0.1 s")
    assert RunStats(planned=12, skipped=4, ok=7, failed=1, elapsed=3.25).line() == (
        "12 runs planned: 4 reused (already in the folder), 8 new (7 ok, 1 failed), in 3.2 s")
    assert RunStats(planned=1, skipped=0, ok=1, retried=1, elapsed=2).line() == (
        "1 run planned: 1 new (1 ok, 1 retried after a lost worker), in 2.0 s")
