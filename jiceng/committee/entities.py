"""The big Party committee's registers, declared once (``jiceng.core.entities``): part-time members,
the duty roster, joint meetings, action items; and the community workers' assessments and history.

Every row lies at its committee's node (a community or a street) or its worker's community, never below
a grid: the generated write-scope rows are the creates (``write_matrix``); the sibling edits, moves and
deletes are tested in ``committee/tests/test_scope.py``."""

from __future__ import annotations

import datetime as dt

from django.urls import path
from django.utils import timezone
from django.utils.functional import cached_property

from jiceng.core.entities import Entity, register
from jiceng.people.models import Worker
from jiceng.territory.models import Area

from . import selectors, views
from .choices import AssessmentGrade, DutyPeriod, HistoryKind
from .models import ActionItem, DutyRoster, JointMeeting, PartTimeMember, WorkerAssessment, WorkerHistory
from .services import (
    ActionItemService,
    DutyRosterService,
    JointMeetingService,
    PartTimeMemberService,
    WorkerAssessmentService,
    WorkerHistoryService,
)
from .workflow import ACTION_ITEMS

MANAGE = ("view", "add", "change", "delete", "export", "import")
COMMITTEE_PERMISSIONS = {"staff": ("view",), "admins": MANAGE, "community_worker": MANAGE}
# Personnel records: the street and the community; not the grid workers or the branch secretaries.
WORKER_PERMISSIONS = {"admins": MANAGE, "community_worker": ("view", "add", "change", "export")}
NAV = "大党委"


class CommitteeEntity(Entity):
    """The committee registers' list pages link to the committees (and the roster's to its generator)."""

    #: Links the add page takes from the query string (``?meeting=<id>``, from the meeting's page); an id
    #: the user may not see is simply not one of the form's choices.
    prefill: tuple[str, ...] = ()

    @cached_property
    def view_classes(self):
        classes = super().view_classes
        classes["list"].template_name = "committee/entity_list.html"
        names = self.prefill

        def get_initial(view):
            return {k: view.request.GET[k] for k in names if view.request.GET.get(k, "").isdigit()}

        classes["edit"].get_initial = get_initial
        return classes


def _committee(node):
    return selectors.committee_for(node)


def _unit_of(committee):
    return selectors.committee_units(committee).first() if committee else None


@register
class PartTimeMemberEntity(CommitteeEntity):
    model = PartTimeMember
    fields = ("committee", "name", "unit", "post", "member", "user", "term_start", "term_end")
    scope_from = ("committee",)
    list_display = ("name", "unit", "post", "committee", "term_start", "term_end")
    filters = ("committee", "unit")
    search_fields = ("name", "post")
    related = ("committee", "unit", "member", "user")
    url_path = "committee/members/"
    api_name = "part-time-members"
    nav = (NAV, "兼职委员")
    permissions = COMMITTEE_PERMISSIONS
    service_class = PartTimeMemberService
    write_matrix = ("create",)
    import_columns = ("committee", "name", "unit", "post", "term_start", "term_end")
    import_key = ("name", "unit")
    import_synonyms = {"committee": ("大党委", "大工委"), "unit": ("单位", "共建单位"), "post": ("职务",)}
    import_examples = {"name": "张明", "post": "党委书记", "term_start": "2024-01-01"}
    import_notes = ("大党委与单位按名称匹配；同一大党委中同单位同名的行更新已有记录。",)

    def sample(self, node, *, name):
        committee = _committee(node)
        unit = _unit_of(committee)
        return {"committee": committee, "name": name, "unit": unit, "post": "委员", "term_start": timezone.localdate()}

    def sample_links(self, node):
        return {"committee": _committee(node)}

    def urls(self):
        return [
            *super().urls(),
            path("committee/<int:pk>/", views.CommitteeView.as_view(), name="committee_detail"),
            path("committees/", views.CommitteeListView.as_view(), name="committee_list"),
        ]


@register
class DutyRosterEntity(CommitteeEntity):
    model = DutyRoster
    fields = ("committee", "period", "start", "chair", "note")
    detail_fields = ("committee", "period", "start", "end", "chair", "note", "handover_notified_at")
    scope_from = ("committee",)
    list_display = ("start", "end", "chair", "period", "committee")
    filters = ("committee", "period", "chair")
    search_fields = ("note",)
    related = ("committee", "chair")
    url_path = "committee/duty/"
    api_name = "duty-rosters"
    nav = (NAV, "轮值安排")
    permissions = COMMITTEE_PERMISSIONS
    service_class = DutyRosterService
    prefill = ("committee",)
    write_matrix = ("create",)

    def sample(self, node, *, name):
        committee = _committee(node)
        last = DutyRoster.objects.filter(committee=committee).order_by("-start").first() if committee else None
        today = timezone.localdate()
        start = last.end + dt.timedelta(days=1) if last else dt.date(today.year, today.month, 1)
        return {
            "committee": committee,
            "period": DutyPeriod.MONTH,
            "start": start,
            "chair": _unit_of(committee),
            "note": name,
        }

    def sample_links(self, node):
        return {"committee": _committee(node)}

    def urls(self):
        return [*super().urls(), path("generate/", views.RosterGenerateView.as_view(), name="dutyroster_generate")]


@register
class JointMeetingEntity(CommitteeEntity):
    model = JointMeeting
    fields = ("committee", "name", "date", "venue", "convener", "agenda", "minutes")
    scope_from = ("committee",)
    list_display = ("name", "date", "venue", "convener", "committee")
    filters = ("committee", "convener")
    search_fields = ("name", "venue", "agenda", "minutes")
    related = ("committee", "convener")
    url_path = "committee/meetings/"
    api_name = "joint-meetings"
    nav = (NAV, "联席会议")
    permissions = COMMITTEE_PERMISSIONS
    service_class = JointMeetingService
    prefill = ("committee",)
    write_matrix = ("create",)
    views = {"detail": views.MeetingDetailView}

    def sample(self, node, *, name):
        return {"committee": _committee(node), "name": name, "date": timezone.localdate(), "venue": "党群服务中心"}

    def sample_links(self, node):
        return {"committee": _committee(node)}

    def urls(self):
        return [
            *super().urls(),
            path("<int:pk>/sign-in/", views.MeetingSignInView.as_view(), name="jointmeeting_sign_in"),
        ]


@register
class ActionItemEntity(CommitteeEntity):
    model = ActionItem
    fields = ("meeting", "name", "description", "owner_unit", "owner_member", "deadline")
    detail_fields = (
        "meeting",
        "name",
        "description",
        "owner_unit",
        "owner_member",
        "deadline",
        "status",
        "result",
        "done_at",
    )
    scope_from = ("meeting",)
    list_display = ("name", "meeting", "owner_unit", "owner_member", "deadline", "status")
    filters = ("status", "owner_unit", "meeting")
    search_fields = ("name", "description")
    related = ("meeting", "owner_unit", "owner_member__unit")
    url_path = "committee/items/"
    api_name = "action-items"
    nav = (NAV, "议定事项")
    permissions = {**COMMITTEE_PERMISSIONS, "unit_liaison": ("view",)}
    service_class = ActionItemService
    prefill = ("meeting",)
    write_matrix = ("create",)
    workflow = ACTION_ITEMS
    payload_labels = {"note": "进展说明", "result": "办理结果", "reason": "取消原因", "comment": "备注"}

    def sample(self, node, *, name):
        committee = _committee(node)
        meeting = JointMeeting.objects.filter(committee=committee).order_by("pk").first()
        return {"meeting": meeting, "name": name, "owner_unit": _unit_of(committee), "owner_member": None,
                "deadline": timezone.localdate() + dt.timedelta(days=30)}  # fmt: skip

    def sample_links(self, node):
        return {"meeting": JointMeeting.objects.filter(committee=_committee(node)).order_by("pk").first()}


def _worker_in(node, *, free_year: int | None = None):
    """The first worker of the node's community (a worker's row lies at the community, never a grid)."""
    if node.kind == "grid":
        node = Area.objects.get_parent(node)
    qs = Worker.objects.filter(scope_path__startswith=node.path)
    if free_year is not None:
        qs = qs.exclude(assessments__year=free_year)
    return qs.order_by("pk").first()


@register
class WorkerAssessmentEntity(Entity):
    model = WorkerAssessment
    fields = ("worker", "year", "score_morality", "score_ability", "score_diligence", "score_performance",
              "score_integrity", "grade", "assessor", "assessed_on", "note")  # fmt: skip
    detail_fields = (*fields[:7], "total", *fields[7:])
    scope_from = ("worker",)
    list_display = ("worker", "year", "total", "grade", "assessor", "assessed_on")
    filters = ("year", "grade")
    search_fields = ("assessor", "note")
    related = ("worker",)
    url_path = "committee/assessments/"
    api_name = "worker-assessments"
    nav = ("社区工作者", "年度考核")
    permissions = WORKER_PERMISSIONS
    service_class = WorkerAssessmentService
    write_matrix = ("create",)
    import_columns = fields
    import_key = ("worker", "year")

    def sample(self, node, *, name):
        today = timezone.localdate()
        scores = dict.fromkeys(("score_morality", "score_ability", "score_diligence", "score_performance",
                                "score_integrity"), 80)  # fmt: skip
        return {"worker": _worker_in(node, free_year=today.year), "year": today.year, **scores,
                "grade": AssessmentGrade.COMPETENT, "assessor": "考核组", "assessed_on": today, "note": name}  # fmt: skip

    def sample_links(self, node):
        return {"worker": _worker_in(node)}


@register
class WorkerHistoryEntity(Entity):
    model = WorkerHistory
    fields = ("worker", "kind", "name", "effective_date", "document", "note")
    scope_from = ("worker",)
    list_display = ("worker", "kind", "name", "effective_date", "document")
    filters = ("kind",)
    search_fields = ("name", "document")
    related = ("worker",)
    url_path = "committee/worker-history/"
    api_name = "worker-history"
    nav = ("社区工作者", "岗位与资格履历")
    permissions = WORKER_PERMISSIONS
    service_class = WorkerHistoryService
    write_matrix = ("create",)

    def sample(self, node, *, name):
        return {"worker": _worker_in(node), "kind": HistoryKind.POST, "name": "社区工作者",
                "effective_date": timezone.localdate(), "note": name}  # fmt: skip

    def sample_links(self, node):
        return {"worker": _worker_in(node)}
