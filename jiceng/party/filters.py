"""List filters of the Party organisation; related choices are limited to the viewer's scope."""

from __future__ import annotations

import datetime as dt

import django_filters as filters
from django.conf import settings
from django.db.models import Q
from django.db.models.functions import Coalesce

from jiceng.core.filters import ScopedFilterSet
from jiceng.territory.models import Area

from .choices import MemberStatus, OrgType
from .models import CentralHousehold, PartyGroup, PartyMember, PartyOrg

TERM_STATUS_CHOICES = [
    ("overdue", "已超期"),
    ("due_soon", "即将届满"),
    ("ok", "任期内"),
    ("unknown", "未登记任期"),
]


class PartyOrgFilterSet(ScopedFilterSet):
    q = filters.CharFilter(label="名称", method="search")
    org_type = filters.ChoiceFilter(label="组织类型", choices=OrgType.choices)
    under = filters.ModelChoiceFilter(
        label="所在街道/社区", queryset=Area.objects.filter(kind__in=["street", "community"]), method="filter_under"
    )
    term_status = filters.ChoiceFilter(label="任期状态", choices=TERM_STATUS_CHOICES, method="filter_term")

    class Meta:
        model = PartyOrg
        fields = ["q", "org_type", "under", "term_status"]

    def search(self, qs, name, value):
        return qs.filter(name__icontains=value.strip())

    def filter_under(self, qs, name, value):
        return qs.filter(scope_path__startswith=value.path)

    def filter_term(self, qs, name, value):
        today = dt.date.today()
        horizon = today + dt.timedelta(days=settings.JICENG_TERM_ALERT_DAYS)
        qs = qs.annotate(effective_end=Coalesce("term_extended_until", "term_end"))
        if value == "overdue":
            return qs.filter(effective_end__lt=today)
        if value == "due_soon":
            return qs.filter(effective_end__gte=today, effective_end__lte=horizon)
        if value == "ok":
            return qs.filter(effective_end__gt=horizon)
        return qs.filter(effective_end__isnull=True)


class PartyMemberFilterSet(ScopedFilterSet):
    q = filters.CharFilter(label="姓名", method="search")
    status = filters.ChoiceFilter(label="党员状态", choices=MemberStatus.choices)
    is_in_service = filters.BooleanFilter(label="在职党员")
    is_floating = filters.BooleanFilter(label="流动党员")
    org = filters.ModelChoiceFilter(label="所在党组织", queryset=PartyOrg.objects.all())
    report_community = filters.ModelChoiceFilter(label="报到社区", queryset=Area.objects.filter(kind="community"))

    class Meta:
        model = PartyMember
        fields = ["q", "status", "is_in_service", "is_floating", "org", "report_community"]

    def search(self, qs, name, value):
        return qs.filter(name__icontains=value.strip())


class PartyGroupFilterSet(ScopedFilterSet):
    q = filters.CharFilter(label="名称", method="search")
    branch = filters.ModelChoiceFilter(
        label="所属党支部",
        queryset=PartyOrg.objects.filter(org_type__in=["branch", "joint_branch", "functional_branch"]),
    )

    class Meta:
        model = PartyGroup
        fields = ["q", "branch"]

    def search(self, qs, name, value):
        return qs.filter(name__icontains=value.strip())


class CentralHouseholdFilterSet(ScopedFilterSet):
    q = filters.CharFilter(label="党员姓名", method="search")
    group = filters.ModelChoiceFilter(label="所属党小组", queryset=PartyGroup.objects.all())

    class Meta:
        model = CentralHousehold
        fields = ["q", "group"]

    def search(self, qs, name, value):
        return qs.filter(Q(member__name__icontains=value.strip()))
