"""Background work with the real database task backend and real worker processes (no immediate backend).

One world for the module, modelled on ``live_app`` (tests/browser/conftest.py): its own database (a
SQLite file, or a fresh PostgreSQL database when ``DATABASE_URL`` is PostgreSQL), migrated and seeded,
served by gunicorn with ``tests/background_settings.py`` and worked by one ``manage.py db_worker``:

- an all-or-nothing import submitted through the API is run by the worker and reaches ``done``, and
  while it runs the API shows its progress (on SQLite too: the worker's progress is in the shared
  progress cache, not in its own memory);
- an export above the background threshold is finished by the worker and downloadable;
- ``manage.py run_scheduler`` enqueues the overdue check, the worker runs it, and an overdue ticket
  gets its 黄牌;
- four schedulers racing for the same period (separate processes, released together) claim it once
  and enqueue exactly one task.

Every wait is bounded; every process is started in its own session and killed at the end.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

from jiceng.core.validators import id_check_digit

ROOT = Path(__file__).resolve().parent.parent
CONFIGURED = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = CONFIGURED.startswith(("postgres://", "postgresql://"))
PASSWORD = "Jiceng#2026"
IMPORT_ROWS = 4000
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("background")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Database:
    """The world's database: a SQLite file, or a PostgreSQL database created and dropped here."""

    def __init__(self, workdir: Path):
        self.postgres = ON_POSTGRES
        if self.postgres:
            self.name = f"jiceng_bgtest_{uuid.uuid4().hex[:8]}"
            self.admin_url = CONFIGURED.replace("postgres://", "postgresql://", 1)
            parts = urllib.parse.urlsplit(CONFIGURED)
            self.url = urllib.parse.urlunsplit(parts._replace(path=f"/{self.name}"))
        else:
            self.path = workdir / "background.sqlite3"
            self.url = f"sqlite:///{self.path}"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(sql)

    def create(self) -> None:
        if self.postgres:
            self._admin(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        if self.postgres:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def task_key(self, task_id: str) -> str:
        """A task id as the ``UUIDField`` stores it (PostgreSQL: uuid; SQLite: 32 hex digits)."""
        return str(uuid.UUID(task_id)) if self.postgres else uuid.UUID(task_id).hex

    def rows(self, sql: str, *params) -> list[tuple]:
        """Read the world's database directly (``%s`` placeholders), outside any test transaction."""
        if self.postgres:
            import psycopg

            with psycopg.connect(self.url.replace("postgres://", "postgresql://", 1)) as conn:
                return conn.execute(sql, params).fetchall()
        import sqlite3

        with sqlite3.connect(self.path, timeout=30) as conn:
            return conn.execute(sql.replace("%s", "?"), params).fetchall()


class World:
    def __init__(self, workdir: Path, database: _Database, env: dict, log: Path):
        self.workdir, self.db, self.env, self.log = workdir, database, env, log
        self.procs: list[subprocess.Popen] = []
        self.base = ""

    def manage(self, *args: str, timeout: float = 600) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True,
            timeout=timeout,
        )  # fmt: skip
        if result.returncode != 0:
            raise RuntimeError(
                f"manage.py {' '.join(args)} 失败（exit {result.returncode}）：\n{result.stderr[-4000:]}"
            )
        return result.stdout

    def start(self, *args: str) -> subprocess.Popen:
        with self.log.open("a") as out:
            proc = subprocess.Popen(
                [sys.executable, *args], cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        self.procs.append(proc)
        return proc

    def stop(self, proc: subprocess.Popen) -> None:
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
            except ProcessLookupError:
                pass
        if proc in self.procs:
            self.procs.remove(proc)

    def stop_all(self) -> None:
        for proc in list(self.procs):
            self.stop(proc)


def _wait_for(what: str, check, timeout: float, world: World, interval: float = 0.3):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        for proc in world.procs:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"{proc.args[1:4]} 已退出（exit {proc.returncode}）：\n{world.log.read_text()[-4000:]}"
                )
        time.sleep(interval)
    raise AssertionError(f"{timeout:.0f} 秒内未等到：{what}\n{world.log.read_text()[-4000:]}")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("background")
    log = ROOT / "test-artifacts" / f"background-{os.getpid()}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("")
    database = _Database(workdir)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.background_settings", "DATABASE_URL": database.url,
           "JICENG_VAR_DIR": str(workdir), "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}  # fmt: skip
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.pop("REDIS_URL", None)  # the file-based shared cache: what the embedded demo runs with
    w = World(workdir, database, env, log)
    database.create()
    try:
        w.manage("migrate", "--noinput", "-v", "0")
        w.manage("seed_demo", "--scale", "300")
        port = _free_port()
        web = w.start("-m", "gunicorn", "jiceng.wsgi:application", "-w", "2", "-b", f"127.0.0.1:{port}",
                      "--timeout", "120", "--log-level", "warning", "--no-control-socket")  # fmt: skip
        w.worker = w.start("manage.py", "db_worker", "--interval", "0.2", "--no-startup-delay")
        w.base = f"http://127.0.0.1:{port}"

        def serving():
            try:
                with urllib.request.urlopen(f"{w.base}/healthz", timeout=2):
                    return True
            except OSError:
                return False

        _wait_for("gunicorn 就绪", serving, 60, w)
        assert web.poll() is None
        yield w
    finally:
        w.stop_all()
        database.drop()


class Client:
    """HTTP with cookies (pages) or a token (API), and no redirects followed."""

    def __init__(self, base: str, token: str = ""):
        self.base, self.token = base, token
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())

    def request(self, path: str, data: bytes | None = None, headers: dict | None = None):
        headers = dict(headers or {})
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        req = urllib.request.Request(f"{self.base}{path}", data=data, headers=headers)
        try:
            with self.opener.open(req, timeout=60) as r:
                return r.status, r.read(), dict(r.headers)
        except urllib.error.HTTPError as e:
            return e.code, e.read(), dict(e.headers)

    def post_form(self, path: str, fields: dict, referer: str):
        token = next((c.value for c in self.jar if c.name == "csrftoken"), "")
        body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token}).encode()
        return self.request(path, body, {"Referer": f"{self.base}{referer}", "X-CSRFToken": token})

    def login(self, username: str) -> None:
        self.request("/accounts/login/")
        status, _, _ = self.post_form("/accounts/login/", {"username": username, "password": PASSWORD},
                                      "/accounts/login/")  # fmt: skip
        assert status == 302, f"{username} 登录失败"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def _api_client(world: World, username: str) -> Client:
    client = Client(world.base)
    body = json.dumps({"username": username, "password": PASSWORD}).encode()
    status, content, _ = client.request("/api/v1/auth/token/", body, {"Content-Type": "application/json"})
    assert status == 200, content[:300]
    return Client(world.base, json.loads(content)["token"])


def _multipart(fields: dict, filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: text/csv\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def _resident_csv(rows: int) -> bytes:
    lines = ["姓名,身份证号,所属网格,楼栋,房号"]
    for i in range(rows):
        birth = dt.date(1980, 1, 1) + dt.timedelta(days=i // 400)
        first17 = f"110101{birth:%Y%m%d}{100 + (i % 400) * 2:03d}"  # 东城区: never used by the demo
        lines.append(f"后台{i},{first17}{id_check_digit(first17)},34110300301201,1,8-{i}")
    return "\n".join(lines).encode()


def test_import_submitted_by_api_is_run_by_the_worker_with_live_progress(world):
    api = _api_client(world, "wenchang_worker")
    body, content_type = _multipart({"kind": "residents", "mode": "all_or_nothing"}, "后台.csv",
                                    _resident_csv(IMPORT_ROWS))  # fmt: skip
    status, content, _ = api.request("/api/v1/imports/", body, {"Content-Type": content_type})
    assert status == 201, content[:500]
    job_id = json.loads(content)["id"]
    seen: list[tuple[str, int]] = []

    def finished():
        status, content, _ = api.request(f"/api/v1/imports/{job_id}/")
        assert status == 200, content[:300]
        report = json.loads(content)
        seen.append((report["status"], report["progress"]))
        return report if report["status"] in ("done", "failed") else None

    report = _wait_for(f"导入任务 #{job_id} 完成", finished, 300, world, interval=0.1)
    assert {k: report[k] for k in ("status", "progress", "applied", "created_rows", "rejected_rows")} == {
        "status": "done", "progress": 100, "applied": True, "created_rows": IMPORT_ROWS, "rejected_rows": 0,
    }, report["message"]  # fmt: skip
    assert report["message"] == f"导入完成：新增 {IMPORT_ROWS} 行，更新 0 行，跳过 0 行，未通过 0 行。"
    running = [progress for status, progress in seen if status == "running"]
    assert any(0 < p < 100 for p in running), f"进度从未在导入过程中显示：{seen[:5]} … {seen[-5:]}"
    assert running == sorted(running), "progress never goes back"
    assert world.db.rows("SELECT count(*) FROM people_resident WHERE name LIKE %s", "后台%")[0][0] == IMPORT_ROWS
    task = world.db.rows("SELECT status FROM django_tasks_database_dbtaskresult WHERE task_path = %s",
                         "jiceng.imports.tasks.run_import_task")  # fmt: skip
    assert task == [("SUCCESSFUL",)]


def test_export_above_the_background_threshold_is_finished_by_the_worker(world):
    browser = Client(world.base)
    browser.login("longpan_admin")
    status, _, headers = browser.post_form("/exports/new/", {"path": "/people/residents/", "query": ""},
                                           "/people/residents/")  # fmt: skip
    assert status == 302, "more rows than JICENG_EXPORT_SYNC_ROWS: a background job, not a file in the request"
    job_path = urllib.parse.urlsplit(headers["Location"]).path
    job_id = int(job_path.strip("/").split("/")[-1])

    def done():
        rows = world.db.rows("SELECT status, written_rows, total_rows FROM exports_exportjob WHERE id = %s", job_id)
        return rows[0] if rows and rows[0][0] in ("done", "failed") else None

    status, written, total = _wait_for(f"导出任务 #{job_id} 完成", done, 180, world)
    assert (status, written) == ("done", total) and total > 5
    status, content, headers = browser.request(f"{job_path}download/")
    assert status == 200 and "spreadsheetml" in headers["Content-Type"] and content.startswith(b"PK")


def test_scheduler_enqueues_the_overdue_check_and_the_worker_runs_it(world):
    ticket = world.manage(
        "shell", "-c",
        "import datetime as dt; from django.utils import timezone; from jiceng.tickets.models import Ticket; "
        "from jiceng.tickets.choices import SLA_RUNNING_STATES, SuperviseLevel; "
        "t = Ticket.objects.filter(status__in=SLA_RUNNING_STATES, supervise_level__lt=SuperviseLevel.YELLOW)"
        ".order_by('id').first(); "
        "Ticket.objects.filter(pk=t.pk).update(sla_due_at=timezone.now() - dt.timedelta(hours=3), extended_until=None); "
        "print(t.pk)",
    ).strip().splitlines()[-1]  # fmt: skip
    scheduler = world.start("manage.py", "run_scheduler", "--interval", "0.5")
    try:

        def ran():
            runs = world.db.rows("SELECT task_id FROM periodic_periodicrun WHERE job = %s", "tickets.check_overdue")
            if not runs:
                return None
            rows = world.db.rows(
                "SELECT status, return_value FROM django_tasks_database_dbtaskresult WHERE id = %s",
                world.db.task_key(runs[0][0]),
            )
            return rows if rows and rows[0][0] in ("SUCCESSFUL", "FAILED") else None

        rows = _wait_for("定时任务 tickets.check_overdue 运行完毕", ran, 120, world)
    finally:
        world.stop(scheduler)
    assert len(rows) == 1 and rows[0][0] == "SUCCESSFUL"
    result = rows[0][1] if isinstance(rows[0][1], dict) else json.loads(rows[0][1])
    assert set(result) == {"reminded", "yellow", "red", "whistle"} and result["yellow"] >= 1
    level = world.db.rows("SELECT supervise_level FROM tickets_ticket WHERE id = %s", int(ticket))[0][0]
    assert level == 2  # SuperviseLevel.YELLOW: 黄牌 on the breach
    assert "已加入队列：tickets.check_overdue" in world.log.read_text()


RACER = """
import datetime as dt
import time
from pathlib import Path
from jiceng.periodic import registry, services

job = next(j for j in registry.jobs() if j.name == "tickets.check_overdue")
task = job.task
enqueue = task.enqueue


class Slow:  # hold the claim's transaction open a while, so the other schedulers' inserts collide with it
    def __getattr__(self, name):
        return getattr(task, name)

    def enqueue(self, *args, **kwargs):
        time.sleep(0.5)
        return enqueue(*args, **kwargs)


registry._REGISTRY["tickets.check_overdue"] = registry.PeriodicJob(job.name, Slow(), job.every)
go = Path("{go}")
Path("{ready}").touch()
deadline = time.monotonic() + 60
while not go.exists() and time.monotonic() < deadline:
    time.sleep(0.001)
now = dt.datetime.fromisoformat("2031-01-01T03:04:05+08:00")
claimed = services.periodic_due(now=now, claimed_by="racer-{n}")
print("CLAIMED" if any(r.job == job.name for r in claimed) else "LOST")
"""


def test_schedulers_racing_for_one_period_run_it_exactly_once(world, tmp_path):
    before = world.db.rows("SELECT count(*) FROM django_tasks_database_dbtaskresult")[0][0]
    go = tmp_path / "go"
    racers = []
    for n in range(4):
        ready = tmp_path / f"ready-{n}"
        code = RACER.replace("{go}", str(go)).replace("{ready}", str(ready)).replace("{n}", str(n))
        racers.append((ready, subprocess.Popen([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT,
                                               env=world.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                               text=True, start_new_session=True)))  # fmt: skip
    try:
        _wait_for("四个调度进程就绪", lambda: all(ready.exists() for ready, _ in racers), 120, world, interval=0.05)
        go.touch()  # released together
        outcomes = []
        for _, proc in racers:
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err[-3000:]
            outcomes.append(out.strip().splitlines()[-1])
    finally:
        for _, proc in racers:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    assert sorted(outcomes) == ["CLAIMED", "LOST", "LOST", "LOST"]
    # every job due then is claimed by one racer or another (the apps' own jobs too); this one exactly once
    runs = world.db.rows("SELECT claimed_by, task_id FROM periodic_periodicrun WHERE claimed_by LIKE %s AND job = %s",
                         "racer-%", "tickets.check_overdue")  # fmt: skip
    assert len(runs) == 1 and runs[0][0] == f"racer-{outcomes.index('CLAIMED')}"
    claimed = world.db.rows("SELECT count(*) FROM periodic_periodicrun WHERE claimed_by LIKE %s", "racer-%")[0][0]
    after = world.db.rows("SELECT count(*) FROM django_tasks_database_dbtaskresult")[0][0]
    assert after == before + claimed, "exactly one task enqueued per job and period"
    assert world.db.rows("SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE id = %s",
                         world.db.task_key(runs[0][1]))[0][0] == 1  # fmt: skip


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_make_demo_starts_web_worker_and_scheduler_and_ctrl_c_stops_them_all(world):
    """``make demo`` serves through honcho and Procfile.dev; run that Procfile on the world's database."""
    dry = subprocess.run(["make", "-n", "demo", "PORT=8199"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert "honcho -f Procfile.dev start -p 8199" in dry.stdout, dry.stdout[-2000:]
    port = _free_port()
    env = {**world.env, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    output = world.workdir / "honcho.log"
    with output.open("w") as out:
        honcho = subprocess.Popen(
            [str(Path(sys.executable).parent / "honcho"), "--no-colour", "-f", "Procfile.dev", "start", "-p", str(port)],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:

        def read() -> str:
            return output.read_text(errors="replace")

        def up():
            out = read()
            if "定时任务调度已启动" not in out or "Starting worker" not in out:
                return False
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    return r.status == 200
            except OSError:
                return False

        _wait_for("honcho 启动 web、worker、scheduler", up, 90, world)
        out = read()
        pids = {m[1]: int(m[2]) for m in re.finditer(r"\| (\S+) started \(pid=(\d+)\)", out)}
        assert set(pids) == {"web.1", "worker.1", "scheduler.1"}, out
        os.killpg(honcho.pid, signal.SIGINT)  # what Ctrl+C sends to the terminal's foreground group
        honcho.wait(timeout=30)
        out = read()
        deadline = time.monotonic() + 10  # the SIGTERM honcho sent each group is being handled
        while (left := [name for name, pid in pids.items() if _group_alive(pid)]) and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        if honcho.poll() is None:
            os.killpg(honcho.pid, signal.SIGINT)
            try:
                honcho.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(honcho.pid, signal.SIGKILL)
                honcho.wait()
        for m in re.finditer(r"started \(pid=(\d+)\)", read()):  # honcho's children have sessions of their own
            with contextlib.suppress(ProcessLookupError):
                os.killpg(int(m[1]), signal.SIGKILL)
    assert honcho.returncode == 130  # make demo treats this as a normal end
    for name in ("web.1", "worker.1", "scheduler.1"):
        assert f"{name} stopped" in out, out[-3000:]
    assert left == [], "processes left running after Ctrl+C"
