"""read_rows_bounded gives exactly read_rows' rows and errors, read by a forked child with limits that dies
with its parent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from jiceng.core import excel
from jiceng.imports import sheets

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _xlsx(tmp_path, rows):
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    path = tmp_path / "f.xlsx"
    wb.save(path)
    return path


def test_same_rows_as_in_process(tmp_path):
    rows = [
        ["姓名", "身份证号"],
        *[[f"人{i}", f"34010419900101{i:04d}"] for i in range(1234)],
        [None, None],
        ["尾", 1.5],
    ]
    path = _xlsx(tmp_path, rows)
    assert list(sheets.read_rows_bounded(path, "f.xlsx", chunk=100)) == list(sheets.read_rows(path, "f.xlsx"))


def test_errors_and_early_stop(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a zip file")
    with pytest.raises(excel.FileFormatError, match=r"^无法读取该 Excel 文件（BadZipFile）"):
        list(sheets.read_rows_bounded(bad, "bad.xlsx"))
    path = _xlsx(tmp_path, [[i] for i in range(5000)])
    reader = sheets.read_rows_bounded(path, "f.xlsx", chunk=10)
    assert next(reader) == (1, [0])
    reader.close()  # the child is stopped, nothing hangs


def _far_cells(path: Path) -> Path:
    """Two cells, A1 and XFD1048576, and no dimension: nothing to refuse before reading, and a sheet of
    17 billion cells once read (calamine allocates them)."""
    from .test_sheets import package, worksheet

    rows = '<{p}row r="1"><{p}c r="A1"><{p}v>1</{p}v></{p}c></{p}row><{p}row r="1048576"><{p}c r="XFD1048576"><{p}v>2</{p}v></{p}c></{p}row>'
    return package(path, worksheet(rows))


def test_a_reader_over_its_memory_limit_is_stopped_with_a_chinese_reason(tmp_path):
    path = _far_cells(tmp_path / "far.xlsx")
    with zipfile.ZipFile(path) as zf:
        assert "dimension" not in zf.read("xl/worksheets/sheet1.xml").decode()
    started = time.monotonic()
    with pytest.raises(excel.FileFormatError) as caught:
        list(sheets.read_rows_bounded(path, "far.xlsx"))
    assert time.monotonic() - started < 10
    assert str(caught.value) == (
        "读取该文件所需的内存超过了上限（1024 MB），已停止。请删除多余的行列或拆分为多个文件后上传。"
    )


def _spin(path, filename=None, *, on_size=None):
    while True:
        pass
    yield  # pragma: no cover


def test_a_reader_over_its_cpu_limit_is_stopped_with_a_chinese_reason(tmp_path, settings, monkeypatch):
    """The forked child runs what this process has: a reader that never ends stands for a file that
    takes too long (the limit is CPU time, so a slow database on the parent's side does not count)."""
    settings.JICENG_IMPORT_READER_CPU_SECONDS = 1
    monkeypatch.setattr(sheets, "read_rows", _spin)
    started = time.monotonic()
    with pytest.raises(excel.FileFormatError) as caught:
        list(sheets.read_rows_bounded(tmp_path / "x.xlsx", "x.xlsx"))
    assert time.monotonic() - started < 15
    assert str(caught.value) == (
        "读取该文件超过了时间上限（1 秒 CPU），已停止。请删除多余的行列或拆分为多个文件后上传。"
    )


PARENT = textwrap.dedent(
    """
    import os, sys, time
    import django
    os.environ["DJANGO_SETTINGS_MODULE"] = "jiceng.settings.test"
    django.setup()
    from jiceng.imports import sheets

    rows = sheets.read_rows_bounded(sys.argv[1], "f.xlsx", chunk=1)
    next(rows)  # the child is reading and blocked on the full queue
    print("ready", flush=True)
    time.sleep(120)
    """
)


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            state = fh.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state in ("Z", "X")  # a zombie waiting for init to reap it holds no memory


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_the_reader_dies_with_its_parent_killed_by_sigkill(tmp_path):
    """Issue 10: killing a worker with -9 left its forked reader orphaned, holding 674 MB."""
    path = _xlsx(tmp_path, [[i, f"行{i}"] for i in range(3000)])
    root = Path(__file__).resolve().parents[3]
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, str(path)], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(root)},
    )  # fmt: skip
    try:
        assert parent.stdout.readline().strip() == b"ready"
        children = [pid for pid in _children(parent.pid) if not _gone(pid)]
        assert children, "the reader child is running"
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not all(_gone(pid) for pid in children):
            time.sleep(0.05)
        assert all(_gone(pid) for pid in children), "the reader outlived its parent"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
