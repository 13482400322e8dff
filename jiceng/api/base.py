"""The generic read-only viewset every API resource builds on (NetBox's ``NetBoxModelViewSet`` pattern).

``get_queryset`` calls ``restrict(user, action)`` exactly once, here, so no resource can forget it;
``get_object`` starts from that restricted queryset, so an object outside the caller's subtree answers
404 exactly like one that does not exist.
"""

from __future__ import annotations

import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field
from rest_framework import permissions, serializers, viewsets
from rest_framework.authtoken.models import Token

from jiceng.core.roles import admin_otp_satisfied
from jiceng.core.scoping import node_path


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


#: The largest primary key (a 64-bit signed integer): a larger number overflowed the query.
MAX_ID = 2**63 - 1
#: What ``core.validators.validate_phone`` accepts, written out for the schema in ASCII digits (a client
#: generating from ``\\d`` would send other scripts' digits): a mobile number, or a landline with its area
#: code, optionally after +86. The server also accepts full-width digits and spaces, which it normalises.
PHONE_PATTERN = r"^(\+?86)?(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$"
ID_LAST4_PATTERN = r"^[0-9]{3}[0-9Xx]$"


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """The id of a row: an integer in the range of a primary key, as the schema says."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


def pattern_filter(pattern: str):
    """A ``CharFilter`` whose schema declares ``pattern`` (its validators check the same values)."""

    @extend_schema_field({"type": "string", "pattern": pattern})
    class PatternFilter(django_filters.CharFilter):
        pass

    return PatternFilter


@extend_schema_field({"type": "string", "maxLength": 20, "pattern": f"^$|{PHONE_PATTERN}"})
class PhoneField(serializers.CharField):
    """A phone number input (blank allowed), checked by ``validate_phone`` in the service."""


class ScopedFilterSet(django_filters.FilterSet):
    """Adds ``within=<area id>``: everything under that node of the tree (one ``startswith``)."""

    within = IdFilter(method="filter_within", label="所在辖区节点（含下级）")

    #: The field holding the row's materialised path (``path`` for ``Area`` itself).
    path_field = "scope_path"

    def filter_within(self, queryset, name, value):
        path = node_path(value)
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
