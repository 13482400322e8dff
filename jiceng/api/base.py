"""The generic read-only viewset every API resource builds on (NetBox's ``NetBoxModelViewSet`` pattern).

``get_queryset`` calls ``restrict(user, action)`` exactly once, here, so no resource can forget it;
``get_object`` starts from that restricted queryset, so an object outside the caller's subtree answers
404 exactly like one that does not exist.
"""

from __future__ import annotations

import django_filters
from rest_framework import permissions, viewsets
from rest_framework.authtoken.models import Token

from jiceng.accounts.middleware import admin_otp_satisfied
from jiceng.territory.models import Area


class ApiAccess(permissions.IsAuthenticated):
    """Authenticated and past the same gates as the web UI, answered as JSON instead of a redirect.

    ``/api/`` is exempt from the web middleware's gate, so it is applied here: a password that must be
    changed (first login, or older than 90 days) shuts the API too, token or not. TOTP is checked when
    the token is issued, so only a browser session still needs its device verified here.
    """

    message = "请先在网页修改密码或完成动态口令验证后再访问接口。"

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        user = request.user
        if user.must_change_password or user.password_expired:
            return False
        if isinstance(request.auth, Token):
            return True
        return admin_otp_satisfied(user)


class ScopedFilterSet(django_filters.FilterSet):
    """Adds ``within=<area id>``: everything under that node of the tree (one ``startswith``)."""

    within = django_filters.NumberFilter(method="filter_within", label="所在辖区节点（含下级）")

    #: The field holding the row's materialised path (``path`` for ``Area`` itself).
    path_field = "scope_path"

    def filter_within(self, queryset, name, value):
        path = Area.objects.filter(pk=value).values_list("path", flat=True).first()
        if path is None:
            return queryset.none()
        return queryset.filter(**{f"{self.path_field}__startswith": path})


class ScopedReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    """List and detail of a scoped model, limited to the caller's subtree.

    Subclasses set ``queryset`` (with its ``select_related`` / ``prefetch_related``), ``serializer_class``
    and ``filterset_class``. ``scope_action`` names the permission the rows need (``view`` by default;
    ``viewtags`` for the sensitive special-population tags).
    """

    permission_classes = [ApiAccess]
    scope_action = "view"
    ordering_fields: list[str] = []

    def get_queryset(self):
        return super().get_queryset().restrict(self.request.user, self.scope_action)
