"""`make bench`: build a dataset of N residents, serve it with gunicorn, load it from another process.

    python bench/run.py --residents 200000 [--duration 10] [--concurrency 8] [--workers 2]
                        [--import-rows 100000] [--out var/bench/latest.json]

The dataset lives in its own database so the configured one is never touched: on PostgreSQL a
database ``jiceng_bench_<N>`` on the server of ``DATABASE_URL``; on SQLite ``var/bench/bench-<N>.sqlite3``.
It is built once (``migrate`` + ``seed_demo --scale N``) and reused by later runs with the same N.

For every page it reports p50/p95 latency, throughput, SQL queries per request and the gunicorn
workers' peak RSS, next to the floor — a bare view doing one indexed query through the same
middleware, measured in the same run on the same server. Import (a dry run of a generated
N-row resident file: full validation and every write, rolled back so the dataset stays at N) and
export (the district's resident list to .xlsx) each run in their own process. Figures go to
``var/bench/latest.json`` and a table is printed; the targets of bench/README.md are checked and misses listed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SETTINGS = "jiceng.settings.bench"

TARGETS = {"p95_ms": 100.0, "floor_ratio": 0.40, "import_rows_per_s": 3000.0, "export_rows_per_s": 10000.0,
           "import_peak_mb": 300.0}  # fmt: skip


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


# --- the database ------------------------------------------------------------------------------


def bench_database_url(base_url: str | None, residents: int, workdir: Path) -> str:
    if base_url and base_url.startswith(("postgres://", "postgresql://")):
        head, _, _ = base_url.rpartition("/")
        return f"{head}/jiceng_bench_{residents}"
    return f"sqlite:///{workdir / f'bench-{residents}.sqlite3'}"


def ensure_postgres_database(base_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(base_url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def drop_postgres_database(base_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(base_url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(env: dict, *args: str, capture: bool = False) -> str:
    result = subprocess.run(
        [PY, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, check=True, text=True,
        stdout=subprocess.PIPE if capture else None,
    )  # fmt: skip
    return result.stdout or ""


def build_dataset(env: dict, residents: int, base_url: str | None, rebuild: bool) -> float:
    url = env["DATABASE_URL"]
    if rebuild:
        if url.startswith("sqlite"):
            Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        else:
            drop_postgres_database(base_url, url.rpartition("/")[2])
    if url.startswith("postgres"):
        ensure_postgres_database(base_url, url.rpartition("/")[2])
    t0 = time.perf_counter()
    manage(env, "migrate", "--noinput", "-v", "0")
    out = manage(env, "seed_demo", "--scale", str(residents), capture=True)
    seconds = time.perf_counter() - t0
    log(out.strip().splitlines()[0] if out.strip() else "seed_demo done")
    return seconds


def tidy_dataset(url: str) -> None:
    """``VACUUM ANALYZE`` before measuring: every import dry run leaves its rolled-back rows behind as dead
    tuples (100,000 residents and their dwellings a run) until autovacuum gets to them, and until then the
    planner reads through them at the ends of the indexes — the pages would be timed on a bloated table."""
    if not url.startswith("postgres"):
        return
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


# --- the server --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(env: dict, port: int, workers: int) -> subprocess.Popen:
    gunicorn = shutil.which("gunicorn", path=str(Path(PY).parent)) or "gunicorn"
    proc = subprocess.Popen(
        [gunicorn, "jiceng.wsgi:application", "-w", str(workers), "-b", f"127.0.0.1:{port}", "--worker-class", "sync",
         "--log-level", "warning", "--timeout", "120", "--keep-alive", "5"],
        env=env, cwd=ROOT, start_new_session=True,
    )  # fmt: skip
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/floor/", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("gunicorn did not start")


def stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)


# --- the scenarios -----------------------------------------------------------------------------


def prepare(residents: int, workdir: Path, import_rows: int) -> dict:
    """In this process, against the bench database: sessions for the personas, the ids the URLs need,
    and the file to import."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from jiceng.accounts.models import User
    from jiceng.people.models import Resident
    from jiceng.territory.models import Area

    cookies = {}
    for username in ("qu_admin", "longpan_admin", "grid_wc01"):
        user = User.objects.get(username=username)
        User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now())
        s = SessionStore()
        s[SESSION_KEY] = str(user.pk)
        s[BACKEND_SESSION_KEY] = "jiceng.accounts.backends.AccountBackend"
        s[HASH_SESSION_KEY] = user.get_session_auth_hash()
        s.set_expiry(24 * 3600)
        s.save()
        cookies[username] = f"{settings.SESSION_COOKIE_NAME}={s.session_key}"
    street = Area.objects.get(name="龙蟠街道")
    grid = Area.objects.get(code="34110300301201")
    sample = list(Resident.objects.filter(scope_path__startswith=street.path).exclude(phone_hash="").order_by("?")[:20])
    rng = random.Random(7)
    picks = {
        "name": [r.name[0] for r in sample][:10],
        "last4": [r.id_last4 for r in sample],
        "phone": [r.phone for r in sample],
    }
    file = workdir / f"import-{residents}-{import_rows}.xlsx"  # its rows name buildings of this dataset
    if import_rows and not file.exists():
        make_import_file(file, import_rows, street, rng)
    from django.urls import reverse

    from jiceng.core.entities import entities

    # every declared entity's list page and API list, as the street sees them (the capability apps' pages)
    declared = [(e.slug, reverse(e.url_name("list")) if "list" in e.pages else "", e.api_name or "")
                for e in entities()]  # fmt: skip
    return {"cookies": cookies, "street": street.pk, "grid": grid.pk, "district": Area.objects.get_parent(street).pk,
            "picks": picks, "import_file": str(file), "declared": declared}  # fmt: skip


def make_import_file(path: Path, rows: int, street, rng) -> None:
    """N residents with fresh valid IDs, spread over the street's buildings (rooms that do not exist yet)."""
    from openpyxl import Workbook

    from jiceng.core.validators import id_check_digit
    from jiceng.territory.models import Building

    log(f"generating {rows}-row import file")
    buildings = list(Building.objects.filter(scope_path__startswith=street.path).select_related("grid")[:2000])
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("居民")
    ws.append(["姓名", "公民身份号码", "联系电话", "所属网格", "楼栋", "房号", "民族", "与户主关系"])
    used: set[str] = set()
    start = dt.date(1950, 1, 1)
    for i in range(rows):
        while True:
            birth = start + dt.timedelta(days=rng.randrange(0, 365 * 55))
            first17 = f"340111{birth:%Y%m%d}{rng.randrange(0, 1000):03d}"  # an area code the demo never uses
            number = first17 + id_check_digit(first17)
            if number not in used:
                used.add(number)
                break
        b = buildings[i % len(buildings)]
        room = f"9{i // len(buildings) // 100:02d}-{i // len(buildings) % 100:02d}"
        ws.append(["测试" + str(i % 97), number, f"139{rng.randrange(10**8):08d}", b.grid.code, b.number, room, "汉族",
                   "户主"])  # fmt: skip
    wb.save(path)
    _add_dimension(path, f"A1:H{rows + 1}")


def _add_dimension(path: Path, ref: str) -> None:
    """Give the sheet the ``<dimension>`` that Excel and WPS always write (openpyxl's ``write_only`` does
    not): without it a reader must parse the whole sheet once just to learn its size."""
    import zipfile

    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml" and b"<dimension" not in data[:2000]:
                data = data.replace(b"</sheetPr>", f'</sheetPr><dimension ref="{ref}" />'.encode(), 1)
            dst.writestr(item, data)
    tmp.replace(path)


def run_load(port: int, paths: list[str], cookie: str, duration: float, concurrency: int) -> dict:
    cfg = {"host": "127.0.0.1", "port": port, "paths": paths, "cookie": cookie, "duration": duration,
           "concurrency": concurrency}  # fmt: skip
    out = subprocess.run(
        [PY, str(ROOT / "bench" / "load.py")], input=json.dumps(cfg), text=True, capture_output=True, check=True
    )
    return json.loads(out.stdout)


def oneshot(env: dict, *args: str) -> dict:
    out = subprocess.run(
        [PY, str(ROOT / "bench" / "oneshot.py"), *args], env=env, cwd=ROOT, text=True, capture_output=True
    )
    if out.returncode != 0:
        log(out.stderr[-2000:])
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "failed"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def scenarios(ctx: dict) -> list[tuple[str, str, list[str]]]:
    p = ctx["picks"]
    return [
        ("home_district", "qu_admin", ["/"]),
        ("home_street", "longpan_admin", ["/"]),
        ("home_grid", "grid_wc01", ["/"]),
        ("stats_district", "qu_admin", [f"/api/v1/stats/?node={ctx['district']}"]),
        ("stats_street", "longpan_admin", [f"/api/v1/stats/?node={ctx['street']}"]),
        ("stats_grid", "grid_wc01", [f"/api/v1/stats/?node={ctx['grid']}"]),
        ("resident_list", "longpan_admin", ["/people/residents/", "/people/residents/?page=3"]),
        ("search_name", "longpan_admin", [f"/people/residents/?q={urllib.parse.quote(n)}" for n in p["name"]] or ["/"]),
        ("search_last4", "longpan_admin", [f"/people/residents/?q={v}" for v in p["last4"]] or ["/"]),
        ("search_phone", "longpan_admin", [f"/people/residents/?q={v}" for v in p["phone"]] or ["/"]),
        ("grid_detail", "longpan_admin", [f"/territory/areas/{ctx['grid']}/"]),
        ("coverage", "longpan_admin", ["/coverage/"]),
        ("overview_street", "longpan_admin", ["/overview/"]),
        *[(f"list_{slug}", "longpan_admin", [url]) for slug, url, _ in ctx["declared"] if url],
        *[(f"api_{slug}", "longpan_admin", [f"/api/v1/{api}/"]) for slug, _, api in ctx["declared"] if api],
    ]


# --- report ------------------------------------------------------------------------------------


def check_targets(result: dict) -> list[dict]:
    floor = result["floor"]
    checks = []
    for name, page in result["pages"].items():
        checks.append({"figure": f"{name}.p95_ms", "target": f"≤ {TARGETS['p95_ms']:.0f}", "value": page["p95_ms"],
                       "met": page["p95_ms"] is not None and page["p95_ms"] <= TARGETS["p95_ms"]})  # fmt: skip
        ratio = page["throughput_rps"] / floor["throughput_rps"] if floor["throughput_rps"] else 0
        page["vs_floor"] = round(ratio, 2)
        checks.append({"figure": f"{name}.throughput_vs_floor", "target": "≥ 0.40", "value": round(ratio, 2),
                       "met": ratio >= TARGETS["floor_ratio"]})  # fmt: skip
        if page["errors"]:
            checks.append({"figure": f"{name}.errors", "target": "0", "value": page["errors"], "met": False})
    imp, exp = result.get("import", {}), result.get("export", {})
    if imp.get("rejected"):  # a file that does not fit the dataset measures nothing
        checks.append({"figure": "import.rejected", "target": "0", "value": imp["rejected"], "met": False})
    if "rows_per_s" in imp:
        checks.append({"figure": "import.rows_per_s", "target": "≥ 3000", "value": imp["rows_per_s"],
                       "met": (imp["rows_per_s"] or 0) >= TARGETS["import_rows_per_s"]})  # fmt: skip
        checks.append({"figure": "import.peak_rss_mb", "target": "< 300 (100k rows)", "value": imp["peak_rss_mb"],
                       "met": imp["peak_rss_mb"] < TARGETS["import_peak_mb"]})  # fmt: skip
        if imp.get("reader_peak_rss_mb"):  # the bounded child that reads the file (jiceng.imports.sheets)
            checks.append({"figure": "import.reader_peak_rss_mb", "target": "< 300 (100k rows)",
                           "value": imp["reader_peak_rss_mb"],
                           "met": imp["reader_peak_rss_mb"] < TARGETS["import_peak_mb"]})  # fmt: skip
    if "rows_per_s" in exp:
        checks.append({"figure": "export.rows_per_s", "target": "≥ 10000", "value": exp["rows_per_s"],
                       "met": (exp["rows_per_s"] or 0) >= TARGETS["export_rows_per_s"]})  # fmt: skip
    return checks


def print_table(result: dict) -> None:
    m = result["meta"]
    print(f"\njiceng bench — {m['residents']} residents on {m['database']}, gunicorn {m['workers']} workers, "
          f"{m['concurrency']} client threads × {m['duration']} s; load average {m.get('load_before')} → "
          f"{m.get('load_after')}")  # fmt: skip
    print(
        f"{'scenario':<24}{'p50 ms':>9}{'p95 ms':>9}{'req/s':>9}{'×floor':>8}{'SQL/req':>9}{'peak MB':>9}{'errors':>8}"
    )
    rows = [("floor", result["floor"]), *result["pages"].items()]
    for name, r in rows:
        print(f"{name:<24}{_f(r['p50_ms']):>9}{_f(r['p95_ms']):>9}{_f(r['throughput_rps']):>9}"
              f"{_f(r.get('vs_floor', 1.0)):>8}{_f(r['queries_per_request']):>9}{_f(r['peak_rss_mb']):>9}{r['errors']:>8}")  # fmt: skip
    for name in ("import", "export"):
        r = result.get(name) or {}
        if "rows_per_s" in r:
            print(f"{name:<24} {r['rows']} rows in {r['seconds']} s = {r['rows_per_s']} rows/s, "
                  f"{r['queries_per_row']} SQL/row, peak {r['peak_rss_mb']} MB"
                  f"{', reader child ' + str(r['reader_peak_rss_mb']) + ' MB' if r.get('reader_peak_rss_mb') else ''}")  # fmt: skip
        elif r:
            print(f"{name:<24} {r}")
    misses = [c for c in result["targets"] if not c["met"]]
    print(f"\ntargets: {len(result['targets']) - len(misses)} met, {len(misses)} missed")
    for c in misses:
        print(f"  MISSED {c['figure']}: {c['value']} (target {c['target']})")


def _f(v) -> str:
    return "—" if v is None else (f"{v:.1f}" if isinstance(v, float) else str(v))


# --- main --------------------------------------------------------------------------------------


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--residents", type=int, default=200_000)
    ap.add_argument("--duration", type=float, default=10.0, help="seconds of load per scenario")
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    ap.add_argument("--import-rows", type=int, default=100_000)
    ap.add_argument("--no-export", action="store_true")
    ap.add_argument("--rebuild", action="store_true", help="drop and rebuild the bench dataset")
    ap.add_argument("--workdir", default=str(ROOT / "var" / "bench"))
    ap.add_argument("--out", default=None, help="JSON output (default WORKDIR/latest.json)")
    args = ap.parse_args(argv)

    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    base_url = os.environ.get("DATABASE_URL")
    url = bench_database_url(base_url, args.residents, workdir)
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": SETTINGS, "PYTHONPATH": str(ROOT),
           "JICENG_VAR_DIR": str(workdir / "var")}  # fmt: skip
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "JICENG_VAR_DIR")})
    (workdir / "var" / "static").mkdir(parents=True, exist_ok=True)  # WhiteNoise's root (pages need no files)
    sys.path.insert(0, str(ROOT))
    log(f"dataset: {args.residents} residents at {url.split('@')[-1]}")
    build_seconds = build_dataset(env, args.residents, base_url, args.rebuild)
    tidy_dataset(url)
    ctx = prepare(args.residents, workdir, args.import_rows)
    port = free_port()
    server = start_gunicorn(env, port, args.workers)
    result = {
        "meta": {
            "residents": args.residents, "database": "postgresql" if url.startswith("postgres") else "sqlite",
            "workers": args.workers, "concurrency": args.concurrency, "duration": args.duration,
            "cpus": os.cpu_count(), "when": dt.datetime.now().isoformat(timespec="seconds"),
            "dataset_seconds": round(build_seconds, 1), "import_mode": "dry run (all_or_nothing, rolled back)",
            "load_before": [round(x, 2) for x in os.getloadavg()],  # other work on the machine skews figures
        },
        "floor": {},
        "pages": {},
    }  # fmt: skip
    try:
        log("floor")
        result["floor"] = run_load(port, ["/bench/floor/"], "", args.duration, args.concurrency)
        for name, persona, paths in scenarios(ctx):
            log(name)
            result["pages"][name] = run_load(port, paths, ctx["cookies"][persona], args.duration, args.concurrency)
    finally:
        stop(server)
    if args.import_rows:
        log(f"import {args.import_rows} rows")
        result["import"] = oneshot(env, "import", ctx["import_file"], "longpan_admin")
    if not args.no_export:
        log("export")
        result["export"] = oneshot(env, "export", "/people/residents/", "qu_admin")
    result["meta"]["load_after"] = [round(x, 2) for x in os.getloadavg()]
    result["targets"] = check_targets(result)
    out = Path(args.out) if args.out else workdir / "latest.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print_table(result)
    print(f"\nwritten: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
