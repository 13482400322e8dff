"""Rules shared by the services and the workflow handlers (every message Chinese)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone

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


QUARTER = re.compile(r"^(\d{4})Q([1-4])$")


def quarter_range(value: str) -> tuple[dt.date, dt.date]:
    """``2026Q3`` → (2026-07-01, 2026-09-30)."""
    match = QUARTER.match(value or "")
    if not match:
        raise ValueError("季度格式应为“2026Q3”。")
    year, q = int(match[1]), int(match[2])
    start = dt.date(year, 3 * q - 2, 1)
    end = dt.date(year + (q == 4), (3 * q) % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


def last_quarter(today: dt.date | None = None) -> str:
    today = today or timezone.localdate()
    q = (today.month - 1) // 3  # the quarter before the current one (0 → last year's Q4)
    return f"{today.year - 1}Q4" if q == 0 else f"{today.year}Q{q}"


def quarter_choices(today: dt.date | None = None, n: int = 8) -> list[tuple[str, str]]:
    today = today or timezone.localdate()
    year, q = today.year, (today.month - 1) // 3 + 1
    out = []
    for _ in range(n):
        out.append((f"{year}Q{q}", f"{year}年第{q}季度"))
        year, q = (year - 1, 4) if q == 1 else (year, q - 1)
    return out
