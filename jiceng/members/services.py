"""Writes of 双报到 and 党员联户: every one scope-checked, validated, audited; side effects after commit."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jiceng.accounts.models import RoleGrant, User
from jiceng.attachments.services import attach
from jiceng.audit.services import audit_record, snapshot
from jiceng.core.entities import EntityService
from jiceng.core.errors import Conflict, OutOfScope
from jiceng.core.scoping import permission_name
from jiceng.core.services import Result, full_clean, reject_unknown, require_scope
from jiceng.notices.services import notify
from jiceng.orgs.models import Organisation
from jiceng.party.models import CentralHousehold, PartyMember
from jiceng.territory.models import Area
from jiceng.tickets.choices import Channel
from jiceng.tickets.models import Category
from jiceng.tickets.services import ticket_create

from .choices import ACTIVE_REPORT_STATES, REPORTED_ONLY_GRADES, ApplicationStatus, ReportChannel, ReportStatus
from .models import (
    FeedbackDispatch,
    HouseholdLink,
    MemberReport,
    MemberReportEvent,
    PostApplication,
    PostApplicationEvent,
    ServicePost,
    ServiceRecord,
    ServiceRecordEvent,
    Visit,
)
from .rules import check_day_hours, check_residence, last_quarter, residence_path
from .selectors import feedback_rows


def community_of_path(path: str | None) -> Area | None:
    """The community whose subtree holds ``path`` (district → street → community: the first three steps)."""
    if not path or len(path) < 3 * Area.steplen:
        return None
    return Area.objects.filter(path=path[: 3 * Area.steplen], kind="community").first()


def community_workers(community) -> list[int]:
    return list(RoleGrant.objects.filter(role="community_worker", area=community).values_list("user_id", flat=True))


def _reports_for_self(actor, member) -> bool:
    """The member reports themself (a personal account linked to that Party member)."""
    return (
        member is not None
        and getattr(actor, "party_member_id", None) == member.pk
        and actor.scope.has_perm(permission_name(MemberReport, "add"))
    )


class MemberReportService(EntityService):
    """报到单: created by the member online (``POST /api/v1/member-reports/`` with ``community``) or recorded by a
    worker of that community; its state changes only through ``workflow.REPORTS``."""

    def create(self, *, actor, **data) -> Result:
        with transaction.atomic():
            reject_unknown(data, set(self.entity.fields))
            member, community = data.get("member"), data.get("community")
            if member is None:
                if not getattr(actor, "party_member_id", None):
                    if community is not None:  # a worker: the scope refusal comes before the form's errors
                        require_scope(actor, MemberReport, "add", community.path)
                    raise ValidationError({"member": "请选择报到的党员。"})
                member = actor.party_member
            own = _reports_for_self(actor, member)
            if community is None:
                community = community_of_path(residence_path(member))
                if community is None:
                    raise ValidationError({"community": "请选择报到社区（未能从居住地确定社区）。"})
            if not own:
                require_scope(actor, MemberReport, "add", community.path)
                if not PartyMember.objects.restrict(actor, "view").filter(pk=member.pk).exists():
                    raise OutOfScope("所选党员不在您的管辖范围内。")
            # Two reports of one member at once: the second waits here, then sees the first.
            member = PartyMember.objects.select_for_update(of=("self",)).select_related("resident").get(pk=member.pk)
            check_residence(member, community)
            if MemberReport.objects.filter(member=member, status__in=ACTIVE_REPORT_STATES).exists():
                raise ValidationError({"member": "该党员已有待确认或已报到的报到单，不能重复报到。"})
            report = MemberReport(
                member=member, community=community, employer_unit=data.get("employer_unit"),
                skills=(data.get("skills") or "").strip(), channel=ReportChannel.ONLINE if own else ReportChannel.RECORDED,
                employer=member.employer, submitted_by=actor, status=ReportStatus.SUBMITTED,
            )  # fmt: skip
            report.scope_path = self.entity.path_of(report)
            full_clean(report)
            report.save()
            MemberReportEvent.objects.create(
                report=report, actor=actor, action="submit", from_status="", to_status=ReportStatus.SUBMITTED,
                data={"channel": report.channel},
            )  # fmt: skip
            audit_record(actor=actor, action="create", obj=report, after=snapshot(report))
            notify(
                recipients=community_workers(community), target=report, exclude=actor, kind="todo",
                text=f"在职党员{member.name}向本社区报到，请确认。",
            )  # fmt: skip
            return Result(report)

    def validate(self, obj, *, actor):
        """On an edit: who reports where is fixed (withdraw it and report again instead)."""
        stored = MemberReport.objects.filter(pk=obj.pk).values("member_id", "community_id").first()
        if stored and (stored["member_id"], stored["community_id"]) != (obj.member_id, obj.community_id):
            raise ValidationError({"community": "报到党员和报到社区不能修改；请撤回后重新报到。"})


def _member_for(actor, data, model, label: str):
    """The member a write is about: named by a worker, or the member themself (their personal account).
    Returns ``(member, own)``."""
    member = data.get("member")
    if member is None:
        if not getattr(actor, "party_member_id", None):
            raise ValidationError({"member": f"请选择{label}。"})
        member = actor.party_member
    own = getattr(actor, "party_member_id", None) == member.pk and actor.scope.has_perm(permission_name(model, "add"))
    return member, own


def _require_reported_in(member, community, what: str) -> None:
    if not MemberReport.objects.filter(member=member, community=community, status=ReportStatus.CONFIRMED).exists():
        raise ValidationError({"member": f"该党员尚未向{community.name}报到（或报到未确认），不能{what}。"})


class ServicePostService(EntityService):
    def validate(self, obj, *, actor):
        if obj.community_id and obj.pk:
            stored = ServicePost.objects.filter(pk=obj.pk).values_list("headcount", flat=True).first()
            taken = obj.applications.filter(status=ApplicationStatus.CONFIRMED).count()
            if stored is not None and obj.headcount < taken:
                raise ValidationError({"headcount": f"已有 {taken} 名党员上岗，岗位人数不能少于 {taken}。"})


class PostApplicationService(EntityService):
    """上岗申请: the member applies (or a worker records it) for an open post of the community they reported to."""

    def create(self, *, actor, **data) -> Result:
        with transaction.atomic():
            reject_unknown(data, set(self.entity.fields))
            post = data.get("post")
            if post is None:
                raise ValidationError({"post": "请选择服务岗位。"})
            member, own = _member_for(actor, data, PostApplication, "申请党员")
            if own:
                if not ServicePost.objects.restrict(actor, "view").filter(pk=post.pk).exists():
                    raise OutOfScope("所选服务岗位不在您报到的社区。")
            else:
                require_scope(actor, PostApplication, "add", post.scope_path)
                if not PartyMember.objects.restrict(actor, "view").filter(pk=member.pk).exists():
                    raise OutOfScope("所选党员不在您的管辖范围内。")
            post = ServicePost.objects.select_for_update(of=("self",)).select_related("community").get(pk=post.pk)
            if not post.is_open:
                raise ValidationError({"post": f"岗位“{post.name}”已停止申领。"})
            _require_reported_in(member, post.community, "申请该社区的岗位")
            application = PostApplication(post=post, member=member, note=(data.get("note") or "").strip(),
                                          scope_path=post.scope_path)  # fmt: skip
            full_clean(application)
            application.save()
            PostApplicationEvent.objects.create(application=application, actor=actor, action="apply",
                                                to_status=application.status)  # fmt: skip
            audit_record(actor=actor, action="create", obj=application, after=snapshot(application))
            if own:
                notify(recipients=community_workers(post.community), target=application, exclude=actor, kind="todo",
                       text=f"党员{member.name}申请岗位“{post.name}”，请确认。")  # fmt: skip
            return Result(application)

    def validate(self, obj, *, actor):
        _keep_fixed(obj, ("member", "post"), "申请党员和服务岗位不能修改；请撤回后重新申请。")


class ServiceRecordService(EntityService):
    """服务登记卡: hours > 0 and at most 24 a day per member in all; the post, the household in the
    community the member reported to; evidence photos (``photos``) stored through ``jiceng.attachments``."""

    def create(self, *, actor, photos=(), **data) -> Result:
        with transaction.atomic():
            reject_unknown(data, set(self.entity.fields))
            member, own = _member_for(actor, data, ServiceRecord, "服务党员")
            report = MemberReport.objects.filter(member=member, status=ReportStatus.CONFIRMED).first()
            community = report.community if report else None
            if not own:
                path = community.path if community else (residence_path(member) or member.scope_path)
                require_scope(actor, ServiceRecord, "add", path)
                if not PartyMember.objects.restrict(actor, "view").filter(pk=member.pk).exists():
                    raise OutOfScope("所选党员不在您的管辖范围内。")
            if community is None:
                raise ValidationError({"member": "该党员尚未报到（或报到未确认），不能登记服务。"})
            if photos and own:
                raise ValidationError({"photos": "佐证照片由社区在登记或确认时上传。"})
            # One member's records of a day are counted in turn (the member row is the lock).
            member = PartyMember.objects.select_for_update(of=("self",)).get(pk=member.pk)
            record = ServiceRecord(member=member, community_id=community.pk, recorded_by=actor,
                                   **{k: v for k, v in data.items() if k != "member"})  # fmt: skip
            record.scope_path = self.entity.path_of(record)
            errors = {}
            if record.post_id and record.post.community_id != community.pk:
                errors["post"] = "服务岗位不在该党员报到的社区。"
            if record.household_id and not record.household.scope_path.startswith(community.path):
                errors["household"] = "服务的户不在该党员报到的社区。"
            if errors:
                raise ValidationError(errors)
            full_clean(record)
            check_day_hours(ServiceRecord, member, record.date, record.hours)
            record.save()
            ServiceRecordEvent.objects.create(record=record, actor=actor, action="record", to_status=record.status)
            if photos:
                attach(actor=actor, target=record, files=photos, purpose="服务佐证")
            audit_record(actor=actor, action="create", obj=record, after=snapshot(record))
            if own:
                notify(recipients=community_workers(community), target=record, exclude=actor, kind="todo",
                       text=f"党员{member.name}登记了 {record.hours} 小时服务，请确认。")  # fmt: skip
            return Result(record)

    def validate(self, obj, *, actor):
        if obj.pk is None:
            return
        _keep_fixed(obj, ("member",), "服务党员不能修改。")
        if ServiceRecord.objects.filter(pk=obj.pk).values_list("status", flat=True).first() != "pending":
            raise Conflict("已确认或未予确认的服务登记不能修改。")
        if obj.post_id and obj.post.community_id != obj.community_id:
            raise ValidationError({"post": "服务岗位不在该党员报到的社区。"})
        if obj.household_id and not obj.household.scope_path.startswith(obj.community.path):
            raise ValidationError({"household": "服务的户不在该党员报到的社区。"})
        if obj.hours is not None and obj.date is not None:
            check_day_hours(ServiceRecord, obj.member, obj.date, obj.hours, exclude_pk=obj.pk)


# --- 党员联户 ------------------------------------------------------------------------------------------


class HouseholdLinkService(EntityService):
    """联系户: a reported member and a household of the community they reported to; a household already
    among the member's 党员中心户 ``linked_households`` is the same link (refused as a duplicate)."""

    def validate(self, obj, *, actor):
        member, household = obj.member, obj.household
        report = confirmed_report_of(member)
        if report is None:
            raise ValidationError({"member": "该党员尚未报到（或报到未确认），不能联系住户。"})
        if not household.scope_path.startswith(report.community.path):
            raise ValidationError({"household": f"联系户须在该党员报到的{report.community.name}。"})
        through = CentralHousehold.linked_households.through
        if through.objects.filter(centralhousehold__member=member, household=household).exists():
            raise ValidationError({"household": "该户已是该党员（党员中心户）的联系户。"})


def confirmed_report_of(member):
    return MemberReport.objects.filter(member=member, status=ReportStatus.CONFIRMED).select_related("community").first()


def is_linked(member, household) -> bool:
    """The member looks after the household: a 联系户 row, or their 党员中心户's ``linked_households``."""
    if HouseholdLink.objects.filter(member=member, household=household).exists():
        return True
    through = CentralHousehold.linked_households.through
    return through.objects.filter(centralhousehold__member=member, household=household).exists()


class VisitService(EntityService):
    def create(self, *, actor, problem: str = "", category=None, **data) -> Result:
        return visit_create(actor=actor, problem=problem, category=category, **data)

    def validate(self, obj, *, actor):
        _keep_fixed(obj, ("member", "household"), "走访党员和走访户不能修改。")


VISIT_FIELDS = {"member", "household", "date", "kind", "notes"}


@transaction.atomic
def visit_create(*, actor, problem: str = "", category=None, **data) -> Result:
    """走访: by the member (their own account) or a worker; the household must be one the member looks after.
    ``problem``: what was found becomes a request (工单, channel 党员联户) in the same step, linked to the visit."""
    reject_unknown(data, VISIT_FIELDS)
    member, own = _member_for(actor, data, Visit, "走访党员")
    household = data.get("household")
    if household is None:
        raise ValidationError({"household": "请选择走访户。"})
    if not own:
        require_scope(actor, Visit, "add", household.scope_path, quarter_id=household.building.quarter_id)
        if not PartyMember.objects.restrict(actor, "view").filter(pk=member.pk).exists():
            raise OutOfScope("所选党员不在您的管辖范围内。")
    if not is_linked(member, household):
        raise ValidationError({"household": "该户不是该党员的联系户，请先建立联户关系。"})
    visit = Visit(member=member, household=household, date=data.get("date"), kind=data.get("kind") or "",
                  notes=(data.get("notes") or "").strip(), recorded_by=actor, scope_path=household.scope_path)  # fmt: skip
    full_clean(visit)
    problem = (problem or "").strip()
    if problem:
        category = category or Category.objects.filter(service_code=DEFAULT_PROBLEM_CATEGORY, is_active=True).first()
        ticket = ticket_create(
            actor=actor, category=category, channel=Channel.MEMBER_LINK, title=f"党员走访发现：{problem[:40]}",
            description=f"{problem}\n（党员{member.name}{visit.date:%Y-%m-%d}走访{household}时发现）",
            building=household.building, address=household.building.address if household.building_id else "",
        ).obj  # fmt: skip
        visit.problem_found, visit.ticket = True, ticket
    visit.save()
    audit_record(actor=actor, action="create", obj=visit, after=snapshot(visit))
    return Result(visit)


#: 生活求助: what a member's visit most often finds (the worker recategorises it when accepting).
DEFAULT_PROBLEM_CATEGORY = "101"


def _keep_fixed(obj, names: tuple[str, ...], message: str) -> None:
    """On an edit, the links that say whose row it is stay as they were."""
    if obj.pk is None:
        return
    columns = [f"{n}_id" for n in names]
    stored = type(obj).objects.filter(pk=obj.pk).values(*columns).first()
    if stored and any(stored[c] != getattr(obj, c) for c in columns):
        raise ValidationError({names[-1]: message})


class MemberEvaluationService(EntityService):
    """年度评议: by the community, once a year per member; a member who has not reported to the community
    (no confirmed report there by the end of that year) cannot be rated 合格 or better."""

    def validate(self, obj, *, actor):
        _keep_fixed(obj, ("member", "community"), "评议的党员和社区不能修改。")
        if obj.year and obj.year > timezone.localdate().year:
            raise ValidationError({"year": "不能评议未来的年度。"})
        if obj.grade in REPORTED_ONLY_GRADES and obj.member_id and obj.community_id:
            reported = MemberReport.objects.filter(
                member_id=obj.member_id, community_id=obj.community_id, confirmed_at__year__lte=obj.year,
                status__in=[ReportStatus.CONFIRMED, ReportStatus.ENDED],
            ).exists()  # fmt: skip
            if not reported:
                raise ValidationError({"grade": "该党员未向本社区报到（或报到未确认），评议等次不能为“合格”及以上。"})


# --- 季度反馈单 ------------------------------------------------------------------------------------------


def feedback_send(*, actor, unit, quarter: str, rows) -> int:
    """Send the sheet to the unit's liaisons (a notice each, about the unit) and keep the receipt
    (``FeedbackDispatch``: once per unit and quarter — a second send updates it). Returns how many were told."""
    rows = list(rows)
    liaisons = list(User.objects.filter(organisations=unit, grants__role="unit_liaison").distinct())
    year, q = quarter.split("Q")
    hours = sum((r.hours or 0) for r in rows)
    by = f"（{actor.display_name or actor}）" if actor is not None else ""
    text = (
        f"{year}年第{q}季度在职党员双报到反馈：贵单位 {len(rows)} 名党员已向社区报到，"
        f"本季度服务 {sum(r.services for r in rows)} 次、{hours} 小时{by}。"
    )
    with transaction.atomic():
        FeedbackDispatch.objects.update_or_create(
            unit=unit, quarter=quarter,
            defaults={"sent_by": actor, "sent_at": timezone.now(), "members": len(rows), "hours": hours,
                      "recipients": len(liaisons)},
        )  # fmt: skip
        audit_record(
            actor=actor, action="feedback_send", obj=unit, detail={"quarter": quarter, "members": len(rows)},
            scope_path=unit.area.path, username=None if actor is not None else "system",
        )  # fmt: skip
        notify(recipients=liaisons, target=unit, text=text, kind="progress", exclude=actor)
    return len(liaisons)


def send_last_quarter(today: dt.date | None = None) -> int:
    """The quarterly job: every unit with reported members gets last quarter's sheet once (no receipt yet)."""
    quarter = last_quarter(today)
    done = FeedbackDispatch.objects.filter(quarter=quarter).values("unit_id")
    units = Organisation.objects.filter(
        kind="unit", pk__in=MemberReport.objects.filter(status=ReportStatus.CONFIRMED).values("employer_unit")
    ).exclude(pk__in=done)
    sent = 0
    for unit in units.select_related("area"):
        feedback_send(
            actor=None, unit=unit, quarter=quarter, rows=feedback_rows(MemberReport.objects.all(), unit.pk, quarter)
        )
        sent += 1
    return sent
