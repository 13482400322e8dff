"""An import killed mid-way (SIGKILL, no chance to clean up) leaves the database exactly as promised:

- ``all_or_nothing``: not one row of the file is in the database;
- ``valid_rows``: exactly the rows up to the job's ``committed_through_row`` are, and none after it.

The import runs as ``manage.py import_roster`` in a real subprocess on its own SQLite database file
(the test's own database lives inside a transaction no other process can see).
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jiceng.core.validators import id_check_digit

ROOT = Path(__file__).resolve().parents[1]
ROWS = 20_000
pytestmark = pytest.mark.slow


def _id(i: int) -> str:
    birth = dt.date(1980, 1, 1) + dt.timedelta(days=i // 400)
    first17 = f"110101{birth:%Y%m%d}{100 + (i % 400) * 2:03d}"  # 东城区: never used by the demo
    return first17 + id_check_digit(first17)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    work = tmp_path_factory.mktemp("killed-import")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "jiceng.settings.test",
        "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
        "JICENG_VAR_DIR": str(work),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    for args in (["migrate", "--noinput", "-v0"], ["seed_demo", "--scale", "300"]):
        subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True)
    lines = ["姓名,身份证号,所属网格,楼栋,房号"]
    lines += [f"测试{i},{_id(i)},34110300301201,1,9-{i}" for i in range(ROWS)]
    path = work / "residents.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    return env, work / "db.sqlite3", path


def _count(db: Path, sql: str, *params):
    with sqlite3.connect(db, timeout=30) as conn:
        return conn.execute(sql, params).fetchone()


def _kill_when(env, file: Path, db: Path, mode: str, ready) -> bool:
    """Start the import, SIGKILL it once ``ready()``; True when it was still running at that moment."""
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "import_roster", "residents", str(file), "--user", "wenchang_worker",
         "--mode", mode, "--batch-size", "500"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail("the import finished before it could be killed; make the file larger")
            if ready():
                break
            time.sleep(0.05)
        else:
            pytest.fail("the import never reached the point to kill it")
    finally:
        alive = proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    return alive


def _residents(db):
    return _count(db, "SELECT COUNT(*) FROM people_resident")[0]


def test_killed_all_or_nothing_import_writes_nothing(world):
    env, db, file = world
    before = _residents(db)
    job_rows = _count(db, "SELECT COUNT(*) FROM imports_importjob")[0]

    def running():
        row = _count(db, "SELECT status FROM imports_importjob ORDER BY id DESC LIMIT 1")
        started = _count(db, "SELECT COUNT(*) FROM imports_importjob")[0] > job_rows
        return started and row and row[0] == "running" and (time.sleep(2) or True)

    assert _kill_when(env, file, db, "all_or_nothing", running), "the import had already finished"
    assert _residents(db) == before
    assert _count(db, "SELECT COUNT(*) FROM people_resident WHERE name LIKE '测试%'")[0] == 0


def test_killed_valid_rows_import_keeps_exactly_the_committed_batches(world):
    env, db, file = world
    before = _residents(db)

    def some_committed():
        row = _count(db, "SELECT committed_through_row FROM imports_importjob ORDER BY id DESC LIMIT 1")
        return row is not None and row[0] > 1

    assert _kill_when(env, file, db, "valid_rows", some_committed), "the import had already finished"
    through = _count(db, "SELECT committed_through_row FROM imports_importjob ORDER BY id DESC LIMIT 1")[0]
    assert 1 < through < ROWS + 1  # killed mid-way
    committed = through - 1  # row 1 is the header
    assert _residents(db) - before == committed
    names = {r[0] for r in sqlite3.connect(db).execute("SELECT name FROM people_resident WHERE name LIKE '测试%'")}
    assert names == {f"测试{i}" for i in range(committed)}
