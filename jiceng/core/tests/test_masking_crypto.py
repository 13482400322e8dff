"""Display masking and field encryption / keyed hashes (docs/architecture.md, “Personal data”)."""

import pytest
from django.test import override_settings

from jiceng.core import crypto
from jiceng.core.masking import mask_id_number, mask_name, mask_phone, mask_room


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("341103199501010018", "341***********0018"),
        ("11010519491231002X", "110***********002X"),
        ("E12345678", "E12**5678"),
        ("1234567", "*******"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_id_number(value, expected):
    assert mask_id_number(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13812345678", "138****5678"),
        ("0550-1234567", "********4567"),
        ("1234", "****"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone(value, expected):
    assert mask_phone(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("张", "张"), ("张三", "张*"), ("张小明", "张*明"), ("欧阳小平", "欧**平"), ("", ""), (None, "")],
)
def test_mask_name(value, expected):
    assert mask_name(value) == expected


def test_mask_room():
    assert mask_room("2-301") == "*****"
    assert mask_room("") == ""


def test_encrypt_round_trip_and_ciphertext_is_not_plain():
    token = crypto.encrypt("341103199501010018")
    assert "341103199501010018" not in token
    assert token != crypto.encrypt("341103199501010018")  # Fernet is randomised
    assert crypto.decrypt(token) == "341103199501010018"


def test_decrypt_with_another_key_fails_in_chinese():
    token = crypto.encrypt("13812345678")
    with override_settings(JICENG_FIELD_KEY="another-key"), pytest.raises(ValueError) as exc:
        crypto.decrypt(token)
    assert str(exc.value) == "个人信息解密失败：密钥不匹配或数据已被篡改。"


def test_lookup_hash_is_deterministic_and_keyed():
    h = crypto.lookup_hash("id:341103199501010018")
    assert h == crypto.lookup_hash("id:341103199501010018")
    assert len(h) == 64
    assert h != crypto.lookup_hash("id:341103199501010026")
    with override_settings(JICENG_FIELD_KEY="another-key"):
        assert crypto.lookup_hash("id:341103199501010018") != h


def test_missing_key_is_refused():
    from django.core.exceptions import ImproperlyConfigured

    with override_settings(JICENG_FIELD_KEY=""), pytest.raises(ImproperlyConfigured) as exc:
        crypto.encrypt("x")
    assert str(exc.value) == "未配置个人信息加密密钥 JICENG_FIELD_KEY。"
