"""Writes of the Open311 facade: API keys, and filing a GeoReport v2 request as a ticket.

A request posted through Open311 enters the ordinary loop through ``tickets.services.ticket_create``
(channel Open311, no acting user: like an anonymous resident, a phone number is required so that the
callback (回访) can reach the reporter). The key's owner is recorded in the audit log.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from jiceng.accounts.models import User
from jiceng.audit.services import audit_record
from jiceng.core.errors import OutOfScope
from jiceng.core.services import Result
from jiceng.territory.models import Building
from jiceng.tickets.choices import Channel
from jiceng.tickets.models import Category
from jiceng.tickets.services import route_location, ticket_create

from .models import ApiKey, Open311Request

DEMO_API_KEY = "demo-open311-key"
DEMO_API_KEY_OWNER = "qu_admin"
DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")


def new_api_key() -> str:
    """43 URL-safe random characters (256 bits), the first a letter or digit."""
    while True:
        raw = secrets.token_urlsafe(32)
        if raw[0].isalnum():
            return raw


def key_hash(raw: str) -> str:
    """API keys are long random strings: a plain SHA-256 is enough (no salt needed, unlike passwords)."""
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_key_create(*, actor, name: str, owner, raw_key: str | None = None) -> tuple[ApiKey, str]:
    """Create a key; returns ``(key, raw)`` — the raw key is shown once and never stored. A generated key
    starts with a letter or digit: its prefix is what ``open311_key disable <prefix>`` takes, and a
    command-line argument starting with ``-`` would be read as an option (1 key in 64 did)."""
    raw = raw_key or new_api_key()
    if len(raw) < 12:
        raise ValidationError({"key": "密钥至少 12 个字符。"})
    key = ApiKey(name=name.strip(), key_hash=key_hash(raw), key_prefix=raw[:6], owner=owner)
    key.full_clean()
    key.save()
    audit_record(actor=actor, action="open311_key_create", obj=key, detail={"name": key.name, "owner": owner.username})
    return key, raw


def ensure_demo_api_key(log=print) -> ApiKey | None:
    """The demo key ``demo-open311-key`` (demo only), owned by the district account. Idempotent."""
    existing = ApiKey.objects.filter(key_hash=key_hash(DEMO_API_KEY)).first()
    if existing is not None:
        return existing
    owner = User.objects.filter(username=DEMO_API_KEY_OWNER).first()
    if owner is None:
        return None
    key, _ = api_key_create(actor=None, name="演示 Open311 接口", owner=owner, raw_key=DEMO_API_KEY)
    log(f"Open311 演示密钥：{DEMO_API_KEY}（仅供演示）")
    return key


def api_key_authenticate(raw: str | None) -> ApiKey | None:
    """The active key matching ``raw``, or None. Records when it was last used."""
    if not raw:
        return None
    key = ApiKey.objects.select_related("owner").filter(key_hash=key_hash(raw), is_active=True).first()
    if key is None or not key.owner.is_active:
        return None
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    return key


def service_attributes(category: Category) -> list[dict]:
    """The category's attributes in GeoReport v2 shape, sorted by ``order`` (defaults filled in)."""
    out = []
    for i, raw in enumerate(category.attributes or []):
        datatype = raw.get("datatype") if raw.get("datatype") in DATATYPES else "string"
        item = {
            "variable": bool(raw.get("variable", True)),
            "code": str(raw.get("code") or f"attr{i + 1}"),
            "datatype": datatype,
            "required": bool(raw.get("required", False)),
            "datatype_description": str(raw.get("datatype_description") or ""),
            "order": int(raw.get("order") or i + 1),
            "description": str(raw.get("description") or ""),
        }
        if datatype in ("singlevaluelist", "multivaluelist"):
            item["values"] = [{"key": str(v.get("key")), "name": str(v.get("name", ""))} for v in raw.get("values", [])]
        out.append(item)
    return sorted(out, key=lambda a: (a["order"], a["code"]))


def validate_attributes(category: Category, given: dict[str, list[str]]) -> dict:
    """Check ``attribute[code]`` values against the service definition; returns ``{code: value}``."""
    definition = {a["code"]: a for a in service_attributes(category)}
    errors = {}
    unknown = sorted(set(given) - set(definition))
    if unknown:
        raise ValidationError({"attribute": f"服务 {category.service_code} 没有属性：{'、'.join(unknown)}。"})
    cleaned = {}
    for code, attr in definition.items():
        values = [v.strip() for v in given.get(code, []) if v is not None and v.strip() != ""]
        if not attr["variable"]:
            continue
        if not values:
            if attr["required"]:
                errors[code] = f"请填写“{attr['description'] or code}”。"
            continue
        kind = attr["datatype"]
        keys = {v["key"] for v in attr.get("values", [])}
        if kind == "multivaluelist":
            bad = [v for v in values if v not in keys]
            if bad:
                errors[code] = f"“{attr['description'] or code}”的取值无效：{'、'.join(bad)}。"
            cleaned[code] = values
            continue
        if len(values) > 1:
            errors[code] = f"“{attr['description'] or code}”只能有一个值。"
            continue
        value = values[0]
        if kind == "singlevaluelist" and value not in keys:
            errors[code] = f"“{attr['description'] or code}”的取值无效：{value}。"
        elif kind == "number":
            try:
                float(value)
            except ValueError:
                errors[code] = f"“{attr['description'] or code}”须为数字。"
        elif kind == "datetime" and parse_datetime(value) is None:
            errors[code] = f"“{attr['description'] or code}”须为 ISO 8601 日期时间。"
        elif kind == "string" and len(value) > 200:
            errors[code] = f"“{attr['description'] or code}”不能超过 200 字。"
        elif kind == "text" and len(value) > 4000:
            errors[code] = f"“{attr['description'] or code}”不能超过 4000 字。"
        cleaned[code] = value
    if errors:
        raise ValidationError({f"attribute[{k}]": v for k, v in errors.items()})
    return cleaned


@transaction.atomic
def open311_request_create(
    *,
    api_key: ApiKey,
    category: Category,
    lat=None,
    lng=None,
    address_string: str = "",
    address_id=None,
    attributes: dict[str, list[str]] | None = None,
    description: str = "",
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
    email: str = "",
    device_id: str = "",
    account_id: str = "",
    media_url: str = "",
) -> Result[Open311Request]:
    """File a GeoReport v2 request: validate, route, ``ticket_create`` (channel Open311), keep the extras.

    Location: ``lat``/``long`` (WGS84), else ``address_id`` (a building id), else ``address_string``
    matched exactly against building addresses (there is no geocoder on an intranet).
    """
    cleaned_attributes = validate_attributes(category, attributes or {})
    description = (description or "").strip()
    if len(description) > 4000:
        raise ValidationError({"description": "描述不能超过 4000 字。"})
    media_url = (media_url or "").strip()
    if media_url:
        from django.core.validators import URLValidator

        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            raise ValidationError({"media_url": "media_url 须为 http(s) 网址。"})
        if len(media_url) > 500:
            raise ValidationError({"media_url": "media_url 不能超过 500 个字符。"})
    location: dict = {}
    if lat not in (None, "") or lng not in (None, ""):
        if lat in (None, "") or lng in (None, ""):
            raise ValidationError({"lat": "lat 与 long 须同时提供。"})
        try:
            location = {"lat": float(lat), "lng": float(lng)}
        except (TypeError, ValueError):
            raise ValidationError({"lat": "lat / long 须为数字（WGS84 纬度、经度）。"})
    elif address_id not in (None, ""):
        try:
            location = {"building": int(address_id)}
        except (TypeError, ValueError):
            raise ValidationError({"address_id": "address_id 须为楼栋编号（整数）。"})
    elif address_string:
        matches = list(Building.objects.filter(address=address_string.strip())[:2])
        if len(matches) != 1:
            raise ValidationError(
                {"address_string": "无法根据地址定位到唯一楼栋，请提供经纬度（lat、long）或楼栋编号（address_id）。"}
            )
        location = {"building": matches[0]}
    else:
        raise ValidationError({"location": "须提供位置：lat 与 long、address_string 或 address_id 之一。"})
    grid, *_ = route_location(**location)
    owner = api_key.owner
    if owner.scope.grants_with("tickets.add_ticket") and not owner.scope.covers_path(grid.path, "tickets.add_ticket"):
        raise OutOfScope("该位置不在此接口密钥的受理范围内。")
    result = ticket_create(
        actor=None,
        channel=Channel.OPEN311,
        category=category,
        description=description or f"（Open311 上报：{category.name}，未填写描述）",
        reporter_name=f"{last_name.strip()}{first_name.strip()}"[:50],
        reporter_phone=phone,
        address=address_string.strip()[:200],
        **location,
    )
    ticket = result.obj
    extra = Open311Request.objects.create(
        ticket=ticket,
        api_key=api_key,
        token=uuid.uuid4().hex,
        attributes=cleaned_attributes,
        media_url=media_url,
        email=email.strip()[:254],
        device_id=device_id.strip()[:100],
        account_id=account_id.strip()[:100],
    )
    audit_record(
        actor=owner,
        action="open311_request",
        obj=ticket,
        detail={"ticket_no": ticket.ticket_no, "api_key": api_key.name, "service_code": category.service_code},
    )
    return Result(extra, result.warnings)
