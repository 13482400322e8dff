"""Rules shared by the services and the workflow handlers (every message Chinese)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Sum

from .choices import ReportStatus

NOT_RESIDENT = "该党员的居住地不在{community}，只能向居住地所在社区报到。"


def residence_path(member) -> str | None:
    """The scope path of the member's home (their resident record), or ``None``."""
    resident = member.resident
    return resident.scope_path if resident is not None and resident.deleted_at is None else None


def check_residence(member, community) -> None:
    """An in-service member reports to the community where they live (双报到), nowhere else."""
    if community is None or community.kind != "community":
        raise ValidationError({"community": "报到社区必须是社区。"})
    if not member.is_in_service:
        raise ValidationError({"member": "只有在职党员需要向居住地社区报到。"})
    home = residence_path(member)
    if home is None:
        raise ValidationError({"member": "该党员未关联居民档案，无法核实居住地，请先在党员信息中关联居民。"})
    if not home.startswith(community.path):
        raise ValidationError({"community": NOT_RESIDENT.format(community=community.name)})


def confirmed_report(member):
    return member.member_reports.filter(status=ReportStatus.CONFIRMED).select_related("community").first()


def check_day_hours(model, member, date: dt.date, hours: Decimal, *, exclude_pk=None) -> None:
    """At most 24 hours of service a day per member, all records of that day together."""
    qs = model.objects.filter(member=member, date=date).exclude(status="rejected")
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    done = qs.aggregate(total=Sum("hours"))["total"] or Decimal("0")
    if done + hours > 24:
        raise ValidationError({"hours": f"该党员 {date:%Y-%m-%d} 已登记 {done} 小时，加上本次共超过 24 小时。"})
