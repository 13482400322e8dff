"""Browser tests: Playwright driving Debian's Chromium against a real server process.

What a browser test gets:

- ``live_app`` (session): the base URL of a server started in a subprocess (gunicorn, settings
  ``jiceng.settings.e2e``) on its own database — a temporary SQLite file, or, when ``DATABASE_URL``
  points at PostgreSQL, a fresh database ``jiceng_e2e_<pid>`` that is dropped afterwards — migrated
  and loaded with ``seed_demo --scale 1500``, so every demo persona can log in with ``Jiceng#2026``.
- ``desktop`` / ``phone``: a fresh page (own cookies) at 1366×900 or 390×844 (mobile, touch), with
  relative URLs resolved against ``live_app``: ``desktop.goto("/accounts/login/")``.
- ``login(page, "wenchang_worker")``: logs the page in through the real login form.
- ``screenshot(page, "login-phone")``: saves ``test-artifacts/screenshots/login-phone.png``.
  A failing test also leaves ``test-artifacts/screenshots/FAILED-<test>-<viewport>.png``.

Mark every browser test ``@pytest.mark.browser`` (``pytest -m browser`` runs only these,
``-m "not browser"`` skips them). Under ``pytest -n 2 --dist loadgroup`` (``make test``) all
browser tests run in one xdist worker, so the demo server is built once.

Browsers cannot be downloaded here, so ``playwright install`` is never needed: without
``/usr/bin/chromium`` browser tests are skipped, unless ``JICENG_REQUIRE_BROWSER=1`` (set by
``.ci/run``) makes that an error. Note that administrator personas (sysadmin, secadmin, auditor,
and anyone who may grant roles) need TOTP here: the live server runs with DEBUG off.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
CHROMIUM = os.environ.get("JICENG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
E2E_SCALE = 1500
PASSWORD = "Jiceng#2026"  # the demo password (jiceng.demo.builder.DEMO_PASSWORD)
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
SERVER_START_TIMEOUT = 60
#: The live server's environment (its database), for ``live_manage``.
_LIVE_ENV: dict[str, str] = {}


# --- collection -------------------------------------------------------------------------------


def pytest_configure(config):
    # Registered by pytest-xdist too; declared here so ``-p no:xdist`` still passes --strict-markers.
    config.addinivalue_line("markers", "xdist_group(name): run tests of the same group in one xdist worker")


@pytest.hookimpl(tryfirst=True)  # before xdist rewrites node ids for --dist loadgroup
def pytest_collection_modifyitems(config, items):
    browser_items = [item for item in items if item.get_closest_marker("browser")]
    require = os.environ.get("JICENG_REQUIRE_BROWSER", "") not in ("", "0")
    missing = not os.access(CHROMIUM, os.X_OK)
    for item in browser_items:
        item.add_marker(pytest.mark.xdist_group("browser"))
        if missing and not require:
            item.add_marker(
                pytest.mark.skip(reason=f"未找到 {CHROMIUM}：apt-get install -y chromium fonts-wqy-microhei")
            )


# --- the server -------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(args: list[str], env: dict, log: Path) -> None:
    with log.open("a") as out:
        out.write(f"$ {' '.join(args)}\n")
        out.flush()
        result = subprocess.run(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=900)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args[1:])} 失败（exit {result.returncode}）：\n{log.read_text()[-4000:]}")


class _PostgresDatabase:
    """A fresh database next to the one ``DATABASE_URL`` names, dropped at the end of the session."""

    def __init__(self, url: str):
        import psycopg

        self._psycopg = psycopg
        self.admin_url = url
        self.name = f"jiceng_e2e_{os.getpid()}"
        parts = urlsplit(url)
        self.url = urlunsplit(parts._replace(path=f"/{self.name}"))

    def _execute(self, sql: str) -> None:
        with self._psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(sql)

    def create(self) -> None:
        self.drop()
        self._execute(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _wait_until_serving(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"测试服务器已退出（exit {proc.returncode}）：\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # any HTTP answer (404, 302 ...) means it is serving
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"测试服务器 {SERVER_START_TIMEOUT} 秒内未就绪：\n{log.read_text()[-4000:]}")


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """Start jiceng in its own process and database with the demo district; yield its base URL."""
    workdir = tmp_path_factory.mktemp("e2e")
    (workdir / "static").mkdir()  # STATIC_ROOT; WhiteNoise serves from the finders, but warns without it
    log = ARTIFACTS / f"e2e-server-{os.getpid()}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("")

    configured = os.environ.get("DATABASE_URL", "")
    database = _PostgresDatabase(configured) if configured.startswith(("postgres://", "postgresql://")) else None
    if database is not None:
        database.create()
        database_url = database.url
    else:
        database_url = f"sqlite:///{workdir / 'e2e.sqlite3'}"

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "jiceng.settings.e2e",
        "DATABASE_URL": database_url,
        "JICENG_VAR_DIR": str(workdir),
        "PYTHONUNBUFFERED": "1",
    }
    _LIVE_ENV.clear()
    _LIVE_ENV.update(env)
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    proc = None
    try:
        _run([sys.executable, "manage.py", "migrate", "--noinput"], env, log)
        _run([sys.executable, "manage.py", "seed_demo", "--scale", str(E2E_SCALE)], env, log)
        server = [
            sys.executable, "-m", "gunicorn", "jiceng.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", "2", "--timeout", "60",
            "--access-logfile", "-", "--error-logfile", "-", "--no-control-socket",
        ]  # fmt: skip
        with log.open("a") as out:
            proc = subprocess.Popen(server, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        _wait_until_serving(f"{base_url}/accounts/login/", proc, log)
        yield base_url
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if database is not None:
            database.drop()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def live_manage(live_app):
    """``live_manage("shell", "-c", code)`` runs ``manage.py`` on the live server's database (set-up a
    test cannot do through the UI, e.g. an account that must still change its initial password);
    returns its standard output."""

    def _manage(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=_LIVE_ENV, capture_output=True, text=True, timeout=120
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {args[0]} 失败：\n{result.stderr[-4000:]}")
        return result.stdout

    return _manage


# --- Playwright on Debian's Chromium ------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, live_app):
    return {
        **browser_context_args,
        "base_url": live_app,
        "locale": "zh-CN",
        "timezone_id": "Asia/Shanghai",
        # No CSS transitions (Bootstrap honours prefers-reduced-motion): a click never lands on a panel
        # that is still sliding open, which made tests flaky on a loaded CI machine.
        "reduced_motion": "reduce",
    }


def _viewport_page(new_context, request, name: str, **context_args):
    context = new_context(**context_args)
    page = context.new_page()
    page.set_default_timeout(30_000)  # generous: CI runs the rest of the suite on the other core
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed and not page.is_closed():
        safe = re.sub(r"[^\w.-]+", "_", request.node.name)
        _save_screenshot(page, f"FAILED-{safe}-{name}")


@pytest.fixture
def desktop(new_context, request):
    """A page in a desktop browser window (1366×900)."""
    yield from _viewport_page(new_context, request, "desktop", viewport=DESKTOP)


@pytest.fixture
def phone(new_context, request):
    """A page on a phone-sized screen (390×844, mobile, touch), as grid workers and residents use it."""
    yield from _viewport_page(
        new_context, request, "phone", viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.rep_call = report
    return report


# --- helpers ----------------------------------------------------------------------------------


def _save_screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def screenshot():
    """``screenshot(page, "home-desktop")`` → test-artifacts/screenshots/home-desktop.png (full page)."""
    return _save_screenshot


@pytest.fixture
def login():
    """``login(page, "grid_wc01")`` logs the page in through the login form (password Jiceng#2026).

    Overrides the root conftest's Django-test-client ``login`` for browser tests. Waits until the
    browser has left the login page; administrator personas then land on the TOTP page.
    """

    def _login(page, username: str, password: str = PASSWORD):
        page.goto("/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        with page.expect_navigation():
            page.locator("form button[type=submit], form input[type=submit]").first.click()
        return page

    return _login
