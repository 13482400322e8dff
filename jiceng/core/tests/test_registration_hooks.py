"""The hooks through which the apps above register into the apps below (docs/decisions/import-layers.md):
counted models and the figures' cache (``core.counting``), the rows that follow a parent's scope path
(``scope_parent``), audit redaction, the territory pages' context, the login page's demo accounts, the tree's node
paths (``core.scoping.node_path``) and the apps' API routes (``api.registry``)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jiceng.accounts import login_hints
from jiceng.audit import registry as audit_registry
from jiceng.audit.services import SENSITIVE_CHANGED, display_detail, snapshot
from jiceng.core import counting
from jiceng.core.scoping import scope_followers
from jiceng.dashboards import stats_cache
from jiceng.dashboards.selectors import area_page_context
from jiceng.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from jiceng.party.models import CentralHousehold, PartyGroup, PartyMember, PartyOrg
from jiceng.party.selectors import area_party_orgs
from jiceng.people.models import Resident, ResidentTag, Worker
from jiceng.people.selectors import household_members
from jiceng.territory import pages
from jiceng.territory.models import Area, Building, Community, Grid, Household, Quarter, Street


def test_every_counted_model_is_registered_by_its_app():
    tree = {
        Area, Street, Community, Grid, Quarter, Building, Household, Resident, PartyOrg, PartyGroup,
        CentralHousehold, PartyMember, Worker,
    }  # fmt: skip
    counted = set(counting.counted_models())
    assert tree <= counted
    # the capability apps count their own rows, each registered in its own AppConfig.ready()
    assert {m._meta.app_label for m in counted - tree} <= {"committee", "needs", "members", "cobuild"}
    m2m = {c.model: c.m2m for c in counting.counted() if c.m2m}
    assert m2m == {Worker: ("grids",), PartyGroup: ("buildings",)}
    # the tables a cached list count may read: the models' and the two relations'
    assert stats_cache.versioned_tables() >= {
        Resident._meta.db_table,
        Worker.grids.through._meta.db_table,
        PartyGroup.buildings.through._meta.db_table,
    }


def test_the_figures_cache_is_reached_through_the_core_hook():
    assert counting._cache is stats_cache
    assert counting.versioned_tables() == stats_cache.versioned_tables()


def test_without_a_registered_cache_core_computes_and_invalidates_nothing(monkeypatch):
    monkeypatch.setattr(counting, "_cache", None)
    calls = []
    assert counting.cached("list-count", None, ["0001"], "", lambda: calls.append(1) or 7) == 7
    assert calls == [1]
    assert counting.versioned_tables() == frozenset()
    counting.bump_paths(["0001"])  # nothing registered: nothing to do, no error


def test_a_listener_sees_the_models_registered_before_and_after_it(monkeypatch):
    monkeypatch.setattr(counting, "_counted", list(counting._counted))
    monkeypatch.setattr(counting, "_listeners", [])
    seen = []
    counting.on_counted(lambda entry: seen.append(entry.model))
    assert seen == counting.counted_models()

    class Later:
        pass

    counting.register_counted(Later)
    counting.register_counted(Later)  # declared twice: counted once
    assert seen[-1] is Later and seen.count(Later) == 1
    assert counting.counted_models().count(Later) == 1


def test_rows_follow_the_parent_their_app_declares():
    assert scope_followers(Building) == [Household]
    # and the capability apps' rows that sit at a household (党员联户: the link and the visit)
    followers = set(scope_followers(Household))
    assert {Resident, CentralHousehold} <= followers
    assert {m._meta.app_label for m in followers - {Resident, CentralHousehold}} <= {"members"}
    assert scope_followers(Resident) == [ResidentTag]
    assert scope_followers(Area) == []
    assert Resident.scope_parent_copies == {"building": "building", "grid": "building__grid"}


def test_audit_redaction_is_declared_per_model_by_the_owning_app():
    assert audit_registry.SECRET["people.Resident"] >= {"id_number", "phone", "id_hash", "phone_hash"}
    assert audit_registry.SECRET["party.PartyMember"] == {"phone"}
    assert audit_registry.SECRET["accounts.User"] == {"password"}
    assert audit_registry.SENSITIVE["people.ResidentTag"] == {"tag_type", "risk_level", "help_measures"}
    assert audit_registry.NEUTRAL_REPR["people.ResidentTag"] == "人群标签 #{pk}"
    # a model that declared nothing keeps every value (a territory node's name is no secret)
    node = Area(name="文昌花园社区", path="0001", depth=1, kind="community", code="341103003012")
    assert snapshot(node)["name"] == "文昌花园社区"
    # a stored row's changes carry no model: every declared sensitive name is hidden there
    detail = {"changes": {"religion": {"before": "", "after": "佛教"}, "name": {"before": "a", "after": "b"}}}
    shown = display_detail(detail)["changes"]
    assert shown["religion"]["after"] == SENSITIVE_CHANGED and shown["name"]["after"] == "b"


def test_a_declared_field_is_redacted_in_the_snapshot(monkeypatch):
    monkeypatch.setattr(audit_registry, "SECRET", {**audit_registry.SECRET, "territory.Area": frozenset({"code"})})
    monkeypatch.setattr("jiceng.audit.services.SECRET", audit_registry.SECRET)
    node = Area(name="文昌花园社区", path="0001", depth=1, kind="community", code="341103003012")
    assert snapshot(node)["code"] == "（已加密，不记录明文）"


def test_page_context_contributors_add_in_order_and_once(monkeypatch):
    monkeypatch.setattr(pages, "_contributors", {})

    def first(user, obj):
        return {"a": 1, "b": 1}

    def second(user, obj):
        return {"b": 2}

    pages.register_page_context("p", first)
    pages.register_page_context("p", second)
    pages.register_page_context("p", first)
    assert pages.page_context("p", None, None) == {"a": 1, "b": 2}
    assert pages.page_context("other", None, None) == {}


def test_the_apps_above_contribute_to_the_territory_pages():
    assert pages._contributors["area_detail"] == [area_party_orgs, area_page_context]
    assert pages._contributors["household_detail"] == [household_members]


@pytest.mark.django_db
def test_the_login_page_lists_the_demo_accounts_the_demo_registered_only_in_debug(client, settings):
    assert login_hints.demo_accounts() == (DEMO_ACCOUNTS, DEMO_PASSWORD)
    settings.DEBUG = True
    html = client.get(reverse("accounts:login")).content.decode()
    assert DEMO_PASSWORD in html and "qu_admin" in html and "区委组织部（全区）" in html
    settings.DEBUG = False
    html = client.get(reverse("accounts:login")).content.decode()
    assert DEMO_PASSWORD not in html


@pytest.mark.django_db
def test_territory_registers_the_node_path_lookup(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from jiceng.core import scoping

    street = Street.objects.order_by("pk").first()
    assert scoping.node_path(street.pk) == street.path
    assert scoping.node_path(Area.objects.order_by("-pk").values_list("pk", flat=True).first() + 1) is None
    monkeypatch.setattr(scoping, "_node_path", None)
    with pytest.raises(ImproperlyConfigured, match="未注册辖区树"):
        scoping.node_path(street.pk)


def test_each_app_registers_its_api_resources():
    from jiceng.api import registry
    from jiceng.api.urls import router

    assert router is registry.router
    owners = {viewset.__module__ for _prefix, viewset, _basename in router.registry}
    assert {"jiceng.territory.api", "jiceng.people.api", "jiceng.party.api"} <= owners
    names = {p.name for p in registry.urlpatterns if getattr(p, "name", None)}
    assert {"stats", "import_create", "import_detail"} <= names
    included = {getattr(getattr(p, "urlconf_name", None), "__name__", None) for p in registry.urlpatterns}
    assert "jiceng.tickets.api.urls" in included
