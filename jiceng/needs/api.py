"""The API beyond the declared resources (``needs``, ``resources``, ``projects`` come from the entities):
``POST /api/v1/need-from-ticket/`` makes a need from a request (工单) and keeps the link."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from jiceng.api.base import ApiAccess
from jiceng.api.registry import register_urls
from jiceng.core.scoping import get_scoped_object_or_404
from jiceng.tickets.models import Ticket

from .choices import NeedCategory
from .services import need_from_ticket


class FromTicketSerializer(serializers.Serializer):
    ticket = serializers.IntegerField(label="工单 ID", min_value=1, max_value=2**63 - 1)
    category = serializers.ChoiceField(label="需求类别", choices=NeedCategory.choices)
    title = serializers.CharField(label="需求名称", max_length=100, required=False, allow_blank=True)


class NeedFromTicketView(APIView):
    """由工单登记需求（微心愿），保留与工单的关联。"""

    permission_classes = [ApiAccess]

    @extend_schema(
        operation_id="need_from_ticket",
        summary="由工单登记需求",
        request=FromTicketSerializer,
        responses={
            201: inline_serializer(
                "NeedFromTicketCreated",
                {
                    "id": serializers.IntegerField(),
                    "status": serializers.CharField(),
                    "ticket": serializers.IntegerField(),
                },
            )
        },
        tags=["needs"],
    )
    def post(self, request):
        form = FromTicketSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        ticket = get_scoped_object_or_404(Ticket, request.user, "view", pk=data["ticket"])
        need = need_from_ticket(
            actor=request.user, ticket=ticket, category=data["category"], title=data.get("title", "")
        )
        return Response({"id": need.pk, "status": need.status, "ticket": ticket.pk}, status=status.HTTP_201_CREATED)


register_urls(path("need-from-ticket/", NeedFromTicketView.as_view(), name="need_from_ticket"))
