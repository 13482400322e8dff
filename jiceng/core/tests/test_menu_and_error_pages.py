"""The 数据导入 link follows the import permissions; the error pages link their stylesheet through the
static files storage (fingerprinted under the production manifest storage)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse

from jiceng.core.templatetags.jiceng import _rendered_nav
from jiceng.core.tests.helpers import new_user
from jiceng.territory.models import Area

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_menu():
    _rendered_nav.cache_clear()
    yield
    _rendered_nav.cache_clear()


def test_a_quarter_secretary_sees_the_import_link_and_imports_party_data():
    from jiceng.imports.services import importable_kinds

    secretary = new_user("q_secretary_menu", "quarter_secretary", Area.objects.get(code="341103003012Q01"))
    assert not secretary.scope.has_perm("people.add_resident")  # the old condition hid the link
    assert importable_kinds(secretary) == ["party_orgs", "party_members"]
    menu = _rendered_nav(("quarter_secretary",), "/")
    assert f'href="{reverse("imports:home")}">数据导入</a>' in menu


@pytest.mark.parametrize("username", ["resident_demo", "member_demo"])
def test_who_imports_nothing_has_no_import_link(client, personas, username):
    client.force_login(getattr(personas, username))
    home = client.get("/").content.decode()
    assert reverse("imports:home") not in home
    assert client.get(reverse("imports:home")).status_code == 403


def test_the_grid_worker_keeps_both_links(client, personas):
    client.force_login(personas.grid_wc01)
    home = client.get("/").content.decode()
    assert f'href="{reverse("imports:home")}">数据导入</a>' in home and reverse("exports:job_list") in home


@pytest.mark.parametrize("template", ["400", "403", "404", "500"])
def test_the_error_pages_link_the_stylesheet_through_the_storage(settings, template):
    from django.template.loader import render_to_string

    settings.STATIC_URL = "/assets/"
    html = render_to_string(f"errors/{template}.html", {"message": ""}, request=RequestFactory().get("/"))
    assert 'href="/assets/vendor/bootstrap/bootstrap.min.css"' in html and "/static/" not in html


def test_an_error_page_still_renders_when_the_manifest_lacks_the_stylesheet(settings, tmp_path):
    from django.template.loader import render_to_string

    settings.STATIC_ROOT = tmp_path
    (tmp_path / "staticfiles.json").write_text('{"paths": {}, "version": "1.1"}')
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    html = render_to_string("errors/500.html", {}, request=RequestFactory().get("/"))  # no ValueError
    assert 'href="/static/vendor/bootstrap/bootstrap.min.css"' in html
