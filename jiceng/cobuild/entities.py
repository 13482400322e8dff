"""单位包保, declared once each (``jiceng.core.entities``): pages, URLs, nav, API, import, export, permissions."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.urls import path
from django.utils import timezone

from jiceng.core.entities import Entity, register
from jiceng.orgs.models import Organisation
from jiceng.territory.models import Area

from . import forms, services, views
from .choices import ReportStatus
from .models import ACTIVE_REPORT, Pairing, UnitActivity, UnitEvaluation, UnitReport
from .selectors import pairings_in_force
from .tables import record_table
from .workflow import REPORTS

MANAGE = ("view", "add", "change", "delete", "export", "import")
NAV = "单位包保"


def _grid_under(node):
    if node.kind == "grid":
        return node
    return Area.objects.filter(kind="grid", path__startswith=node.path).order_by("path").first()


@register
class PairingEntity(Entity):
    model = Pairing
    fields = ("unit", "grid", "start_date", "end_date", "responsibilities", "contact_name", "contact_phone")
    scope_from = ("grid",)
    list_display = ("unit", "grid", "start_date", "end_date", "contact_name")
    table_class = record_table(Pairing, list_display)
    filters = ("unit", "grid")
    search_fields = ("responsibilities", "contact_name")
    related = ("unit", "grid")
    url_path = "cobuild/pairings/"
    api_name = "pairings"
    nav = (NAV, "包保关系")
    # The district and the streets arrange the pairings (包保由街道统筹); communities and grids read them.
    permissions = {"staff": ("view",), "admins": MANAGE, "community_worker": ("view", "export"),
                   "unit_liaison": ("view",)}  # fmt: skip
    import_columns = ("unit", "grid", "start_date", "end_date", "responsibilities", "contact_name", "contact_phone")
    import_key = ("unit", "grid", "start_date")
    import_synonyms = {"unit": ("单位", "单位名称", "共建单位"), "grid": ("网格",), "start_date": ("开始日期",),
                       "end_date": ("结束日期",), "responsibilities": ("职责",)}  # fmt: skip
    import_examples = {"unit": "南谯区人民医院（包保龙蟠街道）", "grid": "文昌花园第1网格", "start_date": "2025-01-01"}
    import_notes = ("单位须为本辖区的共建单位；同一单位、网格、开始日期的行更新已有包保关系；包保期不能重叠。",)
    service_class = services.PairingService
    form_class = forms.PairingForm
    views = {"list": views.PairingListView}  # the generated list, with links to coverage and "my unit"
    # Pairings have no name; an activity or a report protects the pairing it refers to (own tests cover
    # the edit and the delete of a sibling's pairing: tests/test_scope.py).
    write_matrix = ("create", "move")

    def sample_links(self, node):
        """The first grid under ``node`` and a unit serving it (its community or street) that does not pair it."""
        grid = _grid_under(node)
        prefixes = [grid.path[:n] for n in range(Area.steplen * 2, len(grid.path), Area.steplen)]
        paired = Pairing.objects.filter(grid=grid, unit=OuterRef("pk"))
        units = Organisation.objects.filter(kind="unit", area__path__in=prefixes).exclude(Exists(paired))
        return {"unit": units.order_by("pk").first(), "grid": grid}

    def sample(self, node, *, name):
        return {**self.sample_links(node), "start_date": timezone.localdate(), "responsibilities": name}

    def urls(self):
        return [*super().urls(), path("coverage/", views.coverage, name="coverage"),
                path("mine/", views.my_unit, name="my_unit")]  # fmt: skip


@register
class UnitActivityEntity(Entity):
    model = UnitActivity
    fields = ("pairing", "name", "date", "kind", "community_wide", "participants", "hours", "content")
    scope_from = ("pairing",)
    list_display = ("name", "pairing", "date", "kind", "participants", "hours")
    table_class = record_table(UnitActivity, list_display)
    filters = ("kind", "community_wide")
    search_fields = ("name", "content")
    related = ("pairing__unit", "pairing__grid")
    url_path = "cobuild/activities/"
    api_name = "unit-activities"
    nav = (NAV, "单位活动")
    permissions = {"staff": ("view",), "admins": ("view", "add", "change", "delete", "export"),
                   "community_worker": ("view", "add", "change", "delete", "export"),
                   "unit_liaison": ("view", "add")}  # fmt: skip
    service_class = services.UnitActivityService
    form_class = forms.UnitActivityForm
    attachments = "活动照片"  # jiceng.attachments: on the activity's page, uploaded by those who may change it

    def sample(self, node, *, name):
        pairing = pairings_in_force(Pairing.objects.filter(scope_path__startswith=node.path)).order_by("pk").first()
        return {"pairing": pairing, "name": name, "date": timezone.localdate(), "kind": "volunteer",
                "participants": 3, "hours": 2, "content": "清理楼道"}  # fmt: skip


@register
class UnitReportEntity(Entity):
    model = UnitReport
    fields = ("pairing", "content", "contact_name", "contact_phone")
    scope_from = ("pairing",)
    list_display = ("unit", "community", "status", "created_at", "confirmed_at")
    table_class = record_table(UnitReport, list_display)
    detail_fields = ("unit", "community", "pairing", "content", "contact_name", "contact_phone", "status",
                     "confirmed_by", "confirmed_at", "return_reason")  # fmt: skip
    filters = ("status", "unit", "community")
    search_fields = ("content", "contact_name")
    related = ("unit", "community", "pairing__grid", "pairing__unit", "confirmed_by")
    url_path = "cobuild/reports/"
    api_name = "unit-reports"
    nav = (NAV, "单位报到")
    pages = ("list", "add", "detail", "edit")  # a receipt is kept: no delete
    permissions = {"staff": ("view",), "admins": ("view", "add", "change", "export"),
                   "community_worker": ("view", "add", "change", "export"),
                   "unit_liaison": ("view", "add")}  # fmt: skip
    service_class = services.UnitReportService
    # The report sits at its community (a grid's rows have none); own tests: tests/test_scope.py.
    write_matrix = ("create",)
    workflow = REPORTS
    payload_labels = {"reason": "退回理由", "content": "报到事项（修改后）", "comment": "说明"}

    def path_of(self, obj):
        obj.derive()
        return obj.community.path

    def sample_links(self, node):
        """A pairing in force under ``node`` (a grid: its community) whose unit has no report in force to
        its community."""
        path = node.path[: -Area.steplen] if node.kind == "grid" else node.path
        candidates = pairings_in_force(Pairing.objects.filter(scope_path__startswith=path)).order_by("pk")
        for candidate in candidates[:200]:
            community = candidate.scope_path[: -Area.steplen]
            if not UnitReport.objects.filter(
                ACTIVE_REPORT, unit_id=candidate.unit_id, community__path=community
            ).exists():
                return {"pairing": candidate}
        return {"pairing": candidates.first()}

    def sample(self, node, *, name):
        return {**self.sample_links(node), "content": name}


@register
class UnitEvaluationEntity(Entity):
    model = UnitEvaluation
    fields = ("report", "year", "grade", "score", "comment")
    scope_from = ("report",)
    list_display = ("unit", "community", "year", "grade", "score")
    table_class = record_table(UnitEvaluation, list_display)
    detail_fields = ("unit", "community", "report", "year", "grade", "score", "comment")
    filters = ("year", "grade", "unit")
    search_fields = ("comment",)
    related = ("unit", "community", "report__unit")
    url_path = "cobuild/evaluations/"
    api_name = "unit-evaluations"
    nav = (NAV, "单位年度评价")
    permissions = {"staff": ("view",), "admins": ("view", "add", "change", "delete", "export"),
                   "community_worker": ("view", "add", "change", "delete", "export"),
                   "unit_liaison": ("view",)}  # fmt: skip
    service_class = services.UnitEvaluationService
    write_matrix = ("create",)

    def sample_links(self, node):
        """A confirmed report of ``node``'s community (or below) not yet evaluated this year."""
        path = node.path[: -Area.steplen] if node.kind == "grid" else node.path  # reports sit at the community
        done = UnitEvaluation.objects.filter(year=timezone.localdate().year).values("report_id")
        reports = UnitReport.objects.filter(scope_path__startswith=path, status=ReportStatus.CONFIRMED)
        return {"report": reports.exclude(pk__in=done).order_by("pk").first()}

    def sample(self, node, *, name):
        return {**self.sample_links(node), "year": timezone.localdate().year, "grade": "good", "comment": name}
