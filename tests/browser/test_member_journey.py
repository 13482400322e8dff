"""The in-service member's journey across the apps, on a phone (报到 → 认领 → 服务): member_demo2 reports to
the community they live in, the community worker confirms it on a desktop, and the member — starting
from their home page's entries — claims a wish published to members, completes it, and records the
service on their 服务登记卡."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


SETUP = """
from jiceng.members.models import MemberReport
from jiceng.members.workflow import REPORTS
from jiceng.needs.models import Need
from jiceng.testing.personas import persona

worker, member = persona("wenchang_worker"), persona("member_demo2")
report = MemberReport.objects.get(member_id=member.scope.party_member_id, status="confirmed")
REPORTS.transition(actor=worker, obj=report, action="end", reason="浏览器测试：重新报到")
need = (
    Need.objects.filter(status="open", audience__in=["members", "both"], community__name="文昌花园社区", claimed_by=None)
    .order_by("pk")
    .first()
)
print(need.title)
"""


@pytest.fixture
def unreported(live_manage):
    """On the live server's database: member_demo2's confirmed report ended by the community (so the
    member reports again, as after a move); the title of a wish of 文昌花园社区 published to members."""
    return live_manage("shell", "-c", SETUP).strip().splitlines()[-1]


NEW_REPORT = """
from jiceng.members.models import MemberReport
from jiceng.testing.personas import persona

print(MemberReport.objects.get(member_id=persona("member_demo2").scope.party_member_id, status="submitted").pk)
"""


def test_report_then_claim_then_service_on_a_phone(phone, desktop, login, unreported, live_manage):
    title = unreported
    login(phone, "member_demo2")
    phone.get_by_role("link", name="我的双报到").click()
    phone.fill("#jc-skills", "法律咨询")
    phone.get_by_role("button", name="向居住地社区报到").click()
    expect(phone.locator("#jc-report [data-state]")).to_have_text("待确认")

    report = live_manage("shell", "-c", NEW_REPORT).strip().splitlines()[-1]
    login(desktop, "wenchang_worker")
    desktop.goto("/members/reports/?status=submitted")
    expect(desktop.locator("table")).to_contain_text("待确认")
    desktop.goto(f"/members/reports/{report}/")
    desktop.get_by_role("link", name="确认报到").click()
    desktop.get_by_role("button", name="确认确认报到").click()
    expect(desktop.locator("[data-state]").first).to_have_text("已报到")

    phone.goto("/")
    phone.get_by_role("link", name="我可认领").click()
    phone.get_by_role("link", name=title).first.click()
    phone.get_by_role("link", name="认领").click()
    phone.get_by_role("button", name="确认认领").click()
    expect(phone.locator("[data-state]").first).to_have_text("已认领")
    phone.get_by_role("link", name="完成").click()
    phone.locator("[name=note]").fill("已上门帮忙，居民满意")
    phone.get_by_role("button", name="确认完成").click()
    expect(phone.locator("[data-state]").first).to_have_text("已完成")

    phone.goto("/")
    phone.get_by_role("link", name="我的双报到").click()
    expect(phone.locator("#jc-report [data-state]")).to_have_text("已报到")
    form = phone.locator("#jc-services form")
    form.locator("[name=hours]").fill("1.5")
    form.locator("[name=kind]").select_option("need")
    form.locator("[name=content]").fill(f"认领微心愿：{title}")
    form.get_by_role("button", name="登记服务").click()
    expect(phone.locator(".alert-success, [role=alert]").first).to_contain_text("服务已登记")
    expect(phone.locator("#jc-services")).to_contain_text(title)
    assert phone.evaluate("document.documentElement.scrollWidth") <= phone.viewport_size["width"] + 1
