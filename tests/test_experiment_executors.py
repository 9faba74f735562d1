"""One executor seam: the same numbers in process, in a process pool and on Dask, even when a
Dask worker process is killed mid-experiment."""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import json
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import cloudpickle
import pandas as pd
import pytest
import yaml
from conftest import BASELINE, ROOT, cli_env, ended, stderr_until

from sim.errors import InputError
from sim.experiment import executor as executor_module
from sim.experiment import fingerprint
from sim.experiment.design import RunTask, build_design, load_experiment
from sim.experiment.executor import (
    DaskExecutor,
    ExecutorSpec,
    RunOutcome,
    SequentialExecutor,
    check_worker_code,
    execute_run,
    executor_from_options,
    open_executor,
)
from sim.experiment.report import analyse
from sim.experiment.runner import SchedulerLostError, _drive, run_design
from sim.experiment.store import ResultStore

distributed = pytest.importorskip("distributed")


def small_design(folder: Path, name: str, seed: int, replications: int, headcount: int) -> Any:
    """A one-year baseline against random promotion, written into ``folder``: runs of a second or less."""
    (folder / "small.yaml").write_text(f"extends: {BASELINE}\nname: small\nwarmup_months: 2\nyears: 1\n")
    (folder / "random.yaml").write_text("extends: small.yaml\nname: random\npolicy: {name: random}\n")
    path = folder / "exp.yaml"
    path.write_text(yaml.safe_dump({"name": name, "seed": seed, "replications": replications, "headcount": headcount,
                                    "scenarios": {"baseline": "small.yaml", "variants": ["random.yaml"]}}))
    return build_design(load_experiment(path), path)


@pytest.fixture(scope="module")
def design(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return small_design(tmp_path_factory.mktemp("executors"), "x", seed=2024, replications=3, headcount=100)


def tables(out: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    store = ResultStore(out)
    summaries = store.summaries().drop(columns=["scenario"]).sort_values(["run_id", "metric"])
    series = store.timeseries().drop(columns=["scenario"]).sort_values(["run_id", "metric", "step"])
    promotions = store.promotions().drop(columns=["scenario"]).sort_values(["run_id", "step", "employee"])
    return summaries.reset_index(drop=True), series.reset_index(drop=True), promotions.reset_index(drop=True)


def test_same_numbers_on_every_executor(design: Any, tmp_path: Path) -> None:
    specs = {"sequential": ExecutorSpec(kind="sequential"),
             "pool": ExecutorSpec(kind="processes", workers=2),
             "dask": ExecutorSpec(kind="dask", workers=2)}
    for name, spec in specs.items():
        stats = run_design(design, tmp_path / name, spec)
        assert stats.ok == len(design.tasks), name
    reference = tables(tmp_path / "sequential")
    for name in ("pool", "dask"):
        other = tables(tmp_path / name)
        for ours, theirs in zip(reference, other, strict=True):
            assert len(ours)
            pd.testing.assert_frame_equal(ours, theirs, check_exact=True)
    effects = [analyse(tmp_path / name, figures=()).effects for name in specs]
    pd.testing.assert_frame_equal(effects[0], effects[1], check_exact=True)
    pd.testing.assert_frame_equal(effects[0], effects[2], check_exact=True)
    # Each run records where it ran: the pool and Dask really used other processes.
    assert set(ResultStore(tmp_path / "sequential").runs()["worker"]) == {f"{os.uname().nodename}:{os.getpid()}"}
    assert f":{os.getpid()}" not in "".join(ResultStore(tmp_path / "pool").runs()["worker"])


def test_a_killed_dask_worker_does_not_lose_or_repeat_runs(tmp_path: Path) -> None:
    folder = tmp_path
    design = small_design(folder, "k", seed=9, replications=10, headcount=150)
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                       host="127.0.0.1", silence_logs=logging.ERROR)
    client = distributed.Client(cluster)
    try:
        workers = set(client.run(os.getpid).values())
        killed: list[int] = []
        seen: list[str] = []

        def kill_a_worker(outcome: RunOutcome) -> None:
            # Kill whichever worker reports first: with a cold compile cache one worker can finish
            # compiling long before the other and run nearly every task, so a victim chosen in
            # advance may not report until the experiment is almost over.
            seen.append(outcome.run_id)
            pid = int(outcome.worker.rsplit(":", 1)[1])
            if not killed and pid in workers:
                os.kill(pid, signal.SIGKILL)
                killed.append(len(seen))

        stats = run_design(design, tmp_path / "out", ExecutorSpec(kind="dask", address=cluster.scheduler_address),
                           on_outcome=kill_a_worker)
    finally:
        client.close()
        cluster.close()
    assert killed, "the victim worker never finished a run"
    assert killed[0] < len(design.tasks) - 2, "the kill did not land mid-experiment"
    runs = ResultStore(tmp_path / "out").runs()
    assert stats.ok == len(design.tasks) and stats.failed == 0
    assert len(runs) == len(design.tasks) and runs["run_id"].is_unique
    assert set(runs["run_id"]) == {t.run_id for t in design.tasks}
    assert (runs["status"] == "ok").all()


@pytest.mark.parametrize("mode", ["totals", "all", "none"])
def test_a_run_keeps_what_simulate_gives(mode: str) -> None:
    """An experiment's run makes only the tables it keeps (``run_model``), and they are ``simulate``'s."""
    from sim.metrics import totals  # noqa: PLC0415
    from sim.scenario import load_scenario  # noqa: PLC0415
    from sim.simulation import simulate  # noqa: PLC0415

    content = load_scenario(BASELINE, headcount=150, overrides={"years": 1}).model_dump(mode="json")
    task = RunTask(run_id="r", arm="baseline", scenario="baseline", point=0, parameters={}, replication=0, seed=11,
                   content=content, timeseries=mode)
    outcome = execute_run(task)
    assert outcome.status == "ok", outcome.error
    result = simulate(load_scenario(content), seed=11)
    pd.testing.assert_series_equal(pd.Series(outcome.summary), pd.Series(result.summary))  # NaN equals NaN
    if mode == "none":
        assert outcome.timeseries is None and outcome.promotions is None
        return
    expected = result.timeseries if mode == "all" else totals(result.timeseries).reset_index(drop=True)
    pd.testing.assert_frame_equal(outcome.timeseries, expected)
    pd.testing.assert_frame_equal(outcome.promotions, result.promotions)


_busy = {"now": 0, "peak": 0, "where": {}}  # what _slow_run saw, in this process (processes=False)
_busy_lock = threading.Lock()


def _slow_run(task: Any) -> RunOutcome:
    """``execute_run`` after a pause during which the run counts as busy on its Dask worker."""
    where = distributed.get_worker().address
    with _busy_lock:
        _busy["now"] += 1
        _busy["peak"] = max(_busy["peak"], _busy["now"])
        _busy["where"][where] = _busy["where"].get(where, 0) + 1
    try:
        time.sleep(0.25)
    finally:
        with _busy_lock:
            _busy["now"] -= 1
    return execute_run(task)


def test_workers_joining_mid_experiment_get_their_share_of_runs(tmp_path: Path) -> None:
    """The window of runs in flight was two per worker of those present at the start: workers that
    joined later (an adaptive cluster, ``dask worker`` started after the command) sat mostly idle.
    It follows the cluster now, and the numbers are those of a sequential run."""
    design = small_design(tmp_path, "g", seed=11, replications=12, headcount=100)
    _busy.update(now=0, peak=0, where={})
    cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None,
                                       silence_logs=logging.ERROR)
    try:
        first = set(cluster.scheduler_info["workers"])
        grown: list[int] = []

        def grow(outcome: RunOutcome) -> None:
            if not grown:
                cluster.scale(3)  # two more single-threaded workers, with nearly every run still to go
                grown.append(1)

        stats = run_design(design, tmp_path / "grown", ExecutorSpec(kind="dask", address=cluster.scheduler_address),
                           run_fn=_slow_run, on_outcome=grow)
    finally:
        cluster.close()
    assert stats.ok == len(design.tasks)
    joined = {w: n for w, n in _busy["where"].items() if w not in first}
    assert len(joined) == 2, _busy
    # A window fixed at the start (two runs for one worker) never had three runs executing at once,
    # though the workers that joined got some of its runs (2 and 9 of 24 in a trial).
    assert _busy["peak"] == 3, _busy
    run_design(design, tmp_path / "sequential", ExecutorSpec(kind="sequential"))
    for ours, theirs in zip(tables(tmp_path / "sequential"), tables(tmp_path / "grown"), strict=True):
        assert len(ours)
        pd.testing.assert_frame_equal(ours, theirs, check_exact=True)


def test_a_cluster_that_loses_every_worker_says_so_and_goes_on_when_one_is_back(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """With every worker gone the runs wait for one to connect, and the command said nothing for as
    long as that took (a researcher's trial: 30 s of silence)."""
    design = small_design(tmp_path, "i", seed=11, replications=6, headcount=100)
    _busy.update(now=0, peak=0, where={})
    cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None,
                                       silence_logs=logging.ERROR)
    emptied: list[int] = []

    def empty_then_refill(outcome: RunOutcome) -> None:
        if not emptied:
            emptied.append(1)
            cluster.scale(0)
            threading.Timer(3.0, cluster.scale, args=(1,)).start()

    try:
        stats = run_design(design, tmp_path / "out", ExecutorSpec(kind="dask", address=cluster.scheduler_address),
                           run_fn=_slow_run, on_outcome=empty_then_refill, flush_seconds=0.5)
    finally:
        cluster.close()
    assert stats.ok == len(design.tasks)
    err = capsys.readouterr().err
    assert "note: the Dask cluster has no workers now" in err and "note: Dask workers are back" in err, err
    assert err.index("no workers now") < err.index("workers are back")


def _from_other_code_after_two(task: Any) -> RunOutcome:
    """``execute_run``, but runs from the third replication on come back made by other code."""
    outcome = execute_run(task)
    if task.replication >= 2:
        outcome.code = ("0123456789ab", "/elsewhere/sim")
    return outcome


def test_a_run_made_by_other_code_is_not_stored(tmp_path: Path) -> None:
    """Workers are checked when the command starts; one joining later with other code (now given its
    share of runs) had its runs stored under this command's version. Every outcome says which engine
    made it: the first from other code stops the command, and none of its runs is stored."""
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump({"name": "g", "seed": 3, "replications": 6, "headcount": 60, "years": 1,
                                    "scenarios": {"baseline": str(BASELINE)}}))
    design = build_design(load_experiment(path), path)
    cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None,
                                       silence_logs=logging.ERROR)
    try:
        with pytest.raises(InputError, match=r"^--dask-address: worker .+ runs other promosim code "
                                             r"\(/elsewhere/sim, digest 0123456789ab\) than this command"):
            run_design(design, tmp_path / "out", ExecutorSpec(kind="dask", address=cluster.scheduler_address),
                       run_fn=_from_other_code_after_two)
    finally:
        cluster.close()
    replication = {t.run_id: t.replication for t in design.tasks}
    stored = ResultStore(tmp_path / "out").finished()
    assert all(replication[run_id] < 2 for run_id in stored), stored


def test_executor_options() -> None:
    assert executor_from_options(1, None, None).kind == "sequential"
    # Said in plain words where the runs are announced and in report.md: it was "process pool (2 workers)",
    # jargon to an org-design trial.
    assert executor_from_options(2, None, None).describe() == "2 worker processes"
    assert executor_from_options(1, None, None).describe() == "this process, one run at a time"
    assert executor_from_options(3, None, None) == ExecutorSpec(kind="processes", workers=3)
    assert executor_from_options(None, None, 2) == ExecutorSpec(kind="dask", workers=2)
    assert executor_from_options(None, "tcp://h:1", None).address == "tcp://h:1"
    assert executor_from_options(None, None, None).kind in ("processes", "sequential")


def test_sequential_executor_hands_exceptions_through_the_future() -> None:
    future = SequentialExecutor().submit(int, "x")
    with pytest.raises(ValueError, match="invalid literal"):
        future.result()


class _Workers:
    """A stand-in for a Dask client: ``run`` answers for each worker with what it was given."""

    def __init__(self, answers: dict[str, Any]):
        self.answers = answers

    def run(self, fn: Any, on_error: str = "raise") -> dict[str, Any]:
        return {address: answer(fn) if callable(answer) else answer for address, answer in self.answers.items()}


def test_dask_workers_running_other_code_are_refused() -> None:
    """A worker imports its own sim: one from another checkout ran a whole experiment while the
    report named this command's git revision."""
    here = fingerprint.code_digest()
    check_worker_code(_Workers({"tcp://a:1": here, "tcp://b:2": lambda fn: fn()}))  # the same code: accepted
    other = _Workers({"tcp://a:1": here, "tcp://b:2": ("0123456789ab", "/elsewhere/sim")})
    with pytest.raises(InputError, match=r"worker tcp://b:2 runs other promosim code \(/elsewhere/sim, digest "
                                         r"0123456789ab\) than this command"):
        check_worker_code(other, "--dask-local")


def test_a_worker_whose_files_changed_after_it_loaded_them_is_not_taken_for_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A long-lived worker keeps the code it imported; after a git pull in its checkout its files say
    otherwise. Hashing the files alone let it pass as running the new code (a review)."""
    import sim  # noqa: PLC0415
    import sim.model  # noqa: PLC0415 (notes the files it loaded)

    assert sim._engine_files == fingerprint.engine_files()
    assert len(fingerprint.code_digest()[0]) == 12
    edited = tuple((path, mtime + 1 if path == "hiring.py" else mtime, size)
                   for path, mtime, size in sim._engine_files)
    monkeypatch.setattr(sim, "_engine_files", edited)  # as if hiring.py changed after the import
    theirs = fingerprint.code_digest()
    assert theirs[0] == "changed since loaded"
    monkeypatch.undo()  # this process, the command, loaded its files as they are
    with pytest.raises(InputError, match="whose files changed after the worker imported them: restart it"):
        check_worker_code(_Workers({"tcp://a:1": theirs}))


def test_the_code_check_reaches_workers_without_it(tmp_path: Path) -> None:
    """The check is sent by value, so a worker whose sim lacks it (an older install) still answers."""
    check_worker_code(_Workers({}))  # registers the module to be pickled by value
    payload = tmp_path / "digest.pickle"
    payload.write_bytes(cloudpickle.dumps(fingerprint.code_digest))
    # The worker's sim has no such module: sent by reference, unpickling would fail to import it.
    script = ("import pickle, sys; sys.modules['sim.experiment.fingerprint'] = None; "
              f"digest, where = pickle.loads(open({str(payload)!r}, 'rb').read())(); print(len(digest), where)")
    out = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env={"PATH": os.environ["PATH"]},
                         capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[0] in {"12", "4"}  # a digest, or "none" where no sim is installed


def test_a_worker_without_promosim_is_named_as_such() -> None:
    """It was "runs other promosim code (no sim package, digest none)", which reads as another version."""
    with pytest.raises(InputError, match=r"worker tcp://b:2 cannot import promosim \(no 'sim' package on its "
                                         r"Python path\).*PYTHONPATH="):
        check_worker_code(_Workers({"tcp://b:2": ("none", "no sim package")}))


class _ClosedClient:
    """A Dask client that gave up reconnecting to a scheduler that died: its futures never finish."""

    status = "closed"

    def __init__(self) -> None:
        self.submitted = 0

    def get_executor(self, **kwargs: Any) -> Any:
        client = self

        class Never(cf.Executor):
            def submit(self, fn: Any, /, *args: Any, **kw: Any) -> cf.Future:
                client.submitted += 1
                return cf.Future()  # never set, as the futures of a closed client

            def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
                raise RuntimeError("cannot cancel through a closed client")

        return Never()


def test_runs_in_flight_when_the_dask_scheduler_dies_are_lost_not_waited_for(design: Any) -> None:
    """A scheduler killed mid-experiment: the client closed itself and the command waited forever
    for the runs it had in flight (a researcher's trial)."""
    client = _ClosedClient()
    pool = DaskExecutor(client)
    assert pool.lost() == "the Dask client lost its scheduler (closed)"
    assert pool.width() is None  # not asked of a closed client: the window stays as it was
    with pytest.raises(cf.BrokenExecutor, match="lost its scheduler"):
        pool.submit(int, "1")
    pool.shutdown(wait=False)  # nothing to cancel, and no error that would replace a Ctrl-C's

    client.status = "running"  # the runs go out, then the scheduler dies
    tasks = list(design.tasks)
    committer = SimpleNamespace(flush_seconds=0.05, add=lambda outcome: None, maybe_flush=lambda: None)
    flipped = threading.Timer(0.2, lambda: setattr(client, "status", "closed"))
    flipped.start()
    started = time.monotonic()
    lost = _drive(pool, 1, tasks, execute_run, committer)
    assert time.monotonic() - started < 5
    assert client.submitted == 2  # the window: the others were never sent
    assert sorted(t.run_id for t, _ in lost) == sorted(t.run_id for t in tasks)
    assert all(isinstance(exc, cf.BrokenExecutor) for _, exc in lost)


def test_a_scheduler_without_workers_says_so_and_waits_for_one(capsys: pytest.CaptureFixture[str]) -> None:
    """It showed nothing at all while no worker had connected (workers pointed at another address)."""
    cluster = distributed.LocalCluster(n_workers=0, threads_per_worker=1, processes=True, dashboard_address=None,
                                       host="127.0.0.1", silence_logs=logging.ERROR)
    try:
        threading.Timer(1.0, cluster.scale, args=(1,)).start()
        with open_executor(ExecutorSpec(kind="dask", address=cluster.scheduler_address)) as (pool, width):
            assert width == 1 and pool.submit(os.getpid).result(timeout=60) != os.getpid()
            assert pool.width() == 1  # asked again while the runs go out
    finally:
        cluster.close()
    err = capsys.readouterr().err
    assert f"note: the Dask scheduler at {cluster.scheduler_address} has no workers yet; waiting" in err


def test_a_port_where_no_scheduler_answers_is_refused_not_waited_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """``tcp://HOST:8787`` (the dashboard's port) or a web server: the client waited forever for the
    scheduler's greeting, with no word, and bytes that were not Dask's were read as a message length
    ("not enough memory for this organisation"; a researcher's trial)."""
    monkeypatch.setattr(executor_module, "CONNECT_TIMEOUT", "1s")
    monkeypatch.setattr(executor_module, "GREETING_TIMEOUT", 1.0)

    def http_reply(server: socket.socket) -> None:
        connection, _ = server.accept()
        with connection:
            connection.sendall(b"HTTP/1.0 400 Bad request\r\n\r\n" * 4)
            time.sleep(5)

    errors: dict[str, str] = {}
    with socket.socket() as silent, socket.socket() as answering:
        for server in (silent, answering):
            server.bind(("127.0.0.1", 0))
            server.listen()  # the kernel accepts the connection; no one ever greets (silent)
        threading.Thread(target=http_reply, args=(answering,), daemon=True).start()

        def attempt(name: str, server: socket.socket) -> None:
            try:
                with open_executor(ExecutorSpec(kind="dask", address=f"tcp://127.0.0.1:{server.getsockname()[1]}")):
                    pass
            except InputError as exc:
                errors[name] = str(exc)

        threads = [threading.Thread(target=attempt, args=pair, daemon=True)
                   for pair in (("silent", silent), ("answering", answering))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert "did not answer as a Dask scheduler within 2 s; is it the scheduler's port" in errors.get("silent", "")
    assert "cannot reach the Dask scheduler at" in errors["silent"]
    assert "something there answered, but not as a Dask scheduler does" in errors.get("answering", "")


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl makes the test's certificate")
def test_a_tls_scheduler_is_heard_with_dasks_tls_configuration(tmp_path: Path) -> None:
    """The greeting check connected without the certificates the Client takes from Dask's configuration,
    so every tls:// scheduler was refused as "not a Dask scheduler"; without them, the line says what is missing."""
    import dask  # noqa: PLC0415
    from distributed.security import Security  # noqa: PLC0415

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-subj", "/CN=localhost", "-days", "1", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   check=True, capture_output=True)
    security = Security(tls_ca_file=str(cert), tls_scheduler_cert=str(cert), tls_scheduler_key=str(key),
                        tls_client_cert=str(cert), tls_client_key=str(key), require_encryption=True)
    cluster = distributed.LocalCluster(n_workers=0, protocol="tls://", host="127.0.0.1", security=security,
                                       dashboard_address=None, silence_logs=logging.ERROR)
    try:
        address = cluster.scheduler_address
        with pytest.raises(InputError, match="a tls:// address needs Dask's TLS configuration"):
            executor_module.hear_scheduler(address)
        config = {"distributed.comm.tls.ca-file": str(cert), "distributed.comm.tls.client.cert": str(cert),
                  "distributed.comm.tls.client.key": str(key)}
        with dask.config.set(config):
            executor_module.hear_scheduler(address)  # as a Client with that configuration reaches it
    finally:
        cluster.close()


@contextlib.contextmanager
def dask_processes(folder: Path, workers: int = 1) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A real ``dask scheduler`` and one single-threaded ``dask worker`` on it, as a researcher starts them.

    Yields the scheduler's address and its process (to kill); both are ended on the way out.
    The worker imports this tree's ``sim``, as the command does (``check_worker_code``). With
    ``workers=0``, the scheduler alone.
    """
    file = folder / "scheduler.json"
    quiet = {"env": cli_env(), "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "start_new_session": True}
    scheduler = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                                  "--port", "0", "--no-dashboard", "--scheduler-file", str(file)], **quiet)
    started = [scheduler]
    try:
        deadline = time.monotonic() + 120
        address = None
        while address is None:
            assert scheduler.poll() is None and time.monotonic() < deadline, "the scheduler did not start"
            with contextlib.suppress(OSError, ValueError):  # not written yet, or half written
                address = json.loads(file.read_text())["address"]
            time.sleep(0.05)
        if workers:
            started.append(subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address,
                                             "--nworkers", str(workers), "--nthreads", "1", "--no-dashboard"], **quiet))
        yield address, scheduler
    finally:
        for process in started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)  # the worker's nanny and its worker process alike
            process.wait()


# The command line, killing the scheduler (SCHEDULER_PID) when its first run has finished, where a test
# on run_design would in ``on_outcome``, and with a shorter wait for a lost scheduler: 2 s, twice (the
# client's reconnecting, then a fresh one's connecting), not 10 s.
_KILL_AT_THE_FIRST_RUN = """
import os, signal
import sim.experiment.cli as cli, sim.experiment.executor as executor
executor.CONNECT_TIMEOUT = "2s"
checkpoint = cli.checkpoint  # what the command calls after each finished run

def kill_the_scheduler_then_checkpoint():
    pid = int(os.environ.pop("SCHEDULER_PID", "0"))
    if pid:
        os.killpg(pid, signal.SIGKILL)
    checkpoint()

cli.checkpoint = kill_the_scheduler_then_checkpoint
from sim.cli import entry
entry()
"""


def test_a_scheduler_killed_mid_experiment_is_one_line_exit_1_and_the_runs_resume(tmp_path: Path) -> None:
    """A researcher killed the dask scheduler while runs went on: Dask's "Failed to reconnect to scheduler"
    log line (and at times tornado's traceback of a result it could not gather) came above the command's
    line, which exited with code 2, the code of bad input, and said "run the same command again" without
    how many runs were saved. Now one line: what was lost after how many runs, where they are, and the
    command that resumes, as typed (it left out --quiet and --full); exit code 1, as for runs that failed."""
    design = small_design(tmp_path, "s", seed=4, replications=4, headcount=100)
    path, out = tmp_path / "exp.yaml", tmp_path / "out"
    with dask_processes(tmp_path) as (address, scheduler):
        command = [sys.executable, "-c", _KILL_AT_THE_FIRST_RUN, "experiment", "run", str(path), "--out", str(out),
                   "--dask-address", address, "--quiet", "--full"]
        done = subprocess.run(command, cwd=ROOT, env={**cli_env(), "SCHEDULER_PID": str(scheduler.pid)},
                              capture_output=True, text=True, timeout=300, check=False)
        assert scheduler.poll() is not None, done.stderr  # killed
    err, finished, planned = done.stderr, ResultStore(out).finished(), len(design.tasks)
    assert 0 < len(finished) < planned, err
    assert done.returncode == 1, err
    assert not re.search(r"distributed\.|tornado|Traceback|reconnect", err), err  # none of Dask's own lines
    saved = f"the {len(finished)} finished runs are" if len(finished) > 1 else "the 1 finished run is"
    assert err.splitlines()[-1] == (
        f"promosim experiment: the Dask scheduler at {address} was lost after {len(finished)} of {planned} runs; "
        f"{saved} saved in {out}; once a scheduler and its workers are back, resume with: promosim experiment run "
        f"{path} --out {out} --dask-address {address} --full --quiet"), err
    # What it saved is resumed, on any executor, and no run lost with the scheduler was recorded as failed.
    stats = run_design(design, out, ExecutorSpec(kind="sequential"))
    assert stats.skipped == len(finished) and stats.ok == planned - len(finished)
    runs = ResultStore(out).runs()
    assert len(runs) == planned and runs["run_id"].is_unique and (runs["status"] == "ok").all()


# The command line with a shorter wait for a lost scheduler (2 s, as above), killing the scheduler
# (SCHEDULER_PID, when given) once the plan is written, where the command is about to connect.
_KILL_AFTER_THE_PLAN = """
import os, signal
import sim.experiment.executor as executor, sim.experiment.runner as runner
executor.CONNECT_TIMEOUT = "2s"
write_plan = runner.write_plan

def write_plan_then_kill_the_scheduler(*args, **kwargs):
    write_plan(*args, **kwargs)
    pid = int(os.environ.pop("SCHEDULER_PID", "0"))
    if pid:
        os.killpg(pid, signal.SIGKILL)

runner.write_plan = write_plan_then_kill_the_scheduler
from sim.cli import entry
entry()
"""


@pytest.mark.parametrize("when", ["after-the-plan", "waiting-for-a-worker"])
def test_a_scheduler_that_answered_and_went_away_as_the_command_connects_is_lost_not_a_wrong_address(
        tmp_path: Path, when: str) -> None:
    """A scheduler that answered when the command started but not when it connected (killed while the
    plan was written, or the engine compiled) was "cannot reach the Dask scheduler", exit code 2, as for a
    mistyped address; one killed while the command waited for its first worker ended in Dask's traceback.
    The command asks the scheduler before it plans, so it knows: the lost scheduler's line, exit code 1,
    the command that starts as typed, and the new folder removed. An address that never answered is still
    bad input (``test_an_unreachable_scheduler_leaves_no_plan_behind``)."""
    design = small_design(tmp_path, "c", seed=8, replications=2, headcount=100)
    path, out = tmp_path / "exp.yaml", tmp_path / "new" / "out"
    with dask_processes(tmp_path, workers=0 if when == "waiting-for-a-worker" else 1) as (address, scheduler):
        env = cli_env()
        if when == "after-the-plan":
            env["SCHEDULER_PID"] = str(scheduler.pid)
        command = [sys.executable, "-c", _KILL_AFTER_THE_PLAN, "experiment", "run", str(path), "--out", str(out),
                   "--dask-address", address, "--retry-failed"]
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                text=True, start_new_session=True)
        seen = ""  # what it said before the scheduler was killed
        with ended(proc):
            if when == "waiting-for-a-worker":
                seen = stderr_until(proc, "has no workers yet", "it waited for a worker")
                os.killpg(scheduler.pid, signal.SIGKILL)
            _, rest = proc.communicate(timeout=120)
        assert scheduler.poll() is not None  # killed
    err = seen + rest
    assert proc.returncode == 1, err
    assert not re.search(r"distributed\.|tornado|Traceback|cannot reach", err), err
    assert err.splitlines()[-1] == (
        f"promosim experiment: the Dask scheduler at {address} was lost before any of its {len(design.tasks)} runs "
        f"had finished, so none is saved; once a scheduler and its workers are back, start with: promosim experiment "
        f"run {path} --out {out} --dask-address {address} --retry-failed"), err
    assert not out.exists() and (tmp_path / "new").is_dir()  # the folder it made, not the one above it


# The command line, killing the LocalCluster it started (sim.experiment.cluster's process group: the
# scheduler and its workers) at every finished run, and with a shorter wait for a lost scheduler (2 s).
# With SPOILED_SCRATCH (a file), the clusters it starts after that find Dask's temporary folder unusable.
_KILL_THE_LOCAL_CLUSTER_AT_EVERY_RUN = """
import contextlib, os, signal
import psutil
import sim.experiment.cli as cli, sim.experiment.executor as executor
executor.CONNECT_TIMEOUT = "2s"
checkpoint = cli.checkpoint  # what the command calls after each finished run

def kill_the_cluster_then_checkpoint():
    if os.environ.get("SPOILED_SCRATCH"):  # read by the cluster's process when it starts, not by this one
        os.environ["DASK_TEMPORARY_DIRECTORY"] = os.environ["SPOILED_SCRATCH"]
    for child in psutil.Process().children():
        with contextlib.suppress(psutil.Error, OSError):
            if "sim.experiment.cluster" in child.cmdline():
                os.killpg(child.pid, signal.SIGKILL)
    checkpoint()

cli.checkpoint = kill_the_cluster_then_checkpoint
from sim.cli import entry
entry()
"""


def test_a_local_cluster_that_stops_says_the_same_command_starts_a_new_one(tmp_path: Path) -> None:
    """The line of a lost scheduler said "once a scheduler and its workers are back, resume with: ..." of
    the LocalCluster the command had started itself (--dask-local), which no one brings back. Lost, it is
    started anew (twice); lost every time, the line says so, and that the same command, as typed,
    starts a new one."""
    pytest.importorskip("psutil")
    design = small_design(tmp_path, "d", seed=9, replications=8, headcount=100)
    path, out = tmp_path / "exp.yaml", tmp_path / "out"
    done = subprocess.run([sys.executable, "-c", _KILL_THE_LOCAL_CLUSTER_AT_EVERY_RUN, "experiment", "run", str(path),
                           "--out", str(out), "--dask-local", "1", "--quiet", "--full"],
                          cwd=ROOT, env=cli_env(), capture_output=True, text=True, timeout=600, check=False)
    err, finished, planned = done.stderr, ResultStore(out).finished(), len(design.tasks)
    assert done.returncode == 1, err
    assert not re.search(r"distributed\.|tornado|Traceback|once a scheduler", err), err
    saved = f"the {len(finished)} finished runs are" if len(finished) > 1 else "the 1 finished run is"
    assert err.splitlines()[-1] == (
        f"promosim experiment: the Dask LocalCluster (1 worker) that this command started stopped 3 times, the last "
        f"after {len(finished)} of {planned} runs; {saved} saved in {out}; resume with the same command, which starts "
        f"a new cluster: promosim experiment run {path} --out {out} --dask-local 1 --full --quiet"), err
    assert 3 <= len(finished) < planned and set(finished.values()) == {"ok"}  # a run at each cluster, none failed


# The cluster's process, sent SIGTERM (as the command stops it) while it exits on its own: from an exit
# callback, registered before any of Dask's, so that it runs after them, at the very end.
_SIGTERM_ON_THE_WAY_OUT = """
import atexit, os, signal, sys, time
atexit.register(lambda: (os.kill(os.getpid(), signal.SIGTERM), time.sleep(0.2)))
from sim.experiment.cluster import main
main(sys.argv[1:])
"""


def test_a_sigterm_to_a_cluster_that_is_exiting_says_nothing(tmp_path: Path) -> None:
    """A full suite's run (session 26): the cluster that could not start again printed its line and exited;
    the command's SIGTERM came during the exit, and its handler's SystemExit was raised inside an exit
    callback, whose traceback came on the command's screen ("Exception ignored in atexit callback")."""
    spoiled = tmp_path / "a-file"  # Dask's temporary folder, a file: the cluster cannot start
    spoiled.write_text("")
    done = subprocess.run([sys.executable, "-c", _SIGTERM_ON_THE_WAY_OUT, "1"], cwd=ROOT,
                          env={**cli_env(), "DASK_TEMPORARY_DIRECTORY": str(spoiled)}, capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith("not started: NotADirectoryError"), done.stdout
    assert done.stderr == ""


def test_a_local_cluster_that_cannot_start_again_is_one_line_exit_1_with_the_command_that_resumes(
        tmp_path: Path) -> None:
    """Workers killed, the command starts a new LocalCluster; one that could not start (here Dask's temporary
    folder is a file by then) ended the command in Dask's traceback and a RuntimeError's. It is the lost
    cluster's line: why the new one did not start, the runs saved, the same command to resume; exit code 1."""
    pytest.importorskip("psutil")
    design = small_design(tmp_path, "n", seed=3, replications=4, headcount=100)
    path, out, spoiled = tmp_path / "exp.yaml", tmp_path / "out", tmp_path / "a-file"
    spoiled.write_text("")
    done = subprocess.run([sys.executable, "-c", _KILL_THE_LOCAL_CLUSTER_AT_EVERY_RUN, "experiment", "run", str(path),
                           "--out", str(out), "--dask-local", "1", "--quiet"],
                          cwd=ROOT, env={**cli_env(), "SPOILED_SCRATCH": str(spoiled)}, capture_output=True,
                          text=True, timeout=600, check=False)
    err, finished, planned = done.stderr, ResultStore(out).finished(), len(design.tasks)
    assert done.returncode == 1, err
    assert not re.search(r"distributed\.|tornado|Traceback|RuntimeError", err), err
    saved = f"the {len(finished)} finished runs are" if len(finished) > 1 else "the 1 finished run is"
    assert re.fullmatch(re.escape("promosim experiment: the Dask LocalCluster (1 worker) that this command started "
                                  "stopped, and a new one did not start (NotADirectoryError: ") + r"[^()]+"
                        + re.escape(f"{spoiled}") + r"[^()]*"
                        + re.escape(f"), after {len(finished)} of {planned} runs; {saved} saved in {out}; resume with "
                                    f"the same command, which starts a new cluster: promosim experiment run {path} "
                                    f"--out {out} --dask-local 1 --quiet"), err.splitlines()[-1]), err
    assert 1 <= len(finished) < planned and set(finished.values()) == {"ok"}
    # The first cluster, likewise: no traceback, and the new folder removed.
    first = subprocess.run([sys.executable, "-m", "sim", "experiment", "run", str(path), "--out", str(tmp_path / "new"),
                            "--dask-local", "1", "--quiet"], cwd=ROOT,
                           env={**cli_env(), "DASK_TEMPORARY_DIRECTORY": str(spoiled)}, capture_output=True, text=True,
                           timeout=300, check=False)
    assert first.returncode == 1 and "Traceback" not in first.stderr, first.stderr
    assert first.stderr.splitlines()[-1].startswith(
        "promosim experiment: the Dask LocalCluster (1 worker) did not start (NotADirectoryError: "), first.stderr
    assert first.stderr.splitlines()[-1].endswith(
        f"before any of its {planned} runs had finished, so none is saved; start with the same command, which starts "
        f"a new cluster: promosim experiment run {path} --out {tmp_path / 'new'} --dask-local 1 --quiet"), first.stderr
    assert not (tmp_path / "new").exists()


def test_a_worker_lost_while_its_code_is_checked_is_a_lost_worker_not_bad_input(tmp_path: Path) -> None:
    """A worker that died while the command asked which promosim code it runs was "cannot check which promosim
    code the Dask workers run", exit code 2, the code of bad input. It is lost, as a scheduler can be: one line,
    exit code 1, the command that starts again as typed, and the new folder removed. The worker is held in the
    check (its sim's files include a FIFO, which the check reads) and killed there, a real `dask worker`."""
    design = small_design(tmp_path, "w", seed=5, replications=2, headcount=100)
    path, out = tmp_path / "exp.yaml", tmp_path / "out"
    package = tmp_path / "held" / "sim"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    held = package / "zz_held.py"
    os.mkfifo(held)  # read by the check: it waits there until the FIFO has a writer
    with dask_processes(tmp_path, workers=0) as (address, _):
        worker = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1",
                                   "--no-dashboard"], env={**cli_env(), "PYTHONPATH": str(package.parent)},
                                  cwd=package.parent, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  start_new_session=True)  # (in its folder: the held sim, not this tree's)
        command = subprocess.Popen([sys.executable, "-m", "sim", "experiment", "run", str(path), "--out", str(out),
                                    "--dask-address", address], cwd=ROOT, env=cli_env(), stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, text=True, start_new_session=True)
        with ended(worker), ended(command):
            deadline = time.monotonic() + 300
            writer = None
            while writer is None:  # the worker is in the check once it has the FIFO open to read
                assert command.poll() is None and time.monotonic() < deadline, command.stderr.read()  # type: ignore
                try:
                    writer = os.open(held, os.O_WRONLY | os.O_NONBLOCK)
                except OSError:  # ENXIO: no reader yet
                    time.sleep(0.1)
            os.killpg(worker.pid, signal.SIGKILL)  # the nanny and its worker process alike
            worker.wait()
            os.close(writer)
            _, err = command.communicate(timeout=120)
    assert command.returncode == 1, err
    assert not re.search(r"Traceback|cannot check", err), err
    assert re.fullmatch(r"promosim experiment: the Dask worker tcp://127\.0\.0\.1:\d+ was lost \(CommClosedError\) "
                        + re.escape(f"while this command checked which promosim code the workers of the Dask scheduler "
                                    f"at {address} run, before any of its {len(design.tasks)} runs had finished, so "
                                    f"none is saved; once the workers are back, start with: promosim experiment run "
                                    f"{path} --out {out} --dask-address {address}"), err.splitlines()[-1]), err
    assert not out.exists()


class _Records(logging.Handler):
    """Keeps the records that reach it."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_runs_lost_with_the_scheduler_at_the_last_attempt_are_not_recorded_as_failed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With no fresh executor left to try, the runs in flight when the scheduler died were recorded as
    failed ("lost 1 times to the executor"), to be run again only with --retry-failed. They are no run's
    fault: the command stops as when the scheduler cannot be reached again, and they are not stored.
    Dask's own records of the lost connection do not reach the screen while the client is open, and
    other records of its loggers do."""
    monkeypatch.setattr(executor_module, "CONNECT_TIMEOUT", "2s")
    design = small_design(tmp_path, "l", seed=6, replications=10, headcount=100)
    out = tmp_path / "out"
    records = _Records()
    loggers = [logging.getLogger(name) for name in ("distributed.client", "tornado.application")]
    for logger in loggers:
        logger.addHandler(records)
    try:
        with dask_processes(tmp_path) as (address, scheduler):

            def kill_the_scheduler(outcome: RunOutcome) -> None:
                if scheduler.poll() is None:
                    logging.getLogger("distributed.client").warning("a record of its own")  # while the client is open
                    os.killpg(scheduler.pid, signal.SIGKILL)
                    scheduler.wait()

            with pytest.raises(SchedulerLostError, match=rf"^the Dask scheduler at {address} was lost after \d+ of "
                                                         rf"{len(design.tasks)} runs; the \d+ finished runs? (is|are) "
                                                         "saved in .+; once .+ run the same command again to resume$"):
                run_design(design, out, ExecutorSpec(kind="dask", address=address), attempts=1,
                           on_outcome=kill_the_scheduler)
        logging.getLogger("distributed.client").warning("Failed to reconnect to scheduler after 1 s")  # client closed
    finally:
        for logger in loggers:
            logger.removeHandler(records)
    runs = ResultStore(out).runs()
    assert 0 < len(runs) < len(design.tasks) and (runs["status"] == "ok").all(), runs
    assert [record.getMessage() for record in records.records] == [
        "a record of its own", "Failed to reconnect to scheduler after 1 s"]


def test_a_closed_connections_traceback_is_kept_off_the_screen_and_other_errors_are_not() -> None:
    """When the scheduler died while a finished run's result was being gathered, tornado logged a 40-line
    traceback ending in CommClosedError above the command's line (a researcher's trial)."""
    from distributed.comm.core import CommClosedError  # noqa: PLC0415
    from tornado.iostream import StreamClosedError  # noqa: PLC0415

    logger = logging.getLogger("tornado.application")
    records = _Records()
    logger.addHandler(records)
    try:
        with executor_module._quiet_lost_connection():
            for error in (CommClosedError, ValueError):
                try:
                    try:
                        raise StreamClosedError()
                    except StreamClosedError as exc:  # as Dask's TCP comm raises it
                        raise error("in <TCP (closed) ConnectionPool.gather>: Stream is closed") from exc
                except Exception:
                    logger.exception("Exception in callback %s", error.__name__)
    finally:
        logger.removeHandler(records)
    # The ValueError's cause is a closed stream too, but it is not Dask's word for a lost connection.
    assert [record.getMessage() for record in records.records] == ["Exception in callback ValueError"]
