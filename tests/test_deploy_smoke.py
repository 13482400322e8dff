"""Deploy smoke test: jiceng deployed the way docs/deploy.md says, then used over HTTP.

With ``jiceng.settings.prod`` and throwaway secrets, on a fresh PostgreSQL database of its own
(``jiceng_deploy_<pid>_<hex>``, created and dropped here, like the browser tests' ``live_app``):
``migrate``, a small ``seed_demo``, ``collectstatic`` (the production manifest storage), then gunicorn
with the command line of the systemd unit in docs/deploy.md §2. Every request says
``X-Forwarded-Proto: https``, as nginx does (§3). Each demo persona logs in through the real form
(CSRF token and cookie, Secure session cookie), the administrators with a real TOTP code (a confirmed
device created in the database here, not through the enrolment page), and then its home page and
every page of its menu answer 200 with every stylesheet and script they link (fingerprinted names,
200, not empty, cached for good) and the images those stylesheets use.

PostgreSQL is the one named by ``DATABASE_URL`` when that is PostgreSQL, else ``CI_POSTGRES_URL``,
else ``postgres://postgres@127.0.0.1:5432/postgres`` — so the SQLite pass of ``.ci/run`` runs it too.
Without a reachable PostgreSQL the test is skipped with a message, unless ``CI=true``: then it fails.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
PASSWORD = "Jiceng#2026"  # the demo password (jiceng.demo.builder.DEMO_PASSWORD)
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
SEED_SCALE = 100  # seed_demo's smallest district: every persona, a few households each
PERSONAS = (
    "qu_admin", "longpan_admin", "yinhua_admin", "tongle_admin", "wenchang_worker", "dougang_worker",
    "grid_wc01", "grid_wc02", "member_demo", "resident_demo", "dept_chengguan", "sysadmin", "secadmin", "auditor",
)  # fmt: skip
ADMINS = {"sysadmin", "secadmin", "auditor"}  # the 三员: TOTP is required under the production settings
#: A page each persona's menu must offer (so that an empty menu cannot pass).
MENU_HAS = {
    "qu_admin": "/people/residents/",
    "longpan_admin": "/people/residents/",
    "wenchang_worker": "/people/residents/",
    "grid_wc01": "/tickets/",
    "resident_demo": "/tickets/mine/",
    "sysadmin": "/accounts/users/",
    "secadmin": "/accounts/users/",
    "auditor": "/audit/",
}

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("deploy_smoke")]

CREATE_DEVICES = """
import json
from django_otp.plugins.otp_totp.models import TOTPDevice
from jiceng.accounts.models import User

keys = {}
for user in User.objects.filter(is_active=True).order_by("username"):
    if user.is_admin_role:
        TOTPDevice.objects.filter(user=user).delete()
        keys[user.username] = TOTPDevice.objects.create(user=user, name="部署冒烟测试", confirmed=True).key
print("KEYS=" + json.dumps(keys))
"""


def _postgres_admin_url() -> str:
    configured = os.environ.get("DATABASE_URL", "")
    if configured.startswith(("postgres://", "postgresql://")):
        return configured
    return os.environ.get("CI_POSTGRES_URL") or DEFAULT_POSTGRES


def _psql(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)


def _require_postgres(url: str) -> None:
    try:
        _psql(url, "SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any reason PostgreSQL cannot be used
        message = f"部署冒烟测试需要 PostgreSQL（{urlsplit(url).hostname}:{urlsplit(url).port or 5432}）：{exc}"
        if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}:
            pytest.fail(f"{message}（CI=true：不允许跳过）")
        pytest.skip(f"{message}；跳过（CI=true 时视为失败）")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(args: list[str], env: dict, log: Path) -> str:
    with log.open("a") as out:
        out.write(f"$ {' '.join(args)}\n")
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    with log.open("a") as out:
        out.write(result.stdout + result.stderr)
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(args[1:])} 失败（exit {result.returncode}）：\n{(result.stdout + result.stderr)[-4000:]}"
        )
    return result.stdout


def _wait_until_serving(port: int, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn 已退出（exit {proc.returncode}）：\n{log.read_text()[-4000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")  # plain HTTP: exempt from the HTTPS redirect, like a probe
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"gunicorn 60 秒内未就绪：\n{log.read_text()[-4000:]}")


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    admin_url = _postgres_admin_url()
    _require_postgres(admin_url)
    name = f"jiceng_deploy_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    database_url = urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))
    var_dir = tmp_path_factory.mktemp("deploy-var")
    log = ARTIFACTS / f"deploy-smoke-{os.getpid()}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update({
        "DJANGO_SETTINGS_MODULE": "jiceng.settings.prod",
        "SECRET_KEY": "deploy-smoke-only-not-a-real-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
        "JICENG_FIELD_KEY": "deploy-smoke-field-key-not-a-real-one",
        "DATABASE_URL": database_url,
        "ALLOWED_HOSTS": "127.0.0.1",
        "JICENG_VAR_DIR": str(var_dir),
        "PYTHONUNBUFFERED": "1",
    })  # fmt: skip
    py = sys.executable
    _psql(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _psql(admin_url, f'CREATE DATABASE "{name}"')
    proc = None
    try:
        _run([py, "manage.py", "migrate", "--noinput", "-v", "0"], env, log)
        _run([py, "manage.py", "seed_demo", "--scale", str(SEED_SCALE)], env, log)
        _run([py, "manage.py", "collectstatic", "--noinput", "-v", "0"], env, log)
        assert (var_dir / "static" / "staticfiles.json").is_file(), "the manifest of the production storage"
        out = _run([py, "manage.py", "shell", "-c", CREATE_DEVICES], env, log)
        keys = json.loads(next(line for line in out.splitlines() if line.startswith("KEYS="))[5:])
        port = _free_port()
        gunicorn = shutil.which("gunicorn", path=str(Path(py).parent)) or "gunicorn"
        # docs/deploy.md §2's ExecStart, on a free port and with two workers.
        command = [
            gunicorn, "jiceng.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "2",
            "--max-requests", "2000", "--max-requests-jitter", "200", "--timeout", "60",
            "--access-logfile", "-", "--access-logformat", '%(r)s %(s)s %(M)sms', "--forwarded-allow-ips", "127.0.0.1", "--no-control-socket",
        ]  # fmt: skip
        with log.open("a") as out_file:
            out_file.write(f"$ {' '.join(command)}\n")
            proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out_file, stderr=subprocess.STDOUT,
                                    start_new_session=True)  # fmt: skip
        _wait_until_serving(port, proc, log)
        yield {"port": port, "keys": {u: bytes.fromhex(k) for u, k in keys.items()}, "log": log}
    finally:
        if proc is not None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=20)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        _psql(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Response:
    def __init__(self, status: int, headers: http.client.HTTPMessage, body: bytes):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class Client:
    """A browser behind nginx: every request carries ``X-Forwarded-Proto: https``.

    Cookies are kept by hand: the production cookies are ``Secure``, which ``http.cookiejar`` would
    never send over the plain-HTTP hop between the proxy and gunicorn."""

    def __init__(self, port: int):
        self.port = port
        self.origin = f"https://127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}
        self.set_cookies: dict[str, str] = {}  # name → the whole Set-Cookie header last received

    def request(self, method: str, path: str, *, body: bytes | None = None, headers: dict | None = None,
                https: bool = True) -> Response:  # fmt: skip
        all_headers = {"Host": f"127.0.0.1:{self.port}", "Accept": "text/html,*/*", **(headers or {})}
        if https:
            all_headers["X-Forwarded-Proto"] = "https"
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=all_headers)
            raw = conn.getresponse()
            response = Response(raw.status, raw.headers, raw.read())
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.set_cookies[name] = header
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def post_form(self, path: str, data: dict, *, referer_path: str) -> Response:
        body = urlencode(data).encode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": self.origin,  # what a browser sends with a form post over HTTPS
            "Referer": f"{self.origin}{referer_path}",
        }
        return self.request("POST", path, body=body, headers=headers)


CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _form_token(html: str) -> str:
    match = CSRF_INPUT.search(html)
    assert match, "the page has a form with a CSRF token"
    return match.group(1)


def _location_path(response: Response) -> str:
    return urlsplit(response.headers["Location"]).path


def _totp(key: bytes) -> str:
    from django_otp.oath import totp

    return f"{totp(key, step=30, digits=6):06d}"


def _login(client: Client, username: str, keys: dict[str, bytes]) -> None:
    page = client.get("/accounts/login/")
    assert page.status == 200 and 'name="password"' in page.text
    assert "csrftoken" in client.cookies
    response = client.post_form(
        "/accounts/login/",
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": _form_token(page.text)},
        referer_path="/accounts/login/",
    )
    assert response.status == 302, f"{username} login: {response.status} {response.text[:500]}"
    session_cookie = client.set_cookies["sessionid"]
    assert "Secure" in session_cookie and "HttpOnly" in session_cookie, session_cookie
    if username in ADMINS:
        home = client.get("/")
        assert home.status == 302 and _location_path(home) == "/accounts/otp/", "the 三员 need TOTP first"
        otp_page = client.get("/accounts/otp/")
        assert otp_page.status == 200
        response = client.post_form(
            "/accounts/otp/",
            {"token": _totp(keys[username]), "csrfmiddlewaretoken": _form_token(otp_page.text)},
            referer_path="/accounts/otp/",
        )
        assert response.status == 302, f"{username} TOTP: {response.status} {response.text[:500]}"


NAV = re.compile(r'<ul class="navbar-nav me-auto">(.*?)</ul>\s*<ul class="navbar-nav">', re.DOTALL)
HREF = re.compile(r'href="(/[^"#]*)"')
ASSET = re.compile(r'<(?:link[^>]+rel="stylesheet"[^>]+href|script[^>]+src)="([^"]+)"')
HX_GET = re.compile(r'hx-get="(/[^"]+)"')
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")
FINGERPRINTED = re.compile(r"^/static/.+\.[0-9a-f]{12}\.(css|js)$")


def _menu(html: str) -> list[str]:
    match = NAV.search(html)
    assert match, "the page has the navigation menu"
    return list(dict.fromkeys(HREF.findall(match.group(1))))


def _check_asset(client: Client, url: str, seen: dict[str, int]) -> None:
    if url in seen:
        return
    response = client.get(url)
    seen[url] = response.status
    assert response.status == 200, f"{url}: {response.status}"
    assert len(response.body) > 0, f"{url} is empty"
    if FINGERPRINTED.match(url):
        assert "immutable" in response.headers.get("Cache-Control", ""), f"{url}: {response.headers}"
    if url.endswith(".css"):
        for ref in CSS_URL.findall(response.text):
            if ref.startswith(("data:", "#")):
                continue
            _check_asset(client, urlsplit(urljoin(url, ref)).path, seen)


def _check_page(client: Client, path: str, seen_assets: dict[str, int]) -> Response:
    response = client.get(path)
    assert response.status == 200, f"{path}: {response.status} {response.text[:300]}"
    assert '<html lang="zh-CN">' in response.text
    assets = [urlsplit(a).path for a in ASSET.findall(response.text) if not a.startswith(("http:", "https:", "//"))]
    assert assets, f"{path} links no stylesheet or script"
    for asset in assets:
        assert FINGERPRINTED.match(asset), f"{path} links {asset}, not a name from the production manifest"
        _check_asset(client, asset, seen_assets)
    for fragment in HX_GET.findall(response.text):  # e.g. the notification badge every page loads
        if fragment not in seen_assets:
            partial = client.get(fragment, headers={"HX-Request": "true"})
            seen_assets[fragment] = partial.status
            assert partial.status == 200, f"{path} → hx-get {fragment}: {partial.status}"
    return response


def test_plain_http_is_redirected_to_https_and_health_checks_are_not(deployment):
    client = Client(deployment["port"])
    response = client.get("/accounts/login/", https=False)
    assert response.status == 301
    assert response.headers["Location"] == f"https://127.0.0.1:{deployment['port']}/accounts/login/"
    health = client.get("/healthz", https=False)
    assert health.status == 200 and json.loads(health.body) == {"status": "ok"}
    page = client.get("/accounts/login/")
    assert page.status == 200
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert "Secure" in client.set_cookies["csrftoken"]


def test_a_login_without_its_csrf_token_is_refused(deployment):
    client = Client(deployment["port"])
    assert client.get("/accounts/login/").status == 200
    response = client.post_form("/accounts/login/", {"username": "qu_admin", "password": PASSWORD},
                                referer_path="/accounts/login/")  # fmt: skip
    assert response.status == 403
    assert "sessionid" not in client.cookies


def test_the_administrators_have_their_totp_devices(deployment):
    assert ADMINS <= set(deployment["keys"])


@pytest.mark.parametrize("username", PERSONAS)
def test_persona_logs_in_and_its_pages_serve_with_their_static_files(deployment, username):
    client = Client(deployment["port"])
    _login(client, username, deployment["keys"])
    seen_assets: dict[str, int] = {}
    home = _check_page(client, "/", seen_assets)
    menu = _menu(home.text)
    assert "/" in menu and len(menu) >= 2, f"{username}'s menu: {menu}"
    if username in MENU_HAS:
        assert MENU_HAS[username] in {urlsplit(p).path for p in menu}, f"{username}'s menu: {menu}"
    for path in [p for p in menu if p != "/"] + ["/accounts/password/", "/accounts/otp/"]:
        _check_page(client, path, seen_assets)
    assert any(a.startswith("/static/vendor/bootstrap/bootstrap.min.") for a in seen_assets)
    assert any(a.startswith("/static/vendor/htmx/htmx.min.") for a in seen_assets)
    assert any(a.startswith("/static/vendor/leaflet/images/") for a in seen_assets) or "/map/" not in menu


def test_swagger_ui_and_the_schema_serve_with_their_static_files(deployment):
    client = Client(deployment["port"])
    docs = client.get("/api/v1/docs/")
    assert docs.status == 200
    assets = ASSET.findall(docs.text)
    assert len(assets) == 4, assets  # the sidecar's stylesheet and two bundles, and the page's own init script
    for asset in assets:
        path = asset.replace("&amp;", "&")
        if path.startswith("/static/"):
            assert FINGERPRINTED.match(path), path
            _check_asset(client, path, {})
        else:
            init = client.get(path)
            assert init.status == 200 and b"SwaggerUIBundle" in init.body, path
    schema = client.get("/api/v1/schema/", headers={"Accept": "application/vnd.oai.openapi+json"})
    assert schema.status == 200
    assert json.loads(schema.body)["info"]["title"] == "jiceng 基层治理平台 API"


def test_the_error_pages_link_the_fingerprinted_stylesheet(deployment):
    client = Client(deployment["port"])
    page = client.get("/no-such-page/")
    assert page.status == 404 and "未找到该页面" in page.text
    assets = [urlsplit(a).path for a in ASSET.findall(page.text)]
    assert assets and all(FINGERPRINTED.match(a) for a in assets), assets
    for asset in assets:
        _check_asset(client, asset, {})
