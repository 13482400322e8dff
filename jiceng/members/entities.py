"""The declared entities of 双报到 and 党员联户 (``jiceng.core.entities``): pages, URLs, nav, API, permissions."""

from __future__ import annotations

from jiceng.core.entities import Entity, register
from jiceng.party.models import PartyMember
from jiceng.territory.models import Area

from . import services
from .choices import ACTIVE_REPORT_STATES
from .models import MemberReport
from .rules import residence_path

REVIEW = ("view", "add", "change", "export")


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
    }
    service_class = services.MemberReportService
    # No ``name`` to edit and no move (the community is fixed): those rules have their own tests.
    write_matrix = ("create",)

    def path_of(self, obj):
        """The member's home under the report's community (its grid sees it too), else the community."""
        path = super().path_of(obj)
        home = residence_path(obj.member) if obj.member_id else None
        return home if home and home.startswith(path) else path

    def sample_links(self, node):
        return {"community": community_for(node)}

    def sample(self, node, *, name):
        members = PartyMember.objects.filter(is_in_service=True, resident__scope_path__startswith=node.path)
        member = (
            members.exclude(member_reports__status__in=ACTIVE_REPORT_STATES).order_by("pk").first()
            or members.order_by("pk").first()
        )
        community = services.community_of_path(member.resident.scope_path) if member else community_for(node)
        return {"member": member, "community": community, "skills": name}
