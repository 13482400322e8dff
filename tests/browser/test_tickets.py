"""The 诉求 loop in a real browser.

* The resident's journey on a phone: submit (type, category, description, photo, own building) →
  follow → the handlers move it to 已结案 in a second, desktop browser (wenchang_worker accepts,
  dispatches, signs and completes; longpan_admin verifies — a different user from the handler) → the
  resident sees the reply and rates it 满意.
* The handler's journey on desktop: 12345 hotline intake → detail → actions → list filters → stats page
  (charts and heat map drawn) → notifications.
* An anonymous resident reports by tapping the grid map and follows with the lookup code.
* On the detail page the reporter's contact is masked; the intake worker reveals it with a reason.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c63f80f00000101000518d84e0000000049454e44ae426082"
)


def _act(page, action, fill=None):
    """Open the small form of ``action`` on the detail page (or click its one-click button) and submit."""
    button = page.locator(f'#jc-actions button[data-action="{action}"]')
    expect(button).to_be_visible()
    if fill is None:
        with page.expect_navigation():
            button.click()
    else:
        button.click()
        # Wait until the collapse has finished opening (class "show"), not merely started.
        expect(page.locator(f"#jc-act-{action}")).to_have_class(re.compile(r"\bshow\b"))
        form = page.locator(f'form.jc-action-form[data-action="{action}"]')
        expect(form).to_be_visible()
        fill(form)
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()


def test_resident_submit_follow_rate_on_a_phone(phone, desktop, login, screenshot, new_context):
    page = login(phone, "resident_demo")
    page.goto("/tickets/report/")
    expect(page.locator("h1")).to_contain_text("我要反映")
    page.locator(".jc-kinds label", has_text="投诉").click()
    page.select_option("#id_category", label="投诉 · 物业服务")
    page.fill("#id_description", "小区电梯停运三天，老人上下楼困难（浏览器测试）")
    page.set_input_files("#id_photos", files=[{"name": "lift.png", "mimeType": "image/png", "buffer": PNG}])
    building = page.locator("#id_building option").nth(1)
    page.select_option("#id_building", value=building.get_attribute("value"))
    expect(page.locator("#jc-pick-map")).to_have_attribute("data-loaded", re.compile(r"^[1-9]\d*$"))
    screenshot(page, "tickets-report-resident-phone")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1
    with page.expect_navigation():
        page.get_by_role("button", name="提交诉求").click()
    expect(page.locator(".alert-success")).to_contain_text("诉求已提交")
    expect(page.locator("#jc-status")).to_have_text("待受理")
    number = re.search(r"诉求 (\d{12})", page.locator("h1").inner_text()).group(1)
    follow_url = page.url
    expect(page.locator("#jc-timeline time").first).to_have_text(re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$"))
    screenshot(page, "tickets-follow-submitted-phone")
    page.goto("/tickets/mine/")
    expect(page.locator(f'#jc-mine [data-ticket="{number}"]')).to_be_visible()

    # The handlers, in a desktop browser of their own.
    handler = login(desktop, "wenchang_worker")
    handler.goto(follow_url)
    expect(handler.locator("h1")).to_contain_text(number)
    expect(handler.locator("#jc-photos img")).to_have_count(1)
    _act(handler, "accept")
    expect(handler.locator("#jc-status")).to_have_text("已受理")

    def dispatch_to_grid(form):
        grid = form.locator("select[name=lead_org] option", has_text="网格").first.get_attribute("value")
        form.locator("select[name=lead_org]").select_option(value=grid)

    _act(handler, "dispatch", dispatch_to_grid)
    _act(handler, "sign")
    expect(handler.locator("#jc-status")).to_have_text("办理中")
    _act(handler, "complete", lambda f: f.locator("textarea[name=reply]").fill("已联系物业，电梯已恢复运行。"))
    expect(handler.locator("#jc-status")).to_have_text("已办结待核查")
    screenshot(handler, "tickets-detail-resolved-desktop")
    verifier_context = new_context(viewport={"width": 1366, "height": 900})
    verifier = login(verifier_context.new_page(), "longpan_admin")
    verifier.goto(follow_url)
    _act(verifier, "verify_pass")
    expect(verifier.locator("#jc-status")).to_have_text("已结案")

    # Back on the phone: the reply, then the rating.
    page.goto(follow_url)
    expect(page.locator("#jc-reply")).to_contain_text("电梯已恢复运行")
    expect(page.locator("#jc-rate-form")).to_be_visible()
    screenshot(page, "tickets-follow-rate-phone")
    page.locator("#jc-rate-form label", has_text=re.compile("^ *满意$")).click()
    page.fill("#jc-rate-form textarea[name=comment]", "处理及时，谢谢")
    with page.expect_navigation():
        page.get_by_role("button", name="提交评价").click()
    expect(page.locator("#jc-status")).to_have_text("已评价")
    expect(page.locator("#jc-rated")).to_contain_text("满意")
    expect(page.locator('#jc-timeline [data-event="callback_rate"]')).to_contain_text("回访评价：满意")
    screenshot(page, "tickets-follow-rated-phone")
    verifier_context.close()


def test_handler_journey_on_desktop(desktop, login, screenshot):
    page = login(desktop, "wenchang_worker")
    page.locator("#jc-nav").get_by_role("link", name="诉求", exact=True).click()
    page.get_by_role("link", name="受理登记").first.click()
    expect(page.locator("h1")).to_contain_text("受理登记")
    page.select_option("#id_channel", value="hotline_12345")
    page.fill("#id_external_id", "BR-12345-0001")
    page.select_option("#id_category", label="投诉 · 噪音扰民")
    page.fill("#id_description", "夜间施工噪音扰民（浏览器测试）")
    page.fill("#id_reporter_name", "钱女士")
    page.fill("#id_reporter_phone", "13912345678")
    page.select_option("#id_grid", index=1)
    screenshot(page, "tickets-intake-desktop")
    with page.expect_navigation():
        page.get_by_role("button", name="登记并提交").click()
    expect(page.locator(".alert-success")).to_contain_text("已登记")
    expect(page.locator("#jc-status")).to_have_text("待受理")
    # The contact is masked even for intake; calling back, the worker reveals it with a reason (logged).
    expect(page.locator("#jc-reporter")).to_contain_text("139****5678")
    expect(page.locator("body")).not_to_contain_text("13912345678")
    page.fill("#jc-contact-reason", "电话回访诉求人")
    page.get_by_role("button", name="查看联系方式").click()
    expect(page.locator("#jc-contact-value")).to_contain_text("钱女士")
    expect(page.locator("#jc-contact-value a[href='tel:13912345678']")).to_have_text("13912345678")
    screenshot(page, "tickets-reveal-contact-desktop")
    number = re.search(r"(\d{12})", page.locator("h1").inner_text()).group(1)
    _act(page, "accept")
    expect(page.locator("#jc-due")).to_contain_text(re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}"))
    # A stale second accept (e.g. from another tab) is a clear 409.
    response = page.request.post(page.url + "act/accept/", headers={"X-CSRFToken": _csrf(page)})
    assert response.status == 409 and "当前状态不允许此操作" in response.text()
    screenshot(page, "tickets-detail-accepted-desktop")

    page.goto("/tickets/?status=accepted&channel=hotline_12345")
    expect(page.locator(f'#jc-ticket-table tr[data-ticket="{number}"]')).to_be_visible()
    page.goto("/tickets/?due=overdue")
    expect(page.locator("#jc-ticket-table")).to_be_visible()
    screenshot(page, "tickets-list-overdue-desktop")

    page.goto("/tickets/stats/")
    expect(page.locator("#jc-definitions")).to_contain_text("响应率")
    expect(page.locator("#jc-chart-trend")).to_have_attribute("data-rendered", "1")
    expect(page.locator("#jc-chart-category canvas")).to_have_count(1)
    expect(page.locator("#jc-heat-map")).to_have_attribute("data-loaded", "31")
    screenshot(page, "tickets-stats-desktop")

    page.goto("/notices/")
    expect(page.locator("h1")).to_contain_text("站内通知")
    expect(page.locator("#jc-bell")).to_be_visible()


def _csrf(page) -> str:
    for cookie in page.context.cookies():
        if cookie["name"] == "csrftoken":
            return cookie["value"]
    return ""


def test_anonymous_report_by_map_and_lookup(phone, screenshot):
    page = phone
    page.goto("/tickets/report/")
    page.locator(".jc-kinds label", has_text="求助").click()
    page.select_option("#id_category", label="求助 · 生活求助")
    page.fill("#id_description", "楼下独居老人家水管漏水（浏览器测试）")
    map_el = page.locator("#jc-pick-map")
    expect(map_el).to_have_attribute("data-loaded", re.compile(r"^[1-9]\d*$"))
    box = map_el.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(map_el).to_have_attribute("data-picked", "1")
    page.fill("#id_reporter_name", "周先生")
    page.fill("#id_reporter_phone", "13855556666")
    screenshot(page, "tickets-report-anonymous-phone")
    with page.expect_navigation():
        page.get_by_role("button", name="提交诉求").click()
    if page.locator("#jc-form-error").count():  # the centre of the map fell between grids: pick a grid
        pytest.fail(page.locator("#jc-form-error").inner_text())
    expect(page.locator("#jc-lookup-code")).to_be_visible()
    number = page.locator("#jc-ticket-no").inner_text()
    code = page.locator("#jc-lookup-code").inner_text()
    assert re.fullmatch(r"([0-9A-Z]{4}-){6}[0-9A-Z]{4}", code.strip()), code  # 28 random characters
    screenshot(page, "tickets-report-done-anonymous-phone")
    page.goto("/tickets/lookup/")
    page.fill("#jc-no", number)
    page.fill("#jc-code", code)
    with page.expect_navigation():
        page.get_by_role("button", name="查询").click()
    expect(page.locator("#jc-status")).to_have_text("待受理")
    expect(page.locator("body")).not_to_contain_text("13855556666")
    screenshot(page, "tickets-lookup-anonymous-phone")
