"""Several app servers and a worker sharing one PostgreSQL (and Redis when it answers).

Two gunicorn processes (different ports) and one ``manage.py db_worker``, against a fresh database:
- a login on server A is a valid session on server B (database sessions);
- failed logins counted on A lock the account on B (django-axes' database handler);
- an export submitted on A is run by the worker and finished, as seen from B;
- a write through A is in the home-page numbers on B at once (cached figures keyed by versions in the
  database, jiceng.dashboards.stats_cache).
Skipped unless DATABASE_URL is PostgreSQL.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
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

ROOT = Path(__file__).resolve().parent.parent
BASE_URL = os.environ.get("DATABASE_URL", "")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not BASE_URL.startswith(("postgres://", "postgresql://")), reason="needs PostgreSQL"),
]
PASSWORD = "Jiceng#2026"


def _redis_url() -> str | None:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return "redis://127.0.0.1:6379/15" if s.recv(16).startswith(b"+PONG") else None
    except OSError:
        return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _psql(sql: str) -> None:
    import psycopg

    with psycopg.connect(BASE_URL.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    name = f"jiceng_mp_{uuid.uuid4().hex[:8]}"
    head = BASE_URL.rpartition("/")[0]
    env = {**os.environ, "DATABASE_URL": f"{head}/{name}", "DJANGO_SETTINGS_MODULE": "tests.multiprocess_settings",
           "PYTHONPATH": str(ROOT), "JICENG_VAR_DIR": str(tmp_path_factory.mktemp("var"))}  # fmt: skip
    redis = _redis_url()
    if redis:
        env["REDIS_URL"] = redis
    else:
        env.pop("REDIS_URL", None)
    _psql(f'CREATE DATABASE "{name}"')
    procs: list[subprocess.Popen] = []
    try:
        py = sys.executable
        subprocess.run([py, "manage.py", "migrate", "--noinput", "-v", "0"], env=env, cwd=ROOT, check=True)
        subprocess.run([py, "manage.py", "seed_demo", "--scale", "300"], env=env, cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        subprocess.run(
            [py, "manage.py", "shell", "-c",
             "from django.utils import timezone; from jiceng.accounts.models import User; "
             "User.objects.update(password_changed_at=timezone.now(), must_change_password=False)"],
            env=env, cwd=ROOT, check=True,
        )  # fmt: skip
        gunicorn = shutil.which("gunicorn", path=str(Path(py).parent)) or "gunicorn"
        ports = [_free_port(), _free_port()]
        for port in ports:
            procs.append(subprocess.Popen(
                [gunicorn, "jiceng.wsgi:application", "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
                env=env, cwd=ROOT, start_new_session=True,
            ))  # fmt: skip
        procs.append(subprocess.Popen([py, "manage.py", "db_worker", "--interval", "0.2"], env=env, cwd=ROOT,
                                      start_new_session=True))  # fmt: skip
        for port in ports:
            _wait_up(port)
        yield {"a": f"http://127.0.0.1:{ports[0]}", "b": f"http://127.0.0.1:{ports[1]}", "env": env,
               "redis": bool(redis), "procs": procs}  # fmt: skip
    finally:
        for p in procs:
            try:
                os.killpg(p.pid, signal.SIGTERM)
                p.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(p.pid, signal.SIGKILL)
        _psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _wait_up(port: int) -> None:
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"server on {port} did not start")


class Browser:
    """Cookies shared across both servers, as a browser behind a load balancer would send them."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())

    def get(self, url):
        try:
            with self.opener.open(url, timeout=30) as r:
                return r.status, r.read().decode(errors="replace"), dict(r.headers)
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode(errors="replace"), dict(e.headers)

    def post(self, url, data, referer):
        token = next((c.value for c in self.jar if c.name == "csrftoken"), "")
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        req = urllib.request.Request(url, data=body, headers={"Referer": referer, "X-CSRFToken": token})
        try:
            with self.opener.open(req, timeout=60) as r:
                return r.status, r.read().decode(), dict(r.headers)
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode(), dict(e.headers)

    def login(self, server, username, password):
        self.get(f"{server}/accounts/login/")
        return self.post(f"{server}/accounts/login/", {"username": username, "password": password},
                         f"{server}/accounts/login/")  # fmt: skip


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def test_login_on_one_server_is_a_session_on_the_other(cluster):
    a, b = cluster["a"], cluster["b"]
    browser = Browser()
    status, _, headers = browser.login(a, "longpan_admin", PASSWORD)
    assert status == 302, "login on A"
    status, html, _ = browser.get(f"{b}/people/residents/")
    assert status == 200 and "居民" in html, "the session cookie from A is valid on B"
    stranger = Browser()
    assert stranger.get(f"{b}/people/residents/")[0] == 302  # and without it: the login page


def test_lockout_counted_on_one_server_holds_on_the_other(cluster):
    a, b = cluster["a"], cluster["b"]
    attacker = Browser()
    for _ in range(5):
        attacker.login(a, "grid_wc01", "Wrong#pass1")
    status, html, _ = Browser().login(b, "grid_wc01", PASSWORD)
    assert status == 403 and "锁定" in html, "five failures on A lock the account on B"


def test_background_export_submitted_on_one_server_is_finished_by_the_worker(cluster):
    a, b = cluster["a"], cluster["b"]
    browser = Browser()
    assert browser.login(a, "longpan_admin", PASSWORD)[0] == 302
    status, _, headers = browser.post(f"{a}/exports/new/", {"path": "/people/residents/", "query": ""},
                                      f"{a}/people/residents/")  # fmt: skip
    assert status == 302, "the export is too large for the request: it becomes a job"
    job_path = urllib.parse.urlsplit(headers["Location"]).path
    assert re.match(r"^/exports/\d+/$", job_path)
    deadline = time.time() + 90
    while time.time() < deadline:
        status, html, _ = browser.get(f"{b}{job_path}")
        assert status == 200
        if "download/" in html:
            break
        time.sleep(0.5)
    else:
        pytest.fail("the worker did not finish the export within 90 s")
    status, body, headers = browser.get(f"{b}{job_path}download/")
    assert status == 200 and "spreadsheetml" in headers.get("Content-Type", "") and body.startswith("PK")
    assert Browser().get(f"{b}{job_path}download/")[0] in (302, 404)  # only its owner


def test_a_write_on_one_server_is_in_the_numbers_on_the_other(cluster):
    a, b = cluster["a"], cluster["b"]
    browser = Browser()
    assert browser.login(a, "longpan_admin", PASSWORD)[0] == 302
    api = "/api/v1/stats/"

    def residents(server):
        import json

        status, body, _ = browser.get(f"{server}{api}")
        assert status == 200, body[:300]
        return json.loads(body)["residents"]

    before = [residents(b), residents(b)]  # the second answer comes from the cache
    assert before[0] == before[1]
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c",
         "from jiceng.accounts.models import User; from jiceng.territory.models import Household; "
         "from jiceng.core.validators import id_check_digit; from jiceng.people.services import resident_create; "
         "u = User.objects.get(username='longpan_admin'); h = Household.objects.restrict(u).order_by('id').first(); "
         "n = '34010419900101951'; resident_create(actor=u, name='多进程', id_number=n + id_check_digit(n), "
         "household=h, relation_to_head='99')"],
        env=cluster["env"], cwd=ROOT, check=True,
    )  # fmt: skip
    assert residents(b) == before[0] + 1, "another process's write is in B's numbers at once"
    assert residents(a) == before[0] + 1
