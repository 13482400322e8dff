"""Field-level encryption and keyed hashes for personal data (个人信息保护法第五十一条: 加密、去标识化).

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under a key derived from
``settings.JICENG_FIELD_KEY``; exact-match lookups use an HMAC-SHA256 of the normalised value
under a second derived key, so the database never holds a plain ID number or phone.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


def _derive(purpose: bytes) -> bytes:
    key = settings.JICENG_FIELD_KEY
    if not key:
        raise ImproperlyConfigured("未配置个人信息加密密钥 JICENG_FIELD_KEY。")
    return hashlib.sha256(purpose + b"\x00" + key.encode()).digest()


@lru_cache(maxsize=4)
def _fernet(key: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derive(b"jiceng-field-encryption")))


@lru_cache(maxsize=4)
def _hmac_key(key: str) -> bytes:
    return _derive(b"jiceng-lookup-hash")


def encrypt(value: str) -> str:
    return _fernet(settings.JICENG_FIELD_KEY).encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet(settings.JICENG_FIELD_KEY).decrypt(token.encode()).decode()
    except InvalidToken as exc:  # wrong key or tampered row
        raise ValueError("个人信息解密失败：密钥不匹配或数据已被篡改。") from exc


def lookup_hash(value: str) -> str:
    """HMAC of a normalised value, for exact-match search on an encrypted column."""
    return hmac.digest(_hmac_key(settings.JICENG_FIELD_KEY), value.encode(), "sha256").hex()  # one-shot: no HMAC object


class EncryptedCharField(models.TextField):
    """A text column stored encrypted; Python sees the plain value.

    It cannot be filtered on: search through the companion ``*_hash`` column instead.
    """

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)
