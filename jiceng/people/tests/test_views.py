"""Web UI for people: scope (404 / absent / refused), validation messages, search, masking, reveal, tags."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.accounts.models import User
from jiceng.audit.models import AuditLog, SensitiveAccessLog
from jiceng.core.names import looks_like_given_name
from jiceng.core.tests.helpers import area, make_id, new_user, row_counts
from jiceng.people.choices import TagType
from jiceng.people.models import Resident, ResidentTag, Worker
from jiceng.territory.models import Area, Building, Household

pytestmark = pytest.mark.django_db


def under(model, area_name):
    return model.objects.filter(scope_path__startswith=area(area_name).path).order_by("pk")


def listed(response):
    """The queryset behind a list page (all pages, not just the first)."""
    return response.context["table"].data.data


def resident_post(hh, **overrides):
    data = {
        "name": "测试居民",
        "id_type": "resident_id",
        "id_number": make_id("19900101", seq="123"),
        "phone": "13912345678",
        "household": hh.pk,
        "relation_to_head": "99",
        "population_type": "registered",
        "ethnicity": "01",
        "political_status": "13",
    }
    data.update(overrides)
    return data


# --- scope: sibling subtrees -----------------------------------------------------------------------

SIBLINGS = [
    ("longpan_admin", "银花街道"),
    ("wenchang_worker", "陡岗社区"),
]


@pytest.mark.parametrize(("username", "foreign"), SIBLINGS)
@pytest.mark.parametrize(
    ("model", "names"),
    [
        (Resident, ["people:resident_detail", "people:resident_edit", "people:resident_tag_add"]),
        (Worker, ["people:worker_detail", "people:worker_edit"]),
    ],
)
def test_foreign_detail_and_edit_are_404(client, login, username, foreign, model, names):
    login(username)
    obj = under(model, foreign).first()
    for name in names:
        assert client.get(reverse(name, args=[obj.pk])).status_code == 404, name
    assert client.post(reverse(names[1], args=[obj.pk]), {"name": "改名"}).status_code == 404
    model_name = model._meta.model_name
    assert (
        client.post(
            reverse(f"people:{model_name}_reveal", args=[obj.pk]), {"field": "phone", "reason": "核实身份信息"}
        ).status_code
        == 404
    )


@pytest.mark.parametrize(("username", "foreign"), SIBLINGS)
@pytest.mark.parametrize(("model", "url"), [(Resident, "people:resident_list"), (Worker, "people:worker_list")])
def test_foreign_rows_absent_from_lists(client, login, username, foreign, model, url):
    user = login(username)
    response = client.get(reverse(url))
    assert response.status_code == 200
    qs = listed(response)
    assert not qs.filter(pk__in=under(model, foreign).values("pk")).exists()
    expected = model.objects.restrict(user)
    if model is Resident:
        expected = expected.filter(deleted_at__isnull=True)
    assert response.context["table"].paginator.count == expected.count() > 0


def test_grid_worker_cannot_see_the_neighbouring_grid(client, login, personas):
    wc01 = login("grid_wc01")
    neighbour = Resident.objects.restrict(personas.grid_wc02).exclude(pk__in=Resident.objects.restrict(wc01)).first()
    assert neighbour is not None
    assert client.get(reverse("people:resident_detail", args=[neighbour.pk])).status_code == 404
    assert client.get(reverse("people:resident_edit", args=[neighbour.pk])).status_code == 404
    qs = listed(client.get(reverse("people:resident_list")))
    assert not qs.filter(pk=neighbour.pk).exists()
    assert set(qs.values_list("grid_id", flat=True)) == {g.area_id for g in wc01.scope.grants}


def test_create_resident_in_foreign_household_by_id_is_refused(client, login):
    login("wenchang_worker")
    household = under(Household, "陡岗社区").first()
    before, audits = row_counts(), AuditLog.objects.count()
    response = client.post(reverse("people:resident_add"), resident_post(household))
    assert response.status_code == 400
    assert "所选的户不存在或不在您的管辖范围内，操作被拒绝。" in response.content.decode()
    assert row_counts() == before and AuditLog.objects.count() == audits


def test_create_resident_in_foreign_building_is_refused(client, login):
    login("wenchang_worker")
    household = under(Household, "陡岗社区").select_related("building").first()
    data = resident_post(household, household="", building=household.building_id, room=household.room)
    before = row_counts()
    response = client.post(reverse("people:resident_add"), data)
    assert response.status_code == 400
    assert row_counts() == before


def test_move_resident_into_foreign_household_is_refused(client, login):
    user = login("wenchang_worker")
    resident = Resident.objects.restrict(user).first()
    foreign = under(Household, "陡岗社区").first()
    before = row_counts()
    data = resident_post(foreign, name=resident.name, id_number="", phone="")
    assert client.post(reverse("people:resident_edit", args=[resident.pk]), data).status_code == 400
    assert row_counts() == before
    resident.refresh_from_db()
    assert resident.household_id != foreign.pk


def test_create_worker_in_foreign_community_is_refused(client, login):
    login("wenchang_worker")
    before = row_counts()
    data = {"name": "新工作者", "community": area("陡岗社区").pk, "post": "staff", "is_active": "on"}
    assert client.post(reverse("people:worker_add"), data).status_code == 400
    assert row_counts() == before


def test_resident_sees_only_own_household_and_no_other_lists(client, login):
    user = login("resident_demo")
    response = client.get(reverse("people:resident_list"))
    assert response.status_code == 200
    assert set(listed(response).values_list("household_id", flat=True)) == {user.resident.household_id}
    other = Resident.objects.exclude(household_id=user.resident.household_id).first()
    assert client.get(reverse("people:resident_detail", args=[other.pk])).status_code == 404
    for url in ("people:worker_list", "party:member_list", "party:org_list", "people:resident_add"):
        assert client.get(reverse(url)).status_code == 403, url


# --- create / edit / validation ---------------------------------------------------------------------


def test_create_resident_in_scope(client, login):
    user = login("grid_wc01")
    household = Household.objects.restrict(user).select_related("building").first()
    data = resident_post(household, household="", building=household.building_id, room=household.room)
    response = client.post(reverse("people:resident_add"), data)
    assert response.status_code == 302
    resident = Resident.objects.get(name="测试居民")
    assert response["Location"] == resident.get_absolute_url()
    assert (resident.household_id, resident.grid_id, resident.gender, resident.birth_date) == (
        household.pk,
        household.building.grid_id,
        "1",
        dt.date(1990, 1, 1),
    )
    assert resident.id_number_masked == "110***********" + data["id_number"][-4:]
    assert AuditLog.objects.filter(action="create", object_id=str(resident.pk)).count() == 1


def test_area_code_warning_is_shown_as_message(client, login):
    user = login("wenchang_worker")
    household = Household.objects.restrict(user).first()
    data = resident_post(household, id_number=make_id("19900101", area="341199", seq="123"))
    response = client.post(reverse("people:resident_add"), data, follow=True)
    assert response.status_code == 200
    assert "地址码 341199" in response.content.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"id_number": make_id("19900101", seq="123")[:-1] + "0"}, "身份证号校验位不正确"),
        ({"phone": "1381234567"}, "电话号码“1381234567”格式不正确"),
        ({"registered_on": (dt.date.today() + dt.timedelta(days=3)).isoformat()}, "登记日期不能晚于今天。"),
        ({"id_number": make_id("19900101", seq="123"), "gender": "2"}, "性别与身份证号第 17 位不一致"),
    ],
)
def test_resident_validation_errors_are_400_in_chinese(client, login, overrides, message):
    user = login("wenchang_worker")
    household = Household.objects.restrict(user).first()
    before = row_counts()
    response = client.post(reverse("people:resident_add"), resident_post(household, **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert row_counts() == before


def test_missing_room_is_a_form_error(client, login):
    user = login("wenchang_worker")
    building = Building.objects.restrict(user).first()
    data = resident_post(Household.objects.first(), household="", building=building.pk, room="9-999")
    response = client.post(reverse("people:resident_add"), data)
    assert response.status_code == 400
    assert f"“{building.name}”没有房号为“9-999”的户" in response.content.decode()


def test_edit_keeps_id_and_phone_when_left_empty(client, login):
    user = login("wenchang_worker")
    resident = Resident.objects.restrict(user).exclude(phone="").select_related("household").first()
    old_id, old_phone = resident.id_number, resident.phone
    page = client.get(reverse("people:resident_edit", args=[resident.pk])).content.decode()
    assert old_id not in page and old_phone not in page
    assert resident.id_number_masked in page
    data = resident_post(
        resident.household,
        name="改过的名字",
        id_number="",
        phone="",
        gender=resident.gender,
        relation_to_head=resident.relation_to_head,
    )
    response = client.post(reverse("people:resident_edit", args=[resident.pk]), data)
    assert response.status_code == 302, response.content.decode()
    resident.refresh_from_db()
    assert (resident.name, resident.id_number, resident.phone) == ("改过的名字", old_id, old_phone)


def test_worker_grids_must_be_in_the_community(client, login):
    login("wenchang_worker")
    wenchang = area("文昌花园社区")
    own_grid = Area.objects.get_children(wenchang).filter(kind="grid").first()
    data = {
        "name": "新网格员",
        "community": wenchang.pk,
        "post": "grid",
        "is_grid_worker": "on",
        "is_active": "on",
        "phone": "13900001111",
        "grids": [own_grid.pk],
    }
    response = client.post(reverse("people:worker_add"), data)
    assert response.status_code == 302
    worker = Worker.objects.get(name="新网格员")
    assert list(worker.grids.all()) == [own_grid]
    assert worker.phone == "13900001111"
    data["grids"] = []
    data["name"] = "没有网格的网格员"
    response = client.post(reverse("people:worker_add"), data)
    assert response.status_code == 400
    assert "网格员至少服务一个网格。" in response.content.decode()


# --- search -------------------------------------------------------------------------------------------


def test_search_by_name_last4_and_phone_stays_in_scope(client, login):
    user = login("wenchang_worker")
    mine = Resident.objects.restrict(user).exclude(phone="").first()
    url = reverse("people:resident_list")
    # Names match by their beginning (surname or full name): an index range at a million residents,
    # where "contains" had to read every row in scope (see people.filters.resident_search).
    by_name = listed(client.get(url, {"q": mine.name[:2]}))
    assert by_name.filter(pk=mine.pk).exists()
    assert all(n.startswith(mine.name[:2]) for n in by_name.values_list("name", flat=True))
    # Without its surname, the text is read as a given name unless it begins with a surname itself
    # ("晨" finds 丁晨): either way one prefix range, on ``given_name`` or on ``name``.
    rest = mine.name[1:]
    column = "given_name" if looks_like_given_name(rest) else "name"
    expected = Resident.objects.restrict(user).filter(deleted_at__isnull=True, **{f"{column}__startswith": rest})
    assert set(listed(client.get(url, {"q": rest}))) == set(expected)
    by_last4 = listed(client.get(url, {"q": mine.id_number[-4:]}))
    assert by_last4.filter(pk=mine.pk).exists()
    assert set(by_last4.values_list("id_last4", flat=True)) == {mine.id_number[-4:]}
    by_phone = listed(client.get(url, {"q": mine.phone}))
    assert list(by_phone.values_list("pk", flat=True)) == [mine.pk]
    # The same search from the sibling community finds nothing of ours.
    login("dougang_worker")
    assert not listed(client.get(url, {"q": mine.phone})).exists()
    assert not listed(client.get(url, {"q": mine.id_number[-4:]})).filter(pk=mine.pk).exists()


def test_search_with_invalid_digits_matches_nobody(client, login):
    login("wenchang_worker")
    assert not listed(client.get(reverse("people:resident_list"), {"q": "12345"})).exists()


def test_age_and_gender_filters(client, login):
    user = login("wenchang_worker")
    qs = listed(client.get(reverse("people:resident_list"), {"age_min": 60, "gender": "2"}))
    limit = dt.date.today().replace(year=dt.date.today().year - 60)
    assert qs.exists()
    assert all(b <= limit for b in qs.values_list("birth_date", flat=True))
    assert set(qs.values_list("gender", flat=True)) == {"2"}
    assert (
        qs.count()
        == Resident.objects.restrict(user).filter(birth_date__lte=limit, gender="2", deleted_at__isnull=True).count()
    )


# --- masking and reveal ---------------------------------------------------------------------------------


def test_list_and_detail_show_only_masked_values(client, login):
    user = login("wenchang_worker")
    response = client.get(reverse("people:resident_list"))
    page = response.content.decode()
    shown = list(response.context["table"].page.object_list)
    assert shown
    for row in shown:
        r = row.record
        assert r.id_number not in page
        assert r.id_number_masked in page
        if r.phone:
            assert r.phone not in page
    resident = Resident.objects.restrict(user).exclude(phone="").first()
    page = client.get(reverse("people:resident_detail", args=[resident.pk])).content.decode()
    assert resident.id_number not in page and resident.phone not in page
    assert resident.id_number_masked in page and resident.phone_masked in page
    assert "查看完整信息" in page


def test_reveal_with_reason_returns_value_and_is_logged(client, login):
    user = login("grid_wc01")
    resident = Resident.objects.restrict(user).first()
    url = reverse("people:resident_reveal", args=[resident.pk])
    logs = SensitiveAccessLog.objects.count()
    response = client.post(url, {"field": "id_number", "reason": "入户走访核实"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert resident.id_number in body and "<html" not in body
    assert response["Cache-Control"] == "no-store"
    log = SensitiveAccessLog.objects.order_by("-id").first()
    assert SensitiveAccessLog.objects.count() == logs + 1
    assert (log.user_id, log.subject_id, log.field, log.reason) == (
        user.pk,
        str(resident.pk),
        "id_number",
        "入户走访核实",
    )
    # Without htmx the same POST answers a whole page.
    response = client.post(url, {"field": "id_number", "reason": "入户走访核实"})
    assert response.status_code == 200 and "<html" in response.content.decode()


def test_reveal_needs_a_reason(client, login):
    user = login("grid_wc01")
    resident = Resident.objects.restrict(user).first()
    logs = SensitiveAccessLog.objects.count()
    response = client.post(
        reverse("people:resident_reveal", args=[resident.pk]), {"field": "id_number", "reason": "看"}
    )
    assert response.status_code == 400
    assert "请填写查看理由（至少 4 个字）。" in response.content.decode()
    assert resident.id_number not in response.content.decode()
    assert SensitiveAccessLog.objects.count() == logs


def test_reveal_without_permission_is_403(client, login):
    user = login("resident_demo")
    resident = user.resident
    page = client.get(reverse("people:resident_detail", args=[resident.pk])).content.decode()
    assert "查看完整信息" not in page and resident.id_number not in page
    logs = SensitiveAccessLog.objects.count()
    response = client.post(
        reverse("people:resident_reveal", args=[resident.pk]), {"field": "id_number", "reason": "想看一下自己"}
    )
    assert response.status_code == 403
    body = response.content.decode()
    assert "您没有查看完整个人信息的权限。" in body and resident.id_number not in body
    assert SensitiveAccessLog.objects.count() == logs


def test_worker_phone_reveal(client, login):
    user = login("wenchang_worker")
    worker = Worker.objects.restrict(user).exclude(phone="").first()
    page = client.get(reverse("people:worker_detail", args=[worker.pk])).content.decode()
    assert worker.phone not in page and worker.phone_masked in page
    response = client.post(
        reverse("people:worker_reveal", args=[worker.pk]), {"field": "phone", "reason": "联系工作安排"}
    )
    assert response.status_code == 200 and worker.phone in response.content.decode()


# --- tags -------------------------------------------------------------------------------------------


@pytest.fixture
def tagged_resident(personas):
    resident = personas.resident_demo.resident
    ResidentTag.objects.create(resident=resident, tag_type=TagType.CORRECTION, scope_path=resident.scope_path)
    return resident


def test_tags_visible_to_workers(client, login, tagged_resident):
    login("wenchang_worker")
    page = client.get(reverse("people:resident_detail", args=[tagged_resident.pk])).content.decode()
    assert "社区矫正人员" in page
    response = client.get(reverse("people:resident_list"), {"tag_type": TagType.CORRECTION})
    assert list(listed(response).values_list("pk", flat=True)) == [tagged_resident.pk]


def test_tags_invisible_without_viewtags(client, login, tagged_resident):
    login("resident_demo")
    page = client.get(reverse("people:resident_detail", args=[tagged_resident.pk])).content.decode()
    list_page = client.get(reverse("people:resident_list"), {"tag_type": TagType.CORRECTION})
    assert list_page.status_code == 200
    assert listed(list_page).filter(pk=tagged_resident.pk).exists()  # the parameter is ignored, not applied
    for label in TagType.labels:
        assert label not in page
        assert label not in list_page.content.decode()
    assert "人群标签" not in page and "人群标签" not in list_page.content.decode()
    assert client.get(reverse("people:resident_tag_add", args=[tagged_resident.pk])).status_code == 403


def test_quarter_secretary_sees_no_residents_or_tags(client, tagged_resident):
    wenchang = area("文昌花园社区")
    quarter = Area.objects.get_children(wenchang).filter(kind="quarter").first() or wenchang
    user = new_user("qs_test", "quarter_secretary", quarter)
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now())
    client.force_login(user)
    assert client.get(reverse("people:resident_list")).status_code == 403
    assert client.get(reverse("people:resident_detail", args=[tagged_resident.pk])).status_code == 404
    assert client.get(reverse("people:resident_tag_add", args=[tagged_resident.pk])).status_code == 403


def test_add_tag(client, login, personas):
    login("grid_wc01")
    resident = Resident.objects.restrict(personas.grid_wc01).first()
    response = client.post(
        reverse("people:resident_tag_add", args=[resident.pk]),
        {"tag_type": TagType.LONELY_ELDERLY, "risk_level": "low"},
    )
    assert response.status_code == 302
    tag = ResidentTag.objects.get(resident=resident, tag_type=TagType.LONELY_ELDERLY)
    assert tag.scope_path == resident.scope_path


def test_move_resident_by_building_and_room(client, login):
    user = login("wenchang_worker")
    resident = Resident.objects.restrict(user).select_related("household").first()
    target = Household.objects.restrict(user).exclude(pk=resident.household_id).select_related("building").last()
    data = resident_post(
        resident.household, household="", building=target.building_id, room=target.room, name=resident.name,
        id_number="", phone="", gender=resident.gender, relation_to_head="99",
    )  # fmt: skip
    response = client.post(reverse("people:resident_edit", args=[resident.pk]), data)
    assert response.status_code == 302
    resident.refresh_from_db()
    assert (resident.household_id, resident.building_id, resident.scope_path) == (
        target.pk,
        target.building_id,
        target.scope_path,
    )


def test_a_deleted_resident_cannot_be_revealed_or_tagged(client, login):
    from django.utils import timezone

    from jiceng.people.models import Resident

    login("wenchang_worker")
    resident = Resident.objects.filter(scope_path__startswith=Area.objects.get(name="文昌花园社区").path).first()
    Resident.objects.filter(pk=resident.pk).update(deleted_at=timezone.now())
    response = client.post(
        reverse("people:resident_reveal", args=[resident.pk]), {"field": "id_number", "reason": "核实身份信息"}
    )
    assert response.status_code == 404
    assert resident.id_number not in response.content.decode()
    assert client.get(reverse("people:resident_tag_add", args=[resident.pk])).status_code == 404


def test_a_grid_worker_is_not_told_the_names_of_sibling_grids(client, login):
    from jiceng.people.models import Worker

    user = login("grid_wc01")
    own = Area.objects.get(pk=user.grants.get().area_id)
    worker = Worker.objects.get(user=user)
    others = [g.name for g in worker.grids.exclude(pk=own.pk)]
    assert others, "the demo grid worker serves two grids"
    for url in (reverse("people:worker_list"), reverse("people:worker_detail", args=[worker.pk])):
        body = client.get(url).content.decode()
        assert own.name in body
        for name in others:
            assert name not in body


# --- adding a person from the household page ---------------------------------------------------------


def test_household_page_adds_a_member_with_its_dwelling_filled_in(client, login):
    import re

    login("grid_wc01")
    household = (
        under(Household, "文昌花园社区").filter(building__grid__code="34110300301201", head__isnull=False).first()
    )
    page = client.get(reverse("territory:household_detail", args=[household.pk])).content.decode()
    link = f'<a class="btn btn-outline-danger btn-sm ms-auto" id="jc-add-member" href="/people/residents/add/?household={household.pk}">添加成员</a>'
    assert link in page
    form = client.get(f"/people/residents/add/?household={household.pk}").context["form"]
    assert (form.initial["building"], form.initial["room"], form.initial["relation_to_head"]) == (
        household.building_id, household.room, ""
    )  # fmt: skip
    html = client.get(f"/people/residents/add/?household={household.pk}").content.decode()
    assert re.search(rf'name="room"[^>]*value="{re.escape(household.room)}"', html)
    data = resident_post(
        household, household="", building=household.building_id, room=household.room, relation_to_head="20"
    )
    response = client.post(f"/people/residents/add/?household={household.pk}", data)
    assert response.status_code == 302
    assert Resident.objects.get(name="测试居民").household_id == household.pk


def test_household_page_offers_no_add_to_a_reader(client, login):
    login("resident_demo")
    household = login("resident_demo").resident.household
    page = client.get(reverse("territory:household_detail", args=[household.pk])).content.decode()
    assert client.get(reverse("territory:household_detail", args=[household.pk])).status_code == 200
    assert "jc-add-member" not in page


def test_a_foreign_household_id_fills_in_nothing(client, login):
    login("wenchang_worker")
    foreign = under(Household, "陡岗社区").first()
    form = client.get(f"/people/residents/add/?household={foreign.pk}").context["form"]
    assert "building" not in form.initial and "room" not in form.initial


def test_ethnicity_offers_the_56_groups_of_gb_t_3304(client, login):
    from jiceng.people.choices import Ethnicity

    codes = [f"{n:02d}" for n in range(1, 57)] + ["97", "98"]
    assert Ethnicity.values == codes
    assert (Ethnicity("12").label, Ethnicity("56").label, Ethnicity("98").label) == (
        "侗族",
        "基诺族",
        "外国血统中国籍人士",
    )
    login("wenchang_worker")
    field = client.get("/people/residents/add/").context["form"].fields["ethnicity"]
    assert [c for c, _ in field.choices if c] == codes
