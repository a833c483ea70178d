"""One load at a time: concurrent loads of one folder end in a clean load's graph; the lease, its fence and its end."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from graph.store.db import Database
from graph.store.schema import wipe
from loaders.load import LoadInterrupted, write_tables
from loaders.lock import LoadLockBusy, LoadLockLost, current_load, load_lock
from loaders.synthetic import write_csv_folder
from loaders.writer import element_counts, write_rows
from tests.conftest import REPO, cli_env

CUSTOMERS = 2500  # some 30,000 rows: a load of 10 to 40 s on a shared two-core machine
PEOPLE = [{"person_id": f"P{i}", "name": f"Person {i}"} for i in range(100)]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory, session_db: Database, relgraph) -> tuple[Path, Counter]:
    """A synthetic CSV folder and what a clean load of it gives per label and type."""
    folder = tmp_path_factory.mktemp("synthetic")
    write_csv_folder(folder, CUSTOMERS, seed=7)
    wipe(session_db)
    done = relgraph("load", "csv", str(folder))
    assert done.returncode == 0, done.stderr
    return folder, element_counts(session_db)


# A `relgraph` that has imported what a load needs (seconds here: the CLI itself imports it only when a
# load runs) and waits for a line on stdin: loads start when the test says, at the same moment or a few
# seconds into another.
LAUNCHER = ("import sys; import loaders.load, queries.stats; from cli.main import build_parser, main; build_parser(); "
            "print('ready', file=sys.stderr, flush=True); sys.stdin.readline(); sys.exit(main(sys.argv[1:]))")


@pytest.fixture
def start_load(neo4j_settings):
    """`relgraph load csv DIR` in a process of its own, ready to go (see go()); all are ended at the end."""
    started: list[subprocess.Popen] = []

    def start(folder: Path) -> subprocess.Popen:
        process = subprocess.Popen([sys.executable, "-c", LAUNCHER, "load", "csv", str(folder)], cwd=REPO,
                                   env=cli_env(neo4j_settings), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        started.append(process)
        assert process.stderr.readline() == "ready\n"
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.communicate()


def go(*processes: subprocess.Popen) -> None:
    for process in processes:
        process.stdin.write("\n")
        process.stdin.flush()


def wait_until(process: subprocess.Popen, condition, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert process.poll() is None and time.monotonic() < deadline, "the load ended first"
        time.sleep(0.05)


def people(db: Database) -> int:
    return db.read("MATCH (p:Person) RETURN count(p) AS n")[0]["n"]


def refused_with_one_line(process: subprocess.Popen) -> str:
    out, err = process.communicate(timeout=300)
    lines = [line for line in err.replace("\r", "\n").splitlines() if line.startswith("relgraph:")]
    assert process.returncode == 2 and out == "" and "Traceback" not in err, err
    assert len(lines) == 1 and "another load is running: relgraph load csv" in lines[0] and " since " in lines[0]
    return lines[0]


def succeeded(process: subprocess.Popen) -> None:
    _, err = process.communicate(timeout=600)
    assert process.returncode == 0, err


def test_two_loads_started_together_end_in_a_clean_load(db, synthetic, start_load):
    folder, clean = synthetic
    first, second = start_load(folder), start_load(folder)
    go(first, second)
    first.wait(timeout=600)
    second.wait(timeout=600)
    winner, loser = (first, second) if first.returncode == 0 else (second, first)
    succeeded(winner)
    refused_with_one_line(loser)
    assert element_counts(db) == clean
    assert current_load(db) is None and db.read("MATCH (l:LoadLock) RETURN count(l) AS n") == [{"n": 0}]


def test_a_load_started_into_another_is_refused_and_the_graph_is_a_clean_load(db, synthetic, start_load):
    folder, clean = synthetic
    first, second, third = start_load(folder), start_load(folder), start_load(folder)
    go(first)
    wait_until(first, lambda: people(db) > 0)  # a few seconds in: checked, and writing
    go(second)
    refused_with_one_line(second)
    assert first.poll() is None, "the first load ended before the second tried: make the folder bigger"
    succeeded(first)
    assert element_counts(db) == clean
    go(third)
    succeeded(third)  # the lock is free again, and another load changes nothing
    assert element_counts(db) == clean


def test_a_killed_load_holds_the_lock_until_its_lease_runs_out(db, synthetic, start_load):
    folder, clean = synthetic
    first, second, third = start_load(folder), start_load(folder), start_load(folder)
    go(first)
    wait_until(first, lambda: people(db) > 0)
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    assert 0 < people(db) < clean["Person"] or element_counts(db) != clean  # it died midway
    go(second)
    refused_with_one_line(second)
    db.write("MATCH (l:LoadLock) SET l.expires = datetime() - duration('PT1S')")  # as 30 s later
    go(third)
    succeeded(third)
    assert element_counts(db) == clean


def test_a_load_meets_the_lock_of_another_in_every_command(db, tmp_path, relgraph):
    with load_lock(db, "a test's own load"):
        for args in (["load", "demo"], ["load", "synthetic", "--customers", "5"], ["load", "csv", str(tmp_path)]):
            (tmp_path / "people.csv").write_text("person_id,name\nP1,Ann\n")
            done = relgraph(*args)
            assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
            assert done.stderr.count("\n") == 1 and "another load is running: a test's own load by " in done.stderr
    assert db.read("MATCH (n) RETURN count(n) AS n") == [{"n": 0}]  # nothing written, no lock left, nothing audited


def test_a_lease_is_renewed_while_its_load_runs(db):
    with load_lock(db, "long", lease_s=1, renew_s=0.2):
        time.sleep(2)
        with pytest.raises(LoadLockBusy, match="another load is running: long by .* since "):
            with load_lock(db, "second"):
                pass
        assert str(current_load(db)).startswith("long by ")


def test_a_load_whose_lease_ran_out_cannot_commit_a_batch(db):
    """A stalled load that lost its lease to another cannot CREATE beside it: its batch rolls back."""
    with load_lock(db, "stalled", lease_s=1, renew_s=3600) as stalled:
        time.sleep(1.5)
        with load_lock(db, "next"):
            with pytest.raises(LoadLockLost, match="lost the load lock"):
                write_rows(db, {"people.csv": PEOPLE}, lease=stalled)
            assert db.read("MATCH (p:Person) RETURN count(p) AS n") == [{"n": 0}]


def test_a_wipe_during_a_load_stops_it(db):
    with load_lock(db, "wiped") as lease:
        wipe(db)
        with pytest.raises(LoadLockLost):
            write_rows(db, {"people.csv": PEOPLE}, lease=lease)


def test_write_tables_takes_the_lock_and_says_when_it_lost_it(db, monkeypatch):
    with load_lock(db, "holder"), pytest.raises(LoadLockBusy):
        write_tables(db, {"people.csv": PEOPLE})

    def lose(*args, **kwargs):
        raise LoadLockLost("this load lost the load lock")

    monkeypatch.setattr("loaders.load.write_rows", lose)
    with pytest.raises(LoadInterrupted, match="lost the load lock"):
        write_tables(db, {"people.csv": PEOPLE})
    assert current_load(db) is None
