"""Writes of 双报到 and 党员联户: every one scope-checked, validated, audited; side effects after commit."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from jiceng.accounts.models import RoleGrant
from jiceng.audit.services import audit_record, snapshot
from jiceng.core.entities import EntityService
from jiceng.core.errors import OutOfScope
from jiceng.core.scoping import permission_name
from jiceng.core.services import Result, full_clean, reject_unknown, require_scope
from jiceng.notices.services import notify
from jiceng.party.models import PartyMember
from jiceng.territory.models import Area

from .choices import ACTIVE_REPORT_STATES, ReportChannel, ReportStatus
from .models import MemberReport, MemberReportEvent
from .rules import check_residence, residence_path


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
            member = PartyMember.objects.select_for_update().select_related("resident").get(pk=member.pk)
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
