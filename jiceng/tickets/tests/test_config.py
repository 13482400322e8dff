"""The settings pages: 时限设置 (SLA rules) and 工作日历 (working-day calendar overrides).

Only a district admin (``tickets.configure_ticket``) reads or edits them; every change goes through a
service (validated, Chinese messages, audited with before/after); an SLA change applies to tickets
accepted afterwards only; a calendar override changes the working-day arithmetic at once; a bulk entry
is all or nothing.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from jiceng.accounts.roles import ROLES
from jiceng.audit.models import AuditLog
from jiceng.core import workdays
from jiceng.core.models import WorkCalendarDay
from jiceng.tickets import services
from jiceng.tickets.choices import CategoryKind, Status, Urgency
from jiceng.tickets.config_forms import field_name
from jiceng.tickets.models import SlaRule
from jiceng.tickets.tests.conftest import centre, user

pytestmark = pytest.mark.django_db

D = dt.date
PAGES = ("tickets:sla_rules", "tickets:calendar")


def table_post(**changes) -> dict:
    """The whole SLA form as currently in force, with ``changes`` (``"<kind>-<urgency>-<field>": value``)."""
    data = {}
    for (kind, urgency), (hours, days, _) in services.sla_table().items():
        data[field_name(kind, urgency, "dispatch_hours")] = hours
        data[field_name(kind, urgency, "feedback_workdays")] = days
    data.update(changes)
    return data


def cell(kind, urgency, what) -> str:
    return field_name(kind, urgency, what)


# --- who may ----------------------------------------------------------------------------------


def test_only_the_district_admin_role_carries_the_configure_permission():
    holders = {code for code, role in ROLES.items() if role.has_perm(services.CONFIGURE_PERM)}
    assert holders == {"district_admin"}


@pytest.mark.parametrize("username", ["qu_admin"])
def test_district_admin_reads_both_pages_and_sees_the_menu(client, login, username):
    login(username)
    for name in PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
    page = client.get(reverse("tickets:list")).content.decode()
    assert reverse("tickets:sla_rules") in page and reverse("tickets:calendar") in page


@pytest.mark.parametrize("username", ["longpan_admin", "wenchang_worker", "grid_wc01", "resident_demo"])
def test_everyone_else_gets_403_and_writes_nothing(client, login, username):
    login(username)
    for name in PAGES:
        assert client.get(reverse(name)).status_code == 403, name
    post = table_post(**{cell("complaint", "normal", "feedback_workdays"): 2})
    assert client.post(reverse("tickets:sla_rules"), post).status_code == 403
    response = client.post(
        reverse("tickets:calendar"), {"op": "set", "day-date": "2027-03-08", "day-is_workday": "0", "day-note": "x"}
    )
    assert response.status_code == 403
    response = client.post(
        reverse("tickets:calendar"), {"op": "bulk", "bulk-lines": "2027-02-05 至 2027-02-11 休 春节"}
    )
    assert response.status_code == 403
    assert not SlaRule.objects.exists()
    assert not WorkCalendarDay.objects.filter(date__year=2027).exists()
    if username == "longpan_admin":  # staff: the 诉求 menu is there, the settings links are not
        page = client.get(reverse("tickets:list")).content.decode()
        assert "诉求统计" in page and reverse("tickets:sla_rules") not in page


def test_anonymous_is_sent_to_login(client):
    for name in PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 302 and "login" in response["Location"]


def test_services_refuse_a_street_admin():
    actor = user("longpan_admin")
    with pytest.raises(PermissionDenied):
        services.sla_rule_set(actor=actor, kind="complaint", urgency="normal", dispatch_hours=24, feedback_workdays=5)
    with pytest.raises(PermissionDenied):
        services.workday_set(actor=actor, date=D(2027, 3, 8), is_workday=False)
    with pytest.raises(PermissionDenied):
        services.workday_set_many(actor=actor, entries=[(D(2027, 3, 8), False, "")])
    with pytest.raises(PermissionDenied):
        services.workday_clear(actor=actor, date=D(2027, 3, 8))
    assert not SlaRule.objects.exists() and not WorkCalendarDay.objects.filter(date__year=2027).exists()


# --- 时限设置: validation, audit, effect ------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "days", "field", "message"),
    [
        (0, 5, "dispatch_hours", "派单时限须为正整数（至少 1 小时）。"),
        (-3, 5, "dispatch_hours", "派单时限须为正整数（至少 1 小时）。"),
        (169, 5, "dispatch_hours", "派单时限不能超过 168 小时。"),
        (24, 0, "feedback_workdays", "办结时限须为正整数（至少 1 个工作日）。"),
        (24, 61, "feedback_workdays", "办结时限不能超过 60 个工作日。"),
        (24, "十", "feedback_workdays", "办结时限须为整数。"),
    ],
)
def test_sla_rule_set_validates_with_chinese_messages(hours, days, field, message):
    with pytest.raises(ValidationError) as exc:
        services.sla_rule_set(
            actor=user("qu_admin"), kind="complaint", urgency="normal", dispatch_hours=hours, feedback_workdays=days
        )
    assert exc.value.message_dict[field] == [message]
    assert not SlaRule.objects.exists()


def test_sla_rule_set_rejects_unknown_kind_and_urgency():
    admin = user("qu_admin")
    with pytest.raises(ValidationError) as exc:
        services.sla_rule_set(actor=admin, kind="gossip", urgency="normal", dispatch_hours=1, feedback_workdays=1)
    assert exc.value.message_dict["kind"] == ["诉求类型无效。"]
    with pytest.raises(ValidationError) as exc:
        services.sla_rule_set(actor=admin, kind="help", urgency="asap", dispatch_hours=1, feedback_workdays=1)
    assert exc.value.message_dict["urgency"] == ["紧急程度无效。"]


def test_a_bad_cell_on_the_page_saves_nothing_and_says_why(client, login):
    login("qu_admin")
    post = table_post(**{
        cell("complaint", "normal", "feedback_workdays"): 5,  # valid, but must not be saved alone
        cell("help", "critical", "dispatch_hours"): 0,
        cell("consult", "urgent", "feedback_workdays"): 99,
    })  # fmt: skip
    response = client.post(reverse("tickets:sla_rules"), post)
    assert response.status_code == 400
    page = response.content.decode()
    assert "派单时限须为正整数（至少 1 小时）。" in page
    assert "办结时限不能超过 60 个工作日。" in page
    assert "未保存任何修改" in page
    assert not SlaRule.objects.exists()
    assert not AuditLog.objects.filter(action="sla_rule_set").exists()
    # An empty or non-numeric input is caught by the form, in Chinese too.
    response = client.post(
        reverse("tickets:sla_rules"), table_post(**{cell("help", "normal", "dispatch_hours"): "abc"})
    )
    assert response.status_code == 400 and "请输入整数。" in response.content.decode()


def test_saving_the_table_writes_only_changes_with_before_and_after(client, login):
    login("qu_admin")
    response = client.post(reverse("tickets:sla_rules"), table_post())
    assert response.status_code == 302
    assert not SlaRule.objects.exists(), "submitting the defaults unchanged writes nothing"
    assert not AuditLog.objects.filter(action="sla_rule_set").exists()

    post = table_post(**{cell("complaint", "normal", "feedback_workdays"): 5,
                         cell("complaint", "normal", "dispatch_hours"): 12})  # fmt: skip
    response = client.post(reverse("tickets:sla_rules"), post, follow=True)
    assert "已保存 1 项办理时限" in response.content.decode()
    rule = SlaRule.objects.get()
    assert (rule.kind, rule.urgency, rule.category_id) == ("complaint", "normal", None)
    assert (rule.dispatch_hours, rule.feedback_workdays) == (12, 5)
    log = AuditLog.objects.get(action="sla_rule_set")
    assert log.username == "qu_admin" and log.object_id == str(rule.pk)
    assert log.detail["changes"]["dispatch_hours"] == {"before": 24, "after": 12}
    assert log.detail["changes"]["feedback_workdays"] == {"before": 10, "after": 5}

    # Again with a second change: the existing rule is updated and audited with its own before.
    client.post(reverse("tickets:sla_rules"), table_post(**{cell("complaint", "normal", "feedback_workdays"): 7}))
    assert SlaRule.objects.count() == 1
    last = AuditLog.objects.filter(action="sla_rule_set").latest("id")
    assert last.detail["changes"] == {"feedback_workdays": {"before": 5, "after": 7}}
    page = client.get(reverse("tickets:sla_rules")).content.decode()
    assert "已有工单的时限不变" in page and "办结 5→7 个工作日" in page


def test_an_inverted_urgency_order_is_a_warning_not_an_error(client, login):
    login("qu_admin")
    post = table_post(**{cell("help", "critical", "dispatch_hours"): 48})  # 特急 48 h > 一般 24 h
    response = client.post(reverse("tickets:sla_rules"), post, follow=True)
    page = response.content.decode()
    assert "“求助”的派单时限不是越紧急越短" in page
    assert SlaRule.objects.get(kind="help", urgency="critical").dispatch_hours == 48


def test_an_sla_change_applies_to_tickets_accepted_afterwards_only(client, login, world, make_ticket):
    running = make_ticket(Status.IN_PROGRESS)
    waiting = make_ticket(Status.PENDING_ACCEPT)
    before_due = running.sla_due_at
    login("qu_admin")
    post = table_post(**{cell(CategoryKind.COMPLAINT, Urgency.NORMAL, "feedback_workdays"): 2,
                         cell(CategoryKind.COMPLAINT, Urgency.NORMAL, "dispatch_hours"): 6})  # fmt: skip
    assert client.post(reverse("tickets:sla_rules"), post).status_code == 302

    running.refresh_from_db()
    assert running.sla_due_at == before_due, "existing deadlines are not recomputed"
    accepted = services.ticket_transition(actor=user("grid_wc01"), ticket=waiting, action="accept")
    assert accepted.sla_due_at == workdays.add_working_days(accepted.accepted_at, 2)
    assert accepted.sla_due_at < workdays.add_working_days(accepted.accepted_at, 10)

    lng, lat = centre(world.grid)
    created = services.ticket_create(
        actor=user("resident_demo"), category=world.complaint.pk, description="夜间施工噪声扰民", lng=lng, lat=lat
    ).obj
    assert created.dispatch_due_at - created.submitted_at == dt.timedelta(hours=6)


# --- 工作日历 -------------------------------------------------------------------------------------


def test_an_unknown_year_is_flagged_and_a_known_one_is_not(client, login):
    login("qu_admin")
    page = client.get(reverse("tickets:calendar"), {"year": 2027}).content.decode()
    assert not workdays.calendar_known(2027)
    assert "尚未内置 2027 年法定节假日安排，请按国务院办公厅通知录入" in page
    assert 'data-date="2027-02-06" data-workday="0" data-source="weekend"' in page
    page = client.get(reverse("tickets:calendar"), {"year": 2026}).content.decode()
    assert "尚未内置" not in page
    # 2026: 春节 17 Feb (Tuesday) is a holiday, Saturday 14 Feb an 调休 working day, both built in.
    assert 'data-date="2026-02-17" data-workday="0" data-source="statutory"' in page
    assert 'data-date="2026-02-14" data-workday="1" data-source="statutory"' in page
    assert "春节调休上班" in page
    assert 'data-date="2026-03-04" data-workday="1" data-source="calendar"' in page


def test_a_day_override_changes_working_day_arithmetic_and_can_be_removed(client, login):
    login("qu_admin")
    friday = timezone.make_aware(dt.datetime(2027, 3, 5, 15, 0))
    assert workdays.add_working_days(friday, 1).date() == D(2027, 3, 8)  # Monday

    response = client.post(
        reverse("tickets:calendar"),
        {"op": "set", "day-date": "2027-03-08", "day-is_workday": "0", "day-note": "临时放假"},
    )
    assert response.status_code == 302 and response["Location"].endswith("?year=2027")
    day = WorkCalendarDay.objects.get(date=D(2027, 3, 8))
    assert (day.is_workday, day.note) == (False, "临时放假")
    assert workdays.add_working_days(friday, 1).date() == D(2027, 3, 9)
    log = AuditLog.objects.get(action="workday_set")
    assert log.username == "qu_admin" and log.detail["changes"]["is_workday"] == {"before": None, "after": False}

    page = client.get(reverse("tickets:calendar"), {"year": 2027}).content.decode()
    assert 'data-date="2027-03-08" data-workday="0" data-source="override"' in page
    assert "本年已录入 1 天" in page

    response = client.post(reverse("tickets:calendar"), {"op": "clear", "date": "2027-03-08"})
    assert response.status_code == 302
    assert not WorkCalendarDay.objects.filter(date=D(2027, 3, 8)).exists()
    assert workdays.add_working_days(friday, 1).date() == D(2027, 3, 8)
    clear = AuditLog.objects.get(action="workday_clear")
    assert clear.detail["changes"]["is_workday"] == {"before": False, "after": None}


def test_an_override_wins_over_the_built_in_calendar(client, login):
    login("qu_admin")
    client.post(reverse("tickets:calendar"), {"op": "set", "day-date": "2026-02-14", "day-is_workday": "0"})
    assert not workdays.is_workday(D(2026, 2, 14))
    page = client.get(reverse("tickets:calendar"), {"year": 2026}).content.decode()
    assert 'data-date="2026-02-14" data-workday="0" data-source="override"' in page


def test_clicking_a_day_prefills_the_form_with_its_opposite(client, login):
    login("qu_admin")
    page = client.get(reverse("tickets:calendar"), {"year": 2027, "date": "2027-02-06"}).content.decode()
    assert 'value="2027-02-06"' in page
    assert '<option value="1" selected>' in page  # a Saturday: offered as 上班


def test_bulk_entry_writes_a_whole_holiday(client, login):
    login("qu_admin")
    lines = "2027-02-05 至 2027-02-11 休 春节\n\n2027-02-14 班 春节调休上班\n2027/2/20 上班 春节调休上班"
    response = client.post(reverse("tickets:calendar"), {"op": "bulk", "bulk-lines": lines})
    assert response.status_code == 302
    days = dict(WorkCalendarDay.objects.filter(date__year=2027).values_list("date", "is_workday"))
    assert len(days) == 9
    assert all(not days[D(2027, 2, d)] for d in range(5, 12))
    assert days[D(2027, 2, 14)] and days[D(2027, 2, 20)]
    assert AuditLog.objects.filter(action="workday_set").count() == 9
    # Thursday 4 Feb + 1 working day skips the holiday (12 Feb); + 2 skips the weekend to the 调休 Sunday.
    thursday = timezone.make_aware(dt.datetime(2027, 2, 4, 10, 0))
    assert workdays.add_working_days(thursday, 1).date() == D(2027, 2, 12)
    assert workdays.add_working_days(thursday, 2).date() == D(2027, 2, 14)


def test_bulk_entry_is_all_or_nothing_with_an_error_per_date(client, login):
    login("qu_admin")
    lines = "\n".join([
        "2027-02-05 至 2027-02-11 休 春节",  # fine
        "2027-02-30 休 春节",  # no such date
        "2027-02-14 班",  # fine
        "2027-03-10 至 2027-03-01 休",  # reversed
        "明天 休",  # not a line
    ])  # fmt: skip
    response = client.post(reverse("tickets:calendar"), {"op": "bulk", "bulk-lines": lines})
    assert response.status_code == 400
    page = response.content.decode()
    assert "第 2 行：日期“2027-02-30”不存在。" in page
    assert "第 4 行：结束日期 2027-03-01 早于开始日期 2027-03-10。" in page
    assert "第 5 行“明天 休”" in page
    assert not WorkCalendarDay.objects.filter(date__year=2027).exists()

    # Lines that parse but contradict each other or leave the editable years: refused by the service.
    lines = "2027-02-05 至 2027-02-11 休 春节\n2027-02-07 班\n2099-01-01 休 元旦"
    response = client.post(reverse("tickets:calendar"), {"op": "bulk", "bulk-lines": lines})
    assert response.status_code == 400
    page = response.content.decode()
    assert "2027-02-07：同时被设为上班和休息，前后矛盾。" in page
    assert "2099-01-01：只能调整 2004 年至" in page
    assert not WorkCalendarDay.objects.filter(date__year=2027).exists()
    assert not AuditLog.objects.filter(action="workday_set").exists()


def test_workday_set_many_rolls_back_when_a_later_day_fails():
    admin = user("qu_admin")
    entries = [(D(2027, 10, 1), False, "国庆节"), (D(2027, 10, 2), False, "国" * 101)]
    with pytest.raises(ValidationError) as exc:
        services.workday_set_many(actor=admin, entries=entries)
    assert exc.value.messages == ["2027-10-02：说明不能超过 100 个字。"]
    assert not WorkCalendarDay.objects.filter(date__year=2027).exists()
    with pytest.raises(ValidationError) as exc:
        services.workday_set_many(actor=admin, entries=[])
    assert exc.value.messages == ["请至少录入一个日期。"]


def test_one_day_outside_the_editable_years_is_refused_in_chinese(client, login):
    login("qu_admin")
    response = client.post(reverse("tickets:calendar"), {"op": "set", "day-date": "2099-01-01", "day-is_workday": "0"})
    assert response.status_code == 400
    assert "2099-01-01：只能调整 2004 年至" in response.content.decode()
    assert not WorkCalendarDay.objects.filter(date=D(2099, 1, 1)).exists()
    response = client.post(reverse("tickets:calendar"), {"op": "set", "day-is_workday": "0"})
    assert response.status_code == 400 and "请选择日期。" in response.content.decode()
