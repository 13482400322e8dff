"""Territory pages: lists, details and edits stay inside the user's subtree."""

import pytest
from django.urls import reverse

from jiceng.audit.models import AuditLog
from jiceng.territory.models import Area, Building, Household

pytestmark = pytest.mark.django_db


def _area(name):
    return Area.objects.get(name=name)


def _building_in(street_name):
    return Building.objects.filter(scope_path__startswith=_area(street_name).path).order_by("id").first()


def test_street_list_shows_only_own_street(client, login):
    login("longpan_admin")
    response = client.get(reverse("territory:street_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "龙蟠街道" in body
    assert "银花街道" not in body and "同乐街道" not in body


def test_grid_list_search_and_scope(client, login):
    login("wenchang_worker")
    response = client.get(reverse("territory:grid_list"), {"q": "文昌花园第1网格"})
    assert response.status_code == 200
    assert "文昌花园第1网格" in response.content.decode()
    response = client.get(reverse("territory:grid_list"), {"q": "陡岗"})
    assert "陡岗第1网格" not in response.content.decode()


def test_area_detail_of_sibling_is_404(client, login):
    login("longpan_admin")
    assert client.get(reverse("territory:area_detail", args=[_area("银花西区社区").pk])).status_code == 404
    response = client.get(reverse("territory:area_detail", args=[_area("文昌花园社区").pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "文昌花园第1网格" in body
    # Breadcrumb: the district is above the user's node, shown without a link.
    assert "南谯区" in body
    assert f'href="{reverse("territory:area_detail", args=[_area("南谯区").pk])}"' not in body


def test_grid_worker_sees_own_grid_not_sibling_grid(client, login):
    user = login("grid_wc01")
    own = Area.objects.get(pk=user.grants.get().area_id)
    other = Area.objects.get(pk=_persona_grid("grid_wc02"))
    assert client.get(reverse("territory:area_detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("territory:area_detail", args=[other.pk])).status_code == 404
    sibling_building = Building.objects.filter(grid=other).first()
    assert client.get(reverse("territory:building_detail", args=[sibling_building.pk])).status_code == 404


def _persona_grid(username):
    from jiceng.accounts.models import RoleGrant

    return RoleGrant.objects.get(user__username=username).area_id


def test_building_list_scope(client, login):
    login("yinhua_admin")
    response = client.get(reverse("territory:building_list"))
    assert response.status_code == 200
    longpan_building = _building_in("龙蟠街道")
    assert longpan_building.code not in response.content.decode()
    assert _building_in("银花街道").code in response.content.decode()


def test_create_building_in_foreign_grid_is_refused_and_writes_nothing(client, login):
    login("wenchang_worker")
    foreign_grid = Area.objects.filter(kind="grid", path__startswith=_area("陡岗社区").path).first()
    before = (Building.objects.count(), AuditLog.objects.count())
    response = client.post(
        reverse("territory:building_add"), {"grid": foreign_grid.pk, "number": "99", "usage": "residential"}
    )
    # The foreign grid is not even a valid choice for this user.
    assert response.status_code == 400
    assert "选择一个有效的选项" in response.content.decode() or "有效" in response.content.decode()
    assert (Building.objects.count(), AuditLog.objects.count()) == before


def test_create_building_in_own_grid(client, login):
    login("wenchang_worker")
    grid = Area.objects.filter(kind="grid", path__startswith=_area("文昌花园社区").path).order_by("code").first()
    response = client.post(
        reverse("territory:building_add"), {"grid": grid.pk, "number": "88", "usage": "residential", "floors": "6"}
    )
    assert response.status_code == 302
    building = Building.objects.get(grid=grid, number="88")
    assert building.code.startswith(grid.code[:12]) and len(building.code) == 17
    assert building.scope_path == grid.path
    assert AuditLog.objects.filter(
        action="create", object_type="territory.Building", object_id=str(building.pk)
    ).exists()


def test_household_detail_masks_personal_data(client, login):
    login("wenchang_worker")
    household = Household.objects.filter(scope_path__startswith=_area("文昌花园社区").path).first()
    response = client.get(reverse("territory:household_detail", args=[household.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    for r in household.residents.all():
        assert r.id_number not in body
        assert r.id_number_masked in body


def test_grid_code_rule_on_create(client, login):
    login("longpan_admin")  # 网格划分须经街道审定: the street adds grids
    community = _area("文昌花园社区")
    url = reverse("territory:area_add", args=[community.pk, "grid"])
    response = client.get(url)
    assert response.status_code == 200
    assert community.code + "32" in response.content.decode()  # next serial proposed
    response = client.post(
        url, {"name": "新网格", "code": "341103004001" + "99", "grid_type": "basic", "is_active": "on"}
    )
    assert response.status_code == 400
    assert "网格代码应为所属社区代码" in response.content.decode()
    response = client.post(
        url, {"name": "文昌花园第32网格", "code": community.code + "32", "grid_type": "basic", "is_active": "on"}
    )
    assert response.status_code == 302
    assert Area.objects.get(code=community.code + "32").kind == "grid"


def test_bad_geojson_boundary_rejected_in_chinese(client, login):
    login("wenchang_worker")
    grid = Area.objects.filter(kind="grid", path__startswith=_area("文昌花园社区").path).order_by("code").first()
    response = client.post(
        reverse("territory:area_edit", args=[grid.pk]),
        {
            "name": grid.name,
            "code": grid.code,
            "grid_type": "basic",
            "boundary": '{"type": "Point", "coordinates": [1, 2]}',
            "is_active": "on",
        },
    )
    assert response.status_code == 400
    assert "Polygon" in response.content.decode()


def test_a_constraint_conflict_on_save_is_a_409_with_a_chinese_message(client, login, monkeypatch):
    from django.db import IntegrityError

    from jiceng.territory import views

    def clash(*args, **kwargs):
        raise IntegrityError("UNIQUE constraint failed: territory_building.code")

    monkeypatch.setattr(views.services, "building_create", clash)
    login("wenchang_worker")
    grid = Area.objects.filter(kind="grid", path__startswith=_area("文昌花园社区").path).order_by("code").first()
    before = Building.objects.count()
    response = client.post(reverse("territory:building_add"), {"grid": grid.pk, "number": "66", "usage": "residential"})
    assert response.status_code == 409
    assert "保存时与他人的修改冲突" in response.content.decode()
    assert Building.objects.count() == before


@pytest.mark.parametrize("kind", ["grid", "quarter"])
def test_a_grid_or_quarter_page_links_each_of_its_buildings(client, login, kind):
    """The buildings table's links are built from one ``reverse`` (``pk_url``): each is the building's own."""
    login("longpan_admin")
    area = Area.objects.filter(kind=kind, path__startswith=_area("龙蟠街道").path).order_by("path").first()
    buildings = Building.objects.filter(**{kind: area})
    body = client.get(reverse("territory:area_detail", args=[area.pk])).content.decode()
    assert buildings.exists()
    for b in buildings[:200]:
        assert f'<a href="{reverse("territory:building_detail", args=[b.pk])}">{b.name}</a>' in body


def test_the_grid_page_query_count_is_pinned_and_flat(client, login, personas, outside, django_assert_num_queries):
    """The session, the user with its grants, the grid, its chain with the stats versions, its buildings,
    its Party organisations, its grid workers: 7, however many buildings it has (the figures cached)."""
    from jiceng.territory.services import building_create

    login("longpan_admin")
    grid = Building.objects.filter(scope_path__startswith=_area("龙蟠街道").path).order_by("id").first().grid
    url = reverse("territory:area_detail", args=[grid.pk])
    client.get(url)
    with django_assert_num_queries(7):
        before = client.get(url)
    for n in range(5):
        building_create(actor=personas.longpan_admin, grid=grid, number=f"9{n}", floors=6)
    client.get(url)  # the writes bumped the versions: the figures are counted again once
    with django_assert_num_queries(7):
        after = client.get(url)
    assert len(after.context["buildings"]) == len(before.context["buildings"]) + 5
