"""The scope matrix: every detail/edit URL of every scoped model × a user of a sibling subtree → 404,
and every list page × that user → the object is absent. Built by walking the URL conf, so a new
view is covered the day it is added."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from jiceng.core.entity_views import EntityDeleteView, EntityFileView
from jiceng.core.views import ObjectDetailView, ObjectEditView, ObjectListView
from jiceng.territory.models import Area

pytestmark = pytest.mark.django_db

# (viewer, the sibling subtree whose objects the viewer must never reach)
PAIRS = [("longpan_admin", "银花街道"), ("wenchang_worker", "陡岗社区"), ("yinhua_admin", "龙蟠街道")]


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            yield from _walk(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield prefix + p.name, p


def _scoped_views():
    out = []
    for name, pattern in _walk(get_resolver().url_patterns):
        view_class = getattr(pattern.callback, "view_class", None)
        model = getattr(view_class, "model", None) if view_class is not None else None
        if model is None:
            continue
        field = getattr(model, "scope_path_field", "scope_path")
        if field not in {f.name for f in model._meta.get_fields()}:
            continue  # not a tree-scoped model (e.g. accounts; tested in its own app)
        out.append((name, pattern, view_class))
    return out


def _object_in(model, view_class, area_name):
    area = Area.objects.get(name=area_name)
    field = getattr(model, "scope_path_field", "scope_path")
    qs = view_class.queryset if view_class.queryset is not None else model._default_manager.all()
    if hasattr(view_class, "get_base_queryset") and getattr(view_class, "kind", None):
        qs = qs.filter(kind=view_class.kind)
    return qs.filter(**{f"{field}__startswith": area.path}).exclude(**{field: area.path}).order_by("pk").first()


DETAIL_VIEWS = [
    (n, v)
    for n, p, v in _scoped_views()
    if issubclass(v, (ObjectDetailView, ObjectEditView, EntityDeleteView, EntityFileView))
    and "<int:pk>" in str(p.pattern)
]
LIST_VIEWS = [(n, v) for n, p, v in _scoped_views() if issubclass(v, ObjectListView)]


def test_the_matrix_is_not_empty():
    assert len(DETAIL_VIEWS) >= 6 and len(LIST_VIEWS) >= 6


@pytest.mark.parametrize("viewer,sibling", PAIRS)
@pytest.mark.parametrize("name,view_class", DETAIL_VIEWS, ids=[n for n, _ in DETAIL_VIEWS])
def test_detail_and_edit_of_sibling_object_is_404(client, login, viewer, sibling, name, view_class):
    obj = _object_in(view_class.model, view_class, sibling)
    if obj is None:
        pytest.skip(f"演示数据中 {sibling} 没有 {view_class.model._meta.verbose_name}")
    login(viewer)
    response = client.get(reverse(name, args=[obj.pk]))
    assert response.status_code in (403, 404), f"{name} 泄露了 {sibling} 的对象"
    response = client.post(reverse(name, args=[obj.pk]), {})
    assert response.status_code in (403, 404, 405)


@pytest.mark.parametrize("viewer,sibling", PAIRS)
@pytest.mark.parametrize("name,view_class", LIST_VIEWS, ids=[n for n, _ in LIST_VIEWS])
def test_list_never_shows_sibling_object(client, login, viewer, sibling, name, view_class):
    obj = _object_in(view_class.model, view_class, sibling)
    if obj is None:
        pytest.skip(f"演示数据中 {sibling} 没有 {view_class.model._meta.verbose_name}")
    user = login(viewer)
    visible = view_class().get_base_queryset().restrict(user, "view")
    assert not visible.filter(pk=obj.pk).exists()
    response = client.get(reverse(name))
    if response.status_code == 200 and hasattr(obj, "get_absolute_url"):
        assert f'href="{obj.get_absolute_url()}"' not in response.content.decode()
