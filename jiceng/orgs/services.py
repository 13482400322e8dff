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

from .choices import NON_TERRITORY_ORG_KINDS, SERVED_AREA_KINDS, OrgKind, UnitCategory
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
    "unit_category",
    "party_org_name",
    "party_secretary",
    "party_member_count",
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
    _clean_unit_fields(org, errors)
    if errors:
        raise ValidationError(errors)


#: The fields only a co-building unit (共建单位) has: its category and its own Party organisation.
UNIT_ONLY_FIELDS = ("unit_category", "party_org_name", "party_secretary", "party_member_count")


def _clean_unit_fields(org: Organisation, errors: dict) -> None:
    org.party_org_name = normalise_text(org.party_org_name or "")
    org.party_secretary = normalise_text(org.party_secretary or "")
    org.unit_category = org.unit_category or ""
    if org.kind != OrgKind.UNIT:
        for name in UNIT_ONLY_FIELDS:
            if getattr(org, name) not in ("", None):
                errors[name] = "只有共建单位填写单位类别和单位党组织信息。"
        return
    if org.unit_category and org.unit_category not in UnitCategory.values:
        errors["unit_category"] = "请选择单位类别（党政机关、事业单位、国有企业、非公企业、社会组织）。"
    count = org.party_member_count
    if count not in (None, ""):
        try:
            count = int(count)
        except (TypeError, ValueError):
            count = -1
        if count < 0:
            errors["party_member_count"] = "党员人数应为不小于 0 的整数。"
        else:
            org.party_member_count = count
    else:
        org.party_member_count = None
    if (org.party_secretary or org.party_member_count) and not org.party_org_name:
        errors["party_org_name"] = "填写党组织书记或党员人数时，请先填写单位党组织名称。"


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
