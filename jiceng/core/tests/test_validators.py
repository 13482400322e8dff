"""Identifier and code validators (GB 11643, GB 32100, GB/T 2260, 统计用区划代码): exact values, Chinese messages."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from jiceng.core.validators import (
    PROVINCE_CODES,
    id_check_digit,
    normalise_text,
    validate_admin_code,
    validate_id_number,
    validate_not_future,
    validate_phone,
    validate_uscc,
)

from .helpers import make_id


def _error(func, *args, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as exc:
        func(*args, **kwargs)
    return exc.value


# --- 公民身份号码 ---------------------------------------------------------------------------


def test_check_digit_matches_gb11643_examples():
    assert id_check_digit("34110319950101001") == "8"
    assert id_check_digit("11010519491231002") == "X"
    assert make_id("19950101", area="341103", seq="001") == "341103199501010018"


def test_valid_id_derives_birth_date_and_gender():
    info = validate_id_number("341103199501010018")
    assert info.number == "341103199501010018"
    assert info.birth_date == dt.date(1995, 1, 1)
    assert info.gender == "1"  # order code 001 is odd: 男
    assert info.warnings == []

    female = validate_id_number("341103199501010026")
    assert female.gender == "2"  # order code 002 is even: 女
    assert female.birth_date == dt.date(1995, 1, 1)


def test_lowercase_x_is_normalised_to_upper_case():
    info = validate_id_number("11010519491231002x")
    assert info.number == "11010519491231002X"
    assert info.birth_date == dt.date(1949, 12, 31)
    assert info.gender == "2"


def test_full_width_digits_and_spaces_are_normalised():
    assert validate_id_number("３４１１０３ １９９５０１０１ ００１８").number == "341103199501010018"
    assert validate_id_number(" 341103 19950101 0018\t").number == "341103199501010018"
    assert validate_id_number("１１０１０５１９４９１２３１００２ｘ").number == "11010519491231002X"
    assert normalise_text("０５５０－１２３ ４５６７") == "0550-1234567"


def test_wrong_check_digit_is_rejected():
    err = _error(validate_id_number, "341103199501010019")
    assert err.code == "checksum"
    assert err.messages == ["身份证号校验位不正确，请核对是否录入有误。"]


def test_impossible_birth_date_is_rejected():
    number = make_id("19950230")
    err = _error(validate_id_number, number)
    assert err.code == "birth_date"
    assert err.messages == ["身份证号中的出生日期“19950230”不是有效日期。"]


def test_future_birth_date_is_rejected():
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    number = make_id(tomorrow.strftime("%Y%m%d"))
    err = _error(validate_id_number, number)
    assert err.code == "birth_future"
    assert err.messages == ["身份证号中的出生日期晚于今天。"]
    # with an explicit "today" the same number is fine once the day has come
    assert validate_id_number(number, today=tomorrow).birth_date == tomorrow


def test_birth_year_before_1900_is_rejected():
    err = _error(validate_id_number, make_id("18991231"))
    assert err.code == "birth_past"
    assert err.messages == ["身份证号中的出生年份早于 1900 年。"]


def test_unknown_province_is_rejected():
    number = make_id("19950101", area="991103")
    err = _error(validate_id_number, number)
    assert err.code == "province"
    assert err.messages == ["身份证号前两位“99”不是有效的省级行政区划代码。"]


def test_legacy_15_digit_number_is_rejected():
    err = _error(validate_id_number, "341103950101001")
    assert err.code == "legacy"
    assert err.messages == ["不再接受 15 位旧身份证号，请填写 18 位公民身份号码。"]


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        ("", "required", "身份证号不能为空。"),
        ("   ", "required", "身份证号不能为空。"),
        ("3411031995010100", "length", "身份证号应为 18 位，当前为 16 位。"),
        ("3411031995010100181", "length", "身份证号应为 18 位，当前为 19 位。"),
        ("34110319950101001A", "format", "身份证号格式不正确：前 17 位必须是数字，最后一位是数字或 X。"),
        ("3411031995O1010018", "format", "身份证号格式不正确：前 17 位必须是数字，最后一位是数字或 X。"),
    ],
)
def test_malformed_id_numbers(value, code, message):
    err = _error(validate_id_number, value)
    assert err.code == code
    assert err.messages == [message]


def test_area_not_in_force_in_birth_year_is_a_warning_not_an_error():
    # 南谯区 341103 exists only from 1992: stdnum rejects this number, we keep it with a warning.
    number = "341103198001010017"
    assert not ric.is_valid(number)
    info = validate_id_number(number)
    assert info.number == number
    assert info.birth_date == dt.date(1980, 1, 1)
    assert info.gender == "1"
    assert info.warnings == ["身份证号地址码 341103 在出生年份尚未启用或未知，请核实（不影响保存）。"]


def test_unknown_area_in_known_province_is_a_warning():
    number = make_id("19950101", area="349999")
    info = validate_id_number(number)
    assert info.warnings == ["身份证号地址码 349999 在出生年份尚未启用或未知，请核实（不影响保存）。"]


@st.composite
def _id_parts(draw):
    province = draw(st.sampled_from(sorted(PROVINCE_CODES)))
    rest = draw(st.text(alphabet="0123456789", min_size=4, max_size=4))
    birth = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date.today()))
    order = draw(st.text(alphabet="0123456789", min_size=3, max_size=3))
    return province + rest + birth.strftime("%Y%m%d") + order, birth


@settings(max_examples=300, deadline=None, database=None)
@given(_id_parts())
def test_property_any_real_province_and_date_with_computed_check_digit_validates(parts):
    first17, birth = parts
    number = first17 + id_check_digit(first17)
    info = validate_id_number(number)
    assert info.number == number
    assert info.birth_date == birth
    assert info.gender == ("1" if int(first17[16]) % 2 else "2")
    # flipping the check character to any other value fails the MOD 11-2 check
    for other in "0123456789X":
        if other != number[17]:
            with pytest.raises(ValidationError) as exc:
                validate_id_number(first17 + other)
            assert exc.value.code == "checksum"


@settings(max_examples=200, deadline=None, database=None)
@given(_id_parts(), st.integers(min_value=0, max_value=16), st.integers(min_value=1, max_value=9))
def test_property_a_single_wrong_digit_is_caught(parts, position, delta):
    first17, _ = parts
    number = first17 + id_check_digit(first17)
    digit = (int(number[position]) + delta) % 10
    changed = number[:position] + str(digit) + number[position + 1 :]
    with pytest.raises(ValidationError):
        validate_id_number(changed)


# --- 电话 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("+8613812345678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("8613812345678", "13812345678"),
        ("１９９１２３４５６７８", "19912345678"),
        ("0550-1234567", "0550-1234567"),
        ("05501234567", "0550-1234567"),
        ("0550-12345678", "0550-12345678"),
        ("010-12345678", "010-12345678"),
        ("01012345678", "010-12345678"),
    ],
)
def test_valid_phones_are_normalised(raw, expected):
    assert validate_phone(raw) == expected


@pytest.mark.parametrize("raw", ["12812345678", "1381234567", "138123456789", "0550-123456", "550-1234567", "abc", ""])
def test_invalid_phones_are_rejected_in_chinese(raw):
    err = _error(validate_phone, raw)
    assert err.code == "phone"
    assert err.messages == [f"电话号码“{raw}”格式不正确：手机号为 11 位（1 开头），座机如 0550-1234567。"]


# --- 统一社会信用代码 -----------------------------------------------------------------------


def test_uscc_valid_codes():
    assert validate_uscc("91110000600037341L") == "91110000600037341L"
    code = "91341103MA2N00000" + uscc.calc_check_digit("91341103MA2N00000")
    assert code == "91341103MA2N00000D"
    assert validate_uscc(code.lower()) == code
    assert validate_uscc("９１３４１１０３ＭＡ２Ｎ０００００Ｄ") == code


def test_uscc_wrong_check_character_is_rejected():
    err = _error(validate_uscc, "91341103MA2N00000E")
    assert err.code == "checksum"
    assert err.messages == ["统一社会信用代码格式或校验位不正确。"]


def test_uscc_excluded_letters_are_rejected():
    # I, O, Z, S, V are not in the GB 32100 character set
    err = _error(validate_uscc, "91341103MA2N0000OD")
    assert err.messages == ["统一社会信用代码格式或校验位不正确。"]


def test_uscc_length():
    err = _error(validate_uscc, "91341103MA2N0000")
    assert err.code == "length"
    assert err.messages == ["统一社会信用代码应为 18 位，当前为 16 位。"]


# --- 区划代码 -------------------------------------------------------------------------------


def test_admin_codes_consistent_with_parent():
    assert validate_admin_code("341103", level="district", parent_code=None) == "341103"
    assert validate_admin_code("341103003000", level="street", parent_code="341103") == "341103003000"
    assert validate_admin_code("341103100000", level="street", parent_code="341103") == "341103100000"  # 镇
    assert validate_admin_code("341103003012", level="community", parent_code="341103003000") == "341103003012"


@pytest.mark.parametrize(
    ("code", "level", "parent", "message"),
    [
        ("34110", "district", None, "区县代码应为 6 位。"),
        ("34110A", "district", None, "区划代码只能由数字组成。"),
        ("341103003", "street", "341103", "街道（乡镇）代码应为 12 位统计用区划代码（末三位为 000）。"),
        ("341102003000", "street", "341103", "街道代码前 6 位应与所属区县代码 341103 一致。"),
        ("341103003001", "street", "341103", "街道（乡镇）代码末三位应为 000。"),
        ("341103000000", "street", "341103", "街道（乡镇）代码第 7-9 位应在 001-599 之间。"),
        ("341103600000", "street", "341103", "街道（乡镇）代码第 7-9 位应在 001-599 之间。"),
        ("34110300301", "community", "341103003000", "社区代码应为 12 位统计用区划代码。"),
        ("341103004001", "community", "341103003000", "社区代码前 9 位应与所属街道代码 341103003 一致。"),
        ("341103003000", "community", "341103003000", "社区（居委会）代码末三位应在 001-199 之间。"),
        ("341103003201", "community", "341103003000", "社区（居委会）代码末三位应在 001-199 之间。"),
        ("341103003012", "grid", "341103003000", "未知的区划层级。"),
    ],
)
def test_admin_code_errors(code, level, parent, message):
    err = _error(validate_admin_code, code, level=level, parent_code=parent)
    assert err.messages == [message]


def test_not_future():
    validate_not_future(dt.date.today(), "登记日期")
    validate_not_future(None, "登记日期")
    err = _error(validate_not_future, dt.date.today() + dt.timedelta(days=1), "登记日期")
    assert err.messages == ["登记日期不能晚于今天。"]
