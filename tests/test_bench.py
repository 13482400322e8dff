"""`make bench` at a tiny scale: the run completes and its JSON has every figure bench/README.md lists."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = {
    "home_district", "home_street", "home_grid", "stats_district", "stats_street", "stats_grid", "resident_list",
    "search_name", "search_last4", "search_phone", "grid_detail", "coverage",
}  # fmt: skip
FIGURES = {"p50_ms", "p95_ms", "throughput_rps", "queries_per_request", "peak_rss_mb", "errors", "requests"}


@pytest.mark.slow
def test_tiny_bench_writes_every_figure(tmp_path):
    out = tmp_path / "latest.json"
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--residents", "300", "--duration", "0.5",
         "--concurrency", "2", "--import-rows", "50", "--workdir", str(tmp_path), "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(out.read_text())
    assert FIGURES <= set(result["floor"])
    assert PAGES <= set(result["pages"])
    extra = set(result["pages"]) - PAGES  # the overview and every declared entity's list page and API list
    assert "overview_street" in extra and {"list_brand", "api_brand"} <= extra
    assert all(name.startswith(("list_", "api_", "overview_")) for name in extra)
    for name, page in result["pages"].items():
        assert FIGURES | {"vs_floor"} <= set(page), name
        assert page["requests"] > 0 and page["errors"] == 0, (name, page)
        assert page["p95_ms"] >= page["p50_ms"] > 0
    for name in ("import", "export"):
        assert {"rows", "seconds", "rows_per_s", "queries_per_row", "peak_rss_mb"} <= set(result[name]), result[name]
    assert result["import"]["rows"] == 50 and result["import"]["rejected"] == 0
    assert result["export"]["rows"] == 300
    assert all({"figure", "target", "value", "met"} <= set(t) for t in result["targets"])
    assert "targets:" in run.stdout and "floor" in run.stdout
