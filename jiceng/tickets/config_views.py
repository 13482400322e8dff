"""Settings of the 诉求 loop (district admin only, ``tickets.configure_ticket``):

* 时限设置 (``tickets:sla_rules``): the time limits per category kind × urgency (``services.sla_table_set``);
* 工作日历 (``tickets:calendar``): a year month by month on the effective calendar (override →
  chinese-calendar → weekend rule, the source of each day marked), a clear warning for a year
  chinese-calendar does not know, and the overrides (``workday_set`` / ``workday_clear`` /
  ``workday_set_many``).

Every other user gets 403 on both pages, for reading as for writing.
"""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from jiceng.audit.models import AuditLog
from jiceng.core import workdays
from jiceng.core.models import WorkCalendarDay

from . import services
from .choices import CategoryKind, Urgency
from .config_forms import SlaTableForm, WorkdayBulkForm, WorkdayClearForm, WorkdayForm, field_name
from .models import SlaRule

DENIED = "只有区级管理员可以修改诉求办理时限和工作日历。"
WEEKDAYS = "一二三四五六日"
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利 70 周年纪念日",
}
SOURCE_LABELS = {
    "override": "本系统调整",
    "statutory": "法定节假日安排（chinese-calendar）",
    "calendar": "chinese-calendar",
    "weekend": "周末规则（周一至周五上班）",
}


def _require_configure(request) -> None:
    if not request.user.scope.has_perm(services.CONFIGURE_PERM):
        raise PermissionDenied(DENIED)


def _recent(actions: list[str], limit: int = 10):
    return AuditLog.objects.filter(action__in=actions).order_by("-ts", "-id")[:limit]


# --- 时限设置 -----------------------------------------------------------------------------------


@login_required
def sla_rules(request):
    _require_configure(request)
    table = services.sla_table()
    status = 200
    if request.method == "POST":
        form = SlaTableForm(request.POST, table=table)
        if form.is_valid():
            try:
                result = services.sla_table_set(actor=request.user, values=form.values())
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    for message in errors:
                        form.add_error(name if name in form.fields else None, message)
            else:
                if result.obj:
                    messages.success(
                        request,
                        f"已保存 {len(result.obj)} 项办理时限，对此后提交、受理的诉求生效；已有工单的时限不变。",
                    )
                else:
                    messages.info(request, "办理时限没有变化。")
                for warning in result.warnings:
                    messages.warning(request, warning)
                return redirect("tickets:sla_rules")
        status = 400
    else:
        form = SlaTableForm(table=table)
    rows = []
    for kind in CategoryKind:
        cells = []
        for urgency in Urgency:
            hours_field = form[field_name(kind.value, urgency.value, "dispatch_hours")]
            days_field = form[field_name(kind.value, urgency.value, "feedback_workdays")]
            cells.append(
                {"urgency": urgency, "hours": hours_field, "days": days_field,
                 "is_default": table[kind.value, urgency.value][2]}
            )  # fmt: skip
        rows.append({"kind": kind, "cells": cells})
    context = {
        "title": "时限设置",
        "form": form,
        "rows": rows,
        "urgencies": list(Urgency),
        "category_rules": SlaRule.objects.filter(category__isnull=False).select_related("category"),
        "max_hours": services.MAX_DISPATCH_HOURS,
        "max_days": services.MAX_FEEDBACK_WORKDAYS,
        "recent": _recent(["sla_rule_set"]),
        "breadcrumbs": [{"name": "诉求", "url": reverse("tickets:list")}, {"name": "时限设置", "url": None}],
    }
    return render(request, "tickets/config/sla_rules.html", context, status=status)


# --- 工作日历 -----------------------------------------------------------------------------------


def _statutory(day: dt.date, known: bool) -> tuple[bool, str] | None:
    """``(is_workday, holiday name)`` when chinese-calendar lists the day as a holiday or 调休 workday."""
    if not known or workdays.chinese_calendar is None:
        return None
    is_holiday, name = workdays.chinese_calendar.get_holiday_detail(day)
    if name is None:
        return None
    return (not is_holiday, HOLIDAY_NAMES.get(name, name))


def day_info(day: dt.date, overrides: dict[dt.date, WorkCalendarDay], known: bool) -> dict:
    """What the effective calendar says about ``day`` and which layer decided it."""
    override = overrides.get(day)
    statutory = _statutory(day, known)
    weekend_rule = day.weekday() < 5
    if override is not None:
        is_workday, source, note = override.is_workday, "override", override.note
    elif statutory is not None:
        is_workday, source, note = statutory[0], "statutory", statutory[1]
    elif known:
        is_workday, source, note = workdays.chinese_calendar.is_workday(day), "calendar", ""
    else:
        is_workday, source, note = weekend_rule, "weekend", ""
    if source == "statutory" and is_workday and day.weekday() >= 5:
        note = f"{note}调休上班"
    label = "上班" if is_workday else "休息"
    title = f"{day:%Y-%m-%d} 星期{WEEKDAYS[day.weekday()]} · {label} · 依据：{SOURCE_LABELS[source]}"
    if note:
        title += f"（{note}）"
    return {
        "date": day,
        "iso": day.isoformat(),
        "day": day.day,
        "is_workday": is_workday,
        "source": source,
        "note": note,
        "title": title,
        # Worth a mark: the day differs from a plain Monday–Friday week, or an override decided it.
        "special": source == "override" or is_workday != weekend_rule,
    }


def year_months(year: int, overrides: dict[dt.date, WorkCalendarDay], known: bool) -> list[dict]:
    cal = pycalendar.Calendar(firstweekday=0)
    months = []
    for month in range(1, 13):
        weeks = [
            [day_info(d, overrides, known) if d.month == month else None for d in week]
            for week in cal.monthdatescalendar(year, month)
        ]
        days = [c for w in weeks for c in w if c]
        months.append(
            {"month": month, "weeks": weeks, "workdays": sum(1 for c in days if c["is_workday"]), "days": len(days)}
        )
    return months


def _year(request) -> int:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or today.year)
    except ValueError:
        year = today.year
    last = today.year + services.WORKDAY_YEARS_AHEAD
    return min(max(year, 2004), last)


def _day_initial(value: str | None) -> dict:
    """Clicking a day pre-fills the one-day form: that date, the opposite of its current state, its note."""
    try:
        day = dt.date.fromisoformat(value or "")
    except ValueError:
        return {}
    override = WorkCalendarDay.objects.filter(date=day).first()
    return {
        "date": day,
        "is_workday": "0" if workdays.is_workday(day) else "1",
        "note": override.note if override else "",
    }


@login_required
def calendar(request):
    _require_configure(request)
    year = _year(request)
    day_form = WorkdayForm(prefix="day", initial=_day_initial(request.GET.get("date")))
    bulk_form = WorkdayBulkForm(prefix="bulk")
    status = 200
    if request.method == "POST":
        op = request.POST.get("op")
        try:
            if op == "set":
                day_form = WorkdayForm(request.POST, prefix="day")
                if day_form.is_valid():
                    data = day_form.cleaned_data
                    services.workday_set(actor=request.user, date=data["date"], is_workday=data["is_workday"],
                                         note=data["note"])  # fmt: skip
                    messages.success(
                        request, f"已将 {data['date']:%Y-%m-%d} 设为{'上班' if data['is_workday'] else '休息'}。"
                    )
                    return redirect(f"{reverse('tickets:calendar')}?year={data['date'].year}")
            elif op == "clear":
                clear_form = WorkdayClearForm(request.POST)
                if clear_form.is_valid():
                    date = clear_form.cleaned_data["date"]
                    if services.workday_clear(actor=request.user, date=date):
                        messages.success(request, f"已删除 {date:%Y-%m-%d} 的调整，该日恢复按内置日历或周末规则计算。")
                    else:
                        messages.info(request, f"{date:%Y-%m-%d} 没有调整记录。")
                    return redirect(f"{reverse('tickets:calendar')}?year={date.year}")
                messages.error(request, "请指定要删除调整的日期。")
            elif op == "bulk":
                bulk_form = WorkdayBulkForm(request.POST, prefix="bulk")
                if bulk_form.is_valid():
                    entries = bulk_form.cleaned_data["lines"]
                    services.workday_set_many(actor=request.user, entries=entries)
                    first = min(d for d, _, _ in entries)
                    messages.success(request, f"已录入 {len({d for d, _, _ in entries})} 天的工作日历调整。")
                    return redirect(f"{reverse('tickets:calendar')}?year={first.year}")
            else:
                messages.error(request, "未知的操作。")
        except ValidationError as exc:
            form = bulk_form if op == "bulk" else day_form
            for message in exc.messages:
                form.add_error("lines" if op == "bulk" else None, message)
        status = 400
    overrides = {d.date: d for d in WorkCalendarDay.objects.filter(date__year=year)}
    known = workdays.calendar_known(year)
    today = timezone.localdate()
    context = {
        "title": f"工作日历 · {year} 年",
        "year": year,
        "known": known,
        "months": year_months(year, overrides, known),
        "overrides": [
            {"date": d.date, "weekday": WEEKDAYS[d.date.weekday()], "is_workday": d.is_workday, "note": d.note}
            for d in sorted(overrides.values(), key=lambda d: d.date)
        ],
        "years": list(range(today.year - 1, today.year + 3)),
        "prev_year": year - 1 if year > 2004 else None,
        "next_year": year + 1 if year < today.year + services.WORKDAY_YEARS_AHEAD else None,
        "today": today,
        "day_form": day_form,
        "bulk_form": bulk_form,
        "weekdays": WEEKDAYS,
        "source_labels": SOURCE_LABELS,
        "recent": _recent(["workday_set", "workday_clear"]),
        "breadcrumbs": [{"name": "诉求", "url": reverse("tickets:list")}, {"name": "工作日历", "url": None}],
    }
    return render(request, "tickets/config/calendar.html", context, status=status)
