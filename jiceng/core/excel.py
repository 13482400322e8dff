"""Making sense of the rows of a 台账 people keep in Excel (reading the file is ``jiceng.imports.sheets``).

``locate_header`` finds the header under any title rows, including a two-row header whose group
cells are merged, and maps the columns through a synonym table. The ``clean_*`` helpers turn what
Excel does to cells (numbers instead of text, scientific notation, full-width digits, stray spaces)
back into values, or explain in Chinese why they cannot.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from .validators import normalise_text, validate_id_number

HEADER_SCAN_ROWS = 15
_BOOL_TRUE = {"是", "有", "y", "yes", "true", "1", "√", "✓", "t"}
_BOOL_FALSE = {"否", "无", "n", "no", "false", "0", "×", "✗", "f"}
_SCI_RE = re.compile(r"^[+-]?\d+(\.\d+)?[eE][+-]?\d+$")


class FileFormatError(Exception):
    """The file cannot be read at all (wrong type, damaged, encrypted)."""


# --- header ----------------------------------------------------------------------------------


def header_key(value) -> str:
    """Normalise a header cell: full-width → half-width, no spaces, no required-marks or notes."""
    if value is None:
        return ""
    text = normalise_text(str(value))
    text = re.sub(r"[(（\[【][^)）\]】]*[)）\]】]", "", text)  # (必填) （如：2-301） [选填]
    return text.strip("*＊:：")


@dataclass
class Header:
    row: int  # the last header row (Excel numbering); data starts below it
    columns: dict[int, str]  # column index → field key
    labels: dict[int, str]  # column index → header text as found in the file
    unknown: list[str]


def locate_header(rows: list[tuple[int, list]], synonyms: dict[str, str]) -> Header | None:
    """Find the header among the first rows: a single row, or two rows whose upper cells are merged."""
    best: tuple[int, Header] | None = None
    for i, (number, values) in enumerate(rows[:HEADER_SCAN_ROWS]):
        candidates = [(number, values, None)]
        if i + 1 < len(rows):  # a two-row header: group cells merged above, detail cells below
            below_number, below = rows[i + 1]
            candidates.append((below_number, values, below))
        for last_row, upper, lower in candidates:
            columns: dict[int, str] = {}
            labels: dict[int, str] = {}
            unknown: list[str] = []
            width = max(len(upper), len(lower or []))
            for c in range(width):
                texts = []
                if lower is not None and c < len(lower) and lower[c] not in (None, ""):
                    texts.append(lower[c])
                if c < len(upper) and upper[c] not in (None, ""):
                    texts.append(upper[c])
                for text in texts:
                    key = synonyms.get(header_key(text))
                    if key and key not in columns.values():
                        columns[c] = key
                        labels[c] = str(text).strip()
                        break
                else:
                    if texts and lower is None:
                        unknown.append(str(texts[0]).strip())
            score = len(columns) * 2 - (1 if lower is not None else 0)
            if len(columns) >= 2 and (best is None or score > best[0]):
                best = (score, Header(last_row, columns, labels, unknown))
    return best[1] if best else None


def is_blank_row(values: list) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


# --- cells -----------------------------------------------------------------------------------


def cell_text(value) -> str:
    """Any cell as text: integers without ``.0``, spaces trimmed (inner spaces kept)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%Y-%m-%d")
    text = unicodedata.normalize("NFKC", str(value))
    return text.strip().replace("\u3000", " ")


def clean_compact(value) -> str:
    """Codes, names and numbers: full-width to half-width, every space removed."""
    return normalise_text(cell_text(value))


def clean_name(value) -> str:
    """A person's name: “张  三” (spaces used to align two-character names) → 张三; Latin names keep one space."""
    text = " ".join(cell_text(value).split())
    if re.search(r"[\u4e00-\u9fff]", text):
        return text.replace(" ", "")
    return text


def clean_id_number(value) -> tuple[str, list[str]]:
    """An 18-digit 公民身份号码 from whatever Excel made of it. Returns (number, warnings).

    A number cell holds a double: 15-17 significant digits, never the 18 an ID needs (Excel itself
    keeps 15 and zeroes the rest). So a float, or scientific notation with fewer than 18 significant
    digits (3.41103E+17), has lost digits and is rejected with a message that says how to fix the
    file. It is recovered when exact: an integer literal (files written by WPS, pandas and most
    exporters keep all 18 digits) or scientific notation that still carries all of them.
    """
    warnings: list[str] = []
    if isinstance(value, bool):
        raise ValidationError("证件号码不能是“是/否”。")
    if isinstance(value, float):
        digits = _integral_digits(Decimal(repr(value)))
        if digits is not None and len(digits) < 16:
            return validate_id_number(digits).number, warnings  # short: a typo, not a precision loss
        raise _digits_lost(value)
    if isinstance(value, int):
        number = str(value)
        exact = True
    else:
        text = normalise_text(cell_text(value)).upper().lstrip("'")
        if text.endswith(".0") and text[:-2].isdigit():
            text = text[:-2]
        if not _SCI_RE.match(text):
            try:
                return validate_id_number(text).number, warnings
            except ValidationError as exc:
                if exc.code == "checksum" and text.endswith("000"):
                    raise _digits_lost(value) from None
                raise
        try:
            parsed = Decimal(text)
        except InvalidOperation:
            raise ValidationError(f"证件号码“{value}”不是有效的号码。") from None
        significant = parsed.normalize().as_tuple().digits
        number = _integral_digits(parsed) or ""
        exact = len(number) == 18 and len(significant) >= len(number.rstrip("0"))
        if not exact:
            raise _digits_lost(value)
    info = validate_id_number(number)
    if exact:
        warnings.append("证件号码以数字格式保存，已按原值识别；建议将该列设为文本格式。")
    return info.number, warnings


def _digits_lost(value) -> ValidationError:
    return ValidationError(
        f"证件号码“{_display(value)}”以数字或科学计数法保存，后几位已丢失，无法恢复。"
        "请将该列设置为“文本”格式后重新录入完整号码。",
        code="digits_lost",
    )


def _integral_digits(number: Decimal | None) -> str | None:
    if number is None or not number.is_finite() or number < 0:
        return None
    if number != number.to_integral_value():
        return None
    return str(int(number))


def _display(value) -> str:
    if isinstance(value, float):
        return f"{value:.5E}"
    return str(value)


def clean_phone_text(value) -> str:
    """Phones typed into number cells (13800000000.0), with spaces, dashes or +86."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = normalise_text(cell_text(value)).replace("(", "").replace(")", "")
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    bare = text.replace("-", "")
    for prefix in ("+86", "0086", "86"):
        if bare.startswith(prefix) and len(bare) == len(prefix) + 11:
            bare = bare[len(prefix) :]
    if len(bare) == 11 and bare.startswith("1"):  # a mobile written 138-0000-0000 or +86 138…
        return bare
    return text


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日", "%Y-%m", "%Y/%m", "%Y.%m", "%Y年%m月")


def clean_date(value) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1 <= value < 80000:  # an Excel serial date that lost its format (e.g. in a CSV)
            return (dt.datetime(1899, 12, 30) + dt.timedelta(days=float(value))).date()
        value = str(int(value))
    text = normalise_text(cell_text(value))
    if not text:
        return None
    text = text.split("T")[0]
    if " " in text:
        text = text.split(" ")[0]
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValidationError(f"日期“{value}”无法识别，请填写如 2024-03-01 的日期。")


def clean_int(value) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValidationError("应填写数字。")
    if isinstance(value, (int, float)):
        if float(value).is_integer():
            return int(value)
        raise ValidationError(f"“{value}”应为整数。")
    text = clean_compact(value)
    text = re.sub(r"[层栋个户档年]$", "", text)
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValidationError(f"“{value}”应为整数。") from None
    if number != number.to_integral_value():
        raise ValidationError(f"“{value}”应为整数。")
    return int(number)


def clean_decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    text = re.sub(r"(平方米|平米|m2|m²|㎡)$", "", clean_compact(value), flags=re.IGNORECASE)  # NFKC: ㎡ → m2
    if not text:
        return None
    try:
        number = Decimal(text)
        # as written ("20", "1.5"), so a field with fewer places takes it; longer decimals to 2 places, as before
        return number.quantize(Decimal("0.01")) if number.as_tuple().exponent < -2 else number
    except InvalidOperation:
        raise ValidationError(f"“{value}”应为数字。") from None


def clean_bool(value) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = clean_compact(value).lower()
    if text in _BOOL_TRUE:
        return True
    if text in _BOOL_FALSE:
        return False
    raise ValidationError(f"“{value}”应填写“是”或“否”。")


def clean_choice(value, choices) -> str | None:
    """A coded field: the label (汉族), the code (01) or the label without a common suffix (汉)."""
    if value is None or value == "":
        return None
    text = clean_compact(value)
    if not text:
        return None
    lookup = choice_lookup(choices)
    if text in lookup:
        return lookup[text]
    if text.lower() in lookup:
        return lookup[text.lower()]
    labels = "、".join(str(label) for _, label in list(choices)[:12])
    raise ValidationError(
        f"“{value}”不是可选的值（可选：{labels}…）。"
        if len(choices) > 12
        else f"“{value}”不是可选的值（可选：{labels}）。"
    )


_LOOKUPS: dict[int, tuple] = {}


def choice_lookup(choices) -> dict[str, str]:
    """The label/code table of ``choices``, built once per choices object (an import asks per cell)."""
    entry = _LOOKUPS.get(id(choices))
    if entry is not None and entry[0] is choices:
        return entry[1]
    lookup = _choice_lookup(choices)
    if len(_LOOKUPS) > 256:
        _LOOKUPS.clear()
    _LOOKUPS[id(choices)] = (choices, lookup)  # keeps ``choices`` alive: its id cannot be reused
    return lookup


def _choice_lookup(choices) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for code, label in choices:
        if code == "":
            continue
        label = normalise_text(str(label))
        lookup.setdefault(label, code)
        lookup.setdefault(str(code), code)
        lookup.setdefault(str(code).lower(), code)
        for suffix in ("族", "人口", "党员"):
            if label.endswith(suffix) and len(label) > len(suffix):
                lookup.setdefault(label[: -len(suffix)], code)
        if str(code).isdigit() and len(str(code)) == 2 and str(code).startswith("0"):
            lookup.setdefault(str(int(code)), code)  # 民族代码 1 for 01 after Excel ate the zero
    return lookup


def split_list(value) -> list[str]:
    """“第1网格、第2网格；第3网格” → three items."""
    text = cell_text(value)
    return [normalise_text(p) for p in re.split(r"[、,，;；/\n]+", text) if normalise_text(p)]
