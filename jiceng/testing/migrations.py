"""Migration tests with rows: a schema migration cannot run inside the suite's test transaction, so the
check runs as a script in a child process on a fresh SQLite file (its own database, whatever the suite
runs on). The script prints a line ending in "rows kept" when every row survived."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_migration_check(script: str | Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'migration.sqlite3'}",
        DJANGO_SETTINGS_MODULE="jiceng.settings.test",
        PYTHONPATH=str(ROOT),
    )
    result = subprocess.run(
        [sys.executable, str(script)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("rows kept"), result.stdout
