"""Reads of 三单制 and the three lists: suggested matches, the needs a user may claim now."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Q, Value, When

from jiceng.territory.models import Area

from .choices import NeedStatus
from .models import Need, Resource, published_to_q, unit_ids_of

MATCH_LIMIT = 10


def suggested_resources(need: Need, user, *, limit: int = MATCH_LIMIT):
    """Active resources the user may see that can be used where the need is (the resource's area is the
    need's node, above it or below it), the same category first, then the nearest area."""
    path = need.scope_path
    place = Q(scope_path__in=Area.ancestor_paths(path)) | Q(scope_path__startswith=path)
    qs = Resource.objects.restrict(user, "view").filter(place, is_active=True).select_related("unit", "area")
    return list(
        qs.annotate(
            same_category=Case(
                When(category=need.category, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        ).order_by("same_category", "-scope_path", "name")[:limit]
    )


def suggested_needs(resource: Resource, user, *, limit: int = MATCH_LIMIT):
    """Open needs the user may see where the resource can be used, the same category first."""
    path = resource.scope_path
    place = Q(scope_path__startswith=path) | Q(scope_path__in=Area.ancestor_paths(path))
    qs = Need.objects.restrict(user, "view").filter(place, status=NeedStatus.OPEN).select_related("community")
    return list(
        qs.annotate(
            same_category=Case(
                When(category=resource.category, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        ).order_by("same_category", "deadline", "-created_at")[:limit]
    )


def claimable_needs(user):
    """Open needs published to this user: to members in their report community, to units where the
    user's units serve (what a member's or a liaison's phone lists)."""
    return (
        Need.objects.restrict(user, "view")
        .filter(published_to_q(user.scope), status=NeedStatus.OPEN)
        .exclude(posted_by=user)
    )


def my_claims(user):
    """The needs this user claimed, or their units claimed."""
    units = unit_ids_of(user.pk)
    return Need.objects.restrict(user, "view").filter(Q(claimed_by=user) | Q(claimed_unit__in=units))


def my_posts(user):
    """The needs this user posted (a resident's or member's own 点单)."""
    return Need.objects.restrict(user, "view").filter(posted_by=user)
