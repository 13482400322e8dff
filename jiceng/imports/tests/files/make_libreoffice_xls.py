"""Regenerate ``residents-libreoffice.xls``: a resident roster saved as .xls by LibreOffice Calc.

    .venv/bin/python jiceng/imports/tests/files/make_libreoffice_xls.py   # needs soffice (libreoffice-calc)

The rows point at the demo district (grid 34110300301201, its building 1), so the file imports into the
test database built by ``seed_demo``. The sheet is written with openpyxl, then opened and saved as
"Excel 97-2003" by LibreOffice itself: the .xls bytes are LibreOffice's own (BIFF8 written by Calc's
filter), not a Python library's. What it holds — and what ``test_a_libreoffice_xls_roster`` expects:

- a merged title row above the header, and header synonyms (公民身份号码, 手机号码, 网格, 楼栋号, 房间号);
- row 3: an ID number stored as text, a phone stored as a number → accepted;
- row 4: an ID number stored as a number (Calc keeps 15 significant digits) → rejected: digits were lost;
- row 5: full-width digits and spaces in the ID and the phone → accepted.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
TARGET = HERE / "residents-libreoffice.xls"
HEADER = ["姓名", "公民身份号码", "手机号码", "网格", "楼栋号", "房间号", "民族", "与户主关系"]
ROWS = [
    ["柳一", "340104199001019409", 13800000041, "34110300301201", "1", "9-901", "汉族", "户主"],
    ["柳二", 340104199001019425, "13800000042", "34110300301201", "1", "9-902", "汉族", "户主"],
    ["柳三", "３４０１０４ １９９００１０１９４５Ｘ", "138 0000 0043", "34110300301201", "1", "9-903", "回族", "户主"],
]


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_to_xls(xlsx: Path, outdir: Path) -> Path:
    """Open ``xlsx`` in headless LibreOffice Calc and save it as Excel 97-2003 (.xls) in ``outdir``."""
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [soffice(), f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
             "--convert-to", "xls:MS Excel 97", "--outdir", str(outdir), str(xlsx)],
            check=True, capture_output=True, timeout=180,
        )  # fmt: skip
    return outdir / (xlsx.stem + ".xls")


def main() -> int:
    if not soffice():
        print("需要 LibreOffice（soffice）。", file=sys.stderr)
        return 1
    wb = Workbook()
    ws = wb.active
    ws.title = "居民"
    ws.append(["文昌花园社区 居民花名册（LibreOffice 另存为 .xls）"])
    ws.merge_cells("A1:H1")
    ws.append(HEADER)
    for row in ROWS:
        ws.append(row)
    with tempfile.TemporaryDirectory() as tmp:
        xlsx = Path(tmp) / "residents-libreoffice.xlsx"
        wb.save(xlsx)
        made = convert_to_xls(xlsx, Path(tmp))
        shutil.copyfile(made, TARGET)
    print(TARGET)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
