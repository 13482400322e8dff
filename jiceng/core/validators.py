"""Validators for identifiers and codes (GB 11643, GB 32100, GB/T 2260, 统计用区划代码).

Each returns the normalised value or raises ``ValidationError`` with a Chinese message; soft
problems (e.g. an area code not yet in force in the birth year) come back as warnings.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache

from django.core.exceptions import ValidationError
from stdnum.cn import ric, uscc

# 省级行政区划代码 (GB/T 2260 first two digits).
PROVINCE_CODES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82",
}  # fmt: skip

# re.ASCII: ``\d`` must not match ٣ or other non-ASCII digits (NFKC folds full-width ones, not those).
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$", re.ASCII)
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$", re.ASCII)
ID_RE = re.compile(r"^\d{17}[\dX]$", re.ASCII)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def is_ascii_digits(value: str) -> bool:
    """Only the ten ASCII digits 0-9, at least one. ``str.isdigit()`` also accepts ٣, ³, ３ and the like."""
    return bool(value) and value.isascii() and value.isdigit()


def normalise_text(value: str) -> str:
    """Full-width to half-width, strip all white space (the way Excel 台账 arrive)."""
    value = unicodedata.normalize("NFKC", str(value))
    return re.sub(r"\s+", "", value)


#: The punctuation ``normalise_text`` turns half-width that Chinese names keep full-width ("某某（包保龙蟠街道）").
_FULL_WIDTH = str.maketrans({"(": "（", ")": "）", "[": "［", "]": "］", ",": "，", ":": "：", ";": "；"})


def chinese_punctuation(text: str) -> str:
    """A name's brackets, commas and colons full-width again after ``normalise_text`` ("（包保龙蟠街道）")."""
    return text.translate(_FULL_WIDTH)


def name_variants(text: str) -> set[str]:
    """A name read from a sheet as it may be stored: as read, and with its brackets and commas full-width."""
    return {text, chinese_punctuation(text)}


@dataclass
class IdNumberInfo:
    number: str
    birth_date: dt.date
    gender: str  # GB/T 2261.1: "1" 男, "2" 女
    warnings: list[str] = field(default_factory=list)


def id_check_digit(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


@lru_cache(maxsize=65536)
def _area_code_in_force(area: str, year: str) -> bool:
    """Whether stdnum knows area code ``area`` as in force in ``year`` — what ``ric.validate`` checks
    beyond the format, check digit and date already checked here; cached per (area, year) because an
    import asks it for every row (docs/decisions/scale.md, "Import fast path")."""
    try:
        ric.get_birth_place(f"{area}{year}01010000")
    except Exception:  # noqa: BLE001 - unknown, or not in force that year
        return False
    return True


# --- remembering accepted values for the length of an import ----------------------------------

_MEMO: ContextVar[dict | None] = ContextVar("jiceng_validator_memo", default=None)
_MEMO_SIZE = 8192


@contextmanager
def remembering_accepted_values() -> Iterator[None]:
    """Inside the block, :func:`validate_id_number` and :func:`validate_phone` remember the values they
    accepted and answer them again from memory.

    An import validates each identity number and phone twice: the importer cleaning the cell, then the
    service (``resident_build``, like ``resident_create``) validating what it is given. The answer is a
    function of the value (and of today's date, part of the key), so the second call returns the same
    result without the work. Only accepted values are remembered — a refusal is computed, and worded,
    every time — and only inside the block (one import run, at most ``_MEMO_SIZE`` values at a time):
    nothing outlives it.
    """
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


def remembered_values() -> dict | None:
    """The memory of :func:`remembering_accepted_values` (``None`` outside such a block). Other checks
    that are a function of their value alone keep their accepted values here too (``remember``)."""
    return _MEMO.get()


def remember(memo: dict, key, value) -> None:
    if len(memo) >= _MEMO_SIZE:
        memo.clear()
    memo[key] = value


def validate_id_number(value: str, *, today: dt.date | None = None) -> IdNumberInfo:
    """公民身份号码 (GB 11643-1999): hard checks are format, check digit, birth date and province."""
    memo = _MEMO.get()
    if memo is None or today is not None or type(value) is not str:
        return _validate_id_number(value, today=today)
    key = ("id", value, dt.date.today())
    info = memo.get(key)
    if info is None:
        info = _validate_id_number(value, today=key[2])
        remember(memo, key, info)
    return IdNumberInfo(info.number, info.birth_date, info.gender, list(info.warnings))  # a copy: callers own it


def _validate_id_number(value: str, *, today: dt.date | None = None) -> IdNumberInfo:
    number = normalise_text(value).upper()
    if not number:
        raise ValidationError("身份证号不能为空。", code="required")
    if len(number) == 15 and is_ascii_digits(number):
        raise ValidationError("不再接受 15 位旧身份证号，请填写 18 位公民身份号码。", code="legacy")
    if len(number) != 18:
        raise ValidationError(f"身份证号应为 18 位，当前为 {len(number)} 位。", code="length")
    if not ID_RE.match(number):
        raise ValidationError("身份证号格式不正确：前 17 位必须是数字，最后一位是数字或 X。", code="format")
    if number[:2] not in PROVINCE_CODES:
        raise ValidationError(f"身份证号前两位“{number[:2]}”不是有效的省级行政区划代码。", code="province")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(f"身份证号中的出生日期“{number[6:14]}”不是有效日期。", code="birth_date") from None
    today = today or dt.date.today()
    if birth > today:
        raise ValidationError("身份证号中的出生日期晚于今天。", code="birth_future")
    if birth.year < 1900:
        raise ValidationError("身份证号中的出生年份早于 1900 年。", code="birth_past")
    expected = id_check_digit(number[:17])
    if number[17] != expected:
        raise ValidationError("身份证号校验位不正确，请核对是否录入有误。", code="checksum")
    warnings = []
    if not _area_code_in_force(number[:6], number[6:10]):  # stdnum's area/year check: a warning
        warnings.append(f"身份证号地址码 {number[:6]} 在出生年份尚未启用或未知，请核实（不影响保存）。")
    gender = "1" if int(number[16]) % 2 == 1 else "2"
    return IdNumberInfo(number=number, birth_date=birth, gender=gender, warnings=warnings)


def validate_phone(value: str) -> str:
    """Mainland mobile (1[3-9] + 9 digits) or a landline such as 0550-1234567. Returns digits (and '-')."""
    memo = _MEMO.get()
    if memo is None or type(value) is not str:
        return _validate_phone(value)
    key = ("phone", value)
    phone = memo.get(key)
    if phone is None:
        phone = _validate_phone(value)
        remember(memo, key, phone)
    return phone


def _validate_phone(value: str) -> str:
    phone = normalise_text(value)
    if phone.startswith("+86"):
        phone = phone[3:]
    elif phone.startswith("86") and len(phone) == 13:
        phone = phone[2:]
    if MOBILE_RE.match(phone):
        return phone
    if LANDLINE_RE.match(phone):
        if "-" not in phone:
            area_len = 3 if phone[:3] in {"010", "020", "021", "022", "023", "024", "025", "027", "028", "029"} else 4
            phone = phone[:area_len] + "-" + phone[area_len:]
        return phone
    raise ValidationError(f"电话号码“{value}”格式不正确：手机号为 11 位（1 开头），座机如 0550-1234567。", code="phone")


def validate_uscc(value: str) -> str:
    """统一社会信用代码 (GB 32100-2015): 18 characters, mod-31 check."""
    code = normalise_text(value).upper()
    if len(code) != 18:
        raise ValidationError(f"统一社会信用代码应为 18 位，当前为 {len(code)} 位。", code="length")
    try:
        uscc.validate(code)
    except Exception:  # noqa: BLE001
        raise ValidationError("统一社会信用代码格式或校验位不正确。", code="checksum") from None
    return code


def validate_admin_code(code: str, *, level: str, parent_code: str | None) -> str:
    """统计用区划代码 consistency with the parent (国家统计局 统计用区划代码: 6 + 3 + 3 digits)."""
    code = normalise_text(code)
    if not is_ascii_digits(code):
        raise ValidationError("区划代码只能由数字组成。", code="digits")
    if level == "district":
        if len(code) != 6:
            raise ValidationError("区县代码应为 6 位。", code="length")
        return code
    if level == "street":
        if len(code) != 12:
            raise ValidationError("街道（乡镇）代码应为 12 位统计用区划代码（末三位为 000）。", code="length")
        if parent_code and code[:6] != parent_code[:6]:
            raise ValidationError(f"街道代码前 6 位应与所属区县代码 {parent_code[:6]} 一致。", code="parent")
        if code[9:] != "000":
            raise ValidationError("街道（乡镇）代码末三位应为 000。", code="suffix")
        if not 1 <= int(code[6:9]) <= 599:
            raise ValidationError("街道（乡镇）代码第 7-9 位应在 001-599 之间。", code="range")
        return code
    if level == "community":
        if len(code) != 12:
            raise ValidationError("社区代码应为 12 位统计用区划代码。", code="length")
        if parent_code and code[:9] != parent_code[:9]:
            raise ValidationError(f"社区代码前 9 位应与所属街道代码 {parent_code[:9]} 一致。", code="parent")
        if not 1 <= int(code[9:]) <= 199:
            raise ValidationError("社区（居委会）代码末三位应在 001-199 之间。", code="range")
        return code
    raise ValidationError("未知的区划层级。", code="level")


def validate_not_future(value: dt.date | None, label: str) -> None:
    if value and value > dt.date.today():
        raise ValidationError(f"{label}不能晚于今天。", code="future")


#: The first bytes of the image formats a logo or photo may have (the type is read from the bytes, never
#: from the file's name or the browser's content type).
IMAGE_SIGNATURES = {
    "jpg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "gif": (b"GIF87a", b"GIF89a"),
    "webp": (b"RIFF",),
}
MAX_IMAGE_BYTES = 2 * 1024 * 1024


def image_kind(head: bytes) -> str | None:
    """``jpg`` / ``png`` / ``gif`` / ``webp`` by the file's first bytes, or ``None``."""
    for kind, signatures in IMAGE_SIGNATURES.items():
        if any(head.startswith(sig) for sig in signatures) and (kind != "webp" or head[8:12] == b"WEBP"):
            return kind
    return None


def _head(value) -> bytes:
    source = getattr(value, "file", value)
    source.seek(0)
    head = source.read(16)
    source.seek(0)
    return head


def validate_image_bytes(value) -> None:
    """A newly uploaded image (a model ``FileField``'s validator): JPEG, PNG, GIF or WebP by its bytes, ≤ 2 MB.
    A file already stored was checked when it was uploaded."""
    if not value or getattr(value, "_committed", False):
        return
    if value.size > MAX_IMAGE_BYTES:
        raise ValidationError(f"图片不能超过 {MAX_IMAGE_BYTES // (1024 * 1024)} MB。")
    if image_kind(_head(value)) is None:
        raise ValidationError("只能上传 JPEG、PNG、GIF 或 WebP 图片。")


def random_image_name(instance, filename: str) -> str:
    """``upload_to`` of an image field: ``<app>/<random>.<type read from the bytes>``, never the uploaded name."""
    import uuid

    kind = "bin"
    for f in instance._meta.fields:  # the file being saved is the one not yet committed to storage
        value = getattr(instance, f.attname, None) if f.get_internal_type() == "FileField" else None
        if value and not getattr(value, "_committed", True):
            kind = image_kind(_head(value)) or kind
    return f"{instance._meta.app_label}/{uuid.uuid4().hex}.{kind}"
