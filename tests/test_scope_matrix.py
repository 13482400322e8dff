"""The scope matrix: every detail/edit URL of every scoped model × a user of a sibling subtree → 404,
and every list page × that user → the object is absent. Built by walking the URL conf, so a new
view is covered the day it is added.

The same walk finds the routes that carry the id of a *parent* object (``areas/<parent>/add/<kind>/``,
``orgs/<org>/seats/add/``: the nested add routes) and the function views that take an object id; each
must be declared in ``NESTED_ROUTES`` or ``FUNCTION_ROUTES``, or the coverage test fails. Every case
needs its sibling row: a missing one fails the test (it never skips; a list of streets is not paired
with a sibling community, where no street can be), and a control user who covers the sibling subtree
must reach the same URL, so that a 404 is the scope's and not a wrong id's."""

from __future__ import annotations

import re

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from jiceng.attachments.models import Attachment
from jiceng.audit.models import SensitiveAccessLog
from jiceng.audit.services import audit_record
from jiceng.core.tests.helpers import row_counts
from jiceng.core.views import ObjectListView
from jiceng.exports.models import ExportJob
from jiceng.imports.models import ImportJob
from jiceng.notices.models import Notice
from jiceng.party.models import PartyGroup, PartyOrg
from jiceng.people.models import Resident
from jiceng.territory.models import Area, Household
from jiceng.testing.personas import persona
from jiceng.tickets.models import Ticket, TicketAction, TicketAttachment

pytestmark = pytest.mark.django_db

# (viewer, the sibling subtree whose objects the viewer must never reach)
PAIRS = [("longpan_admin", "银花街道"), ("wenchang_worker", "陡岗社区"), ("yinhua_admin", "龙蟠街道")]
#: Who covers each sibling subtree (the control: reaches what the viewer must not).
CONTROL = {"银花街道": "yinhua_admin", "陡岗社区": "longpan_admin", "龙蟠街道": "longpan_admin"}
#: The kind of each sibling node: a list of a kind above it (streets, for a community) has no row there.
SIBLING_KIND = {"银花街道": "street", "陡岗社区": "community", "龙蟠街道": "street"}
KIND_DEPTH = {"district": 1, "street": 2, "community": 3, "grid": 4, "quarter": 4}

#: Route prefixes with scope tests of their own (the REST API: api/tests/test_scope.py; Open311:
#: open311/tests) and accounts, whose users are scoped by their grants (accounts/tests/test_views.py).
OWN_TESTS = ("api/", "open311/", "accounts/")
ID_ARG = re.compile(r"<int:(\w+)>")
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _walk(patterns, prefix="", route=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            yield from _walk(p.url_patterns, ns, route + str(p.pattern))
        elif isinstance(p, URLPattern) and p.name:
            yield prefix + p.name, p, route + str(p.pattern)


def _scoped_views():
    out = []
    for name, pattern, _route in _walk(get_resolver().url_patterns):
        view_class = getattr(pattern.callback, "view_class", None)
        model = getattr(view_class, "model", None) if view_class is not None else None
        if model is None:
            continue
        field = getattr(model, "scope_path_field", "scope_path").split("__")[0]  # or through a relation
        if field not in {f.name for f in model._meta.get_fields()}:
            continue  # not a tree-scoped model (e.g. accounts; tested in its own app)
        out.append((name, pattern, view_class))
    return out


def _in_subtree(qs, area_name, field="scope_path"):
    area = Area.objects.get(name=area_name)
    return qs.filter(**{f"{field}__startswith": area.path}).order_by("pk")


def _object_in(model, view_class, area_name):
    field = getattr(model, "scope_path_field", "scope_path")
    qs = getattr(view_class, "queryset", None)
    qs = qs if qs is not None else model._default_manager.all()
    if hasattr(view_class, "get_base_queryset") and getattr(view_class, "kind", None):
        qs = qs.filter(kind=view_class.kind)
    return _in_subtree(qs, area_name, field).first()


def _require(obj, sibling, what):
    assert obj is not None, f"演示数据中 {sibling} 没有 {what}：范围矩阵缺少兄弟子树的数据行"
    return obj


def _possible(view_class, sibling):
    """False only for a list of area nodes of a kind above the sibling node (streets in a community)."""
    kind = getattr(view_class, "kind", None)
    return kind is None or KIND_DEPTH[kind] >= KIND_DEPTH[SIBLING_KIND[sibling]]


@pytest.fixture
def sibling_logs(db):
    """The demo writes no audit rows: one audit row and one reveal record in each sibling subtree, as a
    write and a reveal there would leave them."""
    for sibling, control in CONTROL.items():
        user = persona(control)
        path = Area.objects.get(name=sibling).path
        audit_record(actor=user, action="probe", scope_path=path)
        resident = _in_subtree(Resident.objects.all(), sibling).first()
        SensitiveAccessLog.objects.create(
            user=user, subject_type="people.Resident", subject_id=str(resident.pk), field="phone",
            reason="入户核实", scope_path=path,
        )  # fmt: skip


DETAIL_VIEWS = [
    (n, v)
    for n, p, v in _scoped_views()
    if not issubclass(v, ObjectListView) and ID_ARG.findall(str(p.pattern)) == ["pk"]  # detail, edit, reveal …
]
LIST_VIEWS = [(n, v) for n, p, v in _scoped_views() if issubclass(v, ObjectListView)]
LIST_CASES = [
    pytest.param(viewer, sibling, name, view_class, id=f"{name}-{viewer}-{sibling}")
    for name, view_class in LIST_VIEWS
    for viewer, sibling in PAIRS
    if _possible(view_class, sibling)
]


def test_the_matrix_is_not_empty():
    assert len(DETAIL_VIEWS) >= 6 and len(LIST_VIEWS) >= 6


@pytest.mark.parametrize("viewer,sibling", PAIRS)
@pytest.mark.parametrize("name,view_class", DETAIL_VIEWS, ids=[n for n, _ in DETAIL_VIEWS])
def test_detail_and_edit_of_sibling_object_is_404(client, login, sibling_logs, viewer, sibling, name, view_class):
    obj = _require(_object_in(view_class.model, view_class, sibling), sibling, view_class.model._meta.verbose_name)
    login(viewer)
    response = client.get(reverse(name, args=[obj.pk]))
    assert response.status_code in (403, 404), f"{name} 泄露了 {sibling} 的对象"
    response = client.post(reverse(name, args=[obj.pk]), {})
    assert response.status_code in (403, 404, 405)


@pytest.mark.parametrize("viewer,sibling,name,view_class", LIST_CASES)
def test_list_never_shows_sibling_object(client, login, sibling_logs, viewer, sibling, name, view_class):
    obj = _require(_object_in(view_class.model, view_class, sibling), sibling, view_class.model._meta.verbose_name)
    user = login(viewer)
    visible = view_class().get_base_queryset().restrict(user, "view")
    assert not visible.filter(pk=obj.pk).exists()
    response = client.get(reverse(name))
    if response.status_code == 200 and hasattr(obj, "get_absolute_url"):
        assert f'href="{obj.get_absolute_url()}"' not in response.content.decode()


# --- nested add routes and function views ------------------------------------------------------------

#: Class-based routes that take a parent object's id: the parent's rows and the other URL arguments.
NESTED_ROUTES = {
    "territory:area_add": ("parent", lambda: Area.objects.filter(kind="community"), {"kind": "grid"}),
    "party:seat_add": ("org", lambda: PartyOrg.objects.all(), {}),
    "party:branch_group_add": ("branch", lambda: PartyOrg.objects.filter(org_type="branch"), {}),
    "party:centralhousehold_add": ("group", lambda: PartyGroup.objects.all(), {}),
    "people:resident_tag_add": ("resident", lambda: Resident.objects.filter(deleted_at__isnull=True), {}),
}


def _ticket_in(sibling):
    return _in_subtree(Ticket.objects.all(), sibling).first()


def _photo_in(sibling):
    ticket = _ticket_in(sibling)
    item = TicketAttachment(ticket=ticket, content_type="image/png", size=len(PNG), original_name="现场.png")
    item.file.save("现场.png", ContentFile(PNG), save=False)
    item.save()
    return {"pk": ticket.pk, "attachment": item.pk}


def _attachment_in(sibling):
    ticket = _ticket_in(sibling)
    item = Attachment(
        target=ticket, scope_path=ticket.scope_path, content_type="image/png", size=len(PNG), original_name="现场.png"
    )
    item.file.save("现场.png", ContentFile(PNG), save=False)
    item.save()
    return {"pk": item.pk}


def _job(model, owner, **fields):
    job = model(owner=owner, status="done", **fields)
    job.file.save("f.xlsx", ContentFile(b"PK"), save=False)
    job.save()
    return job


#: Function views that take an object id: ``(sibling, control user) → URL arguments`` (rows the demo
#: lacks are made for the control user), and the methods to try.
FUNCTION_ROUTES = {
    "dashboards:grid_geojson": (
        lambda s, c: {"community": _in_subtree(Area.objects.filter(kind="community"), s, "path").first().pk},
        ("get",),
    ),
    "tickets:detail": (lambda s, c: {"pk": _ticket_in(s).pk}, ("get", "post")),
    "tickets:act": (lambda s, c: {"pk": _ticket_in(s).pk, "action": "progress"}, ("get", "post")),
    "tickets:reveal_contact": (lambda s, c: {"pk": _ticket_in(s).pk}, ("post",)),
    "tickets:photo": (lambda s, c: _photo_in(s), ("get",)),
    "attachments:file": (lambda s, c: _attachment_in(s), ("get",)),
    "notices:open": (
        lambda s, c: {"pk": Notice.objects.create(user=c, target=_ticket_in(s), text="进展").pk},
        ("get",),
    ),
    "imports:job_detail": (
        lambda s, c: {"pk": _job(ImportJob, c, kind="residents", original_name="居民.xlsx").pk},
        ("get",),
    ),
    "imports:report": (
        lambda s, c: {"pk": _job(ImportJob, c, kind="residents", original_name="居民.xlsx").pk},
        ("get",),
    ),
    "exports:job_detail": (
        lambda s, c: {
            "pk": _job(ExportJob, c, title="居民", model_label="people.Resident", path="/people/residents/").pk
        },
        ("get",),
    ),
    "exports:job_download": (
        lambda s, c: {
            "pk": _job(ExportJob, c, title="居民", model_label="people.Resident", path="/people/residents/").pk
        },
        ("get",),
    ),
}


def _id_routes():
    """(name, view_class or None, the id arguments) of every route with an object id, outside ``OWN_TESTS``."""
    for name, pattern, route in _walk(get_resolver().url_patterns):
        ids = ID_ARG.findall(route)
        if ids and not route.startswith(OWN_TESTS):
            yield name, getattr(pattern.callback, "view_class", None), ids


def test_every_route_with_an_id_is_in_the_matrix():
    detail = {n for n, _ in DETAIL_VIEWS}
    missing = [
        name
        for name, view_class, ids in _id_routes()
        if not (ids == ["pk"] and name in detail) and name not in NESTED_ROUTES and name not in FUNCTION_ROUTES
    ]
    assert missing == [], f"这些路由不在范围矩阵中，请在 NESTED_ROUTES 或 FUNCTION_ROUTES 中声明：{missing}"
    assert {n for n, vc, _ in _id_routes() if vc is None} == set(FUNCTION_ROUTES)


def _writes():
    extra = (Ticket, TicketAction, TicketAttachment, Notice, ImportJob, ExportJob)
    return {**row_counts(), **{m._meta.label: m.objects.count() for m in extra}}


def _reached(response) -> bool:
    return response.status_code < 400


@pytest.mark.parametrize("viewer,sibling", PAIRS)
@pytest.mark.parametrize("name", sorted(NESTED_ROUTES))
def test_nested_add_under_a_sibling_parent_is_refused(client, login, viewer, sibling, name):
    arg, rows, extra = NESTED_ROUTES[name]
    parent = _require(_in_subtree(rows(), sibling, getattr(rows().model, "scope_path_field", "scope_path")).first(),
                      sibling, rows().model._meta.verbose_name)  # fmt: skip
    url = reverse(name, kwargs={arg: parent.pk, **extra})
    login(CONTROL[sibling])
    assert _reached(client.get(url)), f"{CONTROL[sibling]} 应能打开 {url}（对照）"
    login(viewer)
    before = _writes()
    assert client.get(url).status_code in (403, 404), f"{name} 泄露了 {sibling} 的上级对象"
    assert client.post(url, {}).status_code in (403, 404)
    assert _writes() == before


@pytest.mark.parametrize("viewer,sibling", PAIRS)
@pytest.mark.parametrize("name", sorted(FUNCTION_ROUTES))
def test_function_view_of_a_sibling_object_is_404(client, login, viewer, sibling, name):
    make_args, methods = FUNCTION_ROUTES[name]
    control = persona(CONTROL[sibling])
    url = reverse(name, kwargs=make_args(sibling, control))
    login(control.username)
    assert _reached(client.get(url)), f"{control.username} 应能打开 {url}（对照）"
    login(viewer)
    before = _writes()
    for method in methods:
        response = getattr(client, method)(url, {"note": "越界", "reason": "越界查看"})
        assert response.status_code in (403, 404), f"{method.upper()} {name} 泄露了 {sibling} 的对象"
    assert _writes() == before


@pytest.mark.parametrize("viewer,sibling", PAIRS)
def test_adding_a_person_from_a_sibling_household_page_fills_in_nothing(client, login, viewer, sibling):
    """``people/residents/add/?household=<id>`` fills in the household's building and room only for a
    household the user may see."""
    household = _require(_in_subtree(Household.objects.all(), sibling).first(), sibling, "户")
    own = Household.objects.restrict(persona(viewer), "view").order_by("pk").first()
    login(viewer)
    url = reverse("people:resident_add")
    assert client.get(url, {"household": own.pk}).context["form"].initial["building"] == own.building_id
    response = client.get(url, {"household": household.pk})
    assert response.status_code == 200
    initial = response.context["form"].initial
    assert "building" not in initial and "room" not in initial
    assert initial == client.get(url).context["form"].initial  # as if no household had been named


@pytest.mark.parametrize("viewer,sibling", PAIRS)
@pytest.mark.parametrize(
    "name,param,kind",
    [
        ("dashboards:map", "community", "community"),
        ("tickets:stats", "node", "community"),
        ("dashboards:overview", "node", "community"),
    ],
)
def test_a_sibling_node_as_a_query_parameter_is_404(client, login, viewer, sibling, name, param, kind):
    node = _require(_in_subtree(Area.objects.filter(kind=kind), sibling, "path").first(), sibling, kind)
    url = reverse(name)
    login(CONTROL[sibling])
    assert client.get(url, {param: node.pk}).status_code == 200
    login(viewer)
    assert client.get(url, {param: node.pk}).status_code == 404
