"""Part-time members (兼职委员, mirrored as CommitteeSeat) and the duty roster (轮值)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from jiceng.committee import selectors
from jiceng.committee.choices import DutyPeriod
from jiceng.committee.models import DutyRoster, PartTimeMember
from jiceng.committee.services import notify_handover, roster_generate
from jiceng.core.entities import entity_for
from jiceng.core.errors import OutOfScope
from jiceng.core.tests.helpers import writes_nothing
from jiceng.notices.models import Notice
from jiceng.orgs.models import Organisation
from jiceng.party.models import CommitteeSeat, PartyMember, PartyOrg

from .helpers import committee, units

pytestmark = pytest.mark.django_db
MEMBERS = entity_for(PartTimeMember).service
ROSTER = entity_for(DutyRoster).service
TODAY = timezone.localdate()


def _member_data(**extra):
    return {"committee": committee(), "name": "钱立群", "unit": units()[0], "post": "党支部书记",
            "term_start": TODAY - dt.timedelta(days=10), **extra}  # fmt: skip


# --- part-time members ---------------------------------------------------------------------------------


def test_part_time_member_rules_refuse_and_write_nothing(personas):
    actor = personas.wenchang_worker
    branch = PartyOrg.objects.filter(scope_path__startswith=committee().scope_path, org_type="branch").first()
    prop = Organisation.objects.filter(kind="property", area=committee().area).first()
    cases = [
        ({"committee": branch}, "只能选择社区大党委或街道大工委"),
        ({"term_end": TODAY - dt.timedelta(days=20)}, "任期结束不能早于任期开始"),
    ]
    for extra, message in cases:
        with writes_nothing(), pytest.raises(ValidationError, match=message):
            MEMBERS.create(actor=actor, **_member_data(**extra))
    with writes_nothing(), pytest.raises(OutOfScope, match="所在单位"):  # not a co-building unit: no choice
        MEMBERS.create(actor=actor, **_member_data(unit=prop))
    sibling_unit = units("陡岗社区")[0]
    with writes_nothing(), pytest.raises(OutOfScope, match="所在单位"):
        MEMBERS.create(actor=actor, **_member_data(unit=sibling_unit))
    MEMBERS.create(actor=actor, **_member_data())
    with writes_nothing(), pytest.raises(ValidationError, match="任期重叠"):
        MEMBERS.create(actor=actor, **_member_data(term_start=TODAY))


def test_a_member_on_the_register_holds_a_part_time_seat_kept_with_the_term(personas):
    actor = personas.wenchang_worker
    member = PartyMember.objects.restrict(actor).filter(status="full").order_by("pk").first()
    obj = MEMBERS.create(actor=actor, **_member_data(member=member)).obj
    seat = CommitteeSeat.objects.get(pk=obj.seat_id)
    assert (seat.org_id, seat.member_id, seat.role, seat.start, seat.end) == (
        committee().pk, member.pk, "part_time", obj.term_start, None,
    )  # fmt: skip
    end = TODAY + dt.timedelta(days=300)
    MEMBERS.update(actor=actor, obj=obj, term_end=end)
    assert CommitteeSeat.objects.get(pk=seat.pk).end == end
    MEMBERS.update(actor=actor, obj=obj, member=None)
    obj.refresh_from_db()
    assert obj.seat is None and CommitteeSeat.objects.get(pk=seat.pk).end == TODAY


def test_active_members_count_in_stats(personas):
    from .helpers import api

    body = api(personas.wenchang_worker).get("/api/v1/stats/").json()
    expected = PartTimeMember.objects.filter(selectors.active_q(TODAY), scope_path__startswith=committee().scope_path)
    assert body["part_time_committee_members"] == expected.count() > 0
    for key in ("action_items_open", "action_items_overdue"):
        assert key in body


# --- the roster ---------------------------------------------------------------------------------------------


def _fresh(name="文昌花园社区"):
    c = committee(name)
    DutyRoster.objects.filter(committee=c).delete()
    return c


def test_generate_is_a_round_robin_over_the_units_and_continues_fairly(personas):
    c = _fresh()
    us = units()
    start = dt.date(TODAY.year, 1, 1)
    rows = roster_generate(actor=personas.wenchang_worker, committee=c, count=2 * len(us), start=start)
    assert [r.chair_id for r in rows] == [u.pk for u in us] * 2
    assert rows[0].start == start and all((b.start - a.end).days == 1 for a, b in zip(rows, rows[1:], strict=False))
    more = roster_generate(actor=personas.wenchang_worker, committee=c, count=1)
    assert more[0].start == rows[-1].end + dt.timedelta(days=1) and more[0].chair_id == us[0].pk
    # a unit that chaired less is chosen first
    DutyRoster.objects.filter(pk=rows[1].pk).update(chair=us[0])
    nxt = roster_generate(actor=personas.wenchang_worker, committee=c, count=1)
    assert nxt[0].chair_id == us[1].pk


def test_quarters_and_the_generator_refusals_write_nothing(personas):
    c = _fresh()
    actor = personas.wenchang_worker
    rows = roster_generate(actor=actor, committee=c, count=2, period=DutyPeriod.QUARTER, start=dt.date(2026, 4, 1))
    assert [(r.start, r.end) for r in rows] == [
        (dt.date(2026, 4, 1), dt.date(2026, 6, 30)),
        (dt.date(2026, 7, 1), dt.date(2026, 9, 30)),
    ]
    for kwargs, message in [
        ({"count": 1, "start": dt.date(2027, 1, 1)}, "须从 2026-10-01 开始"),
        ({"count": 0}, "一次生成 1 至 36 期"),
        ({"count": 1, "period": "week"}, "按月或按季度"),
    ]:
        with writes_nothing(), pytest.raises(ValidationError, match=message):
            roster_generate(actor=actor, committee=c, **{"period": DutyPeriod.QUARTER, **kwargs})
    other = _fresh("陡岗社区")
    with writes_nothing(), pytest.raises(ValidationError, match="1 月、4 月"):
        roster_generate(actor=personas.qu_admin, committee=other, count=1, period="quarter", start=dt.date(2026, 5, 1))
    with writes_nothing(), pytest.raises(OutOfScope):
        roster_generate(actor=actor, committee=other, count=1)


def test_no_gap_no_overlap_aligned_starts_committee_units_and_deletes_at_the_ends(personas):
    c = _fresh()
    actor = personas.wenchang_worker
    us = units()
    rows = roster_generate(actor=actor, committee=c, count=3, start=dt.date(2026, 1, 1))
    outsider = Organisation.objects.filter(kind="unit").exclude(pk__in=[u.pk for u in us]).first()
    bad = [
        ({"start": dt.date(2026, 4, 2)}, "1 日"),
        ({"start": dt.date(2026, 5, 1)}, "空档"),
        ({"start": dt.date(2025, 11, 1)}, "空档"),
        ({"start": dt.date(2026, 2, 1)}, "已有轮值安排|重叠"),
        ({"start": dt.date(2025, 12, 1), "period": "quarter"}, "1 月、4 月|重叠"),
        ({"start": dt.date(2026, 4, 1), "chair": outsider}, "轮值单位须为本大党委"),
    ]
    for extra, message in bad:
        data = {"committee": c, "period": "month", "chair": us[0], **extra}
        with writes_nothing(), pytest.raises(ValidationError, match=message):
            ROSTER.create(actor=personas.qu_admin, **data)
    ROSTER.create(actor=actor, committee=c, period="month", start=dt.date(2026, 4, 1), chair=us[1])
    ROSTER.create(actor=actor, committee=c, period="month", start=dt.date(2025, 12, 1), chair=us[1])
    # editing the chair of a middle period is fine; changing its length leaves a gap or an overlap
    ROSTER.update(actor=actor, obj=rows[1], chair=us[2])
    with writes_nothing(), pytest.raises(ValidationError, match="重叠"):
        ROSTER.update(actor=actor, obj=rows[0], period="quarter")
    with writes_nothing(), pytest.raises(ValidationError, match="只能删除第一期或最后一期"):
        ROSTER.delete(actor=actor, obj=rows[1])
    last = DutyRoster.objects.filter(committee=c).order_by("-start").first()
    ROSTER.delete(actor=actor, obj=last)
    assert not DutyRoster.objects.filter(pk=last.pk).exists()


def test_the_current_chair_on_the_committee_page_and_list(client, login):
    c = committee()
    duty = selectors.duty_on(c)
    assert duty is not None and duty.start <= TODAY <= duty.end
    login("wenchang_worker")
    page = client.get(f"/committee/members/committee/{c.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"本期轮值单位：<strong>{duty.chair.name}</strong>" in html
    listing = client.get("/committee/members/committees/").content.decode()
    assert c.name in listing and committee("陡岗社区").name not in listing
    login("dougang_worker")
    assert client.get(f"/committee/members/committee/{c.pk}/").status_code == 404


def test_generate_page_creates_the_roster_and_shows_refusals_in_chinese(client, login):
    c = _fresh()
    login("wenchang_worker")
    url = "/committee/duty/generate/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"committee": c.pk, "period": "month", "count": 3, "start": "2026-01-01"})
    assert response.status_code == 302 and DutyRoster.objects.filter(committee=c).count() == 3
    refused = client.post(url, {"committee": c.pk, "period": "month", "count": 1, "start": "2027-01-01"})
    assert refused.status_code == 400 and "新的一期须从 2026-04-01 开始" in refused.content.decode()
    assert DutyRoster.objects.filter(committee=c).count() == 3
    sibling = client.post(url, {"committee": committee("陡岗社区").pk, "period": "month", "count": 1})
    assert sibling.status_code == 400  # not a choice for this user
    login("grid_wc01")
    assert client.get(url).status_code == 403


def test_the_next_chair_is_told_before_the_hand_over_once(personas, django_capture_on_commit_callbacks):
    c = _fresh()
    us = units()
    rows = roster_generate(actor=personas.qu_admin, committee=c, count=2, start=dt.date(2026, 1, 1))
    liaison = personas.wenchang_worker
    rows[1].chair.members.add(liaison)
    assert rows[1].chair_id == us[1].pk
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_handover(today=dt.date(2026, 1, 20)) == 0  # too early: more than 7 days before
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_handover(today=dt.date(2026, 1, 27)) >= 1
    notice = Notice.objects.filter(user=liaison).latest("pk")
    assert "2026-02-01 起轮值主持" in notice.text
    rows[1].refresh_from_db()
    assert rows[1].handover_notified_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        notify_handover(today=dt.date(2026, 1, 28))
    assert Notice.objects.filter(user=liaison, text=notice.text).count() == 1


def test_the_periodic_jobs_are_scheduled_daily():
    from jiceng.periodic.registry import jobs

    names = {j.name: j for j in jobs()}
    assert names["committee.handover_notice"].every == dt.timedelta(days=1)
    assert names["committee.overdue_notice"].every == dt.timedelta(days=1)


def test_import_of_part_time_members_creates_updates_and_refuses(personas, client, login):
    import io

    from openpyxl import load_workbook

    from jiceng.imports.tests.helpers import run, xlsx_bytes

    c, unit = committee(), units()[0]
    other = committee("陡岗社区")
    rows = [
        ["大党委（大工委）", "姓名", "所在单位", "单位职务", "任期开始", "任期结束"],
        [c.name, "孔繁星", unit.name, "党支部书记", "2025-01-01", ""],
        [other.name, "越权者", units("陡岗社区")[0].name, "书记", "2025-01-01", ""],
        [c.name, "倒挂者", unit.name, "委员", "2025-01-01", "2024-01-01"],
    ]
    job = run(personas.wenchang_worker, "parttimemembers", "members.xlsx", xlsx_bytes(rows), mode="valid_rows")
    assert (job.created_rows, job.rejected_rows) == (1, 2), job.errors
    created = PartTimeMember.objects.get(name="孔繁星")
    assert created.scope_path == c.scope_path and created.term_start == dt.date(2025, 1, 1)
    again = run(
        personas.wenchang_worker,
        "parttimemembers",
        "m.xlsx",
        xlsx_bytes([rows[0], [*rows[1][:3], "副书记", "2025-01-01", ""]]),
    )
    assert again.updated_rows == 1 and PartTimeMember.objects.get(pk=created.pk).post == "副书记"
    login("wenchang_worker")
    template = client.get("/imports/templates/parttimemembers.xlsx")
    ws = load_workbook(io.BytesIO(b"".join(template.streaming_content)), read_only=True).worksheets[0]
    assert [c.value for c in next(ws.iter_rows())][:3] == ["大党委（大工委）", "姓名*", "所在单位*"]


def test_the_register_lists_link_to_the_committees_and_the_generator(client, login):
    login("wenchang_worker")
    roster = client.get("/committee/duty/").content.decode()
    assert "/committee/members/committees/" in roster and "/committee/duty/generate/" in roster
    members = client.get("/committee/members/").content.decode()
    assert "/committee/members/committees/" in members and "/committee/duty/generate/" not in members
