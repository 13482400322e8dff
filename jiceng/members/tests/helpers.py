"""Shared set-up of the members tests: accounts for demo members, row counts."""

from __future__ import annotations

from django.utils import timezone

from jiceng.accounts.models import RoleGrant, User
from jiceng.core.tests.helpers import row_counts
from jiceng.members.choices import ACTIVE_REPORT_STATES
from jiceng.party.models import PartyMember
from jiceng.territory.models import Area

__all__ = ["account_for", "community", "row_counts", "unreported_member"]


def community(name: str) -> Area:
    return Area.objects.get(name=name, kind="community")


def unreported_member(community_name: str = "文昌花园社区", *, nth: int = 0) -> PartyMember:
    """An in-service member living in the community with no active report (the demo leaves one in ten)."""
    c = community(community_name)
    qs = (
        PartyMember.objects.filter(is_in_service=True, resident__scope_path__startswith=c.path)
        .exclude(member_reports__status__in=ACTIVE_REPORT_STATES)
        .order_by("pk")
    )
    return qs[nth]


def account_for(member: PartyMember, username: str | None = None) -> User:
    """A personal account (role 党员) for a Party member (theirs if they have one)."""
    existing = User.objects.filter(party_member=member).first()
    if existing is not None:
        return existing
    user = User.objects.create(
        username=username or f"m{member.pk}", display_name=member.name, party_member=member,
        must_change_password=False, password_changed_at=timezone.now(),
    )  # fmt: skip
    RoleGrant.objects.create(user=user, role="party_member", area=community_of(member))
    return User.objects.get(pk=user.pk)


def community_of(member: PartyMember) -> Area:
    return Area.objects.get(path=member.resident.scope_path[: 3 * Area.steplen])
