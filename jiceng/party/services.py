"""Writes to the Party organisation. Hard rules raise; the 条例's "normally" rules come back as warnings."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q

from jiceng.audit.services import audit_record, snapshot
from jiceng.core.dates import add_years
from jiceng.core.errors import OutOfScope
from jiceng.core.scoping import user_can
from jiceng.core.services import Result, full_clean, reject_unknown, require_scope
from jiceng.core.validators import validate_not_future, validate_phone
from jiceng.people.models import Resident
from jiceng.territory.models import Area, Building, Household

from .choices import ALLOWED_PARENT, BRANCH_TYPES, COMMUNITY_TYPES, ORG_AREA_KINDS, MemberStatus, OrgType, SeatRole
from .models import CentralHousehold, CommitteeSeat, PartyGroup, PartyMember, PartyOrg

ORG_FIELDS = {
    "name", "org_type", "parent", "area", "established_at", "joint_units", "is_big_committee",
    "term_start", "term_years", "term_extended_until", "term_extension_approval",
}  # fmt: skip


def default_term_years(org_type: str, area_kind: str) -> int:
    """5 years for community (and village) organisations, 3 otherwise (中国共产党支部工作条例（试行）; 党章第三十条 allows 3-5)."""
    return 5 if org_type in COMMUNITY_TYPES or area_kind in {"community", "quarter", "grid"} else 3


def _validate_org(org: PartyOrg) -> None:
    errors = {}
    allowed = ALLOWED_PARENT[OrgType(org.org_type)]
    if allowed and (org.parent is None or org.parent.org_type not in allowed):
        labels = "、".join(t.label for t in OrgType if t in allowed)  # declaration order: a stable message
        errors["parent"] = f"{OrgType(org.org_type).label}只能设在{labels}之下。"
    if not allowed and org.parent is not None:
        errors["parent"] = f"{OrgType(org.org_type).label}不设上级党组织（直属区委）。"
    if org.area.kind not in ORG_AREA_KINDS[OrgType(org.org_type)]:
        errors["area"] = f"{OrgType(org.org_type).label}不能设在“{org.area.get_kind_display()}”这一层级。"
    elif org.parent is not None and not org.area.path.startswith(org.parent.area.path):
        errors["area"] = "党组织所在辖区必须在上级党组织的辖区之内。"
    if not 3 <= (org.term_years or 0) <= 5:
        errors["term_years"] = TERM_YEARS_MESSAGE
    if org.term_extended_until:
        if not org.term_end:
            errors["term_extended_until"] = "请先填写本届起始日期，再登记延期换届。"
        elif org.term_extended_until <= org.term_end:
            errors["term_extended_until"] = f"延期日期应晚于本届届满日期 {org.term_end:%Y-%m-%d}。"
        elif org.term_extended_until > add_years(org.term_end, 1):
            errors["term_extended_until"] = "延期换届一般不超过 1 年。"
    if org.term_extended_until and not org.term_extension_approval:
        errors["term_extension_approval"] = "延期换届须记录上级党组织的批复。"
    if org.org_type == OrgType.JOINT_BRANCH and org.joint_units > 5:
        errors["joint_units"] = "联合党支部覆盖的单位一般不超过 5 个。"
    if errors:
        raise ValidationError(errors)


def org_warnings(org: PartyOrg) -> list[str]:
    """The soft rules of 中国共产党支部工作条例（试行） for an organisation (size, committee, 联合党支部)."""
    warnings = []
    full, total = org.full_member_count, org.member_count
    if org.org_type == OrgType.BRANCH and full < 3:
        warnings.append(f"该党支部正式党员仅 {full} 名（少于 3 名），应考虑组建联合党支部。")
    if org.org_type in BRANCH_TYPES and total > 50:
        warnings.append(f"该党支部党员 {total} 名，超过 50 名，可考虑设立党总支。")
    if org.org_type == OrgType.COMMUNITY_GENERAL_BRANCH and total > 100:
        warnings.append(f"该党总支党员 {total} 名，超过 100 名，可考虑设立党委。")
    if org.pk:
        seats = org.seats.filter(end__isnull=True).exclude(role=SeatRole.PART_TIME)
        committee = seats.exclude(role__in=[SeatRole.SECRETARY, SeatRole.DEPUTY_SECRETARY]).count()
        total_seats = seats.count()
        if full >= 7 and org.is_branch and not (3 <= total_seats <= 7):
            warnings.append(
                f"正式党员 {full} 名（≥7），应设立支部委员会（3-7 人，一般 3-5 人），当前 {total_seats} 人。"
            )
        if full < 7 and org.is_branch and committee > 0:
            warnings.append("正式党员不足 7 名的党支部不设支部委员会，只设书记（可设 1 名副书记）。")
    end = org.effective_term_end
    if end:
        today = dt.date.today()
        if end < today:
            warnings.append(f"本届任期已于 {end:%Y年%m月%d日} 届满，应按期换届或报上级批准延期。")
        elif (end - today).days <= 90:
            warnings.append(f"本届任期将于 {end:%Y年%m月%d日} 届满（90 天内），请做好换届准备。")
    return warnings


TERM_YEARS_MESSAGE = "党组织委员会每届任期为 3-5 年（党章第三十条）。"


def _check_term_inputs(org: PartyOrg) -> None:
    """The inputs of the term arithmetic, checked *before* it runs (a year 9999 start or a 30000-year term
    would overflow ``date``)."""
    errors = {}
    if not isinstance(org.term_years, int) or not 3 <= org.term_years <= 5:
        errors["term_years"] = TERM_YEARS_MESSAGE
    for field, label in (("term_start", "本届起始日期"), ("established_at", "成立日期")):
        try:
            validate_not_future(getattr(org, field), label)
        except ValidationError as exc:
            errors[field] = exc.messages[0]
    if errors:
        raise ValidationError(errors)


def _compute_term(org: PartyOrg) -> None:
    org.term_end = add_years(org.term_start, org.term_years) if org.term_start else None


@transaction.atomic
def party_org_create(*, actor, **data) -> Result[PartyOrg]:
    reject_unknown(data, ORG_FIELDS)
    org = PartyOrg(**data)
    if not org.area_id:
        raise ValidationError({"area": "请选择党组织所在辖区。"})
    require_scope(actor, PartyOrg, "add", org.area.path)
    if "term_years" not in data:
        org.term_years = default_term_years(org.org_type, org.area.kind)
    _check_term_inputs(org)
    _compute_term(org)
    org.scope_path = org.area.path
    _validate_org(org)
    full_clean(org)
    org.save()
    audit_record(actor=actor, action="create", obj=org, after=snapshot(org))
    return Result(org, org_warnings(org))


@transaction.atomic
def party_org_update(*, actor, org: PartyOrg, **data) -> Result[PartyOrg]:
    """Edit an organisation. Moving it (a new ``area``) carries what lives at its node along, in the
    same transaction: its members, committee seats and 党小组 (see ``_move_org_contents``)."""
    org = PartyOrg.objects.select_for_update().get(pk=org.pk)
    require_scope(actor, PartyOrg, "change", org.scope_path)
    before = snapshot(org)
    old_path = org.scope_path
    reject_unknown(data, ORG_FIELDS, verb="修改")
    for key, value in data.items():
        setattr(org, key, value)
    require_scope(actor, PartyOrg, "change", org.area.path)
    _check_term_inputs(org)
    _compute_term(org)
    org.scope_path = org.area.path
    _validate_org(org)
    full_clean(org)
    detail = None
    if org.scope_path != old_path:
        detail = {"moved": {"from": old_path, "to": org.scope_path, **_move_org_contents(actor, org, old_path)}}
    org.save()
    audit_record(actor=actor, action="update", obj=org, before=before, after=snapshot(org), detail=detail)
    return Result(org, org_warnings(org))


def _move_org_contents(actor, org: PartyOrg, old_path: str) -> dict[str, int]:
    """``org`` moves from ``old_path`` to ``org.scope_path``: re-home what takes its scope from it.

    - Members whose relation is held here, its committee seats and its 党小组 take the new path (their
      ``scope_path`` is the organisation's by construction), so the old node's users stop seeing them
      and the new node's users see all of them.
    - Child organisations keep their own node (an organisation's path is its own ``area``'s); each must
      still lie inside the new node, else the move is refused: move or re-attach them first.
    - A 党小组 covers buildings of its branch's community and a 党员中心户 lies in it: if the new node is
      in another community the move is refused while any of them points into the old one (the
      buildings cannot follow; re-assign the groups first).
    The actor must be able to change members, seats and groups at both ends.
    """
    new_path = org.scope_path
    for model in (PartyMember, CommitteeSeat, PartyGroup):
        require_scope(actor, model, "change", old_path)
        require_scope(actor, model, "change", new_path)
    for child in PartyOrg.objects.filter(parent=org).select_related("area").order_by("pk"):
        if not child.area.path.startswith(org.area.path):
            raise ValidationError(
                {"area": f"下级党组织“{child.name}”所在辖区不在新辖区之内，请先调整下级党组织后再迁移。"}
            )
    community_path = org.area.path[: 3 * Area.steplen]
    groups = PartyGroup.objects.filter(branch=org)
    stray = (
        Building.objects.filter(party_groups__branch=org)
        .exclude(scope_path__startswith=community_path)
        .values_list("party_groups__name", "name")
        .order_by("pk")
        .first()
    )
    if stray:
        raise ValidationError(
            {
                "area": f"党小组“{stray[0]}”覆盖的楼栋“{stray[1]}”不在新辖区所在社区内，不能随党支部迁移；请先调整党小组。"
            }
        )
    stray_ch = (
        CentralHousehold.objects.filter(group__branch=org)
        .exclude(household__scope_path__startswith=community_path)
        .select_related("member")
        .order_by("pk")
        .first()
    )
    if stray_ch:
        raise ValidationError(
            {"area": f"党员中心户“{stray_ch}”所在户不在新辖区所在社区内，不能随党支部迁移；请先调整党小组。"}
        )
    return {
        "members": PartyMember.objects.filter(org=org).update(scope_path=new_path),
        "seats": CommitteeSeat.objects.filter(org=org).update(scope_path=new_path),
        "groups": groups.update(scope_path=new_path),
    }


def _lock_orgs(org_ids) -> None:
    """Lock the organisations' rows (in pk order, so two writers never deadlock) for the rest of the
    transaction: their member counts are recounted and written by whoever holds the lock."""
    ids = sorted({i for i in org_ids if i})
    if ids:
        list(PartyOrg.objects.filter(pk__in=ids).select_for_update().order_by("pk").values_list("pk", flat=True))


def refresh_org_counts(org_ids) -> None:
    """Keep each organisation's member counts (used by the size rules) in step with its members."""
    ids = [i for i in set(org_ids) if i]
    if not ids:
        return
    rows = (
        PartyMember.objects.filter(org_id__in=ids)
        .values("org_id")
        .annotate(total=Count("id"), full=Count("id", filter=Q(status=MemberStatus.FULL)))
    )
    found = {r["org_id"]: r for r in rows}
    for org_id in ids:
        r = found.get(org_id, {"total": 0, "full": 0})
        PartyOrg.objects.filter(pk=org_id).update(member_count=r["total"], full_member_count=r["full"])


MEMBER_FIELDS = {
    "name", "resident", "gender", "phone", "apply_date", "activist_date", "candidate_date", "join_date",
    "probation_extended", "probation_extension_months", "full_date", "org", "employer", "employer_party_org",
    "is_in_service", "report_community", "report_date", "is_floating", "floating_destination", "party_posts",
}  # fmt: skip


def member_derive(member: PartyMember) -> list[str]:
    """Derive probation end, status and scope; enforce the date order of 中国共产党发展党员工作细则. Returns warnings."""
    errors: dict[str, str] = {}
    if member.phone:
        try:
            member.phone = validate_phone(member.phone)
        except ValidationError as exc:
            errors["phone"] = exc.messages[0]
    warnings: list[str] = []
    if member.join_date is None:
        raise ValidationError({"join_date": "请填写入党日期（支部大会接收为预备党员之日）。"})
    chain = [
        ("apply_date", "提交入党申请书日期"),
        ("activist_date", "确定为积极分子日期"),
        ("candidate_date", "确定为发展对象日期"),
        ("join_date", "入党日期"),
    ]
    previous = None
    for field, label in chain:
        value = getattr(member, field)
        if value is None:
            continue
        try:
            validate_not_future(value, label)
        except ValidationError as exc:
            errors[field] = exc.messages[0]
            continue
        if previous and value < previous[1]:
            errors[field] = f"{label}不能早于{previous[0]}。"
        previous = (label, value)
    if member.probation_extended:
        months = member.probation_extension_months
        if not isinstance(months, int) or not 1 <= months <= 12:
            errors["probation_extension_months"] = "预备期只能延长一次，且不超过 1 年（1-12 个月）。"
    else:
        member.probation_extension_months = 0
    # The probation arithmetic runs only on checked inputs: a join date in year 9999 or a 99999-month
    # extension would overflow ``date`` (a 500); their errors are reported instead.
    probation_end = None
    if "join_date" not in errors and "probation_extension_months" not in errors:
        probation_end = add_years(member.join_date, 1)
        if member.probation_extension_months:
            month = probation_end.month - 1 + member.probation_extension_months
            year = probation_end.year + month // 12
            month = month % 12 + 1
            day = min(probation_end.day, 28 if month == 2 else 30 if month in {4, 6, 9, 11} else 31)
            probation_end = dt.date(year, month, day)
        member.probation_end = probation_end
    if member.full_date:
        try:
            validate_not_future(member.full_date, "转正日期")
        except ValidationError as exc:
            errors["full_date"] = exc.messages[0]
        if probation_end is not None and member.full_date < probation_end:
            errors["full_date"] = f"转正日期不能早于预备期满日期 {probation_end:%Y-%m-%d}。"
    member.status = MemberStatus.FULL if member.full_date else MemberStatus.PROBATIONARY
    if member.is_in_service:
        if not member.employer:
            errors["employer"] = "在职党员须填写工作单位。"
        if member.report_community_id and member.report_community.kind != "community":
            errors["report_community"] = "报到社区必须是社区。"
    elif member.report_community_id:
        errors["report_community"] = "只有在职党员才能登记报到社区。"
    if member.is_floating and not member.floating_destination:
        errors["floating_destination"] = "流动党员须填写流出去向。"
    if member.org_id is None and not member.is_in_service:
        errors["org"] = "请选择组织关系所在党组织（在职党员可填写单位党组织）。"
    if errors:
        raise ValidationError(errors)
    # Scope: the organisation holding the relation; an in-service member is seen by the community
    # they report to (双报到), or where they live.
    if member.org_id:
        member.scope_path = member.org.scope_path
    elif member.report_community_id:
        member.scope_path = member.report_community.path
    elif member.resident_id:
        member.scope_path = member.resident.scope_path
    else:
        raise ValidationError({"report_community": "在职党员须登记报到社区。"})
    if member.is_in_service and member.report_community_id and member.resident_id:
        if not member.resident.scope_path.startswith(member.report_community.path):
            warnings.append("该在职党员的报到社区不是其居住地所在社区，请核实。")
    if member.full_date and member.full_date != probation_end:
        warnings.append(f"转正日期一般为预备期满之日（{probation_end:%Y-%m-%d}），党龄自该日起算，请核实。")
    if member.status == MemberStatus.PROBATIONARY and probation_end < dt.date.today():
        warnings.append(f"预备期已于 {probation_end:%Y-%m-%d} 期满，应及时讨论转正。")
    return warnings


def _require_member_links_visible(actor, member: PartyMember, *, old: PartyMember | None = None) -> None:
    """The resident and the report community a member points at must be within the actor's view scope
    (on an update, only a link that changes: an unchanged form saves unchanged)."""
    if member.resident_id and (old is None or old.resident_id != member.resident_id):
        if not Resident.objects.restrict(actor, "view").filter(pk=member.resident_id).exists():
            raise OutOfScope("所选居民不在您的管辖范围内。")
    if member.report_community_id and (old is None or old.report_community_id != member.report_community_id):
        if not Area.objects.restrict(actor, "view").filter(pk=member.report_community_id).exists():
            raise OutOfScope("所选报到社区不在您的管辖范围内。")


@transaction.atomic
def member_create(*, actor, **data) -> Result[PartyMember]:
    reject_unknown(data, MEMBER_FIELDS)
    org = data.get("org")
    _lock_orgs([getattr(org, "pk", None)])  # concurrent creates in one organisation count in turn
    member = PartyMember(**data)
    warnings = member_derive(member)
    require_scope(actor, PartyMember, "add", member.scope_path)
    _require_member_links_visible(actor, member)
    full_clean(member)
    member.save()
    refresh_org_counts([member.org_id])
    audit_record(actor=actor, action="create", obj=member, after=snapshot(member))
    return Result(member, warnings)


@transaction.atomic
def member_update(*, actor, member: PartyMember, **data) -> Result[PartyMember]:
    # Lock the organisations first (old and new, pk order), then the member: the same order as a move of
    # the organisation (``party_org_update``), so the two never deadlock.
    current_org = PartyMember.objects.filter(pk=member.pk).values_list("org_id", flat=True).first()
    _lock_orgs([current_org, getattr(data.get("org"), "pk", None)])
    member = PartyMember.objects.select_for_update().get(pk=member.pk)
    if member.org_id != current_org:  # moved between our read and the lock: lock that one too
        _lock_orgs([member.org_id])
    require_scope(actor, PartyMember, "change", member.scope_path)
    before = snapshot(member)
    original = PartyMember(resident_id=member.resident_id, report_community_id=member.report_community_id)
    reject_unknown(data, MEMBER_FIELDS, verb="修改")
    old_org = member.org_id
    for key, value in data.items():
        setattr(member, key, value)
    warnings = member_derive(member)
    require_scope(actor, PartyMember, "change", member.scope_path)
    _require_member_links_visible(actor, member, old=original)
    if member.status != MemberStatus.FULL and member.seats.filter(end__isnull=True).exists():
        raise ValidationError({"full_date": "该党员担任书记或委员，必须是正式党员。"})
    full_clean(member)
    member.save()
    refresh_org_counts([old_org, member.org_id])
    audit_record(actor=actor, action="update", obj=member, before=before, after=snapshot(member))
    return Result(member, warnings)


def _require_member_visible(actor, member: PartyMember) -> None:
    """A member can only be appointed or designated by someone whose scope includes that member."""
    if not PartyMember.objects.restrict(actor, "view").filter(pk=member.pk).exists():
        raise OutOfScope("所选党员不在您的管辖范围内。")


SEAT_FIELDS = {
    "org", "member", "role", "start", "end", "channel", "has_ability", "has_passion", "has_public_spirit",
    "assessment_note",
}  # fmt: skip


def _validate_seat(seat: CommitteeSeat) -> None:
    errors = {}
    if seat.role != SeatRole.PART_TIME and seat.member.status != MemberStatus.FULL:
        errors["member"] = "预备党员没有被选举权，书记和委员必须是正式党员。"
    if seat.end and seat.end < seat.start:
        errors["end"] = "离任日期不能早于任职日期。"
    if _is_quarter_branch_secretary(seat):
        if not seat.channel:
            errors["channel"] = "小区(网格)党支部书记须记录选任渠道。"
    elif seat.channel:
        errors["channel"] = "只有小区(网格)党支部书记记录选任渠道。"
    if seat.role == SeatRole.PART_TIME and not seat.org.is_big_committee:
        errors["role"] = "兼职委员只设在大党委（大工委）。"
    if seat.role == SeatRole.SECRETARY and not seat.end:
        clash = CommitteeSeat.objects.filter(org=seat.org, role=SeatRole.SECRETARY, end__isnull=True).exclude(
            pk=seat.pk
        )
        if clash.exists():
            errors["role"] = "该党组织已有在任书记，请先为现任书记填写离任日期。"
    if errors:
        raise ValidationError(errors)


def _is_quarter_branch_secretary(seat: CommitteeSeat) -> bool:
    return seat.role == SeatRole.SECRETARY and seat.org.is_branch and seat.org.area.kind in {"quarter", "grid"}


def _seat_warnings(seat: CommitteeSeat) -> list[str]:
    warnings = org_warnings(PartyOrg.objects.get(pk=seat.org_id))  # fresh member counts
    if _is_quarter_branch_secretary(seat) and not seat.end and not seat.meets_sanyou:
        warnings.append("小区(网格)党支部书记应符合“三有”标准（有能力、有热情、有公心），当前评价未全部达标。")
    return warnings


@transaction.atomic
def seat_create(*, actor, **data) -> Result[CommitteeSeat]:
    reject_unknown(data, SEAT_FIELDS)
    seat = CommitteeSeat(**data)
    require_scope(actor, CommitteeSeat, "add", seat.org.scope_path)
    _require_member_visible(actor, seat.member)
    seat.scope_path = seat.org.scope_path
    _validate_seat(seat)
    full_clean(seat)
    seat.save()
    audit_record(actor=actor, action="create", obj=seat, after=snapshot(seat))
    return Result(seat, _seat_warnings(seat))


@transaction.atomic
def seat_update(*, actor, seat: CommitteeSeat, **data) -> Result[CommitteeSeat]:
    seat = CommitteeSeat.objects.select_for_update().get(pk=seat.pk)
    require_scope(actor, CommitteeSeat, "change", seat.scope_path)
    before = snapshot(seat)
    reject_unknown(data, SEAT_FIELDS - {"org"}, verb="修改")
    for key, value in data.items():
        setattr(seat, key, value)
    if "member" in data:
        _require_member_visible(actor, seat.member)
    _validate_seat(seat)
    full_clean(seat)
    seat.save()
    audit_record(actor=actor, action="update", obj=seat, before=before, after=snapshot(seat))
    return Result(seat, _seat_warnings(seat))


@transaction.atomic
def group_create(*, actor, branch: PartyOrg, name: str, buildings=(), leader=None) -> Result[PartyGroup]:
    if not branch.is_branch:
        raise ValidationError({"branch": "党小组只能设在党支部之内。"})
    require_scope(actor, PartyGroup, "add", branch.scope_path)
    group = PartyGroup(branch=branch, name=name, leader=leader, scope_path=branch.scope_path)
    _require_group_links_visible(actor, buildings, leader)
    _validate_group(group, buildings)
    full_clean(group)
    group.save()
    group.buildings.set(buildings)
    audit_record(
        actor=actor, action="create", obj=group, after={**snapshot(group), "buildings": [b.pk for b in buildings]}
    )
    return Result(group)


def _require_group_links_visible(actor, buildings, leader) -> None:
    """Every building a group is given, and its leader, must be within the actor's view scope."""
    ids = {b.pk for b in buildings}
    if ids and Building.objects.restrict(actor, "view").filter(pk__in=ids).count() != len(ids):
        raise OutOfScope("所选楼栋不在您的管辖范围内。")
    if leader is not None:
        _require_member_visible(actor, leader)


def _validate_group(group: PartyGroup, buildings) -> None:
    community_path = group.branch.area.path[: 3 * 4]
    for b in buildings:
        if not b.scope_path.startswith(community_path):
            raise ValidationError({"buildings": f"楼栋“{b.name}”不在该党支部所在社区内。"})
    if group.leader_id and group.leader.org_id != group.branch_id:
        raise ValidationError({"leader": "党小组长须是本支部党员。"})


@transaction.atomic
def group_update(*, actor, group: PartyGroup, name=None, buildings=None, leader=...) -> Result[PartyGroup]:
    group = PartyGroup.objects.select_for_update().get(pk=group.pk)
    require_scope(actor, PartyGroup, "change", group.scope_path)
    before = {**snapshot(group), "buildings": sorted(group.buildings.values_list("pk", flat=True))}
    # Only what changes is checked: an unchanged form saves unchanged.
    added = [b for b in buildings if b.pk not in set(before["buildings"])] if buildings is not None else []
    new_leader = leader if leader is not ... and leader is not None and leader.pk != group.leader_id else None
    _require_group_links_visible(actor, added, new_leader)
    if name is not None:
        group.name = name
    if leader is not ...:
        group.leader = leader
    _validate_group(group, buildings if buildings is not None else group.buildings.all())
    full_clean(group)
    group.save()
    if buildings is not None:
        group.buildings.set(buildings)
    after = {**snapshot(group), "buildings": sorted(group.buildings.values_list("pk", flat=True))}
    audit_record(actor=actor, action="update", obj=group, before=before, after=after)
    return Result(group)


@transaction.atomic
def central_household_create(
    *, actor, member: PartyMember, household, group=None, linked_households=(), designated_at=None
) -> Result[CentralHousehold]:
    # A 小区党支部书记's grant reaches the households of its quarter's buildings, stored at their grids' paths.
    require_scope(actor, CentralHousehold, "add", household.scope_path, quarter_id=household.building.quarter_id)
    _require_member_visible(actor, member)
    if member.resident_id and member.resident.household_id != household.pk:
        raise ValidationError({"household": "党员中心户须为该党员本人所在的户。"})
    if group is not None and group.scope_path and not user_can(actor, group, "view"):
        raise OutOfScope("所选党小组不在您的管辖范围内。")
    if group is not None and not household.scope_path.startswith(group.branch.area.path[:12]):
        raise ValidationError({"group": "中心户所在户与党小组不在同一社区。"})
    ch = CentralHousehold(
        member=member, household=household, group=group, designated_at=designated_at, scope_path=household.scope_path
    )
    linked_ids = {h.pk for h in linked_households}
    if linked_ids and Household.objects.restrict(actor, "view").filter(pk__in=linked_ids).count() != len(linked_ids):
        raise OutOfScope("所选联系户不在您的管辖范围内。")
    for h in linked_households:
        if not h.scope_path.startswith(household.scope_path[:12]):
            raise ValidationError({"linked_households": f"联系户“{h}”不在同一社区。"})
    full_clean(ch)
    ch.save()
    ch.linked_households.set(linked_households)
    audit_record(
        actor=actor,
        action="create",
        obj=ch,
        after={**snapshot(ch), "linked_households": [h.pk for h in linked_households]},
    )
    return Result(ch)
