"""三单制 and the three lists, declared once (``jiceng.core.entities``): pages, URLs, nav, API, permissions.

Residents and Party members are personal accounts: they post needs for themselves and read what they
posted or claimed and what is published to them (``Need.personal_scope_q``); a unit liaison reads and
publishes their unit's resources and offers them to needs published to units.
"""

from __future__ import annotations

from django import forms
from django.urls import path

from jiceng.core.entities import Entity, register
from jiceng.orgs.models import Organisation
from jiceng.territory.choices import AreaKind
from jiceng.territory.models import Area
from jiceng.tickets.models import Category

from . import views
from .choices import Audience, NeedCategory, NeedStatus, ResourceKind
from .models import Need, Project, Resource
from .services import NeedService, ProjectService, ResourceService
from .workflow import NEEDS, PROJECTS

RATINGS = [(n, f"{n} 星") for n in range(5, 0, -1)]
MANAGE = ("view", "add", "change", "export")
LIVE_NEED_STATES = (NeedStatus.SUBMITTED, NeedStatus.OPEN, NeedStatus.CLAIMED)
SECTION = "党建引领"


def _community_and_grid(node) -> dict:
    """A community (and a grid) at or under ``node`` for a sample row there."""
    if node.kind == AreaKind.GRID:
        return {"community": Area.objects.get_parent(node), "grid": node}
    if node.kind == AreaKind.COMMUNITY:
        return {"community": node, "grid": None}
    community = Area.objects.filter(kind=AreaKind.COMMUNITY, path__startswith=node.path).order_by("path").first()
    return {"community": community, "grid": None}


@register
class NeedEntity(Entity):
    model = Need
    fields = ("title", "category", "description", "quantity", "deadline", "community", "grid", "quarter", "source")
    scope_from = ("grid", "community")
    list_display = ("title", "category", "community", "status", "audience", "created_at")
    detail_fields = (
        "title", "category", "description", "quantity", "deadline", "community", "grid", "quarter", "source", "status",
        "audience", "posted_by", "recorded_by", "published_at", "claimed_by", "claimed_unit", "claimed_at",
        "completion_note", "completed_at", "rating", "feedback", "confirmed_at", "cancel_reason", "ticket",
    )  # fmt: skip
    filters = ("status", "category", "audience", "source", "community")
    search_fields = ("title", "description")
    related = ("community", "grid", "claimed_unit", "claimed_by", "posted_by", "recorded_by", "ticket")
    url_path = "needs/"
    api_name = "needs"
    nav = (SECTION, "需求清单（微心愿）")
    pages = ("list", "add", "detail", "edit")  # a need is cancelled, never deleted
    views = {"detail": views.NeedDetailView}
    service_class = NeedService
    workflow = NEEDS
    # Photos of the need and of its completion, uploaded by those who may change it (the community): a
    # claimant's own evidence is the ``complete`` note (personal accounts hold no change grant).
    attachments = "现场照片"
    payload_labels = {
        "audience": "发布对象", "reason": "原因", "category": "诉求类别", "unit": "认领单位（编号）",
        "note": "完成情况（凭证）", "rating": "评价", "feedback": "评价意见", "comment": "备注",
    }  # fmt: skip
    payload_fields = {
        "audience": forms.ChoiceField(choices=Audience.choices),
        "rating": forms.TypedChoiceField(choices=RATINGS, coerce=int),
        "category": forms.ModelChoiceField(queryset=Category.objects.filter(is_active=True)),
    }
    # The generated update row sends ``name=``: a need has a title; tests/test_needs.py covers the update.
    write_matrix = ("create", "move")
    permissions = {
        "staff": ("view",),
        "admins": MANAGE,
        "community_worker": MANAGE,
        # The quarter branch reviews its quarter's needs (publish, reject); the records are the community's.
        "quarter_secretary": ("view", "change"),
        "grid_worker": ("view", "add"),
        "resident": ("view", "add"),
        "party_member": ("view", "add"),
        "unit_liaison": ("view",),
    }

    def urls(self):
        """The declared pages, and two of the app's own: 我可认领 (a phone page) and 由工单登记需求."""
        return [
            path("claimable/", views.claimable, name="need_claimable"),
            path("from-ticket/", views.from_ticket, name="need_from_ticket"),
            *super().urls(),
        ]

    def sample_links(self, node):
        return _community_and_grid(node)

    def sample(self, node, *, name):
        return {
            **self.sample_links(node),
            "title": name,
            "category": NeedCategory.CARE,
            "description": "样例需求",
        }


@register
class ResourceEntity(Entity):
    model = Resource
    fields = (
        "name", "unit", "kind", "category", "description", "quantity", "availability", "available_until",
        "area", "is_active",
    )  # fmt: skip
    scope_from = ("area",)
    list_display = ("name", "unit", "kind", "category", "area", "availability")
    filters = ("kind", "category", "unit", "is_active")
    search_fields = ("name", "description")
    related = ("unit", "area")
    url_path = "needs/resources/"
    api_name = "resources"
    nav = (SECTION, "资源清单")
    pages = ("list", "add", "detail", "edit")  # a unit withdraws a resource (可用 off), the row stays
    views = {"detail": views.ResourceDetailView}
    service_class = ResourceService
    write_matrix = ("create", "update", "move")
    permissions = {
        "staff": ("view",),
        "admins": (*MANAGE, "import"),
        # Units publish their resources (their liaison, or the street / district for them): a community
        # keeps them up to date; the street units it is served by are outside its organisations' scope.
        "community_worker": ("view", "change", "export"),
        "unit_liaison": ("view", "add"),
    }
    import_columns = ("name", "unit", "kind", "category", "description", "quantity", "availability",
                      "available_until", "area")  # fmt: skip
    import_synonyms = {"name": ("资源", "名称"), "unit": ("单位", "共建单位"), "area": ("范围", "社区", "网格")}
    import_examples = {"name": "党员志愿服务队", "kind": "志愿者", "availability": "每周六上午", "area": "文昌花园社区"}
    import_notes = ("提供单位按名称查找；可用范围不填为提供单位的服务范围；同一范围内资源名称相同的行更新已有资源。",)

    def sample_links(self, node):
        """Usable at ``node``, from a unit of its street (the street's co-building units serve its subtree)."""
        street = node.path[: 2 * node.steplen]
        unit = Organisation.objects.filter(kind="unit", area__path__startswith=street).order_by("pk").first()
        return {"area": node, "unit": unit}

    def sample(self, node, *, name):
        return {**self.sample_links(node), "name": name, "kind": ResourceKind.VOLUNTEERS}


@register
class ProjectEntity(Entity):
    model = Project
    fields = ("name", "need", "resource", "owner", "deadline")
    scope_from = ("need",)
    list_display = ("name", "need", "resource", "owner", "deadline", "status")
    detail_fields = (
        "name", "need", "resource", "owner", "deadline", "status", "proposed_by", "evaluation", "score", "finished_at",
    )  # fmt: skip
    filters = ("status", "proposed_by")
    search_fields = ("name", "owner")
    related = ("need", "resource", "resource__unit")
    url_path = "needs/projects/"
    api_name = "projects"
    nav = (SECTION, "项目清单")
    pages = ("list", "add", "detail", "edit")  # a project is cancelled, never deleted
    service_class = ProjectService
    workflow = PROJECTS
    attachments = "项目照片"
    payload_labels = {"evaluation": "项目评价", "score": "评分", "reason": "原因", "comment": "备注"}
    payload_fields = {"score": forms.IntegerField(min_value=1, max_value=5)}
    write_matrix = ("create", "update", "move")
    permissions = {
        "staff": ("view",),
        "admins": MANAGE,
        "community_worker": MANAGE,
        "unit_liaison": ("view", "add"),
    }

    def sample_links(self, node):
        """A live need under ``node`` and a resource usable there (the street's, the community's …)."""
        needs = Need.objects.filter(scope_path__startswith=node.path, status__in=LIVE_NEED_STATES).order_by("pk")
        need = needs.first()
        resources = Resource.objects.filter(scope_path__in=Area.ancestor_paths(need.scope_path), is_active=True)
        return {"need": need, "resource": resources.order_by("-scope_path", "pk").first()}

    def sample(self, node, *, name):
        return {**self.sample_links(node), "name": name, "owner": "样例负责人"}
