"""The declared entities of 双报到 and 党员联户 (``jiceng.core.entities``): pages, URLs, nav, API, permissions."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import path

from jiceng.core.entities import Entity, register
from jiceng.party.models import PartyMember
from jiceng.territory.models import Area, Household

from . import feedback, services, views
from .choices import ACTIVE_REPORT_STATES
from .models import (
    HouseholdLink,
    MemberEvaluation,
    MemberReport,
    PostApplication,
    ServicePost,
    ServiceRecord,
    Visit,
)
from .rules import residence_path
from .workflow import APPLICATIONS, RECORDS, REPORTS

REVIEW = ("view", "add", "change", "export")
#: The reason of a return / rejection / end: at most 300 characters (stated in the API schema too).
REASON_FIELDS = {
    "reason": forms.CharField(label="原因", max_length=300),
    "skills": forms.CharField(label="特长与服务意愿", max_length=300, required=False),
}


def community_for(node) -> Area | None:
    """The community at, above or (first) below a territory node."""
    if node.kind == "community":
        return node
    if len(node.path) > 3 * Area.steplen:
        return Area.objects.get(path=node.path[: 3 * Area.steplen])
    return Area.objects.filter(kind="community", path__startswith=node.path).order_by("path").first()


@register
class MemberReportEntity(Entity):
    model = MemberReport
    fields = ("member", "community", "employer_unit", "skills")
    scope_from = ("community",)
    list_display = ("member", "community", "status", "channel", "submitted_at")
    detail_fields = ("member", "community", "status", "channel", "employer", "employer_unit", "skills",
                     "submitted_at", "confirmed_at", "return_reason")  # fmt: skip
    filters = ("status", "channel", "community")
    search_fields = ("employer", "skills")
    related = ("member", "community", "employer_unit")
    url_path = "members/reports/"
    api_name = "member-reports"
    nav = ("双报到", "报到单")
    pages = ("list", "add", "detail", "edit")  # a report is withdrawn or ended, never deleted
    permissions = {
        "staff": ("view",),
        "admins": REVIEW,
        "community_worker": REVIEW,
        "party_member": ("view", "add"),  # their own (``personal_scope_q``), created through the service
        "unit_liaison": ("view",),  # the reports naming their unit as employer
    }
    service_class = services.MemberReportService
    views = {"list": views.MemberReportListView}
    workflow = REPORTS
    payload_labels = {"reason": "原因", "skills": "特长与服务意愿", "comment": "说明"}
    payload_fields = REASON_FIELDS
    # No ``name`` to edit and no move (the community is fixed): those rules have their own tests.
    write_matrix = ("create",)

    def path_of(self, obj):
        """The member's home under the report's community (its grid sees it too), else the community."""
        path = super().path_of(obj)
        home = residence_path(obj.member) if obj.member_id else None
        return home if home and home.startswith(path) else path

    def sample_links(self, node):
        return {"community": community_for(node)}

    def urls(self):
        return [*super().urls(), path("feedback/", feedback.FeedbackView.as_view(), name="memberreport_feedback")]

    def sample(self, node, *, name):
        # An in-service member with no active report, living under the node, else in its community.
        unreported = PartyMember.objects.filter(is_in_service=True).exclude(
            member_reports__status__in=ACTIVE_REPORT_STATES
        )
        member = (
            unreported.filter(resident__scope_path__startswith=node.path).order_by("pk").first()
            or unreported.filter(resident__scope_path__startswith=community_for(node).path).order_by("pk").first()
        )
        community = services.community_of_path(member.resident.scope_path) if member else community_for(node)
        return {"member": member, "community": community, "employer_unit": None, "skills": name}


@register
class ServicePostEntity(Entity):
    model = ServicePost
    fields = ("community", "name", "category", "headcount", "description", "is_open")
    scope_from = ("community",)
    list_display = ("name", "community", "category", "headcount", "is_open")
    filters = ("category", "is_open", "community")
    search_fields = ("name", "description")
    related = ("community",)
    url_path = "members/posts/"
    api_name = "service-posts"
    nav = ("双报到", "服务岗位")
    pages = ("list", "add", "detail", "edit")  # a post is closed (开放申领 off), never deleted: its roster stays
    permissions = {
        "staff": ("view",),
        "admins": REVIEW,
        "community_worker": REVIEW,
        "party_member": ("view",),  # the posts of the community they reported to
    }
    service_class = services.ServicePostService
    views = {"detail": views.ServicePostDetailView}
    write_matrix = ("create",)  # a post is the community's (no row below a grid); edits: tests/test_services.py

    def sample_links(self, node):
        return {"community": community_for(node)}

    def sample(self, node, *, name):
        return {**self.sample_links(node), "name": name, "category": "other", "headcount": 2}


@register
class PostApplicationEntity(Entity):
    model = PostApplication
    fields = ("post", "member", "note")
    scope_from = ("post",)
    list_display = ("member", "post", "status", "created_at")
    detail_fields = ("post", "member", "status", "note", "decided_at")
    filters = ("status", "post")
    search_fields = ("note",)
    related = ("post", "member")
    url_path = "members/applications/"
    api_name = "post-applications"
    nav = ("双报到", "上岗申请")
    pages = ("list", "add", "detail", "edit")
    permissions = {
        "staff": ("view",),
        "admins": REVIEW,
        "community_worker": REVIEW,
        "party_member": ("view", "add"),
    }
    service_class = services.PostApplicationService
    workflow = APPLICATIONS
    payload_labels = {"reason": "原因", "comment": "说明"}
    payload_fields = REASON_FIELDS
    write_matrix = ("create",)

    def sample(self, node, *, name):
        post = ServicePost.objects.filter(scope_path__startswith=community_for(node).path).order_by("pk").first()
        reported = MemberReport.objects.filter(status="confirmed", community_id=post.community_id)
        taken = PostApplication.objects.filter(post=post).values("member_id")
        report = reported.exclude(member_id__in=taken).order_by("pk").first()
        return {"post": post, "member": report.member if report else None, "note": name}


def _household_by_address(importer, text: str):
    """A household named in a sheet as its 楼栋 and 房号 ("文昌花园小区01-1栋/101", or written together), among
    those the importing user sees."""
    from django.db.models import Value
    from django.db.models.functions import Concat

    wanted = text.replace("/", "").replace("室", "")
    found = list(
        Household.objects.restrict(importer.actor, "view")
        .annotate(address=Concat("building__name", "room"), address_no=Concat("building__number", Value("栋"), "room"))
        .filter(Q(address=wanted) | Q(address_no=wanted))[:2]
    )
    if len(found) != 1:
        problem = "找不到户" if not found else "有多户地址为"
        raise ValidationError(f"{problem}“{text}”：请写“楼栋名称/房号”，如“文昌花园小区01-1栋/101”。")
    return found[0]


def _member_by_name(importer, text: str):
    """A Party member by name — or "姓名/身份证后4位" where two share it — among those the user sees."""
    name, _, last4 = text.partition("/")
    qs = PartyMember.objects.restrict(importer.actor, "view").filter(name=name)
    if last4:
        qs = qs.filter(resident__id_last4=last4.upper())
    found = list(qs[:2])
    if len(found) != 1:
        problem = "找不到党员" if not found else "有多名党员名为"
        raise ValidationError(f"{problem}“{text}”：重名时请写“姓名/身份证后4位”。")
    return found[0]


@register
class ServiceRecordEntity(Entity):
    model = ServiceRecord
    fields = ("member", "date", "hours", "kind", "post", "household", "need", "content")
    scope_from = ("community",)
    list_display = ("member", "date", "hours", "kind", "status")
    detail_fields = ("member", "community", "date", "hours", "kind", "post", "household", "need", "content",
                     "status", "recorded_by", "confirmed_at")  # fmt: skip
    filters = ("status", "kind", "post")
    search_fields = ("content", "need")
    related = ("member", "community", "post", "household")
    url_path = "members/services/"
    api_name = "service-records"
    nav = ("双报到", "服务登记卡")
    pages = ("list", "add", "detail", "edit")
    permissions = {
        "staff": ("view",),
        "admins": (*REVIEW, "import"),
        "community_worker": (*REVIEW, "import"),
        "party_member": ("view", "add"),
    }
    service_class = services.ServiceRecordService
    import_columns = ("member", "date", "hours", "kind", "content", "need")
    import_key = ("member", "date", "content")
    import_lookups = {"member": _member_by_name}
    import_synonyms = {
        "member": ("党员", "党员姓名", "服务党员"),
        "date": ("日期", "服务时间"),
        "hours": ("时长", "小时"),
    }
    import_examples = {
        "member": "张三",
        "date": "2026-11-20",
        "hours": "2",
        "kind": "社区活动",
        "content": "垃圾分类宣传",
    }
    import_notes = ("同一党员同一天的服务时长合计不超过 24 小时；党员重名时写“姓名/身份证后4位”。",)
    workflow = RECORDS
    payload_labels = {"reason": "原因", "comment": "说明"}
    payload_fields = REASON_FIELDS
    attachments = "佐证照片"  # the evidence photos: listed on the detail page, uploaded by the community
    write_matrix = ("create",)

    def path_of(self, obj):
        path = obj.community.path
        home = residence_path(obj.member) if obj.member_id else None
        return home if home and home.startswith(path) else path

    def sample(self, node, *, name):
        confirmed = MemberReport.objects.filter(status="confirmed").order_by("pk")
        report = (
            confirmed.filter(scope_path__startswith=node.path).first()
            or confirmed.filter(scope_path__startswith=community_for(node).path).first()
        )
        return {
            "member": report.member,
            "date": dt.date.today(),
            "hours": "1.5",
            "kind": "other",
            "content": name,
        }


@register
class HouseholdLinkEntity(Entity):
    model = HouseholdLink
    fields = ("member", "household", "since", "note")
    scope_from = ("household",)
    list_display = ("member", "household", "since")
    filters = ("member",)
    search_fields = ("note",)
    related = ("member", "household__building")
    url_path = "members/links/"
    api_name = "household-links"
    nav = ("双报到", "党员联系户")
    permissions = {
        "staff": ("view",),
        "admins": (*REVIEW, "delete", "import"),
        "community_worker": (*REVIEW, "delete", "import"),
        "party_member": ("view",),
    }
    service_class = services.HouseholdLinkService
    views = {"list": views.HouseholdLinkListView}
    import_columns = ("member", "household", "since", "note")
    import_key = ("member", "household")
    import_lookups = {"member": _member_by_name, "household": _household_by_address}
    import_synonyms = {"member": ("党员", "党员姓名", "联户党员"), "household": ("户", "联系户", "住址")}
    import_examples = {"member": "张三", "household": "文昌花园小区01-1栋/101", "since": "2026-01-01"}
    import_notes = ("联系户写“楼栋名称/房号”；党员重名时写“姓名/身份证后4位”。",)
    write_matrix = ("create", "delete")  # no ``name``; a link is ended by deleting it

    def sample(self, node, *, name):
        report = MemberReport.objects.filter(status="confirmed", scope_path__startswith=community_for(node).path)
        member = report.order_by("pk").first().member
        linked = HouseholdLink.objects.filter(member=member).values("household_id")
        household = (
            Household.objects.filter(scope_path__startswith=node.path).exclude(pk__in=linked).order_by("pk").first()
        )
        return {"member": member, "household": household, "note": name}


@register
class VisitEntity(Entity):
    model = Visit
    fields = ("member", "household", "date", "kind", "notes")
    scope_from = ("household",)
    list_display = ("member", "household", "date", "kind", "problem_found")
    detail_fields = ("member", "household", "date", "kind", "notes", "problem_found", "ticket", "recorded_by")
    filters = ("kind", "problem_found")
    search_fields = ("notes",)
    related = ("member", "household__building", "ticket")
    url_path = "members/visits/"
    api_name = "member-visits"
    nav = ("双报到", "党员走访")
    pages = ("list", "add", "detail", "edit")
    permissions = {
        "staff": ("view",),
        "admins": REVIEW,
        "community_worker": REVIEW,
        "grid_worker": ("view", "add"),
        "party_member": ("view", "add"),
    }
    service_class = services.VisitService
    write_matrix = ("create",)

    def sample(self, node, *, name):
        link = HouseholdLink.objects.filter(scope_path__startswith=node.path).order_by("pk").first()
        return {"member": link.member, "household": link.household, "date": dt.date.today(), "kind": "home",
                "notes": name}  # fmt: skip


@register
class MemberEvaluationEntity(Entity):
    model = MemberEvaluation
    fields = ("member", "community", "year", "grade", "comment")
    scope_from = ("community",)
    list_display = ("member", "community", "year", "grade")
    filters = ("year", "grade", "community")
    search_fields = ("comment",)
    related = ("member", "community")
    url_path = "members/evaluations/"
    api_name = "member-evaluations"
    nav = ("双报到", "年度评议")
    pages = ("list", "add", "detail", "edit")
    permissions = {
        "staff": ("view",),
        "admins": REVIEW,
        "community_worker": REVIEW,
        "party_member": ("view",),
    }
    service_class = services.MemberEvaluationService
    write_matrix = ("create",)

    def path_of(self, obj):
        path = super().path_of(obj)
        home = residence_path(obj.member) if obj.member_id else None
        return home if home and home.startswith(path) else path

    def sample(self, node, *, name):
        year = dt.date.today().year
        done = MemberEvaluation.objects.filter(year=year).values("member_id")
        confirmed = MemberReport.objects.filter(status="confirmed").exclude(member_id__in=done).order_by("pk")
        report = (
            confirmed.filter(scope_path__startswith=node.path).first()
            or confirmed.filter(scope_path__startswith=community_for(node).path).first()
        )
        return {"member": report.member, "community": report.community, "year": year, "grade": "basic",
                "comment": name}  # fmt: skip

    def urls(self):
        return [
            *super().urls(),
            path("alerts/", feedback.NoServiceAlertView.as_view(), name="memberevaluation_alerts"),
        ]
