"""Codes and identifiers accept ASCII digits only.

``str.isdigit()`` and ``\\d`` also accept Arabic-Indic (٣), Devanagari (३) and other Unicode digits, which
NFKC normalisation leaves as they are; such a code would be stored and never match anything.
"""

import pytest
from django.core.exceptions import ValidationError

from jiceng.core.tests.helpers import make_id
from jiceng.core.validators import is_ascii_digits, validate_admin_code, validate_id_number, validate_phone


@pytest.mark.parametrize(
    "value, expected",
    [("0123456789", True), ("341103003012", True), ("", False), ("12a", False), ("٣", False), ("१२", False),
     ("３４", False), ("²", False), ("12 ", False), ("-1", False)],
)  # fmt: skip
def test_is_ascii_digits(value, expected):
    assert is_ascii_digits(value) is expected


@pytest.mark.parametrize("code", ["34110300301٣", "34110300301३", "٣٤١١٠٣٠٠٣٠١٢"])
def test_admin_code_refuses_non_ascii_digits(code):
    with pytest.raises(ValidationError) as exc:
        validate_admin_code(code, level="community", parent_code="341103003000")
    assert exc.value.messages == ["区划代码只能由数字组成。"]


def test_admin_code_still_folds_full_width_digits():
    assert (
        validate_admin_code("３４１１０３００３０１２", level="community", parent_code="341103003000") == "341103003012"
    )


def test_id_number_and_phone_refuse_non_ascii_digits():
    number = make_id()
    assert validate_id_number(number).number == number
    arabic = number[:16] + chr(0x0660 + int(number[16])) + number[17]  # the same digit, Arabic-Indic
    with pytest.raises(ValidationError):
        validate_id_number(arabic)
    with pytest.raises(ValidationError):
        validate_phone("138001٣8000")
    assert validate_phone("13800138000") == "13800138000"
