"""Web UI of the Party organisation: thin views over the generic scoped views and the party services."""

from __future__ import annotations

from functools import partial

from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.urls import reverse, reverse_lazy
from django.utils.functional import cached_property

from jiceng.core.breadcrumbs import area_breadcrumbs
from jiceng.core.scoping import get_scoped_object_or_404, scope_q_through, user_can
from jiceng.core.views import ObjectDetailView, ObjectEditView, ObjectListView
from jiceng.territory.models import Household

from . import services
from .choices import SeatRole
from .filters import CentralHouseholdFilterSet, PartyMemberFilterSet, PartyOrgFilterSet
from .forms import CentralHouseholdForm, CommitteeSeatForm, PartyGroupForm, PartyMemberForm, PartyOrgForm
from .models import CentralHousehold, CommitteeSeat, PartyGroup, PartyMember, PartyOrg
from .selectors import term_alerts
from .tables import CentralHouseholdTable, PartyMemberTable, PartyOrgTable


def _crumbs(user, area, tail):
    """Breadcrumbs down the territory tree for users who may see it; otherwise just the tail."""
    if area is not None and user.scope.grants_with("territory.view_area"):
        return area_breadcrumbs(user, area, tail=tail)
    return [{"name": "首页", "url": reverse("dashboards:home")}, *tail]


def _current_secretary_prefetch():
    return Prefetch(
        "seats",
        queryset=CommitteeSeat.objects.filter(role=SeatRole.SECRETARY, end__isnull=True).select_related("member"),
        to_attr="current_secretary_seats",
    )


class NestedEditMixin:
    """Create views nested under a parent named in the URL (``org``, ``branch``, ``group``); the parent
    is fetched through the scoped lookup when the form is built, so a foreign parent is a 404."""

    def get(self, request, pk=None, **parent):
        return super().get(request, pk)

    def post(self, request, pk=None, **parent):
        return super().post(request, pk)


# --- 党组织 -------------------------------------------------------------------------------------


class PartyOrgListView(ObjectListView):
    model = PartyOrg
    queryset = PartyOrg.objects.select_related("area").prefetch_related(_current_secretary_prefetch())
    table_class = PartyOrgTable
    filterset_class = PartyOrgFilterSet
    add_url = reverse_lazy("party:org_add")


class TermAlertListView(PartyOrgListView):
    """换届提醒: terms ending within the alert window or already overdue (extensions count)."""

    title = "换届提醒"
    template_name = "party/object_list.html"
    filterset_class = None
    add_url = None

    def get_queryset(self):
        return term_alerts(self.request.user).prefetch_related(_current_secretary_prefetch())

    def get_extra_context(self):
        from django.conf import settings

        return {"list_intro": f"本届任期已届满，或将在 {settings.JICENG_TERM_ALERT_DAYS} 天内届满的党组织。"}


class PartyOrgDetailView(ObjectDetailView):
    model = PartyOrg
    queryset = PartyOrg.objects.select_related("area", "parent")
    template_name = "party/org_detail.html"

    def get_extra_context(self, org):
        user = self.request.user
        seats = org.seats.select_related("member").order_by("end", "role", "start")
        return {
            "breadcrumbs": _crumbs(user, org.area, [{"name": org.name, "url": None}]),
            "warnings": services.org_warnings(org),
            "current_seats": [s for s in seats if s.end is None],
            "past_seats": [s for s in seats if s.end is not None],
            "members": PartyMember.objects.restrict(user).filter(org=org).order_by("status", "name")[:200],
            "children": PartyOrg.objects.restrict(user)
            .filter(parent=org)
            .select_related("area")
            .prefetch_related(_current_secretary_prefetch()),
            "groups": PartyGroup.objects.restrict(user)
            .filter(branch=org)
            .select_related("leader")
            .prefetch_related("buildings"),
            "can_add_seat": user.scope.has_perm("party.add_committeeseat"),
            "can_change_seat": user.scope.has_perm("party.change_committeeseat"),
            "can_add_group": org.is_branch and user.scope.has_perm("party.add_partygroup"),
        }


class PartyOrgEditView(ObjectEditView):
    model = PartyOrg
    form_class = PartyOrgForm

    def save(self, form, obj):
        data = form.service_data()
        if obj is None:
            return services.party_org_create(actor=self.request.user, **data)
        return services.party_org_update(actor=self.request.user, org=obj, **data)


class CommitteeSeatEditView(NestedEditMixin, ObjectEditView):
    """Add a seat to an organisation (``org`` in the URL) or edit one (``pk``)."""

    model = CommitteeSeat
    template_name = "party/seat_edit.html"

    def get_object_for_edit(self, pk):
        seat = super().get_object_for_edit(pk)
        self.org = seat.org
        return seat

    @cached_property
    def org(self):
        return get_scoped_object_or_404(
            PartyOrg.objects.select_related("area"), self.request.user, "view", pk=self.kwargs["org"]
        )

    @property
    def form_class(self):
        return partial(CommitteeSeatForm, org=self.org)

    def _render(self, form, obj, status=200):
        form.org = self.org
        return super()._render(form, obj, status)

    def save(self, form, obj):
        data = form.service_data()
        if obj is None:
            return services.seat_create(actor=self.request.user, org=self.org, **data)
        return services.seat_update(actor=self.request.user, seat=obj, **data)

    def success_url(self, obj):
        return obj.org.get_absolute_url()


# --- 党员 ---------------------------------------------------------------------------------------


class PartyMemberListView(ObjectListView):
    model = PartyMember
    queryset = PartyMember.objects.select_related("org", "report_community")
    table_class = PartyMemberTable
    filterset_class = PartyMemberFilterSet
    add_url = reverse_lazy("party:member_add")


class PartyMemberDetailView(ObjectDetailView):
    model = PartyMember
    queryset = PartyMember.objects.select_related("org__area", "report_community", "resident")
    template_name = "party/member_detail.html"

    def get_extra_context(self, member):
        user = self.request.user
        area = member.org.area if member.org_id else member.report_community
        return {
            "breadcrumbs": _crumbs(user, area, [{"name": member.name, "url": None}]),
            "seats": member.seats.select_related("org").order_by("end", "start"),
            "can_view_resident": user.scope.has_perm("people.view_resident"),
        }


class PartyMemberEditView(ObjectEditView):
    model = PartyMember
    form_class = PartyMemberForm

    def save(self, form, obj):
        data = form.service_data()
        if obj is None:
            return services.member_create(actor=self.request.user, **data)
        return services.member_update(actor=self.request.user, member=obj, **data)


# --- 楼栋党小组 -----------------------------------------------------------------------------------


class PartyGroupDetailView(ObjectDetailView):
    model = PartyGroup
    queryset = PartyGroup.objects.select_related("branch__area", "leader")
    template_name = "party/group_detail.html"

    def get_extra_context(self, group):
        user = self.request.user
        return {
            "breadcrumbs": _crumbs(
                user,
                group.branch.area,
                [
                    {"name": group.branch.name, "url": group.branch.get_absolute_url()},
                    {"name": group.name, "url": None},
                ],
            ),
            "buildings": group.buildings.restrict(user).select_related("grid", "quarter"),
            "central_households": CentralHousehold.objects.restrict(user)
            .filter(group=group)
            .select_related("member", "household__building")
            .annotate(linked_count=_linked_count(user)),
            "can_add_ch": user.scope.has_perm("party.add_centralhousehold"),
        }


class PartyGroupEditView(NestedEditMixin, ObjectEditView):
    """New group (in a branch given by the URL, or chosen in the form) or edit one; the list is the
    declared entity's (``party/entities.py``), which uses this view for its add and edit pages."""

    model = PartyGroup

    def get_object_for_edit(self, pk):
        group = super().get_object_for_edit(pk)
        self.branch = group.branch
        return group

    @cached_property
    def branch(self):
        if "branch" not in self.kwargs:
            return None
        return get_scoped_object_or_404(
            PartyOrg.objects.select_related("area"), self.request.user, "view", pk=self.kwargs["branch"]
        )

    @property
    def form_class(self):
        return partial(PartyGroupForm, branch=self.branch)

    def save(self, form, obj):
        data = form.service_data()
        if obj is None:
            branch = self.branch or data.pop("branch")
            data.pop("branch", None)
            return self.entity.service.create(actor=self.request.user, branch=branch, **data)
        data.pop("branch", None)
        return self.entity.service.update(actor=self.request.user, obj=obj, **data)


# --- 党员中心户 -----------------------------------------------------------------------------------


def _linked_count(user):
    """A central household's linked households that ``user`` may see (a neighbour across a grid or
    community line is not counted for someone who cannot see it)."""
    return Count("linked_households", filter=scope_q_through(user, Household, "linked_households"))


def _visible_group_name(user):
    """The central household's 党小组 name, only where ``user`` may open the group (else NULL, shown as
    “—”): a group on a quarter is not named to a grid worker who sees the household but not the group."""
    groups = PartyGroup.objects.restrict(user).filter(pk=OuterRef("group_id")).values("name")[:1]
    return Subquery(groups)


class CentralHouseholdListView(ObjectListView):
    model = CentralHousehold
    queryset = CentralHousehold.objects.select_related("member", "household__building", "group")
    table_class = CentralHouseholdTable
    filterset_class = CentralHouseholdFilterSet
    template_name = "party/object_list.html"

    def get_queryset(self):
        user = self.request.user
        return super().get_queryset().annotate(linked_count=_linked_count(user), group_name=_visible_group_name(user))

    def get_extra_context(self):
        return {"list_intro": "新建党员中心户：请进入所属楼栋党小组页面，点击“新建党员中心户”。"}


class CentralHouseholdDetailView(ObjectDetailView):
    model = CentralHousehold
    queryset = CentralHousehold.objects.select_related("member", "household__building", "group__branch")
    template_name = "party/centralhousehold_detail.html"

    def get_extra_context(self, ch):
        """Only what the reader may open is linked, and a group or organisation outside their scope is
        not named (docs/permissions.md §2, Links): the member's name is the household's own title."""
        user = self.request.user
        group = ch.group if ch.group_id and user_can(user, ch.group, "view") else None
        return {
            "breadcrumbs": _crumbs(user, None, [{"name": str(ch), "url": None}]),
            "linked": ch.linked_households.restrict(user).select_related("building"),
            "member_url": ch.member.get_absolute_url() if user_can(user, ch.member, "view") else "",
            "household_url": ch.household.get_absolute_url() if user_can(user, ch.household, "view") else "",
            "group": group,
            "group_hidden": bool(ch.group_id and group is None),
            "branch_url": group.branch.get_absolute_url() if group and user_can(user, group.branch, "view") else "",
        }


class CentralHouseholdCreateView(NestedEditMixin, ObjectEditView):
    model = CentralHousehold

    @cached_property
    def group(self):
        return get_scoped_object_or_404(
            PartyGroup.objects.select_related("branch__area"), self.request.user, "view", pk=self.kwargs["group"]
        )

    @property
    def form_class(self):
        return partial(CentralHouseholdForm, group=self.group)

    def save(self, form, obj):
        data = form.service_data()
        return services.central_household_create(actor=self.request.user, group=self.group, **data)
