"""The embedded SQLite default under concurrent writes.

Real processes on a real SQLite file (``make demo``'s configuration, ``jiceng.settings.base``): four
gunicorn workers, twenty ticket acceptances sent at the same moment, then pairs of conflicting actions
on one ticket. With SQLite's default deferred transactions a transaction that read before writing got
``database is locked`` at once (SQLITE_BUSY, no busy wait) when another process had written in
between: 3 of 20 parallel accepts answered 500. With ``BEGIN IMMEDIATE`` and a busy timeout every
write transaction waits its turn, and the second of two conflicting actions sees the first one's
result: one 200, one 409.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow

SETUP = """
import json
from django.utils import timezone
from rest_framework.authtoken.models import Token
from jiceng.accounts.models import User
from jiceng.testing.personas import persona
from jiceng.tickets.models import Category
from jiceng.tickets.services import ticket_create

User.objects.update(password_changed_at=timezone.now(), must_change_password=False)
grid = persona("grid_wc01").grants.get().area
lng, lat = (grid.min_lng + grid.max_lng) / 2, (grid.min_lat + grid.max_lat) / 2
category = Category.objects.get(service_code="201")
resident = persona("resident_demo")
tickets = [
    ticket_create(actor=resident, category=category.pk, description=f"并发测试{{i}}", lng=lng, lat=lat).obj.pk
    for i in range({count})
]
tokens = {{u: Token.objects.get_or_create(user=persona(u))[0].key for u in ("grid_wc01", "wenchang_worker")}}
print(json.dumps({{"tickets": tickets, "tokens": tokens}}))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _post(url: str, token: str, payload: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        body = e.read()
        try:
            return e.code, json.loads(body)
        except ValueError:
            return e.code, {"raw": body.decode(errors="replace")[:200]}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    var = tmp_path_factory.mktemp("sqlite-var")
    (var / "static").mkdir()  # STATIC_ROOT: WhiteNoise warns without it
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.sqlite_settings", "PYTHONPATH": str(ROOT),
           "JICENG_VAR_DIR": str(var)}  # fmt: skip
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    py = sys.executable
    run = {"env": env, "cwd": ROOT, "check": True}
    subprocess.run([py, "manage.py", "migrate", "--noinput", "-v", "0"], **run)
    subprocess.run([py, "manage.py", "seed_demo", "--scale", "300"], stdout=subprocess.DEVNULL, **run)
    out = subprocess.run([py, "manage.py", "shell", "-c", SETUP.format(count=26)], capture_output=True, text=True,
                         **run)  # fmt: skip
    data = json.loads(out.stdout.strip().splitlines()[-1])
    port = _free_port()
    gunicorn = shutil.which("gunicorn", path=str(Path(py).parent)) or "gunicorn"
    proc = subprocess.Popen(
        [gunicorn, "jiceng.wsgi:application", "-w", "4", "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
        env=env, cwd=ROOT, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                    break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.3)
        yield {"base": f"http://127.0.0.1:{port}", **data}
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)


def _at_once(calls):
    """Run the ``(url, token, payload)`` calls in parallel, released together by a barrier."""
    barrier = threading.Barrier(len(calls))

    def one(call):
        barrier.wait(30)
        return _post(*call)

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(one, calls))


def test_twenty_parallel_accepts_all_succeed(server):
    token = server["tokens"]["grid_wc01"]
    tickets = server["tickets"][:20]
    results = _at_once(
        [(f"{server['base']}/api/v1/tickets/{pk}/transitions/", token, {"action": "accept"}) for pk in tickets]
    )
    assert [status for status, _ in results] == [200] * 20, [body.get("raw", "") for _, body in results]
    assert {body["status"] for _, body in results} == {"accepted"}


def test_two_simultaneous_actions_give_one_200_and_one_409(server):
    base, tokens = server["base"], server["tokens"]
    for pk in server["tickets"][20:]:
        url = f"{base}/api/v1/tickets/{pk}/transitions/"
        results = _at_once(
            [
                (url, tokens["grid_wc01"], {"action": "accept"}),
                (url, tokens["wenchang_worker"], {"action": "reject", "reason": "信息不全"}),
            ]
        )
        assert sorted(status for status, _ in results) == [200, 409], results
        loser = next(body for status, body in results if status == 409)
        assert loser["detail"], loser
