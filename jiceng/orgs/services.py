"""Writes to the organisations that are not territory nodes (职能部门、共建单位、物业服务企业、业主委员会).

Who may manage one is decided on the node it serves (``area``): ``orgs.add_organisation`` /
``orgs.change_organisation`` must cover it. A 职能部门 serves the district only, so only a district
grant reaches it; a street admin manages the units, property companies and owners' committees serving
their street. The territory mirrors (网格、社区、街道、区) are created with their node
(``tickets.services.handler_org_for_area``), never here.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from jiceng.audit.services import audit_record, snapshot
from jiceng.core.errors import OutOfScope
from jiceng.core.services import Result, full_clean, reject_unknown, require_scope
from jiceng.core.validators import normalise_text, validate_phone, validate_uscc
from jiceng.territory.choices import AreaKind
from jiceng.territory.models import Area

from .choices import NON_TERRITORY_ORG_KINDS, SERVED_AREA_KINDS, OrgKind
from .models import Organisation
from .selectors import member_candidates

ORGANISATION_FIELDS = {
    "kind",
    "name",
    "area",
    "uscc",
    "contact_name",
    "contact_phone",
    "address",
    "is_active",
    "members",
}


def _clean(org: Organisation) -> None:
    errors = {}
    if org.kind not in OrgKind.values:
        errors["kind"] = "请选择单位类型。"
    elif org.kind not in NON_TERRITORY_ORG_KINDS:
        errors["kind"] = "网格、社区、街道、区随辖区节点自动设立，不能在此新建或改为此类。"
    elif org.area.kind not in SERVED_AREA_KINDS[OrgKind(org.kind)]:
        allowed = "、".join(AreaKind(k).label for k in SERVED_AREA_KINDS[OrgKind(org.kind)])
        errors["area"] = f"{OrgKind(org.kind).label}只能服务于{allowed}。"
    org.name = normalise_text(org.name or "")
    if not org.name:
        errors["name"] = "请填写单位名称。"
    uscc = normalise_text(org.uscc or "")
    if uscc:
        try:
            org.uscc = validate_uscc(uscc)
        except ValidationError as exc:
            errors["uscc"] = exc.messages[0]
    else:
        org.uscc = None  # optional; unique only when set
    phone = normalise_text(org.contact_phone or "")
    if phone:
        try:
            org.contact_phone = validate_phone(phone)
        except ValidationError as exc:
            errors["contact_phone"] = exc.messages[0]
    else:
        org.contact_phone = ""
    if errors:
        raise ValidationError(errors)


def _set_members(actor, org: Organisation, members, *, before: set[int]) -> set[int]:
    """Replace the people of ``org``; everyone added must be an account of the node it serves."""
    ids = set()
    for m in members:
        try:
            ids.add(int(getattr(m, "pk", m)))
        except (TypeError, ValueError):
            raise ValidationError({"members": "经办人员账号无效。"}) from None
    added = ids - before
    if added and member_candidates(org.area).filter(pk__in=added).count() != len(added):
        raise OutOfScope("所选经办人员不在该单位服务的辖区内，操作被拒绝。")
    org.members.set(ids)
    return ids


def _area(value) -> Area:
    if isinstance(value, Area):
        return value
    try:
        return Area.objects.get(pk=int(value))
    except (TypeError, ValueError, Area.DoesNotExist):
        raise ValidationError({"area": "请选择该单位服务的辖区节点。"}) from None


@transaction.atomic
def organisation_create(*, actor, **data) -> Result[Organisation]:
    reject_unknown(data, ORGANISATION_FIELDS)
    members = data.pop("members", [])
    if data.get("area") is None:
        raise ValidationError({"area": "请选择该单位服务的辖区节点。"})
    data["area"] = _area(data["area"])
    org = Organisation(**data)
    require_scope(actor, Organisation, "add", org.area.path)
    _clean(org)
    full_clean(org)
    org.save()
    ids = _set_members(actor, org, members, before=set())
    audit_record(
        actor=actor, action="create", obj=org, after=snapshot(org), detail={"members": sorted(ids)},
        scope_path=org.area.path,
    )  # fmt: skip
    return Result(org)


@transaction.atomic
def organisation_update(*, actor, organisation: Organisation, **data) -> Result[Organisation]:
    """Edit an organisation (and, with ``members``, replace its people). Moving it to another node
    needs ``change`` on the node it leaves and on the node it goes to."""
    org = Organisation.objects.select_for_update().select_related("area").get(pk=organisation.pk)
    require_scope(actor, Organisation, "change", org.area.path)
    if org.is_territory:
        raise ValidationError({"kind": "网格、社区、街道、区随辖区节点维护，不能在此修改。"})
    reject_unknown(data, ORGANISATION_FIELDS, verb="修改")
    before = snapshot(org)
    old_members = set(org.members.values_list("pk", flat=True))
    members = data.pop("members", None)
    if "area" in data:
        data["area"] = _area(data["area"])
    for key, value in data.items():
        setattr(org, key, value)
    require_scope(actor, Organisation, "change", org.area.path)
    _clean(org)
    full_clean(org)
    org.save()
    detail = {}
    if members is not None:
        ids = _set_members(actor, org, members, before=old_members)
        if ids != old_members:
            detail["members"] = {"added": sorted(ids - old_members), "removed": sorted(old_members - ids)}
    audit_record(
        actor=actor, action="update", obj=org, before=before, after=snapshot(org), detail=detail,
        scope_path=org.area.path,
    )  # fmt: skip
    return Result(org)
